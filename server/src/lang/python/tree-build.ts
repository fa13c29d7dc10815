import { checkBudget } from '../../engine/budget';
import type { Cursor } from './tree-walk';
import { NO_CHILDREN, PNode, type Home } from './tree-node';

/** An edit in UTF-16 code units, as given to tree-sitter's `tree.edit`: [start, oldEnd) became [start, newEnd). */
export interface TextEdit { start: number; oldEnd: number; newEnd: number }

/** An update's inputs: the previous copy's parts, the edit, tree-sitter's changed ranges (new text). */
export interface Plan {
  prev: { root: PNode; nodes: PNode[]; home: Home; byTypeIndex?: Map<string, PNode[]> };
  edit: TextEdit;
  changed: { startIndex: number; endIndex: number }[];
}

/** Deeper than this, `update` copies the rest of the path to the edit instead of descending further. */
const MAX_REUSE_DEPTH = 200;

/**
 * Copies the subtree under the cursor into a PTree's node list, in pre-order. Named-ness is a property of
 * the (alias-aware) symbol: one wasm call per symbol, not per node.
 */
export class Copier {
  private readonly named: boolean[] = [];
  /** The next pre-order number (an update advances it past the subtrees it takes over). */
  count = 0;

  /** `out`: where the copied nodes go, in pre-order (a fresh copy's node list; an update's copied nodes). */
  constructor(readonly out: PNode[], private readonly home: Home, readonly c: Cursor, private readonly types: string[],
    private readonly fields: (string | null)[]) {}

  type(typeId: number): string {
    return this.types[typeId] || 'ERROR';
  }

  /** The field name of the node under the cursor. */
  field(): string | null {
    return this.fields[this.c.fieldId()] ?? null;
  }

  /** A PNode for the node under the cursor, the next child of `parent`. */
  node(parent: PNode | null): PNode {
    const n = this.make(parent);
    if (parent) {
      if (parent.children === NO_CHILDREN) parent.children = [];
      n.indexInParent = parent.children.length;
      parent.children.push(n);
    }
    return n;
  }

  /** A PNode for the node under the cursor, not yet in `parent`'s children. */
  private make(parent: PNode | null): PNode {
    const c = this.c;
    const typeId = c.typeId();
    const isNamed = this.named[typeId] ??= c.isNamed();
    const n = new PNode(this.home, this.count++, this.types[typeId] || 'ERROR', isNamed, parent ? this.fields[c.fieldId()] ?? null : null, c.start(), c.end());
    n.parent = parent;
    this.out.push(n);
    return n;
  }

  /**
   * Copies the subtree under the cursor (an iterative pre-order walk); the cursor ends where it started.
   * The children of a node gather on one stack and get their own array, of their exact size, when the
   * node is done (an array grown by pushes holds room for 17: most of a copy's memory, and of its GC).
   */
  subtree(parent: PNode | null): PNode {
    const c = this.c;
    const top = this.node(parent);
    const open: PNode[] = [];
    const marks: number[] = [];
    const kids: PNode[] = [];
    let count = 0;
    let current = top;
    for (;;) {
      if (c.firstChild()) {
        checkBudget();
        open.push(current);
        marks.push(count);
        current = this.make(current);
        kids[count++] = current;
        continue;
      }
      current.last = this.count - 1;
      for (;;) {
        if (open.length === 0) return top;
        const mark = marks[marks.length - 1];
        if (c.nextSibling()) {
          checkBudget();
          current = this.make(open[open.length - 1]);
          current.indexInParent = count - mark;
          kids[count++] = current;
          break;
        }
        c.parent();
        marks.pop();
        current = open.pop()!;
        current.children = kids.slice(mark, count);
        count = mark;
        current.last = this.count - 1;
      }
    }
  }
}

/** The edit between two texts: their common prefix and suffix kept. */
export function textEdit(before: string, after: string): TextEdit {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < max - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  return { start, oldEnd: before.length - tail, newEnd: after.length - tail };
}

/**
 * The build of an updated copy (`PTree.update`): walks the new tree from the root down the path to the
 * edit, taking over from the previous copy every subtree tree-sitter kept (see `node`).
 */
export class Rebuild {
  /** The previous ids of the subtrees taken over, as [first, last] pairs, in order. */
  private readonly adopted: number[] = [];

  constructor(private readonly copier: Copier, private readonly plan: Plan) {}

