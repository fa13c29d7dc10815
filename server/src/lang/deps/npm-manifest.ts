/**
 * package.json: dependencies, devDependencies, optionalDependencies, peerDependencies and overrides, with the
 * positions of each name and spec (jsonc-parser's tree). With a lockfile in the same folder the locked versions
 * count, transitive packages included (reported on the line of the direct dependency that pulls them in);
 * without one, the lowest version each range allows, at lower confidence.
 */
import { findNodeAtLocation, parseTree, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import semver from 'semver';
import { lineStartsOf, positionAt } from '../../engine/edits';
import type { Range } from '../../engine/types';
import { cachedParse, siblingPath } from './files';
import { chainOf, walk, type LockGraph, type LockRoot } from './lock-graph';
import type { DepEntry, DepInventory, OverrideSite } from './model';
import { parsePackageLock } from './npm-lock';
import { parsePnpmLock } from './pnpm-lock';
import { parseYarnLock } from './yarn-lock';

const SECTIONS = [['dependencies', false], ['optionalDependencies', false], ['peerDependencies', false], ['devDependencies', true]] as const;

export interface ManifestDep {
  /** The key as written (an alias's own name). */
  key: string;
  /** The package installed (an alias's target). */
  name: string;
  spec: string;
  dev: boolean;
  keyRange: Range;
  /** The range of the version spec inside the string (after an alias's `npm:name@`). */
  specRange: Range;
  override?: boolean;
  /** A peer dependency: a compatibility range the consumer fills, not an install. */
  peer?: boolean;
}

export interface PackageJson {
  tree?: JsonNode;
  deps: ManifestDep[];
  errors: string[];
}

export function readPackageJson(text: string): PackageJson {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const out: PackageJson = { tree, deps: [], errors: [] };
  if (!tree || tree.type !== 'object') {
    out.errors.push('package.json not read: not a JSON object');
    return out;
  }
  if (errors.length > 0) out.errors.push(`package.json has syntax errors (error ${errors[0].error} at offset ${errors[0].offset}); read what parsed`);
  const starts = lineStartsOf(text);
  const range = (offset: number, length: number): Range => ({ start: positionAt(offset, starts), end: positionAt(offset + length, starts) });
  const add = (prop: JsonNode, dev: boolean, override: boolean, peer = false) => {
    const [k, v] = prop.children ?? [];
    if (!k || !v || v.type !== 'string' || typeof v.value !== 'string') return;
    let name = String(k.value);
    let spec = v.value;
    let skip = 0;
    const alias = /^npm:((?:@[^/@\s]+\/)?[^@\s]+)@(.*)$/.exec(spec);
    if (alias) { name = alias[1]; spec = alias[2]; skip = 4 + alias[1].length + 1; }
    const raw = text.slice(v.offset + 1, v.offset + v.length - 1);
    // escapes inside the string: positions within it cannot be trusted, edit the whole value
    const exact = raw === v.value;
    out.deps.push({
      key: String(k.value), name, spec, dev, override, ...(peer ? { peer } : {}),
      keyRange: range(k.offset + 1, k.length - 2),
      specRange: exact ? range(v.offset + 1 + skip, v.length - 2 - skip) : range(v.offset + 1, v.length - 2),
    });
  };
  for (const [section, dev] of SECTIONS) {
    const obj = findNodeAtLocation(tree, [section]);
    if (obj?.type !== 'object') continue;
    for (const prop of obj.children ?? []) add(prop, dev, false, section === 'peerDependencies');
  }
  // top-level override entries (a string, or an object's "." value) pin a package wherever it is installed
  for (const path of [['overrides'], ['resolutions'], ['pnpm', 'overrides']]) {
    const obj = findNodeAtLocation(tree, path);
    if (obj?.type !== 'object') continue;
    for (const prop of obj.children ?? []) {
      const [k, v] = prop.children ?? [];
      if (!k || !v) continue;
      if (v.type === 'string' && !String(k.value).includes('/') && !String(k.value).includes('>')) add(prop, false, true);
      else if (v.type === 'object') {
        const dot = v.children?.find((p) => p.children?.[0]?.value === '.');
        if (dot?.children?.[1]?.type === 'string') add({ ...dot, children: [k, dot.children[1]] } as JsonNode, false, true);
      }
    }
  }
  return out;
}

/** Which lockfile sits beside the manifest, parsed (cached by modification time). */
export function siblingLock(path: string): { graph?: LockGraph; file?: string; error?: string } {
  for (const [name, parse] of [
    ['npm-shrinkwrap.json', parsePackageLock], ['package-lock.json', parsePackageLock],
    ['pnpm-lock.yaml', parsePnpmLock], ['yarn.lock', parseYarnLock],
  ] as const) {
    const p = siblingPath(path, name);
    if (!p) return {};
    const got = cachedParse(p, (t) => parse(t));
    if (got === undefined) continue;
    if ('error' in got) return { error: got.error, file: name };
    return { graph: got, file: name };
  }
  return {};
}

/** The lowest version an npm range allows; undefined for `*`, `latest`, URLs, tags and ranges with no lower bound. */
export function npmMinVersion(spec: string): string | undefined {
  const s = spec.trim();
  if (s === '' || s === '*' || /^(latest|next|x|X)$/.test(s) || /[:/#]/.test(s)) return undefined;
  try {
    if (!semver.validRange(s, { loose: true })) return undefined;
    const min = semver.minVersion(s, { loose: true });
    if (!min || min.version === '0.0.0') return undefined;
    return min.version;
  } catch {
    return undefined;
  }
}

function satisfies(version: string, spec: string): boolean {
  try {
    return !semver.validRange(spec, { loose: true }) || semver.satisfies(version, spec, { includePrerelease: true, loose: true });
  } catch {
    return true;
  }
}

/** The inventory of a package.json, merged with its sibling lockfile's versions. */
export function packageJsonInventory(path: string, manifest: PackageJson): DepInventory {
  const inv: DepInventory = { kind: 'package.json', ecosystem: 'npm', entries: [], notes: [...manifest.errors] };
  const lock = siblingLock(path);
  if (lock.error) inv.notes.push(`lockfile ${lock.file} not read (${lock.error}); versions are the lowest the ranges allow`);
  const graph = lock.graph;
  if (graph) {
    inv.lockfile = lock.file;
    for (const n of graph.notes) inv.notes.push(`${lock.file}: ${n}`);
  }
  inv.override = overrideSite(manifest, lock.file);
  const overrides = new Map(manifest.deps.filter((d) => d.override).map((d) => [d.name, d]));
  const direct = manifest.deps.filter((d) => !d.override);
  const declared = new Set(direct.map((d) => d.name));
  const roots: LockRoot[] = [];
  let skipped = 0;
  for (const d of manifest.deps) {
    // an override's real version is the lockfile's (reported with the package that pulls it in)
    if (d.override && (declared.has(d.name) || graph)) continue;
    const root = graph && !d.override ? findRoot(graph, d) : undefined;
    const locked = root ? graph!.nodes.get(root.id) : undefined;
    if (root) roots.push({ name: d.key, id: root.id, dev: d.dev });
    const min = npmMinVersion(d.spec);
    let version: string | undefined;
    let resolution: DepEntry['resolution'] = 'range';
    let remark: string | undefined;
    if (locked && !locked.local && satisfies(locked.version, d.spec)) {
      version = locked.version;
      resolution = 'locked';
    } else {
      if (locked && !locked.local) remark = `${lock.file} has ${locked.version}, which \`${d.spec}\` no longer allows: the lockfile is out of date`;
      version = min;
      if (min && semver.valid(d.spec.trim().replace(/^=/, ''), { loose: true })) resolution = 'exact';
    }
    // a peer range is what consumers may bring, not what is installed: only a locked version counts
    if (d.peer && resolution !== 'locked') continue;
    if (!version) {
      // ranges without a lower bound (`*`, `<2`), tags and URLs are quiet; only what is no npm spec at all is noted
      if (!semver.validRange(d.spec, { loose: true }) && !/^[a-z][\w.-]*$/i.test(d.spec.trim()) && !/^[a-z][a-z0-9+.-]*:/i.test(d.spec)) skipped++;
      continue;
    }
    inv.entries.push({
      ecosystem: 'npm', name: d.name, version, resolution, declared: d.spec,
      direct: true, via: [], dev: d.dev, range: d.keyRange,
      spec: { range: d.specRange, text: d.spec, syntax: 'npm' },
      ...(remark ? { remark } : {}),
    });
  }
  if (skipped > 0) inv.notes.push(`${skipped} dependenc${skipped === 1 ? 'y' : 'ies'} with a version spec that is not a semver range skipped`);
  if (!graph) return inv;
  // transitive packages, on the line of the direct dependency that pulls them in
  const byKey = new Map(direct.map((d) => [d.key, d]));
  const reach = walk(graph, roots);
  const seen = new Set(inv.entries.map((e) => `${e.name}@${e.version}`));
  const transitive: DepEntry[] = [];
  for (const [id, r] of reach) {
    if (r.direct) continue;
    const node = graph.nodes.get(id)!;
    if (node.local) continue;
    const top = byKey.get(r.root);
    if (!top) continue;
    let version = node.version;
    let resolution: DepEntry['resolution'] = 'locked';
    let remark: string | undefined;
    const pin = overrides.get(node.name);
    if (pin && !satisfies(version, pin.spec)) {
      const min = npmMinVersion(pin.spec);
      if (!min) continue;
      remark = `${lock.file} has ${version}, which the override \`${pin.spec}\` no longer allows: the lockfile is out of date`;
      version = min;
      resolution = 'range';
    }
    const key = `${node.name}@${version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    transitive.push({
      ecosystem: 'npm', name: node.name, version, resolution,
      direct: false, via: chainOf(graph, reach, id), dev: r.dev, range: top.keyRange,
      ...(remark ? { remark } : {}),
    });
  }
  inv.entries.push(...transitive);
  return inv;
}

function findRoot(graph: LockGraph, d: ManifestDep): LockRoot | undefined {
  const r = graph.roots.find((x) => x.name === d.key);
  if (r) return r;
  const id = graph.resolve?.(d.key, d.spec);
  return id ? { name: d.key, id, dev: d.dev } : undefined;
}

/** Where a transitive upgrade goes: `resolutions` for yarn, `pnpm.overrides` for pnpm, `overrides` for npm. */
function overrideSite(manifest: PackageJson, lockfile: string | undefined): OverrideSite {
  const pm = manifest.tree ? findNodeAtLocation(manifest.tree, ['packageManager'])?.value : undefined;
  const manager = lockfile === 'yarn.lock' || (typeof pm === 'string' && pm.startsWith('yarn@')) ? 'yarn'
    : lockfile === 'pnpm-lock.yaml' || (typeof pm === 'string' && pm.startsWith('pnpm@')) ? 'pnpm' : 'npm';
  return { manager, path: manager === 'yarn' ? ['resolutions'] : manager === 'pnpm' ? ['pnpm', 'overrides'] : ['overrides'] };
}
