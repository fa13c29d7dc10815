/**
 * Editor settings (`secureHints.*`) merged with the project file (`.securehints.json`).
 * The project file is the team's base; a setting the user changed from its default wins over it.
 */
import type { Confidence, Severity } from '../engine/types';
import { inRange, mergeConfigs, type ProjectConfig } from '../engine/config';

export interface Settings {
  enable: boolean;
  rules: Record<string, Severity | 'off'>;
  minimumConfidence: Confidence;
  /** Analyze while typing (debounced) or only when the file is opened or saved. */
  run: 'onType' | 'onSave';
  maxFileBytes: number;
  exclude: string[];
  /** Per-file analysis time budget; a file over it is analyzed on save only from then on. */
  timeBudgetMs: number;
}

export const DEFAULT_SETTINGS: Settings = {
  enable: true,
  rules: {},
  minimumConfidence: 'low',
  run: 'onType',
  maxFileBytes: 2_000_000,
  exclude: [],
  timeBudgetMs: 1500,
};

const SEVERITIES = ['off', 'error', 'warning', 'info', 'hint'];

/** Whatever the client sent (possibly null or partial), as complete settings. */
export function normalizeSettings(raw: unknown): Settings {
  const s: Settings = { ...DEFAULT_SETTINGS, rules: {}, exclude: [] };
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  if (typeof r.enable === 'boolean') s.enable = r.enable;
  if (r.rules && typeof r.rules === 'object') {
    for (const [id, level] of Object.entries(r.rules as Record<string, unknown>)) {
      if (typeof level === 'string' && SEVERITIES.includes(level)) s.rules[id] = level as Severity | 'off';
    }
  }
  if (r.minimumConfidence === 'low' || r.minimumConfidence === 'medium' || r.minimumConfidence === 'high') s.minimumConfidence = r.minimumConfidence;
  if (r.run === 'onType' || r.run === 'onSave') s.run = r.run;
  // out of range (a budget over 2^31-1 ms would fire at once): the default
  s.maxFileBytes = inRange('maxFileBytes', r.maxFileBytes) ?? s.maxFileBytes;
  if (Array.isArray(r.exclude)) s.exclude = r.exclude.filter((x): x is string => typeof x === 'string');
  s.timeBudgetMs = inRange('timeBudgetMs', r.timeBudgetMs) ?? s.timeBudgetMs;
  return s;
}

/** The engine configuration for one document. */
export function effectiveConfig(project: ProjectConfig, settings: Settings): ProjectConfig {
  const fromSettings: ProjectConfig = {
    rules: settings.rules,
    ...(settings.minimumConfidence !== DEFAULT_SETTINGS.minimumConfidence ? { minimumConfidence: settings.minimumConfidence } : {}),
    ...(settings.maxFileBytes !== DEFAULT_SETTINGS.maxFileBytes ? { maxFileBytes: settings.maxFileBytes } : {}),
    ...(settings.timeBudgetMs !== DEFAULT_SETTINGS.timeBudgetMs ? { timeBudgetMs: settings.timeBudgetMs } : {}),
  };
  const merged = mergeConfigs({ maxFileBytes: DEFAULT_SETTINGS.maxFileBytes, timeBudgetMs: DEFAULT_SETTINGS.timeBudgetMs }, project, fromSettings);
  merged.exclude = undefined;
  return merged;
}
