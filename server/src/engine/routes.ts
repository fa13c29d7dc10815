/**
 * The route inventory of one file, for the `routes` command and the editor's Routes view: every route the
 * fronts know, as plain data, with the access-control findings that question it.
 */
import { analyzeDetailed } from './analyze';
import { languageFor } from './languages';
import { JsFile } from '../lang/javascript/front';
import { PyFile } from '../lang/python/front';
import { parsePython } from '../lang/python/parser';
import type { Route } from './route-types';
import type { Config, Range } from './types';

/** The rules whose findings mark a route as questioned. */
export const ACCESS_CONTROL_RULES = new Set(['missing-authorization', 'insecure-direct-object-reference', 'client-controlled-authorization']);

export interface RouteQuestion { ruleId: string; message: string; range: Range; severity: string }

export interface InventoryRoute extends Route {
  questions: RouteQuestion[];
}

/** The file's routes (empty for files that are not Python or JS/TS, or define none). Never throws for bad input. */
export function routeInventory(path: string, languageId: string | undefined, text: string, config: Config = {}): InventoryRoute[] {
  const language = languageFor(path, languageId);
  if (language !== 'python' && language !== 'javascript') return [];
  if (text.length > (config.maxFileBytes ?? 2_000_000) || text.includes('\u0000')) return [];
  let routes: Route[] = [];
  try {
    if (language === 'python') {
      const tree = parsePython(text);
      try {
        const file = new PyFile(path, text, tree);
        if (config.authGuards) file.authGuards = config.authGuards;
        routes = file.routes().map(({ def: _def, ...r }) => r);
      } finally {
        tree.delete();
      }
    } else {
      if (/\.d\.[cm]?ts$/i.test(path)) return [];
      const file = new JsFile(path, text);
      if (config.authGuards) file.authGuards = config.authGuards;
      routes = file.routes().map(({ fn: _fn, call: _call, ...r }) => r);
    }
  } catch {
    return [];
  }
  if (routes.length === 0) return [];
  const findings = analyzeDetailed(path, languageId, text, config).findings.filter((f) => ACCESS_CONTROL_RULES.has(f.ruleId) && !f.suppressed);
  return routes.map((r) => ({
    ...r,
    questions: findings
      .filter((f) => f.range.start.line >= r.range.start.line && f.range.start.line <= r.range.end.line)
      .map((f) => ({ ruleId: f.ruleId, message: f.message, range: f.range, severity: f.severity })),
  }));
}
