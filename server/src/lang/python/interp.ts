import type { PNode as Node } from './tree';
import type { DataFlow, Frame } from './dataflow';
import { Env, joinEnvs, MutEnv } from './env';
import { binary, bindTarget, configSet, evalExpression, iterElement, mutate, pathOf, qualifiedIn } from './expressions';
import { truthy } from './fold';
import type { ScopeInfo } from './scopes';
import { statementsOf } from './scopes';
import { MUTATORS, TERMINATORS, VALIDATING_METHODS } from './sources';
import { ALL_SINKS, clear, constant, hasLit, join, type PV, UNKNOWN } from './values';
import type { SinkClass } from '../../engine/types';
import { checkBudget } from '../../engine/budget';

/** Functions that check a URL stays on an allowed host (Django's `url_has_allowed_host_and_scheme`). */
const URL_VALIDATORS = /(^|\.)(url_has_allowed_host_and_scheme|is_safe_url)$/;

interface Loop { breaks: Env[]; continues: Env[] }

const MAX_LOOP_NESTING = 3;

/**
 * One pass over a scope's statements in order. Records the environment before each statement
 * (when `record` is given), joins branches, runs loop bodies twice, drops dead branches.
 */
export class Run {
  returns?: PV;
  current?: Env;
  private readonly loops: Loop[] = [];

  constructor(readonly flow: DataFlow, readonly info: ScopeInfo, readonly record: Map<number, Env | null> | undefined) {}

  execBlock(stmts: Node[], env: Env | null): Env | null {
    let cur = env;
    for (const s of stmts) {
      if (cur === null) { this.record?.set(s.id, null); continue; }
      cur = this.exec(s, cur);
    }
    return cur;
  }

  private frame(env: Env): Frame {
    return { flow: this.flow, info: this.info, env: new MutEnv(env), run: this };
  }

  private eval(n: Node | null | undefined, f: Frame): PV {
    return n ? evalExpression(n, f) : UNKNOWN;
  }

  private exec(s: Node, env: Env): Env | null {
    checkBudget();
    this.record?.set(s.id, env);
    this.current = env;
    switch (s.type) {
      case 'expression_statement': {
        const f = this.frame(env);
        let dead = false;
        for (const e of s.namedChildren) if (e && this.expressionStatement(e, f)) dead = true;
        const out = f.env.freeze();
        return dead ? null : out;
      }
      case 'if_statement': return this.ifStatement(s, env);
      case 'for_statement': {
        const f = this.frame(env);
        const it = iterElement(this.eval(s.childForFieldName('right'), f));
        const start = f.env.freeze();
        return this.loop(s, start, (m) => bindTarget(s.childForFieldName('left'), it, m), undefined);
      }
      case 'while_statement': return this.loop(s, env, undefined, s.childForFieldName('condition') ?? undefined);
      case 'try_statement': return this.tryStatement(s, env);
      case 'with_statement': {
        const f = this.frame(env);
        for (const item of s.descendantsOfType('with_item')) {
          if (!item || item.parent?.parent?.id !== s.id) continue;
          const value = item.childForFieldName('value');
          if (value?.type === 'as_pattern') {
            const v = this.eval(value.namedChildren[0], f);
            const target = value.childForFieldName('alias')?.namedChildren[0] ?? value.namedChildren[1]?.namedChildren[0];
            bindTarget(target, v, f);
          } else this.eval(value, f);
        }
        return this.execBlock(statementsOf(s.childForFieldName('body')), f.env.freeze());
      }
      case 'match_statement': return this.matchStatement(s, env);
      case 'return_statement': {
        const f = this.frame(env);
        const v = s.namedChildren[0] ? this.eval(s.namedChildren[0], f) : constant(null);
        this.returns = join(this.returns, v);
        return null;
      }
      case 'raise_statement': return null;
      case 'break_statement': this.loops[this.loops.length - 1]?.breaks.push(env); return null;
      case 'continue_statement': this.loops[this.loops.length - 1]?.continues.push(env); return null;
      case 'function_definition': case 'class_definition': case 'decorated_definition': {
        const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
        const name = def?.childForFieldName('name')?.text;
        if (!def || !name) return env;
        const m = new MutEnv(env);
        m.set(name, { kind: 'unknown', def, origin: name });
        return m.freeze();
      }
      case 'assert_statement': {
        const cond = s.namedChildren[0];
        return cond ? this.refine(cond, env, true) : env;
      }
      case 'ERROR': case 'block': case 'module': {
        // partial code: run what parses
        const stmts: Node[] = [];
        let cur: Env | null = env;
        for (const c of s.namedChildren) if (c && c.type !== 'comment') stmts.push(c);
        for (const c of stmts) {
          if (cur === null) break;
          if (STATEMENTS.has(c.type)) cur = this.exec(c, cur);
          else if (EXPRESSION_STATEMENTS.has(c.type)) {
            this.record?.set(c.id, cur);
            const f = this.frame(cur);
            this.expressionStatement(c, f);
            cur = f.env.freeze();
          }
        }
        return cur;
      }
      case 'print_statement': case 'exec_statement': case 'delete_statement': {
        const f = this.frame(env);
        for (const c of s.namedChildren) this.eval(c, f);
        return f.env.freeze();
      }
      default:
        return env;
    }
  }

