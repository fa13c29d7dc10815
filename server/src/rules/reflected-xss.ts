import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix as JsFix } from '../engine/types';
import { describeSource, evidence } from '../engine/rule';
import { boundInFunction, dynamicParts, flaskView, importName, isBuiltString, isContainer, pieces, sinkValue, wrapEdits } from './support/python-sinks';
import { skipOuter as jsSkipOuter, type JsFile } from '../lang/javascript/front';
import {
  capitalized, chainRoot, contentTypeSetBefore, declaredContentType, ensureDefaultImport, isNonHtmlType,
  isResponseObject, methodCall, reportFlow,
} from './support/javascript-web';

export default defineRule({
  meta: {
    id: 'reflected-xss',
    title: 'Untrusted HTML in a response',
    description: "Returning request data as HTML without escaping lets attackers run script in your users' browsers.",
    cwe: ['CWE-79'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 6.1,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => { if (ctx.file.mayHaveTaint()) pythonCall(node, ctx); },
    return_statement: (node, ctx) => { if (ctx.file.mayHaveTaint()) pythonReturn(node, ctx); },
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
    [ts.SyntaxKind.NewExpression]: (node: ts.NewExpression, ctx) => javascriptNew(node, ctx),
    [ts.SyntaxKind.BinaryExpression]: (node: ts.BinaryExpression, ctx) => javascriptAssignment(node, ctx),
  },
});

// ---- Python ----

/** Response constructors: qualified name -> keyword of the body argument. */
const PY_RESPONSES: Record<string, string> = {
  'flask.make_response': '', 'flask.Response': 'response', 'flask.wrappers.Response': 'response',
  'werkzeug.wrappers.Response': 'response', 'werkzeug.Response': 'response',
  'django.http.HttpResponse': 'content', 'django.http.response.HttpResponse': 'content',
  'fastapi.responses.HTMLResponse': 'content', 'starlette.responses.HTMLResponse': 'content',
};

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  if (!name || !(name in PY_RESPONSES)) return;
  const body = file.argument(node, 0, PY_RESPONSES[name] || undefined);
  if (!body) return;
  // an explicit non-HTML type is not rendered by the browser
  for (const kw of ['mimetype', 'content_type', 'media_type']) {
    const type = file.stringValue(file.keywordArgument(node, kw));
    if (type !== undefined && !/html|xml/i.test(type)) return;
  }
  if (pyNonHtmlType(pyHeadersContentType(file, file.keywordArgument(node, 'headers'))) || pyTypeSetAfter(file, node)) return;
  if (name === 'flask.make_response' && body.type !== 'string' && !pieces(file, body)) {
    // make_response(jsonify(...)), make_response(render_template(...)): not raw text
    if (body.type === 'call' || body.type === 'dictionary' || body.type === 'list') return;
  }
  pythonReport(node, body, ctx, `\`${name.split('.').pop()}\``);
}

function pythonReturn(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  let expr = node.namedChildren[0];
  if (!expr) return;
  if (expr.type === 'expression_list' || expr.type === 'tuple') expr = expr.namedChildren[0];
  // only a Flask view's return is a response (checked first: it needs no data flow)
  if (!expr || !flaskView(file, node)) return;
  // text built in the return, or a name holding text built by formatting: a dict or list becomes JSON
  if (!pieces(file, expr) && !(expr.type === 'identifier' && isBuiltString(file.valueOf(expr)))) return;
  pythonReport(node, expr, ctx, 'this Flask view');
}

function pythonReport(node: Node, body: Node, ctx: PyContext, where: string): void {
  const file = ctx.file;
  const { value, ev } = sinkValue(file, body, 'html');
  if (ev !== 'tainted' || isContainer(value)) return;
  // text built elsewhere (`return html` after `html = "<p>" + name`) is fixed where it is built: no edit here
  const parts = !pieces(file, body) && isBuiltString(value) ? [] : dynamicParts(file, body, 'html');
  const esc = importName(file, 'html', 'escape');
  // `html.escape` inside a function with its own `html` variable would call the wrong thing
  if (esc.local.startsWith('html.') && boundInFunction(file, node, 'html')) parts.length = 0;
  ctx.report({
    range: file.range(node),
    message: `${describeSource(value)} is returned as HTML by ${where} without escaping: a link with script in it runs in your users' browsers. Escape it (html.escape / markupsafe.escape) or render a template.`,
    value,
    fixes: parts.length ? [{ title: 'Escape the value with html.escape', edits: [...esc.edits, ...wrapEdits(file, parts, esc.local)], preferred: true, safe: true }] : [],
  });
}

/** A content type the browser does not render as a page (JSON, plain text, CSV...). */
function pyNonHtmlType(type: string | undefined): boolean {
  return type !== undefined && !/html|xml/i.test(type);
}

