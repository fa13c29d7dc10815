/**
 * Small readers shared by the settings-and-secrets rules (issue 6): the constant a literal or a
 * folded expression stands for, edits that remove an argument or add an import, name helpers.
 * They read the node a rule points at; they never search source text.
 */
import ts from 'typescript';
import type { PNode as Node } from '../../lang/python/tree';
import type { PyFile } from '../../lang/python/front';
import type { JsFile } from '../../lang/javascript/front';
import type { Range, TextEdit } from '../../engine/types';
import type { JsVisitors, PyVisitors } from '../../engine/rule-types';

// ---- Python ----

/** The text of a plain (non-f) string literal, or of an implicitly concatenated one. */
export function pyLiteral(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'concatenated_string') {
    let out = '';
    for (const c of node.namedChildren) {
      const part = c?.type === 'string' ? pyLiteral(c) : undefined;
      if (part === undefined) return undefined;
      out += part;
    }
    return out;
  }
  if (node.type !== 'string') return undefined;
  let out = '';
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'interpolation') return undefined;
    if (c.type === 'string_content') out += c.text;
  }
  return out;
}

/** Constant text of an expression: a literal, or what the data flow folds it to. */
export function pyString(file: PyFile, node: Node | null | undefined): string | undefined {
  return pyLiteral(node) ?? (node ? file.stringValue(node) : undefined);
}

/** The constant head of an f-string (`f"http://host/{x}"` -> `http://host/`), or the whole literal. */
export function pyStringHead(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  let out = '';
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'interpolation') return out;
    if (c.type === 'string_content') out += c.text;
  }
  return out;
}

export function pyBool(file: PyFile, node: Node | null | undefined): boolean | undefined {
  if (!node) return undefined;
  if (node.type === 'true') return true;
  if (node.type === 'false') return false;
  if (node.type === 'identifier' || node.type === 'attribute') {
    const v = file.valueOf(node);
    if (v.kind === 'constant' && (v.value === 'True' || v.value === 'False')) return v.value === 'True';
  }
  return undefined;
}

export function parseIntLiteral(text: string): number | undefined {
  const t = text.replace(/_/g, '').toLowerCase();
  if (/^0o[0-7]+$/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0x[0-9a-f]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0b[01]+$/.test(t)) return parseInt(t.slice(2), 2);
  if (/^0[0-7]+$/.test(t)) return parseInt(t.slice(1), 8); // legacy JS octal
  if (/^\d+$/.test(t)) return parseInt(t, 10);
  return undefined;
}

export function pyInt(file: PyFile, node: Node | null | undefined): number | undefined {
  if (!node) return undefined;
  if (node.type === 'integer') return parseIntLiteral(node.text);
  if (node.type === 'identifier' || node.type === 'attribute') {
    const v = file.valueOf(node);
    if (v.kind === 'constant' && v.value !== undefined) return parseIntLiteral(v.value);
  }
  return undefined;
}

/**
 * The name a value is bound to: `X = v`, `obj.X = v`, `d["X"] = v`, `f(X=v)`, `{"X": v}`. Reads the
 * parent from the data flow's copy of the tree (tree-sitter's `parent` walks down from the root: asked
 * for each of 30,000 concatenated strings, that is quadratic).
 */
export function pyBindingName(file: PyFile, node: Node): string | undefined {
  const parent = node.parent;
  if (!parent) return undefined;
  if (parent.type === 'assignment' && parent.childForFieldName('right')?.id === node.id) {
    return pyTargetName(parent.childForFieldName('left'));
  }
  if (parent.type === 'keyword_argument' && parent.childForFieldName('value')?.id === node.id) {
    return parent.childForFieldName('name')?.text;
  }
  if (parent.type === 'pair' && parent.childForFieldName('value')?.id === node.id) {
    return pyLiteral(parent.childForFieldName('key'));
  }
  return undefined;
}

