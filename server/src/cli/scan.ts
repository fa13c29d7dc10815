/** `secure-hints scan`: read files, run the engine, optionally apply fixes. No formatting here. */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { analyzeDetailed, maxFileBytesFor, ready } from '../engine/analyze';
import { NESTED_TOO_DEEPLY } from '../engine/budget';
import { syntaxErrors } from '../engine/syntax-errors';
import { languageFor } from '../engine/languages';
import { excludeMatcher, findConfigFile, loadConfigFile, workspaceOf, type LoadedConfig, type ProjectConfig } from '../engine/config';
import { ReadError, readRegularFile } from '../engine/read-file';
import { applyPreferredFixes } from '../engine/edits';
import type { Finding } from '../engine/types';
import type { RenderCall } from '../engine/render-types';
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
  /** Code files: the template render calls they make (used by the scan to analyze the templates, then dropped). */
  renders?: RenderCall[];
}

export interface ScanOptions {
  paths: string[];
  fix?: boolean;
  /** With `fix`: also apply dependency upgrades (they change behaviour). */
  fixDependencies?: boolean;
  /** An explicit config file (`--config`); else the nearest `.securehints.json`. */
  configFile?: string;
  /** Extra settings over the config file (tests, embedders). */
  config?: ProjectConfig;
  /** Worker threads for large scans (default: up to 4, by CPU count); 1 scans on this thread. */
  jobs?: number;
  /** Per-file time budget in ms (`--time-budget`; 0: none); else the config's `timeBudgetMs`, else the default. */
  timeBudgetMs?: number;
}

/** A file whose analysis takes longer than this gets a note and no more analysis; the scan goes on. */
export const DEFAULT_SCAN_BUDGET_MS = 10_000;

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
  if (options.timeBudgetMs !== undefined) config.timeBudgetMs = options.timeBudgetMs;
  const excluded = excludeMatcher(loaded.root, config.exclude);
  const collected = collectFiles(paths, { excluded });
  const { missing } = collected;
  // templates are analyzed after the code that renders them: their findings depend on the render calls found
  const files = collected.files.filter((f) => languageFor(f) !== 'template');
  const templates = collected.files.filter((f) => languageFor(f) === 'template');
  const jobs = options.jobs ?? defaultJobs(files, config);
  const script = bundlePath();
  let results: FileResult[];
  if (jobs > 1 && files.length >= PARALLEL_THRESHOLD && script) {
    results = await scanInWorkers(script, files, { root, config, fix: options.fix ?? false, fixDependencies: options.fixDependencies ?? false }, jobs);
  } else {
    await ready();
    results = files.map((path) => scanFile(path, root, config, options.fix ?? false, options.fixDependencies ?? false));
    // worker threads have a larger stack than the main thread: a file nested too deeply for this one
    // is analyzed there, so one and several workers report the same
    const deep = results.flatMap((r, i) => (r.notes.some((n) => n.includes(NESTED_TOO_DEEPLY)) ? [i] : []));
    if (deep.length > 0 && script) {
      const again = await scanInWorkers(script, deep.map((i) => files[i]), { root, config, fix: options.fix ?? false, fixDependencies: options.fixDependencies ?? false }, 1).catch(() => undefined);
      if (again) deep.forEach((i, k) => { results[i] = again[k]; });
    }
  }
  if (templates.length > 0) results = withTemplates(results, collected.files, templates, root, config, options);
  return { root, files: results, config: loaded, missing, elapsedMs: Date.now() - started };
}

/**
 * The templates' results (analyzed on this thread: reading a template is a linear pass), given the render
 * calls the code files made, merged back in the walk's order.
 */
