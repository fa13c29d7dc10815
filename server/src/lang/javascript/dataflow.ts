import ts from 'typescript';
import type { SinkClass } from '../../engine/types';
import { checkBudget } from '../../engine/budget';
import type { JsFile } from './front';
import { isRequire, moduleName } from './front';
import { Scopes, isFunctionScope } from './scope';
import { KNOWN_GLOBALS } from './globals';
import {
  GLOBALS, MESSAGE_EVENT, NEST_DECORATORS, PASS_THROUGH, PROCESS, PURE_METHODS, SAFE_METHODS, SANITIZERS, SANITIZING_METHODS,
  SOURCE_CALLS, SOURCE_MODULES, STRING_RESULT_METHODS, UNTRUSTED_METHODS, UNTRUSTED_PROPS, inertFields, isInertType,
  isBuildTooling,
} from './sources';
import { predicate, refine } from './refine';
import { paramSource, callbackParam } from './handlers';
import {
  ALL_SINKS, CONST, SAFE, UNKNOWN, asString, clear, constant, contents, join, joinAll, step, strip, tainted, type V,
} from './values';
import { htmlEscapeStep } from './escapes';
import { foldBinary, literal, numberLiteral, truthy } from './fold';
import { regexEscaper, strictRegex } from './regex-checks';

/** What the interpreter knows at one point of a function: variables of this unit, and refined access paths. */
export interface Env {
  vars: Map<ts.Identifier, V>;
  paths: Map<string, { v: V; base: V }>;
}

/** One analysis of one function (or of the file's top level): the value of every expression it evaluated. */
export interface Unit {
  fn: ts.Node;
  /** Argument values when the unit is a call summary; undefined for the function's own analysis. */
  args?: V[];
  values: Map<ts.Node, V>;
  /** Every value each local variable ever held (what closures see). */
  all: Map<ts.Identifier, V>;
  ret?: V;
  outerEnv?: Env;
  done: boolean;
  loopDepth: number;
}

const MAX_SUMMARY_DEPTH = 4;
/**
 * How many functions' own analyses may be running at once: a parameter's value comes from its call
 * sites, which analyzes the callers first, so a chain of functions calling each other nests one
 * analysis per link. Past this depth a parameter is unknown (and the file gets a note).
 */
export const MAX_CALLER_DEPTH = 48;

/** A line, or the node to take it from when it is needed (computing lines and texts eagerly is costly). */
type Loc = number | ts.Node;
type Desc = string | ts.Node;

function newEnv(): Env {
  return { vars: new Map(), paths: new Map() };
}

export function cloneEnv(e: Env): Env {
  return { vars: new Map(e.vars), paths: new Map(e.paths) };
}

export function joinEnv(a: Env | null, b: Env | null): Env | null {
  if (!a) return b;
  if (!b) return a;
  const out = newEnv();
  for (const [k, v] of a.vars) out.vars.set(k, b.vars.has(k) ? join(v, b.vars.get(k)!) : v);
  for (const [k, v] of b.vars) if (!a.vars.has(k)) out.vars.set(k, v);
  for (const [k, p] of a.paths) {
    const q = b.paths.get(k);
    out.paths.set(k, q ? { v: join(p.v, q.v), base: join(p.base, q.base) } : { v: join(p.v, p.base), base: p.base });
  }
  for (const [k, q] of b.paths) if (!a.paths.has(k)) out.paths.set(k, { v: join(q.v, q.base), base: q.base });
  return out;
}

/** The function (or file) whose analysis evaluates `node`. */
export function unitNodeOf(node: ts.Node): ts.Node {
  for (let n = node.parent; n; n = n.parent) if (isFunctionScope(n)) return n;
  return node;
}

/** The expression inside parentheses, `!` and type assertions (unlike `skipOuter`, not `await`). */
export function skipParens(e: ts.Expression): ts.Expression {
  for (;;) {
    switch (e.kind) {
      case ts.SyntaxKind.ParenthesizedExpression: case ts.SyntaxKind.AsExpression: case ts.SyntaxKind.NonNullExpression:
      case ts.SyntaxKind.TypeAssertionExpression: case ts.SyntaxKind.SatisfiesExpression:
        e = (e as ts.ParenthesizedExpression).expression;
        continue;
      default:
        return e;
    }
  }
}

/**
 * The JS/TS data flow: an abstract interpreter run once per function, on demand, memoized.
 * Flow-sensitive inside a function (branches join, early returns prune), flow-insensitive across closures.
 */
export class Flow {
  private readonly units = new Map<ts.Node, Unit>();
  private readonly summaries = new Map<ts.Node, Map<string, V>>();
  /** Functions whose own analysis is running. */
  private readonly active = new Set<ts.Node>();
  /** Functions being summarized for a call (recursion guard). */
  private readonly summarizing = new Set<ts.Node>();
  private depth = 0;
  private ids?: Map<ts.__String, ts.Identifier[]>;
  private assigns?: Map<ts.__String, { id: ts.Identifier; rhs?: ts.Expression }[]>;
  private readonly foreignMemo = new Map<ts.Identifier, V | null>();
  private readonly declIds = new Map<ts.Node, number>();
  /** Set when a chain of callers was cut at MAX_CALLER_DEPTH (the analysis says so in a note). */
  depthLimitHit = false;

  readonly scopes: Scopes;

  /** Build tooling: `process` (argv, env) is the developer's own command line and environment, no source. */
  private readonly buildTooling: boolean;

  constructor(readonly file: JsFile) {
    this.scopes = new Scopes(file.nodes, file.kinds);
    this.buildTooling = isBuildTooling(file.path);
  }

  private ln(l: Loc): number {
    return typeof l === 'number' ? l : this.file.line(l);
  }

  private ds(d: Desc): string {
    return typeof d === 'string' ? d : this.file.textOf(d);
  }

  valueOf(node: ts.Node): V {
    const u = this.unit(unitNodeOf(node));
    const v = u.values.get(node);
    if (v) return v;
    // not on the path the interpreter walked (a type position, a decorator...): evaluate against the final state
    return this.ev(node, newEnv(), u);
  }

  /** The function's own analysis (parameters from their sources or call sites). */
  unit(fn: ts.Node): Unit {
    let u = this.units.get(fn);
    if (u) return u;
    u = { fn, values: new Map(), all: new Map(), done: false, loopDepth: 0 };
    this.units.set(fn, u);
    this.run(u);
    return u;
  }

  /** True while the function's own analysis is running (its values are partial). */
  inProgress(fn: ts.Node): boolean {
    const u = this.units.get(fn);
    return !!u && !u.done;
  }

  private run(u: Unit, own = true): void {
    const fn = u.fn;
    const env = newEnv();
    if (own) this.active.add(fn);
    try {
      if (ts.isSourceFile(fn) || ts.isModuleBlock(fn)) {
        this.stmts(fn.statements, env, u);
      } else if (ts.isClassStaticBlockDeclaration(fn)) {
        this.stmts(fn.body.statements, env, u);
      } else if (ts.isFunctionLike(fn)) {
        const f = fn as ts.SignatureDeclaration & { body?: ts.Node };
        f.parameters.forEach((p, i) => this.bind(p.name, this.paramValue(f, i, p, env, u), env, u, p));
        if (f.body && ts.isBlock(f.body)) this.stmts(f.body.statements, env, u);
        else if (f.body) u.ret = this.ev(f.body, env, u);
      }
    } finally {
      if (own) this.active.delete(fn);
      u.done = true;
    }
  }

  private paramValue(fn: ts.SignatureDeclaration, i: number, p: ts.ParameterDeclaration, env: Env, u: Unit): V {
    let v: V;
    if (u.args) {
      v = p.dotDotDotToken ? { ...joinAll(u.args.slice(i)), elems: u.args.slice(i) } : u.args[i] ?? CONST;
      if (u.args[i] === undefined && p.initializer) v = this.ev(p.initializer, env, u);
    } else {
      v = this.sourceOf(fn, i, p) ?? callbackParam(this, fn, i) ?? this.callSiteArgs(fn, i) ?? UNKNOWN;
      if (p.initializer) v = join(v, this.ev(p.initializer, env, u));
    }
    return isInertType(p.type) ? clear(v, ALL_SINKS) : p.type ? this.typedFields(v, p.type) : v;
  }