export function pyTargetName(target: Node | null | undefined): string | undefined {
  if (!target) return undefined;
  if (target.type === 'identifier') return target.text;
  if (target.type === 'attribute') return target.childForFieldName('attribute')?.text;
  if (target.type === 'subscript') return pyLiteral(target.childForFieldName('subscript'));
  return undefined;
}

/** Removes `name=value` from a call's argument list, with the comma that joins it to its neighbour. */
export function pyRemoveArgument(file: PyFile, arg: Node): TextEdit {
  const prev = arg.previousSibling;
  const next = arg.nextSibling;
  if (prev && prev.type === ',') return { range: span(file.range(prev).start, file.range(arg).end), newText: '' };
  if (next && next.type === ',') {
    const after = next.nextSibling;
    const end = after && after.type !== ')' ? file.range(after).start : file.range(next).end;
    return { range: span(file.range(arg).start, end), newText: '' };
  }
  return { range: file.range(arg), newText: '' };
}

/** An edit adding `import <module>` unless the module is already bound under its own name. */
export function pyImportEdit(file: PyFile, module: string): TextEdit[] {
  if (file.imports.get(module) === module) return [];
  let line = 0;
  for (const stmt of file.tree.rootNode.namedChildren) {
    if (!stmt) continue;
    if (stmt.type === 'comment') { if (line === stmt.startPosition.row) line = stmt.endPosition.row + 1; continue; }
    const isDocstring = stmt.type === 'expression_statement' && stmt.namedChildren[0]?.type === 'string';
    const isFuture = stmt.type === 'import_from_statement' && stmt.childForFieldName('module_name')?.text === '__future__';
    if (isDocstring || isFuture) { line = stmt.endPosition.row + 1; continue; }
    break;
  }
  return [{ range: span({ line, character: 0 }, { line, character: 0 }), newText: `import ${module}\n` }];
}

// ---- JavaScript / TypeScript ----

/** Constant text of an expression: a literal, or what the data flow folds it to. */
export function jsString(file: JsFile, node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isStringLiteralLike(node)) return node.text;
  return file.stringValue(node);
}

export function jsBool(node: ts.Node | undefined): boolean | undefined {
  if (!node) return undefined;
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  return undefined;
}

/** A boolean literal, or a constant the data flow folds to `true`/`false`. */
export function jsBoolValue(file: JsFile, node: ts.Expression | undefined): boolean | undefined {
  const literal = jsBool(node);
  if (literal !== undefined || !node || !ts.isIdentifier(node)) return literal;
  const v = file.valueOf(node);
  return v.kind === 'constant' && (v.value === 'true' || v.value === 'false') ? v.value === 'true' : undefined;
}

export function jsNumber(file: JsFile, node: ts.Node | undefined): number | undefined {
  if (!node) return undefined;
  if (ts.isNumericLiteral(node)) return parseIntLiteral(node.getText(file.sourceFile));
  const s = file.stringValue(node);
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined;
}

