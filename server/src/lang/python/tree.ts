import type { Tree } from 'web-tree-sitter';
import { checkBudget } from '../../engine/budget';

/**
 * A plain-JavaScript copy of the syntax tree, built once per file with one cursor walk.
 * web-tree-sitter's `Node` crosses into wasm and allocates on every property read; the data flow
 * reads the tree many times, so it works on this copy. The API mirrors the subset of `Node` it uses,
 * and `id` equals the tree-sitter node id, so rules can hand in tree-sitter nodes.
 */
export class PNode {
  parent: PNode | null = null;
  readonly children: PNode[] = [];
  private named?: PNode[];

  constructor(
    readonly tree: PTree,
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

  descendantsOfType(type: string): PNode[] {
    const out: PNode[] = [];
    const stack: PNode[] = [this];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === type) out.push(n);
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    }
    return out;
  }
}

export class PTree {
  readonly byId = new Map<number, PNode>();
  readonly root: PNode;
  private lineStarts?: number[];

  constructor(tree: Tree, readonly source: string) {
    const c = tree.walk();
    const make = (parent: PNode | null, field: string | null): PNode => {
      const n = new PNode(this, c.nodeId, c.nodeType, c.nodeIsNamed, field, c.startIndex, c.endIndex);
      n.parent = parent;
      this.byId.set(n.id, n);
      return n;
    };
    this.root = make(null, null);
    // iterative pre-order walk; punctuation and keywords without a field are not copied
    const parents: PNode[] = [];
    let current: PNode | undefined = this.root;
    const visit = () => {
      checkBudget();
      const parent = parents[parents.length - 1];
      const field = c.currentFieldName;
      if (!c.nodeIsNamed && !field) { current = undefined; return; }
      current = make(parent, field);
      parent.children.push(current);
    };
    try {
      for (;;) {
        if (current && c.gotoFirstChild()) {
          parents.push(current);
          visit();
          continue;
        }
        for (;;) {
          if (c.gotoNextSibling()) { visit(); break; }
          if (!c.gotoParent()) return;
          parents.pop();
        }
      }
    } finally {
      c.delete();
    }
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
