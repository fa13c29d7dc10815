/**
 * The advisory database: which published advisories (OSV) apply to a package version, and the
 * smallest upgrade that clears them. Engine side, no LSP, no network.
 *
 * Matching follows OSV and osv-scalibr: a version is affected when it is one of a record's
 * `versions`, or lies in a SEMVER/ECOSYSTEM range (`introduced` inclusive, `introduced: "0"` = from the
 * start, `fixed` exclusive, `last_affected` inclusive), compared in the ecosystem's total order
 * (pre-releases included). GIT ranges and withdrawn records never reach the index (see build-index).
 *
 * The index loads lazily: `loadIndex()` costs a stat of two small files; an ecosystem's data is read
 * and parsed the first time it is asked about. A refreshed index (`secure-hints advisories update`)
 * wins over the shipped one when its data is at least as new; `loadIndex()` notices a refresh within
 * a few seconds, so a running language server picks it up without a restart.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  ECOSYSTEMS, FORMAT, SEVERITIES, normalizeName, refreshedDir, shippedDirs,
  type EcosystemFile, type Entry, type MetaFile, type VendoredFile,
} from './index-format';
import { compareVersions, isValidVersion, majorOf, type Ecosystem } from './versions';

export type { Ecosystem } from './versions';

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

export interface AdvisoryIndex {
  /** ISO date of the data (the newest ecosystem's). */
  date: string;
  /** Where the data came from, e.g. "shipped" or "refreshed (/home/u/.local/share/secure-hints/advisories)". */
  source: string;
  /** Advisories that apply to `name@version`; the name is normalised inside (PEP 503 for PyPI). */
  advisoriesFor(ecosystem: Ecosystem, name: string, version: string): Advisory[];
  /** Smallest version > `version` that clears every advisory of the package (same major preferred); undefined if none. */
  fixVersion(ecosystem: Ecosystem, name: string, version: string): string | undefined;
  /** Total order; versions the real parser rejects are compared by a token fallback. */
  compare(ecosystem: Ecosystem, a: string, b: string): number;
  isValid(ecosystem: Ecosystem, version: string): boolean;
  /** Whether any advisory names the package (cheap gate before computing versions). */
  hasPackage(ecosystem: Ecosystem, name: string): boolean;
}

export interface VendoredLibrary { npmName: string; version: string }

/** How often `loadIndex()` looks at the refreshed index's meta.json for a change. */
const RECHECK_MS = 3000;

let cached: Index | undefined;
let cachedStamp = '';
let checkedAt = 0;

export function loadIndex(): AdvisoryIndex {
  const now = Date.now();
  if (cached && now - checkedAt < RECHECK_MS) return cached;
  checkedAt = now;
  const stamp = refreshedStamp();
  if (!cached || stamp !== cachedStamp) {
    cached = openIndex();
    cachedStamp = stamp;
  }
  return cached;
}

function refreshedStamp(): string {
  try {
    const s = statSync(join(refreshedDir(), 'meta.json'));
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return '';
  }
}

function readMeta(dir: string): MetaFile | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as MetaFile;
    return meta && meta.format === FORMAT && typeof meta.date === 'string' ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** Per ecosystem, the refreshed data when it is at least as new as the shipped data. */
function openIndex(): Index {
  const shipped = shippedDirs().map((dir) => ({ dir, meta: readMeta(dir) })).find((x) => x.meta);
  const refreshedPath = refreshedDir();
  const refreshed = readMeta(refreshedPath);
  const files: Partial<Record<Ecosystem, string>> = {};
  const info: string[] = [];
  const dates: string[] = [];
  let usedRefreshed = false;
  for (const eco of ECOSYSTEMS) {
    const r = refreshed?.ecosystems[eco];
    const s = shipped?.meta?.ecosystems[eco];
    if (r && (!s || r.date >= s.date)) {
      files[eco] = join(refreshedPath, r.file);
      info.push(`${eco}: ${r.records} advisories for ${r.packages} packages, data of ${r.date} (refreshed)`);
      dates.push(r.date);
      usedRefreshed = true;
    } else if (s && shipped) {
      files[eco] = join(shipped.dir, s.file);
      info.push(`${eco}: ${s.records} advisories for ${s.packages} packages, data of ${s.date} (shipped)`);
      dates.push(s.date);
    }
  }
  const date = dates.sort().pop() ?? '';
  const source = usedRefreshed ? `refreshed (${refreshedPath})` : shipped ? 'shipped' : 'none';
  return new Index(date, source, files, info);
}

