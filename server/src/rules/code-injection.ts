import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix as JsFix } from '../engine/types';
import { describeSource, evidence } from '../engine/rule';
import { skipOuter } from '../lang/javascript/front';
import type { PyFile } from '../lang/python/front';
import { importModule as pyImportModule, methodName as pyMethodName, receiverOrigin as pyReceiverOrigin } from './support/python-sinks';

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
    call: (node, ctx) => { pythonCall(node, ctx); pyCodeFileWrite(node, ctx); },
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
    [ts.SyntaxKind.NewExpression]: (node: ts.NewExpression, ctx) => javascriptCall(node, ctx),
  },
});

// ---- Python ----

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
  if (!name) {
    pyEvaluatorMethod(node, ctx);
    return;
  }
  if (pyEvaluator(node, name, ctx)) return;
  if (PY_IMPORTS.has(name)) {
    const arg = file.argument(node, 0, 'name');
    if (!arg) return;
    const value = file.valueOf(arg);
    if (evidence(value, 'code') !== 'tainted') return;
    ctx.report({
      range: file.range(node),
      message: `${describeSource(value)} chooses the module \`${name}\` imports; importing runs the module's code. Map allowed names to modules instead.`,
      value,
    });
    return;
  }
  const verb = PY_CODE[name];
  if (!verb) return;
  const arg = file.argument(node, 0, name === 'compile' ? 'source' : undefined);
  if (!arg) return;
  const value = file.valueOf(arg);
  const ev = evidence(value, 'code');
  if (ev === 'safe') return;
  // `exec(compile(src, ...))`: the compile() call is the finding
  if (value.kind === 'unknown' && value.origin === 'compile()') return;
  const message = ev === 'tainted'
    ? `${describeSource(value)} reaches \`${name}()\`, which ${verb} it as Python code.`
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

// Expression evaluators (numexpr, PIL ImageMath, pandas eval/query): they parse and run a small language,
// and their sandboxes have let attackers reach Python objects (numexpr and ImageMath call eval on
// the text). Only request data is reported: evaluating variable expressions is what they are for.

/** Evaluator functions: qualified name -> [argument index, keyword]. */
const PY_EVALUATORS: Record<string, [number, string]> = Object.assign(Object.create(null), {
  'numexpr.evaluate': [0, 'ex'], 'numexpr.re_evaluate': [0, 'ex'], 'PIL.ImageMath.eval': [0, 'expression'],
  'PIL.ImageMath.unsafe_eval': [0, 'expression'], 'pandas.eval': [0, 'expr'], 'sympy.sympify': [0, 'a'],
  'sympy.parse_expr': [0, 's'], 'sympy.parsing.sympy_parser.parse_expr': [0, 's'],
});
/** DataFrame methods that evaluate an expression string. */
const PY_FRAME_EVALUATORS = new Set(['eval', 'query']);

function pyEvaluator(node: Node, name: string, ctx: PyContext): boolean {
  const spec = PY_EVALUATORS[name];
  if (!spec) return false;
  pyReportEvaluator(ctx, node, ctx.file.argument(node, spec[0], spec[1]), name);
  return true;
}

/** `df.query(expr)`, `df.eval(expr)` on a pandas DataFrame. */
function pyEvaluatorMethod(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const m = pyMethodName(node);
  if (!m || !PY_FRAME_EVALUATORS.has(m) || !f.importsModule('pandas')) return;
  const origin = pyReceiverOrigin(f, node);
  if (!origin || !/^(pandas\.|pd\.)/.test(origin)) return;
  pyReportEvaluator(ctx, node, f.argument(node, 0, 'expr'), `DataFrame.${m}`);
}

function pyReportEvaluator(ctx: PyContext, node: Node, arg: Node | undefined, what: string): void {
  if (!arg) return;
  const value = ctx.file.valueOf(arg);
  if (evidence(value, 'code') !== 'tainted') return;
  ctx.report({
    range: ctx.file.range(node),
    message: `${describeSource(value)} is the expression \`${what}()\` evaluates: these evaluators have let crafted expressions reach Python objects and run code, and any expression can stall the server. Accept numbers or names from an allow-list instead.`,
    value,
  });
}

