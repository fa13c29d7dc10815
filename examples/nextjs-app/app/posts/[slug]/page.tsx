import DOMPurify from 'isomorphic-dompurify';
import { marked } from 'marked';
import { getPost } from '../../../lib/posts';

export default async function PostPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const post = await getPost(slug);
  const body = await marked.parse(post.markdown);
  return (
    <article>
      <h1>{post.title}</h1>
      {/* VULNERABLE: rendered markdown may contain <script> and event handlers */}
      <div className="post-body" dangerouslySetInnerHTML={{ __html: body }} />
      {/* safe: sanitized before it is injected */}
      <aside dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(post.authorBio) }} />
      {/* safe: a constant */}
      <footer dangerouslySetInnerHTML={{ __html: '&copy; Example Shop' }} />
    </article>
  );
}
