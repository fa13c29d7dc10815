/**
 * The `secure-hints` command:
 *   secure-hints scan [paths...] [--format text|json|sarif] [--output FILE] [--fix] [--fail-on error|warning|none] [--config FILE]
 *   secure-hints lsp [--stdio | --node-ipc]
 *   secure-hints advisories update [--from FILE|DIR|URL]... | status
 * Exit codes: 0 nothing at or above --fail-on, 1 something was, 2 usage or internal error.
 */
import { writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { scan, UsageError, type ScanResult } from './cli/scan';
import { toSarif } from './cli/sarif';
import { formatText } from './cli/text';
import { VERSION, advisoryDatabaseLine } from './cli/version';
import { formatRoutes, listRoutes, routesJson } from './cli/routes';
import type { Severity } from './engine/types';
import { MAX_TIME_BUDGET_MS } from './engine/config';

const USAGE = `Usage:
  secure-hints scan [paths...] [options]   scan files and directories (default: .)
  secure-hints lsp [--stdio|--node-ipc]    run the language server (stdio by default)
  secure-hints advisories update [--from FILE|DIR|URL]
                                           refresh the vulnerability database from OSV data
  secure-hints advisories status           show the vulnerability database in use
  secure-hints routes [paths...] [--format text|json] [--config FILE]
                                           list web routes with their protection level

Scan options:
  --format text|json|sarif   report format (default: text)
  --output FILE              write the report to FILE instead of standard output
  --fix                      apply each finding's preferred fix in place
  --fix-dependencies         with --fix, also apply dependency upgrades (they change behaviour)
  --fail-on error|warning|none
                             exit 1 when a finding at or above this severity remains (default: error)
  --config FILE              configuration file (default: the nearest .securehints.json)
  --jobs N                   worker threads (default: from the work size, at most CPUs - 1 and 4)
  --time-budget MS           stop analyzing a file after MS milliseconds, with a note (default: the
                             config's timeBudgetMs, else 10000; 0: no budget)
  -h, --help                 show this help
  -v, --version              show the version

Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 usage or internal error.
`;

interface ScanArgs {
  paths: string[];
  format: 'text' | 'json' | 'sarif';
  output?: string;
  fix: boolean;
  fixDependencies: boolean;
  failOn: 'error' | 'warning' | 'none';
  config?: string;
  jobs?: number;
  timeBudgetMs?: number;
}

export async function main(argv: string[]): Promise<void> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      process.stdout.write(USAGE);
      if (command === undefined) process.exitCode = 2;
      return;
    }
    if (command === '-v' || command === '--version') {
      process.stdout.write(`${VERSION}\n${advisoryDatabaseLine()}\n`);
      return;
    }
    if (command === 'advisories') {
      const { runAdvisories } = await import('./cli/advisories');
      process.exitCode = await runAdvisories(rest);
      return;
    }
    if (command === 'lsp') {
      const { startServer } = await import('./server');
      startServer(rest.includes('--node-ipc') ? 'ipc' : 'stdio');
      return;
    }
    if (command === 'scan') {
      if (rest.includes('-h') || rest.includes('--help')) {
        process.stdout.write(USAGE);
        return;
      }
      process.exitCode = await runScan(parseScanArgs(rest));
      return;
    }
    if (command === 'routes') {
      if (rest.includes('-h') || rest.includes('--help')) {
        process.stdout.write(USAGE);
        return;
      }
      process.exitCode = await runRoutes(rest);
      return;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`secure-hints: ${err.message}\nRun \`secure-hints --help\` for usage.\n`);
    } else {
      process.stderr.write(`secure-hints: internal error: ${(err as Error)?.stack ?? err}\n`);
    }
    process.exitCode = 2;
  }
}

