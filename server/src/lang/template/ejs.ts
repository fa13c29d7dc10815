/** EJS templates: `<%- raw %>`, `<%= escaped %>`, `<%# comment %>`, `<% code %>`; a linear tokenizer (EJS has no AST). */
import { rootsOf } from './expr';
import { Aliases, type TemplateModel } from './model';

/** Helpers whose raw output is the point: another template, already escaped (`include`, ejs-locals' `partial`). */
const QUIET_CALLS = ['include', 'partial', 'block', 'defineContent', 'contentFor'];

export function readEjs(text: string, isLayout: boolean): TemplateModel {
  const model: TemplateModel = { outputs: [], comments: [], notes: [] };
  const aliases = new Aliases();
  let i = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const at = text.indexOf('<%', i);
    if (at < 0) break;
    const mark = text[at + 2];
    if (mark === '%') { i = at + 3; continue; }
    const end = text.indexOf('%>', at + 2);
    if (end < 0) {
      model.notes.push(`unclosed \`<%\` tag at offset ${at}: the rest of the template was not read`);
      break;
    }
    i = end + 2;
    let body = text.slice(at + (mark === '-' || mark === '=' || mark === '#' || mark === '_' ? 3 : 2), end);
    if (body.endsWith('-') || body.endsWith('_')) body = body.slice(0, -1);
    body = body.trim();
    if (mark === '#') { model.comments.push({ start: at, text: body }); continue; }
    if (mark !== '-' && mark !== '=') { loopAliases(body, aliases); continue; }
    const raw = mark === '-';
    let quiet: string | undefined;
    if (raw && QUIET_CALLS.some((c) => body.startsWith(c) && /^\s*\(/.test(body.slice(c.length, c.length + 20)))) quiet = 'an included template';
    if (raw && isLayout && (body === 'body' || body === 'locals.body')) quiet = "the layout's rendered page";
    const expr = body.replace(/;+$/, '');
    model.outputs.push({
      start: at, end: end + 2, expr, raw, how: raw ? '<%- %>' : '', roots: aliases.resolve(rootsOf(expr)),
      ...(quiet ? { quiet } : {}), ...(raw ? { escape: [{ start: at + 2, end: at + 3, text: '=' }] } : {}),
    });
  }
  return model;
}

/** `for (const x of xs)`, `xs.forEach(function (x)`, `xs.forEach((x, i) =>`: `x` reads `xs`. Bounded token reads. */
function loopAliases(code: string, aliases: Aliases): void {
  const c = code.length > 2000 ? code.slice(0, 2000) : code;
  const forAt = c.indexOf('for');
  if (forAt >= 0) {
    const open = c.indexOf('(', forAt);
    const ofAt = Math.max(c.indexOf(' of ', open), c.indexOf(' in ', open));
    if (open > 0 && ofAt > open) {
      const name = c.slice(open + 1, ofAt).replace(/^\s*(var|let|const)\s+/, '').trim();
      const close = c.indexOf(')', ofAt);
      if (/^[\w$]+$/.test(name)) aliases.define(name, c.slice(ofAt + 4, close < 0 ? c.length : close));
    }
  }
  for (const method of ['.forEach(', '.map(']) {
    const m = c.indexOf(method);
    if (m < 0) continue;
    let s = m;
    while (s > 0 && /[\w$.]/.test(c[s - 1])) s--;
    const target = c.slice(s, m);
    let rest = c.slice(m + method.length).trimStart();
    if (rest.startsWith('function')) rest = rest.slice(8).trimStart();
    if (rest.startsWith('(')) rest = rest.slice(1);
    let k = 0;
    while (k < rest.length && /[\w$ ]/.test(rest[k])) k++;
    const name = rest.slice(0, k).trim();
    if (/^[\w$]+$/.test(name)) aliases.define(name, target);
  }
}