/** One line per ecosystem: counts, date and origin of the data in use. */
export function describeIndex(index: AdvisoryIndex): string[] {
  return index instanceof Index ? [...index.info] : [];
}

class Index implements AdvisoryIndex {
  private readonly data = new Map<Ecosystem, EcosystemFile | null>();

  constructor(
    readonly date: string,
    readonly source: string,
    private readonly files: Partial<Record<Ecosystem, string>>,
    readonly info: readonly string[],
  ) {}

  private ecosystem(eco: Ecosystem): EcosystemFile | null {
    let d = this.data.get(eco);
    if (d === undefined) {
      d = null;
      const file = this.files[eco];
      if (file) {
        try {
          const parsed = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as EcosystemFile;
          if (parsed.format === FORMAT && parsed.packages && Array.isArray(parsed.advisories)) d = parsed;
        } catch {
          d = null;
        }
      }
      this.data.set(eco, d);
    }
    return d;
  }

  private entries(eco: Ecosystem, name: string): { file: EcosystemFile; entries: Entry[] } | undefined {
    const file = this.ecosystem(eco);
    if (!file) return undefined;
    const key = normalizeName(eco, name);
    const entries = Object.prototype.hasOwnProperty.call(file.packages, key) ? file.packages[key] : undefined;
    return entries ? { file, entries } : undefined;
  }

  hasPackage(eco: Ecosystem, name: string): boolean {
    return this.entries(eco, name) !== undefined;
  }

  compare(eco: Ecosystem, a: string, b: string): number {
    return compareVersions(eco, a, b);
  }

  isValid(eco: Ecosystem, version: string): boolean {
    return isValidVersion(eco, version);
  }

  advisoriesFor(eco: Ecosystem, name: string, version: string): Advisory[] {
    const found = this.entries(eco, name);
    if (!found || !looksLikeVersion(version)) return [];
    const byRow = new Map<number, Entry[]>();
    for (const entry of found.entries) {
      if (!entryAffects(eco, entry, version)) continue;
      const list = byRow.get(entry[0]);
      if (list) list.push(entry);
      else byRow.set(entry[0], [entry]);
    }
    const out: Advisory[] = [];
    for (const row of byRow.keys()) {
      // describe the advisory by all of its entries for this package, not only the matching one
      out.push(toAdvisory(eco, found.file, row, found.entries.filter((e) => e[0] === row)));
    }
    return mergeAliases(eco, out);
  }

  fixVersion(eco: Ecosystem, name: string, version: string): string | undefined {
    const found = this.entries(eco, name);
    if (!found || !looksLikeVersion(version)) return undefined;
    const candidates = new Set<string>();
    for (const entry of found.entries) {
      const r = entry[1];
      for (let i = 1; i < r.length; i += 2) {
        if (r[i].startsWith('<') && !r[i].startsWith('<=')) candidates.add(r[i].slice(1));
      }
    }
    const sorted = [...candidates].filter((c) => compareVersions(eco, c, version) > 0).sort((a, b) => compareVersions(eco, a, b));
    const major = majorOf(eco, version);
    let first: string | undefined;
    for (const c of sorted) {
      if (found.entries.some((e) => entryAffects(eco, e, c))) continue;
      if (majorOf(eco, c) === major) return c;
      first ??= c;
    }
    return first;
  }
}

