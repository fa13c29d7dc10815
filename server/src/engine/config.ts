/**
 * The project configuration file, `.securehints.json`, shared by the CLI and the language server
 * so a team keeps one configuration in the repository:
 *
 *   {
 *     "rules": { "sql-injection": "error", "weak-random": "off" },
 *     "exclude": ["tests/**", "**\/*.generated.ts"],
 *     "minimumConfidence": "medium",
 *     "maxFileBytes": 1000000
 *   }
 *
 * `exclude` patterns use .gitignore syntax, relative to the directory holding the file.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { rules } from '../rules';
import type { Config, Confidence, Severity } from './types';
import { ReadError, readRegularFile } from './read-file';

export const CONFIG_FILE = '.securehints.json';
/** A configuration file larger than this is not read. */
export const MAX_CONFIG_BYTES = 1_000_000;

export interface ProjectConfig extends Config {
  /** .gitignore-style patterns, relative to `root`. */
  exclude?: string[];
}

export interface LoadedConfig {
  config: ProjectConfig;
  /** The file it came from, when there was one. */
  path?: string;
  /** The directory `exclude` patterns are relative to. */
  root: string;
  /** Problems a user should see (bad JSON, unknown rule ids, bad values). */
  problems: string[];
}

const SEVERITIES = ['off', 'error', 'warning', 'info', 'hint'];

/**
 * Ranges of the numeric settings, shared by the project file and the editor settings. Past them a value
 * would switch analysis off (Node turns a timer over 2^31-1 ms into 1 ms) or exhaust memory.
 */
export const MAX_TIME_BUDGET_MS = 600_000;
export const MAX_FILE_BYTES_LIMIT = 100_000_000;
/** `exclude`: at most this many patterns, each at most this long. */
export const MAX_EXCLUDE_PATTERNS = 10_000;
export const MAX_PATTERN_LENGTH = 4096;

const RANGES = {
  maxFileBytes: [1, MAX_FILE_BYTES_LIMIT],
  timeBudgetMs: [1, MAX_TIME_BUDGET_MS],
} as const;

/** The value when it is a finite number in the setting's range, else undefined (the caller keeps the default). */
export function inRange(key: keyof typeof RANGES, v: unknown): number | undefined {
  const [min, max] = RANGES[key];
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : undefined;
}

/** The usable `exclude` patterns and a problem for each one dropped (too long, too many, not a valid pattern). */
export function checkPatterns(patterns: string[], source: string): { patterns: string[]; problems: string[] } {
  const problems: string[] = [];
  const out: string[] = [];
  if (patterns.length > MAX_EXCLUDE_PATTERNS) {
    problems.push(`${source}: "exclude" has ${patterns.length} patterns; only the first ${MAX_EXCLUDE_PATTERNS} are used`);
  }
  for (const p of patterns.slice(0, MAX_EXCLUDE_PATTERNS)) {
    if (p.length > MAX_PATTERN_LENGTH) {
      problems.push(`${source}: an "exclude" pattern of ${p.length} characters is over the ${MAX_PATTERN_LENGTH}-character limit and is ignored (starts "${p.slice(0, 40)}")`);
      continue;
    }
    try {
      ignore().add(p).ignores('x');
      out.push(p);
    } catch (err) {
      problems.push(`${source}: the "exclude" pattern "${p.slice(0, 80)}" is not valid and is ignored (${(err as Error).message.slice(0, 120)})`);
    }
  }
  return { patterns: out, problems };
}
const CONFIDENCES = ['low', 'medium', 'high'];

/** Validates a parsed configuration object; keeps what is valid and lists what is not. */
export function parseConfig(raw: unknown, source = CONFIG_FILE): { config: ProjectConfig; problems: string[] } {
  const problems: string[] = [];
  const config: ProjectConfig = {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { config, problems: [`${source}: expected a JSON object`] };
  }
  const obj = raw as Record<string, unknown>;
  const known = new Set(rules.map((r) => r.meta.id));
  for (const key of Object.keys(obj)) {
    if (!['rules', 'exclude', 'minimumConfidence', 'maxFileBytes', 'timeBudgetMs', 'authGuards', '$schema'].includes(key)) {
      problems.push(`${source}: unknown option "${key}"`);
    }
  }
  if (obj.rules !== undefined) {
    if (typeof obj.rules !== 'object' || obj.rules === null || Array.isArray(obj.rules)) {
      problems.push(`${source}: "rules" must be an object of rule id to severity`);
    } else {
      config.rules = {};
      for (const [id, level] of Object.entries(obj.rules as Record<string, unknown>)) {
        if (!known.has(id)) problems.push(`${source}: unknown rule "${id}"`);
        if (typeof level !== 'string' || !SEVERITIES.includes(level)) {
          problems.push(`${source}: rule "${id}" must be one of ${SEVERITIES.join(', ')}`);
          continue;
        }
        config.rules[id] = level as Severity | 'off';
      }
    }
  }
  if (obj.exclude !== undefined) {
    if (!Array.isArray(obj.exclude) || obj.exclude.some((p) => typeof p !== 'string')) {
      problems.push(`${source}: "exclude" must be an array of glob strings`);
    } else {
      const checked = checkPatterns(obj.exclude as string[], source);
      problems.push(...checked.problems);
      config.exclude = checked.patterns;
    }
  }
  if (obj.minimumConfidence !== undefined) {
    if (typeof obj.minimumConfidence !== 'string' || !CONFIDENCES.includes(obj.minimumConfidence)) {
      problems.push(`${source}: "minimumConfidence" must be one of ${CONFIDENCES.join(', ')}`);
    } else {
      config.minimumConfidence = obj.minimumConfidence as Confidence;
    }
  }
  if (obj.authGuards !== undefined) {
    if (!Array.isArray(obj.authGuards) || !obj.authGuards.every((g) => typeof g === 'string')) {
      problems.push(`${source}: "authGuards" must be a list of guard names (decorators, middleware, dependencies)`);
    } else config.authGuards = obj.authGuards as string[];
  }
  for (const key of ['maxFileBytes', 'timeBudgetMs'] as const) {
    const v = obj[key];
    if (v === undefined) continue;
    const ok = inRange(key, v);
    if (ok === undefined) problems.push(`${source}: "${key}" must be a number from ${RANGES[key][0]} to ${RANGES[key][1]}; the default is used`);
    else config[key] = ok;
  }
  return { config, problems };
}