  /** `{ id }: { id: number }`: the fields typed number or boolean read as cleared values. */
  private typedFields(v: V, type: ts.TypeNode): V {
    if (v.kind === 'constant') return v;
    const names = inertFields(type);
    if (!names.length) return v;
    const fields = new Map(v.fields);
    for (const k of names) fields.set(k, clear(strip(this.read(v, k, k, type)), ALL_SINKS));
    return { ...v, fields, ...(v.fields ? {} : { rest: v }) };
  }

  private taintPossible?: boolean;

  /**
   * False when nothing in the file can produce a tainted value: no parameter of any function is a
   * source (request handlers, message handlers, decorated controller parameters) and no global source
   * (`location`, `document`, `window`, `localStorage`, `process.argv`...) is read. Rules that report
   * only tainted data ask this first, so that library code without sources skips the data flow.
   * Every way the interpreter creates taint starts from `sourceOf` or `global`: keep this in step.
   */
  mayHaveTaint(): boolean {
    return this.taintPossible ??= this.scanForSources(false);
  }

  private serverTaintPossible?: boolean;

  /**
   * `mayHaveTaint` counting only what a server receives from the network (requests, socket messages,
   * Lambda events, next/headers), not the browser's own page state (location, document, storage,
   * postMessage events, router hooks) nor the local user's command line: for sinks that matter only on a
   * server, like its log files.
   */
  mayHaveServerTaint(): boolean {
    // a server source is a source: a file without any (most library code) needs no second scan
    return this.serverTaintPossible ??= this.mayHaveTaint() && this.scanForSources(true);
  }

  private scanForSources(serverOnly: boolean): boolean {
    const modules = serverOnly ? SOURCE_MODULES.filter((m) => m === 'next/headers') : SOURCE_MODULES;
    if (modules.some((m) => this.file.importsModule(m))) return true;
    const { nodes, kinds } = this.file;
    const K = ts.SyntaxKind;
    for (let i = 0; i < kinds.length; i++) {
      const k = kinds[i];
      if (k === K.Identifier) {
        // globals (`location`, `process.argv`...) are never what a server receives
        if (serverOnly) continue;
        const id = nodes[i] as ts.Identifier;
        const marker = GLOBALS[id.text];
        if (!marker || serverOnly || isPropertyName(id) || this.scopes.isDeclaredAt(id)) continue;
        // `process` is a source only through `process.argv`, and never in build tooling (the developer's own)
        if (marker === PROCESS && (!this.identifierIndex().has('argv' as ts.__String) || this.buildTooling)) continue;
        return true;
      }
      if (k === K.FunctionDeclaration || k === K.FunctionExpression || k === K.ArrowFunction || k === K.MethodDeclaration
        || k === K.Constructor || k === K.GetAccessor || k === K.SetAccessor) {
        const fn = nodes[i] as ts.SignatureDeclaration;
        for (let j = 0; j < fn.parameters.length; j++) {
          const source = this.sourceOf(fn, j, fn.parameters[j]);
          if (source && !(serverOnly && source.origin === MESSAGE_EVENT)) return true;
        }
      }
    }
    return false;
  }

  private sourceOf(fn: ts.SignatureDeclaration, i: number, p: ts.ParameterDeclaration): V | undefined {
    for (const d of ts.canHaveDecorators(p) ? ts.getDecorators(p) ?? [] : []) {
      const callee = ts.isCallExpression(d.expression) ? d.expression.expression : d.expression;
      const kind = ts.isIdentifier(callee) ? NEST_DECORATORS[callee.text] : undefined;
      if (kind === 'request') return { kind: 'unknown', origin: '#request' };
      if (kind === 'tainted') return tainted({ description: this.file.textOf(p).slice(0, 60), line: this.file.line(p) });
    }
    return paramSource(this.file, fn, i, p);
  }

