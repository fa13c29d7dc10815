import { PNode, PTree, type PNode as Node } from './tree';
import type { PyFile } from './front';
import { Env, MutEnv } from './env';
import { Run } from './interp';
import {
  collectLocals, decoratorsOf, enclosingScope, isComprehension, parseParams, statementsOf, type Param, type ScopeInfo,
} from './scopes';
import { buildIndex, type FileIndex } from './file-index';
import { evalExpression, bindTarget, iterElement } from './expressions';
import { handlerParams } from './handlers';
import { isPyBuildTooling } from './sources';
import {
  constant, join, signature, step, unknown, UNKNOWN, type PV,
} from './values';

/** The analysis of one scope with its parameters bound: an environment before each statement. */
export interface Context {
  envs: Map<number, Env | null>;
  final: Env | null;
  returns?: PV;
  running?: Run;
  /** Per node: its statement's environment and the comprehensions and lambdas between (once the run is done). */
  anchors?: Map<number, Anchor>;
}

interface Anchor { stmt: Node | undefined; between: Node[] }

/** A frame to evaluate an expression in: the scope and what names hold there. */
export interface Frame {
  flow: DataFlow;
  info: ScopeInfo;
  env: MutEnv;
  run?: Run;
}

const MAX_SUMMARY_DEPTH = 4;

/**
 * The Python data flow for one file: per-scope flow-sensitive environments (computed once per
 * scope, on demand), memoized function summaries per argument shape, and an expression cache.
 */
export class DataFlow {
  private index?: FileIndex;
  private readonly scopes = new Map<number, ScopeInfo>();
  private readonly contexts = new Map<number, Context>();
  private readonly cache = new Map<number, PV>();
  private readonly summaries = new Map<string, PV>();
  private readonly summaryStack: number[] = [];
  private readonly classAttrs = new Map<string, PV>();
  private readonly classAttrsRunning = new Set<string>();
  private readonly paramsRunning = new Set<number>();

  /** Build tooling: sys.argv and os.environ are the developer's own (see isPyBuildTooling). */
  readonly buildTooling: boolean;

  constructor(readonly file: PyFile) {
    this.buildTooling = isPyBuildTooling(file.path);
  }

  get tree(): PTree {
    return this.file.tree;
  }

  get idx(): FileIndex {
    return (this.index ??= buildIndex(this.tree.root));
  }

  /** The copy of a tree-sitter node (or the copy itself). */
  node(n: { id: number }): Node | undefined {
    return n instanceof PNode ? n : this.tree.byId.get(n.id);
  }

  private depth = 0;

  valueOf(input: { id: number }): PV {
    const hit = this.cache.get(input.id);
    if (hit) return hit;
    const node = this.node(input);
    if (!node) return UNKNOWN;
    // chains of callers (f called by g called by h...) nest analyses: keep the stack bounded
    if (this.depth > 40) return UNKNOWN;
    this.depth++;
    try {
      return this.compute(node);
    } finally {
      this.depth--;
    }
  }

  private compute(node: Node): PV {
    const scopeNode = this.scopeOf(node) ?? this.tree.root;
    const ctx = this.context(scopeNode);
    if (ctx.running) return UNKNOWN;
    const info = this.scope(scopeNode);
    // the innermost statement with a recorded environment, and the comprehensions and lambdas on the way
    const { stmt, between } = this.anchor(node, scopeNode, ctx);
    let env: Env | null | undefined = stmt ? ctx.envs.get(stmt.id) : ctx.final;
    if (env === null) return this.remember(node, constant()); // dead code: nothing reaches it
    env ??= Env.empty();
    const frame: Frame = { flow: this, info, env: new MutEnv(env) };
    for (let i = between.length - 1; i >= 0; i--) this.enter(between[i], node, frame);
    return this.remember(node, evalExpression(node, frame));
  }

  private readonly scopeMemo = new Map<number, Node | undefined>();

  /**
   * `enclosingScope`, memoized along the way up: asking it for every node of a deep chain (20,000 nested
   * calls, 30,000 concatenated strings) must not walk the chain once per node.
   */
  private scopeOf(node: Node): Node | undefined {
    const path: Node[] = [];
    let found: Node | undefined;
    let n: Node = node;
    for (;;) {
      if (this.scopeMemo.has(n.id)) { found = this.scopeMemo.get(n.id); break; }
      const p = n.parent;
      if (!p) break;
      path.push(n);
      if (p.type === 'module') { found = p; break; }
      if ((p.type === 'function_definition' || p.type === 'class_definition') && p.childForFieldName('body')?.id === n.id) { found = p; break; }
      n = p;
    }
    for (const x of path) this.scopeMemo.set(x.id, found);
    return found;
  }