// Request data written into a file the application runs or renders: a module (`.py`, `.js`), or a
// template. The next import or render runs the attacker's code.

/** Extensions of files that are code or templates. */
const CODE_FILE = /\.(py|pyw|js|mjs|cjs|ts|php|rb|pl|sh|ejs|pug|jade|hbs|handlebars|njk|nunjucks|jinja2?|j2|mustache|twig|erb|tpl)$/i;

/** `fh.write(data)` after `with open('plugins/x.py', 'w') as fh` / `fh = open(...)`, `open(...).write(data)`, `Path('x.py').write_text(data)`. */
function pyCodeFileWrite(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const m = pyMethodName(node);
  if (m !== 'write' && m !== 'writelines' && m !== 'write_text') return;
  const r = node.childForFieldName('function')?.childForFieldName('object');
  const data = f.argument(node, 0, m === 'write_text' ? 'data' : undefined);
  if (!r || !data) return;
  // the file first (plain-tree reads): most writes go to data files, and those need no data flow
  const opened = m === 'write_text' ? pyPathCall(f, r) : pyOpenCall(f, r);
  const text = opened ? pyPathText(f, opened) : undefined;
  if (!text || !CODE_FILE.test(text)) return;
  const value = f.valueOf(data);
  if (evidence(value, 'code') !== 'tainted') return;
  ctx.report({
    range: f.range(node),
    message: `${describeSource(value)} is written into \`${text.slice(text.lastIndexOf('/') + 1)}\`, a file the application runs or renders: the next import or render runs it as code. Store the data as data (JSON, a database row) instead.`,
    value,
  });
}

/** The front's plain nodes have the structural reads PyFile's argument helpers use. */
const asNode = (n: Node): Node => n as unknown as Node;