type PyCtxFile = PyContext['file'];

/** `headers={'Content-Type': 'application/json'}`: the type a headers dictionary literal sets. */
function pyHeadersContentType(file: PyCtxFile, headers: Node | undefined): string | undefined {
  if (headers?.type !== 'dictionary') return undefined;
  for (const pair of headers.namedChildren) {
    if (pair?.type !== 'pair') continue;
    if (/^content-type$/i.test(file.stringValue(pair.childForFieldName('key')) ?? '')) return file.stringValue(pair.childForFieldName('value'));
  }
  return undefined;
}

/**
 * `resp = make_response(x)` followed, in the same block, by a statement that makes it non-HTML:
 * `resp.headers['Content-Type'] = 'application/json'`, `resp['Content-Type'] = ...` (Django),
 * `resp.mimetype = ...`, `resp.content_type = ...`, `resp.headers.set('Content-Type', ...)`. A type set under a
 * condition (inside an `if`) does not count: the response may still go out as HTML.
 */
function pyTypeSetAfter(file: PyCtxFile, call: Node): boolean {
  const assign = call.parent;
  if (assign?.type !== 'assignment' || assign.childForFieldName('right')?.id !== call.id) return false;
  const target = assign.childForFieldName('left');
  if (target?.type !== 'identifier') return false;
  const name = target.text;
  let stmt = assign.parent?.type === 'expression_statement' ? assign.parent.nextNamedSibling : null;
  for (let i = 0; stmt && i < 50; i++, stmt = stmt.nextNamedSibling) {
    if (stmt.type === 'return_statement') return false;
    const e = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (!e) continue;
    if (e.type === 'assignment') {
      const left = e.childForFieldName('left');
      if (left?.type === 'identifier' && left.text === name) return false; // reassigned: another response
      const type = file.stringValue(e.childForFieldName('right'));
      if (left?.type === 'attribute' && left.childForFieldName('object')?.text === name
        && /^(mimetype|content_type)$/.test(left.childForFieldName('attribute')?.text ?? '')) return pyNonHtmlType(type);
      if (left?.type === 'subscript') {
        const obj = left.childForFieldName('value');
        const onResponse = obj?.text === name || obj?.text === `${name}.headers`;
        if (onResponse && /^content-type$/i.test(file.stringValue(left.childForFieldName('subscript')) ?? '')) return pyNonHtmlType(type);
      }
    } else if (e.type === 'call') {
      const f = e.childForFieldName('function');
      if (f?.type === 'attribute' && f.childForFieldName('object')?.text === `${name}.headers`
        && /^(set|add|__setitem__)$/.test(f.childForFieldName('attribute')?.text ?? '')
        && /^content-type$/i.test(file.stringValue(file.argument(e, 0)) ?? '')) return pyNonHtmlType(file.stringValue(file.argument(e, 1)));
    }
  }
  return false;
}

// ---- JavaScript / TypeScript ----

/** Express/Node `res.send|write|end(html)`, Fastify `reply.send(html)`: strings are served as HTML. */
function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const m = methodCall(node);
  if (!m || !(m.name === 'send' || m.name === 'write' || m.name === 'end') || node.arguments.length < 1) return;
  if (!isResponseObject(m.receiver)) return;
  const file = ctx.file;
  const type = declaredContentType(file, m.receiver) ?? contentTypeSetBefore(file, node, m.receiver);
  if (isNonHtmlType(type)) return;
  // Node's res.end/write set no type: a JSON text is not sniffed as HTML (Express's res.send would call it text/html)
  if (m.name !== 'send' && jsIsJsonText(file, node.arguments[0])) return;
  // Fastify serves a string as text/plain unless the handler says HTML
  if (m.name === 'send' && jsIsFastifyReply(file, m.receiver) && !(type && /html/i.test(type))) return;
  jsResponseBody(ctx, node, node.arguments[0], `\`${jsCalleeText(file, node)}\``);
}

/** Koa: `ctx.body = html` (a string body is served as HTML when it starts with `<`). */
function javascriptAssignment(node: ts.BinaryExpression, ctx: JsContext): void {
  if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const left = jsSkipOuter(node.left);
  if (!ts.isPropertyAccessExpression(left) || left.name.text !== 'body') return;
  const obj = jsSkipOuter(left.expression);
  const isKoa = (ts.isIdentifier(obj) && (obj.text === 'ctx' || obj.text === 'context'))
    || (obj.kind === ts.SyntaxKind.ThisKeyword && ctx.file.importsModule('koa'));
  if (!isKoa) return;
  if (isNonHtmlType(contentTypeSetBefore(ctx.file, node, obj))) return;
  jsResponseBody(ctx, node, node.right, '`ctx.body`');
}