function withTemplates(results: FileResult[], order: string[], templates: string[], root: string, config: ProjectConfig, options: ScanOptions): FileResult[] {
  const renders: RenderCall[] = [];
  for (const r of results) {
    if (r.renders) renders.push(...r.renders);
    delete r.renders;
  }
  const byPath = new Map<string, FileResult>();
  for (const r of results) byPath.set(r.path, r);
  for (const t of templates) byPath.set(t, scanFile(t, root, config, options.fix ?? false, options.fixDependencies ?? false, renders));
  return order.map((p) => byPath.get(p)!).filter(Boolean);
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
  const loaded = loadConfigFile(file, workspaceOf(file));
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

/**
 * What scan workers run: dist/scan-worker.js beside the server bundle (the scan without the language
 * server), else the server bundle itself; undefined when not running from the bundle.
 */
function bundlePath(): string | undefined {
  if (typeof __filename !== 'string' || !/server\.js$/.test(__filename)) return undefined;
  const worker = join(dirname(__filename), 'scan-worker.js');
  return existsSync(worker) ? worker : __filename;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** One file's result; never throws, so one file can never cost the others their findings. */
export function scanFile(path: string, root: string, config: ProjectConfig, fix: boolean, fixDependencies = false, renders?: readonly RenderCall[]): FileResult {
  try {
    return scanOneFile(path, root, config, fix, fixDependencies, renders);
  } catch (err) {
    return { path, rel: relativePath(root, path), findings: [], notes: [`analysis failed: ${(err as Error)?.message ?? err}`] };
  }
}

function scanOneFile(path: string, root: string, config: ProjectConfig, fix: boolean, fixDependencies: boolean, renders?: readonly RenderCall[]): FileResult {
  const result: FileResult = { path, rel: relativePath(root, path), findings: [], notes: [] };
  if (!languageFor(path)) {
    result.notes.push('skipped: not a Python, JavaScript/TypeScript or XML file');
    return result;
  }
  const max = maxFileBytesFor(languageFor(path), config);
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, max);
  } catch (err) {
    if (err instanceof ReadError && err.code === 'ETOOBIG') result.notes.push(`skipped: ${err.message} (maxFileBytes)`);
    else if (err instanceof ReadError) result.notes.push(`skipped: cannot read (${err.message})`);
    else result.notes.push(`skipped: cannot read (${(err as Error).message})`);
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

  const limits = { timeBudgetMs: config.timeBudgetMs ?? DEFAULT_SCAN_BUDGET_MS, ...(renders ? { renders } : {}) };
  let analysis = analyzeDetailed(path, undefined, text, config, limits);
  result.notes.push(...analysis.notes);
  if (analysis.renders) result.renders = analysis.renders;
  // the syntax errors of the parse the analysis made (none for skipped files and XML, which get no note)
  const errors = analysis.syntaxErrors ?? [];
  if (errors.length > 0) {
    result.notes.push(`syntax errors (${errors.length}, first: ${errors[0]}); analyzed what could be parsed`);
  }

  if (fix) {
    const fixed: FixRecord[] = [];
    let current = text;
    let before: number | undefined;
    // overlapping fixes wait for the next pass; a few passes settle every file in practice
    for (let pass = 0; pass < 5; pass++) {
      // dependency upgrades change behaviour: only with --fix-dependencies
      const open = analysis.findings
        .map((f) => (fixDependencies ? f : { ...f, fixes: f.fixes.filter((x) => x.kind !== 'dependency-upgrade') }))
        .filter((f) => !f.suppressed && f.fixes.length > 0);
      if (open.length === 0) break;
      const { text: next, fixed: applied } = applyPreferredFixes(current, open);
      if (applied.length === 0 || next === current) break;
      before ??= analysis.syntaxErrors?.length ?? syntaxErrors(path, undefined, text).length;
      if (syntaxErrors(path, undefined, next).length > before) {
        result.notes.push('fixes not applied: the result would not parse');
        break;
      }
      for (const f of applied) {
        const chosen = f.fixes.find((x) => x.preferred) ?? f.fixes[0];
        fixed.push({ ruleId: f.ruleId, line: f.range.start.line, title: chosen.title });
      }
      current = next;
      analysis = analyzeDetailed(path, undefined, current, config, limits);
    }
    if (current !== text) {
      try {
        writeFileSync(path, bom ? '\ufeff' + current : current);
        result.fixed = fixed;
        text = current;
      } catch (err) {
        result.notes.push(`fixes not written: ${(err as Error).message}`);
        analysis = analyzeDetailed(path, undefined, text, config, limits);
      }
    }
  }
  result.findings = analysis.findings;
  if (result.findings.length > 0) result.text = text;
  return result;
}
