import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type PyContext } from '../engine/rule-types';
import { describeSource } from '../engine/rule';
import { OWASP } from '../engine/types';
import { fromLocalUser, fromUrlRoute, methodName, sinkValue } from './support/python-sinks';

export default defineRule({
  meta: {
    id: 'header-injection',
    title: 'Request data in a response header',
    description: 'A response header value taken from the request can split the response or set headers the attacker chooses when the framework does not reject line breaks.',
    cwe: ['CWE-113'],
    owasp: OWASP.A03,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 5.4,
    languages: ['python'],
  },
  python: {
    assignment: (node, ctx) => { if (ctx.file.mayHaveTaint()) pythonAssignment(node, ctx); },
    call: (node, ctx) => { if (ctx.file.mayHaveTaint()) pythonCall(node, ctx); },
  },
});

// ---- Python ----

const RESPONSE_ORIGINS = /(^|\.)(make_response|Response|HttpResponse\w*|JsonResponse|StreamingHttpResponse|FileResponse|HTMLResponse|PlainTextResponse|redirect|send_file|jsonify)$/;
const RESPONSE_NAMES = new Set(['response', 'resp', 'res']);

/** Is this expression a response object (by what made it, or its conventional name in a web module)? */
function isResponse(ctx: PyContext, node: Node | null, byName = true): boolean {
  if (!node) return false;
  const file = ctx.file;
  const origin = node.type === 'call' ? file.callName(node) : file.valueOf(node).origin?.replace(/\(\)$/, '');
  if (origin && RESPONSE_ORIGINS.test(origin) && /^(flask|werkzeug|django|starlette|fastapi|quart)\./.test(origin)) return true;
  const web = file.importsModule('flask') || file.importsModule('django') || file.importsModule('werkzeug');
  return byName && web && node.type === 'identifier' && RESPONSE_NAMES.has(node.text);
}

/** `resp.headers["X"] = v` (Flask/Werkzeug) or `response["X"] = v` (Django). */
function pythonAssignment(node: Node, ctx: PyContext): void {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (left?.type !== 'subscript' || !right) return;
  const target = left.childForFieldName('value');
  const headers = target?.type === 'attribute' && target.childForFieldName('attribute')?.text === 'headers'
    ? target.childForFieldName('object') : target;
  // `response["X"] = v` is also how every dict is written: Django needs a known response object
  const django = headers === target;
  if (!isResponse(ctx, headers ?? null, !django) || (django && !ctx.file.importsModule('django'))) return;
  report(node, right, ctx);
}

/** `resp.headers.add("X", v)` / `.set(...)` / `.setdefault(...)`. */
function pythonCall(node: Node, ctx: PyContext): void {
  const m = methodName(node);
  if (m !== 'add' && m !== 'set' && m !== 'setdefault' && m !== 'add_header') return;
  const target = node.childForFieldName('function')?.childForFieldName('object');
  if (target?.type !== 'attribute' || target.childForFieldName('attribute')?.text !== 'headers') return;
  if (!isResponse(ctx, target.childForFieldName('object'))) return;
  const value = ctx.file.argument(node, 1);
  if (value) report(node, value, ctx);
}

function report(node: Node, valueNode: Node, ctx: PyContext): void {
  const { value, ev } = sinkValue(ctx.file, valueNode, 'header');
  // a path argument cannot hold a line break the URL router accepted; query and form data can
  if (ev !== 'tainted' || fromLocalUser(value) || fromUrlRoute(value)) return;
  ctx.report({
    range: ctx.file.range(node),
    message: `${describeSource(value)} is written into a response header: with a line break in it, an attacker adds headers or splits the response (current Werkzeug and Django reject line breaks; older versions and other servers may not). Validate the value or take it from an allow-list.`,
    value,
    severity: 'warning',
    confidence: 'medium',
  });
}
