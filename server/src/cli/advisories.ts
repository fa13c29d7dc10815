/**
 * `secure-hints advisories update [--from FILE|DIR|URL]...` and `secure-hints advisories status`, and
 * `buildAdvisories`, which `scripts/build-advisories.mjs` also uses (through the bundle) to build the
 * shipped index. The only code in the product that touches the network is the URL download here, and
 * it runs only when the user runs this command.
 */
import { readFileSync } from 'node:fs';
import { IndexBuilder, OsvFormatError, compileVendored, type BuildStats } from '../deps/build-index';
import { refreshedDir, type MetaFile } from '../deps/index-format';
import { readOsvInto, type SourceReport } from '../deps/osv-sources';
import { writeIndex } from '../deps/write-index';
import { describeIndex, loadIndex, resetIndexCache } from '../deps/advisories';
import { UsageError } from './scan';

/** OSV's complete per-ecosystem dumps, read when `update` is given no `--from`. */
export const OSV_DUMPS = [
  'https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip',
  'https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip',
];

export interface BuildAdvisoriesOptions {
  inputs: string[];
  outDir: string;
  /** Refresh (stamped files, merged with the previous index there) rather than the shipped build. */
  refresh: boolean;
  allowNetwork: boolean;
  /** retire.js-style js-libraries.json to compile into vendored.json (shipped build). */
  vendoredFrom?: string;
  log?: (line: string) => void;
  /** How an input is named in meta.json (default: as given). */
  describe?: (input: string) => string;
}

export interface BuildAdvisoriesResult { meta: MetaFile; stats: BuildStats; sources: SourceReport[]; vendored?: { kept: number; dropped: string[] } }

/** Reads every input, builds the index in memory, and only then writes it: a bad input leaves the old index untouched. */
export async function buildAdvisories(options: BuildAdvisoriesOptions): Promise<BuildAdvisoriesResult> {
  const builder = new IndexBuilder();
  const sources: SourceReport[] = [];
  for (const input of options.inputs) {
    options.log?.(`reading ${input}`);
    sources.push(await readOsvInto(builder, input, options.allowNetwork));
  }
  const newest = Math.max(0, ...sources.map((s) => s.newest));
  const built = builder.finish(new Date(newest || Date.now()).toISOString().slice(0, 10));
  if (!Object.keys(built).length) throw new OsvFormatError(`no npm or PyPI advisories in ${options.inputs.join(', ')}`);
  let vendored: BuildAdvisoriesResult['vendored'];
  let vendoredFile;
  if (options.vendoredFrom) {
    let libraries: unknown;
    try {
      libraries = JSON.parse(readFileSync(options.vendoredFrom, 'utf8'));
    } catch (e) {
      throw new OsvFormatError(`${options.vendoredFrom}: ${(e as Error).message}`);
    }
    const v = compileVendored(libraries);
    vendoredFile = v.file;
    vendored = { kept: v.kept, dropped: v.dropped };
  }
  const sourceNames = sources.map((s) => `${options.describe?.(s.source) ?? s.source} (${s.records} records)`);
  const meta = writeIndex(options.outDir, built, { sources: sourceNames, refresh: options.refresh, vendored: vendoredFile });
  return { meta, stats: builder.stats, sources, vendored };
}

const USAGE = `Usage:
  secure-hints advisories update [--from FILE|DIR|URL]...
      Rebuild the local advisory database from OSV data: a directory of OSV .json/.jsonl files, a .jsonl
      file, a zip such as OSV's per-ecosystem all.zip, or an http(s) URL of one (downloaded only now).
      Without --from: ${OSV_DUMPS.join(' and ')}.
      The database is written to ${'$'}SECURE_HINTS_DATA_DIR/advisories (default: the user data directory)
      and used from then on by the CLI and, within seconds, by a running editor.
  secure-hints advisories status
      Show the database in use: its date, where it comes from, records and packages per ecosystem.
`;

export async function runAdvisories(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '-h' || sub === '--help' || rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'status') return status();
  if (sub !== 'update') throw new UsageError(`unknown advisories command "${sub}"`);
  const inputs: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--from') {
      const v = rest[++i];
      if (v === undefined) throw new UsageError('--from needs a file, directory or URL');
      inputs.push(v);
    } else if (arg.startsWith('--from=')) {
      inputs.push(arg.slice('--from='.length));
    } else {
      throw new UsageError(`unknown option "${arg}"`);
    }
  }
  if (!inputs.length) inputs.push(...OSV_DUMPS);
  const outDir = refreshedDir();
  try {
    const result = await buildAdvisories({
      inputs,
      outDir,
      refresh: true,
      allowNetwork: true,
      log: (line) => process.stderr.write(`secure-hints: ${line}\n`),
    });
    const { meta, stats } = result;
    const ecos = Object.entries(meta.ecosystems).map(([eco, e]) => `${eco} ${e.records} advisories for ${e.packages} packages (data of ${e.date})`);
    process.stdout.write(`Advisory database updated in ${outDir}\n  ${ecos.join('\n  ')}\n`
      + `  read ${stats.records} records: ${stats.withdrawn} withdrawn and ${stats.unused} without an npm or PyPI version range skipped\n`);
    resetIndexCache();
    return 0;
  } catch (e) {
    if (!(e instanceof OsvFormatError)) throw e;
    process.stderr.write(`secure-hints: advisories update failed: ${e.message}\nThe advisory database was not changed.\n`);
    return 2;
  }
}

function status(): number {
  const index = loadIndex();
  process.stdout.write(`Advisory database of ${index.date || 'unknown date'} (${index.source})\n`);
  for (const line of describeIndex(index)) process.stdout.write(`  ${line}\n`);
  return 0;
}
