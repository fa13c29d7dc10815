import ts from 'typescript';
import type { Node } from 'web-tree-sitter';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
// JavaScript helpers
import type { Fix as JsFix } from '../engine/types';
import { describeSource as jsDescribe, evidence as jsEvidence } from '../engine/rule';
import { skipOuter } from '../lang/javascript/front';

export default defineRule({
  meta: {
    id: 'code-injection',
    title: 'Dynamic code evaluation',
    description: "eval, exec and their relatives run text as code; non-constant input lets an attacker run theirs.",
    cwe: ['CWE-95'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 9.3,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
    [ts.SyntaxKind.NewExpression]: (node: ts.NewExpression, ctx) => javascriptCall(node, ctx),
  },
});

// ---- Python ----

function pythonCall(node: Node, ctx: PyContext): void {
  void node; void ctx;
}

// ---- JavaScript / TypeScript ----

/** Functions that run a string as code: name -> index of the code argument (-1: the last one). */
const JS_EVAL: Record<string, number> = {
  eval: 0, Function: -1, execScript: 0, 'vm.runInContext': 0, 'vm.runInNewContext': 0, 'vm.runInThisContext': 0,
  'vm.Script': 0, 'vm.compileFunction': 0, 'vm.SourceTextModule': 0, 'vm2.VM.run': 0, 'vm2.NodeVM.run': 0,
};
/** Timers run a string argument as code (a function argument is fine). */
const JS_TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);

function javascriptCall(node: ts.CallExpression | ts.NewExpression, ctx: JsContext): void {
  const file = ctx.file;
  const args = node.arguments ?? ts.factory.createNodeArray<ts.Expression>();
  // require(x) / import(x) with attacker-controlled module names
  if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword
    || (ts.isIdentifier(node.expression) && node.expression.text === 'require' && !file.declarationOf(node.expression)))) {
    const v = args[0] && file.valueOf(args[0]);
    if (v?.kind === 'tainted' && !v.cleared.includes('code')) {
      ctx.report({ range: file.range(args[0]), message: `${jsDescribe(v)} chooses the module to load, and loading a module runs its code.`, value: v });
    }
    return;
  }
  const name = file.resolvedCallName(node);
  if (!name) return;
  if (JS_TIMERS.has(name)) {
    const reached = file.sinkValue(args[0], 'code');
    if (!reached) return;
    ctx.report({
      range: file.range(args[0]),
      message: `${name} runs a string argument as code, and this one ${reached.kind === 'tainted' ? `carries ${jsDescribe(reached)}` : 'is built from a value of unknown origin'}. Pass a function instead.`,
      value: reached,
    });
    return;
  }
  const index = JS_EVAL[name];
  if (index === undefined || args.length === 0) return;
  const code = index < 0 ? args[args.length - 1] : args[index];
  if (!code || ts.isSpreadElement(code)) return;
  const v = file.valueOf(code);
  if (jsEvidence(v, 'code') === 'safe') return;
  const reached = file.sinkValue(code, 'code') ?? v;
  // evaluating serialize-javascript output is the deserialization rule's finding
  if (file.stringParts(code)?.some((p) => p.value?.origin === 'serialize-javascript()') || v.origin === 'serialize-javascript()') return;
  const what = name === 'Function' ? 'new Function' : name.startsWith('vm') ? name : name;
  ctx.report({
    range: file.range(code),
    message: reached.kind === 'tainted'
      ? `${jsDescribe(reached)} reaches ${what}, which runs it as code.`
      : `${what} runs a value of unknown origin as code.`,
    value: reached,
    fixes: name === 'eval' && ts.isCallExpression(node) ? jsJsonParseFix(node, ctx) : [],
  });
}

/** eval('(' + text + ')') parses JSON: JSON.parse(text) does that without running code. */
function jsJsonParseFix(call: ts.CallExpression, ctx: JsContext): JsFix[] {
  const file = ctx.file;
  const arg = skipOuter(call.arguments[0] as ts.Expression);
  const parts = file.stringParts(arg);
  let data: ts.Expression | undefined;
  if (parts && parts.length === 3 && parts[0].text?.trim() === '(' && parts[2].text?.trim() === ')' && parts[1].expr) data = parts[1].expr;
  else if (!parts && /json/i.test(file.textOf(arg))) data = arg;
  if (!data) return [];
  return [{
    title: 'Parse the data with JSON.parse instead of running it',
    edits: [{ range: file.range(call), newText: `JSON.parse(${file.textOf(data)})` }],
    preferred: true,
  }];
}
