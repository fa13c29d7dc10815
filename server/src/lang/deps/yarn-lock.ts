/**
 * yarn.lock, classic (v1) and berry (v2+), through @yarnpkg/parsers' `parseSyml`. Entries are keyed by the
 * descriptors that resolve to them (`lodash@^4.17.0`, `lodash@npm:^4.17.0`); positions come from a scan of
 * line starts for each entry's header line.
 */
import { parseSyml } from '@yarnpkg/parsers';
import semver from 'semver';
import type { Range } from '../../engine/types';
import { isObject } from './json';
import type { LockGraph, LockRoot } from './lock-graph';
import { MAX_PACKAGES } from './model';

export function parseYarnLock(text: string): LockGraph {
  const graph: LockGraph = { kind: 'yarn.lock', ecosystem: 'npm', nodes: new Map(), roots: [], notes: [] };
  let doc: unknown;
  try {
    doc = parseSyml(text);
  } catch (err) {
    graph.notes.push(`lockfile not read: ${(err as Error).message.split('\n')[0]}`);
    return graph;
  }
  if (!isObject(doc)) {
    graph.notes.push('lockfile not read: no entries');
    return graph;
  }
  const berry = isObject(doc.__metadata);
  if (berry) {
    const v = Number((doc.__metadata as Record<string, unknown>).version);
    if (!(v >= 2 && v <= 8)) graph.notes.push(`yarn lockfile metadata version ${JSON.stringify((doc.__metadata as Record<string, unknown>).version)} is not one this version knows (2-8); read as the latest`);
  }
  const headers = headerPositions(text);
  // descriptor -> node id (the entry's first descriptor); classic entries repeat one object under each descriptor
  const idOf = new Map<string, string>();
  const byObject = new Map<object, string>();
  const entries: [string, Record<string, unknown>][] = [];
  let count = 0;
  let unreadable = 0;
  for (const [key, value] of Object.entries(doc)) {
    if (key === '__metadata') continue;
    if (!isObject(value)) { unreadable++; continue; }
    if (++count > MAX_PACKAGES) { graph.notes.push(`only the first ${MAX_PACKAGES} entries were read`); break; }
    const descriptors = key.split(',').map((d) => d.trim()).filter(Boolean);
    let id = byObject.get(value);
    if (!id) {
      id = descriptors[0];
      byObject.set(value, id);
      entries.push([id, value]);
    }
    for (const d of descriptors) idOf.set(d, id);
  }
  if (unreadable > 0) graph.notes.push(`${unreadable} entr${unreadable === 1 ? 'y' : 'ies'} could not be read (not a mapping)`);
  let invalid = 0;
  for (const [id, entry] of entries) {
    const { name, local } = realName(id, entry);
    const version = typeof entry.version === 'string' ? entry.version : '';
    const valid = !!semver.valid(version, { loose: true });
    if (!valid && !local) invalid++;
    const deps: string[] = [];
    for (const field of ['dependencies', 'optionalDependencies']) {
      const ds = entry[field];
      if (!isObject(ds)) continue;
      for (const [dn, range] of Object.entries(ds)) {
        const target = lookup(idOf, dn, String(range));
        if (target) deps.push(target);
      }
    }
    graph.nodes.set(id, {
      id, name, version, deps,
      range: headers.get(id) ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      ...(local || !valid ? { local: true } : {}),
    });
  }
  if (invalid > 0) graph.notes.push(`${invalid} package${invalid === 1 ? '' : 's'} with a version that is not semver skipped`);
  graph.resolve = (name, spec) => lookup(idOf, name, spec);
  const roots: LockRoot[] = [];
  {
    // berry records the project itself as a workspace entry
    for (const [id, entry] of entries) {
      if (!/@workspace:\.$/.test(id)) continue;
      for (const [field, dev] of [['dependencies', false], ['devDependencies', true]] as const) {
        const ds = entry[field];
        if (isObject(ds)) for (const [dn, range] of Object.entries(ds)) { const t = lookup(idOf, dn, String(range)); if (t) roots.push({ name: dn, id: t, dev }); }
      }
    }
  }
  graph.roots = roots;
  return graph;
}

function lookup(idOf: Map<string, string>, name: string, range: string): string | undefined {
  return idOf.get(`${name}@${range}`) ?? idOf.get(`${name}@npm:${range}`);
}

/** `@scope/name@range` -> name; an alias `foo@npm:bar@^1` and berry's `resolution` give the real package. */
function realName(id: string, entry: Record<string, unknown>): { name: string; local: boolean } {
  const at = id.indexOf('@', 1);
  let name = at > 0 ? id.slice(0, at) : id;
  const range = at > 0 ? id.slice(at + 1) : '';
  let local = /^(file:|link:|portal:|workspace:|git|github:|https?:|patch:|exec:)/.test(range);
  if (typeof entry.resolution === 'string') {
    const r = entry.resolution;
    const rAt = r.indexOf('@', 1);
    if (rAt > 0) name = r.slice(0, rAt);
    local = !r.slice(rAt + 1).startsWith('npm:');
  } else if (range.startsWith('npm:')) {
    const target = range.slice(4);
    const tAt = target.indexOf('@', 1);
    if (tAt > 0) name = target.slice(0, tAt);
  }
  if (typeof entry.resolved === 'string' && /^(file:|git|github:)/.test(entry.resolved)) local = true;
  return { name, local };
}

/**
 * The header line of each entry, by its first descriptor: lines that start at column 0 (not comments)
 * and end with `:`. Only line starts are examined.
 */
function headerPositions(text: string): Map<string, Range> {
  const out = new Map<string, Range>();
  let line = 0;
  for (let start = 0; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const c = text.charCodeAt(start);
    // not indented (space, tab), not a comment, not blank
    if (c !== 32 && c !== 9 && c !== 35 && c !== 10 && c !== 13) {
      const raw = text.slice(start, end).replace(/\r$/, '');
      if (raw.endsWith(':')) {
        const first = raw.slice(0, -1).split(',')[0].trim().replace(/^"|"$/g, '');
        const col = raw.indexOf(first);
        const at = first.indexOf('@', 1);
        const nameLen = at > 0 ? at : first.length;
        out.set(first, { start: { line, character: Math.max(col, 0) }, end: { line, character: Math.max(col, 0) + nameLen } });
      }
    }
    start = end + 1;
  }
  return out;
}
