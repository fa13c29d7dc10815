import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import type { Fix, TextEdit } from '../engine/types';
import { describeSource } from '../engine/rule';
import { hasSplat, importModule, methodName, sinkValue } from './support/python-sinks';
import { jsOptions, jsResolve } from '../lang/javascript/options';
import { pyCallOptions, pyResolve } from '../lang/python/options';
import { pyBool } from './support/constants';
import { skipOuter as jsSkipOuter, type JsFile } from '../lang/javascript/front';
import { capitalized, reportFlow } from './support/javascript-web';


export default defineRule({
  meta: {
    id: 'unsafe-xml-parsing',
    title: 'XML parser resolves external entities',
    description: "A parser that resolves external entities or DTDs lets a document read local files or reach internal hosts (XXE).",
    cwe: ['CWE-611'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 7.5,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

// ---- Python ----

/** Stdlib parse calls and the defusedxml module that has the same function. */
const PY_STDLIB_PARSERS: Record<string, string> = {
  'xml.etree.ElementTree': 'defusedxml.ElementTree', 'xml.etree.cElementTree': 'defusedxml.ElementTree',
  'xml.dom.minidom': 'defusedxml.minidom', 'xml.dom.pulldom': 'defusedxml.pulldom', 'xml.sax': 'defusedxml.sax',
  'xml.dom.expatbuilder': 'defusedxml.expatbuilder',
};
const PY_STDLIB_FUNCTIONS = new Set(['parse', 'parseString', 'fromstring', 'XML', 'iterparse']);
const PY_LXML_PARSE = new Set(['lxml.etree.parse', 'lxml.etree.fromstring', 'lxml.etree.XML', 'lxml.etree.iterparse',
  'lxml.objectify.parse', 'lxml.objectify.fromstring', 'lxml.objectify.XML']);

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  if (name === 'lxml.etree.XMLParser' || name === 'lxml.etree.XMLPullParser' || name === 'lxml.objectify.makeparser') {
    const opts = pyCallOptions(file, node);
    const on = (key: string): boolean => { const e = opts.keys.get(key); return !!e && pyBool(file, pyResolve(file, e.value) ?? e.value) === true; };
    const off = (key: string): boolean => { const e = opts.keys.get(key); return !!e && pyBool(file, pyResolve(file, e.value) ?? e.value) === false; };
    const resolves = on('resolve_entities');
    const network = on('load_dtd') && off('no_network');
    if (!resolves && !network) return;
    const inPlace = (!resolves || !!opts.keys.get('resolve_entities')!.inCall) && (!network || !!opts.keys.get('no_network')!.inCall);
    ctx.report({
      range: file.range(node),
      message: resolves
        ? 'This lxml parser resolves external entities: a document can read local files (XXE). Use resolve_entities=False.'
        : 'This lxml parser loads DTDs over the network: a document can make the server fetch URLs (XXE/SSRF). Keep no_network=True.',
      fixes: inPlace ? [pythonLxmlSettingsFix(node, ctx, resolves, network)] : [],
    });
    return;
  }
  if (name && PY_LXML_PARSE.has(name)) {
    // a parser argument decides; its construction is checked where it is built
    if (file.argument(node, 1, 'parser') || hasSplat(node)) return;
    const { value, ev } = sinkValue(file, file.argument(node, 0, name.endsWith('parse') ? 'source' : 'text'), 'xml');
    if (ev !== 'tainted') return;
    ctx.report({
      range: file.range(node),
      message: `${describeSource(value)} is parsed by lxml's default parser, which (before lxml 5) resolves external entities to local files. Pass a parser with resolve_entities=False, no_network=True.`,
      severity: 'warning',
      confidence: 'medium',
      fixes: pythonLxmlParserFix(node, ctx),
    });
    return;
  }
  if (name) {
    const dot = name.lastIndexOf('.');
    const module = name.slice(0, dot);
    const fn = name.slice(dot + 1);
    const safe = PY_STDLIB_PARSERS[module];
    if (safe && PY_STDLIB_FUNCTIONS.has(fn)) {
      // a parser of the program's choosing (e.g. a defused one) is judged where it is built
      if (module !== 'xml.sax' && file.argument(node, fn === 'iterparse' ? 2 : 1, 'parser')) return;
      const { value, ev } = sinkValue(file, file.argument(node, 0), 'xml');
      if (ev === 'safe') return;
      const edits: TextEdit[] = [];
      const imp = importModule(file, safe);
      edits.push(...imp.edits, { range: file.range(node.childForFieldName('function')!), newText: `${imp.local}.${fn}` });
      ctx.report({
        range: file.range(node),
        message: `${ev === 'tainted' ? `${describeSource(value)} is parsed` : 'XML is parsed'} with ${module}. Modern expat does not fetch external entities, but entity expansion and DTD tricks remain; defusedxml refuses them.`,
        severity: 'hint',
        confidence: 'low',
        fixes: [{ title: `Parse with ${safe}.${fn} (needs the defusedxml package)`, edits, preferred: true }],
      });
      return;
    }
  }
  // parser.setFeature(feature_external_ges, True) on a SAX parser
  if (methodName(node) === 'setFeature') {
    const feature = file.argument(node, 0);
    const on = file.argument(node, 1);
    const fq = file.qualifiedName(feature ?? null) ?? file.stringValue(feature);
    const external = fq === 'xml.sax.handler.feature_external_ges' || fq === 'xml.sax.handler.feature_external_pes' ||
      fq === 'http://xml.org/sax/features/external-general-entities' || fq === 'http://xml.org/sax/features/external-parameter-entities';
    const v = on ? file.valueOf(on) : undefined;
    if (!external || !(on?.type === 'true' || (v?.kind === 'constant' && (v.value === 'True' || v.value === '1')))) return;
    ctx.report({
      range: file.range(node),
      message: 'This SAX parser resolves external entities: a document can read local files or reach internal hosts (XXE). Leave the feature off.',
      fixes: on ? [{ title: 'Turn external entity resolution off', edits: [{ range: file.range(on), newText: 'False' }], preferred: true, safe: false }] : [],
    });
  }
}

function pythonLxmlSettingsFix(node: Node, ctx: PyContext, resolves: boolean, network: boolean): Fix {
  const edits: TextEdit[] = [];
  const file = ctx.file;
  const opts = pyCallOptions(file, node);
  if (resolves) edits.push({ range: file.range(opts.keys.get('resolve_entities')!.value), newText: 'False' });
  if (network) edits.push({ range: file.range(opts.keys.get('no_network')!.value), newText: 'True' });
  return { title: resolves ? 'Set resolve_entities=False' : 'Set no_network=True', edits, preferred: true, safe: false };
}

function pythonLxmlParserFix(node: Node, ctx: PyContext): Fix[] {
  const fn = node.childForFieldName('function');
  const args = node.childForFieldName('arguments');
  if (fn?.type !== 'attribute' || !args) return [];
  const mod = fn.childForFieldName('object')!.text;
  const close = args.lastChild;
  if (!close || close.text !== ')') return [];
  const hasArgs = args.namedChildren.some((a) => a && a.type !== 'comment');
  const trailingComma = args.children[args.childCount - 2]?.text === ',';
  const at = ctx.file.range(close).start;
  const parser = ctx.file.callName(node)!.startsWith('lxml.objectify') ? `${mod}.makeparser(resolve_entities=False, no_network=True)` : `${mod}.XMLParser(resolve_entities=False, no_network=True)`;
  return [{
    title: 'Parse with resolve_entities=False, no_network=True',
    edits: [{ range: { start: at, end: at }, newText: `${hasArgs && !trailingComma ? ', ' : ''}parser=${parser}` }],
    preferred: true,
    safe: true,
  }];
}

// ---- JavaScript / TypeScript ----
// xml2js (sax) and fast-xml-parser never load external entities: they are not reported.

/** libxmljs / libxmljs2 parse functions (options are the second argument). */
const JS_LIBXMLJS = /^(libxmljs2?|libxmljs-mt)\.(parseXml|parseXmlString|parseXmlAsync|Document\.fromXml|parseXmlFile)$/;
/** libxml2-wasm parse functions (options `{ option: ParseOption... }` are the second argument). */
const JS_LIBXML2_WASM = /^libxml2-wasm\.XmlDocument\.(fromString|fromBuffer)$/;
/** libxmljs option names that make the parser load external entities or DTDs. */
const JS_LOADING_OPTIONS = new Set(['noent', 'dtdload', 'dtdvalid', 'dtdattr']);
const JS_LOADING_FLAGS = /XML_PARSE_(NOENT|DTDLOAD|DTDVALID|DTDATTR)$/;

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  if (!name || node.arguments.length < 2) return;
  if (JS_LIBXMLJS.test(name)) {
    const model = jsOptions(file, node.arguments[1]);
    for (const entry of model?.keys.values() ?? []) {
      const key = entry.key;
      if (JS_LOADING_OPTIONS.has(key) && jsIsTrue(file, entry.value)) {
        const fixable = jsSkipOuter(entry.value).kind === ts.SyntaxKind.TrueKeyword;
        jsReportXml(ctx, node, `\`${key}: true\``, fixable ? [{
          title: `Set ${key}: false (do not load external entities)`,
          edits: [{ range: file.range(entry.value), newText: 'false' }],
          preferred: true,
        }] : []);
        return;
      }
      const flags = key === 'flags' ? jsResolve(file, entry.value) : undefined;
      if (flags && ts.isArrayLiteralExpression(flags)) {
        const flag = flags.elements.find((e) => JS_LOADING_FLAGS.test(file.textOf(e)));
        if (flag) { jsReportXml(ctx, node, `\`${file.textOf(flag)}\``, []); return; }
      }
    }
    return;
  }
  const options = jsSkipOuter(node.arguments[1]);
  if (!ts.isObjectLiteralExpression(options)) return;
  if (JS_LIBXML2_WASM.test(name)) {
    const option = options.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'option');
    if (!option) return;
    const flags: ts.Expression[] = [];
    const collect = (e: ts.Expression): void => {
      const x = jsSkipOuter(e);
      if (ts.isBinaryExpression(x) && (x.operatorToken.kind === ts.SyntaxKind.BarToken || x.operatorToken.kind === ts.SyntaxKind.PlusToken)) {
        collect(x.left); collect(x.right);
      } else flags.push(x);
    };
    collect(option.initializer);
    const names = flags.map((f) => ts.isPropertyAccessExpression(f) ? f.name.text : ts.isIdentifier(f) ? f.text : '');
    let bits = 0;
    for (const f of flags) if (ts.isNumericLiteral(f)) bits |= Number(f.text);
    const loads = names.find((n) => JS_LOADING_FLAGS.test(n)) ?? (bits & (2 | 4 | 8 | 16) ? `option ${bits}` : undefined);
    const noXxe = names.includes('XML_PARSE_NO_XXE') || (bits & (1 << 23)) !== 0;
    if (!loads || noXxe) return;
    const named = flags.find((f) => ts.isPropertyAccessExpression(f) && JS_LOADING_FLAGS.test(f.name.text)) as ts.PropertyAccessExpression | undefined;
    const prefix = named ? `${file.textOf(named.expression)}.` : '';
    jsReportXml(ctx, node, `\`${loads}\``, named ? [{
      title: 'Add XML_PARSE_NO_XXE (entities still expand, external ones are not loaded)',
      edits: [{ range: file.range(option.initializer), newText: `${file.textOf(option.initializer)} | ${prefix}XML_PARSE_NO_XXE` }],
      preferred: true,
      safe: true,
    }] : []);
  }
}

function jsReportXml(ctx: JsContext, node: ts.CallExpression, setting: string, fixes: Fix[]): void {
  const value = ctx.file.valueOf(node.arguments[0]);
  reportFlow(ctx, node, value, 'xml',
    (src) => `${capitalized(src)} is parsed with ${setting}, which loads external entities: a document can read local files or reach internal hosts (XXE).`,
    {}, () => fixes);
}

function jsIsTrue(file: JsFile, e: ts.Expression): boolean {
  const x = jsSkipOuter(e);
  return x.kind === ts.SyntaxKind.TrueKeyword || (ts.isNumericLiteral(x) && x.text !== '0') || file.stringValue(x) === 'true';
}