  /** The innermost statement with a recorded environment above `node`, memoized per scope like `scopeOf`. */
  private anchor(node: Node, scopeNode: Node, ctx: Context): Anchor {
    const memo = (ctx.anchors ??= new Map());
    const path: Node[] = [];
    let top: Anchor = { stmt: undefined, between: [] };
    for (let n: Node | null = node; n && n.id !== scopeNode.id; n = n.parent) {
      const hit = memo.get(n.id);
      if (hit) { top = hit; break; }
      if (ctx.envs.has(n.id)) { top = { stmt: n, between: [] }; memo.set(n.id, top); break; }
      path.push(n);
    }
    for (let i = path.length - 1; i >= 0; i--) {
      const n = path[i];
      if (isComprehension(n.type) || n.type === 'lambda') top = { stmt: top.stmt, between: [n, ...top.between] };
      memo.set(n.id, top);
    }
    return top;
  }

  private remember(node: Node, v: PV): PV {
    this.cache.set(node.id, v);
    return v;
  }

  /** Binds what a comprehension's `for` clauses or a lambda's parameters hold, for a node inside. */
  enter(scope: Node, inside: Node, frame: Frame): void {
    if (scope.type === 'lambda') {
      for (const p of parseParams(scope)) frame.env.set(p.name, UNKNOWN);
      return;
    }
    for (const clause of scope.namedChildren) {
      if (clause?.type !== 'for_in_clause') continue;
      const right = clause.childForFieldName('right');
      if (right && inside.startIndex >= right.startIndex && inside.endIndex <= right.endIndex) return;
      const it = right ? iterElement(evalExpression(right, frame)) : UNKNOWN;
      bindTarget(clause.childForFieldName('left'), it, frame);
    }
  }

  scope(node: Node): ScopeInfo {
    let info = this.scopes.get(node.id);
    if (info) return info;
    const kind = node.type === 'module' ? 'module' : node.type === 'class_definition' ? 'class' : 'function';
    const body = kind === 'module' ? statementsOf(node) : statementsOf(node.childForFieldName('body'));
    const params = kind === 'function' ? parseParams(node) : [];
    const outer = kind === 'module' ? undefined : enclosingScope(node);
    info = {
      node, kind, body, params,
      locals: collectLocals(body, params),
      parent: outer ? this.scope(outer) : undefined,
      cls: kind === 'function' && outer?.type === 'class_definition' ? outer : undefined,
    };
    this.scopes.set(node.id, info);
    return info;
  }

  /** The analysis of a scope with its parameters as the file's call sites and frameworks bind them. */
  context(node: Node): Context {
    let ctx = this.contexts.get(node.id);
    if (ctx) return ctx;
    ctx = { envs: new Map(), final: null };
    this.contexts.set(node.id, ctx);
    const info = this.scope(node);
    const run = new Run(this, info, ctx.envs);
    ctx.running = run;
    try {
      const entry = new MutEnv(Env.empty());
      if (info.kind === 'function') {
        const values = this.contextParams(info);
        for (const p of info.params) entry.set(p.name, values.get(p.name) ?? UNKNOWN);
      }
      ctx.final = run.execBlock(info.body, entry.freeze());
      ctx.returns = run.returns;
    } finally {
      ctx.running = undefined;
    }
    return ctx;
  }

  private readonly moduleNames = new Map<string, PV | undefined>();

  /** What a module-level name holds for code that runs later (functions): memoized once the module is analyzed. */
  moduleValue(name: string, at: Node): PV | undefined {
    if (this.moduleNames.has(name)) return this.moduleNames.get(name);
    const root = this.tree.root;
    const ctx = this.context(root);
    if (ctx.running) return this.envIn(root, at)?.get(name);
    // functions run after the module body: they see its final bindings
    const info = this.scope(root);
    const last = info.body[info.body.length - 1];
    const env = ctx.final ?? (last ? ctx.envs.get(last.id) : undefined);
    const v = env?.get(name);
    this.moduleNames.set(name, v);
    return v;
  }

  /** The environment in force at a statement of a scope (for closures reading enclosing names). */
  envIn(scope: Node, at: Node): Env | undefined {
    const ctx = this.context(scope);
    if (ctx.running) return ctx.running.current;
    for (let n: Node | null = at; n && n.id !== scope.id; n = n.parent) {
      const e = ctx.envs.get(n.id);
      if (e !== undefined) return e ?? undefined;
    }
    return ctx.final ?? undefined;
  }

