/**
 * Jinja2, Django, Nunjucks and Swig templates: one linear tokenizer over `{{ }}`, `{% %}` and `{# #}`
 * (none of these syntaxes has a maintained parser with positions on npm that covers all four).
 */
import { filterName, firstWord, rootsOf, skipString, splitTop } from './expr';
import { Aliases, type TemplateModel } from './model';

/** Filters after which a value is escaped or cannot hold markup: `x|safe|e`, `x|safe|int`. */
const NEUTRALIZING = new Set([
  'e', 'escape', 'forceescape', 'force_escape', 'escapejs', 'urlencode', 'urlize_escaped', 'tojson', 'json_script',
  'int', 'float', 'length', 'count', 'wordcount', 'filesizeformat', 'striptags', 'date', 'time', 'timesince',
  'timeuntil', 'yesno', 'floatformat', 'add_class', 'dump',
]);
const RAW_FILTERS = new Set(['safe', 'safeseq']);

/** Index of `close` after `from`, skipping quoted strings inside the tag; -1 when the tag is not closed. */
function closeOf(text: string, from: number, close: string): number {
  const c0 = close[0];
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") { i = skipString(text, i) - 1; continue; }
    if (c === c0 && text.startsWith(close, i)) return i;
    // a tag does not span a newline-free run this long in real templates; an unclosed one ends the read
    if (c === '{' && (text[i + 1] === '{' || text[i + 1] === '%')) return -1;
  }
  return -1;
}

/** Strips Jinja's whitespace control (`{{-`, `-}}`, `{%+`). */
function inner(text: string): string {
  let t = text;
  if (t.startsWith('-') || t.startsWith('+')) t = t.slice(1);
  if (t.endsWith('-') || t.endsWith('+')) t = t.slice(0, -1);
  return t.trim();
}

export function readJinja(text: string): TemplateModel {
  const model: TemplateModel = { outputs: [], comments: [], notes: [] };
  const aliases = new Aliases();
  /** `{% autoescape %}` blocks: true = escaping off. */
  const autoescape: boolean[] = [];
  let i = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const at = text.indexOf('{', i);
    if (at < 0 || at + 1 >= text.length) break;
    const kind = text[at + 1];
    if (kind !== '{' && kind !== '%' && kind !== '#') { i = at + 1; continue; }
    if (kind === '#') {
      const end = text.indexOf('#}', at + 2);
      model.comments.push({ start: at, text: text.slice(at + 2, end < 0 ? text.length : end) });
      if (end < 0) break;
      i = end + 2;
      continue;
    }
    const close = kind === '{' ? '}}' : '%}';
    const end = closeOf(text, at + 2, close);
    if (end < 0) {
      model.notes.push(`unclosed \`{${kind}\` tag at offset ${at}: the rest of the template was not read`);
      break;
    }
    const content = text.slice(at + 2, end);
    const body = inner(content);
    i = end + 2;
    if (kind === '%') {
      const [word, rest] = firstWord(body);
      if (word === 'autoescape') autoescape.push(rest === 'false' || rest === 'off' || rest === 'False');
      else if (word === 'endautoescape') autoescape.pop();
      else if (word === 'raw' || word === 'verbatim') {
        const stop = endOfVerbatim(text, i, word === 'raw' ? 'endraw' : 'endverbatim');
        if (stop < 0) break;
        i = stop;
      } else if (word === 'for') {
        const inAt = rest.indexOf(' in ');
        if (inAt > 0) for (const name of rest.slice(0, inAt).split(',')) aliases.define(name.trim(), rest.slice(inAt + 4).split(' if ')[0]);
      } else if (word === 'set' || word === 'with') {
        // `{% set x = y %}`, `{% with x=y %}`, Django's `{% with y as x %}`
        const asAt = rest.indexOf(' as ');
        if (word === 'with' && asAt > 0) aliases.define(rest.slice(asAt + 4).trim(), rest.slice(0, asAt));
        else for (const part of splitTop(rest, ',').flatMap((p) => p.trim().split(/\s+(?=\w+\s*=)/))) {
          const eq = part.indexOf('=');
          if (eq > 0) aliases.define(part.slice(0, eq).trim(), part.slice(eq + 1));
        }
      }
      continue;
    }
    const parts = splitTop(body, '|');
    const expr = parts[0].trim();
    const filters = parts.slice(1).map(filterName);
    const lastSafe = Math.max(...filters.map((f, k) => (RAW_FILTERS.has(f) ? k : -1)));
    const off = autoescape.length > 0 && autoescape[autoescape.length - 1];
    // an escaping or numeric filter anywhere in the chain (`x|e|safe`, `x|striptags|safe`, `x|safe|e`) leaves no markup
    const neutral = filters.some((f) => NEUTRALIZING.has(f));
    const raw = !neutral && (lastSafe >= 0 || off);
    const how = !raw ? '' : lastSafe >= 0 ? `|${filters[lastSafe]}` : '{% autoescape false %}';
    const escape = raw ? escapeEdits(parts, at + 2 + content.indexOf(body), lastSafe) : undefined;
    model.outputs.push({ start: at, end: end + 2, expr, raw, how, roots: aliases.resolve(rootsOf(expr)), ...(escape ? { escape } : {}) });
  }
  return model;
}

/**
 * `x|safe` -> `x` (the filter and its bar removed), `x|safe|upper` -> `x|upper`; in an autoescape-off block
 * `x` -> `x|e`. `parts` are the body split at its top-level bars, the body starting at `bodyStart`.
 */
function escapeEdits(parts: string[], bodyStart: number, lastSafe: number): { start: number; end: number; text: string }[] {
  const offsets: number[] = [];
  let at = bodyStart;
  for (const p of parts) { offsets.push(at); at += p.length + 1; }
  if (lastSafe < 0) {
    const last = parts.length - 1;
    const end = offsets[last] + parts[last].trimEnd().length;
    return [{ start: end, end, text: '|e' }];
  }
  const k = lastSafe + 1; // parts[0] is the expression
  const barAt = offsets[k] - 1;
  // the spaces before the bar go too (`x | safe` -> `x`)
  const start = barAt - (parts[k - 1].length - parts[k - 1].trimEnd().length);
  const end = offsets[k] + parts[k].trimEnd().length;
  return [{ start, end, text: '' }];
}

/** The offset after `{% endraw %}` (any whitespace control), or -1. */
function endOfVerbatim(text: string, from: number, word: string): number {
  for (let i = text.indexOf('{%', from); i >= 0; i = text.indexOf('{%', i + 2)) {
    const end = text.indexOf('%}', i + 2);
    if (end < 0) return -1;
    if (inner(text.slice(i + 2, end)) === word) return end + 2;
  }
  return -1;
}
