import { readFile } from 'node:fs/promises';
import path from 'node:path';
import yaml from 'js-yaml';

export interface Post { title: string; markdown: string; authorBio: string }

const POSTS_DIR = path.join(process.cwd(), 'content', 'posts');

export async function getPost(slug: string): Promise<Post> {
  const raw = await readFile(path.join(POSTS_DIR, `${path.basename(slug)}.yaml`), 'utf8');
  // VULNERABLE: js-yaml 3.x load() accepts !!js/function tags
  return yaml.load(raw) as Post;
}

export async function getSiteConfig(): Promise<Record<string, unknown>> {
  const raw = await readFile(path.join(process.cwd(), 'site.yaml'), 'utf8');
  // safe: the JSON schema only builds plain data
  return yaml.load(raw, { schema: yaml.JSON_SCHEMA }) as Record<string, unknown>;
}