/** `new Response(html, { headers: { 'Content-Type': 'text/html' } })` (fetch API, Next.js route handlers). */
function javascriptNew(node: ts.NewExpression, ctx: JsContext): void {
  const callee = jsSkipOuter(node.expression);
  const name = ts.isIdentifier(callee) ? callee.text : undefined;
  if ((name !== 'Response' && name !== 'NextResponse') || !node.arguments || node.arguments.length < 2) return;
  const init = jsSkipOuter(node.arguments[1]);
  if (!ts.isObjectLiteralExpression(init)) return;
  const headers = init.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'headers');
  const h = headers && jsSkipOuter(headers.initializer);
  if (!h || !ts.isObjectLiteralExpression(h)) return;
  const type = h.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p)
    && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name)) && p.name.text.toLowerCase() === 'content-type');
  const t = type && ctx.file.stringValue(type.initializer);
  if (!t || !/html/i.test(t)) return;
  jsResponseBody(ctx, node, node.arguments[0], `an HTML \`${name}\``);
}

function jsResponseBody(ctx: JsContext, at: ts.Node, body: ts.Expression, where: string): void {
  const file = ctx.file;
  if (jsWholeRequestObject(file, body)) return; // an object is sent as JSON
  // `send({ ... })`, `ctx.body = { ... }` are JSON in Express, Fastify and Koa; Node's `end`/`write` throw on an object
  if (jsIsObjectLiteral(file, body)) return;
  reportFlow(ctx, at, file.valueOf(body), 'html',
    (src) => `${capitalized(src)} is sent in an HTML response by ${where} without HTML escaping.`,
    { unknown: false }, () => jsEscapeFixes(file, body));
}

function jsIsJsonText(file: JsFile, e: ts.Expression): boolean {
  let x = jsSkipOuter(e);
  if (ts.isIdentifier(x)) x = jsSkipOuter(file.definitionOf(x) ?? x);
  return ts.isCallExpression(x) && file.textOf(x.expression) === 'JSON.stringify';
}

/** `{ ... }`, `[ ... ]`, or a name that holds one here. */
function jsIsObjectLiteral(file: JsFile, e: ts.Expression): boolean {
  let x = jsSkipOuter(e);
  if (ts.isIdentifier(x)) x = jsSkipOuter(file.definitionOf(x) ?? x);
  return ts.isObjectLiteralExpression(x) || ts.isArrayLiteralExpression(x);
}

/** Fastify's `reply` (by its usual name, or in a file that imports fastify), not the raw Node response. */
function jsIsFastifyReply(file: JsFile, receiver: ts.Expression): boolean {
  const root = chainRoot(receiver);
  if (!ts.isIdentifier(root) || ts.isPropertyAccessExpression(jsSkipOuter(receiver))) return false;
  return root.text === 'reply' || file.importsModule('fastify');
}

function jsCalleeText(file: JsFile, call: ts.CallExpression): string {
  const m = methodCall(call)!;
  const root = chainRoot(m.receiver);
  return `${ts.isIdentifier(root) ? root.text : 'res'}.${m.name}()`;
}

/** `req.body`, `req.query`, `ctx.request.body`: whole parsed objects, which Express and Koa send as JSON. */
function jsWholeRequestObject(file: JsFile, e: ts.Expression): boolean {
  const x = jsSkipOuter(e);
  if (!ts.isPropertyAccessExpression(x)) return false;
  if (!['body', 'query', 'params', 'headers', 'cookies', 'signedCookies'].includes(x.name.text)) return false;
  const v = file.valueOf(x);
  return v.kind === 'tainted' && v.path.length === 0;
}

/** Escapes the request data where it enters the HTML (`escape-html`), keeping the markup around it. */
function jsEscapeFixes(file: JsFile, body: ts.Expression): JsFix[] {
  const leaves: ts.Expression[] = [];
  const collect = (e: ts.Expression): void => {
    const x = jsSkipOuter(e);
    if (ts.isTemplateExpression(x)) for (const span of x.templateSpans) collect(span.expression);
    else if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken) { collect(x.left); collect(x.right); }
    else if (evidence(file.valueOf(x), 'html') === 'tainted') leaves.push(x);
  };
  collect(body);
  const x = jsSkipOuter(body);
  // a variable may already hold markup: escaping it whole would break the page
  if (leaves.length === 0 || (leaves.length === 1 && leaves[0] === x && ts.isIdentifier(x))) return [];
  const imp = ensureDefaultImport(file, 'escape-html', 'escapeHtml', [], true);
  return [{
    title: 'Escape the request data with escape-html',
    edits: [...leaves.map((l) => ({ range: file.range(l), newText: `${imp.name}(${file.textOf(l)})` })), ...imp.edits],
  }];
}
