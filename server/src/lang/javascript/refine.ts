import ts from 'typescript';
import type { SinkClass } from '../../engine/types';
import type { Env, Flow, Unit } from './dataflow';
import { cloneEnv, joinEnv, skipParens } from './dataflow';
import { regexSinks } from './regex-checks';
import { VALIDATOR_CHECKS } from './sources';
import { ALL_SINKS, CONST, UNKNOWN, clear, constant, type V } from './values';

/**
 * What a branch condition proves about the values it tests, applied to `env` for the branch where
 * the condition is `truth`: allow-lists, `typeof`, equality with constants, numeric checks, validator.js,
 * strict regexes, `startsWith(root)` after `path.resolve`.
 */
export function refine(flow: Flow, cond: ts.Expression, env: Env, truth: boolean, u: Unit): void {
  const c = skipParens(cond);
  if (ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken) {
    refine(flow, c.operand, env, !truth, u);
    return;
  }
  if (ts.isBinaryExpression(c)) {
    binary(flow, c, env, truth, u);
    return;
  }
  if (ts.isCallExpression(c) && truth) call(flow, c, env, u, true);
  else if (ts.isCallExpression(c)) call(flow, c, env, u, false);
  else if (ts.isIdentifier(c)) viaConst(flow, c, env, truth, u);
  // if (!s) return s;  a falsy value is '', 0, null, undefined, false or NaN: nothing to inject
  if (!truth && (ts.isIdentifier(c) || ts.isPropertyAccessExpression(c)) && valueAt(flow, c, u).kind !== 'constant') {
    flow.setTarget(c, CONST, env, u);
  }
}

let constDepth = 0;

