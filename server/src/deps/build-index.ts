/**
 * Builds the compact advisory index (see index-format.ts) from OSV records. Shared by
 * `scripts/build-advisories.mjs` (the shipped index) and `secure-hints advisories update`.
 *
 * Per record: withdrawn records are skipped; per `affected[]` entry of an npm or PyPI package, the
 * SEMVER/ECOSYSTEM ranges become sorted intervals (events sorted with `introduced: "0"` first, then in
 * the ecosystem's order; `limit` ignored); GIT ranges are ignored; `versions[]` is kept only when the
 * entry has no usable range (otherwise the ranges decide, and the index stays small).
 */
import { CVSS_SEVERITY, cvss3Severity } from './cvss';
import {
  FORMAT, normalizeName,
  type AdvisoryRow, type EcosystemFile, type Entry, type SeverityCode, type VendoredFile, type VendoredRow,
} from './index-format';
import { compareVersions, type Ecosystem } from './versions';
import { catastrophicGroup, parseRegex, type Elem } from '../rules/support/regex-syntax';

export class OsvFormatError extends Error {}

/** Bounds on what one record may hold (the input can come from a URL). */
const MAX_EVENTS = 2000;
const MAX_VERSIONS = 20000;
const MAX_VERSION_LENGTH = 128;
const MAX_SUMMARY = 200;

export interface BuildStats {
  records: number;
  withdrawn: number;
  /** Records with no npm or PyPI package, or none with a usable range or version list. */
  unused: number;
  /** Affected entries with only GIT ranges and no versions (nothing to match). */
  gitOnly: number;
  /** Entries kept with a `versions` list because they have no range. */
  versionLists: number;
}

export interface BuiltEcosystem { file: EcosystemFile; records: number; packages: number }

/** An entry without its advisory index: ranges, and versions when there is no range. */
type EntryTail = [string[]] | [string[], string[]];

interface Pending { modified: string; row: AdvisoryRow; entries: [string, EntryTail][] }

/** Collects records one by one (a zip of 200,000 records is never held whole), then `finish()`. */
export class IndexBuilder {
  readonly stats: BuildStats = { records: 0, withdrawn: 0, unused: 0, gitOnly: 0, versionLists: 0 };
  private readonly pending: Record<Ecosystem, Map<string, Pending>> = { npm: new Map(), PyPI: new Map() };
  private readonly dates: Record<Ecosystem, string> = { npm: '', PyPI: '' };

  /** Adds one OSV record; `where` names it in errors (file and line). */
  add(record: unknown, where: string): void {
    if (!isObject(record) || typeof record.id !== 'string' || !record.id) {
      throw new OsvFormatError(`${where}: not an OSV record (no "id")`);
    }
    if (record.affected !== undefined && !Array.isArray(record.affected)) {
      throw new OsvFormatError(`${where}: ${record.id}: "affected" is not a list`);
    }
    this.stats.records++;
    if (record.withdrawn) {
      this.stats.withdrawn++;
      return;
    }
    const id = record.id;
    const modified = typeof record.modified === 'string' ? record.modified : typeof record.published === 'string' ? record.published : '';
    const perEco: Record<Ecosystem, [string, EntryTail][]> = { npm: [], PyPI: [] };
    for (const affected of (record.affected as unknown[] | undefined) ?? []) {
      if (!isObject(affected) || !isObject(affected.package)) continue;
      const eco = affected.package.ecosystem;
      const name = affected.package.name;
      if ((eco !== 'npm' && eco !== 'PyPI') || typeof name !== 'string' || !name || name.length > 214) continue;
      const entry = this.entry(eco, affected, `${where}: ${id}`);
      if (entry) perEco[eco].push([normalizeName(eco, name), entry]);
    }
    let used = false;
    for (const eco of ['npm', 'PyPI'] as const) {
      if (!perEco[eco].length) continue;
      used = true;
      const previous = this.pending[eco].get(id);
      if (previous && previous.modified === modified) {
        // one advisory split over records (a converted source lists one record per package): merge
        const seen = new Set(previous.entries.map((e) => JSON.stringify(e)));
        for (const e of perEco[eco]) if (!seen.has(JSON.stringify(e))) previous.entries.push(e);
        continue;
      }
      // the same id from two inputs (a directory and a zip): the newer record wins
      if (previous && previous.modified > modified) continue;
      this.pending[eco].set(id, { modified, row: advisoryRow(record, id), entries: perEco[eco] });
      if (modified.slice(0, 10) > this.dates[eco]) this.dates[eco] = modified.slice(0, 10);
    }
    if (!used) this.stats.unused++;
  }

