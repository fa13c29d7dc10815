/**
 * Pug (Jade): a line reader for what rules need: `tag!= expr` and `!= expr` (unescaped code), `!{expr}`
 * (unescaped interpolation), `tag= expr` and `#{expr}` (escaped), `each x in xs` loops, `//-` comments.
 */
import { rootsOf, skipString } from './expr';
import { Aliases, type TemplateModel } from './model';

export function readPug(text: string): TemplateModel {
  const model: TemplateModel = { outputs: [], comments: [], notes: [] };
  const aliases = new Aliases();
  let lineStart = 0;
  for (let guard = 0; guard < 1_000_000 && lineStart <= text.length; guard++) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    readLine(text, lineStart, lineEnd, model, aliases);
    lineStart = lineEnd + 1;
  }
  return model;
}

function readLine(text: string, start: number, end: number, model: TemplateModel, aliases: Aliases): void {
  let i = start;
  while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
  if (i >= end) return;
  const line = text.slice(i, end);
  if (line.startsWith('//')) {
    model.comments.push({ start: i, text: line.slice(line.startsWith('//-') ? 3 : 2) });
    return;
  }
  const loop = /^(each|for)\s+([\w$]+)(\s*,\s*[\w$]+)?\s+in\s+(.+)$/.exec(line.length > 2000 ? '' : line);
  if (loop) { aliases.define(loop[2], loop[4]); return; }
  if (line.startsWith('-')) return; // unbuffered code
  if (line.startsWith('!=') || line.startsWith('=')) {
    const raw = line.startsWith('!=');
    code(text, i, i + (raw ? 2 : 1), end, raw, model, aliases);
    return;
  }
  if (line.startsWith('|')) { interpolations(text, i + 1, end, model, aliases); return; }
  // a tag: name, `#id`, `.class`, `(attributes)`, `&attributes(...)`, then `!=`/`=` code, `:` nesting, or text
  let p = i;
  while (p < end && /[\w\-#.:$]/.test(text[p]) && !(text[p] === ':' && text[p + 1] === ' ')) p++;
  if (p === i && text[p] !== '(') { interpolations(text, i, end, model, aliases); return; }
  for (let k = 0; k < 50 && text[p] === '('; k++) {
    const close = closeParen(text, p, end);
    attributes(text, p + 1, close, model, aliases);
    p = close + 1;
    if (text.startsWith('&attributes', p)) p += 11;
  }
  if (text.startsWith('!=', p)) { code(text, i, p + 2, end, true, model, aliases); return; }
  if (text[p] === '=') { code(text, i, p + 1, end, false, model, aliases); return; }
  if (text[p] === '.') return; // a block of text follows on the next lines (read as lines of their own)
  interpolations(text, p, end, model, aliases);
}

function closeParen(text: string, open: number, end: number): number {
  let depth = 0;
  for (let i = open; i < end; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') { i = skipString(text, i, end) - 1; continue; }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return end;
}

/** `a!=expr` in a tag's attributes: written unescaped into the attribute. */
function attributes(text: string, from: number, to: number, model: TemplateModel, aliases: Aliases): void {
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') { i = skipString(text, i, to) - 1; continue; }
    if (c !== '!' || text[i + 1] !== '=') continue;
    let j = i + 2;
    while (j < to && text[j] === ' ') j++;
    let k = j;
    let depth = 0;
    for (; k < to; k++) {
      const d = text[k];
      if (d === '"' || d === "'" || d === '`') { k = skipString(text, k, to) - 1; continue; }
      if (d === '(' || d === '[' || d === '{') depth++;
      else if (d === ')' || d === ']' || d === '}') depth--;
      else if (depth === 0 && (d === ',' || d === ' ')) break;
    }
    const expr = text.slice(j, k);
    let n = i;
    while (n > from && /[\w\-:@]/.test(text[n - 1])) n--;
    model.outputs.push({ start: n, end: k, expr, raw: true, how: '!=', roots: aliases.resolve(rootsOf(expr)), escape: [{ start: i, end: i + 1, text: '' }] });
    i = k;
  }
}

/** Buffered code: `tag!= expr`, `!= expr`, `tag= expr`; the output starts where the line's content starts. */
function code(text: string, start: number, from: number, end: number, raw: boolean, model: TemplateModel, aliases: Aliases): void {
  const expr = text.slice(from, end).trim();
  const bang = from - 2;
  model.outputs.push({
    start, end, expr, raw, how: raw ? '!=' : '', roots: aliases.resolve(rootsOf(expr)),
    ...(raw ? { escape: [{ start: bang, end: bang + 1, text: '' }] } : {}),
  });
}

/** `!{expr}` (raw) and `#{expr}` (escaped) in a line of text. */
function interpolations(text: string, from: number, end: number, model: TemplateModel, aliases: Aliases): void {
  for (let i = text.indexOf('{', from); i >= 0 && i < end; i = text.indexOf('{', i + 1)) {
    const sigil = text[i - 1];
    if ((sigil !== '!' && sigil !== '#') || text[i - 2] === '\\') continue;
    let depth = 0;
    let k = i;
    for (; k < end; k++) {
      const c = text[k];
      if (c === '"' || c === "'" || c === '`') { k = skipString(text, k, end) - 1; continue; }
      if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    if (k >= end) return;
    const expr = text.slice(i + 1, k).trim();
    const raw = sigil === '!';
    model.outputs.push({
      start: i - 1, end: k + 1, expr, raw, how: raw ? '!{}' : '', roots: aliases.resolve(rootsOf(expr)),
      ...(raw ? { escape: [{ start: i - 1, end: i, text: '#' }] } : {}),
    });
    i = k;
  }
}