/** `const ok = ALLOWED.includes(x); if (!ok) return;` the condition is what the constant was initialized with. */
function viaConst(flow: Flow, id: ts.Identifier, env: Env, truth: boolean, u: Unit): void {
  const def = valueAt(flow, id, u).def as ts.Expression | undefined;
  const decl = def?.parent;
  if (!def || !decl || !ts.isVariableDeclaration(decl) || decl.initializer !== def || constDepth > 2
    || !(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) return;
  constDepth++;
  try {
    refine(flow, def, env, truth, u);
  } finally {
    constDepth--;
  }
}

function valueAt(flow: Flow, e: ts.Expression, u: Unit) {
  return u.values.get(e) ?? flow.valueOf(e);
}

function clearTarget(flow: Flow, e: ts.Expression | undefined, sinks: SinkClass[], env: Env, u: Unit): void {
  if (!e || sinks.length === 0) return;
  let t = skipParens(e);
  // validator.isUUID(id ?? ''), isInt(String(n)), check(x.trim()): the check is about `id`
  for (;;) {
    if (ts.isBinaryExpression(t) && (t.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken
      || t.operatorToken.kind === ts.SyntaxKind.BarBarToken) && valueAt(flow, t.right, u).kind === 'constant') t = skipParens(t.left);
    else if (ts.isCallExpression(t) && t.arguments.length === 1 && ts.isIdentifier(t.expression) && t.expression.text === 'String') t = skipParens(t.arguments[0]);
    else if (ts.isCallExpression(t) && t.arguments.length === 0 && ts.isPropertyAccessExpression(t.expression)
      && ['trim', 'toString', 'toLowerCase', 'toUpperCase'].includes(t.expression.name.text)) t = skipParens(t.expression.expression);
    else break;
  }
  if (!ts.isIdentifier(t) && !ts.isPropertyAccessExpression(t) && !ts.isElementAccessExpression(t)) return;
  const cur = valueAt(flow, t, u);
  if (cur.kind === 'constant') return;
  // keep where it came from (`path.resolve()`): a second guard on the same path still recognizes it
  const next = clear(cur, sinks);
  if (cur.origin) next.origin = cur.origin;
  flow.setTarget(t, next, env, u);
}

function numericLiteral(e: ts.Expression): boolean {
  const t = skipParens(e);
  if (ts.isNumericLiteral(t)) return true;
  return ts.isPrefixUnaryExpression(t) && t.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(t.operand);
}

function binary(flow: Flow, c: ts.BinaryExpression, env: Env, truth: boolean, u: Unit): void {
  const op = c.operatorToken.kind;
  const K = ts.SyntaxKind;
  if (op === K.AmpersandAmpersandToken || op === K.BarBarToken) {
    const and = op === K.AmpersandAmpersandToken;
    if (truth === and) {
      // both sides hold
      refine(flow, c.left, env, truth, u);
      refine(flow, c.right, env, truth, u);
      return;
    }
    // one side or the other: `!(a && b)` is `!a || (a && !b)`
    const first = cloneEnv(env);
    refine(flow, c.left, first, truth, u);
    const second = cloneEnv(env);
    refine(flow, c.left, second, !truth, u);
    refine(flow, c.right, second, truth, u);
    const joined = joinEnv(first, second)!;
    env.vars = joined.vars;
    env.paths = joined.paths;
    return;
  }
  if (op === K.EqualsEqualsEqualsToken || op === K.EqualsEqualsToken || op === K.ExclamationEqualsEqualsToken || op === K.ExclamationEqualsToken) {
    const positive = (op === K.EqualsEqualsEqualsToken || op === K.EqualsEqualsToken) === truth;
    const l = skipParens(c.left);
    const r = skipParens(c.right);
    // ALLOWED.includes(x) === false
    for (const [a, b] of [[l, r], [r, l]] as const) {
      if (b.kind === K.TrueKeyword || b.kind === K.FalseKeyword) {
        refine(flow, a, env, positive === (b.kind === K.TrueKeyword), u);
        return;
      }
    }
    // typeof x === 'number'
    for (const [a, b] of [[l, r], [r, l]] as const) {
      if (ts.isTypeOfExpression(a) && ts.isStringLiteralLike(b)) {
        if (positive && ['number', 'boolean', 'bigint', 'undefined'].includes(b.text)) clearTarget(flow, a.expression, ALL_SINKS, env, u);
        return;
      }
    }
    // list.indexOf(x) !== -1; resolved.indexOf(root) === 0
    for (const [a, b] of [[l, r], [r, l]] as const) {
      if (ts.isCallExpression(a) && numericLiteral(b) && ts.isPropertyAccessExpression(a.expression) && a.expression.name.text === 'indexOf') {
        if (!positive && flow.file.textOf(b) === '-1') allowList(flow, a.expression.expression, a.arguments[0], env, u);
        if (positive && flow.file.textOf(b) === '0') prefixGuard(flow, a.expression.expression, a.arguments[0], env, u);
        return;
      }
    }
    // x === 'asc'
    if (!positive) return;
    for (const [a, b] of [[l, r], [r, l]] as const) {
      const bv = valueAt(flow, b, u);
      if (bv.kind === 'constant' && bv.value !== undefined) hostChecked(flow, a, env, u);
    }
    // resolved.slice(0, root.length) === root
    for (const [a, b] of [[l, r], [r, l]] as const) {
      if (ts.isCallExpression(a) && ts.isPropertyAccessExpression(a.expression) && PREFIX_METHODS.has(a.expression.name.text)
        && a.arguments.length === 2 && flow.file.textOf(a.arguments[0]) === '0') {
        prefixGuard(flow, a.expression.expression, b, env, u);
        return;
      }
    }
    for (const [a, b] of [[l, r], [r, l]] as const) {
      const bv = valueAt(flow, b, u);
      const av = valueAt(flow, a, u);
      if (bv.kind === 'constant' && bv.value !== undefined && av.kind !== 'constant'
        && (ts.isStringLiteralLike(b) || ts.isNumericLiteral(b) || ts.isIdentifier(b) || ts.isPropertyAccessExpression(b))) {
        flow.setTarget(a, constant(bv.value), env, u);
        return;
      }
    }
    return;
  }
  if ((op === K.LessThanToken || op === K.GreaterThanToken || op === K.LessThanEqualsToken || op === K.GreaterThanEqualsToken) && truth) {
    // list.indexOf(x) >= 0 / > -1
    for (const side of [c.left, c.right]) {
      const s = skipParens(side);
      if (ts.isCallExpression(s) && ts.isPropertyAccessExpression(s.expression) && s.expression.name.text === 'indexOf') {
        allowList(flow, s.expression.expression, s.arguments[0], env, u);
        return;
      }
    }
    // a numeric comparison that holds: both sides are numbers (NaN compares false)
    if (numericLiteral(c.right)) clearTarget(flow, c.left, ALL_SINKS, env, u);
    else if (numericLiteral(c.left)) clearTarget(flow, c.right, ALL_SINKS, env, u);
    return;
  }
  if (op === K.InKeyword && truth) allowList(flow, c.right, c.left, env, u);
}

/** `collection.includes(x)` where the collection is not attacker-controlled: x is one of its values. */
function allowList(flow: Flow, collection: ts.Expression, item: ts.Expression | undefined, env: Env, u: Unit): void {
  if (!item) return;
  const cv = valueAt(flow, collection, u);
  if (cv.kind === 'tainted') return;
  hostChecked(flow, item, env, u);
  clearTarget(flow, item, ALL_SINKS, env, u);
}

/**
 * `next.startsWith('/') && !next.startsWith('//')`: a path on this site, not an open redirect. Both halves
 * are needed (`//evil.example` starts with `/`); each records its half on the value until both are seen.
 */
function localPath(flow: Flow, c: ts.CallExpression, truth: boolean, env: Env, u: Unit): void {
  const callee = skipParens(c.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'startsWith' || !c.arguments[0]) return;
  const prefix = valueAt(flow, c.arguments[0], u).value;
  // L: starts with '/'; N: does not start with '//'
  const half = truth && prefix === '/' ? 'L' : !truth && prefix === '//' ? 'N' : undefined;
  const target = callee.expression;
  const cur = valueAt(flow, target, u);
  if (!half || cur.kind === 'constant' || cur.checks?.includes(half)) return;
  const checks = (cur.checks ?? '') + half;
  let next: V;
  if (checks.includes('L') && checks.includes('N')) {
    next = clear(cur, ['redirect']);
    if (cur.origin) next.origin = cur.origin;
  } else next = { ...cur, checks };
  flow.setTarget(target, next, env, u);
}

const HOST_PARTS = new Set(['hostname', 'host', 'origin']);
const HOST_SINKS: SinkClass[] = ['redirect', 'ssrf', 'url'];

/** `url.hostname === 'example.com'`, `ALLOWED.includes(url.host)`: the parsed URL points at a known host. */
function hostChecked(flow: Flow, e: ts.Expression, env: Env, u: Unit): void {
  const t = skipParens(e);
  if (!ts.isPropertyAccessExpression(t) || !HOST_PARTS.has(t.name.text)) return;
  const v = valueAt(flow, t.expression, u);
  // a parsed URL made from data, not a request object (`req.hostname`)
  if (v.kind !== 'tainted' || v.origin?.startsWith('#')) return;
  clearTarget(flow, t.expression, HOST_SINKS, env, u);
  // `const u = new URL(next); if (!ALLOWED.includes(u.host)) return;`: `next` itself points at the known host
  const parsed = parsedFrom(flow, v.def as ts.Expression | undefined, env, u);
  if (parsed) clearTarget(flow, parsed, HOST_SINKS, env, u);
}

const URL_PARSERS = new Set(['URL', 'url.URL', 'url.parse', 'URL.parse']);

/** The variable a parsed URL was made from (`new URL(next)`, `url.parse(next)`), while it still holds that value. */
function parsedFrom(flow: Flow, def: ts.Expression | undefined, env: Env, u: Unit): ts.Identifier | undefined {
  const d = def && skipParens(def);
  if (!d || !(ts.isNewExpression(d) || ts.isCallExpression(d)) || !d.arguments?.length) return undefined;
  const name = flow.file.callName(d) ?? flow.globalName(d.expression);
  const arg = skipParens(d.arguments[0]);
  if (!name || !URL_PARSERS.has(name) || !ts.isIdentifier(arg)) return undefined;
  const then = u.values.get(arg);
  return then && flow.current(arg, env, u) === then ? arg : undefined;
}

function call(flow: Flow, c: ts.CallExpression, env: Env, u: Unit, truth: boolean): void {
  const callee = skipParens(c.expression);
  const arg = c.arguments[0];
  const name = flow.file.callName(c) ?? flow.globalName(callee);
  if (ts.isIdentifier(callee) && !name) {
    // if (!isAllowedColumn(col)) return;  a local predicate: what its return expression proves
    const fn = valueAt(flow, callee, u).func as ts.Node | undefined;
    const proved = fn ? predicate(flow, fn, truth) : [];
    proved.forEach((sinks, i) => clearTarget(flow, c.arguments[i], sinks, env, u));
    return;
  }
  if (!truth) {
    quoteGuard(flow, c, env, u);
    relativeGuard(flow, c, env, u);
    localPath(flow, c, false, env, u);
    // if (isNaN(x)) return;  ->  x is numeric afterwards
    if (name === 'isNaN' && arg) {
      const a = skipParens(arg);
      const inner = ts.isCallExpression(a) && ['Number', 'parseInt', 'parseFloat'].includes(flow.file.textOf(a.expression)) ? a.arguments[0] : a;
      clearTarget(flow, inner, ALL_SINKS, env, u);
    }
    return;
  }
  // if (isURLAllowed(url, allowList)), if (this.isTrustedOrigin(o)): the project's own allow-list check
  const fn = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (arg && ALLOW_CHECK.test(fn)) {
    clearTarget(flow, arg, ['ssrf', 'redirect', 'url'], env, u);
    return;
  }
  if (name === 'Number.isInteger' || name === 'Number.isSafeInteger' || name === 'Number.isFinite' || name === 'isFinite') {
    clearTarget(flow, arg, ALL_SINKS, env, u);
    return;
  }
  if (name && /^validator(?:\/lib\/\w+|\.\w+)?$/.test(name)) {
    const check = name.includes('/lib/') ? name.slice(name.lastIndexOf('/') + 1) : name.slice(name.indexOf('.') + 1);
    const sinks = VALIDATOR_CHECKS[check];
    if (sinks) clearTarget(flow, arg, sinks, env, u);
    return;
  }
  if (ts.isPropertyAccessExpression(callee)) {
    const method = callee.name.text;
    if ((method === 'includes' || method === 'has') && arg) { allowList(flow, callee.expression, arg, env, u); return; }
    if ((method === 'some' || method === 'find') && arg) {
      const item = comparedItem(arg);
      if (item) allowList(flow, callee.expression, item, env, u);
      return;
    }
    if (method === 'hasOwnProperty' && arg) { allowList(flow, callee.expression, arg, env, u); return; }
    if (name === 'Object.hasOwn' || name === 'Object.prototype.hasOwnProperty.call') {
      if (c.arguments[1]) allowList(flow, c.arguments[0], c.arguments[1], env, u);
      return;
    }
    if (method === 'match' && arg && regexSinks(skipParens(arg)).length) {
      // if (hash.match(/^#item-[0-9]+$/)): the whole string matched
      clearTarget(flow, callee.expression, regexSinks(skipParens(arg)), env, u);
      return;
    }
    if (method === 'test' && arg && regexSinks(skipParens(callee.expression)).length) {
      clearTarget(flow, arg, regexSinks(skipParens(callee.expression)), env, u);
      return;
    }
    if (method === 'test' && arg && ts.isIdentifier(skipParens(callee.expression))) {
      const def = valueAt(flow, callee.expression, u).def as ts.Node | undefined;
      if (def) clearTarget(flow, arg, regexSinks(def), env, u);
      return;
    }
    if (method === 'startsWith') {
      prefixGuard(flow, callee.expression, arg, env, u);
      localPath(flow, c, true, env, u);
      return;
    }
  }
}

/** `if (name.includes("'")) return;`: afterwards `name` has no `'` (see quotedParts in dataflow.ts). */
function quoteGuard(flow: Flow, c: ts.CallExpression, env: Env, u: Unit): void {
  const callee = skipParens(c.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'includes' || c.arguments.length !== 1) return;
  const ch = valueAt(flow, c.arguments[0], u);
  const target = skipParens(callee.expression);
  if (ch.kind !== 'constant' || ch.value?.length !== 1 || !ts.isIdentifier(target)) return;
  const cur = valueAt(flow, target, u);
  if (cur.kind === 'constant' || cur.noChars?.includes(ch.value)) return;
  flow.setTarget(target, { ...cur, noChars: (cur.noChars ?? '') + ch.value }, env, u);
}

/** `(x) => x === item` (or `item === x`, a block returning it): the `item` compared with each element. */
function comparedItem(fn: ts.Expression): ts.Expression | undefined {
  const f = skipParens(fn);
  if (!ts.isArrowFunction(f) && !ts.isFunctionExpression(f)) return undefined;
  const p = f.parameters[0]?.name;
  let body: ts.Node | undefined = f.body;
  if (ts.isBlock(body)) body = body.statements.length === 1 && ts.isReturnStatement(body.statements[0]) ? body.statements[0].expression : undefined;
  if (!p || !ts.isIdentifier(p) || !body || !ts.isBinaryExpression(body)) return undefined;
  const op = body.operatorToken.kind;
  if (op !== ts.SyntaxKind.EqualsEqualsEqualsToken && op !== ts.SyntaxKind.EqualsEqualsToken) return undefined;
  const l = skipParens(body.left);
  const r = skipParens(body.right);
  const isParam = (e: ts.Expression) => ts.isIdentifier(e) && e.text === p.text;
  if (isParam(l) && !isParam(r)) return r;
  if (isParam(r) && !isParam(l)) return l;
  return undefined;
}

const PREFIX_METHODS = new Set(['slice', 'substring', 'substr']);
/** Names of allow-list predicates for URLs and hosts (`isValidUrl` checks syntax only: not one). */
const ALLOW_CHECK = /^is[A-Za-z]*(Allowed|Whitelisted|Allowlisted|Permitted|Trusted)(?:[A-Z][A-Za-z]*)?$|^isSafe(?:Url|URL|Uri|URI|Host|Redirect|Origin|Domain)/;

/**
 * `resolved.startsWith(root)` (or `.indexOf(root) === 0`, `.slice(0, root.length) === root`) holds:
 * a path made by `path.resolve`/`path.join` (which remove `..`) stays under a root that is not attacker-controlled.
 */
function prefixGuard(flow: Flow, resolved: ts.Expression, root: ts.Expression | undefined, env: Env, u: Unit): void {
  if (!root || valueAt(flow, root, u).kind === 'tainted') return;
  const v = valueAt(flow, resolved, u);
  if (!v.origin?.startsWith('path.')) return;
  clearTarget(flow, resolved, ['path'], env, u);
  // path.resolve(root, name).startsWith(root): `name` stays under the root when joined to it
  const r = skipParens(resolved);
  if (ts.isCallExpression(r) && /^path\.(?:posix\.|win32\.)?(?:resolve|join|normalize)$/.test(flow.file.callName(r) ?? '')) {
    for (const a of r.arguments) clearTarget(flow, a, ['path'], env, u);
  }
}

// per data flow (one per file), then per function node: an incremental parse hands the same node objects to
// the next version's file, whose answer may differ
const predicates = new WeakMap<Flow, WeakMap<ts.Node, Map<boolean, SinkClass[][]>>>();

/**
 * What a local function that returns a condition proves about each of its parameters when it returns
 * `truth`: `const isColumn = (c) => COLUMNS.includes(c)`, `function inside(p) { return path.resolve(ROOT, p).startsWith(ROOT); }`.
 */
export function predicate(flow: Flow, fn: ts.Node, truth: boolean): SinkClass[][] {
  let ofFlow = predicates.get(flow);
  if (!ofFlow) predicates.set(flow, ofFlow = new WeakMap());
  let byTruth = ofFlow.get(fn);
  const known = byTruth?.get(truth);
  if (known) return known;
  if (!byTruth) ofFlow.set(fn, byTruth = new Map());
  byTruth.set(truth, []);
  const f = fn as ts.FunctionLikeDeclaration;
  if (!(ts.isFunctionDeclaration(fn) || ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || !f.body || flow.inProgress(fn)) return [];
  let ret: ts.Expression | undefined;
  if (!ts.isBlock(f.body)) ret = f.body;
  else {
    const last = f.body.statements[f.body.statements.length - 1];
    if (f.body.statements.length === 1 && last && ts.isReturnStatement(last)) ret = last.expression;
  }
  if (!ret) return [];
  // a scratch analysis of the return expression with parameters of unknown origin (the function's own
  // analysis is left alone: asked now, while its callers are being analysed, it would see partial values)
  const fu: Unit = { fn, args: f.parameters.map(() => UNKNOWN), values: new Map(), all: new Map(), done: false, loopDepth: 0 };
  const env: Env = { vars: new Map(), paths: new Map() };
  f.parameters.forEach((p) => { if (ts.isIdentifier(p.name)) flow.bind(p.name, UNKNOWN, env, fu, p); });
  flow.ev(ret, env, fu);
  refine(flow, ret, env, truth, fu);
  fu.done = true;
  const out: SinkClass[][] = f.parameters.map((p) => {
    if (!ts.isIdentifier(p.name)) return [];
    const after = env.vars.get(p.name);
    if (!after) return [];
    return after.kind === 'constant' ? ALL_SINKS : after.cleared ?? [];
  });
  byTruth.set(truth, out);
  return out;
}

/** The `path.relative(root, p)` call a value was computed by (directly or through a variable). */
function relativeCall(flow: Flow, e: ts.Expression, u: Unit): ts.CallExpression | undefined {
  let t = skipParens(e);
  if (ts.isIdentifier(t)) {
    const def = valueAt(flow, t, u).def as ts.Expression | undefined;
    if (!def) return undefined;
    t = skipParens(def);
  }
  if (!ts.isCallExpression(t) || t.arguments.length !== 2) return undefined;
  const name = flow.file.callName(t);
  return name === 'path.relative' || name === 'path.posix.relative' || name === 'path.win32.relative' ? t : undefined;
}

/** `if (path.relative(root, p).startsWith('..')) return;` afterwards `p` is inside `root`. */
function relativeGuard(flow: Flow, c: ts.CallExpression, env: Env, u: Unit): void {
  const callee = skipParens(c.expression);
  if (!ts.isPropertyAccessExpression(callee) || !['startsWith', 'includes'].includes(callee.name.text) || !c.arguments[0]) return;
  const prefix = valueAt(flow, c.arguments[0], u);
  if (prefix.kind !== 'constant' || !prefix.value?.startsWith('..')) return;
  const rel = relativeCall(flow, callee.expression, u);
  if (!rel || valueAt(flow, rel.arguments[0], u).kind === 'tainted') return;
  clearTarget(flow, rel.arguments[1], ['path'], env, u);
  clearTarget(flow, callee.expression, ['path'], env, u);
}
