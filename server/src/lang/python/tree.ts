import type { Tree } from 'web-tree-sitter';
import { checkBudget } from '../../engine/budget';
import { openCursor, type Cursor } from './tree-walk';

/**
 * A plain-JavaScript copy of the syntax tree, built once per file with one cursor walk.
 * web-tree-sitter's `Node` crosses into wasm and allocates on every property read; the front, the
 * data flow and the rules' Python detectors read the tree many times, so they all work on this copy.
 * The API mirrors the subset of `Node` they use (every child, named or not, is copied); `id` is the
 * node's pre-order number in this copy (unique in the file, stable for the same text).
 *
 * After an edit, `PTree.update` builds the copy of the new tree from the previous copy: the top-level
 * statements that tree-sitter reparsed to the same structure keep their PNodes (renumbered, moved and
 * handed to the new copy), only the others are copied again. `tree`, `id`, `last` and the indexes are
 * therefore written by this file after construction, never elsewhere.
 */
const NO_CHILDREN: PNode[] = [];

export class PNode {
  parent: PNode | null = null;
  /** Shared empty list for leaves until a first child is added (most nodes are leaves). */
  children: PNode[] = NO_CHILDREN;
  private named?: PNode[];
  /** Position among the parent's children. */
  indexInParent = 0;
  /** The pre-order number of the last node of this subtree. */
  last = 0;

  constructor(
    /** The copy this node belongs to (a node reused by `PTree.update` moves to the new copy). */
    public tree: PTree,
    /** Pre-order number (the index in `tree.nodes`). */
    public id: number,
    readonly type: string,
    readonly isNamed: boolean,
    readonly field: string | null,
    public startIndex: number,
    public endIndex: number,
  ) {}

  get text(): string {
    return this.tree.source.slice(this.startIndex, this.endIndex);
  }

  get namedChildren(): PNode[] {
    return (this.named ??= this.children.filter((c) => c.isNamed));
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  get childCount(): number {
    return this.children.length;
  }

  namedChild(i: number): PNode | null {
    return this.namedChildren[i] ?? null;
  }

  child(i: number): PNode | null {
    return this.children[i] ?? null;
  }

  get firstChild(): PNode | null {
    return this.children[0] ?? null;
  }

  get lastChild(): PNode | null {
    return this.children[this.children.length - 1] ?? null;
  }

  get nextSibling(): PNode | null {
    return this.parent?.children[this.indexInParent + 1] ?? null;
  }

  get previousSibling(): PNode | null {
    return this.parent?.children[this.indexInParent - 1] ?? null;
  }

  get nextNamedSibling(): PNode | null {
    const siblings = this.parent?.children;
    if (!siblings) return null;
    for (let i = this.indexInParent + 1; i < siblings.length; i++) if (siblings[i].isNamed) return siblings[i];
    return null;
  }

  get previousNamedSibling(): PNode | null {
    const siblings = this.parent?.children;
    if (!siblings) return null;
    for (let i = this.indexInParent - 1; i >= 0; i--) if (siblings[i].isNamed) return siblings[i];
    return null;
  }

  equals(other: PNode | null | undefined): boolean {
    return !!other && other.id === this.id && other.tree === this.tree;
  }

  childForFieldName(name: string): PNode | null {
    for (const c of this.children) if (c.field === name) return c;
    return null;
  }

  get startPosition(): { row: number; column: number } {
    return this.tree.position(this.startIndex);
  }

  get endPosition(): { row: number; column: number } {
    return this.tree.position(this.endIndex);
  }

  /** This node (when of a type asked for) and its descendants of those types, in pre-order: from the tree's index, no walk. */
  descendantsOfType(types: string | string[]): PNode[] {
    if (typeof types === 'string') return this.ofType(types);
    const out: PNode[] = [];
    for (const t of new Set(types)) out.push(...this.ofType(t));
    return types.length > 1 ? out.sort((a, b) => a.id - b.id) : out;
  }

  private ofType(type: string): PNode[] {
    const all = this.tree.ofType(type);
    if (this.id === 0) return all.slice();
    // the nodes of this subtree have pre-order numbers pre..last: binary search the first
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (all[mid].id < this.id) lo = mid + 1;
      else hi = mid;
    }
    const out: PNode[] = [];
    for (let i = lo; i < all.length && all[i].id <= this.last; i++) out.push(all[i]);
    return out;
  }

