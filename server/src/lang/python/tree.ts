import type { Tree } from 'web-tree-sitter';
import { openCursor } from './tree-walk';
import { Copier, Rebuild, textEdit, type Plan, type TextEdit } from './tree-build';
import { Home, PNode } from './tree-node';

export { PNode };
export type { TextEdit };

/** What `PTree.update` builds from: the previous copy, the tree it was copied from (already `edit()`ed), the edit. */
interface Previous { copy: PTree; oldTree: Tree; edit?: TextEdit }

/**
 * The plain copy of a Python syntax tree (see PNode in tree-node.ts), built with one cursor walk
 * (tree-build.ts, tree-walk.ts), or after an edit from the previous copy (`update`).
 */
export class PTree {
  readonly root: PNode;
  /** Every node in pre-order (the rules' dispatch walks this); `nodes[id]` is the node with that id. */
  readonly nodes: PNode[];
  private byTypeIndex?: Map<string, PNode[]>;
  private lineStarts?: number[];
  /** Shared with the copies `update` makes from this one. */
  private readonly home: Home;
  /** Set once `update` has taken this copy's nodes over. */
  private consumed = false;
  /** How many nodes the build copied from the tree and how many it took over from the previous copy. */
  readonly stats = { copied: 0, reused: 0 };

  constructor(tree: Tree, readonly source: string, previous?: Previous) {
    // before the cursor opens: nothing else may call tree-sitter while it walks (tree-walk.ts)
    const plan = previous && this.plan(tree, previous);
    this.home = plan ? plan.prev.home : new Home(this);
    this.home.tree = this;
    const c = openCursor(tree);
    try {
      const copier = new Copier([], this.home, c, tree.language.types, tree.language.fields);
      if (plan) {
        const rebuild = new Rebuild(copier, plan);
        this.root = rebuild.node(null, plan.prev.root, 0);
        ({ nodes: this.nodes, index: this.byTypeIndex } = rebuild.finish());
        this.stats.copied = copier.out.length;
        this.stats.reused = this.nodes.length - copier.out.length;
      } else {
        this.root = copier.subtree(null);
        this.nodes = copier.out;
        this.stats.copied = this.nodes.length;
      }
    } finally {
      c.close();
    }
  }

  /**
   * The copy of `tree`, the reparse of `previous.source` after `edit` (`oldTree`: the tree `previous` was
   * copied from, `edit()`ed before the reparse; `edit`: the one given to `oldTree.edit`, computed from the
   * two texts when absent). Equal to `new PTree(tree, source)`; the subtrees outside the edit and outside
   * tree-sitter's changed ranges are taken over from `previous`, which must not be read after this call
   * (its nodes now belong to the new copy).
   */
  static update(previous: PTree, oldTree: Tree, tree: Tree, source: string, edit?: TextEdit): PTree {
    return new PTree(tree, source, { copy: previous, oldTree, edit });
  }

  /** The edit and tree-sitter's changed ranges; undefined (a fresh copy) when the previous copy does not fit. */
  private plan(tree: Tree, previous: Previous): Plan | undefined {
    const prev = previous.copy;
    if (prev.consumed) return undefined;
    const edit = previous.edit ?? textEdit(prev.source, this.source);
    if (prev.source.length + edit.newEnd - edit.oldEnd !== this.source.length || edit.start > edit.oldEnd || edit.start > edit.newEnd) return undefined;
    // the edit must describe these two texts: everything outside it the same (a caller's stale copy is a fresh copy)
    if (prev.source.slice(0, edit.start) !== this.source.slice(0, edit.start)
      || prev.source.slice(edit.oldEnd) !== this.source.slice(edit.newEnd)) return undefined;
    let changed: { startIndex: number; endIndex: number }[];
    try {
      changed = previous.oldTree.getChangedRanges(tree);
    } catch {
      return undefined;
    }
    prev.consumed = true;
    return { prev: { root: prev.root, nodes: prev.nodes, home: prev.home, byTypeIndex: prev.byTypeIndex }, edit, changed };
  }

  /** The node with an id (its pre-order number). */
  readonly byId = { get: (id: number): PNode | undefined => this.nodes[id] };

  /** tree-sitter's name for the root (`file.tree.rootNode`). */
  get rootNode(): PNode {
    return this.root;
  }

  /** Every node of a type, in pre-order: the index's own list (read it, never change it; `update` keeps it). */
  ofType(type: string): PNode[] {
    return this.byType().get(type) ?? [];
  }

  private byType(): Map<string, PNode[]> {
    if (this.byTypeIndex) return this.byTypeIndex;
    const index = new Map<string, PNode[]>();
    for (const n of this.nodes) {
      const list = index.get(n.type);
      if (list) list.push(n);
      else index.set(n.type, [n]);
    }
    return (this.byTypeIndex = index);
  }

  position(index: number): { row: number; column: number } {
    const starts = (this.lineStarts ??= lineStarts(this.source));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - starts[lo] };
  }
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}