  private entry(eco: Ecosystem, affected: Record<string, unknown>, where: string): EntryTail | undefined {
    const ranges: string[] = [];
    let usable = false;
    let git = false;
    for (const range of Array.isArray(affected.ranges) ? affected.ranges : []) {
      if (!isObject(range)) continue;
      if (range.type === 'GIT') { git = true; continue; }
      if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') continue;
      if (!Array.isArray(range.events)) throw new OsvFormatError(`${where}: a range without "events"`);
      if (range.events.length > MAX_EVENTS) throw new OsvFormatError(`${where}: a range with more than ${MAX_EVENTS} events`);
      usable = true;
      ranges.push(...intervals(eco, range.events, where));
    }
    if (usable) return ranges.length ? [ranges] : undefined;
    const versions = Array.isArray(affected.versions)
      ? affected.versions.filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_VERSION_LENGTH).slice(0, MAX_VERSIONS)
      : [];
    if (versions.length) {
      this.stats.versionLists++;
      return [[], versions];
    }
    if (git) this.stats.gitOnly++;
    return undefined;
  }

  /** The index files, with counts. `defaultDate` dates an ecosystem whose records carry no date. */
  finish(defaultDate: string): Partial<Record<Ecosystem, BuiltEcosystem>> {
    const out: Partial<Record<Ecosystem, BuiltEcosystem>> = {};
    for (const eco of ['npm', 'PyPI'] as const) {
      const pending = [...this.pending[eco].values()].sort((a, b) => (a.row[0] < b.row[0] ? -1 : a.row[0] > b.row[0] ? 1 : 0));
      if (!pending.length) continue;
      const advisories: AdvisoryRow[] = [];
      const packages: Record<string, Entry[]> = Object.create(null);
      for (const p of pending) {
        const index = advisories.length;
        advisories.push(p.row);
        for (const [name, rest] of p.entries) (packages[name] ??= []).push([index, ...rest] as Entry);
      }
      const sortedPackages: Record<string, Entry[]> = {};
      for (const name of Object.keys(packages).sort()) sortedPackages[name] = packages[name];
      out[eco] = {
        file: { format: FORMAT, ecosystem: eco, date: this.dates[eco] || defaultDate, advisories, packages: sortedPackages },
        records: advisories.length,
        packages: Object.keys(sortedPackages).length,
      };
    }
    return out;
  }
}

/**
 * OSV events to flat `[introduced, end]` pairs: events sorted (`introduced: "0"` first, then by version,
 * ties in their given order), then one walk that opens an interval at `introduced` and closes it at
 * `fixed` (`<V`) or `last_affected` (`<=V`); an interval still open at the end stays open (``).
 */
function intervals(eco: Ecosystem, events: unknown[], where: string): string[] {
  type Ev = { kind: 'introduced' | 'fixed' | 'last_affected'; v: string; order: number };
  const evs: Ev[] = [];
  events.forEach((e, order) => {
    if (!isObject(e)) throw new OsvFormatError(`${where}: an event that is not an object`);
    for (const kind of ['introduced', 'fixed', 'last_affected'] as const) {
      const v = e[kind];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !v || v.length > MAX_VERSION_LENGTH) throw new OsvFormatError(`${where}: a bad "${kind}" version`);
      // retire.js writes "every pre-release of 1.4.0" as `1.4.0-*`: semver's lowest pre-release is `1.4.0-0`
      evs.push({ kind, v: eco === 'npm' && kind === 'introduced' ? v.replace(/^(\d+\.\d+\.\d+)-\*$/, '$1-0') : v, order });
    }
  });
  evs.sort((a, b) => {
    const a0 = a.kind === 'introduced' && a.v === '0';
    const b0 = b.kind === 'introduced' && b.v === '0';
    if (a0 !== b0) return a0 ? -1 : 1;
    if (a0 && b0) return a.order - b.order;
    return compareVersions(eco, a.v, b.v) || a.order - b.order;
  });
  const out: string[] = [];
  let open: string | undefined;
  for (const e of evs) {
    if (e.kind === 'introduced') {
      open ??= e.v;
    } else if (open !== undefined) {
      out.push(open, e.kind === 'fixed' ? `<${e.v}` : `<=${e.v}`);
      open = undefined;
    }
  }
  if (open !== undefined) out.push(open, '');
  return out;
}

const OSV_KNOWN = /^(GHSA|PYSEC|CVE|MAL|OSV|GSD|RUSTSEC|GO|BIT)-/;
const LEVELS: Record<string, SeverityCode> = { low: 1, moderate: 2, medium: 2, high: 3, critical: 4 };

function advisoryRow(record: Record<string, unknown>, id: string): AdvisoryRow {
  const aliases = Array.isArray(record.aliases)
    ? [...new Set(record.aliases.filter((a): a is string => typeof a === 'string' && a.length > 0 && a.length < 100 && a !== id))].slice(0, 20)
    : [];
  return [id, aliases, summaryOf(record), severityOf(record, id), urlOf(record, id, aliases)];
}

