import ts from 'typescript';
import type { Range, SinkClass, Value } from '../../engine/types';
import { Flow } from './dataflow';
import { toPublic } from './values';
import { buildRoutes, type JsRoute } from './routes';
import { relinkNodes, type LinkedNodes } from './link';

export function scriptKindFor(path: string): ts.ScriptKind {
  if (/\.tsx$/i.test(path)) return ts.ScriptKind.TSX;
  if (/\.(c|m)?ts$/i.test(path)) return ts.ScriptKind.TS;
  if (/\.jsx$/i.test(path)) return ts.ScriptKind.JSX;
  // .js files often hold JSX (React); the JSX grammar is a superset for our purposes
  return ts.ScriptKind.JSX;
}

/** Strips `node:` and returns the module a specifier names. */
export function moduleName(specifier: string): string {
  return specifier.replace(/^node:/, '');
}

/**
 * The JavaScript/TypeScript language front: one parsed file and the facts rules ask for.
 * Rules never walk assignments themselves: they ask `valueOf` and `qualifiedName`.
 */
export class JsFile {
  /** Local name -> qualified name: `cp` -> `child_process`, `run` -> `child_process.exec`. */
  readonly imports = new Map<string, string>();
  readonly sourceFile: ts.SourceFile;
  /**
   * Every node of the file in document (pre-)order. Built once, by the same walk that sets the parent
   * pointers, so that later passes (rule dispatch, imports, the data flow's indexes) are loops over an
   * array instead of tree walks of their own.
   */
  readonly nodes: ts.Node[];
  /**
   * `nodes[i].kind`, copied into an array of small integers: reading `kind` off nodes of many shapes is a
   * slow (megamorphic) property load, so passes that look for a few kinds scan this array instead.
   */
  readonly kinds: Uint16Array;
  /** `ends[i]`: the index after `nodes[i]`'s subtree, which is `nodes[i..ends[i])` (see `subtree`). */
  readonly ends: Int32Array;

