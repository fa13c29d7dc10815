/**
 * package-lock.json and npm-shrinkwrap.json: v2/v3 `packages` (keys are install paths, `node_modules/a/node_modules/b`)
 * and v1 nested `dependencies`. Each package's dependencies are resolved the way Node does: the nearest
 * `node_modules` folder up the install path.
 */
import semver from 'semver';
import { isObject, keyPositions, lineKeyPositions, parseJson } from './json';
import type { LockGraph, LockNode, LockRoot } from './lock-graph';
import { MAX_PACKAGES } from './model';

const NM = 'node_modules/';
const DEP_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

export function parsePackageLock(text: string): LockGraph {
  const graph: LockGraph = { kind: 'package-lock.json', ecosystem: 'npm', nodes: new Map(), roots: [], notes: [] };
  const parsed = parseJson(text);
  if ('error' in parsed) {
    graph.notes.push(`lockfile not read: ${parsed.error}`);
    return graph;
  }
  const doc = parsed.value;
  if (!isObject(doc)) {
    graph.notes.push('lockfile not read: not a JSON object');
    return graph;
  }
  const version = doc.lockfileVersion;
  if (isObject(doc.packages) && (version === 2 || version === 3 || version === undefined)) readPackages(doc.packages, text, graph);
  else if (isObject(doc.dependencies) && (version === 1 || version === undefined)) readV1(doc.dependencies, text, graph);
  else if (isObject(doc.packages)) {
    graph.notes.push(`lockfileVersion ${JSON.stringify(version)} is not one this version knows (1, 2, 3); read as version 3`);
    readPackages(doc.packages, text, graph);
  } else graph.notes.push(`lockfileVersion ${JSON.stringify(version)}: no \`packages\` or \`dependencies\` to read`);
  return graph;
}

/** The install path a dependency `name` of the package at `from` resolves to (nearest node_modules up the path). */
function resolveFrom(from: string, name: string, has: (id: string) => boolean): string | undefined {
  let base = from;
  for (let guard = 0; guard < 1000; guard++) {
    const candidate = base === '' ? NM + name : `${base}/${NM}${name}`;
    if (has(candidate)) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/' + NM);
    base = cut >= 0 ? base.slice(0, cut) : '';
  }
  return undefined;
}

function nameFromPath(path: string): string {
  const i = path.lastIndexOf(NM);
  return i >= 0 ? path.slice(i + NM.length) : path;
}

function depNames(entry: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const field of DEP_FIELDS) if (isObject(entry[field])) out.push(...Object.keys(entry[field] as object));
  return out;
}

function readPackages(packages: Record<string, unknown>, text: string, graph: LockGraph): void {
  const wanted = new Set(Object.keys(packages));
  let positions = lineKeyPositions(text, wanted);
  if (positions.size < wanted.size - (wanted.has('') ? 1 : 0)) positions = keyPositions(text, (parent, key) => (parent.length === 1 && parent[0] === 'packages' ? key : undefined));
  const links = new Map<string, string>();
  const entries = new Map<string, Record<string, unknown>>();
  let count = 0;
  let invalid = 0;
  for (const [path, entry] of Object.entries(packages)) {
    if (!isObject(entry) || path === '') continue;
    if (++count > MAX_PACKAGES) { graph.notes.push(`only the first ${MAX_PACKAGES} packages were read`); break; }
    if (entry.link === true && typeof entry.resolved === 'string') { links.set(path, entry.resolved); continue; }
    entries.set(path, entry);
  }
  const resolveLink = (id: string) => links.get(id) ?? id;
  const has = (id: string) => entries.has(id) || links.has(id);
  for (const [path, entry] of entries) {
    const local = !path.includes(NM) || typeof entry.resolved === 'string' && /^(file:|git\+|git:|github:|link:)/.test(entry.resolved);
    const name = typeof entry.name === 'string' && path.includes(NM) ? entry.name : nameFromPath(path);
    const version = typeof entry.version === 'string' ? entry.version : '';
    if (!local && !semver.valid(version, { loose: true })) { invalid++; }
    const deps: string[] = [];
    for (const d of depNames(entry)) {
      const id = resolveFrom(path, d, has);
      if (id) deps.push(resolveLink(id));
    }
    const node: LockNode = {
      id: path, name, version, deps,
      range: positions.get(path) ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      dev: entry.dev === true || entry.devOptional === true,
      ...(local || !semver.valid(version, { loose: true }) ? { local: true } : {}),
    };
    graph.nodes.set(path, node);
  }
  if (invalid > 0) graph.notes.push(`${invalid} package${invalid === 1 ? '' : 's'} with a version that is not semver skipped`);
  const root = packages[''];
  const rootDeps = isObject(root) ? root : {};
  graph.resolve = (name) => { const id = resolveFrom('', name, has); return id ? resolveLink(id) : undefined; };
  graph.roots.push(...rootsOf(rootDeps, (name) => { const id = resolveFrom('', name, has); return id ? resolveLink(id) : undefined; }));
  // workspaces: their folders' dependencies are the project's too
  for (const [path, entry] of entries) {
    if (path.includes(NM)) continue;
    for (const r of rootsOf(entry, (name) => { const id = resolveFrom(path, name, has); return id ? resolveLink(id) : undefined; })) graph.roots.push(r);
  }
}

