import type { PNode as Node } from './tree';
import type { SinkClass, Source, Step, Value } from '../../engine/types';

/** Every sink class: what `int()` and friends make safe. */
export const ALL_SINKS: SinkClass[] = [
  'sql', 'nosql', 'command', 'code', 'html', 'path', 'url', 'redirect', 'ssrf',
  'xml', 'deserialization', 'ldap', 'xpath', 'log', 'header', 'template', 'regex',
];

/** A Python literal the data flow can fold: str, int/float, bool, None. */
export type Lit = string | number | boolean | null;

/**
 * The front's internal value: the engine's `Value` plus what folding needs. Rules only read the
 * `Value` part; the extra fields are harmless to them.
 */
export type PV = Value & {
  /** The Python literal when known (`value` holds its `str()`). */
  lit?: Lit;
  /** Container elements under constant keys (`'0'`, `'1'` for lists and tuples, dict keys as text). */
  elems?: Map<string, PV>;
  /** Join of the elements stored under unknown keys. */
  rest?: PV;
  /**
   * A keyed object the code stores into (`os.environ["K"] = v`, a `ConfigParser`, a dict from a call):
   * what a key never stored holds. Unlike `rest` (stores under unknown keys, which may be any key), it
   * does not reach keys that were stored.
   */
  dflt?: PV;
  /** A parsed URL (`urlparse(next)`): the name it was parsed from and the value that name held then. */
  parsed?: { path: string; v: PV };
  /** Characters a guard proved absent (`if "'" in name: abort()`): a quote that cannot close a literal. */
  noChars?: string;
  /** A list or tuple whose `elems` are exactly 0..n-1 (order known). */
  seq?: boolean;
  /** A raw source object (`request.args`): a subscript or `.get('k')` names the source more precisely. */
  srcObj?: boolean;
  /** A function or class defined in this file. */
  def?: Node;
  /** A string built by formatting or concatenation with non-constant parts. */
  built?: boolean;
  /** For built strings: the known text, with U+0000 where a non-constant part goes (first 4000 characters). */
  template?: string;
};

/** Marks the non-constant parts of a built string's `template`. */
export const HOLE = '\u0000';

export const UNKNOWN: PV = { kind: 'unknown' };

export function pyStr(lit: Lit): string {
  if (lit === null) return 'None';
  if (lit === true) return 'True';
  if (lit === false) return 'False';
  if (typeof lit === 'number') return Number.isInteger(lit) || !Number.isFinite(lit) ? String(lit) : String(lit);
  return lit;
}

export function constant(lit?: Lit, origin?: string): PV {
  const v: PV = { kind: 'constant' };
  if (lit !== undefined) { v.lit = lit; v.value = pyStr(lit); }
  if (origin) v.origin = origin;
  return v;
}

export function unknown(origin?: string, cleared?: SinkClass[]): PV {
  const v: PV = { kind: 'unknown' };
  if (origin) v.origin = origin;
  if (cleared && cleared.length) v.cleared = cleared;
  return v;
}

export function tainted(source: Source, srcObj = false): PV {
  const v: PV = { kind: 'tainted', source, path: [], cleared: [] };
  if (srcObj) v.srcObj = true;
  return v;
}

export function hasLit(v: PV | undefined): v is PV & { lit: Lit } {
  return !!v && v.kind === 'constant' && v.lit !== undefined;
}

function clearedOf(v: PV): SinkClass[] {
  if (v.kind === 'constant') return ALL_SINKS;
  return v.cleared ?? [];
}

function intersect(a: SinkClass[], b: SinkClass[]): SinkClass[] {
  if (a === b) return a;
  return a.filter((x) => b.includes(x));
}

/** The value with the sink classes `classes` made safe (a sanitizer's output). */
export function clear(v: PV, classes: SinkClass[]): PV {
  if (v.kind === 'constant') return v;
  const cleared = [...new Set([...(v.cleared ?? []), ...classes])];
  if (v.kind === 'tainted') return { kind: 'tainted', source: v.source, path: v.path, cleared };
  return { kind: 'unknown', cleared };
}

/** Adds a step to the path of a tainted value (kept short). */
export function step(v: PV, description: string, line: number): PV {
  if (v.kind !== 'tainted' || v.path.length >= 8) return v;
  const last = v.path[v.path.length - 1];
  if (last && last.description === description && last.line === line) return v;
  const path: Step[] = [...v.path, { description, line }];
  return { ...v, path };
}

/** The same value without container structure or source-object marks. */
export function plain(v: PV): PV {
  if (!v.elems && !v.rest && !v.srcObj && !v.def && !v.seq && !v.dflt) return v;
  const { elems: _e, rest: _r, srcObj: _s, def: _d, seq: _q, dflt: _f, ...out } = v;
  return out as PV;
}