/** Property name text of an object-literal member or a property access. */
export function jsPropName(name: ts.Node | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isStringLiteralLike(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/** The name a value is bound to: `const X = v`, `o.X = v`, `{ X: v }`. */
export function jsBindingName(node: ts.Node): string | undefined {
  const p = node.parent;
  if (!p) return undefined;
  if (ts.isVariableDeclaration(p) && p.initializer === node && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isPropertyAssignment(p) && p.initializer === node) return jsPropName(p.name);
  if (ts.isPropertyDeclaration(p) && p.initializer === node) return jsPropName(p.name);
  if (ts.isBinaryExpression(p) && p.right === node && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    if (ts.isIdentifier(p.left)) return p.left.text;
    if (ts.isPropertyAccessExpression(p.left)) return p.left.name.text;
    if (ts.isElementAccessExpression(p.left)) return jsPropName(p.left.argumentExpression);
  }
  if (ts.isParameter(p) && p.initializer === node && ts.isIdentifier(p.name)) return p.name.text;
  return undefined;
}

/** Removes an object-literal member together with its separating comma. */
export function jsRemoveMember(file: JsFile, member: ts.ObjectLiteralElementLike): TextEdit {
  const obj = member.parent as ts.ObjectLiteralExpression;
  const props = obj.properties;
  const i = props.indexOf(member);
  const text = file.text;
  // a member alone on its line(s): remove the whole lines
  const start0 = member.getStart(file.sourceFile);
  const lineStart = text.lastIndexOf('\n', start0 - 1) + 1;
  const nl = text.indexOf('\n', member.getEnd());
  if (text.slice(lineStart, start0).trim() === '' && nl !== -1 && /^,?\s*$/.test(text.slice(member.getEnd(), nl))) {
    return { range: file.rangeOf(lineStart, nl + 1), newText: '' };
  }
  if (i < props.length - 1) {
    // up to the next member (keeps its indentation)
    return { range: file.rangeOf(member.getStart(file.sourceFile), props[i + 1].getStart(file.sourceFile)), newText: '' };
  }
  if (i > 0) {
    const start = props[i - 1].getEnd();
    let end = member.getEnd();
    if (text[end] === ',') end++;
    return { range: file.rangeOf(start, end), newText: '' };
  }
  let end = member.getEnd();
  if (text[end] === ',') end++;
  return { range: file.rangeOf(member.getStart(file.sourceFile), end), newText: '' };
}

/** The statement containing an expression, when the expression is the whole statement. */
export function jsRemoveStatement(file: JsFile, stmt: ts.Statement): TextEdit {
  const start = stmt.getStart(file.sourceFile);
  const lineStart = file.text.lastIndexOf('\n', start - 1) + 1;
  let end = stmt.getEnd();
  const onlyOnLine = file.text.slice(lineStart, start).trim() === '';
  if (onlyOnLine) {
    const nl = file.text.indexOf('\n', end);
    const rest = file.text.slice(end, nl === -1 ? file.text.length : nl);
    if (rest.trim() === '') return { range: file.rangeOf(lineStart, nl === -1 ? file.text.length : nl + 1), newText: '' };
  }
  return { range: file.rangeOf(start, end), newText: '' };
}

/** `module.exports = {…}`, `export default {…}`, `const nextConfig = {…}`, `defineConfig({…})`-style wrappers. */
export function isConfigObject(node: ts.ObjectLiteralExpression): boolean {
  let p: ts.Node = node.parent;
  while (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isSatisfiesExpression(p)) p = p.parent;
  if (ts.isExportAssignment(p)) return true;
  if (ts.isBinaryExpression(p) && p.right !== undefined && ts.isPropertyAccessExpression(p.left)
    && ts.isIdentifier(p.left.expression) && p.left.expression.text === 'module' && p.left.name.text === 'exports') return true;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name) && /config/i.test(p.name.text) && p.parent.parent.parent === node.getSourceFile()) return true;
  return false;
}

/** An edit adding `text` as the object's first member, on its own line when the object spans lines. */
export function insertFirstProperty(f: JsFile, node: ts.ObjectLiteralExpression, text: string): TextEdit {
  const open = node.getStart(f.sourceFile) + 1;
  const first = node.properties[0];
  if (!first) return { range: f.rangeOf(open, node.getEnd() - 1), newText: ` ${text} ` };
  const firstStart = first.getStart(f.sourceFile);
  const between = f.text.slice(open, firstStart);
  if (between.includes('\n')) {
    const indent = between.slice(between.lastIndexOf('\n') + 1);
    const lineStart = firstStart - indent.length;
    return { range: f.rangeOf(lineStart, lineStart), newText: `${indent}${text},\n` };
  }
  return { range: f.rangeOf(firstStart, firstStart), newText: `${text}, ` };
}