  /** What the parameters of a function hold: framework bindings, or the join over the file's call sites. */
  private contextParams(info: ScopeInfo): Map<string, PV> {
    const fn = info.node;
    const out = new Map<string, PV>();
    const params = info.params;
    const selfParam = info.cls && !isStatic(fn) ? params[0] : undefined;
    if (selfParam) out.set(selfParam.name, { kind: 'unknown', def: info.cls, origin: info.cls!.childForFieldName('name')?.text });
    const handler = handlerParams(this.file, fn, params.filter((p) => p !== selfParam), (this.idx.callSites.get(fn.id)?.length ?? 0) > 0);
    if (handler) {
      for (const [k, v] of handler) out.set(k, v);
      return out;
    }
    const sites = [...this.idx.callSites.get(fn.id) ?? []];
    if (info.cls) {
      // calls on instances: `repo.count(...)` where `repo` holds an instance of this class
      const name = fn.childForFieldName('name')?.text ?? '';
      for (const call of this.idx.methodCalls.get(name) ?? []) {
        const recv = call.childForFieldName('function')?.childForFieldName('object');
        if (recv && !this.paramsRunning.has(fn.id) && this.valueOf(recv).def?.id === info.cls.id) sites.push(call);
      }
    }
    const decorated = decoratorsOf(fn).some((d) => !/^@\s*(staticmethod|classmethod|property|functools\.wraps|wraps|[\w.]*\.setter|abstractmethod|abc\.abstractmethod|override|typing\.override)\b/.test(d.text));
    const open = sites.length === 0 || this.idx.escaped.has(fn.id) || decorated || this.paramsRunning.has(fn.id) ||
      fn.childForFieldName('name')?.text?.startsWith('__') && fn.childForFieldName('name')?.text !== '__init__';
    const rest = params.filter((p) => p !== selfParam);
    if (open) {
      for (const p of rest) out.set(p.name, UNKNOWN);
      return out;
    }
    this.paramsRunning.add(fn.id);
    try {
      for (const call of sites) {
        const bound = this.bindArguments(call, rest, (n) => this.valueOf(n), true);
        for (const p of rest) out.set(p.name, join(out.get(p.name), bound.get(p.name)));
      }
    } finally {
      this.paramsRunning.delete(fn.id);
    }
    return out;
  }