  /** Runs one expression statement; true when it ends the block (`sys.exit()`, `abort(404)`). */
  private expressionStatement(e: Node, f: Frame): boolean {
    switch (e.type) {
      case 'assignment': {
        const targets: Node[] = [];
        let right: Node | null = e;
        while (right?.type === 'assignment') {
          const left = right.childForFieldName('left');
          if (left) targets.push(left);
          right = right.childForFieldName('right');
        }
        if (!right) return false;
        const v = this.eval(right, f);
        for (const t of targets) bindTarget(t, v, f);
        return false;
      }
      case 'augmented_assignment': {
        const left = e.childForFieldName('left');
        const op = (e.childForFieldName('operator')?.text ?? '+=').slice(0, -1);
        const a = this.eval(left, f);
        const b = this.eval(e.childForFieldName('right'), f);
        bindTarget(left, augmented(op, a, b), f);
        return false;
      }
      case 'call': {
        const fn = e.childForFieldName('function');
        if (fn && TERMINATORS.has(qualifiedIn(fn, f) ?? '')) { this.eval(e, f); return true; }
        if (fn?.type === 'attribute') {
          const method = fn.childForFieldName('attribute')?.text ?? '';
          const obj = fn.childForFieldName('object');
          if (method === 'set' && pathOf(obj)) {
            const old = this.eval(obj, f);
            const args = (e.childForFieldName('arguments')?.namedChildren ?? [])
              .filter((a): a is Node => !!a && a.type !== 'comment' && a.type !== 'keyword_argument')
              .map((a) => this.eval(a, f));
            const next = configSet(old, args);
            if (next) { bindTarget(obj, next, f); return false; }
          }
          if (MUTATORS.has(method) && pathOf(obj)) {
            const args = (e.childForFieldName('arguments')?.namedChildren ?? [])
              .filter((a): a is Node => !!a && a.type !== 'comment' && a.type !== 'keyword_argument')
              .map((a) => this.eval(a, f));
            const old = this.eval(obj, f);
            if (!old.def) bindTarget(obj, mutate(old, method, args), f);
            return false;
          }
        }
        this.eval(e, f);
        return false;
      }
      default:
        this.eval(e, f);
        return false;
    }
  }

  private ifStatement(s: Node, env: Env): Env | null {
    const outs: (Env | null)[] = [];
    let pending: Env | null = env;
    const clauses: { cond?: Node; body: Node | null; node: Node }[] = [
      { cond: s.childForFieldName('condition') ?? undefined, body: s.childForFieldName('consequence'), node: s },
    ];
    for (const c of s.namedChildren) {
      if (c?.type === 'elif_clause') clauses.push({ cond: c.childForFieldName('condition') ?? undefined, body: c.childForFieldName('consequence'), node: c });
      else if (c?.type === 'else_clause') clauses.push({ body: c.childForFieldName('body'), node: c });
    }
    for (const clause of clauses) {
      const body = statementsOf(clause.body);
      if (pending === null) { for (const b of body) this.record?.set(b.id, null); continue; }
      if (clause.node !== s) this.record?.set(clause.node.id, pending);
      if (!clause.cond) { outs.push(this.execBlock(body, pending)); pending = null; continue; }
      const f = this.frame(pending);
      const t = truthy(this.eval(clause.cond, f));
      const atCond = f.env.freeze();
      if (t === false) { for (const b of body) this.record?.set(b.id, null); pending = atCond; continue; }
      outs.push(this.execBlock(body, this.refine(clause.cond, atCond, true)));
      pending = t === true ? null : this.refine(clause.cond, atCond, false);
    }
    outs.push(pending);
    return joinEnvs(env, outs);
  }

