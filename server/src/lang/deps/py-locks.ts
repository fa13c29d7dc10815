/**
 * Python lockfiles: poetry.lock and uv.lock (TOML, read with smol-toml; each `[[package]]`'s position is the
 * line of its `name = "..."`, found by a scan of line starts), Pipfile.lock (JSON, `default` and `develop`).
 */
import { valid as pepValid } from '@renovatebot/pep440';
import { parse as parseToml } from 'smol-toml';
import type { Range } from '../../engine/types';
import { isObject, keyPositions, parseJson } from './json';
import type { LockGraph, LockRoot } from './lock-graph';
import { MAX_PACKAGES, normalizePyName, type DepEntry } from './model';

const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The `name = "..."` line of each `[[package]]` table, in order. */
function packageNamePositions(text: string): Range[] {
  const out: Range[] = [];
  let inPackage = false;
  let line = 0;
  for (let start = 0; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const c = text.charCodeAt(start);
    if (c === 91 /* [ */) {
      const header = text.slice(start, end).trim();
      inPackage = header === '[[package]]';
      if (inPackage) out.push(ZERO);
    } else if (inPackage && c === 110 /* n */ && text.startsWith('name', start)) {
      const m = /^name\s*=\s*["']([^"']*)["']/.exec(text.slice(start, Math.min(end, start + 300)));
      if (m && out.length > 0 && out[out.length - 1] === ZERO) {
        const col = m[0].length - m[1].length - 1;
        out[out.length - 1] = { start: { line, character: col }, end: { line, character: col + m[1].length } };
      }
    }
    start = end + 1;
  }
  return out;
}

