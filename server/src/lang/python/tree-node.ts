import type { PTree } from './tree';

/**
 * A plain-JavaScript copy of the syntax tree, built once per file with one cursor walk.
 * web-tree-sitter's `Node` crosses into wasm and allocates on every property read; the front, the
 * data flow and the rules' Python detectors read the tree many times, so they all work on this copy.
 * The API mirrors the subset of `Node` they use (every child, named or not, is copied); `id` is the
 * node's pre-order number in this copy (unique in the file, stable for the same text).
 *
 * After an edit, `PTree.update` builds the copy of the new tree from the previous copy (tree-build.ts): the
 * subtrees tree-sitter reparsed to the same structure keep their PNodes (renumbered, moved and handed to
 * the new copy), only the path to the edit is copied again. `id`, `last`, the positions and the links are
 * therefore written after construction, by the builders in tree-build.ts only.
 */
export const NO_CHILDREN: PNode[] = [];

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
    /** Holds the copy this node belongs to: shared by a copy and the copies `PTree.update` makes from it. */
    readonly home: Home,
    /** Pre-order number (the index in `tree.nodes`). */
    public id: number,
    readonly type: string,
    readonly isNamed: boolean,
    readonly field: string | null,
    public startIndex: number,
    public endIndex: number,
  ) {}

  /** The copy this node belongs to (a node reused by `PTree.update` belongs to the new copy). */
  get tree(): PTree {
    return this.home.tree;
  }

  get text(): string {
    return this.home.tree.source.slice(this.startIndex, this.endIndex);
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

/**
 * The one object every node of a copy points to for its copy: `update` hands the previous copy's nodes to
 * the new copy by changing `tree` here once, not on every node.
 */
export class Home {
  constructor(public tree: PTree) {}
}
