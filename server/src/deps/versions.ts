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

/**
 * A PEP 440 version as parsed once by `@renovatebot/pep440` (`explain`), reduced to the sort key of the
 * specification (packaging's `_cmpkey`): comparing two keys costs no parsing, which the upgrade search,
 * testing each candidate against every range of a package, needs.
 */
interface PepKey { epoch: number; release: number[]; pre: number[]; post: number; dev: number; local: (number | string)[] | null }

const PRE_LETTER: Record<string, number> = { a: 0, b: 1, rc: 2 };
const pepMemo = new Map<string, PepKey | null>();

function pepKey(v: string): PepKey | null {
  const hit = pepMemo.get(v);
  if (hit !== undefined) return hit;
  let key: PepKey | null = null;
  try {
    const e = v.length <= 256 ? pep440.explain(v) : null;
    if (e) {
      const release = [...e.release];
      while (release.length > 1 && release[release.length - 1] === 0) release.pop();
      const pre = e.pre as unknown as [string, number] | null;
      const post = e.post as unknown as number | null;
      const dev = e.dev as unknown as number | null;
      key = {
        epoch: e.epoch,
        release,
        // a dev release of a final version sorts before its pre-releases; no pre-release after them
        pre: pre ? [PRE_LETTER[pre[0]] ?? 2, pre[1]] : post === null && dev !== null ? [-Infinity] : [Infinity],
        post: post ?? -Infinity,
        dev: dev ?? Infinity,
        local: e.local ? e.local.split(/[._-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x.toLowerCase())) : null,
      };
    }
  } catch {
    key = null;
  }
  return remember(pepMemo, v, key);
}

function pepValid(v: string): boolean {
  return pepKey(v) !== null;
}

function compareNumbers(a: number[], b: number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Local labels: absent first; segment by segment, numbers above words, words alphabetically; a prefix first. */
function compareLocal(a: (number | string)[] | null, b: (number | string)[] | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    if (typeof x === 'number') return 1;
    if (typeof y === 'number') return -1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function comparePep(x: PepKey, y: PepKey): number {
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  return compareNumbers(x.release, y.release)
    || comparePre(x.pre, y.pre)
    || (x.post === y.post ? 0 : x.post < y.post ? -1 : 1)
    || (x.dev === y.dev ? 0 : x.dev < y.dev ? -1 : 1)
    || compareLocal(x.local, y.local);
}

function comparePre(a: number[], b: number[]): number {
  for (let i = 0; i < 2; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
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
  } else {
    const x = pepKey(a);
    const y = pepKey(b);
    if (x && y) return comparePep(x, y);
  }
  return fallbackCompare(a, b);
}

/** The major line of a version: semver major, or PEP 440 epoch and first release number. */
export function majorOf(ecosystem: Ecosystem, version: string): string {
  if (ecosystem === 'npm') {
    const v = parseSemver(version);
    if (v) return String(v.major);
  } else {
    const k = pepKey(version);
    if (k) return `${k.epoch}!${k.release[0] ?? 0}`;
  }
  const m = /^\D{0,8}?(\d{1,15})/.exec(version);
  return m ? String(Number(m[1])) : version;
}

/** Numbers and words, split at dots, dashes, underscores, plus signs and digit/letter boundaries. */
const tokenMemo = new Map<string, (number | string)[]>();

function tokens(v: string): (number | string)[] {
  const hit = tokenMemo.get(v);
  if (hit) return hit;
  const out: (number | string)[] = [];
  const s = v.slice(0, 256).toLowerCase().replace(/^[v=\s]+/, '');
  for (const m of s.matchAll(/\d+|[a-z]+/g)) out.push(/\d/.test(m[0][0]) ? Number(m[0]) : m[0]);
  return remember(tokenMemo, v, out);
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
