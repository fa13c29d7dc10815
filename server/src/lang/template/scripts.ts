/**
 * Inline `<script>` blocks of an HTML template, as one JavaScript text with the template's offsets: everything
 * outside the blocks is blanked (newlines kept), and template tags inside them (`{{ x|tojson }}`, `<%= x %>`)
 * become an identifier of the same length, a value of unknown origin. Linear scans with indexOf.
 */
import type { TemplateSyntax } from './model';

/** `type` values that hold JavaScript (absent counts too). */
const JS_TYPES = new Set(['', 'text/javascript', 'application/javascript', 'module', 'text/babel', 'application/x-javascript']);

export function inlineScriptText(text: string, syntax: TemplateSyntax): string | undefined {
  if (syntax === 'pug') return undefined;
  const lower = text.toLowerCase();
  const blocks: [number, number][] = [];
  const comments = commentRanges(text, syntax);
  let c = 0;
  for (let i = lower.indexOf('<script'); i >= 0 && blocks.length < 1000; i = lower.indexOf('<script', i + 7)) {
    // `<script>` written inside a comment (`{# the <script> below ... #}`) is not a tag
    while (c < comments.length && comments[c][1] <= i) c++;
    if (c < comments.length && comments[c][0] <= i) { i = comments[c][1] - 7; continue; }
    const tagEnd = lower.indexOf('>', i);
    if (tagEnd < 0) break;
    const attrs = lower.slice(i + 7, tagEnd);
    const close = lower.indexOf('</script', tagEnd);
    const end = close < 0 ? text.length : close;
    if (!/\bsrc\s*=/.test(attrs) && JS_TYPES.has(typeAttribute(attrs))) blocks.push([tagEnd + 1, end]);
    i = end;
  }
  if (blocks.length === 0) return undefined;
  const parts: string[] = [];
  let at = 0;
  for (const [s, e] of blocks) {
    parts.push(blank(text.slice(at, s)), withoutTags(text.slice(s, e), syntax));
    at = e;
  }
  parts.push(blank(text.slice(at)));
  return parts.join('');
}

/** HTML and template comments, as sorted [start, end) ranges. */
function commentRanges(text: string, syntax: TemplateSyntax): [number, number][] {
  const pairs: [string, string][] = [['<!--', '-->'], syntax === 'ejs' ? ['<%#', '%>'] : syntax === 'jinja' ? ['{#', '#}'] : ['{{!', '}}']];
  const out: [number, number][] = [];
  for (const [open, close] of pairs) {
    for (let i = text.indexOf(open); i >= 0 && out.length < 100_000; i = text.indexOf(open, i + open.length)) {
      const end = text.indexOf(close, i + open.length);
      out.push([i, end < 0 ? text.length : end + close.length]);
      if (end < 0) break;
      i = end;
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

function typeAttribute(attrs: string): string {
  const at = attrs.indexOf('type');
  if (at < 0 || attrs.length > 2000) return '';
  const m = /^type\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/.exec(attrs.slice(at));
  return m ? (m[1] ?? m[2] ?? m[3] ?? '').trim() : '';
}

/** Spaces for everything but line breaks. */
function blank(s: string): string {
  let out = '';
  let from = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) {
    out += ' '.repeat(i - from) + '\n';
    from = i + 1;
  }
  return out + ' '.repeat(s.length - from);
}

/** Template tags inside a script: an output becomes `_` repeated (an unknown value), a statement spaces. */
function withoutTags(code: string, syntax: TemplateSyntax): string {
  const pairs: [string, string][] = syntax === 'ejs' ? [['<%', '%>']] : [['{{', '}}'], ['{%', '%}'], ['{#', '#}']];
  let out = code;
  for (const [open, close] of pairs) {
    let result = '';
    let from = 0;
    for (let i = out.indexOf(open); i >= 0; i = out.indexOf(open, from)) {
      const end = out.indexOf(close, i + open.length);
      if (end < 0) break;
      const tag = out.slice(i, end + close.length);
      const isOutput = open === '{{' || (open === '<%' && (tag[2] === '=' || tag[2] === '-'));
      result += out.slice(from, i) + (isOutput && !tag.includes('\n') ? '_'.repeat(tag.length) : blank(tag));
      from = end + close.length;
    }
    out = result + out.slice(from);
  }
  return out;
}