  private loop(s: Node, env: Env, bind: ((f: Frame) => void) | undefined, cond: Node | undefined): Env | null {
    const body = statementsOf(s.childForFieldName('body'));
    const passes = this.loops.length >= MAX_LOOP_NESTING ? 1 : 2;
    let head = env;
    let loop: Loop = { breaks: [], continues: [] };
    let forever = false;
    let normal: Env | null = env;
    for (let pass = 0; pass < passes; pass++) {
      loop = { breaks: [], continues: [] };
      let start: Env | null = head;
      if (cond) {
        const f = this.frame(head);
        const t = truthy(this.eval(cond, f));
        const at = f.env.freeze();
        forever = t === true;
        if (t === false) { for (const b of body) this.record?.set(b.id, null); return at; }
        start = this.refine(cond, at, true);
        normal = forever ? null : this.refine(cond, at, false);
      } else if (bind) {
        const f = this.frame(head);
        bind(f);
        start = f.env.freeze();
      }
      this.loops.push(loop);
      const out = this.execBlock(body, start);
      this.loops.pop();
      const next = joinEnvs(env, [env, head, out, ...loop.continues]) ?? env;
      if (!cond) normal = next;
      head = next;
    }
    if (cond && !forever) normal = this.refine(cond, head, false);
    const elseClause = s.namedChildren.find((c) => c?.type === 'else_clause');
    const afterElse = elseClause ? this.execBlock(statementsOf(elseClause.childForFieldName('body')), normal) : normal;
    return joinEnvs(env, [afterElse, ...loop.breaks]);
  }

  private tryStatement(s: Node, env: Env): Env | null {
    const body = this.execBlock(statementsOf(s.childForFieldName('body')), env);
    const outs: (Env | null)[] = [];
    let elseOut: Env | null = body;
    let fin: Node | undefined;
    const anywhere = joinEnvs(env, [env, body]) ?? env;
    for (const c of s.namedChildren) {
      if (!c) continue;
      if (c.type === 'except_clause' || c.type === 'except_group_clause') {
        const m = new MutEnv(anywhere);
        const alias = c.namedChildren.find((x) => x?.type === 'as_pattern');
        const target = alias?.childForFieldName('alias')?.namedChildren[0];
        if (target) bindTarget(target, UNKNOWN, { flow: this.flow, info: this.info, env: m, run: this });
        const block = c.namedChildren.find((x) => x?.type === 'block');
        outs.push(this.execBlock(statementsOf(block), m.freeze()));
      } else if (c.type === 'else_clause') elseOut = this.execBlock(statementsOf(c.childForFieldName('body')), body);
      else if (c.type === 'finally_clause') fin = c;
    }
    outs.push(elseOut);
    const after = joinEnvs(env, outs);
    if (!fin) return after;
    const block = fin.namedChildren.find((x) => x?.type === 'block');
    const finOut = this.execBlock(statementsOf(block), after ?? anywhere);
    return after === null ? null : finOut;
  }

