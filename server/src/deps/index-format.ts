/**
 * The on-disk advisory index, written by the builder (`npm run advisories`, `secure-hints advisories
 * update`) and read by the matcher. One gzipped JSON file per ecosystem, a `meta.json` beside them,
 * and the vendored-library patterns:
 *
 *   <dir>/meta.json        { format, date, sources, ecosystems: { npm: {date, records, packages, file}, ... } }
 *   <dir>/npm.json.gz      EcosystemFile
 *   <dir>/PyPI.json.gz     EcosystemFile
 *   <dir>/vendored.json    VendoredFile (shipped only)
 *   <dir>/NOTICE.md        the data's licenses and credits
 *
 * The shipped copy sits beside the server bundle (`dist/advisories/`); a refreshed copy sits in the
 * per-user data directory (see `refreshedDir`).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Ecosystem } from './versions';

export const FORMAT = 1;
export const ECOSYSTEMS: readonly Ecosystem[] = ['npm', 'PyPI'];

/** 0 unknown, 1 low, 2 moderate, 3 high, 4 critical. */
export type SeverityCode = 0 | 1 | 2 | 3 | 4;

/** [id, aliases, summary, severity, url ('' = the osv.dev page of the id)] */
export type AdvisoryRow = [string, string[], string, SeverityCode, string];

/**
 * [advisory row index, ranges, versions?]. Ranges are flat pairs `introduced, end` in ascending order:
 * `introduced` is a version or `0`; `end` is `<V` (fixed in V), `<=V` (last affected V) or `` (open).
 * `versions` (exact affected versions) is kept only when the record has no SEMVER/ECOSYSTEM range.
 */
export type Entry = [number, string[]] | [number, string[], string[]];

export interface EcosystemFile {
  format: number;
  ecosystem: Ecosystem;
  date: string;
  advisories: AdvisoryRow[];
  /** Normalised package name (PEP 503 for PyPI, as-is for npm) → its entries. */
  packages: Record<string, Entry[]>;
}

export interface EcosystemMeta { date: string; records: number; packages: number; file: string }

export interface MetaFile {
  format: number;
  /** The newest ecosystem date (ISO date). */
  date: string;
  /** What the data was built from (paths, URLs, with counts). */
  sources: string[];
  builtAt: string;
  ecosystems: Partial<Record<Ecosystem, EcosystemMeta>>;
}

/**
 * [npm name, file-name patterns, file-content patterns, a literal each content pattern's matches contain
 * ('' = none known)]: RegExp sources with one capture, the version.
 */
export type VendoredRow = [string, string[], string[], string[]];
export interface VendoredFile { format: number; libraries: VendoredRow[] }

export const SEVERITIES = [undefined, 'low', 'moderate', 'high', 'critical'] as const;

export function normalizeName(ecosystem: Ecosystem, name: string): string {
  return ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}

export function ecosystemFileName(ecosystem: Ecosystem): string {
  return `${ecosystem}.json.gz`;
}

/** The shipped index: beside the bundle, or (unbundled sources) in server/data/advisories. */
export function shippedDirs(): string[] {
  const env = process.env.SECURE_HINTS_ADVISORIES_DIR;
  if (env) return [env];
  return [join(__dirname, 'advisories'), join(__dirname, '..', '..', 'data', 'advisories')];
}

/** The per-user data directory: SECURE_HINTS_DATA_DIR, else the platform's usual place. */
export function dataDir(): string {
  const env = process.env.SECURE_HINTS_DATA_DIR;
  if (env) return env;
  if (process.platform === 'win32') return join(process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'secure-hints');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'secure-hints');
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'secure-hints');
}

/** Where `secure-hints advisories update` writes its index. */
export function refreshedDir(): string {
  return join(dataDir(), 'advisories');
}
