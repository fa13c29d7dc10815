import ts from 'typescript';
import { defineRule, type JsContext } from '../engine/rule-types';
import { OWASP, type Fix } from '../engine/types';
import { describeSource } from '../engine/rule';
import { skipOuter } from '../lang/javascript/front';
import { isTestCode } from './support/auth';

/**
 * Node's deprecated Buffer APIs: `new Buffer(x)` / `Buffer(x)` allocates x bytes when x is a number
 * (uninitialized memory before Node 8) and copies it when it is a string, so the type of a request value
 * decides what happens; `noAssert` (`buf.readUInt8(i, true)`) skipped bounds checks before Node 10.
 */
export default defineRule({
  meta: {
    id: 'unsafe-buffer-api',
    title: 'Deprecated, unsafe Buffer API',
    description: '`new Buffer(x)` allocates x bytes when x is a number (uninitialized memory on old Node) and copies it when it is a string; `noAssert` skips bounds checks.',
    cwe: ['CWE-908', 'CWE-787'],
    owasp: OWASP.A06,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 5.3,
    languages: ['javascript'],
  },
  javascript: {
    [ts.SyntaxKind.NewExpression]: (node: ts.NewExpression, ctx) => bufferConstructor(node, ctx),
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => { bufferConstructor(node, ctx); noAssert(node, ctx); },
  },
});

function isBufferConstructor(node: ts.NewExpression | ts.CallExpression, ctx: JsContext): boolean {
  const callee = skipOuter(node.expression);
  const q = ctx.file.callName(node);
  if (q === 'buffer.Buffer' || q === 'safe-buffer.Buffer') return true;
  return ts.isIdentifier(callee) && callee.text === 'Buffer' && !ctx.file.declarationOf(callee);
}

function bufferConstructor(node: ts.NewExpression | ts.CallExpression, ctx: JsContext): void {
  const args = node.arguments ?? ts.factory.createNodeArray<ts.Expression>();
  if (args.length === 0 || !isBufferConstructor(node, ctx)) return;
  const file = ctx.file;
  if (isFallback(node)) return;
  // deprecation hints are noise in tests, which often build buffers the old way on purpose
  const quietHints = isTestCode(file.path);
  const first = skipOuter(args[0]);
  const rest = args.slice(1).map((a) => file.textOf(a));
  const from = (x: string) => `Buffer.from(${[x, ...rest].join(', ')})`;
  const form = ts.isNewExpression(node) ? '`new Buffer()`' : '`Buffer()`';
  // the argument's type decides: a number allocates, anything else copies
  if (quietHints && file.valueOf(first).kind !== 'tainted') return;
  if (ts.isNumericLiteral(first)) {
    ctx.report({
      range: file.range(node), severity: 'hint', confidence: 'high',
      message: `${form} is deprecated (DEP0005): it allocates uninitialized memory on Node before 8. Use \`Buffer.alloc(${first.text})\`.`,
      fixes: [{ title: `Use Buffer.alloc(${first.text})`, edits: [{ range: file.range(node), newText: `Buffer.alloc(${first.text})` }], preferred: true, safe: true }],
    });
    return;
  }
  const v = file.valueOf(first);
  // a string, an array, or anything with an encoding argument (`Buffer(s, 'utf8')`) is copied
  if (ts.isStringLiteralLike(first) || ts.isArrayLiteralExpression(first) || (args.length >= 2 && ts.isStringLiteralLike(skipOuter(args[1]))) || (v.kind === 'constant' && v.value !== undefined && !/^-?\d/.test(v.value))) {
    ctx.report({
      range: file.range(node), severity: 'hint', confidence: 'high',
      message: `${form} is deprecated (DEP0005). Use \`Buffer.from(...)\`, which only copies.`,
      fixes: [{ title: 'Use Buffer.from', edits: [{ range: file.range(node), newText: from(file.textOf(args[0])) }], preferred: true, safe: true }],
    });
    return;
  }
  const fixes: Fix[] = [
    { title: 'Copy it: Buffer.from (if it is a string, an array or a buffer)', edits: [{ range: file.range(node), newText: from(file.textOf(args[0])) }] },
    { title: 'Allocate zero-filled memory: Buffer.alloc (if it is a size)', edits: [{ range: file.range(node), newText: `Buffer.alloc(${file.textOf(args[0])})` }] },
  ];
  if (v.kind === 'tainted') {
    ctx.report({
      range: file.range(node), value: v, fixes,
      message: `${describeSource(v)} reaches ${form}: a number allocates that many bytes (uninitialized memory on Node before 8, memory exhaustion on any) where a string would be copied. `
        + 'Use `Buffer.from(String(x))` for text, `Buffer.alloc(n)` with a checked size.',
    });
    return;
  }
  ctx.report({
    range: file.range(node), severity: 'hint', confidence: 'medium', fixes,
    message: `${form} is deprecated (DEP0005): it allocates when given a number (uninitialized memory on Node before 8) and copies otherwise. `
      + 'Use `Buffer.from` to copy or `Buffer.alloc` to allocate.',
  });
}

