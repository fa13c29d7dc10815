import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type PyContext } from '../engine/rule-types';
import { describeSource } from '../engine/rule';
import { OWASP } from '../engine/types';
import { fromLocalUser, fromUrlRoute, methodName } from './support/python-sinks';

export default defineRule({
  meta: {
    id: 'trust-boundary-violation',
    title: 'Request data stored in the session unchecked',
    description: 'The session is data the server trusts on later requests. Storing request data there unvalidated mixes trusted and untrusted data, and later code reads it as if the server had set it.',
    cwe: ['CWE-501'],
    owasp: OWASP.A04,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 4.3,
    languages: ['python'],
  },
  python: {
    assignment: (node, ctx) => { if (ctx.file.mayHaveTaint()) pythonAssignment(node, ctx); },
    call: (node, ctx) => { if (ctx.file.mayHaveTaint()) pythonCall(node, ctx); },
  },
});

// ---- Python ----

const SESSIONS = new Set(['flask.session', 'quart.session']);

/** `session` (Flask) or `request.session` (Django). */
function isSession(ctx: PyContext, node: Node | null): boolean {
  if (!node) return false;
  if (SESSIONS.has(ctx.file.qualifiedName(node) ?? '')) return true;
  if (node.type !== 'attribute' || node.childForFieldName('attribute')?.text !== 'session') return false;
  const obj = node.childForFieldName('object');
  return obj?.text === 'request' || obj?.text === 'self.request';
}

function pythonAssignment(node: Node, ctx: PyContext): void {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (left?.type !== 'subscript' || !right || !isSession(ctx, left.childForFieldName('value'))) return;
  report(node, right, ctx);
}

function pythonCall(node: Node, ctx: PyContext): void {
  const m = methodName(node);
  if (m !== 'update' && m !== 'setdefault') return;
  if (!isSession(ctx, node.childForFieldName('function')?.childForFieldName('object') ?? null)) return;
  const value = ctx.file.argument(node, m === 'update' ? 0 : 1);
  if (value) report(node, value, ctx);
}

function report(node: Node, valueNode: Node, ctx: PyContext): void {
  const value = ctx.file.valueOf(valueNode);
  // validated or converted data (int(), an allow-list check) has crossed the boundary properly
  // path arguments (ids, slugs) pass the URL converters; query, form, cookie and header data do not
  if (value.kind !== 'tainted' || value.cleared.length > 0 || fromLocalUser(value) || fromUrlRoute(value)) return;
  ctx.report({
    range: ctx.file.range(node),
    message: `${describeSource(value)} is stored in the session without validation: later requests will trust it as server data. Validate it (type, allow-list, ownership) before storing.`,
    value,
    severity: 'warning',
    confidence: 'medium',
  });
}
