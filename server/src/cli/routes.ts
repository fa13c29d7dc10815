/**
 * `secure-hints routes [paths] [--format text|json] [--config FILE]`: every route the fronts know, with its
 * methods, handler location, protection level and guards, marked where the access-control rules question it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ready } from '../engine/analyze';
import { excludeMatcher, type ProjectConfig } from '../engine/config';
import { routeInventory, type InventoryRoute } from '../engine/routes';
import { levelText } from '../engine/route-types';
import { loadConfig, relativePath, scanRoot } from './scan';
import { collectFiles } from './walk';

export interface RouteListing {
  root: string;
  files: number;
  routes: (InventoryRoute & { file: string; absolutePath: string })[];
  missing: string[];
  problems: string[];
}

export async function listRoutes(paths: string[], configFile?: string): Promise<RouteListing> {
  const all = paths.length > 0 ? paths : ['.'];
  const root = scanRoot(all);
  const loaded = loadConfig(all, configFile);
  const config: ProjectConfig = loaded.config;
  const { files, missing } = collectFiles(all, { excluded: excludeMatcher(loaded.root, config.exclude) });
  await ready();
  const routes: RouteListing['routes'] = [];
  let scanned = 0;
  for (const path of files) {
    if (!/\.(py|[cm]?[jt]sx?)$/i.test(path)) continue;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    scanned++;
    const rel = relativePath(root, path);
    for (const r of routeInventory(path, undefined, text, config)) routes.push({ ...r, file: rel, absolutePath: resolve(path) });
  }
  return { root, files: scanned, routes, missing, problems: loaded.problems };
}

/** One line per route: methods, path, level, guards, handler location, and the rules' questions under it. */
export function formatRoutes(listing: RouteListing): string {
  const lines: string[] = [];
  const byFile = new Map<string, RouteListing['routes']>();
  for (const r of listing.routes) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  for (const [file, routes] of byFile) {
    lines.push(file);
    for (const r of routes) {
      const mark = r.questions.length ? '!' : ' ';
      const guards = r.guards.filter((g) => g.name).map((g) => `${g.kind}:${g.name.replace(/\s+/g, ' ')}`).join(', ');
      const level = r.publicByDesign && r.level === 'public' ? `public (${r.publicByDesign})` : levelText(r.level);
      lines.push(`${mark} ${r.methods.join(',').padEnd(10)} ${(r.path || '-').padEnd(32)} ${level.padEnd(18)} ${r.handler} (line ${r.nameRange.start.line + 1}, ${r.framework}, ${r.group})${guards ? ` [${guards}]` : ''}`);
      for (const q of r.questions) lines.push(`      ${q.ruleId}: ${q.message}`);
    }
  }
  const questioned = listing.routes.filter((r) => r.questions.length).length;
  lines.push('', `${listing.routes.length} route${listing.routes.length === 1 ? '' : 's'} in ${byFile.size} file${byFile.size === 1 ? '' : 's'} (${listing.files} scanned); ${questioned} questioned (marked !)`);
  return lines.join('\n') + '\n';
}

export function routesJson(listing: RouteListing): object {
  return {
    root: listing.root,
    filesScanned: listing.files,
    routes: listing.routes.map((r) => ({
      file: r.file, line: r.nameRange.start.line + 1, path: r.path, methods: r.methods, handler: r.handler, framework: r.framework,
      group: r.group, level: r.level, publicByDesign: r.publicByDesign, guards: r.guards.map(({ name, kind, level }) => ({ name, kind, level })),
      writes: r.writes.map(({ verb, what }) => ({ verb, what })), questions: r.questions.map((q) => ({ ruleId: q.ruleId, message: q.message, line: q.range.start.line + 1 })),
      range: r.range,
    })),
  };
}