/**
 * `Buffer.alloc ? Buffer.alloc(n) : new Buffer(n)`, `if (hasFrom) { Buffer.from(s) } else { new Buffer(s) }`:
 * the old call is the fallback of a feature check for old Node, next to the new API.
 */
function isFallback(node: ts.Node): boolean {
  for (let n: ts.Node = node; n.parent && !ts.isFunctionLike(n) && !ts.isSourceFile(n); n = n.parent) {
    const p = n.parent;
    if (ts.isConditionalExpression(p) || ts.isIfStatement(p)) return mentionsNewApi(p);
    // `if (Buffer.from) return Buffer.from(s);` earlier in the same block
    if (ts.isBlock(p) || ts.isSourceFile(p)) {
      for (const st of p.statements) {
        if (st === n) break;
        if (ts.isIfStatement(st) && mentionsNewApi(st.expression)) return true;
      }
    }
  }
  return false;
}

function mentionsNewApi(n: ts.Node): boolean {
  if (ts.isPropertyAccessExpression(n) && /^(alloc|from|allocUnsafe)$/.test(n.name.text)
    && ts.isIdentifier(n.expression) && n.expression.text === 'Buffer') return true;
  return !!ts.forEachChild(n, (c) => mentionsNewApi(c) || undefined);
}

/** `buf.readUInt8(offset, true)`: where the `noAssert` flag stands, by method. */
function noAssertIndex(method: string): number | undefined {
  if (/^read(U?Int(8|16|32)|Float|Double)(LE|BE)?$/.test(method)) return 1;
  if (/^readU?Int(LE|BE)$/.test(method)) return 2;
  if (/^write(U?Int(8|16|32)|Float|Double)(LE|BE)?$/.test(method)) return 2;
  if (/^writeU?Int(LE|BE)$/.test(method)) return 3;
  return undefined;
}

function noAssert(node: ts.CallExpression, ctx: JsContext): void {
  const callee = node.expression;
  if (!ts.isPropertyAccessExpression(callee)) return;
  const i = noAssertIndex(callee.name.text);
  if (i === undefined || node.arguments.length !== i + 1) return;
  const flag = skipOuter(node.arguments[i]);
  if (flag.kind !== ts.SyntaxKind.TrueKeyword) return;
  const file = ctx.file;
  const prev = node.arguments[i - 1];
  ctx.report({
    range: file.range(flag),
    message: `\`noAssert\` = true skips the offset check of \`${callee.name.text}\` on Node before 10: an out-of-range offset reads or writes outside the buffer. `
      + 'Newer Node ignores the flag; remove it and keep offsets checked.',
    fixes: [{ title: 'Remove the noAssert flag', edits: [{ range: file.rangeOf(prev.end, node.arguments[i].end), newText: '' }], preferred: true, safe: true }],
  });
}
