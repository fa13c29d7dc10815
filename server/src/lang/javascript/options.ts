import ts from 'typescript';
import { skipOuter, type JsFile } from './front';

/**
 * Options and query objects as a model: what each key holds, wherever the object was written.
 * `jwt.verify(t, k, options)` after `const options = { algorithms: ['none'] }`, objects built with spreads
 * (`{ ...base, secure: false }`) and with simple property assignments (`opts.noent = true`) in the same
 * function all give one model; a part the file cannot see (an unknown spread, a parameter) makes it `open`,
 * and a key it does not list is then unknown, never a finding.
 */
export interface JsOption {
  key: string;
  /** The expression the key holds (as written: rules fold it with the front's helpers). */
  value: ts.Expression;
  /** Where the key is set (a property assignment or `opts.key = ...`): the range to report. */
  at: ts.Node;
  /** The object literal member, when the key was written inside a literal (for fixes that edit it). */
  member?: ts.ObjectLiteralElementLike;
}

export interface JsOptions {
  /** The key's last setting, by key name. */
  keys: Map<string, JsOption>;
  /** Some part of the object is unknown (a spread or a base the file cannot resolve). */
  open: boolean;
  /** The object literal the model starts from (the written one, when there is exactly one). */
  literal?: ts.ObjectLiteralExpression;
}

const MAX_DEPTH = 6;

/**
 * The expression a variable holds at `node`, following `const`/`let` with one reaching definition
 * (undefined when it is not a variable, or its value cannot be pinned to one expression).
 */
export function jsResolve(file: JsFile, node: ts.Expression | undefined): ts.Expression | undefined {
  let e = node ? skipOuter(node) : undefined;
  for (let i = 0; e && ts.isIdentifier(e) && i < MAX_DEPTH; i++) {
    const def = file.definitionOf(e) ?? constInitializer(file, e);
    if (!def || def === e) return undefined;
    e = skipOuter(def);
  }
  return e;
}

/** A `const x = ...` initializer (module or function level), for reads the data flow gave no definition. */
function constInitializer(file: JsFile, id: ts.Identifier): ts.Expression | undefined {
  const decl = file.declarationOf(id);
  const vd = decl?.parent;
  if (!vd || !ts.isVariableDeclaration(vd) || vd.name !== decl || !vd.initializer) return undefined;
  const list = vd.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return undefined;
  return vd.initializer;
}

/** The options model of an argument or variable; undefined when it is not (or not resolvably) an object. */
export function jsOptions(file: JsFile, node: ts.Expression | undefined, depth = 0): JsOptions | undefined {
  if (!node || depth > MAX_DEPTH) return undefined;
  const e = skipOuter(node);
  if (ts.isObjectLiteralExpression(e)) return fromLiteral(file, e, depth);
  if (!ts.isIdentifier(e)) return undefined;
  const target = jsResolve(file, e);
  if (!target || !ts.isObjectLiteralExpression(target)) return undefined;
  const model = fromLiteral(file, target, depth);
  addAssignments(file, e, target, model);
  return model;
}

/** A nested options object under `key` (`session({ cookie: opts })`). */
export function jsSubOptions(file: JsFile, model: JsOptions | undefined, key: string): JsOptions | undefined {
  const entry = model?.keys.get(key);
  return entry ? jsOptions(file, entry.value) : undefined;
}

function fromLiteral(file: JsFile, obj: ts.ObjectLiteralExpression, depth: number): JsOptions {
  const model: JsOptions = { keys: new Map(), open: false, literal: obj };
  for (const p of obj.properties) {
    if (ts.isSpreadAssignment(p)) {
      const base = jsOptions(file, p.expression, depth + 1);
      if (!base) { model.open = true; continue; }
      if (base.open) model.open = true;
      for (const [k, v] of base.keys) model.keys.set(k, v);
      continue;
    }
    const key = keyName(p.name);
    if (key === undefined) { model.open = true; continue; }
    if (ts.isPropertyAssignment(p)) model.keys.set(key, { key, value: p.initializer, at: p, member: p });
    else if (ts.isShorthandPropertyAssignment(p)) model.keys.set(key, { key, value: p.name, at: p, member: p });
  }
  return model;
}

function keyName(name: ts.PropertyName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

/**
 * `opts.key = value` / `opts['key'] = value` between the object's definition and the read at `use`, in the
 * function that reads it. `Object.assign(opts, ...)` and calls that take `opts` make the model open.
 */
function addAssignments(file: JsFile, use: ts.Identifier, def: ts.Expression, model: JsOptions): void {
  const owner = file.enclosingFunction(use);
  const from = def.getEnd();
  const to = use.getStart(file.sourceFile);
  let seen = 0;
  for (const ref of file.references(use)) {
    if (++seen > 200) { model.open = true; return; }
    const pos = ref.getStart(file.sourceFile);
    if (pos <= from || pos >= to || file.enclosingFunction(ref) !== owner) continue;
    const parent = ref.parent;
    if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === ref) {
      const assign = parent.parent;
      if (!ts.isBinaryExpression(assign) || assign.left !== parent) continue;
      if (assign.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const key = ts.isPropertyAccessExpression(parent) ? parent.name.text
        : ts.isStringLiteralLike(parent.argumentExpression) ? parent.argumentExpression.text : undefined;
      if (key === undefined) { model.open = true; continue; }
      model.keys.set(key, { key, value: assign.right, at: assign });
    } else if (ts.isCallExpression(parent) && parent.arguments.includes(ref)) {
      model.open = true;
    }
  }
}