  private matchStatement(s: Node, env: Env): Env | null {
    const f = this.frame(env);
    const subject = this.eval(s.childForFieldName('subject'), f);
    const at = f.env.freeze();
    const outs: (Env | null)[] = [at];
    const body = s.childForFieldName('body');
    for (const c of body?.namedChildren ?? []) {
      if (c?.type !== 'case_clause') continue;
      const m = new MutEnv(at);
      const patterns = c.namedChildren.filter((p) => p?.type === 'case_pattern');
      const subjectNode = s.childForFieldName('subject');
      const f = { flow: this.flow, info: this.info, env: m, run: this };
      // `case "all":` — the subject equals the literal in this case
      const literal = patterns.length === 1 ? patterns[0].namedChildren[0] : undefined;
      if (literal && /^(string|integer|float|true|false|none)$/.test(literal.type) && pathOf(subjectNode)) {
        bindTarget(subjectNode, evalExpression(literal, f), f);
      }
      const captured = hasLit(subject) ? subject : join(subject, iterElement(subject));
      for (const p of patterns) {
        for (const id of p.descendantsOfType('identifier')) {
          const parent = id.parent;
          if (!parent) continue;
          // a capture is a bare name (`case other:`), a keyword pattern's value, or `as name`
          if (parent.type === 'dotted_name' && (parent.namedChildren.length !== 1 || parent.parent?.type === 'class_pattern')) continue;
          if (parent.type === 'keyword_pattern' && parent.namedChildren[0]?.id === id.id) continue;
          if (parent.type === 'class_pattern') continue;
          m.set(id.text, captured);
        }
      }
      const guard = c.childForFieldName('guard');
      let start = m.freeze();
      if (guard) start = this.refine(guard.namedChildren[0] ?? guard, start, true);
      outs.push(this.execBlock(statementsOf(c.childForFieldName('consequence')), start));
    }
    return joinEnvs(env, outs);
  }

  /** The environment where a condition is known to be `truth`: allow-lists, equality with constants, validators. */
  refine(cond: Node, env: Env, truth: boolean): Env {
    const f = this.frame(env);
    this.refineInto(cond, f, truth, 0);
    return f.env.freeze();
  }

  /**
   * `u = urlparse(next); if u.netloc not in ALLOWED: abort()`: the host part of a parsed URL is known, so
   * the string it was parsed from points at an allowed host (while that name still holds the same value).
   */
  private hostChecked(part: Node, f: Frame): void {
    if (part.type !== 'attribute' || !HOST_PARTS.has(part.childForFieldName('attribute')?.text ?? '')) return;
    const obj = part.childForFieldName('object');
    if (obj?.type !== 'identifier') return;
    const parsed = evalExpression(obj, f).parsed;
    if (!parsed || parsed.path.includes('.') || f.env.get(parsed.path) !== parsed.v) return;
    f.env.set(parsed.path, clear(parsed.v, HOST_SINKS));
  }