function readToml(text: string, graph: LockGraph): Record<string, unknown> | undefined {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    graph.notes.push(`lockfile not read: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

export function parsePoetryLock(text: string): LockGraph {
  const graph: LockGraph = { kind: 'poetry.lock', ecosystem: 'PyPI', nodes: new Map(), roots: [], notes: [] };
  const doc = readToml(text, graph);
  if (!doc) return graph;
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  const lv = String(meta['lock-version'] ?? '');
  if (lv && !/^[12]\./.test(lv)) graph.notes.push(`poetry lock-version ${lv} is not one this version knows (1.x, 2.x); read as 2.x`);
  fill(graph, doc.package, packageNamePositions(text), (p) => {
    const deps = isObject(p.dependencies) ? Object.keys(p.dependencies) : [];
    const groups = Array.isArray(p.groups) ? p.groups.map(String) : undefined;
    const dev = p.category === 'dev' || (groups !== undefined && groups.length > 0 && !groups.includes('main')) ? true
      : p.category === 'main' || groups?.includes('main') ? false : undefined;
    return { deps, dev, local: isObject(p.source) && p.source.type !== 'legacy' };
  });
  return graph;
}

export function parseUvLock(text: string): LockGraph {
  const graph: LockGraph = { kind: 'uv.lock', ecosystem: 'PyPI', nodes: new Map(), roots: [], notes: [] };
  const doc = readToml(text, graph);
  if (!doc) return graph;
  if (doc.version !== undefined && doc.version !== 1) graph.notes.push(`uv.lock version ${JSON.stringify(doc.version)} is not one this version knows (1); read as 1`);
  const names = (list: unknown): string[] => (Array.isArray(list) ? list.filter(isObject).map((d) => String(d.name ?? '')) : []);
  const projectRoots: { deps: string[]; dev: boolean }[] = [];
  fill(graph, doc.package, packageNamePositions(text), (p) => {
    const source = isObject(p.source) ? p.source : {};
    const project = 'editable' in source || 'virtual' in source;
    const local = project || 'path' in source || 'directory' in source || 'git' in source;
    const deps = names(p.dependencies);
    if (isObject(p['optional-dependencies'])) for (const l of Object.values(p['optional-dependencies'])) deps.push(...names(l));
    if (project) {
      projectRoots.push({ deps, dev: false });
      const devGroups = isObject(p['dev-dependencies']) ? Object.values(p['dev-dependencies']) : [];
      projectRoots.push({ deps: devGroups.flatMap(names), dev: true });
    }
    return { deps, dev: undefined, local };
  });
  const roots: LockRoot[] = [];
  for (const r of projectRoots) for (const d of r.deps) { const id = graph.resolve!(d, ''); if (id) roots.push({ name: normalizePyName(d), id, dev: r.dev }); }
  graph.roots = roots;
  return graph;
}

function fill(graph: LockGraph, list: unknown, positions: Range[], facts: (p: Record<string, unknown>) => { deps: string[]; dev: boolean | undefined; local: boolean }): void {
  const packages = Array.isArray(list) ? list : [];
  const byName = new Map<string, string>();
  const pending: { id: string; deps: string[] }[] = [];
  let invalid = 0;
  packages.slice(0, MAX_PACKAGES).forEach((p, i) => {
    if (!isObject(p) || typeof p.name !== 'string') return;
    const name = normalizePyName(p.name);
    const version = typeof p.version === 'string' ? p.version : '';
    const f = facts(p);
    const valid = !!pepValid(version);
    if (!valid && !f.local) invalid++;
    const id = `${name}@${version}`;
    if (!byName.has(name)) byName.set(name, id);
    pending.push({ id, deps: f.deps });
    graph.nodes.set(id, { id, name, version, deps: [], range: positions[i] ?? ZERO, ...(f.dev !== undefined ? { dev: f.dev } : {}), ...(f.local || !valid ? { local: true } : {}) });
  });
  for (const { id, deps } of pending) graph.nodes.get(id)!.deps = deps.map((d) => byName.get(normalizePyName(d))).filter((x): x is string => !!x);
  if (invalid > 0) graph.notes.push(`${invalid} package${invalid === 1 ? '' : 's'} with a version that is not PEP 440 skipped`);
  graph.resolve = (name) => byName.get(normalizePyName(name));
}

/** Pipfile.lock: a flat list (no dependency graph), `develop` for development. */
export function pipfileLockEntries(text: string): { entries: DepEntry[]; notes: string[] } {
  const notes: string[] = [];
  const parsed = parseJson(text);
  if ('error' in parsed) return { entries: [], notes: [`lockfile not read: ${parsed.error}`] };
  const doc = parsed.value;
  if (!isObject(doc)) return { entries: [], notes: ['lockfile not read: not a JSON object'] };
  const spec = isObject(doc._meta) ? doc._meta['pipfile-spec'] : undefined;
  if (spec !== undefined && spec !== 6) notes.push(`pipfile-spec ${JSON.stringify(spec)} is not one this version knows (6); read as 6`);
  const positions = keyPositions(text, (parent, key) => (parent.length === 1 && (parent[0] === 'default' || parent[0] === 'develop') ? `${parent[0]}/${key}` : undefined));
  const entries: DepEntry[] = [];
  const seen = new Set<string>();
  let invalid = 0;
  for (const section of ['default', 'develop'] as const) {
    const deps = doc[section];
    if (!isObject(deps)) continue;
    for (const [key, e] of Object.entries(deps)) {
      if (!isObject(e) || typeof e.version !== 'string') continue;
      const version = e.version.replace(/^===?/, '');
      if (!pepValid(version)) { invalid++; continue; }
      const name = normalizePyName(key);
      if (seen.has(`${name}@${version}`)) continue;
      seen.add(`${name}@${version}`);
      entries.push({ ecosystem: 'PyPI', name, version, resolution: 'locked', direct: undefined, via: [], dev: section === 'develop', range: positions.get(`${section}/${key}`) ?? ZERO });
    }
  }
  if (invalid > 0) notes.push(`${invalid} package${invalid === 1 ? '' : 's'} with a version that is not PEP 440 skipped`);
  return { entries, notes };
}
