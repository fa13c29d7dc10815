import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { describeSource, evidence } from '../engine/rule';
import { OWASP, type Fix, type TextEdit } from '../engine/types';
import { isBuiltString, isTextPiece, methodName, pieces, pyQuote, sinkValue } from './support/python-sinks';
import { skipOuter as jsSkipOuter } from '../lang/javascript/front';

export default defineRule({
  meta: {
    id: 'xpath-injection',
    title: 'XPath expression built from untrusted input',
    description: "A quote in a value ends the XPath string it was pasted into: an attacker can select other nodes, e.g. every user's password. Pass values as XPath variables.",
    cwe: ['CWE-643'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
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

const XPATH_CLASSES = new Set(['lxml.etree.XPath', 'lxml.etree.ETXPath']);

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  let expr: Node | undefined;
  if (name && XPATH_CLASSES.has(name)) expr = file.argument(node, 0, 'path');
  else if (!name && methodName(node) === 'xpath' && file.importsModule('lxml')) expr = file.argument(node, 0, '_path');
  if (!expr) return;
  const { value, ev } = sinkValue(file, expr, 'xpath');
  if (ev === 'safe' || (ev === 'unknown' && !pieces(file, expr) && !isBuiltString(value))) return;
  ctx.report({
    range: file.range(node),
    message: ev === 'tainted'
      ? `${describeSource(value)} is pasted into an XPath expression: a quote in it changes what the query selects.`
      : 'An XPath expression is assembled from values of unknown origin: a quote in them changes what the query selects.',
    value,
    fixes: name ? [] : variablesFix(node, expr, ctx),
  });
}

/** `t.xpath(f"//u[@name='{n}']")` -> `t.xpath("//u[@name=$n]", n=n)`: only values pasted between quotes. */
function variablesFix(call: Node, expr: Node, ctx: PyContext): Fix[] {
  const file = ctx.file;
  const ps = pieces(file, expr);
  const args = call.childForFieldName('arguments');
  const close = args?.lastChild;
  if (!ps || !args || close?.text !== ')' || file.argument(call, 1)) return [];
  const taken = new Set<string>();
  for (const a of args.namedChildren) if (a?.type === 'keyword_argument') taken.add(a.childForFieldName('name')?.text ?? '');
  const out: string[] = [];
  const kwargs: string[] = [];
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i];
    if (isTextPiece(p)) { out.push(p.text); continue; }
    const before = out.length ? out[out.length - 1] : '';
    const after = ps[i + 1];
    const q = before.slice(-1);
    if (evidence(file.valueOf(p.node), 'xpath') === 'safe') {
      if (p.format) return [];
      // a constant or sanitized value stays pasted in
      out.push(`{${p.node.text}}`);
      continue;
    }
    if (!(q === "'" || q === '"') || !after || !isTextPiece(after) || after.text[0] !== q || p.format) return [];
    let v = p.node.type === 'identifier' ? p.node.text : 'value';
    const base = v;
    for (let k = 2; taken.has(v); k++) v = `${base}${k}`;
    taken.add(v);
    out[out.length - 1] = before.slice(0, -1);
    out.push(`$${v}`);
    ps[i + 1] = { text: after.text.slice(1) };
    kwargs.push(`${v}=${p.node.text}`);
  }
  if (kwargs.length === 0 || out.some((s) => s.startsWith('{'))) return [];
  const at = file.range(close).start;
  const trailingComma = args.children[args.childCount - 2]?.text === ',';
  const edits: TextEdit[] = [
    { range: file.range(expr), newText: pyQuote(out.join('')) },
    { range: { start: at, end: at }, newText: `${trailingComma ? ' ' : ', '}${kwargs.join(', ')}` },
  ];
  return [{ title: 'Pass the values as XPath variables', edits, preferred: true, safe: true }];
}

// ---- JavaScript / TypeScript ----

/** XPath functions of the `xpath` npm package (and its `useNamespaces(...)` selector): the expression is argument 0. */
const JS_XPATH = new Set(['xpath.select', 'xpath.select1', 'xpath.evaluate', 'xpath.parse', 'xpath.default.select', 'xpath.default.select1']);

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const file = ctx.file;
  const callee = jsSkipOuter(node.expression);
  const name = file.callName(node);
  let what: string | undefined;
  if (name && JS_XPATH.has(name)) what = `${name.replace('.default', '')}()`;
  // the browser's document.evaluate(expr, contextNode, ...) (a `document` that is not a local name)
  else if (!name && ts.isPropertyAccessExpression(callee) && callee.name.text === 'evaluate' && node.arguments.length >= 2
    && ts.isIdentifier(callee.expression) && callee.expression.text === 'document' && !file.declarationOf(callee.expression)) what = 'document.evaluate()';
  if (!what || node.arguments.length === 0 || !file.mayHaveTaint()) return;
  const arg = node.arguments[0];
  const v = file.sinkValue(arg, 'xpath');
  if (!v || evidence(v, 'xpath') !== 'tainted') return;
  ctx.report({
    range: file.range(arg),
    message: `${describeSource(v)} is pasted into the XPath expression \`${what}\` runs: a quote in it changes what the query selects. Check the value against an allow-list or a strict pattern first.`,
    value: v,
  });
}
