import type { Tree } from 'web-tree-sitter';
import { checkBudget } from '../../engine/budget';
import { openCursor } from './tree-walk';

/**
 * A plain-JavaScript copy of the syntax tree, built once per file with one cursor walk.
 * web-tree-sitter's `Node` crosses into wasm and allocates on every property read; the front, the
 * data flow and the rules' Python detectors read the tree many times, so they all work on this copy.
 * The API mirrors the subset of `Node` they use (every child, named or not, is copied); `id` is the
 * node's pre-order number in this copy (unique in the file, stable for the same text).
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
    readonly tree: PTree,
    /** Pre-order number (the index in `tree.nodes`). */
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
    readonly field: string | null,
    readonly startIndex: number,
    readonly endIndex: number,
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

export class PTree {
  readonly root: PNode;
  /** Every node in pre-order (the rules' dispatch walks this); `nodes[id]` is the node with that id. */
  readonly nodes: PNode[] = [];
  private readonly byType = new Map<string, PNode[]>();
  private lineStarts?: number[];

  constructor(tree: Tree, readonly source: string) {
    const c = openCursor(tree);
    const nodes = this.nodes;
    const byType = this.byType;
    const { types, fields } = tree.language;
    // named-ness is a property of the (alias-aware) symbol: one wasm call per symbol, not per node
    const named: boolean[] = [];
    const make = (parent: PNode | null): PNode => {
      const typeId = c.typeId();
      const type = types[typeId] || 'ERROR';
      const isNamed = named[typeId] ??= c.isNamed();
      const field = parent ? fields[c.fieldId()] ?? null : null;
      const n = new PNode(this, nodes.length, type, isNamed, field, c.start(), c.end());
      n.parent = parent;
      nodes.push(n);
      const list = byType.get(type);
      if (list) list.push(n);
      else byType.set(type, [n]);
      return n;
    };
    this.root = make(null);
    // iterative pre-order walk
    const parents: PNode[] = [];
    let current: PNode = this.root;
    const visit = () => {
      checkBudget();
      const parent = parents[parents.length - 1];
      current = make(parent);
      if (parent.children === NO_CHILDREN) parent.children = [];
      current.indexInParent = parent.children.length;
      parent.children.push(current);
    };
    try {
      for (;;) {
        if (c.firstChild()) {
          parents.push(current);
          visit();
          continue;
        }
        current.last = nodes.length - 1;
        for (;;) {
          if (c.nextSibling()) { visit(); break; }
          if (!c.parent()) return;
          current = parents.pop()!;
          current.last = nodes.length - 1;
        }
      }
    } finally {
      c.close();
      this.root.last = nodes.length - 1;
    }
  }

  /** The node with an id (its pre-order number). */
  readonly byId = { get: (id: number): PNode | undefined => this.nodes[id] };

  /** tree-sitter's name for the root (`file.tree.rootNode`). */
  get rootNode(): PNode {
    return this.root;
  }

  /** Every node of a type, in pre-order. */
  ofType(type: string): PNode[] {
    return this.byType.get(type) ?? [];
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
