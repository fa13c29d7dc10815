import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix, type TextEdit, type Value } from '../engine/types';
import { describeSource } from '../engine/rule';
import { skipOuter } from '../lang/javascript/front';
import { importModule } from './support/python-sinks';

/**
 * Untrusted text compiled into a regular expression: the sender chooses the pattern, so it can match
 * more than intended or backtrack for minutes (ReDoS). Only tainted data is reported: libraries build
 * regexes from their own options everywhere, and that is not an attack.
 */
export default defineRule({
  meta: {
    id: 'regex-injection',
    title: 'Untrusted data compiled into a regular expression',
    description: 'Request data used as a regular expression lets the sender choose the pattern: it can match anything or backtrack for minutes (ReDoS).',
    cwe: ['CWE-1333', 'CWE-625'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 7.5,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => { if (ctx.file.mayHaveTaint()) pythonCall(node, ctx); },
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
    [ts.SyntaxKind.NewExpression]: (node: ts.NewExpression, ctx) => javascriptCall(node, ctx),
  },
});

// ---- Python ----

/** `re` functions whose first argument is the pattern (`regex` is the third-party module with the same API). */
const PY_REGEX = new Set(['compile', 'match', 'search', 'fullmatch', 'findall', 'finditer', 'sub', 'subn', 'split']);

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  const dot = name?.lastIndexOf('.') ?? -1;
  if (!name || dot < 0 || !/^(re|regex)$/.test(name.slice(0, dot)) || !PY_REGEX.has(name.slice(dot + 1))) return;
  const arg = file.argument(node, 0, 'pattern');
  if (!arg) return;
  const value = file.valueOf(arg);
  if (value.kind !== 'tainted' || value.cleared.includes('regex') || value.source.description.startsWith('sys.argv')) return;
  const plain = arg.type === 'identifier' || arg.type === 'subscript' || arg.type === 'attribute' || arg.type === 'call';
  const escape = importModule(file, name.slice(0, dot));
  ctx.report({
    range: file.range(arg),
    message: `${describeSource(value)} becomes the pattern of \`${name}()\`: the sender can match anything or make it backtrack for minutes (ReDoS). `
      + 'Escape it with `re.escape()` when it is meant literally.',
    value,
    fixes: plain ? [{
      title: 'Escape the input with re.escape so it matches literally',
      edits: [{ range: file.range(arg), newText: `${escape.local}.escape(${arg.text})` }, ...escape.edits],
      preferred: true,
    }] : [],
  });
}

// ---- JavaScript / TypeScript ----

/** String methods that turn a string argument into a RegExp (`replace` and `split` do not). */
const STRING_REGEX_METHODS = new Set(['match', 'matchAll', 'search']);

/** The usual escape: every regex metacharacter gets a backslash. Needs no dependency. */
const ESCAPE = ".replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&')";

function javascriptCall(node: ts.CallExpression | ts.NewExpression, ctx: JsContext): void {
  const file = ctx.file;
  const arg = node.arguments?.[0];
  if (!arg || ts.isSpreadElement(arg)) return;
  const callee = node.expression;
  let sink: string;
  if (ts.isPropertyAccessExpression(callee) && STRING_REGEX_METHODS.has(callee.name.text) && ts.isCallExpression(node)) {
    // `s.match(x)`: only when the receiver is a string we know of (a constant or request data), not `router.match(...)`
    // (only network input is reported: files that receive none skip the data flow)
    if (file.callName(node) || node.arguments.length !== 1 || !file.mayHaveServerTaint() || isRegExp(arg, ctx) || isRegExp(file.definitionOf(arg), ctx)) return;
    const recv = file.valueOf(callee.expression);
    if (recv.kind === 'unknown') return;
    sink = `\`.${callee.name.text}()\``;
  } else {
    if (file.resolvedCallName(node) !== 'RegExp') return;
    sink = ts.isNewExpression(node) ? '`new RegExp()`' : '`RegExp()`';
  }
  if (!file.mayHaveServerTaint()) return;
  const reached = file.sinkValue(arg, 'regex');
  if (!reached || reached.kind !== 'tainted') return;
  // a pattern from the command line is the user's own (grep-like tools take one on purpose)
  if (reached.source.description.startsWith('process.argv')) return;
  ctx.report({
    range: file.range(arg),
    message: `${describeSource(reached)} becomes the pattern of ${sink}: the sender can match anything or make it backtrack for minutes (ReDoS). `
      + 'Escape it (`escape-string-regexp`, `_.escapeRegExp`, or `.replace(/[.*+?^${}()|[\\]\\\\]/g, \'\\\\$&\')`) when it is meant literally.',
    value: reached,
    fixes: escapeFix(arg, ctx),
  });
}

/** A regex literal or a `RegExp` construction: reported where it is built, not again where it is used. */
function isRegExp(node: ts.Expression | undefined, ctx: JsContext): boolean {
  const e = node && skipOuter(node);
  if (!e) return false;
  if (ts.isRegularExpressionLiteral(e)) return true;
  return (ts.isNewExpression(e) || ts.isCallExpression(e)) && ctx.file.resolvedCallName(e) === 'RegExp';
}

/** Wrap each tainted piece of the pattern in the regex escape (the literal parts of a built pattern stay). */
function escapeFix(arg: ts.Expression, ctx: JsContext): Fix[] {
  const file = ctx.file;
  const e = skipOuter(arg);
  const targets: ts.Expression[] = [];
  const dangerous = (v: Value | undefined) => v?.kind === 'tainted' && !v.cleared.includes('regex');
  const parts = file.stringParts(e);
  if (parts) {
    for (const p of parts) {
      if (!p.expr || !dangerous(p.value)) continue;
      if (p.expr.pos < arg.pos || p.expr.end > arg.end) return []; // built elsewhere: no local edit
      targets.push(p.expr);
    }
  } else if (dangerous(file.valueOf(e))) {
    targets.push(e);
  }
  if (targets.length === 0) return [];
  const edits: TextEdit[] = targets.map((t) => ({ range: file.range(t), newText: `String(${file.textOf(t)})${ESCAPE}` }));
  return [{ title: 'Escape the input so it matches literally', edits, preferred: true }];
}