function rootsOf(manifest: Record<string, unknown>, resolve: (name: string) => string | undefined): LockRoot[] {
  const out: LockRoot[] = [];
  for (const [field, dev] of [['dependencies', false], ['optionalDependencies', false], ['peerDependencies', false], ['devDependencies', true]] as const) {
    const deps = manifest[field];
    if (!isObject(deps)) continue;
    for (const name of Object.keys(deps)) {
      const id = resolve(name);
      if (id) out.push({ name, id, dev });
    }
  }
  return out;
}

/** v1: `dependencies` nested by install location; `requires` names what each package needs. */
function readV1(top: Record<string, unknown>, text: string, graph: LockGraph): void {
  const positions = keyPositions(text, (parent, key) => {
    // [dependencies, a, dependencies, b, dependencies] holds c: node_modules/a/node_modules/b/node_modules/c
    if (parent.length % 2 === 0 || parent[parent.length - 1] !== 'dependencies') return undefined;
    for (let i = 0; i < parent.length; i += 2) if (parent[i] !== 'dependencies') return undefined;
    let id = '';
    for (let i = 1; i < parent.length; i += 2) id += `${NM}${parent[i]}/`;
    return `${id}${NM}${key}`;
  });
  const entries = new Map<string, Record<string, unknown>>();
  const stack: [string, Record<string, unknown>][] = [['', top]];
  let invalid = 0;
  while (stack.length > 0 && entries.size < MAX_PACKAGES) {
    const [prefix, deps] = stack.pop()!;
    for (const [name, entry] of Object.entries(deps)) {
      if (!isObject(entry)) continue;
      const id = `${prefix}${NM}${name}`;
      entries.set(id, entry);
      if (isObject(entry.dependencies)) stack.push([id + '/', entry.dependencies]);
    }
  }
  const has = (id: string) => entries.has(id);
  for (const [id, entry] of entries) {
    let version = typeof entry.version === 'string' ? entry.version : '';
    let name = nameFromPath(id);
    // an alias: "foo": { "version": "npm:bar@1.2.3" }
    const alias = /^npm:((?:@[^/@]+\/)?[^@]+)@(.+)$/.exec(version);
    if (alias) { name = alias[1]; version = alias[2]; }
    const valid = !!semver.valid(version, { loose: true });
    if (!valid && !/^(file:|git|github:|link:|http)/.test(version)) invalid++;
    const deps: string[] = [];
    if (isObject(entry.requires)) for (const d of Object.keys(entry.requires)) { const r = resolveFrom(id, d, has); if (r) deps.push(r); }
    graph.nodes.set(id, {
      id, name, version, deps,
      range: positions.get(id) ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      dev: entry.dev === true,
      ...(valid ? {} : { local: true }),
    });
  }
  if (invalid > 0) graph.notes.push(`${invalid} package${invalid === 1 ? '' : 's'} with a version that is not semver skipped`);
  graph.resolve = (name) => resolveFrom('', name, has);
}
