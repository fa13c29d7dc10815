import ts from 'typescript';

/**
 * Name resolution without a type checker: which declaration an identifier refers to.
 * A declaration is named by its binding identifier node. Scopes are built lazily, once per scope node.
 */
export class Scopes {
  private readonly tables = new Map<ts.Node, Map<string, ts.Identifier>>();

  /** The binding identifier `id` refers to, or undefined for globals. */
  declOf(id: ts.Identifier): ts.Identifier | undefined {
    const name = id.text;
    for (let n: ts.Node | undefined = id.parent; n; n = n.parent) {
      if (!isScope(n)) continue;
      const hit = this.table(n).get(name);
      if (hit) return hit;
    }
    return undefined;
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
    this.tables.set(scope, t);
    fill(scope, t);
    return t;
  }
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

function fill(scope: ts.Node, t: Map<string, ts.Identifier>): void {
  if (ts.isFunctionLike(scope)) {
    const fn = scope as ts.SignatureDeclaration;
    for (const p of fn.parameters) bindNames(p.name, t);
    if (ts.isFunctionExpression(scope) && scope.name) t.set(scope.name.text, scope.name);
    const body = (scope as ts.FunctionLikeDeclarationBase).body;
    if (body && ts.isBlock(body)) {
      declareStatements(body.statements, t);
      hoistVars(body, t);
    }
    return;
  }
  if (ts.isSourceFile(scope) || ts.isModuleBlock(scope) || ts.isClassStaticBlockDeclaration(scope)) {
    const stmts = ts.isClassStaticBlockDeclaration(scope) ? scope.body.statements : scope.statements;
    declareStatements(stmts, t);
    hoistVars(scope, t);
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

/** `var` declarations anywhere in a function body, not inside nested functions. */
function hoistVars(root: ts.Node, t: Map<string, ts.Identifier>): void {
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclarationList(n) && isVarList(n)) for (const d of n.declarations) bindNames(d.name, t);
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    // function declarations in nested blocks belong to those blocks (sloppy-mode hoisting is ignored)
    n.forEachChild(visit);
  };
  root.forEachChild(visit);
}