/**
 * Reads and validates one configuration file. Never throws: problems are returned. Only a regular file
 * of at most MAX_CONFIG_BYTES is read; with `within`, not one that links outside that directory.
 */
export function loadConfigFile(path: string, within?: string): LoadedConfig {
  const root = dirname(path);
  let text: string;
  try {
    text = readRegularFile(path, MAX_CONFIG_BYTES, { within }).toString('utf8');
  } catch (err) {
    const why = err instanceof ReadError ? err.message : (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { config: {}, root, problems: [`${path}: cannot read (${why}); the defaults are used`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { config: {}, path, root, problems: [`${path}: invalid JSON (${(err as Error).message})`] };
  }
  const { config, problems } = parseConfig(raw, path);
  return { config, path, root, problems };
}

/**
 * The `.securehints.json` that applies to `dir`: the nearest one in `dir` or above it, stopping at
 * the repository root (a directory containing `.git`) or at `stopAt`.
 */
export function findConfigFile(dir: string, stopAt?: string): string | undefined {
  let current = dir;
  for (;;) {
    const candidate = join(current, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(current, '.git')) || current === stopAt) return undefined;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * The directory a found configuration file must stay inside (through links): `stopAt` (the editor's
 * workspace folder) when given, else the repository holding it (a directory with `.git`), else its own.
 */
export function workspaceOf(file: string, stopAt?: string): string {
  if (stopAt) return stopAt;
  for (let d = dirname(file); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return dirname(file);
  }
}

/** The configuration for a directory: its `.securehints.json` if any, else an empty config rooted there. */
export function loadProjectConfig(dir: string, stopAt?: string): LoadedConfig {
  const file = findConfigFile(dir, stopAt);
  return file ? loadConfigFile(file, workspaceOf(file, stopAt)) : { config: {}, root: dir, problems: [] };
}

/** Caches loaded files by path and modification time, so editors re-read them only after a change. */
export class ConfigCache {
  private readonly entries = new Map<string, { mtimeMs: number; loaded: LoadedConfig }>();

  load(dir: string, stopAt?: string): LoadedConfig {
    const file = findConfigFile(dir, stopAt);
    if (!file) return { config: {}, root: stopAt ?? dir, problems: [] };
    let mtimeMs = -1;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch { /* reported by loadConfigFile */ }
    const cached = this.entries.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.loaded;
    const loaded = loadConfigFile(file, workspaceOf(file, stopAt));
    this.entries.set(file, { mtimeMs, loaded });
    return loaded;
  }
}

/** Later configurations win field by field; rule overrides are merged per rule. */
export function mergeConfigs(...configs: (ProjectConfig | undefined)[]): ProjectConfig {
  const out: ProjectConfig = {};
  for (const c of configs) {
    if (!c) continue;
    if (c.rules) out.rules = { ...out.rules, ...c.rules };
    if (c.exclude) out.exclude = [...(out.exclude ?? []), ...c.exclude];
    if (c.minimumConfidence) out.minimumConfidence = c.minimumConfidence;
    if (c.maxFileBytes) out.maxFileBytes = c.maxFileBytes;
    if (c.timeBudgetMs) out.timeBudgetMs = c.timeBudgetMs;
    if (c.authGuards) out.authGuards = [...(out.authGuards ?? []), ...c.authGuards];
  }
  return out;
}

/** A matcher for `exclude` patterns relative to `root`; paths outside `root` are never excluded. */
export function excludeMatcher(root: string, patterns: string[] | undefined): (path: string, isDir?: boolean) => boolean {
  if (!patterns || patterns.length === 0) return () => false;
  // patterns from the project file were checked when it was read; editor settings are checked here
  const ig: Ignore = ignore().add(checkPatterns(patterns, 'exclude').patterns);
  return (path, isDir = false) => {
    const rel = relative(root, path);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) return false;
    const posix = rel.split(sep).join('/');
    return ig.ignores(isDir ? posix + '/' : posix);
  };
}
