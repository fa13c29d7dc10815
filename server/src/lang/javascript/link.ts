/**
 * Parent pointers and the document-order node list of a TypeScript tree (the JS front's `nodes` and
 * `kinds`), built by one walk of a fresh tree, or, for the next version of an edited document, by reusing
 * the previous version's list for every top-level statement TypeScript's `updateSourceFile` reused whole.
 */
import ts from 'typescript';

/**
 * The node list of a tree in document (pre-)order: `nodes[i].id === i` (the root excepted),
 * `kinds[i] === nodes[i].kind`, and `ends[i]` the index after the last node of `nodes[i]`'s subtree (its
 * subtree is `nodes[i..ends[i])`), so that a pass over one function is a loop over a range, not a walk.
 */
export interface LinkedNodes { nodes: ts.Node[]; kinds: Uint16Array; ends: Int32Array }

/**
 * Sets every node's `parent` (what `createSourceFile(..., setParentNodes)` does in a walk of its own) and
 * returns the nodes in document order with their kinds. Recursive, which is fastest, down to a depth
 * where a left-nested chain (`a + b + c + ...` of thousands of terms) could overflow the stack; deeper
 * subtrees are walked with an explicit stack.
 */
export function linkNodes(root: ts.SourceFile): LinkedNodes {
  return relinkNodes(root, undefined);
}

/**
 * `linkNodes` of `root`, a tree `ts.updateSourceFile` made from the tree of `previous` (whose list this
 * takes over: `previous` is not to be used afterwards). The incremental parser reuses a top-level statement
 * whole when the edit is outside it (the same objects, positions moved in place, parents linked among
 * themselves), so those keep their runs of the list; only the other statements are walked, and spliced in
 * where the statements they replace were. Ids after a splice move when it changed the number of nodes.
 */
export function relinkNodes(root: ts.SourceFile, previous: LinkedNodes | undefined): LinkedNodes {
  const plan = previous && changedRuns(root, previous);
  if (!previous || !plan) {
    const list = new NodeList();
    list.add(root, root.kind);
    root.forEachChild(walker(list, 0, root));
    list.ends[0] = list.nodes.length;
    return list.done();
  }
  const statements = root.statements;
  for (const st of statements) (st as { parent: ts.Node }).parent = root;
  // the new statements of each run, walked into lists of their own (ids where they will be)
  let shift = 0;
  let firstMoved = -1;
  const walked = plan.map((run) => {
    const list = new NodeList();
    const base = run.from + shift;
    const visit = walker(list, base, root);
    for (let i = run.first; i < run.last; i++) visit(statements[i]);
    shift += list.nodes.length - (run.to - run.from);
    // the nodes after this run are not where they were
    if (shift !== 0 && firstMoved < 0) firstMoved = base + list.nodes.length;
    return { ...list.done(), shift };
  });
  const nodes = previous.nodes;
  let { kinds, ends } = previous;
  if (shift === 0 && firstMoved < 0) {
    plan.forEach((run, r) => {
      const w = walked[r];
      for (let i = 0; i < w.nodes.length; i++) nodes[run.from + i] = w.nodes[i];
      kinds.set(w.kinds, run.from);
      ends.set(w.ends, run.from);
    });
  } else {
    const movedKinds = new Uint16Array(kinds.length + shift);
    const movedEnds = new Int32Array(kinds.length + shift);
    let at = 0;
    let read = 0;
    let by = 0; // how far the previous list's nodes between this run and the last one moved
    const copy = (upTo: number) => {
      movedKinds.set(kinds.subarray(read, upTo), at);
      if (by === 0) movedEnds.set(ends.subarray(read, upTo), at);
      else for (let i = read; i < upTo; i++) movedEnds[at + i - read] = ends[i] + by;
      at += upTo - read;
    };
    plan.forEach((run, r) => {
      copy(run.from);
      movedKinds.set(walked[r].kinds, at);
      movedEnds.set(walked[r].ends, at);
      at += walked[r].kinds.length;
      read = run.to;
      by = walked[r].shift;
    });
    copy(kinds.length);
    kinds = movedKinds;
    ends = movedEnds;
    // from the last run back, so that the earlier runs' positions still hold
    for (let r = plan.length - 1; r >= 0; r--) {
      const list = walked[r].nodes;
      if (list.length < 20_000) nodes.splice(plan[r].from, plan[r].to - plan[r].from, ...list);
      else replaceRun(nodes, plan[r].from, plan[r].to - plan[r].from, list);
    }
    for (let i = Math.max(0, firstMoved); i < nodes.length; i++) (nodes[i] as { id?: number }).id = i;
  }
  // the new root first, the end-of-file token (a token: no children) last, in the previous ones' places
  const last = nodes.length - 1;
  nodes[0] = root;
  kinds[0] = root.kind;
  ends[0] = nodes.length;
  const eof = root.endOfFileToken;
  (eof as { parent: ts.Node }).parent = root;
  (eof as { id?: number }).id = last;
  nodes[last] = eof;
  kinds[last] = eof.kind;
  ends[last] = last + 1;
  if ((eof as { jsDoc?: ts.Node[] }).jsDoc) linkDocs(eof);
  return { nodes, kinds, ends };
}

/** Replaces `count` items at `at` with `items`, without spreading them as arguments (a large paste). */
function replaceRun(list: ts.Node[], at: number, count: number, items: ts.Node[]): void {
  const tail = list.splice(at);
  for (const n of items) list.push(n);
  for (let i = count; i < tail.length; i++) list.push(tail[i]);
}