  /** The join of the arguments at the file's call sites, when the function is only ever called directly. */
  private callSiteArgs(fn: ts.SignatureDeclaration, i: number): V | undefined {
    let name: ts.Identifier | undefined;
    if (ts.isFunctionDeclaration(fn)) name = fn.name;
    else if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent)
      && fn.parent.initializer === fn && ts.isIdentifier(fn.parent.name)) name = fn.parent.name;
    if (!name || isExported(fn)) return undefined;
    const refs = this.referencesOf(name);
    if (refs.length === 0) return undefined;
    const values: V[] = [];
    for (const ref of refs) {
      const call = ref.parent;
      if (!ts.isCallExpression(call) || call.expression !== ref) return undefined;
      if (call.arguments.slice(0, i + 1).some((a) => ts.isSpreadElement(a))) return UNKNOWN;
      const arg = call.arguments[i];
      if (!arg) { values.push(CONST); continue; }
      // a caller whose analysis is running (recursion): its argument could be anything
      const caller = unitNodeOf(arg);
      if (this.active.has(caller)) { values.push(UNKNOWN); continue; }
      // a long chain of callers: stop before the stack does
      if (this.active.size >= MAX_CALLER_DEPTH && !this.units.has(caller)) { this.depthLimitHit = true; values.push(UNKNOWN); continue; }
      values.push(this.valueOf(arg));
    }
    if (!values.length) return undefined;
    // `resolveKey({ keyValue, clientIp: req.ip })`: a destructured parameter reads each field, not their join
    const all = joinAll(values);
    const out = strip(all);
    if (all.fields) { out.fields = all.fields; if (all.rest) out.rest = all.rest; }
    return out;
  }

  private readonly refs = new Map<ts.Identifier, ts.Identifier[]>();

  /** The identifiers that refer to a declaration (memoized: asked once per parameter of a function). */
  private referencesOf(decl: ts.Identifier): ts.Identifier[] {
    let refs = this.refs.get(decl);
    if (!refs) {
      // `{ page: 1 }`, `x.page`, `interface Q { page: number }` name a property, not the declaration
      refs = (this.identifierIndex().get(decl.escapedText) ?? [])
        .filter((id) => id !== decl && !isPropertyName(id) && this.scopes.declOf(id) === decl);
      this.refs.set(decl, refs);
    }
    return refs;
  }

  identifiersNamed(name: string): ts.Identifier[] {
    return this.identifierIndex().get(ts.escapeLeadingUnderscores(name)) ?? [];
  }

  /** Every identifier of the file by name (built on first use). */
  private identifierIndex(): Map<ts.__String, ts.Identifier[]> {
    if (this.ids) return this.ids;
    const ids = new Map<ts.__String, ts.Identifier[]>();
    for (const n of this.file.nodesOfKind(ts.SyntaxKind.Identifier)) {
      const key = (n as ts.Identifier).escapedText;
      const list = ids.get(key);
      if (list) list.push(n as ts.Identifier);
      else ids.set(key, [n as ts.Identifier]);
    }
    return this.ids = ids;
  }

  /** Assignments (`x = e`, `x += e`) to plain variables by name, with the assigned expression for `=`. */
  private assignIndex(): Map<ts.__String, { id: ts.Identifier; rhs?: ts.Expression }[]> {
    if (this.assigns) return this.assigns;
    const assigns = new Map<ts.__String, { id: ts.Identifier; rhs?: ts.Expression }[]>();
    for (const n of this.file.nodesOfKind(ts.SyntaxKind.BinaryExpression)) {
      const b = n as ts.BinaryExpression;
      const left = skipParens(b.left);
      if (!isAssignmentOp(b.operatorToken.kind) || !ts.isIdentifier(left)) continue;
      const entry = { id: left, rhs: b.operatorToken.kind === ts.SyntaxKind.EqualsToken ? b.right : undefined };
      const list = assigns.get(left.escapedText);
      if (list) list.push(entry);
      else assigns.set(left.escapedText, [entry]);
    }
    return this.assigns = assigns;
  }

  /** What assignments from other functions (closures) may have stored in a variable. */
  private foreign(decl: ts.Identifier, owner: ts.Node): V | undefined {
    if (this.foreignMemo.has(decl)) return this.foreignMemo.get(decl) ?? undefined;
    this.foreignMemo.set(decl, null);
    const list = this.assignIndex().get(decl.escapedText);
    if (!list) return undefined;
    const values: V[] = [];
    for (const a of list) {
      if (unitNodeOf(a.id) === owner || this.scopes.declOf(a.id) !== decl) continue;
      // `x = e` stores e; `x += e` (in a forEach callback) stores what the whole assignment gives
      const stored = a.rhs ?? (a.id.parent as ts.Expression);
      values.push(this.active.has(unitNodeOf(stored)) ? UNKNOWN : strip(this.valueOf(stored)));
    }
    const v = values.length ? joinAll(values) : undefined;
    this.foreignMemo.set(decl, v ?? null);
    return v;
  }

  // ---- statements ----

  stmts(list: ts.NodeArray<ts.Statement> | readonly ts.Statement[], env: Env, u: Unit): Env | null {
    for (const s of list) {
      if (ts.isFunctionDeclaration(s) && s.name) this.setVar(s.name, { kind: 'unknown', func: s }, env, u);
    }
    let cur: Env | null = env;
    for (const s of list) {
      checkBudget();
      cur = this.exec(s, cur, u);
      if (!cur) return null;
    }
    return cur;
  }

  private exec(s: ts.Statement, env: Env, u: Unit): Env | null {
    switch (s.kind) {
      case ts.SyntaxKind.Block:
        return this.stmts((s as ts.Block).statements, env, u);
      case ts.SyntaxKind.VariableStatement:
        this.declare((s as ts.VariableStatement).declarationList, env, u);
        return env;
      case ts.SyntaxKind.ExpressionStatement: {
        const e = (s as ts.ExpressionStatement).expression;
        this.ev(e, env, u);
        if (ts.isCallExpression(e)) {
          const name = this.file.textOf(e.expression);
          if (name === 'process.exit') return null;
          if ((name === 'assert' || name === 'assert.ok' || name === 'invariant' || name === 'assert.strict')
            && e.arguments[0]) refine(this, e.arguments[0], env, true, u);
        }
        return env;
      }
      case ts.SyntaxKind.IfStatement: {
        const st = s as ts.IfStatement;
        const t = truthy(this.ev(st.expression, env, u));
        if (t !== undefined) {
          // the condition folds to a constant (`if (LIMIT * 2 > 10)`): only one branch runs
          const dead = t ? st.elseStatement : st.thenStatement;
          if (dead) this.markDead(dead, u);
          const live = t ? st.thenStatement : st.elseStatement;
          return live ? this.exec(live, env, u) : env;
        }
        const yes = cloneEnv(env);
        refine(this, st.expression, yes, true, u);
        const no = cloneEnv(env);
        refine(this, st.expression, no, false, u);
        const a = this.exec(st.thenStatement, yes, u);
        const b = st.elseStatement ? this.exec(st.elseStatement, no, u) : no;
        return joinEnv(a, b);
      }
      case ts.SyntaxKind.ReturnStatement: {
        const e = (s as ts.ReturnStatement).expression;
        const v = e ? this.ev(e, env, u) : CONST;
        u.ret = u.ret ? join(u.ret, v) : v;
        return null;
      }
      case ts.SyntaxKind.ThrowStatement:
        this.ev((s as ts.ThrowStatement).expression, env, u);
        return null;
      case ts.SyntaxKind.ForStatement:
      case ts.SyntaxKind.ForOfStatement:
      case ts.SyntaxKind.ForInStatement:
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement:
        return this.loop(s as ts.IterationStatement, env, u);
      case ts.SyntaxKind.SwitchStatement:
        return this.switch(s as ts.SwitchStatement, env, u);
      case ts.SyntaxKind.TryStatement: {
        const st = s as ts.TryStatement;
        const t = this.exec(st.tryBlock, cloneEnv(env), u);
        let out = t;
        if (st.catchClause) {
          const start = joinEnv(cloneEnv(env), t ? cloneEnv(t) : null)!;
          if (st.catchClause.variableDeclaration) this.bind(st.catchClause.variableDeclaration.name, UNKNOWN, start, u, st.catchClause);
          out = joinEnv(t, this.exec(st.catchClause.block, start, u));
        }
        if (st.finallyBlock) {
          const f = this.exec(st.finallyBlock, out ? out : cloneEnv(env), u);
          return out ? f : null;
        }
        return out;
      }
      case ts.SyntaxKind.LabeledStatement:
        return this.exec((s as ts.LabeledStatement).statement, env, u);
      case ts.SyntaxKind.ExportAssignment:
        this.ev((s as ts.ExportAssignment).expression, env, u);
        return env;
      case ts.SyntaxKind.ClassDeclaration:
        this.classBody(s as ts.ClassDeclaration, env, u);
        return env;
      default:
        return env;
    }
  }

  private declare(list: ts.VariableDeclarationList, env: Env, u: Unit): void {
    for (const d of list.declarations) {
      let v = d.initializer ? this.ev(d.initializer, env, u) : CONST;
      if (isInertType(d.type)) v = clear(v, ALL_SINKS);
      else if (d.type) v = this.typedFields(v, d.type);
      this.bind(d.name, v, env, u, d, d.initializer);
    }
  }

  private loop(s: ts.IterationStatement, env: Env, u: Unit): Env {
    let iter: V | undefined;
    if (ts.isForStatement(s) && s.initializer) {
      if (ts.isVariableDeclarationList(s.initializer)) this.declare(s.initializer, env, u);
      else this.ev(s.initializer, env, u);
    }
    if (ts.isForOfStatement(s) || ts.isForInStatement(s)) {
      const coll = this.ev(s.expression, env, u);
      iter = ts.isForOfStatement(s) ? contents(coll)
        : coll.kind === 'tainted' ? strip(coll) : coll.kind === 'constant' || coll.fields ? CONST : UNKNOWN;
    }
    const once = (start: Env): Env => {
      const e = cloneEnv(start);
      if (iter && (ts.isForOfStatement(s) || ts.isForInStatement(s))) {
        const init = s.initializer;
        if (ts.isVariableDeclarationList(init)) {
          for (const d of init.declarations) this.bind(d.name, iter, e, u, d);
        } else this.assign(init, iter, e, u, init);
      }
      if ((ts.isForStatement(s) && s.condition) || ts.isWhileStatement(s)) {
        const cond = ts.isForStatement(s) ? s.condition! : (s as ts.WhileStatement).expression;
        this.ev(cond, e, u);
        refine(this, cond, e, true, u);
      }
      const after = this.exec(s.statement, e, u) ?? cloneEnv(start);
      if (ts.isForStatement(s) && s.incrementor) this.ev(s.incrementor, after, u);
      if (ts.isDoStatement(s)) this.ev(s.expression, after, u);
      return after;
    };
    u.loopDepth++;
    const first = once(env);
    const second = u.loopDepth > 3 ? first : once(joinEnv(cloneEnv(env), first)!);
    u.loopDepth--;
    return ts.isDoStatement(s) ? second : joinEnv(env, second)!;
  }

  private switch(s: ts.SwitchStatement, env: Env, u: Unit): Env | null {
    this.ev(s.expression, env, u);
    let fall: Env | null = null;
    const ends: (Env | null)[] = [];
    let hasDefault = false;
    for (const clause of s.caseBlock.clauses) {
      let start = cloneEnv(env);
      if (ts.isCaseClause(clause)) {
        const cv = this.ev(clause.expression, start, u);
        if (cv.kind === 'constant') this.setTarget(s.expression, cv, start, u);
      } else hasDefault = true;
      start = joinEnv(start, fall)!;
      const end = this.stmts(clause.statements, start, u);
      const last = clause.statements[clause.statements.length - 1];
      if (last && ts.isBreakStatement(last)) { ends.push(end); fall = null; } else fall = end;
    }
    ends.push(fall);
    if (!hasDefault) ends.push(env);
    return ends.reduce<Env | null>((a, b) => joinEnv(a, b), null);
  }

  private classBody(c: ts.ClassLikeDeclaration, env: Env, u: Unit): void {
    for (const m of c.members) {
      if (ts.isPropertyDeclaration(m) && m.initializer) this.ev(m.initializer, env, u);
    }
    if (c.name && ts.isClassDeclaration(c)) this.setVar(c.name, UNKNOWN, env, u);
  }

  // ---- bindings ----

  /** Binds a declared name (or destructuring pattern) to a value. */
  bind(name: ts.BindingName, v: V, env: Env, u: Unit, line: Loc, def?: ts.Expression, desc?: string): void {
    if (ts.isIdentifier(name)) {
      const val: V = { ...(v.kind === 'tainted' ? step(v, name.text, this.ln(line)) : v) };
      if (def) val.def = def; else delete val.def;
      this.setVar(name, val, env, u);
      return;
    }
    // `const { a } = req.body || {}` reads `(req.body || {}).a`
    const simple = def && (ts.isIdentifier(def) || ts.isPropertyAccessExpression(def) || ts.isElementAccessExpression(def) || ts.isCallExpression(def));
    const base = desc ?? (def ? (simple ? this.file.textOf(def) : `(${this.file.textOf(def)})`) : '');
    name.elements.forEach((el, i) => {
      if (ts.isOmittedExpression(el)) return;
      let sub: V;
      if (el.dotDotDotToken) sub = ts.isArrayBindingPattern(name) && v.elems ? { ...joinAll(v.elems.slice(i)), elems: v.elems.slice(i) } : strip(v);
      else if (ts.isArrayBindingPattern(name)) sub = this.read(v, String(i), `${base}[${i}]`, line);
      else {
        const key = this.propertyKey(el.propertyName ?? el.name, env, u);
        sub = this.read(v, key, key === undefined ? base : base ? `${base}.${key}` : key, line);
      }
      if (el.initializer) sub = join(sub, this.ev(el.initializer, env, u));
      this.bind(el.name, sub, env, u, line, undefined, ts.isIdentifier(el.name) ? undefined : `${base}.${this.file.textOf(el.propertyName ?? el.name)}`);
    });
  }

  private propertyKey(n: ts.Node, env: Env, u: Unit): string | undefined {
    if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isPrivateIdentifier(n)) return n.text;
    if (ts.isComputedPropertyName(n)) {
      const k = this.ev(n.expression, env, u);
      return k.kind === 'constant' ? k.value : undefined;
    }
    return undefined;
  }

  setVar(decl: ts.Identifier, v: V, env: Env, u: Unit): void {
    if (Scopes.ownerOf(decl) === u.fn) {
      env.vars.set(decl, v);
      const prev = u.all.get(decl);
      u.all.set(decl, prev ? join(prev, v) : v);
    } else {
      env.paths.set(this.keyOf(decl), { v, base: v });
    }
    this.dropPaths(this.keyOf(decl), env);
  }

  private dropPaths(prefix: string, env: Env): void {
    if (env.paths.size === 0) return;
    for (const k of [...env.paths.keys()]) if (k.startsWith(prefix + '.')) env.paths.delete(k);
  }

  keyOf(decl: ts.Node): string {
    let id = this.declIds.get(decl);
    if (id === undefined) this.declIds.set(decl, id = this.declIds.size);
    return `#${id}`;
  }

  /** `a.b["c"]` rooted at a variable: a key for refinements and stores; undefined for anything else. */
  pathKey(e: ts.Expression): string | undefined {
    e = skipParens(e);
    if (e.kind === ts.SyntaxKind.ThisKeyword) return 'this';
    if (ts.isIdentifier(e)) {
      const decl = this.scopes.declOf(e);
      return decl ? this.keyOf(decl) : `g:${e.text}`;
    }
    if (ts.isPropertyAccessExpression(e)) {
      const base = this.pathKey(e.expression);
      return base && `${base}.${e.name.text}`;
    }
    if (ts.isElementAccessExpression(e) && (ts.isStringLiteralLike(e.argumentExpression) || ts.isNumericLiteral(e.argumentExpression))) {
      const base = this.pathKey(e.expression);
      return base && `${base}.${e.argumentExpression.text}`;
    }
    return undefined;
  }

  /** Replaces what the interpreter knows about a variable or access path (a refinement). */
  setTarget(e: ts.Expression, v: V, env: Env, u: Unit): void {
    e = skipParens(e);
    if (ts.isIdentifier(e)) {
      const decl = this.scopes.declOf(e);
      if (decl) {
        const cur = this.lookup(e, env, u);
        const val: V = { ...v };
        if (cur.def) val.def = cur.def;
        if (Scopes.ownerOf(decl) === u.fn) this.setVar(decl, val, env, u);
        else {
          // a closure's refinement of an outer variable: the branch that did not refine still sees the old value
          const key = this.keyOf(decl);
          env.paths.set(key, { v: val, base: env.paths.get(key)?.base ?? cur });
          this.dropPaths(key, env);
        }
      }
      return;
    }
    const key = this.pathKey(e);
    if (!key) return;
    const base = u.values.get(e) ?? this.ev(e, env, u);
    env.paths.set(key, { v, base: env.paths.get(key)?.base ?? base });
    this.dropPaths(key, env);
  }

  /** An assignment `target = v` (including destructuring assignment). */
  assign(target: ts.Node, v: V, env: Env, u: Unit, line: Loc, def?: ts.Expression): void {
    const t = ts.isExpression(target) ? skipParens(target) : target;
    if (ts.isIdentifier(t)) {
      const decl = this.scopes.declOf(t);
      if (!decl) return;
      const val: V = { ...(v.kind === 'tainted' ? step(v, t.text, this.ln(line)) : v) };
      if (def) val.def = def; else delete val.def;
      this.setVar(decl, val, env, u);
      return;
    }
    if (ts.isPropertyAccessExpression(t) || ts.isElementAccessExpression(t)) {
      const key = this.pathKey(t);
      if (key) {
        env.paths.set(key, { v, base: CONST });
        this.dropPaths(key, env);
      }
      // the object as a whole now holds the value too
      let root: ts.Expression = t.expression;
      while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = root.expression;
      root = skipParens(root);
      if (ts.isIdentifier(root)) {
        const decl = this.scopes.declOf(root);
        if (decl && Scopes.ownerOf(decl) === u.fn && env.vars.has(decl)) {
          const cur = env.vars.get(decl)!;
          const name = ts.isPropertyAccessExpression(t) ? t.name.text : key?.slice(key.lastIndexOf('.') + 1);
          const next: V = { ...join(strip(cur), strip(v)) };
          // `o.a = v`, `req.body = data`, `req.headers[h] = data`: the object's other properties (`req.ip`) keep what they held
          let top: ts.Expression = t;
          while ((ts.isPropertyAccessExpression(top) || ts.isElementAccessExpression(top)) && skipParens(top.expression) !== root) top = top.expression;
          const first = top === t ? name : ts.isPropertyAccessExpression(top) ? top.name.text
            : ts.isElementAccessExpression(top) && ts.isStringLiteralLike(top.argumentExpression) ? top.argumentExpression.text : undefined;
          if (first !== undefined && !cur.elems) {
            const held = top === t ? v : join(strip(this.read(cur, first, '', line)), strip(v));
            next.fields = new Map(cur.fields ?? []).set(first, held);
            if (!cur.fields) next.rest = strip(cur);
            else if (cur.rest) next.rest = cur.rest;
          }
          if (cur.def) next.def = cur.def;
          env.vars.set(decl, next);
          u.all.set(decl, join(u.all.get(decl) ?? CONST, next));
        }
      }
      return;
    }
    if (ts.isArrayLiteralExpression(t)) {
      t.elements.forEach((el, i) => {
        if (ts.isSpreadElement(el)) this.assign(el.expression, strip(v), env, u, line);
        else if (!ts.isOmittedExpression(el)) this.assign(el, this.read(v, String(i), '', line), env, u, line);
      });
      return;
    }
    if (ts.isObjectLiteralExpression(t)) {
      for (const p of t.properties) {
        if (ts.isShorthandPropertyAssignment(p)) this.assign(p.name, this.read(v, p.name.text, '', line), env, u, line);
        else if (ts.isPropertyAssignment(p)) {
          const key = this.propertyKey(p.name, env, u);
          this.assign(p.initializer, this.read(v, key, '', line), env, u, line);
        } else if (ts.isSpreadAssignment(p)) this.assign(p.expression, strip(v), env, u, line);
      }
      return;
    }
    if (ts.isBinaryExpression(t) && t.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      // a default in a destructuring assignment: `[a = 1] = arr`
      this.assign(t.left, join(v, this.ev(t.right, env, u)), env, u, line);
    }
  }

  // ---- expressions ----

  ev(n: ts.Node, env: Env, u: Unit): V {
    const v = this.ev1(n, env, u);
    u.values.set(n, v);
    return v;
  }

  private ev1(n: ts.Node, env: Env, u: Unit): V {
    switch (n.kind) {
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.NumericLiteral:
        return numberLiteral((n as ts.NumericLiteral).text);
      case ts.SyntaxKind.BigIntLiteral:
      case ts.SyntaxKind.RegularExpressionLiteral:
        return constant((n as ts.LiteralLikeNode).text);
      case ts.SyntaxKind.TrueKeyword: return literal(true);
      case ts.SyntaxKind.FalseKeyword: return literal(false);
      case ts.SyntaxKind.NullKeyword: return constant('null');
      case ts.SyntaxKind.Identifier: return this.lookup(n as ts.Identifier, env, u);
      case ts.SyntaxKind.ThisKeyword:
      case ts.SyntaxKind.SuperKeyword:
        return UNKNOWN;
      case ts.SyntaxKind.TemplateExpression: {
        const t = n as ts.TemplateExpression;
        const parts: V[] = [constant(t.head.text)];
        for (const span of t.templateSpans) {
          parts.push(this.ev(span.expression, env, u));
          parts.push(constant(span.literal.text));
        }
        return asString(concat(parts));
      }
      case ts.SyntaxKind.ParenthesizedExpression:
      case ts.SyntaxKind.AsExpression:
      case ts.SyntaxKind.NonNullExpression:
      case ts.SyntaxKind.SatisfiesExpression:
      case ts.SyntaxKind.TypeAssertionExpression:
      case ts.SyntaxKind.AwaitExpression:
        return this.ev((n as ts.ParenthesizedExpression).expression, env, u);
      case ts.SyntaxKind.PropertyAccessExpression:
      case ts.SyntaxKind.ElementAccessExpression:
        return this.member(n as ts.PropertyAccessExpression | ts.ElementAccessExpression, env, u);
      case ts.SyntaxKind.CallExpression:
        return this.call(n as ts.CallExpression, env, u);
      case ts.SyntaxKind.NewExpression:
        return this.newExpr(n as ts.NewExpression, env, u);
      case ts.SyntaxKind.BinaryExpression:
        return this.binary(n as ts.BinaryExpression, env, u);
      case ts.SyntaxKind.PrefixUnaryExpression:
      case ts.SyntaxKind.PostfixUnaryExpression: {
        const e = n as ts.PrefixUnaryExpression;
        const v = this.ev(e.operand, env, u);
        if (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken) {
          this.assign(e.operand, SAFE, env, u, e);
          return SAFE;
        }
        if (e.operator === ts.SyntaxKind.ExclamationToken) {
          const t = truthy(v);
          return t === undefined ? SAFE : literal(!t);
        }
        if (e.operator === ts.SyntaxKind.MinusToken && typeof v.lit === 'number') return literal(-v.lit);
        if (v.kind === 'constant') return v.value !== undefined && e.operator === ts.SyntaxKind.MinusToken ? constant('-' + v.value) : CONST;
        return clear(strip(v), ALL_SINKS);
      }
      case ts.SyntaxKind.TypeOfExpression:
      case ts.SyntaxKind.DeleteExpression:
        this.ev((n as ts.TypeOfExpression).expression, env, u);
        return SAFE;
      case ts.SyntaxKind.VoidExpression:
        this.ev((n as ts.VoidExpression).expression, env, u);
        return CONST;
      case ts.SyntaxKind.ConditionalExpression: {
        const c = n as ts.ConditionalExpression;
        const t = truthy(this.ev(c.condition, env, u));
        if (t !== undefined) {
          this.markDead(t ? c.whenFalse : c.whenTrue, u);
          return this.ev(t ? c.whenTrue : c.whenFalse, env, u);
        }
        const yes = cloneEnv(env);
        refine(this, c.condition, yes, true, u);
        const no = cloneEnv(env);
        refine(this, c.condition, no, false, u);
        return join(this.ev(c.whenTrue, yes, u), this.ev(c.whenFalse, no, u));
      }
      case ts.SyntaxKind.ArrayLiteralExpression: {
        const elems: V[] = [];
        let spread = false;
        for (const el of (n as ts.ArrayLiteralExpression).elements) {
          if (ts.isSpreadElement(el)) {
            const s = this.ev(el.expression, env, u);
            if (s.elems) elems.push(...s.elems); else { spread = true; elems.push(contents(s)); }
          } else if (ts.isOmittedExpression(el)) elems.push(CONST);
          else elems.push(this.ev(el, env, u));
        }
        const all = elems.length ? strip(joinAll(elems.map(strip))) : CONST;
        return spread ? all : { ...all, elems };
      }
      case ts.SyntaxKind.ObjectLiteralExpression:
        return this.object(n as ts.ObjectLiteralExpression, env, u);
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.FunctionExpression:
        return { kind: 'unknown', func: n };
      case ts.SyntaxKind.ClassExpression:
        this.classBody(n as ts.ClassExpression, env, u);
        return UNKNOWN;
      case ts.SyntaxKind.TaggedTemplateExpression: {
        const t = n as ts.TaggedTemplateExpression;
        this.ev(t.tag, env, u);
        const parts: V[] = [];
        if (ts.isTemplateExpression(t.template)) {
          parts.push(constant(t.template.head.text));
          for (const span of t.template.templateSpans) parts.push(this.ev(span.expression, env, u), constant(span.literal.text));
        } else parts.push(constant(t.template.text));
        this.ev(t.template, env, u);
        return this.file.textOf(t.tag) === 'String.raw' ? concat(parts) : UNKNOWN;
      }
      case ts.SyntaxKind.SpreadElement:
        return contents(this.ev((n as ts.SpreadElement).expression, env, u));
      case ts.SyntaxKind.JsxExpression: {
        const e = (n as ts.JsxExpression).expression;
        return e ? this.ev(e, env, u) : CONST;
      }
      case ts.SyntaxKind.JsxText:
        return constant((n as ts.JsxText).text);
      case ts.SyntaxKind.FunctionDeclaration:
      case ts.SyntaxKind.ClassDeclaration:
        return UNKNOWN;
      default:
        n.forEachChild((c) => {
          if (!ts.isTypeNode(c) && !ts.isFunctionLike(c) && !ts.isToken(c)) this.ev(c, env, u);
        });
        return UNKNOWN;
    }
  }

  private object(o: ts.ObjectLiteralExpression, env: Env, u: Unit): V {
    const fields = new Map<string, V>();
    let rest: V | undefined;
    let open = false;
    for (const p of o.properties) {
      if (ts.isPropertyAssignment(p)) {
        const key = this.propertyKey(p.name, env, u);
        const v = this.ev(p.initializer, env, u);
        if (key !== undefined) fields.set(key, v); else { open = true; rest = rest ? join(rest, strip(v)) : strip(v); }
      } else if (ts.isShorthandPropertyAssignment(p)) {
        fields.set(p.name.text, this.ev(p.name, env, u));
      } else if (ts.isSpreadAssignment(p)) {
        const s = this.ev(p.expression, env, u);
        if (s.fields && !s.rest) for (const [k, v] of s.fields) fields.set(k, v);
        else rest = rest ? join(rest, s) : s;
      } else if (ts.isMethodDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) {
        const key = this.propertyKey(p.name, env, u);
        if (key !== undefined) fields.set(key, { kind: 'unknown', func: p });
      }
    }
    const parts = [...fields.values()].map(strip);
    if (rest) parts.push(strip(rest));
    const all = parts.length ? strip(joinAll(parts)) : CONST;
    void open;
    return { ...all, fields, ...(rest ? { rest } : {}) };
  }

  /** What reading property `key` of a value gives. `desc` names the access for messages. */
  read(base: V, key: string | undefined, desc: Desc, line: Loc): V {
    if (base.fields) {
      if (key !== undefined) {
        const f = base.fields.get(key);
        if (f) return f;
        return base.rest ? this.read(base.rest, key, desc, line) : CONST;
      }
      return contents(base);
    }
    if (base.elems) {
      if (key === 'length') return constant(String(base.elems.length));
      const i = key !== undefined && /^\d+$/.test(key) ? Number(key) : -1;
      if (i >= 0) return base.elems[i] ?? CONST;
      return key === undefined ? contents(base) : UNKNOWN;
    }
    if (base.origin && key !== undefined && UNTRUSTED_PROPS[base.origin]) {
      const p = UNTRUSTED_PROPS[base.origin][key];
      if (p === true) return tainted({ description: shorten(this.ds(desc)), line: this.ln(line) });
      if (typeof p === 'string') return { kind: 'unknown', origin: p };
      return base.origin === '#location' ? CONST : UNKNOWN;
    }
    if (base.kind === 'tainted') {
      if (key === 'length') return clear(strip(base), ALL_SINKS);
      return extend(strip(base), this.ds(desc));
    }
    if (base.kind === 'constant') {
      if (key === 'length' && base.value !== undefined) return constant(String(base.value.length));
      return CONST;
    }
    if (key === 'length') return SAFE;
    if (base.origin && key !== undefined && !base.origin.startsWith('#') && base.origin.length < 100) {
      return { kind: 'unknown', origin: `${base.origin}.${key}` };
    }
    return base.cleared?.length ? { kind: 'unknown', cleared: base.cleared } : UNKNOWN;
  }

  private member(n: ts.PropertyAccessExpression | ts.ElementAccessExpression, env: Env, u: Unit): V {
    const base = this.ev(n.expression, env, u);
    let key: string | undefined;
    if (ts.isPropertyAccessExpression(n)) key = n.name.text;
    else {
      const k = this.ev(n.argumentExpression, env, u);
      key = k.kind === 'constant' ? k.value : undefined;
    }
    if (env.paths.size) {
      const pk = this.pathKey(n);
      const o = pk && env.paths.get(pk);
      if (o) return o.v;
    }
    return this.read(base, key, n, n);
  }

  /** What a variable holds at this point of the analysis (without recording it for the node). */
  current(id: ts.Identifier, env: Env, u: Unit): V {
    return this.lookup(id, env, u);
  }

  private lookup(id: ts.Identifier, env: Env, u: Unit): V {
    const decl = this.scopes.declOf(id);
    if (!decl) return id.text === 'process' && this.buildTooling ? SAFE : global(id.text);
    const key = this.keyOf(decl);
    const refined = env.paths.get(key);
    if (refined) return refined.v;
    const owner = Scopes.ownerOf(decl);
    let v: V | undefined;
    if (owner === u.fn) v = env.vars.get(decl) ?? u.all.get(decl);
    else v = u.outerEnv?.vars.get(decl) ?? this.outerValue(decl, owner);
    if (!v) v = isImportName(decl) ? UNKNOWN : CONST;
    const f = this.foreign(decl, owner);
    return f ? join(v, f) : v;
  }

  private outerValue(decl: ts.Identifier, owner: ts.Node): V | undefined {
    if (isImportName(decl)) return UNKNOWN;
    const ou = this.units.get(owner) ?? this.unit(owner);
    return ou.all.get(decl);
  }

  private binary(n: ts.BinaryExpression, env: Env, u: Unit): V {
    const op = n.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken) {
      const r = this.ev(n.right, env, u);
      this.evTargetBase(n.left, env, u);
      this.assign(n.left, r, env, u, n, n.right);
      return r;
    }
    if (isAssignmentOp(op)) {
      const l = this.ev(n.left, env, u);
      const r = this.ev(n.right, env, u);
      const v = op === ts.SyntaxKind.PlusEqualsToken ? asString(concat([l, r]))
        : op === ts.SyntaxKind.QuestionQuestionEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken
          || op === ts.SyntaxKind.AmpersandAmpersandEqualsToken ? join(l, r) : SAFE;
      this.assign(n.left, v, env, u, n);
      return v;
    }
    const l = this.ev(n.left, env, u);
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
      const t = truthy(l);
      if (t !== undefined && t === (op === ts.SyntaxKind.BarBarToken)) {
        // `true || x`, `false && x`: the right side never runs
        this.markDead(n.right, u);
        return l;
      }
      if (t !== undefined) return this.ev(n.right, env, u);
      const e = cloneEnv(env);
      refine(this, n.left, e, op === ts.SyntaxKind.AmpersandAmpersandToken, u);
      return join(l, this.ev(n.right, e, u));
    }
    const r = this.ev(n.right, env, u);
    const folded = foldBinary(op, l, r);
    if (folded) return folded;
    switch (op) {
      case ts.SyntaxKind.PlusToken: return asString(concat([l, r]));
      case ts.SyntaxKind.QuestionQuestionToken: return join(l, r);
      case ts.SyntaxKind.CommaToken: return r;
      case ts.SyntaxKind.MinusToken: case ts.SyntaxKind.AsteriskToken: case ts.SyntaxKind.SlashToken:
      case ts.SyntaxKind.PercentToken: case ts.SyntaxKind.AsteriskAsteriskToken: case ts.SyntaxKind.AmpersandToken:
      case ts.SyntaxKind.BarToken: case ts.SyntaxKind.CaretToken: case ts.SyntaxKind.LessThanLessThanToken:
      case ts.SyntaxKind.GreaterThanGreaterThanToken: case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken:
        return l.kind === 'constant' && r.kind === 'constant' ? CONST : SAFE;
      default:
        return SAFE;
    }
  }

  /** Code that never runs (a branch whose condition folds the other way): every expression in it is a constant. */
  private markDead(node: ts.Node, u: Unit): void {
    const stack: ts.Node[] = [node];
    while (stack.length) {
      const x = stack.pop()!;
      if (ts.isFunctionLike(x) && x !== node) continue;
      if (ts.isExpression(x)) u.values.set(x, CONST);
      x.forEachChild((c) => { stack.push(c); });
    }
  }

  /** Evaluates the object part of an assignment target (`a.b` in `a.b.c = v`) so its nodes have values. */
  private evTargetBase(t: ts.Expression, env: Env, u: Unit): void {
    t = skipParens(t);
    if (ts.isPropertyAccessExpression(t)) this.ev(t.expression, env, u);
    else if (ts.isElementAccessExpression(t)) { this.ev(t.expression, env, u); this.ev(t.argumentExpression, env, u); }
  }

  private newExpr(n: ts.NewExpression, env: Env, u: Unit): V {
    this.ev(n.expression, env, u);
    const args = (n.arguments ?? []).map((a) => this.ev(a, env, u));
    const name = this.file.callName(n) ?? this.globalName(n.expression);
    switch (name) {
      case 'URL': case 'URLSearchParams': case 'String': case 'RegExp': case 'url.URL': case 'url.URLSearchParams':
        return args.length ? strip(joinAll(args)) : CONST;
      case 'Map':
        return mapOf(n.arguments?.[0] && ts.isArrayLiteralExpression(skipParens(n.arguments[0])) ? args[0] : undefined, args[0]);
      case 'Set': case 'Array': case 'WeakMap': case 'WeakSet':
        return args.length ? strip(args[0]) : CONST;
      case 'Date': case 'Number': case 'Boolean':
        return SAFE;
    }
    return name ? { kind: 'unknown', origin: `${name}()` } : UNKNOWN;
  }

  private call(n: ts.CallExpression, env: Env, u: Unit): V {
    const callee = skipParens(n.expression);
    let recv: V | undefined;
    let method: string | undefined;
    let calleeV: V;
    if (ts.isPropertyAccessExpression(callee) || (ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression))) {
      recv = this.ev(callee.expression, env, u);
      method = ts.isPropertyAccessExpression(callee) ? callee.name.text : (callee.argumentExpression as ts.StringLiteral).text;
      calleeV = this.read(recv, method, callee, callee);
      if (!calleeV.func && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
        const m = ownMethod(callee.expression, method);
        if (m) calleeV = { kind: 'unknown', func: m };
      }
      u.values.set(callee, calleeV);
    } else calleeV = this.ev(callee, env, u);
    const args = n.arguments.map((a) => this.ev(a, env, u));
    const line: Loc = n;

    if (isRequire(n)) return { kind: 'unknown', origin: moduleName((n.arguments[0] as ts.StringLiteral).text) };
    const name = this.file.callName(n) ?? this.globalName(callee);
    if (name) {
      const src = SOURCE_CALLS[name];
      if (src) return src === true ? tainted({ description: shorten(this.file.textOf(n)), line: this.ln(n) }) : { kind: 'unknown', origin: src };
      const sanitizer = SANITIZERS[name] ?? SANITIZERS[name.replace(/\.default$/, '')];
      if (sanitizer) return clear(strip(args.length ? joinAll(args) : CONST), sanitizer);
      const pass = PASS_THROUGH[name];
      if (pass !== undefined) {
        const v = strip(pass < 0 ? (args.length ? joinAll(args) : CONST) : args[pass] ?? CONST);
        return name.startsWith('path.') && v.kind !== 'constant' ? { ...v, origin: `${name}()` } : v;
      }
    }
    if (name === 'util.promisify' && n.arguments[0]) {
      const fnName = this.file.qualifiedName(n.arguments[0]);
      if (fnName) return { kind: 'unknown', origin: `util.promisify(${fnName})` };
    }
    if (calleeV.func) return this.summary(calleeV.func as ts.Node, args, env, u);

    if (recv?.map && method && (method === 'set' || method === 'get')) return this.mapCall(callee as ts.PropertyAccessExpression, recv, method, args, env, u, line);
    if (recv && method) {
      const marker = recv.origin && UNTRUSTED_METHODS[recv.origin];
      if (marker && marker.has(method)) return tainted({ description: shorten(this.file.textOf(n)), line: this.ln(n) });
      if (method === 'sanitize' && /dompurify/i.test(recv.origin ?? '')) return clear(strip(args.length ? joinAll(args) : CONST), ['html']);
      const sm = SANITIZING_METHODS[method];
      if (sm && recv.kind !== 'tainted' && args.length) return clear(strip(joinAll(args)), sm);
      if (SAFE_METHODS.has(method)) return SAFE;
      if (method === 'push' || method === 'unshift') {
        if (recv.kind !== 'constant' || args.some((a) => a.kind !== 'constant') || recv.elems) {
          const next: V = recv.elems && u.loopDepth === 0
            ? { ...strip(joinAll([recv, ...args].map(strip))), elems: method === 'push' ? [...recv.elems, ...args] : [...args, ...recv.elems] }
            : strip(joinAll([recv, ...args].map(strip)));
          this.storeInto((callee as ts.PropertyAccessExpression).expression, next, env, u, line);
        }
        return SAFE;
      }
      if (method === 'map' && n.arguments[0] && !args[0]?.func) {
        // ids.split(',').map(Number): every element went through the sanitizer
        const sanitizer = SANITIZERS[this.globalName(n.arguments[0]) ?? ''];
        if (sanitizer) return clear(strip(recv), sanitizer);
      }
      if ((method === 'map' || method === 'flatMap') && args[0]?.func) {
        const r = this.summary(args[0].func as ts.Node, [contents(recv), SAFE, recv], env, u);
        return strip(r);
      }
      if ((method === 'filter' || method === 'find') && args[0]?.func) {
        // ids.filter((id) => Number.isInteger(id)), cols.filter((c) => ALLOWED.includes(c)): what the test proves
        const proved = predicate(this, args[0].func as ts.Node, true)[0];
        if (proved?.length) return clear(strip(method === 'find' ? contents(recv) : recv), proved);
      }
      if ((method === 'forEach' || method === 'filter' || method === 'find' || method === 'reduce' || method === 'then') && args.some((a) => a.func)) {
        if (method === 'then') return UNKNOWN;
        return method === 'forEach' ? CONST : method === 'reduce' ? strip(join(contents(recv), args[1] ?? CONST)) : strip(recv);
      }
      if (method === 'join') {
        const sep = args[0] ?? constant(',');
        if (recv.elems && sep.kind === 'constant' && sep.value !== undefined && recv.elems.every((e) => e.kind === 'constant' && e.value !== undefined)) {
          return constant(recv.elems.map((e) => e.value).join(sep.value));
        }
        return strip(join(contents(recv), sep));
      }
      if (recv.kind === 'constant') {
        if (PURE_METHODS.has(method) && args.every((a) => a.kind === 'constant')) return foldString(recv, method, args);
        if (method === 'concat') return concat([recv, ...args]);
        return recv.elems || recv.fields ? CONST : UNKNOWN;
      }
      if ((method === 'replace' || method === 'replaceAll') && args[1]?.kind === 'constant' && /^\\\$[&1]$/.test(args[1].value ?? '')
        && regexEscaper(n.arguments[0])) return clear(strip(recv), ['regex']);
      if (method === 'replace' || method === 'replaceAll') {
        const escaped = htmlEscapeStep(recv, method, n.arguments[0], n.arguments[1], args[1]);
        if (escaped) return escaped;
      }
      if (recv.kind === 'tainted') {
        if ((method === 'replace' || method === 'replaceAll') && n.arguments[0] && args[1]?.kind === 'constant'
          && strictRegex(n.arguments[0], true)) return clear(strip(recv), ALL_SINKS);
        const v = method === 'concat' ? concat([recv, ...args]) : strip(recv);
        return extend(STRING_RESULT_METHODS.has(method) ? asString(v) : v, this.file.textOf(n));
      }
      if (PURE_METHODS.has(method) && !recv.origin) return method === 'concat' ? concat([recv, ...args]) : strip(recv);
      if (name) return { kind: 'unknown', origin: `${name}()` };
      if (method === 'createQueryBuilder' && !recv.origin) return { kind: 'unknown', origin: 'typeorm.createQueryBuilder()' };
      if (recv.origin && !recv.origin.startsWith('#')) {
        const origin = `${recv.origin}.${method}()`;
        return { kind: 'unknown', origin: origin.length > 120 ? recv.origin : origin };
      }
      return UNKNOWN;
    }
    return name ? { kind: 'unknown', origin: `${name}()` } : UNKNOWN;
  }

  /** `m.set(k, v)` stores under the constant key (or with every key when it is not constant); `m.get(k)` reads it. */
  private mapCall(callee: ts.PropertyAccessExpression, recv: V, method: string, args: V[], env: Env, u: Unit, line: Loc): V {
    const key = args[0]?.kind === 'constant' ? args[0].value : undefined;
    if (method === 'get') {
      const v = key === undefined ? contents(recv) : recv.fields?.get(key) ?? recv.rest ?? CONST;
      // a map of another function (a module-level cache) may be filled by code this analysis does not follow
      const root = skipParens(callee.expression);
      const decl = ts.isIdentifier(root) ? this.scopes.declOf(root) : undefined;
      return decl && Scopes.ownerOf(decl) === u.fn ? v : join(v, UNKNOWN);
    }
    const fields = new Map(recv.fields ?? []);
    let rest = recv.rest;
    const v = args[1] ?? CONST;
    if (key !== undefined) fields.set(key, v); else rest = rest ? join(rest, strip(v)) : strip(v);
    const next = mapOf(undefined, undefined, fields, rest);
    this.storeInto(callee.expression, next, env, u, line);
    return next;
  }

  /** `arr.push(x)`: the container now holds `x` too. */
  private storeInto(target: ts.Expression, v: V, env: Env, u: Unit, line: Loc): void {
    const t = skipParens(target);
    if (ts.isIdentifier(t)) {
      const decl = this.scopes.declOf(t);
      if (!decl) return;
      const cur = this.lookup(t, env, u);
      this.setVar(decl, { ...(v.kind === 'tainted' ? step(v, t.text, this.ln(line)) : v), ...(cur.def ? { def: cur.def } : {}) }, env, u);
    } else if (ts.isPropertyAccessExpression(t) || ts.isElementAccessExpression(t)) {
      this.assign(t, v, env, u, line);
    }
  }

  /** The dotted name of a known global (`Math.max`, `JSON.parse`, `DOMPurify.sanitize`) when nothing local shadows it (see KNOWN_GLOBALS). */
  globalName(e: ts.Expression): string | undefined {
    e = skipParens(e);
    if (ts.isIdentifier(e)) return !KNOWN_GLOBALS.has(e.text) || this.scopes.isDeclaredAt(e) ? undefined : e.text;
    if (ts.isPropertyAccessExpression(e)) {
      const base = this.globalName(e.expression);
      return base && `${base.replace(/^(window|globalThis|self)\./, '')}.${e.name.text}`.replace(/^(window|globalThis|self)\./, '');
    }
    return undefined;
  }

  /** A local function called with these arguments: its body analysed with them (memoized per argument shape). */
  summary(fn: ts.Node, args: V[], env: Env, caller: Unit): V {
    const f = fn as ts.FunctionLikeDeclaration;
    if (!ts.isFunctionLike(fn) || !f.body || f.asteriskToken) return UNKNOWN;
    if (this.depth >= MAX_SUMMARY_DEPTH || this.summarizing.has(fn)) return UNKNOWN;
    const closure = isAncestor(caller.fn, fn);
    const key = args.map(signature).join('|');
    let memo = this.summaries.get(fn);
    if (!closure && memo?.has(key)) return memo.get(key)!;
    const u: Unit = { fn, args, values: new Map(), all: new Map(), done: false, loopDepth: 0 };
    if (closure) u.outerEnv = env;
    this.depth++;
    this.summarizing.add(fn);
    try {
      this.run(u, false);
    } finally {
      this.depth--;
      this.summarizing.delete(fn);
    }
    const v = u.ret ? strip(u.ret) : CONST;
    if (!closure) {
      if (!memo) this.summaries.set(fn, memo = new Map());
      memo.set(key, v);
    }
    return v;
  }
}

