import ts from 'typescript';

/**
 * Name resolution without a type checker: which declaration an identifier refers to.
 * A declaration is named by its binding identifier node. Scopes are built lazily, once per scope node.
 */
export class Scopes {
  private readonly tables = new Map<ts.Node, Map<string, ts.Identifier>>();
  /**
   * Declarations by name and `var` lists by the function they hoist to (one pass over the node list, on
   * first use). What a query needs per name (the top-level declaration, the ranges of the scopes its
   * declarations bind in) is worked out for that name only, on its first query: an edit's analysis asks
   * about a few names of a file that declares thousands.
   */
  private facts?: {
    /** Each declared name's declaring nodes, in document order. */
    byName: Map<ts.__String, ts.Node[]>;
    vars: Map<ts.Node, ts.VariableDeclarationList[]>;
  };
  /** For each name asked about, the text ranges (pos, end pairs) of the scopes its declarations bind in. */
  private readonly ranges = new Map<ts.__String, number[]>();

  /** @param nodes every node of the file, in document order; `kinds` their kinds */
  constructor(private readonly nodes: readonly ts.Node[], private readonly kinds: Uint16Array) {}

  /** The binding identifier `id` refers to, or undefined for globals. */
  declOf(id: ts.Identifier): ts.Identifier | undefined {
    const facts = this.facts ??= collectFacts(this.nodes, this.kinds);
    const decls = facts.byName.get(id.escapedText);
    // a name the file never declares is a global: no scope to look through
    if (!decls) return undefined;
    // the file's only declaration of the name, at the top level: visible everywhere, shadowed nowhere
    if (decls.length === 1 && isTopLevel(decls[0])) return (decls[0] as ts.NamedDeclaration).name as ts.Identifier;
    const name = id.text;
    for (let n: ts.Node | undefined = id.parent; n; n = n.parent) {
      if (!isScope(n)) continue;
      const hit = this.table(n).get(name);
      if (hit) return hit;
    }
    return undefined;
  }

  /**
   * True when some declaration of the name is in scope at `id` (so `id` is not a global). Decided from the
   * ranges of the declarations' scopes, without building scope tables: cheaper than `declOf` when only
   * "local or global?" matters (the name of a global function being called).
   */
  isDeclaredAt(id: ts.Identifier): boolean {
    const facts = this.facts ??= collectFacts(this.nodes, this.kinds);
    let ranges = this.ranges.get(id.escapedText);
    if (!ranges) {
      const decls = facts.byName.get(id.escapedText);
      if (!decls) return false;
      ranges = [];
      for (const d of decls) {
        const scope = bindingScope(d);
        if (scope) ranges.push(scope.pos, scope.end);
      }
      this.ranges.set(id.escapedText, ranges);
    }
    const at = id.pos;
    for (let i = 0; i < ranges.length; i += 2) if (ranges[i] <= at && at < ranges[i + 1]) return true;
    return false;
  }

  /** True when `id` is itself the identifier that declares a binding. */
  static isDeclarationName(id: ts.Identifier): boolean {
    const p = id.parent;
    if (!p) return false;
    if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p)
      || ts.isClassDeclaration(p) || ts.isClassExpression(p) || ts.isImportClause(p) || ts.isNamespaceImport(p)
      || ts.isImportSpecifier(p) || ts.isImportEqualsDeclaration(p) || ts.isEnumDeclaration(p)) && p.name === id) return true;
    if (ts.isBindingElement(p) && p.name === id) return true;
    return false;
  }

  /** The analysis unit (function or file) that owns a declaration. */
  static ownerOf(decl: ts.Identifier): ts.Node {
    let n: ts.Node = decl.parent;
    if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name === decl) n = n.parent;
    for (; n.parent; n = n.parent) if (isFunctionScope(n)) return n;
    return n;
  }

  private table(scope: ts.Node): Map<string, ts.Identifier> {
    let t = this.tables.get(scope);
    if (t) return t;
    t = new Map();
    fill(scope, t, this.facts!.vars);
    // most blocks declare nothing: share one empty table
    this.tables.set(scope, t.size ? t : EMPTY);
    return t;
  }
}