  /**
   * Builds the node under the cursor, whose counterpart in the previous copy is `old` (same type, same
   * start), and its children: a child the previous copy has unchanged (same type, field and range moved by
   * the edit, clear of the edit and of every changed range, closed bounds) is taken over with its subtree;
   * a child with a counterpart that the edit reaches is rebuilt the same way; any other is copied.
   */
  node(parent: PNode | null, old: PNode, depth: number): PNode {
    const { edit, changed } = this.plan;
    const delta = edit.newEnd - edit.oldEnd;
    const copier = this.copier;
    const c = copier.c;
    const n = copier.node(parent);
    if (c.firstChild()) {
      // the previous children by their start in the new text
      const before = new Map<number, PNode>();
      for (const o of old.children) {
        if (o.startIndex === o.endIndex) continue;
        if (o.startIndex < edit.start) before.set(o.startIndex, o);
        else if (o.startIndex > edit.oldEnd) before.set(o.startIndex + delta, o);
      }
      do {
        checkBudget();
        const start = c.start();
        const o = before.get(start);
        if (!o || o.type !== copier.type(c.typeId())) {
          copier.subtree(n);
          continue;
        }
        before.delete(start); // each previous node is taken over or rebuilt at most once
        const end = c.end();
        const shift = start < edit.start ? 0 : delta;
        if (o.endIndex + shift === end && (end < edit.start || start > edit.newEnd) && o.field === copier.field()
          && !changed.some((r) => r.startIndex <= end && start <= r.endIndex)) {
          this.adopted.push(o.id, o.last);
          this.adopt(o, shift, n);
        } else if (o.children.length > 0 && depth < MAX_REUSE_DEPTH) this.node(n, o, depth + 1);
        else copier.subtree(n);
      } while (c.nextSibling());
      c.parent();
    }
    n.last = copier.count - 1;
    return n;
  }

  /** Appends the subtree of `old` (a node of `prev`) as the next child of `parent`: renumbered, moved by `shift`. */
  private adopt(old: PNode, shift: number, parent: PNode): void {
    const from = old.id;
    const to = old.last;
    const offset = this.copier.count - from;
    const previous = this.plan.prev.nodes;
    if (offset !== 0 || shift !== 0) {
      for (let i = from; i <= to; i++) {
        const n = previous[i];
        n.id += offset;
        n.last += offset;
        n.startIndex += shift;
        n.endIndex += shift;
      }
    }
    this.copier.count += to - from + 1;
    old.parent = parent;
    if (parent.children === NO_CHILDREN) parent.children = [];
    old.indexInParent = parent.children.length;
    parent.children.push(old);
  }

  /**
   * The node list of the updated copy (the subtrees taken over and the copied nodes, by their new ids) and,
   * when the previous copy had built it, its type index: the previous lists without the nodes not taken
   * over (marked with id -1 here), merged with the copied nodes in pre-order; a list neither loses nor
   * gains a node for a small edit, and is kept as it is. Arrays are allocated at their size (a growing
   * array of 100,000 nodes costs more than the rest of the update).
   */
  finish(): { nodes: PNode[]; index?: Map<string, PNode[]> } {
    const prev = this.plan.prev;
    const adopted = this.adopted;
    const copied = this.copier.out;
    const nodes = new Array<PNode>(this.copier.count);
    for (const n of copied) nodes[n.id] = n;
    for (let k = 0; k < adopted.length; k += 2) {
      const from = adopted[k];
      const offset = prev.nodes[from].id - from;
      for (let i = from, to = adopted[k + 1]; i <= to; i++) nodes[i + offset] = prev.nodes[i];
    }
    const index = prev.byTypeIndex;
    if (!index) return { nodes };
    // the nodes not taken over, marked, and the types that lose one
    const lose = new Set<string>();
    let next = 0;
    for (let k = 0; k <= adopted.length; k += 2) {
      const until = k < adopted.length ? adopted[k] : prev.nodes.length;
      for (let i = next; i < until; i++) {
        const n = prev.nodes[i];
        n.id = -1;
        lose.add(n.type);
      }
      if (k < adopted.length) next = adopted[k + 1] + 1;
    }
    const gain = new Map<string, PNode[]>();
    for (const n of copied) {
      const list = gain.get(n.type);
      if (list) list.push(n);
      else gain.set(n.type, [n]);
    }
    const out = new Map<string, PNode[]>();
    for (const [type, list] of index) {
      const add = gain.get(type);
      if (!add && !lose.has(type)) {
        out.set(type, list);
        continue;
      }
      const merged = new Array<PNode>(list.length + (add?.length ?? 0));
      let m = 0;
      let j = 0;
      for (const n of list) {
        if (n.id < 0) continue;
        if (add) while (j < add.length && add[j].id < n.id) merged[m++] = add[j++];
        merged[m++] = n;
      }
      if (add) while (j < add.length) merged[m++] = add[j++];
      merged.length = m;
      if (m) out.set(type, merged);
    }
    for (const [type, list] of gain) if (!index.has(type)) out.set(type, list);
    return { nodes, index: out };
  }
}
