import type { SinkClass, Source, Step, Value } from '../../engine/types';

/**
 * The front's internal value: the public lattice plus what containers hold.
 * `fields` for object literals (by constant key), `elems` for array literals (by index);
 * `func` for a local function value (so calls can use its summary).
 */
export interface V {
  kind: Value['kind'];
  value?: string;
  source?: Source;
  path?: Step[];
  cleared?: SinkClass[];
  origin?: string;
  fields?: Map<string, V>;
  /** For objects built with spreads: what the spread sources hold (read for keys not in `fields`). */
  rest?: V;
  elems?: V[];
  func?: object;
  /** Built by concatenation or a template with non-constant parts. */
  built?: boolean;
  /** The expression last assigned to the variable this value was read from, when unique. */
  def?: object;
  /** HTML metacharacters a `.replace(/</g, '&lt;')` chain has escaped so far (see escapes.ts). */
  escaped?: string;
  /** Local-path checks seen so far on a redirect target: `L` (starts with `/`), `N` (does not start with `//`). */
  checks?: string;
  /** A constant number or boolean (see fold.ts): what branch conditions fold with. */
  lit?: number | boolean;
  /** Map-like objects (`new Map()`): `set`/`get` store and read `fields` by constant key. */
  map?: boolean;
  /** Characters a guard proved absent (`if (x.includes("'")) return;`): a quote that cannot close a literal. */
  noChars?: string;
}

export const ALL_SINKS: SinkClass[] = [
  'sql', 'nosql', 'command', 'code', 'html', 'path', 'url', 'redirect', 'ssrf',
  'xml', 'deserialization', 'ldap', 'xpath', 'log', 'header', 'template', 'regex',
];

export const UNKNOWN: V = { kind: 'unknown' };
export const CONST: V = { kind: 'constant' };
/** A number or boolean: whatever its origin, it cannot carry an injection. */
export const SAFE: V = { kind: 'unknown', cleared: ALL_SINKS };

export function constant(value?: string): V {
  return value === undefined ? CONST : { kind: 'constant', value };
}

export function tainted(source: Source, path: Step[] = [], cleared: SinkClass[] = []): V {
  return { kind: 'tainted', source, path, cleared };
}

const RANK = { constant: 0, unknown: 1, tainted: 2 } as const;

function intersect(a: SinkClass[] | undefined, b: SinkClass[] | undefined): SinkClass[] {
  if (!a || !b || a.length === 0 || b.length === 0) return [];
  if (a === b) return a;
  return a.filter((s) => b.includes(s));
}

/** The worst of two values: tainted over unknown over constant; cleared only where both agree. */
export function join(a: V, b: V): V {
  if (a === b) return a;
  if (a.kind === 'constant' && b.kind === 'constant') {
    const out: V = a.value !== undefined && a.value === b.value ? { kind: 'constant', value: a.value } : { kind: 'constant' };
    if (a.lit !== undefined && a.lit === b.lit) out.lit = a.lit;
    return withContainers(out, a, b);
  }
  const worst = RANK[a.kind] >= RANK[b.kind] ? a : b;
  const other = worst === a ? b : a;
  let out: V;
  if (worst.kind === 'tainted') {
    // A sink the tainted side was cleared for sees, at worst, the unknown side: that is a warning's
    // worth of evidence, not an error's. Keeping the clearance trades that warning for precision
    // (`path.join(base, path.basename(name))` with `base` unknown is the common safe idiom).
    const cleared = other.kind === 'tainted' ? intersect(worst.cleared, other.cleared) : worst.cleared;
    out = { kind: 'tainted', source: worst.source, path: worst.path, cleared };
  } else {
    // unknown: constant sides do not weaken what was cleared
    const cleared = other.kind === 'constant' ? worst.cleared : intersect(worst.cleared, other.cleared);
    out = cleared && cleared.length ? { kind: 'unknown', cleared } : { kind: 'unknown' };
  }
  if (a.origin && a.origin === b.origin) out.origin = a.origin;
  else if (worst.origin && other.kind === 'constant' && other.value === undefined) out.origin = worst.origin;
  return withContainers(out, a, b);
}