const EMPTY = new Map<string, ts.Identifier>();

function collectFacts(nodes: readonly ts.Node[], kinds: Uint16Array): NonNullable<Scopes['facts']> {
  const byName = new Map<ts.__String, ts.Node[]>();
  const vars = new Map<ts.Node, ts.VariableDeclarationList[]>();
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    switch (kinds[i]) {
      case K.VariableDeclaration: case K.Parameter: case K.BindingElement: case K.FunctionDeclaration:
      case K.FunctionExpression: case K.ClassDeclaration: case K.ClassExpression: case K.ImportClause:
      case K.NamespaceImport: case K.ImportSpecifier: case K.ImportEqualsDeclaration: case K.EnumDeclaration: {
        const name = (n as ts.NamedDeclaration).name;
        if (!name || !ts.isIdentifier(name)) break;
        const list = byName.get(name.escapedText);
        if (list) list.push(n);
        else byName.set(name.escapedText, [n]);
        break;
      }
      case K.VariableDeclarationList: {
        if (!isVarList(n as ts.VariableDeclarationList)) break;
        // `var` belongs to the nearest function (or the file); a class body in between stops it
        let owner: ts.Node | undefined = n.parent;
        while (owner && !ts.isFunctionLike(owner) && !ts.isClassLike(owner) && !ts.isSourceFile(owner)
          && !ts.isModuleBlock(owner) && !ts.isClassStaticBlockDeclaration(owner)) owner = owner.parent;
        if (!owner || ts.isClassLike(owner)) break;
        const list = vars.get(owner);
        if (list) list.push(n as ts.VariableDeclarationList);
        else vars.set(owner, [n as ts.VariableDeclarationList]);
        break;
      }
    }
  }
  return { byName, vars };
}

/**
 * The scope a declaration binds its name in, for `isDeclaredAt`: the function for parameters and `var`,
 * the function or class itself for a named function or class expression, else the nearest block-like scope.
 */
function bindingScope(decl: ts.Node): ts.Node | undefined {
  let n: ts.Node | undefined = decl;
  if (ts.isFunctionExpression(decl) || ts.isClassExpression(decl)) return decl;
  // climb out of destructuring patterns to the declaration that owns them
  while (n && (ts.isBindingElement(n) || ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n))) n = n.parent;
  if (!n) return undefined;
  if (ts.isParameter(n)) return n.parent;
  if (ts.isVariableDeclaration(n) && ts.isVariableDeclarationList(n.parent) && isVarList(n.parent)) {
    let owner: ts.Node | undefined = n.parent;
    while (owner && !isFunctionScope(owner)) owner = owner.parent;
    return owner;
  }
  for (let p = n.parent; p; p = p.parent) if (isScope(p)) return p;
  return undefined;
}

/** A declaration made by a statement directly in the file's statement list (an import, a module constant...). */
function isTopLevel(decl: ts.Node): boolean {
  let n = decl.parent;
  switch (decl.kind) {
    case K.FunctionDeclaration: case K.ClassDeclaration: case K.EnumDeclaration: case K.ImportEqualsDeclaration:
      return ts.isSourceFile(n);
    case K.ImportClause: case K.NamespaceImport: case K.ImportSpecifier:
      while (!ts.isImportDeclaration(n)) n = n.parent;
      return ts.isSourceFile(n.parent);
    case K.VariableDeclaration: case K.BindingElement:
      while (ts.isBindingElement(n) || ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n) || ts.isVariableDeclaration(n)) n = n.parent;
      return ts.isVariableDeclarationList(n) && ts.isVariableStatement(n.parent) && ts.isSourceFile(n.parent.parent);
  }
  return false;
}

const K = ts.SyntaxKind;
const FUNCTION_SCOPES = new Set([K.SourceFile, K.FunctionDeclaration, K.FunctionExpression, K.ArrowFunction,
  K.MethodDeclaration, K.Constructor, K.GetAccessor, K.SetAccessor, K.ModuleBlock, K.ClassStaticBlockDeclaration]);
const SCOPES = new Set([...FUNCTION_SCOPES, K.Block, K.ForStatement, K.ForInStatement, K.ForOfStatement,
  K.CatchClause, K.CaseBlock, K.ClassDeclaration, K.ClassExpression]);