  /** The smallest node that spans [start, end) (as tree-sitter's `descendantForIndex`). */
  descendantForIndex(start: number, end = start): PNode {
    let n: PNode = this;
    for (let depth = 0; depth < 100_000; depth++) {
      const next: PNode | undefined = n.children.find((c) => c.startIndex <= start && end <= c.endIndex && (c.startIndex < c.endIndex || start === end));
      if (!next) break;
      n = next;
    }
    return n;
  }
}

/** An edit in UTF-16 code units, as given to tree-sitter's `tree.edit`: [start, oldEnd) became [start, newEnd). */
export interface TextEdit { start: number; oldEnd: number; newEnd: number }

/** What `PTree.update` builds from: the previous copy, the tree it was copied from (already `edit()`ed), the edit. */
interface Previous { copy: PTree; oldTree: Tree; edit?: TextEdit }

interface Plan { prev: PTree; candidates: Map<number, { node: PNode; shift: number }>; changed: { startIndex: number; endIndex: number }[] }

export class PTree {
  readonly root: PNode;
  /** Every node in pre-order (the rules' dispatch walks this); `nodes[id]` is the node with that id. */
  readonly nodes: PNode[] = [];
  private byTypeIndex?: Map<string, PNode[]>;
  private lineStarts?: number[];
  /** How many top-level statements the last build copied and reused (tests and benchmarks read it). */
  readonly stats = { copied: 0, reused: 0 };

  constructor(tree: Tree, readonly source: string, previous?: Previous) {
    // before the cursor opens: nothing else may call tree-sitter while it walks (tree-walk.ts)
    const plan = previous && this.plan(tree, previous);
    const c = openCursor(tree);
    try {
      const copier = new Copier(this, c, tree.language.types, tree.language.fields);
      this.root = plan ? this.reuse(copier, plan) : copier.subtree(null);
    } finally {
      c.close();
    }
  }

  /**
   * The copy of `tree`, the reparse of `previous.source` after `edit` (`oldTree`: the tree `previous` was
   * copied from, `edit()`ed before the reparse; `edit`: the one given to `oldTree.edit`, computed from the
   * two texts when absent). Equal to `new PTree(tree, source)`; the top-level statements outside the edit
   * and outside tree-sitter's changed ranges are taken over from `previous`, which must not be read after
   * this call (its reused nodes now belong to the new copy).
   */
  static update(previous: PTree, oldTree: Tree, tree: Tree, source: string, edit?: TextEdit): PTree {
    return new PTree(tree, source, { copy: previous, oldTree, edit });
  }

  /**
   * What `reuse` needs: the previous copy's top-level statements that may be reused, by their start in the
   * new text (closed bounds: a statement that only touches the edit is copied again), and tree-sitter's
   * changed ranges; undefined (a fresh copy) when the previous copy does not fit this tree.
   */
  private plan(tree: Tree, previous: Previous): Plan | undefined {
    const prev = previous.copy;
    if (prev === this || prev.consumed) return undefined;
    const edit = previous.edit ?? textEdit(prev.source, this.source);
    const delta = edit.newEnd - edit.oldEnd;
    if (prev.source.length + delta !== this.source.length || edit.start > edit.oldEnd || edit.start > edit.newEnd) return undefined;
    let changed: { startIndex: number; endIndex: number }[];
    try {
      changed = previous.oldTree.getChangedRanges(tree);
    } catch {
      return undefined;
    }
    const candidates = new Map<number, { node: PNode; shift: number }>();
    for (const node of prev.root.children) {
      if (node.startIndex === node.endIndex) continue;
      if (node.endIndex < edit.start) candidates.set(node.startIndex, { node, shift: 0 });
      else if (node.startIndex > edit.oldEnd) candidates.set(node.startIndex + delta, { node, shift: delta });
    }
    prev.consumed = true;
    return { prev, candidates, changed };
  }

