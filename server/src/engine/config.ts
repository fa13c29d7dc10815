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
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { rules } from '../rules';
import type { Config, Confidence, Severity } from './types';

export const CONFIG_FILE = '.securehints.json';

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
      config.exclude = obj.exclude as string[];
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
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) problems.push(`${source}: "${key}" must be a positive number`);
    else config[key] = v;
  }
  return { config, problems };
}

/** Reads and validates one configuration file. Never throws: problems are returned. */
export function loadConfigFile(path: string): LoadedConfig {
  const root = dirname(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { config: {}, root, problems: [`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`] };
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

/** The configuration for a directory: its `.securehints.json` if any, else an empty config rooted there. */
export function loadProjectConfig(dir: string, stopAt?: string): LoadedConfig {
  const file = findConfigFile(dir, stopAt);
  return file ? loadConfigFile(file) : { config: {}, root: dir, problems: [] };
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
    const loaded = loadConfigFile(file);
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
  const ig: Ignore = ignore().add(patterns);
  return (path, isDir = false) => {
    const rel = relative(root, path);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) return false;
    const posix = rel.split(sep).join('/');
    return ig.ignores(isDir ? posix + '/' : posix);
  };
}
