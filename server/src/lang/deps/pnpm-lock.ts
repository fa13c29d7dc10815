/**
 * pnpm-lock.yaml (lockfile versions 5, 6 and 9) through `yaml` with the failsafe schema (every scalar a
 * string: `1.10` stays `1.10`). Package keys: v5 `/name/1.2.3_peer`, v6 `/name@1.2.3(peer)`, v9 `name@1.2.3`
 * (v9 keeps dependencies under `snapshots`).
 */
import semver from 'semver';
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';
import { lineStartsOf, positionAt } from '../../engine/edits';
import type { Range } from '../../engine/types';
import { isObject } from './json';
import type { LockGraph, LockRoot } from './lock-graph';
import { MAX_PACKAGES } from './model';

export function parsePnpmLock(text: string): LockGraph {
  const graph: LockGraph = { kind: 'pnpm-lock.yaml', ecosystem: 'npm', nodes: new Map(), roots: [], notes: [] };
  let doc;
  try {
    doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: false });
  } catch (err) {
    graph.notes.push(`lockfile not read: ${(err as Error).message.split('\n')[0]}`);
    return graph;
  }
  if (doc.errors.length > 0) {
    graph.notes.push(`lockfile not read: ${doc.errors[0].message.split('\n')[0]}`);
    return graph;
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    graph.notes.push(`lockfile not read: ${(err as Error).message.split('\n')[0]}`);
    return graph;
  }
  if (!isObject(data)) {
    graph.notes.push('lockfile not read: not a mapping');
    return graph;
  }
  const major = Math.floor(Number(String(data.lockfileVersion ?? '').replace(/^'|'$/g, '')));
  if (!(major >= 5 && major <= 9)) {
    graph.notes.push(`lockfileVersion ${JSON.stringify(data.lockfileVersion)} is not one this version knows (5, 6, 9); read as version 9`);
  }
  const v = major >= 5 && major <= 9 ? major : 9;
  const starts = lineStartsOf(text);
  const positions = new Map<string, Range>();
  for (const section of ['packages', 'snapshots']) {
    const node = doc.get(section, true);
    if (!isMap(node)) continue;
    for (const item of (node as YAMLMap).items) {
      if (!isScalar(item.key) || !item.key.range) continue;
      const key = String(item.key.value);
      const id = section === 'packages' ? key : key;
      if (positions.has(id)) continue;
      const [s] = item.key.range;
      const nameEnd = s + keyName(key, v).length + (text[s] === "'" || text[s] === '"' ? 1 : 0) + (key.startsWith('/') ? 1 : 0);
      positions.set(id, { start: positionAt(s, starts), end: positionAt(nameEnd, starts) });
    }
  }
  const packages = isObject(data.packages) ? data.packages : {};
  const snapshots = isObject(data.snapshots) ? data.snapshots : undefined;
  const withDeps = v >= 9 && snapshots ? snapshots : packages;
  const keyFor = (name: string, ver: string): string | undefined => {
    if (/^(link:|file:|workspace:)/.test(ver)) return undefined;
    if (ver.startsWith('/')) return ver; // v5/v6 alias: the full key
    const direct = v >= 9 ? `${name}@${ver}` : v >= 6 ? `/${name}@${ver}` : `/${name}/${ver}`;
    if (withDeps[direct] !== undefined) return direct;
    // an alias in v9: the value is the target's key
    if (v >= 9 && ver.indexOf('@', 1) > 0 && withDeps[ver] !== undefined) return ver;
    return direct;
  };
  let invalid = 0;
  let count = 0;
  for (const [key, entry] of Object.entries(withDeps)) {
    if (++count > MAX_PACKAGES) { graph.notes.push(`only the first ${MAX_PACKAGES} packages were read`); break; }
    const parsed = parseKey(key, v);
    const e = isObject(entry) ? entry : {};
    const valid = !!parsed && !!semver.valid(parsed.version, { loose: true });
    if (!valid) invalid++;
    const deps: string[] = [];
    for (const field of ['dependencies', 'optionalDependencies']) {
      const ds = e[field];
      if (!isObject(ds)) continue;
      for (const [dn, dv] of Object.entries(ds)) { const k = keyFor(dn, String(dv)); if (k) deps.push(k); }
    }
    const pkgKey = v >= 9 && parsed ? `${parsed.name}@${parsed.version}` : key;
    graph.nodes.set(key, {
      id: key,
      name: parsed?.name ?? key,
      version: parsed?.version ?? '',
      deps,
      range: positions.get(pkgKey) ?? positions.get(key) ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      ...(e.dev === 'true' ? { dev: true } : e.dev === 'false' ? { dev: false } : {}),
      ...(valid ? {} : { local: true }),
    });
  }
  if (invalid > 0) graph.notes.push(`${invalid} package${invalid === 1 ? '' : 's'} with a key or version this version cannot read skipped`);
  const importers: Record<string, unknown>[] = isObject(data.importers) ? Object.values(data.importers).filter(isObject) : [data];
  const roots: LockRoot[] = [];
  for (const imp of importers) {
    for (const [field, dev] of [['dependencies', false], ['optionalDependencies', false], ['devDependencies', true]] as const) {
      const ds = imp[field];
      if (!isObject(ds)) continue;
      for (const [name, spec] of Object.entries(ds)) {
        const ver = isObject(spec) ? String(spec.version ?? '') : String(spec);
        const id = keyFor(name, ver);
        if (id && graph.nodes.has(id)) roots.push({ name, id, dev });
      }
    }
  }
  graph.roots = roots;
  return graph;
}

/** Name and version of a package key, peer suffixes removed; undefined for keys of local or odd packages. */
export function parseKey(key: string, v: number): { name: string; version: string } | undefined {
  let k = key;
  if (v < 9) {
    if (!k.startsWith('/')) return undefined;
    k = k.slice(1);
  }
  if (v >= 6) {
    const at = k.indexOf('@', 1);
    if (at < 0) return undefined;
    const paren = k.indexOf('(', at);
    return { name: k.slice(0, at), version: k.slice(at + 1, paren < 0 ? undefined : paren) };
  }
  const slash = k.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const rest = k.slice(slash + 1);
  const under = rest.indexOf('_');
  return { name: k.slice(0, slash), version: under < 0 ? rest : rest.slice(0, under) };
}

function keyName(key: string, v: number): string {
  return parseKey(key, v)?.name ?? key;
}