  /** Maps a call's arguments to parameters; omitted ones take their default. */
  bindArguments(call: Node, params: Param[], value: (n: Node) => PV, defaults: boolean): Map<string, PV> {
    const out = new Map<string, PV>();
    const args = call.childForFieldName('arguments');
    const positional: PV[] = [];
    let starred: PV | undefined;
    const keywords = new Map<string, PV>();
    let kwStarred: PV | undefined;
    for (const a of args?.namedChildren ?? []) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name')?.text;
        const v = a.childForFieldName('value');
        if (name && v) keywords.set(name, value(v));
      } else if (a.type === 'list_splat') {
        const inner = a.namedChildren[0];
        starred = join(starred, inner ? value(inner) : UNKNOWN);
      } else if (a.type === 'dictionary_splat') {
        const inner = a.namedChildren[0];
        kwStarred = join(kwStarred, inner ? value(inner) : UNKNOWN);
      } else positional.push(value(a));
    }
    let i = 0;
    for (const p of params) {
      let v: PV | undefined;
      if (p.kind === 'positional') {
        v = i < positional.length ? positional[i++] : keywords.get(p.name) ?? starred ?? kwStarred;
      } else if (p.kind === 'keyword') v = keywords.get(p.name) ?? kwStarred;
      else if (p.kind === 'star') v = positional.length > i ? positional.slice(i).reduce((a, b) => join(a, b)) : starred ?? constant();
      else {
        let kv: PV | undefined = kwStarred;
        for (const [k, kvv] of keywords) if (!params.some((q) => q.name === k)) kv = join(kv, kvv);
        v = kv ?? constant();
      }
      if (v === undefined) v = p.default && defaults ? this.valueOf(p.default) : p.default ? constant() : UNKNOWN;
      out.set(p.name, v);
    }
    return out;
  }

  /** The return value of a local function for these arguments (memoized per argument shape). */
  callLocal(fn: Node, call: Node, frame: Frame, self?: PV): PV {
    if (this.summaryStack.includes(fn.id) || this.summaryStack.length >= MAX_SUMMARY_DEPTH) return UNKNOWN;
    const info = this.scope(fn);
    const selfParam = info.cls && !isStatic(fn) ? info.params[0] : undefined;
    const rest = info.params.filter((p) => p !== selfParam);
    const bound = this.bindArguments(call, rest, (n) => evalExpression(n, frame), false);
    for (const p of rest) {
      if (p.default && !hasArgumentFor(call, p, rest)) bound.set(p.name, this.valueOf(p.default));
    }
    if (selfParam) bound.set(selfParam.name, self ?? { kind: 'unknown', def: info.cls });
    const key = `${fn.id}|${[...bound].map(([k, v]) => `${k}=${signature(v)}`).join('|')}`;
    let result = this.summaries.get(key);
    if (!result) {
      this.summaryStack.push(fn.id);
      try {
        const run = new Run(this, info, undefined);
        const entry = new MutEnv(Env.empty());
        for (const [k, v] of bound) entry.set(k, v);
        run.execBlock(info.body, entry.freeze());
        result = run.returns ?? constant(null);
        if (result.kind === 'constant' && !result.elems && this.isGenerator(fn)) result = { ...result, elems: new Map(), rest: result };
      } finally {
        this.summaryStack.pop();
      }
      this.summaries.set(key, result);
    }
    // only a tainted value records the step (`step` returns anything else as it is): no name or line for the rest
    if (result.kind !== 'tainted') return result;
    const name = fn.childForFieldName('name')?.text ?? 'function';
    return step(result, `returned by \`${name}()\``, call.startPosition.row);
  }

  private readonly generators = new Map<number, boolean>();

  /** Does a function's own body (not nested ones) yield? Once per function. */
  private isGenerator(fn: Node): boolean {
    let g = this.generators.get(fn.id);
    if (g === undefined) this.generators.set(fn.id, g = isGenerator(fn));
    return g;
  }

  private readonly classWrites = new Map<number, Map<string, Node[]>>();

  /** Value nodes written to `self.<attr>` in the methods of a class, by attribute (one walk per class). */
  private writesOf(cls: Node): Map<string, Node[]> {
    let w = this.classWrites.get(cls.id);
    if (w) return w;
    w = new Map();
    for (const m of this.idx.methods.get(cls.id)?.values() ?? []) {
      const self = this.scope(m).params[0]?.name;
      if (!self || isStatic(m)) continue;
      selfWrites(m, self, w);
    }
    this.classWrites.set(cls.id, w);
    return w;
  }

  /** What `self.<attr>` holds in a class: the join of its assignments in the class body and methods. */
  classAttribute(cls: Node, attr: string): PV {
    const key = `${cls.id}.${attr}`;
    const hit = this.classAttrs.get(key);
    if (hit) return hit;
    if (this.classAttrsRunning.has(key)) return UNKNOWN;
    this.classAttrsRunning.add(key);
    let v: PV | undefined;
    try {
      const body = this.context(cls);
      const atClass = body.running ? undefined : body.final?.get(attr);
      if (atClass) v = atClass;
      const methods = this.idx.methods.get(cls.id);
      if (methods && !atClass) v = methods.get(attr) ? { kind: 'unknown', def: methods.get(attr) } : undefined;
      for (const w of this.writesOf(cls).get(attr) ?? []) v = join(v, this.valueOf(w));
    } finally {
      this.classAttrsRunning.delete(key);
    }
    v ??= unknown();
    this.classAttrs.set(key, v);
    return v;
  }
}

function isStatic(fn: Node): boolean {
  return decoratorsOf(fn).some((d) => /^@\s*staticmethod\b/.test(d.text));
}

function isGenerator(fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  const stack: Node[] = [];
  pushNamedChildren(body, stack);
  while (stack.length) {
    const n = stack.pop();
    if (!n) continue;
    if (n.type === 'yield') return true;
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') continue;
    pushNamedChildren(n, stack);
  }
  return false;
}

function hasArgumentFor(call: Node, p: Param, params: Param[]): boolean {
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  if (args.some((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === p.name)) return true;
  if (args.some((a) => a?.type === 'list_splat' || a?.type === 'dictionary_splat')) return true;
  const positional = args.filter((a) => a && a.type !== 'keyword_argument' && a.type !== 'comment').length;
  return p.kind === 'positional' && params.filter((q) => q.kind === 'positional').indexOf(p) < positional;
}

/** Value nodes written to `self.<attr>` in a method (assignments, augmented assignments, appends). */
function selfWrites(method: Node, self: string, out: Map<string, Node[]>): void {
  const body = method.childForFieldName('body');
  const stack: Node[] = [];
  if (body) pushNamedChildren(body, stack);
  while (stack.length) {
    const n = stack.pop();
    if (!n) continue;
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') continue;
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      const attr = left?.type === 'attribute' && left.childForFieldName('object')?.text === self ? left.childForFieldName('attribute')?.text : undefined;
      if (attr && right) {
        if (!out.has(attr)) out.set(attr, []);
        out.get(attr)!.push(right);
      }
    }
    pushNamedChildren(n, stack);
  }
}

/** Pushes a node's named children in order (read from `children`: walks of whole bodies make no filtered copies). */
function pushNamedChildren(n: Node, stack: Node[]): void {
  for (const c of n.children) if (c.isNamed) stack.push(c);
}
