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
  ECOSYSTEMS, FORMAT, normalizeName, refreshedDir, shippedDirs,
  type EcosystemFile, type Entry, type MetaFile,
} from './index-format';
import { findFix, looksLikeVersion, matchAdvisories, type Advisory } from './match';
import { resetVendoredCache } from './vendored';
import { compareVersions, isValidVersion, type Ecosystem } from './versions';

export type { Ecosystem } from './versions';
export type { Advisory } from './match';
export { recognizeVendoredLibrary, VENDORED_HEAD_BYTES, type VendoredLibrary } from './vendored';

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
  // the data files to try in order: a refreshed file that cannot be read falls back to the shipped one
  const files: Partial<Record<Ecosystem, string[]>> = {};
  const info: string[] = [];
  const dates: string[] = [];
  let usedRefreshed = false;
  for (const eco of ECOSYSTEMS) {
    const r = refreshed?.ecosystems[eco];
    const s = shipped?.meta?.ecosystems[eco];
    if (r && (!s || r.date >= s.date)) {
      files[eco] = [join(refreshedPath, r.file), ...(s && shipped ? [join(shipped.dir, s.file)] : [])];
      info.push(`${eco}: ${r.records} advisories for ${r.packages} packages, data of ${r.date} (refreshed)`);
      dates.push(r.date);
      usedRefreshed = true;
    } else if (s && shipped) {
      files[eco] = [join(shipped.dir, s.file)];
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
    private readonly files: Partial<Record<Ecosystem, string[]>>,
    readonly info: readonly string[],
  ) {}

  private ecosystem(eco: Ecosystem): EcosystemFile | null {
    let d = this.data.get(eco);
    if (d === undefined) {
      d = null;
      for (const file of this.files[eco] ?? []) {
        try {
          const parsed = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as EcosystemFile;
          if (parsed.format === FORMAT && parsed.packages && Array.isArray(parsed.advisories)) {
            d = parsed;
            break;
          }
        } catch {
          // unreadable: the next candidate
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
    return matchAdvisories(eco, found.file, found.entries, version);
  }

  fixVersion(eco: Ecosystem, name: string, version: string): string | undefined {
    const found = this.entries(eco, name);
    if (!found || !looksLikeVersion(version)) return undefined;
    return findFix(eco, found.entries, version);
  }
}

/** For tests and `--version`: forget the cached index (the next `loadIndex()` reads the files again). */
export function resetIndexCache(): void {
  cached = undefined;
  cachedStamp = '';
  checkedAt = 0;
  resetVendoredCache();
}