/**
 * Where the two trees differ: runs `[from, to)` of the previous list (statements, up to the end-of-file
 * token at most) replaced by the new statements `[first, last)`, in document order. Statements the two
 * trees share are the previous tree's objects, in the same order. Undefined when the previous list does
 * not have the expected shape (then everything is walked).
 */
function changedRuns(root: ts.SourceFile, previous: LinkedNodes): { from: number; to: number; first: number; last: number }[] | undefined {
  const prevRoot = previous.nodes[0];
  if (!prevRoot || !ts.isSourceFile(prevRoot) || prevRoot === root) return undefined;
  const end = (prevRoot.endOfFileToken as { id?: number }).id;
  if (end === undefined || end !== previous.nodes.length - 1 || previous.nodes[end] !== prevRoot.endOfFileToken) return undefined;
  const olds = prevRoot.statements;
  const news = root.statements;
  const index = new Map<ts.Node, number>();
  for (let k = 0; k < olds.length; k++) index.set(olds[k], k);
  let bad = false;
  const start = (k: number): number => {
    if (k >= olds.length) return end;
    const id = (olds[k] as { id?: number }).id;
    if (id === undefined || previous.nodes[id] !== olds[k]) { bad = true; return end; }
    return id;
  };
  const runs: { from: number; to: number; first: number; last: number }[] = [];
  let j = 0; // the next statement of the previous tree
  let i = 0;
  while (i < news.length) {
    if (index.get(news[i]) === j) { i++; j++; continue; }
    // new statements up to the next one that is a later statement of the previous tree
    const first = i;
    for (let k = index.get(news[i]); i < news.length && (k === undefined || k < j); k = index.get(news[i])) i++;
    const next = i < news.length ? index.get(news[i])! : olds.length;
    runs.push({ from: start(j), to: start(next), first, last: i });
    j = next;
  }
  if (j < olds.length) runs.push({ from: start(j), to: end, first: news.length, last: news.length });
  return bad ? undefined : runs;
}

/**
 * The walk that links a subtree: each node visited gets its parent and the id `base + list.length`, and is
 * appended to `list` with its kind and the end of its subtree. Returns the visitor for the children of `top`.
 */
function walker(list: NodeList, base: number, top: ts.Node): (c: ts.Node) => undefined {
  let parent: ts.Node = top;
  let depth = 0;
  const { nodes } = list;
  const visit = (c: ts.Node): undefined => {
    (c as { parent: ts.Node }).parent = parent;
    const at = nodes.length;
    (c as { id?: number }).id = base + at;
    const kind = c.kind;
    list.add(c, kind);
    // tokens, identifiers and literals have no children
    if (kind >= ts.SyntaxKind.FirstNode) {
      if (depth > 1000) linkDeep(c, list, base);
      else {
        const saved = parent;
        parent = c;
        depth++;
        c.forEachChild(visit);
        depth--;
        parent = saved;
      }
    }
    list.ends[at] = base + nodes.length;
    if ((c as { jsDoc?: ts.Node[] }).jsDoc) linkDocs(c);
    return undefined;
  };
  return visit;
}

/** Nodes with their kinds and subtree ends, in typed arrays (cheaper to fill than arrays of numbers). */
class NodeList {
  readonly nodes: ts.Node[] = [];
  private k = new Uint16Array(1024);
  ends = new Int32Array(1024);

  add(node: ts.Node, kind: ts.SyntaxKind): void {
    const n = this.nodes.length;
    if (n === this.k.length) {
      const k = new Uint16Array(n * 2);
      k.set(this.k);
      this.k = k;
      const e = new Int32Array(n * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.nodes.push(node);
    this.k[n] = kind;
  }

  done(): LinkedNodes {
    const n = this.nodes.length;
    return { nodes: this.nodes, kinds: this.k.subarray(0, n), ends: this.ends.subarray(0, n) };
  }
}

/** `linkNodes` below `top` (already linked and listed) with an explicit stack; the subtree ends by a pass back. */
function linkDeep(top: ts.Node, list: NodeList, base: number): void {
  const { nodes } = list;
  const first = nodes.length;
  const stack: ts.Node[] = [];
  const kids: ts.Node[] = [];
  const collect = (c: ts.Node): undefined => { kids.push(c); return undefined; };
  const children = (n: ts.Node) => {
    kids.length = 0;
    n.forEachChild(collect);
    for (let i = kids.length - 1; i >= 0; i--) {
      (kids[i] as { parent: ts.Node }).parent = n;
      stack.push(kids[i]);
    }
  };
  children(top);
  while (stack.length > 0) {
    const n = stack.pop()!;
    (n as { id?: number }).id = base + nodes.length;
    const kind = n.kind;
    list.add(n, kind);
    list.ends[nodes.length - 1] = 0;
    if (kind >= ts.SyntaxKind.FirstNode) children(n);
    if ((n as { jsDoc?: ts.Node[] }).jsDoc) linkDocs(n);
  }
  // children come after their parent: from the last node back, each one's end is known before its parent's
  const ends = list.ends;
  for (let j = nodes.length - 1; j >= first; j--) {
    const end = Math.max(ends[j], base + j + 1);
    ends[j] = end;
    const p = ((nodes[j].parent as { id?: number }).id ?? -1) - base;
    if (p >= first && ends[p] < end) ends[p] = end;
  }
}

function linkDocs(n: ts.Node): void {
  for (const d of (n as { jsDoc?: ts.Node[] }).jsDoc ?? []) linkJsDoc(d, n);
}

function linkJsDoc(node: ts.Node, parent: ts.Node): void {
  (node as { parent: ts.Node }).parent = parent;
  node.forEachChild((c) => { linkJsDoc(c, node); });
}