function summaryOf(record: Record<string, unknown>): string {
  let text = typeof record.summary === 'string' && record.summary.trim() ? record.summary : typeof record.details === 'string' ? record.details : '';
  text = text.replace(/\s+/g, ' ').trim();
  if (text === record.summary) return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1).trimEnd()}…` : text;
  if (text.length <= MAX_SUMMARY) return text;
  // details: whole sentences while they fit ("Requests is a HTTP library." alone says nothing)
  let end = 0;
  for (const m of text.matchAll(/[.!?](?=\s|$)/g)) {
    if (m.index + 1 > MAX_SUMMARY) break;
    end = m.index + 1;
    if (end >= 80) break;
  }
  if (end >= 40) return text.slice(0, end);
  const cut = text.lastIndexOf(' ', MAX_SUMMARY - 1);
  return `${text.slice(0, cut > 80 ? cut : MAX_SUMMARY - 1)}…`;
}

function severityOf(record: Record<string, unknown>, id: string): SeverityCode {
  const db = isObject(record.database_specific) ? record.database_specific.severity : undefined;
  if (typeof db === 'string' && LEVELS[db.toLowerCase()]) return LEVELS[db.toLowerCase()];
  let best: SeverityCode = 0;
  for (const s of Array.isArray(record.severity) ? record.severity : []) {
    if (!isObject(s) || typeof s.score !== 'string') continue;
    if (s.type === 'CVSS_V3') {
      const level = cvss3Severity(s.score);
      if (level) best = Math.max(best, CVSS_SEVERITY[level]) as SeverityCode;
    }
  }
  if (best) return best;
  // a malicious package is a compromise, not a bug
  if (id.startsWith('MAL-')) return 4;
  return 0;
}

function urlOf(record: Record<string, unknown>, id: string, aliases: string[]): string {
  if (OSV_KNOWN.test(id)) return '';
  const refs = (Array.isArray(record.references) ? record.references : [])
    .filter((r): r is { type: string; url: string } => isObject(r) && typeof r.url === 'string' && /^https?:\/\//.test(r.url));
  const advisory = refs.find((r) => r.type === 'ADVISORY');
  if (advisory) return advisory.url;
  const known = aliases.find((a) => OSV_KNOWN.test(a));
  if (known) return `https://osv.dev/vulnerability/${encodeURIComponent(known)}`;
  return refs[0]?.url ?? '';
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

// ---- vendored-library patterns (retire.js `filename` / `filecontent` regexes) ----

/** What `§§version§§` becomes: a digit, then at most 40 version characters (bounded, linear). */
const VERSION_PATTERN = '[0-9][0-9a-zA-Z._-]{0,40}';

export interface VendoredBuild { file: VendoredFile; kept: number; dropped: string[] }

/**
 * Compiles js-libraries.json (`{ npmName: { filename: [...], filecontent: [...] } }`) into regex sources.
 * A pattern is kept only if it compiles, this project's regex reader understands it, and the unsafe-regex
 * check finds no repeat that can backtrack catastrophically; at run time it only ever sees a file name
 * and the first 2 KB of a file.
 */
export function compileVendored(libraries: unknown): VendoredBuild {
  if (!isObject(libraries)) throw new OsvFormatError('js-libraries.json: not an object');
  const rows: VendoredRow[] = [];
  const dropped: string[] = [];
  let kept = 0;
  for (const [npmName, spec] of Object.entries(libraries).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!isObject(spec)) continue;
    const pick = (key: string): string[] => {
      const out: string[] = [];
      for (const p of Array.isArray(spec[key]) ? spec[key] : []) {
        if (typeof p !== 'string' || !p.includes('§§version§§')) continue;
        const source = p.split('§§version§§').join(VERSION_PATTERN);
        if (safePattern(source)) {
          out.push(source);
          kept++;
        } else {
          dropped.push(`${npmName} ${key}: ${p}`);
        }
      }
      return out;
    };
    const names = pick('filename');
    const contents = pick('filecontent');
    if (names.length || contents.length) rows.push([npmName, names, contents, contents.map(requiredLiteral)]);
  }
  return { file: { format: FORMAT, libraries: rows }, kept, dropped };
}

function safePattern(source: string): boolean {
  try {
    new RegExp(source);
  } catch {
    return false;
  }
  const tree = parseRegex(source, '', 'js');
  return tree !== undefined && catastrophicGroup(tree) === undefined;
}

/**
 * The longest run of plain characters every match of the pattern contains (at least 4, else ''): at run
 * time a file whose head lacks it is not searched with the pattern at all.
 */
function requiredLiteral(source: string): string {
  const tree = parseRegex(source, '', 'js');
  if (!tree || tree.length !== 1) return '';
  let best = '';
  let run = '';
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (const e of tree[0] as Elem[]) {
    const a = e.atom;
    if (a.t === 'set' && a.set.length === 1 && a.set[0][0] === a.set[0][1] && e.min === 1 && e.max === 1) {
      run += String.fromCodePoint(a.set[0][0]);
    } else {
      end();
    }
  }
  end();
  return best.length >= 4 ? best : '';
}