/** `this.name` inside a class's method (or an arrow in one): the class's own method or arrow property `name`. */
/** A `Map` value: entries from `new Map([['k', v]])` by constant key, the rest joined. */
function mapOf(pairs: V | undefined, init: V | undefined, fields = new Map<string, V>(), rest?: V): V {
  if (pairs?.elems) {
    for (const p of pairs.elems) {
      const k = p.elems?.[0];
      if (p.elems && k?.kind === 'constant' && k.value !== undefined) fields.set(k.value, p.elems[1] ?? CONST);
      else rest = rest ? join(rest, contents(p)) : contents(p);
    }
  } else if (init) rest = contents(init);
  const parts = [...fields.values()].map(strip);
  if (rest) parts.push(strip(rest));
  const all = parts.length ? strip(joinAll(parts)) : CONST;
  return { ...all, fields, ...(rest ? { rest } : {}), map: true };
}

function ownMethod(self: ts.Node, name: string): ts.Node | undefined {
  let n: ts.Node = self.parent;
  while (n && !ts.isClassLike(n)) {
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) return undefined; // another `this`
    n = n.parent;
  }
  if (!n) return undefined;
  for (const m of (n as ts.ClassLikeDeclaration).members) {
    if (!m.name || !ts.isIdentifier(m.name) || m.name.text !== name) continue;
    if (ts.isMethodDeclaration(m) && m.body) return m;
    if (ts.isPropertyDeclaration(m) && m.initializer && (ts.isArrowFunction(m.initializer) || ts.isFunctionExpression(m.initializer))) return m.initializer;
  }
  return undefined;
}

