import { defineRule, type DockerfileContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';

/**
 * `ADD` of local files that are not archives: `ADD` also fetches URLs and unpacks tar archives,
 * so the same line silently changes meaning when its source does. `COPY` only copies.
 */
export default defineRule({
  meta: {
    id: 'add-instead-of-copy',
    title: '`ADD` used to copy local files',
    description: '`ADD` downloads URLs and unpacks archives as well as copying; for plain local files `COPY` says what happens and cannot turn into a download or an extraction when the source changes.',
    cwe: ['CWE-710'],
    owasp: OWASP.A05,
    severity: 'info',
    confidence: 'high',
    securitySeverity: 2.0,
    languages: ['dockerfile'],
  },
  dockerfile: (ctx) => check(ctx),
});

/** What `ADD` unpacks (tar, possibly compressed): kept as `ADD` on purpose. */
const ARCHIVE = /\.(tar|tgz|tbz2?|tb2|txz|tlz|tzst|taz|gz|bz2|xz|lz|lzma|zst|z)$/i;
/** Flags that only `ADD` understands. */
const ADD_ONLY = new Set(['checksum', 'keep-git-dir', 'unpack']);

function check(ctx: DockerfileContext): void {
  const f = ctx.file;
  for (const c of f.copies) {
    if (c.keyword !== 'ADD' || c.heredoc || c.sources.length === 0) continue;
    if (c.flags.some((fl) => ADD_ONLY.has(fl.name.toLowerCase()))) continue;
    // every source must be a known local path that is not an archive (a variable could name a URL or a tarball)
    if (!c.sources.every((s) => localPlainFile(s.value, s.dynamic))) continue;
    const keyword = f.text.slice(f.offset(c.keywordRange.start), f.offset(c.keywordRange.end));
    const copy = keyword === keyword.toLowerCase() ? 'copy' : 'COPY';
    ctx.report({
      range: c.keywordRange,
      message: `\`ADD\` of local ${c.sources.length === 1 ? `\`${c.sources[0].value}\`` : 'files'}: use \`COPY\`, which only copies (\`ADD\` also downloads URLs and unpacks archives).`,
      fixes: [{ title: 'Use `COPY`', edits: [{ range: c.keywordRange, newText: copy }], preferred: true, safe: true }],
    });
  }
}

function localPlainFile(value: string, dynamic: boolean): boolean {
  if (dynamic || /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^git@/.test(value) || ARCHIVE.test(value)) return false;
  const last = value.slice(value.lastIndexOf('/') + 1);
  // a wildcard may match archives unless it ends in a plain extension (`*.py`)
  return !/[*?[]/.test(value) || /\.[A-Za-z0-9]+$/.test(last);
}
