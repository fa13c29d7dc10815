/**
 * Mustache and Handlebars: `{{{raw}}}`, `{{& raw}}`, `{{escaped}}`, `{{! comment}}`, `{{!-- comment --}}`,
 * sections `{{#each items}}`/`{{#items}}` whose `this` (and, in Mustache, bare names) read the list.
 * A linear tokenizer: the two share the delimiters, and what rules need is the tag, its name and its block.
 */
import type { Root } from './expr';
import { skipString } from './expr';
import { Aliases, type TemplateModel } from './model';

/** A Handlebars path's variable: `user` in `../user.name`, `this.name` -> this; `@index` and literals read nothing. */
function pathRoot(token: string): Root | undefined {
  let t = token;
  for (let k = 0; k < 20 && (t.startsWith('../') || t.startsWith('./')); k++) t = t.slice(t.startsWith('../') ? 3 : 2);
  if (t.startsWith('@root.')) t = t.slice(6);
  if (!t || t.startsWith('@') || /^["'\d-]/.test(t) || t === 'true' || t === 'false' || t === 'null' || t === 'undefined') return undefined;
  if (t.startsWith('this.')) t = t.slice(5);
  const dot = t.search(/[.[/]/);
  const name = dot < 0 ? t : t.slice(0, dot);
  const member = dot < 0 ? undefined : t.slice(dot + 1).split(/[.[\]/]/)[0] || undefined;
  return name ? { name, ...(member ? { member } : {}) } : undefined;
}

/** Whitespace-separated tokens of a tag, strings kept whole; `key=value` pairs give their value. */
function tokens(body: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < body.length && out.length < 200) {
    while (i < body.length && /\s/.test(body[i])) i++;
    if (i >= body.length) break;
    const start = i;
    if (body[i] === '"' || body[i] === "'") i = skipString(body, i);
    else if (body[i] === '(') {
      // a subexpression: `(concat a b)`; its arguments are read as tokens of their own
      out.push('(');
      i++;
      continue;
    } else while (i < body.length && !/[\s()]/.test(body[i])) i++;
    const t = body.slice(start, i);
    if (t === ')' || t === '') { i = Math.max(i, start + 1); continue; }
    const eq = t.indexOf('=');
    out.push(eq > 0 && !/["']/.test(t[0]) ? t.slice(eq + 1) : t);
  }
  return out;
}

/** The variables a tag's expression reads: a lone path, or a helper's arguments (`{{{markdown body}}}` reads `body`). */
function rootsOfTag(body: string, handlebars: boolean): Root[] {
  const t = tokens(body);
  const args = handlebars && t.length > 1 ? t.slice(1) : t;
  const out: Root[] = [];
  for (const a of args) {
    if (a === '(' || a === 'as' || a.startsWith('|')) continue;
    const r = pathRoot(a);
    if (r && !out.some((o) => o.name === r.name)) out.push(r);
  }
  return out;
}

export function readMustache(text: string, handlebars: boolean, isLayout: boolean): TemplateModel {
  const model: TemplateModel = { outputs: [], comments: [], notes: [] };
  const aliases = new Aliases();
  /** Open sections: what `this` (and, in Mustache, an unqualified name) reads inside them. */
  const sections: Root[][] = [];
  let i = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const at = text.indexOf('{{', i);
    if (at < 0) break;
    if (at > 0 && text[at - 1] === '\\') { i = at + 2; continue; }
    let p = at + 2;
    if (text[p] === '~') p++;
    const triple = text[p] === '{';
    if (text.startsWith('!--', p)) {
      const end = text.indexOf('--}}', p + 3);
      model.comments.push({ start: at, text: text.slice(p + 3, end < 0 ? text.length : end) });
      if (end < 0) break;
      i = end + 4;
      continue;
    }
    const close = triple ? '}}}' : '}}';
    const end = text.indexOf(close, p);
    if (end < 0) {
      model.notes.push(`unclosed \`{{\` tag at offset ${at}: the rest of the template was not read`);
      break;
    }
    let body = text.slice(triple ? p + 1 : p, end);
    if (triple && body.endsWith('~')) body = body.slice(0, -1);
    if (!triple && body.endsWith('~')) body = body.slice(0, -1);
    i = end + close.length;
    const sigil = body[0];
    if (sigil === '!') { model.comments.push({ start: at, text: body.slice(1) }); continue; }
    if (sigil === '=') {
      model.notes.push('the template changes its delimiters (`{{= =}}`): the rest was not read');
      break;
    }
    if (!triple && (sigil === '#' || sigil === '^')) {
      const inner = body.slice(1).trim();
      const word = inner.split(/\s/)[0];
      const rest = handlebars ? inner.slice(word.length) : inner;
      const asAt = rest.indexOf(' as |');
      const expr = asAt >= 0 ? rest.slice(0, asAt) : rest;
      const roots = handlebars && !['each', 'with'].includes(word) ? [] : aliases.resolve(rootsOfTag(expr, false));
      if (asAt >= 0) for (const n of rest.slice(asAt + 5).split('|')[0].trim().split(/\s+/)) aliases.defineRoots(n, roots);
      sections.push(sigil === '^' ? [] : roots);
      continue;
    }
    if (!triple && sigil === '/') { sections.pop(); continue; }
    if (!triple && (sigil === '>' || sigil === '<' || sigil === '$' || body.trim().startsWith('else') || body.trim().startsWith('*'))) continue;
    const raw = triple || sigil === '&';
    const escape = triple ? [{ start: p, end: p + 1, text: '' }, { start: end, end: end + 1, text: '' }]
      : sigil === '&' ? [{ start: p, end: p + 1, text: '' }] : undefined;
    const expr = (sigil === '&' ? body.slice(1) : body).trim();
    let roots = aliases.resolve(rootsOfTag(expr, handlebars));
    const within = sections.length > 0 ? sections[sections.length - 1] : [];
    if (expr === 'this' || expr === '.') roots = within;
    else if (within.length > 0) roots = roots.flatMap((r) => (r.name === 'this' ? within : [r]));
    const quiet = raw && isLayout && expr === 'body' ? "the layout's rendered page" : undefined;
    model.outputs.push({
      start: at, end: i, expr, raw, how: raw ? (triple ? '{{{ }}}' : '{{& }}') : '', roots,
      ...(quiet ? { quiet } : {}), ...(escape ? { escape } : {}), ...(!handlebars && within.length > 0 ? { section: within } : {}),
    });
  }
  return model;
}