function isAncestor(a: ts.Node, b: ts.Node): boolean {
  for (let n: ts.Node | undefined = b.parent; n; n = n.parent) if (n === a) return true;
  return false;
}

function isExported(fn: ts.Node): boolean {
  let n: ts.Node = fn;
  if (ts.isVariableDeclaration(n.parent)) n = n.parent.parent.parent;
  const mods = ts.canHaveModifiers(n) ? ts.getModifiers(n) : undefined;
  return !!mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function isImportName(decl: ts.Identifier): boolean {
  const p = decl.parent;
  return ts.isImportClause(p) || ts.isImportSpecifier(p) || ts.isNamespaceImport(p) || ts.isImportEqualsDeclaration(p);
}

/** `name` in `x.name`, `{ name: ... }`, `class { name() {} }`: a property, not a variable. */
function isPropertyName(id: ts.Identifier): boolean {
  const p = id.parent;
  return (ts.isPropertyAccessExpression(p) && p.name === id)
    || ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertySignature(p)
      || ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === id);
}

export function isAssignmentOp(k: ts.SyntaxKind): boolean {
  return k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment;
}

function global(name: string): V {
  if (name === 'undefined' || name === 'NaN' || name === 'Infinity') return CONST;
  // the module's own folder and file: fixed by where the code lives, never by a request
  if (name === '__dirname' || name === '__filename') return CONST;
  const marker = GLOBALS[name];
  if (marker) return { kind: 'unknown', origin: marker };
  return UNKNOWN;
}