/** Is this a Next.js config file? */
export function isNextConfig(path: string): boolean {
  return /(^|[\\/])next\.config\.(js|mjs|cjs|ts|mts)$/.test(path);
}

// ---- names ----

/** `secretKey`, `SECRET-KEY`, `secret_key` -> ['secret', 'key']. */
/** Names longer than this are not split into words (no real variable name is; keeps the work bounded). */
const MAX_NAME_LENGTH = 256;

/** Names already split (rules ask about the same few names many times per file); bounded, cleared when full. */
const wordsOfName = new Map<string, string[]>();
const MAX_CACHED_NAMES = 20_000;

export function nameWords(name: string): string[] {
  if (name.length > MAX_NAME_LENGTH) return [];
  let words = wordsOfName.get(name);
  if (!words) {
    // HTTPServer -> HTTP_Server with a lookahead: `([A-Z]+)([A-Z][a-z])` backtracks quadratically on capitals
    words = name
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/([A-Z])(?=[A-Z][a-z])/g, '$1_')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
    if (wordsOfName.size >= MAX_CACHED_NAMES) wordsOfName.clear();
    wordsOfName.set(name, words);
  }
  // a copy: callers may extend their list (two words that name one thing)
  return words.slice();
}

/** `secretKey` -> `SECRET_KEY`, for environment variable names. */
export function envName(name: string): string {
  return nameWords(name).join('_').toUpperCase() || 'SECRET';
}

/** Is this file a test, by the conventions of both ecosystems? (`test/fixtures/` folders are not tests.) */
let lastPath: string | undefined;
let lastIsTest = false;

export function isTestFile(path: string): boolean {
  if (path === lastPath) return lastIsTest;
  lastPath = path;
  lastIsTest = testPath(path);
  return lastIsTest;
}

function testPath(path: string): boolean {
  const p = path.replace(/\\/g, '/');
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (/^(test_.*|.*_tests?|tests?|conftest)\.py$/.test(base)) return true;
  if (/\.(test|spec|e2e|tst)\.[cm]?[jt]sx?$/.test(base)) return true;
  // `test.js` is a test beside the code, but `config/test.js` is the test environment's settings (node-config)
  if (/^tests?\.[cm]?[jt]sx?$/.test(base) && !/(^|\/)(config|configs|settings|env|environments)\/[^/]*$/.test(p)) return true;
  if (/(^|\/)test\/fixtures\//.test(p)) return false; // fixture folders hold the cases a rule must find
  // a relative path (`secure-hints scan tests`) starts with the folder itself
  return /(^|\/)(test|tests|__tests__|__mocks__|testing|spec|e2e|cypress)\//.test(p);
}

/**
 * Wraps a rule's visitors so they stay quiet in test files: tests exercise insecure settings on
 * purpose (self-signed test servers, fake keys, weak test vectors).
 */
export function skipTestsPy(visitors: PyVisitors): PyVisitors {
  const out: PyVisitors = {};
  for (const [k, fn] of Object.entries(visitors)) {
    if (fn) out[k] = (node, ctx) => { if (!isTestFile(ctx.file.path)) fn(node, ctx); };
  }
  return out;
}

export function skipTestsJs(visitors: JsVisitors): JsVisitors {
  const out: JsVisitors = {};
  for (const [k, fn] of Object.entries(visitors) as [string, JsVisitors[ts.SyntaxKind]][]) {
    if (fn) out[Number(k) as ts.SyntaxKind] = (node, ctx) => { if (!isTestFile(ctx.file.path)) fn(node, ctx); };
  }
  return out;
}

export function span(start: { line: number; character: number }, end: { line: number; character: number }): Range {
  return { start, end };
}

/** A sub-range `[from, to)` of a single-line node's text. */
export function subRange(nodeRange: Range, from: number, to: number): Range {
  const { line, character } = nodeRange.start;
  return span({ line, character: character + from }, { line, character: character + to });
}
