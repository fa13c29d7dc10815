/**
 * Version order per ecosystem, the only comparison the advisory matcher uses.
 * npm: `semver` precedence on loosely parsed versions (pre-releases sort before their release, so
 * `1.2.3-beta` lies inside `[1.0.0, 1.2.3)`: total order, never `satisfies`).
 * PyPI: PEP 440 order from `@renovatebot/pep440`.
 * Either way a version the real parser rejects (`1.4.0.rc1`, `2.0.0-final`, `latest`) is compared
 * with a token fallback: numbers numerically, words below numbers and below the end (a word after
 * the numbers reads as a pre-release); `1.2` and `1.2.0` are equal. Every pair is ordered.
 */
import * as pep440 from '@renovatebot/pep440';
import * as semver from 'semver';

export type Ecosystem = 'npm' | 'PyPI';

const LOOSE = { loose: true } as const;

/** Parsed forms, remembered: the same few hundred event versions are compared again and again. */
const semverMemo = new Map<string, semver.SemVer | null>();
const pepMemo = new Map<string, boolean>();
const MEMO_LIMIT = 50_000;

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

function parseSemver(v: string): semver.SemVer | null {
  const hit = semverMemo.get(v);
  if (hit !== undefined) return hit;
  let parsed: semver.SemVer | null = null;
  try {
    parsed = v.length <= 256 ? semver.parse(v, LOOSE) : null;
  } catch {
    parsed = null;
  }
  return remember(semverMemo, v, parsed);
}

function pepValid(v: string): boolean {
  const hit = pepMemo.get(v);
  if (hit !== undefined) return hit;
  let ok = false;
  try {
    ok = v.length <= 256 && pep440.valid(v) !== null;
  } catch {
    ok = false;
  }
  return remember(pepMemo, v, ok);
}

export function isValidVersion(ecosystem: Ecosystem, version: string): boolean {
  return ecosystem === 'npm' ? parseSemver(version) !== null : pepValid(version);
}

export function compareVersions(ecosystem: Ecosystem, a: string, b: string): number {
  if (a === b) return 0;
  if (ecosystem === 'npm') {
    const x = parseSemver(a);
    const y = parseSemver(b);
    if (x && y) return x.compare(y);
  } else if (pepValid(a) && pepValid(b)) {
    const c = pep440.compare(a, b);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return fallbackCompare(a, b);
}

/** The major line of a version: semver major, or PEP 440 epoch and first release number. */
export function majorOf(ecosystem: Ecosystem, version: string): string {
  if (ecosystem === 'npm') {
    const v = parseSemver(version);
    if (v) return String(v.major);
  } else if (pepValid(version)) {
    const e = pep440.explain(version);
    if (e) return `${e.epoch}!${e.release[0] ?? 0}`;
  }
  const m = /^\D{0,8}?(\d{1,15})/.exec(version);
  return m ? String(Number(m[1])) : version;
}

/** Numbers and words, split at dots, dashes, underscores, plus signs and digit/letter boundaries. */
function tokens(v: string): (number | string)[] {
  const out: (number | string)[] = [];
  const s = v.slice(0, 256).toLowerCase().replace(/^[v=\s]+/, '');
  for (const m of s.matchAll(/\d+|[a-z]+/g)) out.push(/\d/.test(m[0][0]) ? Number(m[0]) : m[0]);
  return out;
}

export function fallbackCompare(a: string, b: string): number {
  const x = tokens(a);
  const y = tokens(b);
  const n = Math.min(x.length, y.length);
  let c = 0;
  for (let i = 0; i < n && c === 0; i++) {
    const p = x[i];
    const q = y[i];
    if (p === q) continue;
    if (typeof p === 'number' && typeof q === 'number') c = p < q ? -1 : 1;
    else if (typeof p === 'number') c = 1;
    else if (typeof q === 'number') c = -1;
    else c = p < q ? -1 : 1;
  }
  if (c === 0 && x.length !== y.length) c = x.length > y.length ? tail(x, n) : -tail(y, n);
  return c;
}

/**
 * What the extra tokens of the longer version mean: a non-zero number first makes it greater
 * (`1.2.1` > `1.2`), a word first makes it smaller (`1.2.0-beta` < `1.2`), zeros alone nothing.
 */
function tail(longer: (number | string)[], from: number): number {
  for (let i = from; i < longer.length; i++) {
    const t = longer[i];
    if (typeof t === 'string') return -1;
    if (t !== 0) return 1;
  }
  return 0;
}