function shorten(desc: string): string {
  const one = desc.replace(/\s+/g, ' ');
  return one.length > 60 ? one.slice(0, 57) + '...' : one;
}

/** A direct read from a source (`req.query` -> `req.query.id`) keeps one readable description. */
function extend(v: V, desc: string): V {
  if (v.kind !== 'tainted' || !v.source || (v.path?.length ?? 0) > 0 || !desc) return v;
  const d = shorten(desc);
  if (!d.startsWith(v.source.description) || d === v.source.description || d.length > 60) return v;
  return { ...v, source: { description: d, line: v.source.line } };
}

/** Concatenation: constant when every part is; otherwise the worst part, cleared only where all agree. */
export function concat(parts: V[]): V {
  if (parts.every((p) => p.kind === 'constant')) {
    return parts.every((p) => p.value !== undefined) ? constant(parts.map((p) => p.value).join('')) : CONST;
  }
  parts = quotedParts(parts);
  const moving = parts.filter((p) => p.kind !== 'constant').map(strip);
  const out = { ...joinAll(moving), built: true };
  delete out.origin;
  return out;
}

/**
 * Parts proved free of a quote (`if (name.includes("'")) return;`) inside a literal opened by that quote
 * (`"//user[@name='" + name + "']"`) cannot close it: cleared for XPath. The text before them must be known.
 */
