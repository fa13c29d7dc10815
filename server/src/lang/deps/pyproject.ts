/**
 * pyproject.toml through toml-eslint-parser (positions): PEP 621 `[project] dependencies` and
 * `optional-dependencies`, PEP 735 `[dependency-groups]`, Poetry `[tool.poetry.dependencies]`,
 * `dev-dependencies` and groups. A sibling poetry.lock or uv.lock gives the locked versions, transitive ones
 * included (on the line of the direct dependency that pulls them in).
 */
import { lt as pepLt, satisfies as pepSatisfies, valid as pepValid, validRange as pepValidRange } from '@renovatebot/pep440';
import { parseTOML } from 'toml-eslint-parser';
import type { AST } from 'toml-eslint-parser';
import { lineStartsOf, positionAt } from '../../engine/edits';
import type { Range } from '../../engine/types';
import { cachedParse, siblingPath } from './files';
import { chainOf, walk, type LockGraph, type LockRoot } from './lock-graph';
import { normalizePyName, type DepEntry, type DepInventory, type SpecSite } from './model';
import { parseRequirement, pyVersionOf } from './pep508';
import { parsePoetryLock, parseUvLock } from './py-locks';

interface PyDep {
  name: string;
  dev: boolean;
  nameRange: Range;
  declared: string;
  version?: string;
  resolution?: DepEntry['resolution'];
  spec?: SpecSite;
}

const DEV_NAME = /^(dev|devel|develop|development|test|tests|testing|lint|linting|docs?|typing|ci)$/i;

export function pyprojectInventory(path: string, text: string): { inventory: DepInventory; comments: { line: number; text: string }[] } {
  const inv: DepInventory = { kind: 'pyproject.toml', ecosystem: 'PyPI', entries: [], notes: [] };
  let ast: AST.TOMLProgram;
  try {
    ast = parseTOML(text);
  } catch (err) {
    inv.notes.push(`pyproject.toml not read: ${(err as Error).message}`);
    return { inventory: inv, comments: [] };
  }
  const starts = lineStartsOf(text);
  const range = (s: number, e: number): Range => ({ start: positionAt(s, starts), end: positionAt(e, starts) });
  const comments = ast.comments.map((c) => ({ line: c.loc.start.line - 1, text: c.value }));
  const deps: PyDep[] = [];
  const pep508 = (v: AST.TOMLValue, dev: boolean) => {
    if (v.kind !== 'string' || typeof v.value !== 'string') return;
    const raw = text.slice(v.range[0], v.range[1]);
    const q = raw.startsWith('"""') || raw.startsWith("'''") ? 3 : 1;
    const exact = raw.slice(q, raw.length - q) === v.value;
    const req = parseRequirement(v.value, v.range[0] + q);
    if (!req || req.url) return;
    const got = pyVersionOf(req.clauses);
    const dep: PyDep = {
      name: normalizePyName(req.name), dev, declared: req.specText,
      nameRange: exact ? range(req.nameStart, req.nameEnd) : range(v.range[0], v.range[1]),
    };
    if (got) {
      dep.version = got.version;
      dep.resolution = got.resolution;
      if (exact) dep.spec = { range: range(got.clause.start, got.clause.end), text: v.value.slice(got.clause.start - v.range[0] - q, got.clause.end - v.range[0] - q), syntax: 'pep440', list: req.specText };
    }
    deps.push(dep);
  };
  const poetry = (nameKey: string, keyNode: AST.TOMLNode, v: AST.TOMLNode, dev: boolean) => {
    if (nameKey.toLowerCase() === 'python') return;
    let str: AST.TOMLValue | undefined;
    if (v.type === 'TOMLValue' && v.kind === 'string') str = v;
    else if (v.type === 'TOMLInlineTable') {
      const ver = v.body.find((kv) => keyName(kv.key.keys[0]) === 'version');
      if (ver?.value.type === 'TOMLValue' && ver.value.kind === 'string') str = ver.value;
      if (v.body.some((kv) => ['git', 'path', 'url'].includes(keyName(kv.key.keys[0])))) return;
    }
    const dep: PyDep = { name: normalizePyName(nameKey), dev, nameRange: range(keyNode.range[0], keyNode.range[1]), declared: str ? String(str.value) : '' };
    if (str) {
      const got = poetryVersion(String(str.value));
      const raw = text.slice(str.range[0] + 1, str.range[1] - 1);
      if (got) {
        dep.version = got.version;
        dep.resolution = got.resolution;
        if (raw === str.value) dep.spec = { range: range(str.range[0] + 1, str.range[1] - 1), text: raw, syntax: 'poetry' };
      }
    }
    deps.push(dep);
  };
  for (const item of ast.body[0].body) {
    const tablePath = item.type === 'TOMLTable' ? item.resolvedKey.map(String) : [];
    const kvs = item.type === 'TOMLTable' ? item.body : [item];
    for (const kv of kvs) {
      const p = [...tablePath, ...kv.key.keys.map(keyName)];
      const [a, b, c, d] = p;
      if (a === 'project' && b === 'dependencies' && p.length === 2) eachString(kv.value, (v) => pep508(v, false));
      else if (a === 'project' && b === 'optional-dependencies' && p.length === 3) eachString(kv.value, (v) => pep508(v, DEV_NAME.test(c)));
      else if (a === 'dependency-groups' && p.length === 2) eachString(kv.value, (v) => pep508(v, true));
      else if (a === 'tool' && b === 'poetry') {
        const keyNode = kv.key.keys[kv.key.keys.length - 1];
        if ((c === 'dependencies' || c === 'dev-dependencies') && p.length === 4) poetry(d, keyNode, kv.value, c === 'dev-dependencies');
        else if (c === 'group' && p[4] === 'dependencies' && p.length === 6) poetry(p[5], keyNode, kv.value, d !== 'main');
        else if ((c === 'dependencies' || c === 'dev-dependencies') && p.length === 5 && p[4] === 'version' && item.type === 'TOMLTable') {
          poetry(d, item.key.keys[item.key.keys.length - 1], { type: 'TOMLInlineTable', body: [kv] } as unknown as AST.TOMLNode, c === 'dev-dependencies');
        }
      }
    }
  }
  merge(path, deps, inv);
  return { inventory: inv, comments };
}

