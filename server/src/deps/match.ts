/**
 * Matching one package's index entries against a version, and the upgrade search. What is derived from
 * a package's entries (advisories grouped and described, the union of its affected intervals, its fixed
 * versions in order) is computed on first use and kept with the entries, so a lockfile naming the same
 * package many times, or a package with hundreds of advisories, costs a few comparisons per lookup.
 */
import { SEVERITIES, type EcosystemFile, type Entry } from './index-format';
import { compareVersions, majorOf, type Ecosystem } from './versions';

export interface Advisory {
  id: string;
  aliases: string[];
  summary: string;
  severity: 'low' | 'moderate' | 'high' | 'critical' | undefined;
  /** Human-readable affected ranges, e.g. ">=4.0.0 <4.17.21", ranges joined by ", ". */
  affected: string;
  /** Every fixed version named by the record's ranges, ascending. */
  fixed: string[];
  /** https://osv.dev/vulnerability/<id>, or the record's advisory reference for ids osv.dev does not know. */
  url: string;
}

/** An affected interval; `lo`/`hi` undefined = unbounded. */
interface Interval { lo?: string; hi?: string; hiIncl: boolean }

interface Derived {
  /** Entries per advisory row, in index order. */
  groups: Map<number, Entry[]>;
  described: Map<number, Described>;
  /** Disjoint, ascending. */
  union?: Interval[];
  /** Distinct fixed versions, ascending. */
  fixes?: string[];
}

/** An advisory as described once, shared (frozen) by every lookup, with the ids that identify it. */
interface Described { adv: Advisory; names: string[] }

const derivedCache = new WeakMap<Entry[], Derived>();

function derived(entries: Entry[]): Derived {
  let d = derivedCache.get(entries);
  if (!d) {
    const groups = new Map<number, Entry[]>();
    for (const e of entries) {
      const g = groups.get(e[0]);
      if (g) g.push(e);
      else groups.set(e[0], [e]);
    }
    d = { groups, described: new Map() };
    derivedCache.set(entries, d);
  }
  return d;
}

/** A version we can place in an order: starts with a digit (after an optional v or =), no spaces or URLs. */
export function looksLikeVersion(v: string): boolean {
  return v.length <= 128 && /^[v=]?\d[0-9A-Za-z.+_!-]*$/.test(v);
}

function entryAffects(eco: Ecosystem, entry: Entry, version: string): boolean {
  const versions = entry[2];
  if (versions) for (const v of versions) if (v === version || compareVersions(eco, v, version) === 0) return true;
  const r = entry[1];
  for (let i = 0; i + 1 < r.length; i += 2) {
    const intro = r[i];
    if (intro !== '0' && compareVersions(eco, version, intro) < 0) continue;
    const end = r[i + 1];
    if (end === '') return true;
    if (end.startsWith('<=')) {
      if (compareVersions(eco, version, end.slice(2)) <= 0) return true;
    } else if (compareVersions(eco, version, end.slice(1)) < 0) return true;
  }
  return false;
}

/** The advisories that apply (fresh objects: the caller may change them). */
export function matchAdvisories(eco: Ecosystem, file: EcosystemFile, entries: Entry[], version: string): Advisory[] {
  const d = derived(entries);
  const hits: Described[] = [];
  for (const [row, group] of d.groups) {
    if (!group.some((e) => entryAffects(eco, e, version))) continue;
    let x = d.described.get(row);
    if (!x) {
      // described by all of its entries for this package, not only the matching one
      const adv = describe(eco, file, row, group);
      x = { adv, names: [adv.id, ...adv.aliases.filter((n) => /^(CVE|GHSA|PYSEC)-/.test(n))] };
      d.described.set(row, x);
    }
    hits.push(x);
  }
  if (hits.length > 1) {
    const seen = new Set<string>();
    for (const h of hits) {
      for (const n of h.names) {
        if (seen.has(n)) return mergeAliases(eco, hits).map(copy);
        seen.add(n);
      }
    }
  }
  // rows are in id order
  return hits.map((h) => copy(h.adv));
}

function copy(a: Advisory): Advisory {
  return { ...a, aliases: a.aliases.slice(), fixed: a.fixed.slice() };
}

/**
 * The smallest fixed version above `version` that lies in no affected interval of the package; one in the
 * same major line when there is one (the next line's fix only when the current line has none).
 */
export function findFix(eco: Ecosystem, entries: Entry[], version: string): string | undefined {
  const d = derived(entries);
  d.union ??= unionOf(eco, entries);
  d.fixes ??= fixesOf(eco, entries);
  const union = d.union;
  const major = majorOf(eco, version);
  let first: string | undefined;
  for (const c of d.fixes) {
    if (compareVersions(eco, c, version) <= 0 || inUnion(eco, union, c)) continue;
    if (majorOf(eco, c) === major) return c;
    first ??= c;
  }
  return first;
}

function fixesOf(eco: Ecosystem, entries: Entry[]): string[] {
  const set = new Set<string>();
  for (const e of entries) {
    const r = e[1];
    for (let i = 1; i < r.length; i += 2) if (r[i].startsWith('<') && !r[i].startsWith('<=')) set.add(r[i].slice(1));
  }
  return [...set].sort((a, b) => compareVersions(eco, a, b));
}

