import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix as JsFix } from '../engine/types';
import { describeSource, evidence } from '../engine/rule';
import { skipOuter } from '../lang/javascript/front';
import { jsOptions, jsResolve } from '../lang/javascript/options';
import { pyResolve } from '../lang/python/options';
import { importName as pyImportName } from './support/python-sinks';

export default defineRule({
  meta: {
    id: 'unsafe-deserialization',
    title: 'Unsafe deserialization',
    description: "Deserializers that can build arbitrary objects (pickle, yaml.load, node-serialize) run code chosen by whoever wrote the data.",
    cwe: ['CWE-502'],
    owasp: OWASP.A08,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 9.0,
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

/** Loaders that build arbitrary objects from the data: qualified name -> keyword of the data argument. */
const PY_PICKLE: Record<string, string> = Object.create(null);
for (const m of ['pickle', 'cPickle', '_pickle', 'dill', 'cloudpickle', 'pickle5']) {
  PY_PICKLE[`${m}.load`] = 'file';
  PY_PICKLE[`${m}.loads`] = 'data';
  PY_PICKLE[`${m}.Unpickler`] = 'file';
}
Object.assign(PY_PICKLE, {
  'marshal.load': 'file', 'marshal.loads': 'bytes', 'shelve.open': 'filename', 'shelve.DbfilenameShelf': 'filename',
  'joblib.load': 'filename', 'sklearn.externals.joblib.load': 'filename', 'pandas.read_pickle': 'filepath_or_buffer',
  'jsonpickle.decode': 'string', 'jsonpickle.unpickler.decode': 'string', 'keras.models.load_model': 'filepath',
});

const PY_YAML_UNSAFE = new Set(['yaml.unsafe_load', 'yaml.unsafe_load_all', 'yaml.full_load', 'yaml.full_load_all']);
const PY_YAML_LOAD = new Set(['yaml.load', 'yaml.load_all']);
const PY_YAML_SAFE_LOADERS = /^yaml\.(SafeLoader|CSafeLoader|BaseLoader|CBaseLoader)$/;

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const q = file.callName(node);
  if (!q) return;
  if (PY_PICKLE[q] !== undefined) {
    const arg = file.argument(node, 0, PY_PICKLE[q]);
    if (!arg) return;
    pyDeserReport(ctx, node, arg, q, `\`${q}\` can run code embedded in the data`, []);
    return;
  }
  if (PY_YAML_LOAD.has(q) || PY_YAML_UNSAFE.has(q)) {
    const arg = file.argument(node, 0, 'stream');
    if (!arg) return;
    if (PY_YAML_LOAD.has(q)) {
      const loader = file.argument(node, 1, 'Loader');
      // a loader held in a variable or a local subclass is judged by what it resolves to; one the file
      // cannot see (a parameter, a setting) is unknown, never the basis of a finding
      if (loader && pyLoaderKind(file, loader) !== 'unsafe') return;
    }
    const all = q.endsWith('_all');
    const target = all ? 'safe_load_all' : 'safe_load';
    const imported = file.imports.get(node.childForFieldName('function')?.text ?? '') === q;
    const fn = imported ? pyImportName(file, 'yaml', target) : { local: `${(node.childForFieldName('function')?.text ?? 'yaml.load').replace(/\.[^.]+$/, '')}.${target}`, edits: [] };
    const fix: JsFix = {
      title: `Use yaml.${target} (plain data only)`,
      edits: [...fn.edits, { range: file.range(node), newText: `${fn.local}(${arg.text})` }],
      preferred: true,
      safe: true,
    };
    pyDeserReport(ctx, node, arg, q, `\`${q}\` without a safe loader can build arbitrary Python objects`, [fix]);
    return;
  }
  if (q === 'torch.load') {
    const wo = file.keywordArgument(node, 'weights_only');
    if (wo && wo.type === 'true') return;
    const arg = file.argument(node, 0, 'f');
    if (!arg) return;
    const args = node.childForFieldName('arguments');
    const fix: JsFix | undefined = wo
      ? { title: 'Load weights only (weights_only=True)', edits: [{ range: file.range(wo), newText: 'True' }], preferred: true }
      : args ? { title: 'Load weights only (weights_only=True)', edits: [{ range: pointBefore(file.range(args).end), newText: ', weights_only=True' }], preferred: true } : undefined;
    pyDeserReport(ctx, node, arg, q, '`torch.load` without `weights_only=True` unpickles arbitrary objects', fix ? [fix] : []);
    return;
  }
  if (q === 'numpy.load') {
    const ap = file.keywordArgument(node, 'allow_pickle');
    if (ap?.type !== 'true') return;
    const arg = file.argument(node, 0, 'file');
    if (arg) pyDeserReport(ctx, node, arg, q, '`numpy.load` with `allow_pickle=True` unpickles object arrays', [{ title: 'Disallow pickles', edits: [{ range: file.range(ap), newText: 'False' }], preferred: true }]);
  }
}

/** `yaml.SafeLoader`, a name holding it, or a local class deriving from it: safe; `yaml.Loader` and friends: unsafe. */
function pyLoaderKind(file: PyContext['file'], loader: Node, depth = 0): 'safe' | 'unsafe' | 'unknown' {
  const target = pyResolve(file, loader) ?? loader;
  const q = file.qualifiedName(target) ?? '';
  if (PY_YAML_SAFE_LOADERS.test(q)) return 'safe';
  if (q.startsWith('yaml.')) return 'unsafe';
  if (target.type !== 'identifier' || depth > 4) return 'unknown';
  // a class of this module: the verdict of its bases
  for (const stmt of file.tree.rootNode.namedChildren) {
    const cls = stmt?.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (cls?.type !== 'class_definition' || cls.childForFieldName('name')?.text !== target.text) continue;
    const kinds = (cls.childForFieldName('superclasses')?.namedChildren ?? [])
      .filter((b): b is Node => !!b && b.type !== 'keyword_argument').map((b) => pyLoaderKind(file, b, depth + 1));
    return kinds.includes('safe') ? 'safe' : kinds.includes('unsafe') ? 'unsafe' : 'unknown';
  }
  return 'unknown';
}

function pointBefore(end: { line: number; character: number }) {
  const at = { line: end.line, character: end.character - 1 };
  return { start: at, end: at };
}

function pyDeserReport(ctx: PyContext, node: Node, data: Node, q: string, what: string, fixes: JsFix[]): void {
  const file = ctx.file;
  const value = file.valueOf(data);
  const ev = evidence(value, 'deserialization');
  if (ev === 'safe') return;
  const message = ev === 'tainted'
    ? `${what}; ${describeSource(value)} reaches it.`
    : `${what}; only load data this program wrote itself.`;
  void q;
  ctx.report({ range: file.range(node), message, value, fixes });
}

// ---- JavaScript / TypeScript ----

/** Deserializers that can rebuild functions (and so run code): name -> index of the data argument. */
const JS_DESERIALIZERS: Record<string, number> = {
  'node-serialize.unserialize': 0, 'funcster.deepDeserialize': 0, 'funcster.deserialize': 0, 'cryo.parse': 0,
  'serialize-to-js.deserialize': 0,
};
const JS_EVALUATORS = new Set(['eval', 'Function', 'vm.runInContext', 'vm.runInNewContext', 'vm.runInThisContext', 'vm.Script']);

function javascriptCall(node: ts.CallExpression | ts.NewExpression, ctx: JsContext): void {
  const file = ctx.file;
  const name = file.resolvedCallName(node);
  const args = node.arguments;
  if (!name || !args || args.length === 0) return;
  const index = Object.hasOwn(JS_DESERIALIZERS, name) ? JS_DESERIALIZERS[name] : undefined;
  if (index !== undefined) {
    const data = args[index];
    const v = file.valueOf(data);
    if (evidence(v, 'deserialization') === 'safe') return;
    const lib = name.slice(0, name.indexOf('.'));
    ctx.report({
      range: file.range(data),
      message: v.kind === 'tainted'
        ? `${describeSource(v)} is deserialized with ${lib}, which can rebuild functions and run code.`
        : `${lib} deserializes data of unknown origin and can rebuild functions that run code.`,
      value: v,
      fixes: name === 'node-serialize.unserialize' && ts.isCallExpression(node) ? [{
        title: 'Parse plain data with JSON.parse',
        edits: [{ range: file.range(node), newText: `JSON.parse(${file.textOf(data)})` }],
        preferred: true,
      }] : [],
    });
    return;
  }
  if ((name === 'js-yaml.load' || name === 'js-yaml.loadAll') && ts.isCallExpression(node)) {
    const model = [...args].slice(1).map((a) => jsOptions(file, a)).find((m) => m?.keys.has('schema'));
    const entry = model?.keys.get('schema');
    const schema = entry ? jsResolve(file, entry.value) ?? entry.value : undefined;
    if (!schema || !jsUnsafeSchema(file, schema)) return;
    const v = file.valueOf(args[0]);
    if (evidence(v, 'deserialization') === 'safe') return;
    ctx.report({
      range: file.range(node),
      message: `js-yaml with ${file.textOf(schema)} builds JavaScript functions and regexps from the document${v.kind === 'tainted' ? `, here from ${describeSource(v)}` : ''}. Use the default (safe) schema.`,
      value: v,
      fixes: entry!.value === schema ? jsYamlFix(node, schema, ctx) : [],
    });
    return;
  }
  // eval('(' + serialized + ')') of serialize-javascript output
  if (JS_EVALUATORS.has(name)) {
    const code = name === 'Function' ? args[args.length - 1] : args[0];
    const fromSerialize = file.valueOf(code).origin === 'serialize-javascript()'
      || file.stringParts(code)?.some((p) => p.value?.origin === 'serialize-javascript()');
    if (!fromSerialize) return;
    ctx.report({
      range: file.range(code),
      message: 'serialize-javascript output is evaluated back as code: anything that can change the serialized text runs code. Serialize data with JSON.stringify and read it with JSON.parse.',
      severity: 'warning',
      confidence: 'medium',
    });
  }
}

function jsUnsafeSchema(file: JsContext['file'], schema: ts.Expression): boolean {
  const q = file.qualifiedName(schema) ?? '';
  if (/(^|\.)(DEFAULT_FULL_SCHEMA|FULL_SCHEMA)$/.test(q)) return true;
  const e = skipOuter(schema);
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'extend') {
    return e.arguments.some((a) => (file.qualifiedName(a) ?? '').startsWith('js-yaml-js-types'));
  }
  return false;
}

/** yaml.load(text, { schema: yaml.DEFAULT_FULL_SCHEMA }) -> yaml.load(text, { schema: yaml.DEFAULT_SAFE_SCHEMA }). */
function jsYamlFix(call: ts.CallExpression, schema: ts.Expression, ctx: JsContext): JsFix[] {
  const file = ctx.file;
  const q = file.qualifiedName(schema) ?? '';
  if (!/FULL_SCHEMA$/.test(q) || !ts.isPropertyAccessExpression(skipOuter(schema))) return [];
  const ns = file.textOf((skipOuter(schema) as ts.PropertyAccessExpression).expression);
  void call;
  return [{
    title: 'Use the safe schema (no JavaScript functions or regexps)',
    edits: [{ range: file.range(schema), newText: `${ns}.DEFAULT_SAFE_SCHEMA` }],
    preferred: true,
  }];
}