  private refineInto(c: Node, f: Frame, truth: boolean, depth: number): void {
    if (depth > 20) return;
    switch (c.type) {
      case 'parenthesized_expression': {
        const inner = c.namedChildren[0];
        if (inner) this.refineInto(inner, f, truth, depth + 1);
        return;
      }
      case 'not_operator': {
        const arg = c.childForFieldName('argument');
        if (arg) this.refineInto(arg, f, !truth, depth + 1);
        return;
      }
      case 'boolean_operator': {
        const op = c.childForFieldName('operator')?.text;
        const l = c.childForFieldName('left');
        const r = c.childForFieldName('right');
        if ((op === 'and' && truth) || (op === 'or' && !truth)) {
          if (l) this.refineInto(l, f, truth, depth + 1);
          if (r) this.refineInto(r, f, truth, depth + 1);
        } else if (l && r && (op === 'and' || op === 'or')) {
          // `not (a and b)` is `not a`, or `a and not b`: what holds on both ways
          const base = f.env.freeze();
          const first = new MutEnv(base);
          this.refineInto(l, { ...f, env: first }, truth, depth + 1);
          const second = new MutEnv(base);
          this.refineInto(l, { ...f, env: second }, !truth, depth + 1);
          this.refineInto(r, { ...f, env: second }, truth, depth + 1);
          const joined = joinEnvs(base, [first.freeze(), second.freeze()]);
          if (joined) f.env = new MutEnv(joined);
        }
        return;
      }
      case 'identifier': case 'attribute': {
        // `if not next_url:` a falsy value ('', None, 0, empty containers) carries nothing to inject
        if (!truth && pathOf(c) && evalExpression(c, f).kind !== 'constant') bindTarget(c, constant(), f);
        return;
      }
      case 'comparison_operator': {
        const ops = c.namedChildren.filter((x): x is Node => !!x && x.type !== 'comment');
        if (ops.length !== 2) return;
        const [l, r] = ops;
        const op = c.text.slice(l.endIndex - c.startIndex, r.startIndex - c.startIndex).trim().replace(/\s+/g, ' ');
        if ((op === 'in' && truth) || (op === 'not in' && !truth)) {
          const allowed = evalExpression(r, f);
          if (allowed.kind === 'constant' && pathOf(l)) { this.hostChecked(l, f); bindTarget(l, constant(), f); }
        } else if ((op === '==' && truth) || (op === '!=' && !truth)) {
          const lv = evalExpression(l, f);
          const rv = evalExpression(r, f);
          if (rv.kind === 'constant' && pathOf(l)) { this.hostChecked(l, f); bindTarget(l, rv, f); }
          else if (lv.kind === 'constant' && pathOf(r)) { this.hostChecked(r, f); bindTarget(r, lv, f); }
        } else if ((op === 'in' && !truth) || (op === 'not in' && truth)) {
          // `if "'" in name: abort()`: afterwards `name` has no `'` (see quotedParts)
          const ch = evalExpression(l, f);
          const target = pathOf(r);
          if (hasLit(ch) && typeof ch.lit === 'string' && ch.lit.length === 1 && target && r.type === 'identifier') {
            const v = evalExpression(r, f);
            if (v.kind !== 'constant' && !v.noChars?.includes(ch.lit)) f.env.set(target, { ...v, noChars: (v.noChars ?? '') + ch.lit });
          }
        }
        return;
      }
      case 'call': {
        if (!truth) return;
        const fn = c.childForFieldName('function');
        const args = c.childForFieldName('arguments')?.namedChildren.filter((x): x is Node => !!x && x.type !== 'comment') ?? [];
        if (fn?.type === 'attribute' && VALIDATING_METHODS.has(fn.childForFieldName('attribute')?.text ?? '')) {
          const obj = fn.childForFieldName('object');
          if (pathOf(obj)) bindTarget(obj, clear(evalExpression(obj!, f), ALL_SINKS), f);
          return;
        }
        if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'startswith' && args.length >= 1) {
          // `path.startswith(BASE)` with a constant base: the path stays under it
          const obj = fn.childForFieldName('object');
          if (pathOf(obj) && evalExpression(args[0], f).kind === 'constant') bindTarget(obj, clear(evalExpression(obj!, f), ['path']), f);
          return;
        }
        const callee = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.type === 'identifier' ? fn.text : undefined;
        if (callee && ALLOW_CHECK.test(callee) && args[0] && args[0].type !== 'keyword_argument' && pathOf(args[0])) {
          // `if _allow_redirect(url):`, `if self.is_safe_url(url):` the project's own allow-list check
          bindTarget(args[0], clear(evalExpression(args[0], f), HOST_SINKS), f);
          return;
        }
        const q = fn ? qualifiedIn(fn, f) : undefined;
        if (q && URL_VALIDATORS.test(q) && args.length >= 1) {
          // the URL is the first argument, or `url=` (Django's keyword form)
          const url = args[0].type === 'keyword_argument'
            ? args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'url')?.childForFieldName('value')
            : args[0];
          if (url && pathOf(url)) bindTarget(url, clear(evalExpression(url, f), ['redirect', 'url']), f);
          return;
        }
        if (q && VALUE_VALIDATORS.has(q) && args[0] && args[0].type !== 'keyword_argument' && pathOf(args[0])) {
          // true only for a value from a fixed set (a language code Django ships): nothing of the request is left
          bindTarget(args[0], clear(evalExpression(args[0], f), ALL_SINKS), f);
          return;
        }
        if (q === 'isinstance' && args.length === 2 && pathOf(args[0]) && numericTypes(args[1])) {
          bindTarget(args[0], clear(evalExpression(args[0], f), ALL_SINKS), f);
          return;
        }
        if ((q === 're.fullmatch' || q === 're.match' || q === 're.search') && args.length >= 2 && pathOf(args[1])) {
          const pattern = evalExpression(args[0], f);
          if (hasLit(pattern) && typeof pattern.lit === 'string' && safePattern(pattern.lit, q === 're.fullmatch')) {
            // `[a-z0-9.-]+` matches `..`: every sink but paths
            const sinks = /\[[^\]]*\.[^\]]*\]/.test(pattern.lit) && pattern.lit.length < 400 ? ALL_SINKS.filter((x) => x !== 'path') : ALL_SINKS;
            bindTarget(args[1], clear(evalExpression(args[1], f), sinks), f);
          }
        }
        return;
      }
      case 'named_expression':
        evalExpression(c, f);
        return;
    }
  }
}