export function isFunctionScope(n: ts.Node): boolean {
  return FUNCTION_SCOPES.has(n.kind);
}

function isScope(n: ts.Node): boolean {
  return SCOPES.has(n.kind);
}

export function varKind(decl: ts.Identifier): 'var' | 'let' | 'const' | 'other' {
  let n: ts.Node = decl.parent;
  while (ts.isBindingElement(n) || ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) n = n.parent;
  if (ts.isVariableDeclaration(n) && ts.isVariableDeclarationList(n.parent)) {
    const f = n.parent.flags;
    if (f & ts.NodeFlags.Const) return 'const';
    if (f & (ts.NodeFlags.Let | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing)) return 'let';
    return 'var';
  }
  return 'other';
}

function bindNames(name: ts.BindingName, t: Map<string, ts.Identifier>): void {
  if (ts.isIdentifier(name)) { if (!t.has(name.text)) t.set(name.text, name); return; }
  for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindNames(el.name, t);
}

function fill(scope: ts.Node, t: Map<string, ts.Identifier>, vars: Map<ts.Node, ts.VariableDeclarationList[]>): void {
  const hoistVars = (owner: ts.Node) => {
    for (const list of vars.get(owner) ?? []) for (const d of list.declarations) bindNames(d.name, t);
  };
  if (ts.isFunctionLike(scope)) {
    const fn = scope as ts.SignatureDeclaration;
    for (const p of fn.parameters) bindNames(p.name, t);
    if (ts.isFunctionExpression(scope) && scope.name) t.set(scope.name.text, scope.name);
    const body = (scope as ts.FunctionLikeDeclarationBase).body;
    if (body && ts.isBlock(body)) {
      declareStatements(body.statements, t);
      hoistVars(scope);
    }
    return;
  }
  if (ts.isSourceFile(scope) || ts.isModuleBlock(scope) || ts.isClassStaticBlockDeclaration(scope)) {
    const stmts = ts.isClassStaticBlockDeclaration(scope) ? scope.body.statements : scope.statements;
    declareStatements(stmts, t);
    hoistVars(scope);
    return;
  }
  if (ts.isBlock(scope)) { declareStatements(scope.statements, t); return; }
  if (ts.isCaseBlock(scope)) { for (const c of scope.clauses) declareStatements(c.statements, t); return; }
  if (ts.isCatchClause(scope)) { if (scope.variableDeclaration) bindNames(scope.variableDeclaration.name, t); return; }
  if (ts.isClassDeclaration(scope) || ts.isClassExpression(scope)) { if (scope.name) t.set(scope.name.text, scope.name); return; }
  if ((ts.isForStatement(scope) || ts.isForInStatement(scope) || ts.isForOfStatement(scope)) && scope.initializer
    && ts.isVariableDeclarationList(scope.initializer) && !isVarList(scope.initializer)) {
    for (const d of scope.initializer.declarations) bindNames(d.name, t);
  }
}

function isVarList(list: ts.VariableDeclarationList): boolean {
  return (list.flags & (ts.NodeFlags.Const | ts.NodeFlags.Let | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing)) === 0;
}

/** let/const/class/function/import declared directly in a statement list. */
function declareStatements(stmts: ts.NodeArray<ts.Statement>, t: Map<string, ts.Identifier>): void {
  for (const s of stmts) {
    if (ts.isVariableStatement(s) && !isVarList(s.declarationList)) {
      for (const d of s.declarationList.declarations) bindNames(d.name, t);
    } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) {
      t.set(s.name.text, s.name);
    } else if (ts.isImportDeclaration(s) && s.importClause) {
      const c = s.importClause;
      if (c.name) t.set(c.name.text, c.name);
      const b = c.namedBindings;
      if (b && ts.isNamespaceImport(b)) t.set(b.name.text, b.name);
      if (b && ts.isNamedImports(b)) for (const el of b.elements) t.set(el.name.text, el.name);
    } else if (ts.isImportEqualsDeclaration(s)) {
      t.set(s.name.text, s.name);
    }
  }
}