function unionOf(eco: Ecosystem, entries: Entry[]): Interval[] {
  const all: Interval[] = [];
  for (const e of entries) {
    const r = e[1];
    for (let i = 0; i + 1 < r.length; i += 2) {
      const end = r[i + 1];
      all.push({
        lo: r[i] === '0' ? undefined : r[i],
        hi: end === '' ? undefined : end.startsWith('<=') ? end.slice(2) : end.slice(1),
        hiIncl: end.startsWith('<='),
      });
    }
    for (const v of e[2] ?? []) all.push({ lo: v, hi: v, hiIncl: true });
  }
  const loCmp = (a?: string, b?: string) => (a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : compareVersions(eco, a, b));
  all.sort((a, b) => loCmp(a.lo, b.lo));
  const out: Interval[] = [];
  for (const iv of all) {
    const last = out[out.length - 1];
    if (last && touches(eco, last, iv)) {
      if (last.hi !== undefined && (iv.hi === undefined || compareVersions(eco, iv.hi, last.hi) > 0 || (compareVersions(eco, iv.hi, last.hi) === 0 && iv.hiIncl))) {
        last.hi = iv.hi;
        last.hiIncl = iv.hiIncl;
      }
    } else {
      out.push({ ...iv });
    }
  }
  return out;
}

/** Whether `next` (starting at or after `last`'s start) overlaps or continues `last`. */
function touches(eco: Ecosystem, last: Interval, next: Interval): boolean {
  if (last.hi === undefined || next.lo === undefined) return true;
  const c = compareVersions(eco, next.lo, last.hi);
  return c < 0 || c === 0;
}

function inUnion(eco: Ecosystem, union: Interval[], v: string): boolean {
  // the last interval starting at or before v
  let lo = 0;
  let hi = union.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = union[mid].lo;
    if (start === undefined || compareVersions(eco, start, v) <= 0) {
      at = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (at < 0) return false;
  const iv = union[at];
  if (iv.hi === undefined) return true;
  const c = compareVersions(eco, v, iv.hi);
  return c < 0 || (c === 0 && iv.hiIncl);
}

const RANK = { critical: 4, high: 3, moderate: 2, low: 1 } as const;

/**
 * One vulnerability published twice (OSV's PyPI dump holds PYSEC-x and GHSA-y for one CVE): records that
 * name each other, or share a CVE or GHSA alias, become one advisory. The one with a severity (else a GHSA
 * id) leads; ids, aliases and fixed versions are united, the higher severity kept.
 */
function mergeAliases(eco: Ecosystem, list: Described[]): Advisory[] {
  const lead = (a: Advisory) => (a.severity ? 2 : 0) + (a.id.startsWith('GHSA-') ? 1 : 0);
  const sorted = [...list].sort((a, b) => lead(b.adv) - lead(a.adv));
  const out: Advisory[] = [];
  const owner = new Map<string, number>();
  for (const { adv, names } of sorted) {
    const hit = names.map((n) => owner.get(n)).find((x) => x !== undefined);
    if (hit === undefined) {
      for (const n of names) owner.set(n, out.length);
      out.push(adv);
      continue;
    }
    // a merged advisory is a new object: the shared ones stay as they are
    const m = Object.isFrozen(out[hit]) ? { ...out[hit], aliases: [...out[hit].aliases], fixed: [...out[hit].fixed] } : out[hit];
    out[hit] = m;
    for (const n of [adv.id, ...adv.aliases]) if (n !== m.id && !m.aliases.includes(n)) m.aliases.push(n);
    for (const n of names) if (!owner.has(n)) owner.set(n, hit);
    for (const f of adv.fixed) if (!m.fixed.includes(f)) m.fixed.push(f);
    m.fixed.sort((a, b) => compareVersions(eco, a, b));
    if (adv.severity && (!m.severity || RANK[adv.severity] > RANK[m.severity])) m.severity = adv.severity;
    if (!m.summary) m.summary = adv.summary;
  }
  for (const m of out) if (!Object.isFrozen(m)) freeze(m);
  // the database's order (by id)
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function freeze(a: Advisory): Advisory {
  Object.freeze(a.aliases);
  Object.freeze(a.fixed);
  return Object.freeze(a);
}

function describe(eco: Ecosystem, file: EcosystemFile, row: number, entries: Entry[]): Advisory {
  const [id, aliases, summary, severity, url] = file.advisories[row];
  const ranges: string[] = [];
  const fixed: string[] = [];
  const listed: string[] = [];
  for (const e of entries) {
    const r = e[1];
    for (let i = 0; i + 1 < r.length; i += 2) {
      const parts: string[] = [];
      if (r[i] !== '0') parts.push(`>=${r[i]}`);
      if (r[i + 1]) parts.push(r[i + 1]);
      if (r[i + 1].startsWith('<') && !r[i + 1].startsWith('<=')) fixed.push(r[i + 1].slice(1));
      ranges.push(parts.length ? parts.join(' ') : 'all versions');
    }
    if (e[2]) listed.push(...e[2]);
  }
  if (listed.length) {
    const shown = listed.slice(0, 8).join(', ');
    ranges.push(listed.length > 8 ? `${shown} and ${listed.length - 8} more` : shown);
  }
  return freeze({
    id,
    aliases: [...aliases],
    summary,
    severity: SEVERITIES[severity] ?? undefined,
    affected: ranges.join(', '),
    fixed: [...new Set(fixed)].sort((a, b) => compareVersions(eco, a, b)),
    url: url || `https://osv.dev/vulnerability/${encodeURIComponent(id)}`,
  });
}