function withContainers(out: V, a: V, b: V): V {
  if (a.fields && b.fields) {
    const fields = new Map<string, V>();
    for (const [k, v] of a.fields) fields.set(k, join(v, b.fields.get(k) ?? CONST));
    for (const [k, v] of b.fields) if (!fields.has(k)) fields.set(k, join(v, CONST));
    out.fields = fields;
  } else if (a.fields ? a.rest && !b.elems : b.fields && b.rest && !a.elems) {
    // an opaque object with a property stored (`req.body = x`) joined with the object as it was:
    // reads of the other properties (`req.ip`) still see what they held
    const [f, o] = a.fields ? [a, strip(b)] : [b, strip(a)];
    out.fields = new Map([...f.fields!].map(([k, v]) => [k, join(v, o)]));
    out.rest = join(f.rest!, o);
  }
  if (a.elems && b.elems && a.elems.length === b.elems.length) out.elems = a.elems.map((e, i) => join(e, b.elems![i]));
  if (a.rest && b.rest) out.rest = join(a.rest, b.rest);
  if (a.built || b.built) out.built = true;
  if (a.func && a.func === b.func) out.func = a.func;
  if (a.def && a.def === b.def) out.def = a.def;
  if (a.map && b.map) out.map = true;
  return out;
}

export function joinAll(values: V[]): V {
  if (values.length === 0) return CONST;
  let out = values[0];
  for (let i = 1; i < values.length; i++) out = join(out, values[i]);
  return out;
}

/** `v` with the sinks in `sinks` made safe (a sanitizer on the way). Constants stay constant. */
export function clear(v: V, sinks: SinkClass[]): V {
  if (v.kind === 'constant') return { kind: 'constant', value: v.value };
  const prev = v.cleared ?? [];
  const cleared = [...prev, ...sinks.filter((s) => !prev.includes(s))];
  if (v.kind === 'tainted') return { kind: 'tainted', source: v.source, path: v.path, cleared };
  return { kind: 'unknown', cleared };
}

/**
 * A value known to be a string (`String(x)`, a template, `+`, `x.toString()`): whatever it came from,
 * it cannot be an object that smuggles query operators (`{"$ne": null}`) into a NoSQL filter.
 */
export function asString(v: V): V {
  if (v.kind === 'constant' || v.cleared?.includes('nosql')) return v;
  const out = clear(v, ['nosql']);
  if (v.built) out.built = true;
  if (v.escaped) out.escaped = v.escaped;
  return out;
}

/** Adds a step to a tainted value's path (kept short). */
export function step(v: V, description: string, line: number): V {
  if (v.kind !== 'tainted' || !v.path || v.path.length >= 8) return v;
  const last = v.path[v.path.length - 1];
  if (last && last.description === description && last.line === line) return v;
  return { ...v, path: [...v.path, { description, line }] };
}

/** Drops the container details: what rules see. */
export function toPublic(v: V): Value {
  if (v.kind === 'constant') {
    const out: Value = v.value !== undefined ? { kind: 'constant', value: v.value } : { kind: 'constant' };
    if (v.origin) out.origin = v.origin;
    return out;
  }
  if (v.kind === 'tainted') {
    const out: Value = { kind: 'tainted', source: v.source!, path: v.path ?? [], cleared: v.cleared ?? [] };
    if (v.origin) out.origin = v.origin;
    return out;
  }
  const out: Value = { kind: 'unknown' };
  if (v.cleared?.length) out.cleared = v.cleared;
  if (v.origin) out.origin = v.origin;
  return out;
}

/** The join of what a container holds (for reads at non-constant indexes and for-of). */
export function contents(v: V): V {
  if (v.elems) return v.elems.length ? joinAll(v.elems) : CONST;
  if (v.fields) {
    const all = [...v.fields.values()];
    if (v.rest) all.push(contents(v.rest));
    return all.length ? joinAll(all) : CONST;
  }
  if (v.kind === 'constant') return CONST;
  return v.kind === 'tainted' ? v : { kind: 'unknown', cleared: v.cleared };
}

/** The value without container details (what a copy of its contents would hold). */
export function strip(v: V): V {
  if (!v.fields && !v.elems && !v.func && !v.def && !v.rest) return v;
  const out = toPublic(v) as V;
  if (v.built) out.built = true;
  return out;
}
