/**
 * A lockfile as a graph: packages (with their entry's position) and the packages each depends on, plus the
 * project's own (root) dependencies. One walk from the roots tells, for every package, whether it is direct,
 * which direct dependency pulls it in (the shortest chain), and whether only development roots reach it.
 */
import type { Range } from '../../engine/types';
import { MAX_PACKAGES, type DepEntry, type DepFileKind, type Ecosystem } from './model';

export interface LockNode {
  id: string;
  name: string;
  version: string;
  range: Range;
  /** Ids of the packages this one depends on (unresolvable ones left out). */
  deps: string[];
  /** The lockfile's own dev flag, when it has one (npm). */
  dev?: boolean;
  /** A workspace folder, a linked or git package, an unparsable version: walked through, never reported. */
  local?: boolean;
}

export interface LockRoot { name: string; id: string; dev: boolean }

export interface LockGraph {
  kind: DepFileKind;
  ecosystem: Ecosystem;
  nodes: Map<string, LockNode>;
  /** The project's dependencies; empty when the lockfile does not record them (yarn, old npm). */
  roots: LockRoot[];
  notes: string[];
  /** The package a manifest's `name: spec` resolves to at the top of the tree, when roots are not recorded. */
  resolve?: (name: string, spec: string) => string | undefined;
}

export interface Reach {
  direct: boolean;
  dev: boolean;
  /** The direct dependency that pulls the package in (its manifest name). */
  root: string;
  /** The package that depends on this one (its id), for transitive packages. */
  parent?: string;
  depth: number;
}

/** Names shown between a direct dependency and a package: the last few parents, the rest elided. */
const SHOWN_PARENTS = 4;

/** `express → body-parser → qs`'s chain for `qs` (the direct dependency first, up to its parent). */
export function chainOf(graph: LockGraph, reach: Map<string, Reach>, id: string): string[] {
  const r = reach.get(id);
  if (!r || r.direct) return [];
  const names: string[] = [];
  let p = r.parent;
  for (let i = 0; p !== undefined && i < SHOWN_PARENTS; i++) {
    const pr = reach.get(p);
    if (!pr || pr.direct) break;
    names.unshift(graph.nodes.get(p)!.name);
    p = pr.parent;
  }
  const rootReached = p === undefined || reach.get(p)?.direct;
  return rootReached ? [r.root, ...names] : [r.root, '…', ...names];
}

/** For each node: direct or not, the chain from its direct dependency, dev-only or not. */
export function walk(graph: LockGraph, roots = graph.roots): Map<string, Reach> {
  const out = new Map<string, Reach>();
  let effective = roots;
  if (effective.length === 0) {
    // no recorded roots: packages nothing depends on are the project's
    const needed = new Set<string>();
    for (const n of graph.nodes.values()) for (const d of n.deps) needed.add(d);
    effective = [...graph.nodes.values()].filter((n) => !needed.has(n.id)).map((n) => ({ name: n.name, id: n.id, dev: n.dev ?? false }));
  }
  // production roots first, so a package reached by both is not dev-only
  const ordered = [...effective.filter((r) => !r.dev), ...effective.filter((r) => r.dev)];
  const queue: string[] = [];
  for (const r of ordered) {
    if (!graph.nodes.has(r.id) || out.has(r.id)) continue;
    out.set(r.id, { direct: true, dev: r.dev, root: r.name, depth: 0 });
    queue.push(r.id);
  }
  // breadth-first: production roots' packages are all queued before dev ones, so shortest chains win
  for (let i = 0; i < queue.length && i < MAX_PACKAGES; i++) {
    const id = queue[i];
    const node = graph.nodes.get(id)!;
    const reach = out.get(id)!;
    for (const d of node.deps) {
      if (out.has(d) || !graph.nodes.has(d)) continue;
      out.set(d, { direct: false, dev: reach.dev, root: reach.root, parent: id, depth: reach.depth + 1 });
      queue.push(d);
    }
  }
  return out;
}

/** The lockfile's packages as inventory entries, one per name and version, found at their own entry. */
export function lockEntries(graph: LockGraph): DepEntry[] {
  const reach = walk(graph);
  const best = new Map<string, DepEntry>();
  const ids = new Map<string, string>();
  for (const node of graph.nodes.values()) {
    if (node.local) continue;
    const r = reach.get(node.id);
    const entry: DepEntry = {
      ecosystem: graph.ecosystem,
      name: node.name,
      version: node.version,
      resolution: 'locked',
      direct: r ? r.direct : undefined,
      via: r ? chainOf(graph, reach, node.id) : [],
      dev: node.dev ?? r?.dev ?? false,
      range: node.range,
    };
    const key = `${node.name}@${node.version}`;
    const old = best.get(key);
    // one entry per package and version: production over dev, then the shortest chain
    if (!old || (old.dev && !entry.dev) || (old.dev === entry.dev && rank(reach, node.id) < rank(reach, ids.get(key)!))) {
      best.set(key, entry);
      ids.set(key, node.id);
    }
  }
  return [...best.values()];
}

function rank(reach: Map<string, Reach>, id: string): number {
  return reach.get(id)?.depth ?? 1e9;
}