/** The worst of two values: tainted over unknown over constant; equal constants keep their literal. */
export function join(a: PV | undefined, b: PV | undefined): PV {
  if (!a) return b ?? UNKNOWN;
  if (!b || a === b) return a;
  let out: PV;
  if (a.kind === 'tainted' || b.kind === 'tainted') {
    const t = a.kind === 'tainted' ? a : b as PV & { kind: 'tainted' };
    const o = t === a ? b : a;
    const tt = t as Extract<PV, { kind: 'tainted' }>;
    // as in the JS front: a sink the tainted side was cleared for sees, at worst, the unknown side (a
    // warning's worth of evidence, never an error naming the request). `os.path.join(base, f"{uuid4()}-{name}")`
    // after `name = secure_filename(...)` keeps its clearance.
    out = { kind: 'tainted', source: tt.source, path: tt.path, cleared: o.kind === 'tainted' ? intersect(tt.cleared, clearedOf(o)) : tt.cleared };
    if (tt.srcObj && (o.kind !== 'tainted' || o.srcObj)) out.srcObj = true;
  } else if (a.kind === 'unknown' || b.kind === 'unknown') {
    const u = a.kind === 'unknown' ? a : b;
    const o = u === a ? b : a;
    out = { kind: 'unknown' };
    const cleared = intersect(clearedOf(u), clearedOf(o));
    if (cleared.length) out.cleared = cleared;
  } else {
    out = { kind: 'constant' };
    if (a.lit !== undefined && b.lit !== undefined && a.lit === b.lit) { out.lit = a.lit; out.value = a.value; }
  }
  if (a.built || b.built) out.built = true;
  const template = a.template ?? b.template;
  if (template !== undefined && out.kind !== 'constant') out.template = template;
  const origin = a.origin === b.origin ? a.origin : (a.kind !== 'constant' ? a.origin : b.origin) ?? a.origin ?? b.origin;
  if (origin) out.origin = origin;
  if (a.elems && b.elems) {
    const elems = new Map(a.elems);
    for (const [k, v] of b.elems) elems.set(k, join(elems.get(k), v));
    out.elems = elems;
    const rest = a.rest || b.rest ? join(a.rest, b.rest) : undefined;
    if (rest) out.rest = rest;
    if (a.dflt || b.dflt) out.dflt = join(a.dflt, b.dflt);
    if (a.seq && b.seq && a.elems.size === b.elems.size) out.seq = true;
  }
  else if ((a.elems || b.elems) && !(a.srcObj || b.srcObj)) {
    // a container joined with a plain value (`return a, b` on one path, an unknown call on another):
    // keep the element structure, each element possibly the other value
    const c = a.elems ? a : b;
    const o = plain(c === a ? b : a);
    const elems = new Map<string, PV>();
    for (const [k, e] of c.elems!) elems.set(k, join(e, o));
    out.elems = elems;
    out.rest = c.rest ? join(c.rest, o) : o;
    if (c.seq) out.seq = true;
  }
  if (a.def && a.def === b.def) out.def = a.def;
  return out;
}

/** Join of a container's elements (what iterating over it or reading an unknown key yields). */
export function elementsOf(v: PV): PV {
  if (!v.elems) return plain(v);
  let out: PV | undefined = v.dflt ? join(v.rest, v.dflt) : v.rest;
  for (const e of v.elems.values()) out = join(out, e);
  return out ?? constant();
}

/** A container value from its elements: constant when every element is. */
export function container(elems: Map<string, PV>, seq: boolean, rest?: PV): PV {
  let whole: PV = constant();
  for (const e of elems.values()) whole = join(whole, plain(e));
  if (rest) whole = join(whole, plain(rest));
  const out: PV = { ...plain(whole), elems, seq };
  if (out.kind === 'constant') { delete out.lit; delete (out as { value?: string }).value; }
  if (rest) out.rest = rest;
  return out;
}

/** A keyed object whose stored keys are `elems` and whose other keys hold `dflt`. */
export function keyed(elems: Map<string, PV>, dflt: PV, rest?: PV, origin?: string): PV {
  const out: PV = { ...plain(join(container(elems, false, rest), plain(dflt))), elems, dflt };
  if (rest) out.rest = rest;
  if (origin) out.origin = origin;
  return out;
}

/** A short key describing a value, for memoizing function summaries per call. */
export function signature(v: PV): string {
  const cl = v.kind === 'constant' ? '' : (v.cleared ?? []).join(',');
  if (v.elems) return `[${[...v.elems].slice(0, 20).map(([k, e]) => `${k}:${signature(e)}`).join(';')}|${v.rest ? signature(v.rest) : ''}${v.dflt ? `|${signature(v.dflt)}` : ''}]`;
  if (v.kind === 'constant') return `c${v.lit === undefined ? '' : JSON.stringify(v.lit)}${v.origin ?? ''}`;
  if (v.kind === 'tainted') return `t${v.source.description}@${v.source.line}[${cl}]${v.srcObj ? 'o' : ''}`;
  return `u${v.origin ?? ''}[${cl}]`;
}
