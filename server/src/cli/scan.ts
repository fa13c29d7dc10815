/** `secure-hints scan`: read files, run the engine, optionally apply fixes. No formatting here. */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { analyzeDetailed, DEFAULT_MAX_FILE_BYTES, languageFor, ready, syntaxErrors } from '../engine/analyze';
import { excludeMatcher, findConfigFile, loadConfigFile, type LoadedConfig, type ProjectConfig } from '../engine/config';
import { applyPreferredFixes } from '../engine/edits';
import type { Finding } from '../engine/types';
import { defaultJobs, PARALLEL_THRESHOLD, scanInWorkers } from './parallel';
import { collectFiles } from './walk';

export interface FixRecord { ruleId: string; line: number; title: string }

export interface FileResult {
  /** As given or found on disk. */
  path: string;
  /** Relative to the scan root, with forward slashes: what reports print. */
  rel: string;
  findings: Finding[];
  /** Why a file was skipped or only partly analyzed (binary, too large, syntax errors...). */
  notes: string[];
  /** The analyzed text, kept only for files with findings (reports quote it). */
  text?: string;
  fixed?: FixRecord[];
}

export interface ScanOptions {
  paths: string[];
  fix?: boolean;
  /** An explicit config file (`--config`); else the nearest `.securehints.json`. */
  configFile?: string;
  /** Extra settings over the config file (tests, embedders). */
  config?: ProjectConfig;
  /** Worker threads for large scans (default: up to 4, by CPU count); 1 scans on this thread. */
  jobs?: number;
}

export interface ScanResult {
  root: string;
  files: FileResult[];
  config: LoadedConfig;
  missing: string[];
  elapsedMs: number;
}

export class UsageError extends Error {}

export async function scan(options: ScanOptions): Promise<ScanResult> {
  const started = Date.now();
  const paths = options.paths.length > 0 ? options.paths : ['.'];
  const root = scanRoot(paths);
  const loaded = loadConfig(paths, options.configFile);
  const config: ProjectConfig = { ...loaded.config, ...options.config };
  const excluded = excludeMatcher(loaded.root, config.exclude);
  const { files, missing } = collectFiles(paths, { excluded });
  const jobs = options.jobs ?? defaultJobs();
  const script = bundlePath();
  let results: FileResult[];
  if (jobs > 1 && files.length >= PARALLEL_THRESHOLD && script) {
    results = await scanInWorkers(script, files, { root, config, fix: options.fix ?? false }, jobs);
  } else {
    await ready();
    results = files.map((path) => scanFile(path, root, config, options.fix ?? false));
  }
  return { root, files: results, config: loaded, missing, elapsedMs: Date.now() - started };
}

export function loadConfig(paths: string[], configFile?: string): LoadedConfig {
  if (configFile) {
    const loaded = loadConfigFile(configFile);
    if (!loaded.path || loaded.problems.some((p) => /invalid JSON|cannot read|expected a JSON object/.test(p))) {
      throw new UsageError(loaded.problems.join('\n'));
    }
    return loaded;
  }
  const first = resolve(paths[0]);
  let dir = first;
  try {
    if (!statSync(first).isDirectory()) dir = dirname(first);
  } catch {
    dir = dirname(first);
  }
  const file = findConfigFile(dir);
  if (!file) return { config: {}, root: dir, problems: [] };
  const loaded = loadConfigFile(file);
  if (loaded.problems.some((p) => /invalid JSON|expected a JSON object/.test(p))) throw new UsageError(loaded.problems.join('\n'));
  return loaded;
}

/** Reports print paths relative to the current directory, or to the paths' common ancestor when outside it. */
export function scanRoot(paths: string[]): string {
  const cwd = process.cwd();
  const abs = paths.map((p) => resolve(p));
  if (abs.every((p) => p === cwd || p.startsWith(cwd + sep))) return cwd;
  let common = abs[0];
  try {
    if (!statSync(common).isDirectory()) common = dirname(common);
  } catch { common = dirname(common); }
  for (const p of abs.slice(1)) {
    while (!(p === common || p.startsWith(common + sep))) common = dirname(common);
  }
  return common;
}

export function relativePath(root: string, path: string): string {
  const rel = relative(root, resolve(path));
  return (rel === '' || isAbsolute(rel) ? resolve(path) : rel).split(sep).join('/');
}

/** The server bundle, which worker threads load; undefined when not running from it. */
function bundlePath(): string | undefined {
  return typeof __filename === 'string' && /server\.js$/.test(__filename) ? __filename : undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function scanFile(path: string, root: string, config: ProjectConfig, fix: boolean): FileResult {
  const result: FileResult = { path, rel: relativePath(root, path), findings: [], notes: [] };
  if (!languageFor(path)) {
    result.notes.push('skipped: not a Python, JavaScript/TypeScript or XML file');
    return result;
  }
  const max = config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > max) {
      result.notes.push(`skipped: ${size} bytes is over the ${max}-byte limit (maxFileBytes)`);
      return result;
    }
    bytes = readFileSync(path);
  } catch (err) {
    result.notes.push(`skipped: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return result;
  }
  if (bytes.subarray(0, 8192).includes(0)) {
    result.notes.push('skipped: binary file');
    return result;
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    text = new TextDecoder('utf-8').decode(bytes);
    result.notes.push('not valid UTF-8: undecodable bytes were replaced; columns may be off');
  }
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;

  let analysis = analyzeDetailed(path, undefined, text, config);
  result.notes.push(...analysis.notes);
  // the analysis already parsed the file; parse again only where it did not (skipped files, XML)
  const errors = analysis.syntaxErrors ?? syntaxErrors(path, undefined, text);
  if (errors.length > 0 && languageFor(path) !== 'xml') {
    result.notes.push(`syntax errors (${errors.length}, first: ${errors[0]}); analyzed what could be parsed`);
  }

  if (fix) {
    const fixed: FixRecord[] = [];
    let current = text;
    // overlapping fixes wait for the next pass; a few passes settle every file in practice
    for (let pass = 0; pass < 5; pass++) {
      const open = analysis.findings.filter((f) => !f.suppressed && f.fixes.length > 0);
      if (open.length === 0) break;
      const { text: next, fixed: applied } = applyPreferredFixes(current, open);
      if (applied.length === 0 || next === current) break;
      if (syntaxErrors(path, undefined, next).length > errors.length) {
        result.notes.push('fixes not applied: the result would not parse');
        break;
      }
      for (const f of applied) {
        const chosen = f.fixes.find((x) => x.preferred) ?? f.fixes[0];
        fixed.push({ ruleId: f.ruleId, line: f.range.start.line, title: chosen.title });
      }
      current = next;
      analysis = analyzeDetailed(path, undefined, current, config);
    }
    if (current !== text) {
      try {
        writeFileSync(path, bom ? '\ufeff' + current : current);
        result.fixed = fixed;
        text = current;
      } catch (err) {
        result.notes.push(`fixes not written: ${(err as Error).message}`);
        analysis = analyzeDetailed(path, undefined, text, config);
      }
    }
  }
  result.findings = analysis.findings;
  if (result.findings.length > 0) result.text = text;
  return result;
}