function quotedParts(parts: V[]): V[] {
  if (!parts.some((p) => p.noChars)) return parts;
  let quote: string | undefined = '';
  return parts.map((p) => {
    if (p.kind === 'constant' && p.value !== undefined) {
      if (quote !== undefined) {
        for (const ch of p.value) {
          if (quote === '' && (ch === "'" || ch === '"')) quote = ch;
          else if (quote !== '' && ch === quote) quote = '';
        }
      }
      return p;
    }
    const inside = quote;
    quote = undefined;
    return inside && p.noChars?.includes(inside) ? clear(p, ['xpath']) : p;
  });
}

function foldString(recv: V, method: string, args: V[]): V {
  const s = recv.value;
  if (s === undefined || recv.elems || recv.fields) {
    if (method === 'join' || method === 'split' || !recv.elems) return CONST;
    return CONST;
  }
  const a = args.map((x) => x.value);
  switch (method) {
    case 'toUpperCase': case 'toLocaleUpperCase': return constant(s.toUpperCase());
    case 'toLowerCase': case 'toLocaleLowerCase': return constant(s.toLowerCase());
    case 'trim': return constant(s.trim());
    case 'trimStart': case 'trimLeft': return constant(s.trimStart());
    case 'trimEnd': case 'trimRight': return constant(s.trimEnd());
    case 'concat': return a.every((x) => x !== undefined) ? constant(s + a.join('')) : CONST;
    case 'repeat': return a[0] !== undefined && Number(a[0]) >= 0 && Number(a[0]) < 1000 ? constant(s.repeat(Number(a[0]))) : CONST;
    case 'slice': case 'substring': {
      const x = a.map((v) => (v === undefined ? undefined : Number(v)));
      return x.every((v) => v === undefined || Number.isFinite(v)) ? constant(method === 'slice' ? s.slice(x[0], x[1]) : s.substring(x[0] ?? 0, x[1])) : CONST;
    }
    case 'split': {
      if (a[0] === undefined) return CONST;
      const parts = s.split(a[0]);
      return { kind: 'constant', elems: parts.map((p) => constant(p)) };
    }
    case 'toString': case 'valueOf': case 'normalize': return constant(s);
    default: return CONST;
  }
}

const sigIds = new WeakMap<object, number>();
let nextSig = 0;

function signature(v: V, depth = 0): string {
  let s = v.kind[0] + (v.value ?? '') + ':' + (v.source ? `${v.source.description}@${v.source.line}` : '')
    + ':' + (v.cleared ?? []).join(',') + ':' + (v.origin ?? '');
  if (v.func) {
    let id = sigIds.get(v.func);
    if (id === undefined) sigIds.set(v.func, id = nextSig++);
    s += `f${id}`;
  }
  if (depth < 2 && v.fields) s += '{' + [...v.fields].map(([k, f]) => `${k}=${signature(f, depth + 1)}`).join(',') + (v.rest ? `...${signature(v.rest, depth + 1)}` : '') + '}';
  if (depth < 2 && v.elems) s += '[' + v.elems.map((e) => signature(e, depth + 1)).join(',') + ']';
  return s;
}

export type { SinkClass };