  /**
   * `sourceFile`: this text's tree when the caller has it already (an incremental `ts.updateSourceFile`);
   * `previous`: the file whose tree that update started from (its node list is reused where the tree was).
   */
  constructor(readonly path: string, readonly text: string, sourceFile?: ts.SourceFile, previous?: LinkedNodes) {
    if (bracketsNestedOver(text, MAX_BRACKET_NESTING)) {
      throw new RangeError(`brackets nested more than ${MAX_BRACKET_NESTING} deep: maximum call stack size exceeded`);
    }
    this.sourceFile = sourceFile ?? ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, scriptKindFor(path));
    ({ nodes: this.nodes, kinds: this.kinds, ends: this.ends } = relinkNodes(this.sourceFile, sourceFile ? previous : undefined));
    this.collectImports();
  }

  /** The file's nodes of one kind, in document order. */
  nodesOfKind(...wanted: ts.SyntaxKind[]): ts.Node[] {
    // a loop over the kinds into a list (a generator's loop is several times slower per element)
    const { nodes, kinds } = this;
    const out: ts.Node[] = [];
    if (wanted.length === 1) {
      const k = wanted[0];
      for (let i = 0; i < kinds.length; i++) if (kinds[i] === k) out.push(nodes[i]);
    } else {
      const want = new Uint8Array(ts.SyntaxKind.Count);
      for (const k of wanted) want[k] = 1;
      for (let i = 0; i < kinds.length; i++) if (want[kinds[i]] === 1) out.push(nodes[i]);
    }
    return out;
  }

  /**
   * The range of `nodes` that is `node` and its descendants, in the order a walk visits them: a pass over a
   * function is a loop over `kinds` in this range (empty for a node outside the list, such as JSDoc).
   */
  subtree(node: ts.Node): { from: number; to: number } {
    const id = node === this.sourceFile ? 0 : (node as { id?: number }).id;
    if (id === undefined || this.nodes[id] !== node) return { from: 0, to: 0 };
    return { from: id, to: this.ends[id] };
  }

  /** Syntax errors the parser reported (half-typed code still yields findings for the intact parts). */
  get parseDiagnostics(): readonly ts.DiagnosticWithLocation[] {
    return (this.sourceFile as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  }

  range(node: ts.Node): Range {
    return this.rangeOf(node.getStart(this.sourceFile), node.getEnd());
  }

  rangeOf(start: number, end: number): Range {
    const s = this.sourceFile.getLineAndCharacterOfPosition(start);
    const e = this.sourceFile.getLineAndCharacterOfPosition(end);
    return { start: { line: s.line, character: s.character }, end: { line: e.line, character: e.character } };
  }

  line(node: ts.Node): number {
    return this.sourceFile.getLineAndCharacterOfPosition(node.getStart(this.sourceFile)).line;
  }

  textOf(node: ts.Node): string {
    return node.getText(this.sourceFile);
  }

  /** Comments in the file, for suppressions: the scanner's comment tokens, never text search. */
  comments(): { line: number; text: string }[] {
    const out: { line: number; text: string }[] = [];
    const seen = new Set<number>();
    const visit = (node: ts.Node) => {
      // comments are trivia before tokens: collect them from every token's leading and trailing ranges
      // a comment on the same line as the token before a node is "trailing" at node.pos, not leading
      const positions = [ts.getLeadingCommentRanges(this.text, node.pos), ts.getTrailingCommentRanges(this.text, node.pos), ts.getTrailingCommentRanges(this.text, node.end)];
      // `{/* ... */}` in JSX: the comment is trivia of the closing brace, which is no node
      if (ts.isJsxExpression(node) && !node.expression) {
        positions.push(ts.getTrailingCommentRanges(this.text, node.pos + 1), ts.getLeadingCommentRanges(this.text, node.pos + 1));
      }
      for (const ranges of positions) {
        for (const r of ranges ?? []) {
          if (seen.has(r.pos)) continue;
          seen.add(r.pos);
          const raw = this.text.slice(r.pos, r.end);
          const body = r.kind === ts.SyntaxKind.SingleLineCommentTrivia ? raw.slice(2) : raw.slice(2, -2);
          out.push({ line: this.sourceFile.getLineAndCharacterOfPosition(r.pos).line, text: body });
        }
      }
      node.forEachChild(visit);
    };
    visit(this.sourceFile);
    // JSX comments `{/* ... */}` are inside JsxExpressions and already visited; the end-of-file trivia:
    for (const r of ts.getLeadingCommentRanges(this.text, this.sourceFile.endOfFileToken.pos) ?? []) {
      if (seen.has(r.pos)) continue;
      out.push({ line: this.sourceFile.getLineAndCharacterOfPosition(r.pos).line, text: this.text.slice(r.pos + 2, r.end) });
    }
    return out;
  }

  /** `child_process.exec` for `run` after `const { exec: run } = require('child_process')`. */
  qualifiedName(node: ts.Node | undefined): string | undefined {
    if (!node) return undefined;
    if (ts.isIdentifier(node)) return this.imports.get(node.text);
    if (ts.isPropertyAccessExpression(node)) {
      const base = this.qualifiedName(node.expression);
      return base ? `${base}.${node.name.text}` : undefined;
    }
    if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
      const base = this.qualifiedName(node.expression);
      return base ? `${base}.${node.argumentExpression.text}` : undefined;
    }
    if (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node) || ts.isAsExpression(node)) {
      return this.qualifiedName(node.expression);
    }
    if (ts.isCallExpression(node) && isRequire(node)) return moduleName((node.arguments[0] as ts.StringLiteral).text);
    return undefined;
  }

  /**
   * Per-node answers that most rules ask of every call, by the node's index in `nodes` (kept in the node's
   * own `id` field, which only TypeScript's type checker uses): `null` = asked, no name.
   */
  // maps, not arrays the size of the file: after an edit only the calls of the changed statements are asked
  private callNames = new Map<number, string | null>();
  private resolvedNames = new Map<number, string | null>();

  /** The qualified name of the function a call calls (memoized: most rules ask it of every call). */
  callName(call: ts.CallExpression | ts.NewExpression): string | undefined {
    const id = (call as { id?: number }).id!;
    const known = this.callNames.get(id);
    if (known !== undefined) return known ?? undefined;
    const q = this.qualifiedName(call.expression);
    this.callNames.set(id, q ?? null);
    return q;
  }

  /**
   * `callName`, or failing that what the callee resolves to through the data flow: a promisified import
   * (`promisify(exec)` -> `child_process.exec`) or an unshadowed global (`eval`, `setTimeout`, `JSON.parse`).
   */
  resolvedCallName(call: ts.CallExpression | ts.NewExpression): string | undefined {
    const id = (call as { id?: number }).id!;
    const known = this.resolvedNames.get(id);
    if (known !== undefined) return known ?? undefined;
    const q = this.resolveCallName(call);
    this.resolvedNames.set(id, q ?? null);
    return q;
  }

  private resolveCallName(call: ts.CallExpression | ts.NewExpression): string | undefined {
    const q = this.callName(call);
    if (q) return q;
    const g = this.flow.globalName(call.expression);
    if (g) return g;
    // const run = util.promisify(exec): read from the declaration, without running the data flow
    const callee = skipOuter(call.expression);
    if (!ts.isIdentifier(callee) || !this.importsModule('util')) return undefined;
    const decl = this.declarationOf(callee);
    const init = decl && ts.isVariableDeclaration(decl.parent) && decl.parent.name === decl ? decl.parent.initializer : undefined;
    const made = init && skipOuter(init);
    if (!made || !ts.isCallExpression(made) || made.arguments.length !== 1) return undefined;
    return this.callName(made) === 'util.promisify' ? this.qualifiedName(made.arguments[0]) : undefined;
  }

  private sqlText?: boolean;

  /** Does any string literal of the file look like SQL? (A cheap gate before asking the data flow.) */
  hasSqlText(test: (text: string) => boolean): boolean {
    if (this.sqlText === undefined) {
      this.sqlText = false;
      for (const n of this.nodesOfKind(ts.SyntaxKind.StringLiteral, ts.SyntaxKind.NoSubstitutionTemplateLiteral, ts.SyntaxKind.TemplateHead)) {
        if (test((n as ts.LiteralLikeNode).text)) { this.sqlText = true; break; }
      }
    }
    return this.sqlText;
  }

  /**
   * The constant string an expression spells without running the data flow: literals, templates and `+`
   * of literals, and `const` names bound to those (for rules that look at constant text only, like a
   * regex pattern, where asking the data flow about every `new RegExp(x)` in library code is costly).
   */
  literalText(node: ts.Node | undefined, depth = 0): string | undefined {
    if (!node || depth > 8 || !ts.isExpression(node)) return undefined;
    const e = skipOuter(node);
    if (ts.isStringLiteralLike(e)) return e.text;
    if (ts.isTemplateExpression(e)) {
      let out = e.head.text;
      for (const span of e.templateSpans) {
        const part = this.literalText(span.expression, depth + 1);
        if (part === undefined) return undefined;
        out += part + span.literal.text;
      }
      return out;
    }
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const l = this.literalText(e.left, depth + 1);
      const r = l === undefined ? undefined : this.literalText(e.right, depth + 1);
      return r === undefined ? undefined : l! + r;
    }
    if (ts.isIdentifier(e)) {
      const decl = this.declarationOf(e);
      const v = decl?.parent;
      if (!v || !ts.isVariableDeclaration(v) || v.name !== decl || !v.initializer
        || !ts.isVariableDeclarationList(v.parent) || !(v.parent.flags & ts.NodeFlags.Const)) return undefined;
      return this.literalText(v.initializer, depth + 1);
    }
    return undefined;
  }

  /** The constant string an expression folds to, when the data flow knows it. */
  stringValue(node: ts.Node | undefined): string | undefined {
    const v = this.valueOf(node);
    return v.kind === 'constant' ? v.value : undefined;
  }

  /** The innermost function around a node. */
  enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
    for (let n = node.parent; n; n = n.parent) if (ts.isFunctionLike(n)) return n;
    return undefined;
  }

  private importsText?: string;

  /** The imports as one string: answers that depend on a subtree's text and the imports only are kept under it. */
  get importsKey(): string {
    return this.importsText ??= JSON.stringify([...this.imports]);
  }

  /** True when the file imports or requires the module (`child_process` also matches `node:child_process`). */
  importsModule(module: string): boolean {
    for (const q of this.imports.values()) if (q === module || q.startsWith(module + '.')) return true;
    return false;
  }

  private flowState?: Flow;

  /** Guard names the configuration adds (`authGuards` in .securehints.json). */
  authGuards: readonly string[] = [];
  private routeModel?: JsRoute[];

  /** The file's web routes (Express, Koa, NestJS, Next.js), built on first use; empty without a server framework. */
  routes(): JsRoute[] {
    return this.routeModel ??= buildRoutes(this, this.authGuards);
  }

  /** The data-flow engine of this file (built on first use, one pass per function, memoized). */
  get flow(): Flow {
    return this.flowState ??= new Flow(this);
  }

  /** True when the data flow cut a chain of callers at its depth limit (their parameters read as unknown). */
  get flowDepthLimitHit(): boolean {
    return this.flowState?.depthLimitHit ?? false;
  }

  /** False when no value of the file can be tainted (no source anywhere): see `Flow.mayHaveTaint`. */
  mayHaveTaint(): boolean {
    return this.flow.mayHaveTaint();
  }

  /** False when nothing a server receives reaches this file's values: see `Flow.mayHaveServerTaint`. */
  mayHaveServerTaint(): boolean {
    return this.flow.mayHaveServerTaint();
  }

  /** The data-flow answer for an expression: constant, tainted or unknown. */
  valueOf(node: ts.Node | undefined): Value {
    if (!node) return { kind: 'unknown' };
    if (ts.isStringLiteralLike(node)) return { kind: 'constant', value: node.text };
    if (ts.isNumericLiteral(node)) return { kind: 'constant', value: node.text };
    return toPublic(this.flow.valueOf(node));
  }

  /** True when the expression cannot carry an attack into a sink of this class (constant or sanitized for it). */
  isSafeFor(node: ts.Node | undefined, sink: SinkClass): boolean {
    const v = this.valueOf(node);
    return v.kind === 'constant' || !!v.cleared?.includes(sink);
  }

  /**
   * The expression a variable was last assigned at this point, when exactly one assignment reaches it
   * (`q` in `db.query(q)` after `const q = \`SELECT ... ${id}\``). Rules use it to look at how a value was built.
   */
  definitionOf(node: ts.Node | undefined): ts.Expression | undefined {
    if (!node) return undefined;
    const e = ts.isExpression(node) ? skipOuter(node) : node;
    if (!ts.isIdentifier(e)) return undefined;
    return this.flow.valueOf(e).def as ts.Expression | undefined;
  }

  /**
   * What to report when `expr` reaches a sink of class `sink`: the worst non-safe part of a string built
   * from pieces, or the whole value when it is tainted or was built from strings. Undefined when the
   * value is safe for the sink, or is merely passed through (an unknown parameter of a wrapper).
   */
  sinkValue(expr: ts.Node | undefined, sink: SinkClass): Value | undefined {
    if (!expr || !ts.isExpression(expr)) return undefined;
    const e = skipOuter(expr);
    const v = this.valueOf(e);
    if (v.kind === 'constant' || v.cleared?.includes(sink)) return undefined;
    const parts = this.stringParts(e);
    if (parts) {
      let worst: Value | undefined;
      for (const p of parts) {
        const pv = p.value;
        if (!p.expr || !pv || pv.kind === 'constant' || pv.cleared?.includes(sink)) continue;
        if (!worst || (pv.kind === 'tainted' && worst.kind !== 'tainted')) worst = pv;
      }
      return worst;
    }
    if (v.kind === 'tainted' || this.isBuilt(e)) return v;
    return undefined;
  }

  /** Built by a template literal or `+` with non-constant parts, on some path to here. */
  isBuilt(node: ts.Node | undefined): boolean {
    return !!node && !!this.flow.valueOf(node).built;
  }

  /** The declaration an identifier refers to (its binding identifier), or undefined for globals. */
  declarationOf(id: ts.Identifier): ts.Identifier | undefined {
    return this.flow.scopes.declOf(id);
  }

  /** Every read or write of the variable an identifier refers to, declaration excluded. */
  references(id: ts.Identifier): ts.Identifier[] {
    const decl = this.declarationOf(id) ?? id;
    return this.flow.identifiersNamed(decl.text).filter((x) => x !== decl && this.flow.scopes.declOf(x) === decl);
  }

  /**
   * The pieces a string is built from: the spans of a template literal or the operands of a `+` chain,
   * following a variable to its single definition. Constant pieces carry their text.
   */
  stringParts(node: ts.Node | undefined): StringPart[] | undefined {
    if (!node || !ts.isExpression(node)) return undefined;
    let e = skipOuter(node);
    if (ts.isIdentifier(e)) {
      const def = this.definitionOf(e);
      if (!def) return undefined;
      e = skipOuter(def);
    }
    if (ts.isTemplateExpression(e)) {
      const parts: StringPart[] = [{ text: e.head.text, node: e.head }];
      for (const span of e.templateSpans) {
        parts.push({ expr: span.expression, value: this.valueOf(span.expression) });
        parts.push({ text: span.literal.text, node: span.literal });
      }
      return parts;
    }
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const parts: StringPart[] = [];
      const flat = (x: ts.Expression): void => {
        x = ts.isParenthesizedExpression(x) ? x.expression : x;
        if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken) { flat(x.left); flat(x.right); return; }
        const v = this.valueOf(x);
        if (v.kind === 'constant' && v.value !== undefined) parts.push({ text: v.value, node: x, expr: x });
        else parts.push({ expr: x, value: v });
      };
      flat(e);
      return parts;
    }
    return undefined;
  }

  private collectImports(): void {
    const bindRequire = (name: ts.BindingName, module: string) => {
      if (ts.isIdentifier(name)) this.imports.set(name.text, module);
      else if (ts.isObjectBindingPattern(name)) {
        for (const el of name.elements) {
          const prop = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text
            : ts.isIdentifier(el.name) ? el.name.text : undefined;
          if (prop && ts.isIdentifier(el.name)) this.imports.set(el.name.text, `${module}.${prop}`);
        }
      }
    };
    const K = ts.SyntaxKind;
    for (const node of this.nodesOfKind(K.ImportDeclaration, K.ImportEqualsDeclaration, K.VariableDeclaration)) {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const module = moduleName(node.moduleSpecifier.text);
        const clause = node.importClause;
        if (clause?.name) this.imports.set(clause.name.text, module);
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) this.imports.set(bindings.name.text, module);
        if (bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) {
            const imported = (el.propertyName ?? el.name).text;
            this.imports.set(el.name.text, imported === 'default' ? module : `${module}.${imported}`);
          }
        }
      } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)
        && ts.isStringLiteral(node.moduleReference.expression)) {
        this.imports.set(node.name.text, moduleName(node.moduleReference.expression.text));
      } else if (ts.isVariableDeclaration(node) && node.initializer) {
        const init = skipOuter(node.initializer);
        if (ts.isCallExpression(init) && isRequire(init)) {
          bindRequire(node.name, moduleName((init.arguments[0] as ts.StringLiteral).text));
        } else if (ts.isPropertyAccessExpression(init) && ts.isCallExpression(init.expression) && isRequire(init.expression)) {
          // const exec = require('child_process').exec
          const module = moduleName((init.expression.arguments[0] as ts.StringLiteral).text);
          bindRequire(node.name, init.name.text === 'default' ? module : `${module}.${init.name.text}`);
        } else if (ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression)
          && init.expression.name.text === 'verbose' && ts.isCallExpression(init.expression.expression)
          && isRequire(init.expression.expression)) {
          // const sqlite3 = require('sqlite3').verbose()
          bindRequire(node.name, moduleName((init.expression.expression.arguments[0] as ts.StringLiteral).text));
        } else if (ts.isIdentifier(init) && this.imports.has(init.text) && !ts.isIdentifier(node.name)) {
          // import pg from 'pg'; const { Pool } = pg
          bindRequire(node.name, this.imports.get(init.text)!);
        } else if (ts.isPropertyAccessExpression(init) && ts.isIdentifier(node.name)) {
          // const exec = cp.exec
          const q = this.qualifiedName(init);
          if (q) this.imports.set(node.name.text, q);
        }
      }
    }
  }
}