const HOST_PARTS = new Set(['netloc', 'hostname']);

/** Library predicates that hold only for a value of a fixed, known set. */
const VALUE_VALIDATORS = new Set(['django.utils.translation.check_for_language']);

/** Names of the project's own URL allow-list predicates (`_allow_redirect`, `is_safe_url`, `is_trusted_host`). */
const ALLOW_CHECK = /^_*(?:is_)?(?:allow(?:ed)?|safe|trusted|permitted|whitelisted|allowlisted)_(?:redirect|url|next|host|target|origin|domain|return_url)s?$|^_*is_(?:redirect|url|next|host|target|origin|domain)_(?:allowed|safe|trusted|permitted|whitelisted|allowlisted)$/;
const HOST_SINKS: SinkClass[] = ['redirect', 'url', 'ssrf'];

/** A regular expression that admits only word characters, digits, `-` and `.` over the whole string. */
function safePattern(p: string, full: boolean): boolean {
  const anchored = full || (p.startsWith('^') && (p.endsWith('$') || p.endsWith('\\Z') || p.endsWith('\\z')));
  if (!anchored) return false;
  const body = p.replace(/^\^/, '').replace(/(\$|\\Z|\\z)$/, '');
  return /^(?:(?:\[(?:\\[wd-]|[A-Za-z0-9_.-])+\]|\\w|\\d|[A-Za-z0-9_#:@,=~-])(?:[+*?]|\{\d+(?:,\d*)?\})?)+$/.test(body)
    && !/\\s|\.\*|\.\+/.test(body);
}

function augmented(op: string, a: PV, b: PV): PV {
  if (a.elems && op === '+') return mutate(a, 'extend', [b]);
  if (a.elems && op === '|') return mutate(a, 'update', [b]);
  if (hasLit(a) && hasLit(b)) return binary(op, a, b);
  if (a.kind === 'constant' && b.kind === 'constant') return constant();
  if (op === '+' || op === '%') return binary(op, a, b);
  if (op === '*' || op === '|' || op === '&') return join({ ...a, elems: undefined, rest: undefined, srcObj: undefined } as PV, b);
  return clear(join(a, b), ALL_SINKS);
}


const STATEMENTS = new Set([
  'expression_statement', 'if_statement', 'for_statement', 'while_statement', 'try_statement', 'with_statement',
  'match_statement', 'return_statement', 'raise_statement', 'break_statement', 'continue_statement',
  'function_definition', 'class_definition', 'decorated_definition', 'assert_statement', 'import_statement',
  'import_from_statement', 'print_statement', 'exec_statement', 'delete_statement', 'ERROR', 'block',
]);
const EXPRESSION_STATEMENTS = new Set(['assignment', 'augmented_assignment', 'call', 'await', 'named_expression']);

const NUMERIC_TYPES = new Set(['int', 'float', 'bool']);

/** `int`, `(int, float)`, `(bool,)`: the second argument of an `isinstance` that admits numbers only. */
function numericTypes(n: Node): boolean {
  if (n.type === 'identifier') return NUMERIC_TYPES.has(n.text);
  if (n.type === 'parenthesized_expression' || n.type === 'tuple') {
    const items = n.namedChildren.filter((c) => c.type !== 'comment');
    return items.length > 0 && items.every((c) => c.type === 'identifier' && NUMERIC_TYPES.has(c.text));
  }
  return false;
}