function keyName(k: AST.TOMLBare | AST.TOMLQuoted | AST.TOMLNode): string {
  const n = k as { name?: string; value?: unknown };
  return n.name ?? String(n.value ?? '');
}

function eachString(v: AST.TOMLNode, fn: (s: AST.TOMLValue) => void): void {
  if (v.type !== 'TOMLArray') return;
  for (const e of v.elements) if (e.type === 'TOMLValue') fn(e);
}

/** Poetry constraints: `^1.2`, `~1.2`, `1.2.3` (exact), `>=1.2,<2`, `*`. */
export function poetryVersion(spec: string): { version: string; resolution: DepEntry['resolution'] } | undefined {
  const s = spec.trim();
  if (s === '' || s === '*') return undefined;
  if (/^[\^~](?!=)/.test(s)) {
    const v = s.slice(1).trim();
    return pepValid(v) ? { version: v, resolution: 'range' } : undefined;
  }
  if (pepValid(s) && !s.includes('*')) return { version: s, resolution: 'exact' };
  const req = parseRequirement(`x ${s}`);
  const got = req ? pyVersionOf(req.clauses) : undefined;
  return got ? { version: got.version, resolution: got.resolution } : undefined;
}

/** The manifest's dependencies with the sibling lockfile's versions. */
function merge(path: string, deps: PyDep[], inv: DepInventory): void {
  let graph: LockGraph | undefined;
  for (const [name, parse] of [['poetry.lock', parsePoetryLock], ['uv.lock', parseUvLock]] as const) {
    const p = siblingPath(path, name);
    if (!p) break;
    const got = cachedParse(p, (t) => parse(t));
    if (got === undefined) continue;
    if ('error' in got) { inv.notes.push(`lockfile ${name} not read (${got.error}); versions are the ones the specifiers give`); break; }
    graph = got;
    inv.lockfile = name;
    for (const n of got.notes) inv.notes.push(`${name}: ${n}`);
    break;
  }
  const roots: LockRoot[] = [];
  const seen = new Set<string>();
  for (const d of deps) {
    const id = graph?.resolve?.(d.name, '');
    const node = id ? graph!.nodes.get(id) : undefined;
    let version = d.version;
    let resolution = d.resolution;
    let remark: string | undefined;
    if (node) roots.push({ name: d.name, id: node.id, dev: d.dev });
    if (node && !node.local) {
      const list = d.spec?.syntax === 'pep440' ? d.spec.list : undefined;
      // below the declared floor (Poetry's `^X`, `~X`) or outside a PEP 440 list: the lockfile predates the manifest
      const stale = list && pepValidRange(list) ? !pepSatisfies(node.version, list) : d.version !== undefined && pepValid(node.version) && pepLt(node.version, d.version);
      if (stale) {
        remark = `${inv.lockfile} has ${node.version}, which \`${d.declared}\` no longer allows: the lockfile is out of date`;
      } else {
        version = node.version;
        resolution = 'locked';
      }
    }
    if (!version || !resolution) continue;
    seen.add(`${d.name}@${version}`);
    inv.entries.push({
      ecosystem: 'PyPI', name: d.name, version, resolution, declared: d.declared,
      direct: true, via: [], dev: d.dev, range: d.nameRange,
      ...(d.spec ? { spec: d.spec } : {}), ...(remark ? { remark } : {}),
    });
  }
  if (!graph) return;
  const byName = new Map(deps.map((d) => [d.name, d]));
  const reach = walk(graph, roots);
  for (const [id, r] of reach) {
    if (r.direct) continue;
    const node = graph.nodes.get(id)!;
    const top = byName.get(r.root);
    if (node.local || !top || seen.has(`${node.name}@${node.version}`)) continue;
    seen.add(`${node.name}@${node.version}`);
    inv.entries.push({ ecosystem: 'PyPI', name: node.name, version: node.version, resolution: 'locked', direct: false, via: chainOf(graph, reach, id), dev: r.dev, range: top.nameRange });
  }
}
