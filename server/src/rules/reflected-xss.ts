import ts from 'typescript';
import type { Node } from 'web-tree-sitter';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
// Python helpers
import { describeSource } from '../engine/rule';
import { dynamicParts, flaskView, importName, pieces, sinkValue, wrapEdits } from './support/python-sinks';

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
    call: (node, ctx) => pythonCall(node, ctx),
    return_statement: (node, ctx) => pythonReturn(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
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
  if (!expr || !pieces(file, expr)) return; // only text built right here: a name may hold a dict (JSON)
  if (!flaskView(file, node)) return;
  pythonReport(node, expr, ctx, 'this Flask view');
}

function pythonReport(node: Node, body: Node, ctx: PyContext, where: string): void {
  const file = ctx.file;
  const { value, ev } = sinkValue(file, body, 'html');
  if (ev !== 'tainted') return;
  const parts = dynamicParts(file, body, 'html');
  const esc = importName(file, 'html', 'escape');
  ctx.report({
    range: file.range(node),
    message: `${describeSource(value)} is returned as HTML by ${where} without escaping: a link with script in it runs in your users' browsers. Escape it (html.escape / markupsafe.escape) or render a template.`,
    value,
    fixes: parts.length ? [{ title: 'Escape the value with html.escape', edits: [...esc.edits, ...wrapEdits(file, parts, esc.local)], preferred: true, safe: true }] : [],
  });
}

// ---- JavaScript / TypeScript ----

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  void node; void ctx;
}
