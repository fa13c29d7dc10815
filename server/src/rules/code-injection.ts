import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
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

import type { PyFile } from '../lang/python/front';
import { describeSource as pyDescribe, evidence as pyEvidence } from '../engine/rule';
import { importModule as pyImportModule } from './support/python-sinks';

/** Builtins that run a string as code: name -> what it does, for the message. */
const PY_CODE: Record<string, string> = Object.assign(Object.create(null), { eval: 'evaluates', exec: 'runs', compile: 'compiles', execfile: 'runs' });
/** Dynamic imports: flagged only for attacker-controlled module names. */
const PY_IMPORTS = new Set(['__import__', 'importlib.import_module', 'importlib.__import__']);

/** The builtin a call names (`eval`), or its qualified name (`builtins.eval`, `importlib.import_module`). */
function pyCallee(file: PyFile, node: Node): string | undefined {
  const fn = node.childForFieldName('function');
  if (!fn) return undefined;
  const q = file.callName(node);
  if (q) return q.replace(/^(builtins|__builtin__)\./, '');
  if (fn.type !== 'identifier' || file.imports.has(fn.text)) return undefined;
  // only the names pythonCall acts on: whether the name is rebound asks the data flow
  if (!PY_CODE[fn.text] && !PY_IMPORTS.has(fn.text)) return undefined;
  const v = file.valueOf(fn) as { def?: unknown; kind: string };
  return v.def || v.kind === 'constant' ? undefined : fn.text;
}

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = pyCallee(file, node);
  if (!name) return;
  if (PY_IMPORTS.has(name)) {
    const arg = file.argument(node, 0, 'name');
    if (!arg) return;
    const value = file.valueOf(arg);
    if (pyEvidence(value, 'code') !== 'tainted') return;
    ctx.report({
      range: file.range(node),
      message: `${pyDescribe(value)} chooses the module \`${name}\` imports; importing runs the module's code. Map allowed names to modules instead.`,
      value,
    });
    return;
  }
  const verb = PY_CODE[name];
  if (!verb) return;
  const arg = file.argument(node, 0, name === 'compile' ? 'source' : undefined);
  if (!arg) return;
  const value = file.valueOf(arg);
  const ev = pyEvidence(value, 'code');
  if (ev === 'safe') return;
  // `exec(compile(src, ...))`: the compile() call is the finding
  if (value.kind === 'unknown' && value.origin === 'compile()') return;
  const message = ev === 'tainted'
    ? `${pyDescribe(value)} reaches \`${name}()\`, which ${verb} it as Python code.`
    : `\`${name}()\` ${verb} a value of unknown origin as Python code.`;
  const fixes = name === 'eval' ? pyLiteralEvalFix(file, node) : [];
  ctx.report({ range: file.range(node), message, value, fixes });
}

/** `eval(x)` -> `ast.literal_eval(x)`: evaluates literals (numbers, strings, lists, dicts) only. */
function pyLiteralEvalFix(file: PyFile, node: Node): JsFix[] {
  const args = node.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment') ?? [];
  const fn = node.childForFieldName('function');
  if (args.length !== 1 || args[0]?.type === 'keyword_argument' || args[0]?.type === 'list_splat' || !fn) return [];
  let local: string | undefined;
  for (const [l, q] of file.imports) if (q === 'ast.literal_eval') local = l;
  const edits = [];
  if (!local) {
    const ast = pyImportModule(file, 'ast');
    local = `${ast.local}.literal_eval`;
    edits.push(...ast.edits);
  }
  edits.push({ range: file.range(fn), newText: local });
  return [{ title: 'Use ast.literal_eval (literals only)', edits, preferred: true }];
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
    // only tainted module names are reported: files with no source skip the data flow
    const v = args[0] && file.mayHaveTaint() ? file.valueOf(args[0]) : undefined;
    if (v?.kind === 'tainted' && !v.cleared.includes('code')) {
      ctx.report({ range: file.range(args[0]), message: `${jsDescribe(v)} chooses the module to load, and loading a module runs its code.`, value: v });
    }
    return;
  }
  const name = file.resolvedCallName(node);
  if (!name) return;
  if (JS_TIMERS.has(name)) {
    // a function literal is the usual argument: nothing for the data flow to answer
    if (!args[0] || ts.isArrowFunction(args[0]) || ts.isFunctionExpression(args[0])) return;
    const reached = file.sinkValue(args[0], 'code');
    if (!reached) return;
    ctx.report({
      range: file.range(args[0]),
      message: `${name} runs a string argument as code, and this one ${reached.kind === 'tainted' ? `carries ${jsDescribe(reached)}` : 'is built from a value of unknown origin'}. Pass a function instead.`,
      value: reached,
    });
    return;
  }
  const index = Object.hasOwn(JS_EVAL, name) ? JS_EVAL[name] : undefined;
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