/** The path argument of the `open()` call a file object comes from (the call itself, or the nearest binding of the name before the write). */
function pyOpenCall(f: PyFile, recv: Node): Node | undefined {
  const isOpen = (c: Node | null | undefined): c is Node => !!c && c.type === 'call'
    && /^(open|io\.open|codecs\.open)$/.test(f.qualifiedName(c.childForFieldName('function')) ?? builtinName(f, c) ?? '');
  const pathOf = (c: Node): Node | undefined => {
    const mode = f.argument(asNode(c), 1, 'mode');
    const mv = mode ? f.valueOf(mode) : undefined;
    const path = mv?.kind === 'constant' && typeof mv.value === 'string' && /[wax]/.test(mv.value) ? f.argument(asNode(c), 0, 'file') : undefined;
    return path as unknown as Node | undefined;
  };
  if (recv.type === 'call') return isOpen(recv) ? pathOf(recv) : undefined;
  if (recv.type !== 'identifier') return undefined;
  let scope: Node | null = recv.parent;
  while (scope && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
  if (!scope) return undefined;
  let last: Node | undefined;
  const stack: Node[] = [scope];
  for (let seen = 0; stack.length && seen < 20000; seen++) {
    const n = stack.pop()!;
    if (n.startIndex > recv.startIndex) continue;
    if (n.type === 'as_pattern' || n.type === 'assignment') {
      const alias = n.type === 'as_pattern' ? n.childForFieldName('alias') : null;
      const target = n.type === 'as_pattern' ? alias?.namedChildren[0] ?? alias ?? n.namedChildren[1] : n.childForFieldName('left');
      if (target?.text === recv.text && (!last || n.startIndex > last.startIndex)) last = n;
    }
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  const value = last?.type === 'as_pattern' ? last.namedChildren[0] : last?.childForFieldName('right');
  return isOpen(value) ? pathOf(value) : undefined;
}

/** `Path('x.py')` / `pathlib.Path(...)` as the receiver of `.write_text()`. */
function pyPathCall(f: PyFile, recv: Node): Node | undefined {
  if (recv.type !== 'call' || !/^pathlib\.(Pure)?(Posix)?Path$/.test(f.qualifiedName(recv.childForFieldName('function')) ?? '')) return undefined;
  return f.argument(asNode(recv), 0) as unknown as Node | undefined;
}

function builtinName(f: PyFile, call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  return fn?.type === 'identifier' && !f.imports.has(fn.text) ? fn.text : undefined;
}

/** The path's constant text, or the constant text it ends with: `'.py'` in `'plugins/' + name + '.py'` or `f"plugins/{name}.py"`. */
function pyPathText(f: PyFile, path: Node): string | undefined {
  const v = f.valueOf(path);
  if (v.kind === 'constant' && typeof v.value === 'string') return v.value;
  const parts = f.stringTemplate(path)?.parts;
  const last = parts?.[parts.length - 1];
  return last?.kind === 'text' ? last.text : undefined;
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
      ctx.report({ range: file.range(args[0]), message: `${describeSource(v)} chooses the module to load, and loading a module runs its code.`, value: v });
    }
    return;
  }
  const name = file.resolvedCallName(node);
  if (!name) {
    if (ts.isCallExpression(node)) jsEvaluatorMethod(node, ctx);
    return;
  }
  if (JS_TIMERS.has(name)) {
    // a function literal is the usual argument: nothing for the data flow to answer
    if (!args[0] || ts.isArrowFunction(args[0]) || ts.isFunctionExpression(args[0])) return;
    const reached = file.sinkValue(args[0], 'code');
    if (!reached) return;
    ctx.report({
      range: file.range(args[0]),
      message: `${name} runs a string argument as code, and this one ${reached.kind === 'tainted' ? `carries ${describeSource(reached)}` : 'is built from a value of unknown origin'}. Pass a function instead.`,
      value: reached,
    });
    return;
  }
  if (jsEvaluator(node, name, ctx) || jsCodeFileWrite(node, name, ctx)) return;
  const index = Object.hasOwn(JS_EVAL, name) ? JS_EVAL[name] : undefined;
  if (index === undefined || args.length === 0) return;
  const code = index < 0 ? args[args.length - 1] : args[index];
  if (!code || ts.isSpreadElement(code)) return;
  const v = file.valueOf(code);
  if (evidence(v, 'code') === 'safe') return;
  const reached = file.sinkValue(code, 'code') ?? v;
  // evaluating serialize-javascript output is the deserialization rule's finding
  if (file.stringParts(code)?.some((p) => p.value?.origin === 'serialize-javascript()') || v.origin === 'serialize-javascript()') return;
  const what = name === 'Function' ? 'new Function' : name.startsWith('vm') ? name : name;
  ctx.report({
    range: file.range(code),
    message: reached.kind === 'tainted'
      ? `${describeSource(reached)} reaches ${what}, which runs it as code.`
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

// Expression evaluators: libraries that parse and run a small language (math, filters). Their sandboxes
// have been escaped (mathjs before 3.11, expr-eval member access, safe-eval, static-eval, vm2), and even a
// sound one lets the caller run loops that stall the server: request data must not be the expression.

/** Evaluator functions by qualified name: the index of the expression argument. */
const JS_EVALUATORS: Record<string, number> = Object.assign(Object.create(null), {
  'mathjs.evaluate': 0, 'mathjs.eval': 0, 'mathjs.compile': 0, 'mathjs.parse': 0,
  'safe-eval': 0, 'safe-eval.default': 0, 'notevil': 0, 'static-eval': 0, 'static-eval.default': 0,
  'expr-eval.Parser.evaluate': 0, 'expr-eval.Parser.parse': 0, 'expr-eval.evaluate': 0, 'expr-eval.parse': 0,
});
/** Objects (by the origin the data flow gives them) whose methods evaluate their first argument. */
const JS_EVALUATOR_OBJECTS: [RegExp, Set<string>][] = [
  [/^vm2\.(VM|NodeVM)\(\)$/, new Set(['run'])],
  [/^expr-eval\.Parser\(\)$/, new Set(['evaluate', 'parse'])],
  [/^mathjs\.create\(\)$/, new Set(['evaluate', 'eval', 'compile', 'parse'])],
];

function jsEvaluator(node: ts.CallExpression | ts.NewExpression, name: string, ctx: JsContext): boolean {
  const index = JS_EVALUATORS[name];
  if (index === undefined) return false;
  const arg = node.arguments?.[index];
  if (arg && !ts.isSpreadElement(arg)) jsReportEvaluator(ctx, arg, name.replace(/\.default$/, ''));
  return true;
}

/** `new VM().run(code)`, `parser.evaluate(expr)`, `math.evaluate(expr)` after `const math = create(all)`. */
function jsEvaluatorMethod(node: ts.CallExpression, ctx: JsContext): void {
  const file = ctx.file;
  const callee = skipOuter(node.expression);
  if (!ts.isPropertyAccessExpression(callee) || node.arguments.length === 0 || !file.mayHaveTaint()) return;
  const method = callee.name.text;
  if (!JS_EVALUATOR_OBJECTS.some(([, ms]) => ms.has(method))) return;
  if (!file.importsModule('vm2') && !file.importsModule('expr-eval') && !file.importsModule('mathjs')) return;
  const origin = file.valueOf(callee.expression).origin ?? '';
  if (!JS_EVALUATOR_OBJECTS.some(([re, ms]) => ms.has(method) && re.test(origin))) return;
  const arg = node.arguments[0];
  if (!ts.isSpreadElement(arg)) jsReportEvaluator(ctx, arg, `${origin.replace(/\(\)$/, '')}.${method}`);
}

/** Only request data is reported: evaluators exist to run expressions that are not constants. */
function jsReportEvaluator(ctx: JsContext, arg: ts.Expression, what: string): void {
  const file = ctx.file;
  if (!file.mayHaveTaint()) return;
  const v = file.sinkValue(arg, 'code') ?? file.valueOf(arg);
  if (evidence(v, 'code') !== 'tainted') return;
  ctx.report({
    range: file.range(arg),
    message: `${describeSource(v)} is the expression \`${what}()\` evaluates: evaluator sandboxes have been escaped to run code, and any expression can stall the server. Accept numbers or names from an allow-list instead.`,
    value: v,
  });
}

/** fs writes: the path is argument 0, the content argument 1. */
const JS_FS_WRITE = /^(fs|fs\/promises|fs\.promises|fs-extra|graceful-fs|node:fs|node:fs\/promises)\.(writeFile|writeFileSync|appendFile|appendFileSync|outputFile|outputFileSync)$/;

/** `fs.writeFileSync('plugins/' + name + '.js', req.body.code)`: request data becomes a module or a template. */
function jsCodeFileWrite(node: ts.CallExpression | ts.NewExpression, name: string, ctx: JsContext): boolean {
  if (!JS_FS_WRITE.test(name.replace(/\.default\./, '.'))) return false;
  const file = ctx.file;
  const [target, data] = node.arguments ?? [];
  if (!target || !data || ts.isSpreadElement(data) || !file.mayHaveTaint()) return true;
  // the path first, without the data flow when it is written out: most writes are data files
  let text = file.literalText(target);
  if (text === undefined) {
    const parts = file.stringParts(target);
    text = parts?.[parts.length - 1]?.text ?? (file.valueOf(target) as { value?: string }).value;
  }
  if (!text || !CODE_FILE.test(text)) return true;
  const v = file.valueOf(data);
  if (evidence(v, 'code') !== 'tainted') return true;
  ctx.report({
    range: file.range(data),
    message: `${describeSource(v)} is written into \`${text.slice(text.lastIndexOf('/') + 1)}\`, a file the application runs or renders: the next require or render runs it as code. Store the data as data (JSON, a database row) instead.`,
    value: v,
  });
  return true;
}
