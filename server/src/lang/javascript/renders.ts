/**
 * Render calls in JavaScript/TypeScript: Express `res.render('view', {...})`, Koa views `ctx.render(...)`,
 * Fastify/Hapi `reply.view(...)`/`h.view(...)`, with the file's `app.set('views', ...)` folders and
 * `app.set('view engine', ...)`. Each variable of the locals object with its data-flow level.
 */
import ts from 'typescript';
import { level, worst, type RenderCall, type RenderValue } from '../../engine/render-types';
import { rethrowOverBudget } from '../../engine/budget';
import type { JsFile } from './front';

const RECEIVERS = new Set(['res', 'response', 'resp', 'reply', 'ctx', 'context', 'h', 'toolkit']);
const METHODS = new Set(['render', 'view']);
const CALL = ts.SyntaxKind.CallExpression;
const PROPERTY_ACCESS = ts.SyntaxKind.PropertyAccessExpression;

/** The folder of a file path (either separator). */
function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '.' : path.slice(0, i);
}

export function jsRenderCalls(file: JsFile): RenderCall[] {
  const out: RenderCall[] = [];
  const viewsDirs: string[] = [];
  let viewEngine: string | undefined;
  try {
    const { nodes, kinds } = file;
    const n = nodes.length - 1;
    // a call's callee is the node after it in document order: calls of a method named `set`, `render` or
    // `view` are told from the kinds and the name alone (this runs over the whole file on every edit)
    for (let i = 0; i < n && out.length < 1000; i++) {
      if (kinds[i] !== CALL || kinds[i + 1] !== PROPERTY_ACCESS) continue;
      const name = (nodes[i + 1] as ts.PropertyAccessExpression).name.escapedText;
      if (name !== 'set' && name !== 'render' && name !== 'view') continue;
      const call = nodes[i] as ts.CallExpression;
      const callee = call.expression;
      if (!ts.isPropertyAccessExpression(callee) || call.arguments.length === 0) continue;
      const method = callee.name.text;
      if (method === 'set' && call.arguments.length === 2) {
        const key = file.stringValue(call.arguments[0]);
        if (key === 'views') viewsDirs.push(...folders(file, call.arguments[1]));
        else if (key === 'view engine') viewEngine = file.stringValue(call.arguments[1]) ?? viewEngine;
        continue;
      }
      if (!METHODS.has(method)) continue;
      const recv = callee.expression;
      const recvName = ts.isIdentifier(recv) ? recv.text : ts.isPropertyAccessExpression(recv) ? recv.name.text : '';
      if (!RECEIVERS.has(recvName)) continue;
      const template = file.stringValue(call.arguments[0]);
      if (!template) continue;
      const rc: RenderCall = { file: file.path, line: file.line(call), call: short(file.textOf(call)), template, language: 'javascript', vars: {} };
      const locals = call.arguments[1];
      if (locals && !ts.isFunctionLike(locals)) fromObject(file, locals, rc);
      out.push(rc);
    }
  } catch (err) {
    rethrowOverBudget(err);
  }
  for (const rc of out) {
    if (viewsDirs.length) rc.viewsDirs = viewsDirs;
    if (viewEngine) rc.viewEngine = viewEngine;
  }
  return out;
}

/** `path.join(__dirname, 'views')`, `__dirname + '/views'`, `'views'`, an array of those: folders, as paths. */
function folders(file: JsFile, e: ts.Expression): string[] {
  if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((x) => folders(file, x as ts.Expression));
  const here = folderOf(file.path);
  if (ts.isCallExpression(e) && /^path\.(join|resolve)$/.test(file.callName(e) ?? '')) {
    const parts: string[] = [];
    for (const [k, a] of e.arguments.entries()) {
      if (k === 0 && ts.isIdentifier(a) && a.text === '__dirname') { parts.push(here); continue; }
      const s = file.stringValue(a);
      if (s === undefined) return [];
      parts.push(s);
    }
    return [normalize(parts.join('/'))];
  }
  const s = file.stringValue(e);
  // a relative folder is relative to the working directory: the project root, usually the file's folder or above
  return s === undefined ? [] : [normalize(s.startsWith('/') ? s : `${here}/${s}`)];
}

/** Removes `.` and `..` segments. */
function normalize(p: string): string {
  const out: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '.' || (seg === '' && out.length > 0)) continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..' && out[out.length - 1] !== '') out.pop();
    else out.push(seg);
  }
  return out.join('/').replace(/\/$/, '');
}

function fromObject(file: JsFile, e: ts.Expression, rc: RenderCall): void {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
  if (!ts.isObjectLiteralExpression(e)) { rc.rest = worst(rc.rest, valueFor(file, e)); return; }
  for (const p of e.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) rc.vars[p.name.text] = valueFor(file, p.initializer);
    else if (ts.isShorthandPropertyAssignment(p)) rc.vars[p.name.text] = valueFor(file, p.name);
    else if (ts.isSpreadAssignment(p)) rc.rest = worst(rc.rest, valueFor(file, p.expression));
    else if (ts.isMethodDeclaration(p) && ts.isIdentifier(p.name)) rc.vars[p.name.text] = { level: 'constant' };
  }
}

function valueFor(file: JsFile, e: ts.Expression): RenderValue {
  // Handlebars' `new SafeString(x)` is written raw by `{{x}}`
  if (ts.isNewExpression(e) && /(^|\.)SafeString$/.test(file.textOf(e.expression)) && e.arguments?.[0]) {
    return { ...level(file.valueOf(e.arguments[0]), file.path), markup: true };
  }
  return level(file.valueOf(e), file.path);
}

function short(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}