  /**
   * Builds the root and its children, reusing the previous copy's top-level statements where the new tree
   * has the same statement (type, field, range moved by the edit) outside every changed range.
   */
  private reuse(copier: Copier, { prev, candidates, changed }: Plan): PNode {
    const c = copier.c;
    const root = copier.node(null);
    if (c.firstChild()) {
      do {
        checkBudget();
        const start = c.start();
        const old = candidates.get(start);
        if (old && old.node.endIndex + old.shift === c.end() && old.node.type === copier.type(c.typeId()) && old.node.field === copier.field()
          && !changed.some((r) => r.startIndex <= c.end() && start <= r.endIndex)) {
          this.adopt(prev, old.node, old.shift, root);
          this.stats.reused++;
        } else {
          copier.subtree(root);
          this.stats.copied++;
        }
      } while (c.nextSibling());
      c.parent();
    }
    root.last = this.nodes.length - 1;
    return root;
  }

  /** Set once `update` has taken this copy's nodes over. */
  private consumed = false;

  /** Appends the subtree of `old` (a node of `prev`) as the next child of `parent`: renumbered, moved by `shift`. */
  private adopt(prev: PTree, old: PNode, shift: number, parent: PNode): void {
    const from = old.id;
    const to = old.last;
    const offset = this.nodes.length - from;
    for (let i = from; i <= to; i++) {
      const n = prev.nodes[i];
      n.id += offset;
      n.last += offset;
      n.tree = this;
      if (shift !== 0) {
        n.startIndex += shift;
        n.endIndex += shift;
      }
      this.nodes.push(n);
    }
    old.parent = parent;
    if (parent.children === NO_CHILDREN) parent.children = [];
    old.indexInParent = parent.children.length;
    parent.children.push(old);
  }

  /** The node with an id (its pre-order number). */
  readonly byId = { get: (id: number): PNode | undefined => this.nodes[id] };

  /** tree-sitter's name for the root (`file.tree.rootNode`). */
  get rootNode(): PNode {
    return this.root;
  }

  /** Every node of a type, in pre-order. */
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

/**
 * Copies the subtree under the cursor into a PTree's node list, in pre-order. Named-ness is a property of
 * the (alias-aware) symbol: one wasm call per symbol, not per node.
 */
class Copier {
  private readonly named: boolean[] = [];

  constructor(readonly tree: PTree, readonly c: Cursor, private readonly types: string[], private readonly fields: (string | null)[]) {}

  type(typeId: number): string {
    return this.types[typeId] || 'ERROR';
  }

  /** The field name of the node under the cursor. */
  field(): string | null {
    return this.fields[this.c.fieldId()] ?? null;
  }

  /** A PNode for the node under the cursor, the next child of `parent`. */
  node(parent: PNode | null): PNode {
    const c = this.c;
    const typeId = c.typeId();
    const isNamed = this.named[typeId] ??= c.isNamed();
    const nodes = this.tree.nodes;
    const n = new PNode(this.tree, nodes.length, this.types[typeId] || 'ERROR', isNamed, parent ? this.fields[c.fieldId()] ?? null : null, c.start(), c.end());
    nodes.push(n);
    if (parent) {
      n.parent = parent;
      if (parent.children === NO_CHILDREN) parent.children = [];
      n.indexInParent = parent.children.length;
      parent.children.push(n);
    }
    return n;
  }

  /** Copies the subtree under the cursor (an iterative pre-order walk); the cursor ends where it started. */
  subtree(parent: PNode | null): PNode {
    const c = this.c;
    const nodes = this.tree.nodes;
    const top = this.node(parent);
    const parents: PNode[] = [];
    let current = top;
    for (;;) {
      if (c.firstChild()) {
        checkBudget();
        parents.push(current);
        current = this.node(current);
        continue;
      }
      current.last = nodes.length - 1;
      for (;;) {
        if (parents.length === 0) return top;
        if (c.nextSibling()) {
          checkBudget();
          current = this.node(parents[parents.length - 1]);
          break;
        }
        c.parent();
        current = parents.pop()!;
        current.last = nodes.length - 1;
      }
    }
  }
}

/** The edit between two texts: their common prefix and suffix kept. */
function textEdit(before: string, after: string): TextEdit {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < max - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  return { start, oldEnd: before.length - tail, newEnd: after.length - tail };
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}