function parseScanArgs(args: string[]): ScanArgs {
  const out: ScanArgs = { paths: [], format: 'text', fix: false, fixDependencies: false, failOn: 'error' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(`--format must be text, json or sarif (got "${v}")`);
        out.format = v;
        break;
      }
      case '--output': case '-o': out.output = value(); break;
      case '--fix': out.fix = true; break;
      case '--fix-dependencies': out.fixDependencies = true; break;
      case '--fail-on': {
        const v = value();
        if (v !== 'error' && v !== 'warning' && v !== 'none') throw new UsageError(`--fail-on must be error, warning or none (got "${v}")`);
        out.failOn = v;
        break;
      }
      case '--config': out.config = value(); break;
      case '--jobs': case '-j': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 1) throw new UsageError('--jobs must be a whole number, at least 1');
        out.jobs = v;
        break;
      }
      case '--time-budget': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 0 || v > MAX_TIME_BUDGET_MS) throw new UsageError(`--time-budget must be a whole number of milliseconds from 0 to ${MAX_TIME_BUDGET_MS}`);
        out.timeBudgetMs = v;
        break;
      }
      case '--': out.paths.push(...args.slice(i + 1)); i = args.length; break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option "${arg}"`);
        out.paths.push(arg);
    }
  }
  return out;
}

/**
 * A scan parses one file after another, each tree garbage once its file is done. By default V8 lets the
 * heap grow to about four times what survived the last full collection before collecting again, and a
 * large file's tree survives the collections during its own analysis: on large trees the scan's peak
 * memory was mostly such headroom (live heap after a full collection ~60 MB, peak resident 390-430 MB on
 * node_modules/). A growth of 50% keeps the peak near 290 MB at the same CPU (measured). Process-wide,
 * so set by the command only, never by the engine or the language server.
 */
const SCAN_HEAP_GROWING_PERCENT = 50;

/*
 * No semi-space flag: V8 sizes the main thread's young generation when the isolate starts, so
 * --max-semi-space-size set here would only change the flag hash (and miss TypeScript's code cache), not
 * the heap. Given on the command line (TypeScript caches made for each), a --jobs 1 scan of the bench trees
 * did not get cheaper (issue 14, three alternating rounds, process CPU incl. GC threads, Python / TS):
 * default 7.3 / 3.8 s, 8 MB 7.7 / 4.2 s, 16 MB 6.7 / 4.0 s, 32 MB 7.2 / 4.0 s, 64 MB 7.0 / 3.9 s (noise
 * +-15%), with Python peak RSS 155 MB at the default, 144 at 8 MB, 186 at 32 MB, 249 at 64 MB; findings
 * identical throughout.
 */

/** The V8 flags a scan sets (scripts/build.mjs prepares TypeScript's code cache for them too). */
export const SCAN_V8_FLAGS = `--heap-growing-percent=${SCAN_HEAP_GROWING_PERCENT}`;

async function runScan(args: ScanArgs): Promise<number> {
  if (args.fixDependencies && !args.fix) throw new UsageError('--fix-dependencies works with --fix');
  setFlagsFromString(SCAN_V8_FLAGS);
  const result = await scan({ paths: args.paths, fix: args.fix, fixDependencies: args.fixDependencies, configFile: args.config, jobs: args.jobs, timeBudgetMs: args.timeBudgetMs });
  if (result.missing.length > 0) {
    throw new UsageError(result.missing.map((p) => `no such file or directory: ${p}`).join('\n'));
  }
  for (const p of result.config.problems) process.stderr.write(`secure-hints: warning: ${p}\n`);

  const color = !args.output && args.format === 'text' && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const report = args.format === 'sarif' ? JSON.stringify(toSarif(result), null, 2) + '\n'
    : args.format === 'json' ? JSON.stringify(toJson(result), null, 2) + '\n'
    : formatText(result, color);
  if (args.output) {
    writeFileSync(args.output, report);
    const n = openFindings(result).length;
    process.stderr.write(`secure-hints: ${n} finding${n === 1 ? '' : 's'} in ${result.files.length} files; report written to ${args.output}\n`);
  } else {
    process.stdout.write(report);
  }
  if (args.format !== 'text') {
    for (const f of result.files) for (const n of f.notes) process.stderr.write(`note: ${f.rel}: ${n}\n`);
  }
  return failing(result, args.failOn) ? 1 : 0;
}

async function runRoutes(args: string[]): Promise<number> {
  let format = 'text';
  let config: string | undefined;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (name === '--format') {
      format = value();
      if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json (got "${format}")`);
    } else if (name === '--config') config = value();
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option "${arg}"`);
    else paths.push(arg);
  }
  const listing = await listRoutes(paths, config);
  if (listing.missing.length > 0) throw new UsageError(listing.missing.map((p) => `no such file or directory: ${p}`).join('\n'));
  for (const p of listing.problems) process.stderr.write(`secure-hints: warning: ${p}\n`);
  process.stdout.write(format === 'json' ? JSON.stringify(routesJson(listing), null, 2) + '\n' : formatRoutes(listing));
  return 0;
}

function openFindings(result: ScanResult) {
  return result.files.flatMap((f) => f.findings.filter((x) => !x.suppressed));
}

const RANK: Record<Severity, number> = { hint: 0, info: 0, warning: 1, error: 2 };

/** Suppressed findings and notes (info, hint) never fail a build. */
function failing(result: ScanResult, failOn: ScanArgs['failOn']): boolean {
  if (failOn === 'none') return false;
  const threshold = failOn === 'error' ? 2 : 1;
  return openFindings(result).some((f) => RANK[f.severity] >= threshold);
}

function toJson(result: ScanResult): object {
  return {
    version: VERSION,
    root: result.root,
    filesScanned: result.files.length,
    findings: result.files.flatMap((file) => file.findings.map((f) => ({
      path: file.rel,
      line: f.range.start.line + 1,
      column: f.range.start.character + 1,
      ...f,
    }))),
    fixed: result.files.flatMap((file) => (file.fixed ?? []).map((x) => ({ path: file.rel, ...x, line: x.line + 1 }))),
    notes: result.files.flatMap((file) => file.notes.map((message) => ({ path: file.rel, message }))),
  };
}