/** A version we can place in an order: starts with a digit (after an optional v or =), no spaces or URLs. */
function looksLikeVersion(v: string): boolean {
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

const RANK = { critical: 4, high: 3, moderate: 2, low: 1 } as const;

/**
 * One vulnerability published twice (OSV's PyPI dump holds PYSEC-x and GHSA-y for one CVE): records that
 * name each other, or share a CVE or GHSA alias, become one advisory. The one with a severity (else a GHSA
 * id) leads; ids, aliases and fixed versions are united, the higher severity kept.
 */
function mergeAliases(eco: Ecosystem, list: Advisory[]): Advisory[] {
  if (list.length < 2) return list;
  const lead = (a: Advisory) => (a.severity ? 2 : 0) + (a.id.startsWith('GHSA-') ? 1 : 0);
  const sorted = [...list].sort((a, b) => lead(b) - lead(a));
  const out: { adv: Advisory; names: Set<string> }[] = [];
  for (const adv of sorted) {
    const names = [adv.id, ...adv.aliases].filter((n) => n === adv.id || /^(CVE|GHSA|PYSEC)-/.test(n));
    const into = out.find((o) => names.some((n) => o.names.has(n)));
    if (!into) {
      out.push({ adv: { ...adv, aliases: [...adv.aliases], fixed: [...adv.fixed] }, names: new Set(names) });
      continue;
    }
    const m = into.adv;
    for (const n of [adv.id, ...adv.aliases]) if (n !== m.id && !m.aliases.includes(n)) m.aliases.push(n);
    for (const n of names) into.names.add(n);
    for (const f of adv.fixed) if (!m.fixed.includes(f)) m.fixed.push(f);
    m.fixed.sort((a, b) => compareVersions(eco, a, b));
    if (adv.severity && (!m.severity || RANK[adv.severity] > RANK[m.severity])) m.severity = adv.severity;
    if (!m.summary) m.summary = adv.summary;
  }
  // keep the database's order (by id)
  return out.map((o) => o.adv).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function toAdvisory(eco: Ecosystem, file: EcosystemFile, row: number, entries: Entry[]): Advisory {
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
  const uniqueFixed = [...new Set(fixed)].sort((a, b) => compareVersions(eco, a, b));
  return {
    id,
    aliases: [...aliases],
    summary,
    severity: SEVERITIES[severity] ?? undefined,
    affected: ranges.join(', '),
    fixed: uniqueFixed,
    url: url || `https://osv.dev/vulnerability/${encodeURIComponent(id)}`,
  };
}

// ---- vendored front-end libraries (retire.js patterns, compiled at build time) ----

/** Only this much of a file's start is searched for a version banner. */
export const VENDORED_HEAD_BYTES = 2048;

interface CompiledLibrary { npmName: string; names: RegExp[]; contents: RegExp[] }
let vendored: CompiledLibrary[] | undefined;

function compilePatterns(sources: string[]): RegExp[] {
  const out: RegExp[] = [];
  for (const s of sources) {
    try {
      out.push(new RegExp(s));
    } catch {
      // a pattern this engine does not accept is left out
    }
  }
  return out;
}

function vendoredLibraries(): CompiledLibrary[] {
  if (vendored) return vendored;
  vendored = [];
  for (const dir of shippedDirs()) {
    try {
      const file = JSON.parse(readFileSync(join(dir, 'vendored.json'), 'utf8')) as VendoredFile;
      if (file.format !== FORMAT || !Array.isArray(file.libraries)) continue;
      vendored = file.libraries.map(([npmName, names, contents]) => ({ npmName, names: compilePatterns(names), contents: compilePatterns(contents) }));
      break;
    } catch {
      // try the next place
    }
  }
  return vendored;
}

/** Trims what a pattern's version group can over-take from a file name: `1.8.3.min`, `3.5.1.slim`. */
export function cleanVendoredVersion(v: string): string | undefined {
  const m = /^\d{1,9}(?:\.\d{1,9}){0,4}(?:-[0-9A-Za-z]{1,20}(?:\.[0-9A-Za-z]{1,20}){0,4})?/.exec(v);
  if (!m) return undefined;
  return m[0].replace(/(?:[.-](?:min|slim|js|umd|esm|bundle|prod|production|dev))+$/i, '');
}

/**
 * A minified copy of a known front-end library, recognised by its version banner in the first
 * VENDORED_HEAD_BYTES of `head`, else by its file name (`jquery-1.8.3.min.js`).
 */
export function recognizeVendoredLibrary(fileName: string, head: string): VendoredLibrary | undefined {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1).slice(0, 200);
  const text = head.slice(0, VENDORED_HEAD_BYTES);
  const libs = vendoredLibraries();
  for (const lib of libs) {
    for (const re of lib.contents) {
      const m = re.exec(text);
      const version = m?.[1] && cleanVendoredVersion(m[1]);
      if (version) return { npmName: lib.npmName, version };
    }
  }
  for (const lib of libs) {
    for (const re of lib.names) {
      const m = re.exec(base);
      if (m && m.index === 0) {
        const version = m[1] && cleanVendoredVersion(m[1]);
        if (version) return { npmName: lib.npmName, version };
      }
    }
  }
  return undefined;
}

/** For tests and `--version`: forget the cached index (the next `loadIndex()` reads the files again). */
export function resetIndexCache(): void {
  cached = undefined;
  cachedStamp = '';
  checkedAt = 0;
  vendored = undefined;
}