/**
 * Bracket nesting past which the file is not parsed: TypeScript's parser recurses once or more per level
 * and overflows the main thread's stack at 500 to 700 levels. Real code stays far below; checking this
 * first gives the same answer on every thread (a worker's stack is larger) and at every JIT state.
 */
export const MAX_BRACKET_NESTING = 400;

/** One pass over the text counting `( [ {` (strings and comments included: an upper bound is enough). */
function bracketsNestedOver(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return false;
}

/** A piece of a built string: constant text, or an expression and its value. */
export interface StringPart {
  text?: string;
  node?: ts.Node;
  expr?: ts.Expression;
  value?: Value;
}

/** The expression inside parentheses, `await`, `!` and type assertions (`as`, `<T>`, `satisfies`). */
export function skipOuter(node: ts.Expression): ts.Expression {
  // a switch on the kind: this runs for nearly every node a rule looks at
  for (;;) {
    switch (node.kind) {
      case ts.SyntaxKind.ParenthesizedExpression: case ts.SyntaxKind.AsExpression: case ts.SyntaxKind.NonNullExpression:
      case ts.SyntaxKind.AwaitExpression: case ts.SyntaxKind.TypeAssertionExpression: case ts.SyntaxKind.SatisfiesExpression:
        node = (node as ts.ParenthesizedExpression).expression;
        continue;
      default:
        return node;
    }
  }
}

export function isRequire(node: ts.CallExpression): boolean {
  return ts.isIdentifier(node.expression) && node.expression.text === 'require'
    && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0]);
}

/** The initializer of property `name` in an object literal, if written literally. */
export function propertyOf(obj: ts.Node | undefined, name: string): ts.Expression | undefined {
  if (!obj || !ts.isObjectLiteralExpression(obj)) return undefined;
  for (const p of obj.properties) {
    const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
    if (key !== name) continue;
    if (ts.isPropertyAssignment(p)) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p)) return p.name;
  }
  return undefined;
}
