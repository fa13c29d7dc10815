/**
 * Parent pointers and the document-order node list of a TypeScript tree (the JS front's `nodes` and
 * `kinds`), built by one walk of a fresh tree, or, for the next version of an edited document, by reusing
 * the previous version's list for every top-level statement TypeScript's `updateSourceFile` reused whole.
 */
import ts from 'typescript';

/** The node list of a tree: `nodes[i].id === i` (the root excepted), `kinds[i] === nodes[i].kind`. */
export interface LinkedNodes { nodes: ts.Node[]; kinds: Uint16Array }

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
    const nodes: ts.Node[] = [root];
    const kinds = new KindList(root.kind);
    root.forEachChild(walker(nodes, kinds, 0, root));
    return { nodes, kinds: kinds.done() };
  }
  const statements = root.statements;
  for (const st of statements) (st as { parent: ts.Node }).parent = root;
  // the new statements of each run, walked into lists of their own (ids where they will be)
  let shift = 0;
  let firstMoved = -1;
  const walked = plan.map((run) => {
    const list: ts.Node[] = [];
    const kinds = new KindList();
    const base = run.from + shift;
    const visit = walker(list, kinds, base, root);
    for (let i = run.first; i < run.last; i++) visit(statements[i]);
    shift += list.length - (run.to - run.from);
    // the nodes after this run are not where they were
    if (shift !== 0 && firstMoved < 0) firstMoved = base + list.length;
    return { list, kinds: kinds.done() };
  });
  const nodes = previous.nodes;
  let kinds = previous.kinds;
  if (shift === 0 && firstMoved < 0) {
    plan.forEach((run, r) => {
      const { list } = walked[r];
      for (let i = 0; i < list.length; i++) nodes[run.from + i] = list[i];
      kinds.set(walked[r].kinds, run.from);
    });
  } else {
    const moved = new Uint16Array(kinds.length + shift);
    let at = 0;
    let read = 0;
    plan.forEach((run, r) => {
      moved.set(kinds.subarray(read, run.from), at);
      at += run.from - read;
      moved.set(walked[r].kinds, at);
      at += walked[r].kinds.length;
      read = run.to;
    });
    moved.set(kinds.subarray(read), at);
    kinds = moved;
    // from the last run back, so that the earlier runs' positions still hold
    for (let r = plan.length - 1; r >= 0; r--) {
      const { list } = walked[r];
      if (list.length < 20_000) nodes.splice(plan[r].from, plan[r].to - plan[r].from, ...list);
      else replaceRun(nodes, plan[r].from, plan[r].to - plan[r].from, list);
    }
    for (let i = Math.max(0, firstMoved); i < nodes.length; i++) (nodes[i] as { id?: number }).id = i;
  }
  // the new root first, the end-of-file token (a token: no children) last, in the previous ones' places
  nodes[0] = root;
  kinds[0] = root.kind;
  const eof = root.endOfFileToken;
  const last = nodes.length - 1;
  (eof as { parent: ts.Node }).parent = root;
  (eof as { id?: number }).id = last;
  nodes[last] = eof;
  kinds[last] = eof.kind;
  if ((eof as { jsDoc?: ts.Node[] }).jsDoc) linkDocs(eof);
  return { nodes, kinds };
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
 * appended to `list` (and its kind to `kinds`). Returns the visitor for the children of `top`.
 */
function walker(nodes: ts.Node[], kinds: KindList, base: number, top: ts.Node): (c: ts.Node) => undefined {
  let parent: ts.Node = top;
  let depth = 0;
  const visit = (c: ts.Node): undefined => {
    (c as { parent: ts.Node }).parent = parent;
    (c as { id?: number }).id = base + nodes.length;
    const kind = c.kind;
    nodes.push(c);
    kinds.push(kind);
    // tokens, identifiers and literals have no children
    if (kind >= ts.SyntaxKind.FirstNode) {
      if (depth > 1000) linkDeep(c, nodes, kinds, base);
      else {
        const saved = parent;
        parent = c;
        depth++;
        c.forEachChild(visit);
        depth--;
        parent = saved;
      }
    }
    if ((c as { jsDoc?: ts.Node[] }).jsDoc) linkDocs(c);
    return undefined;
  };
  return visit;
}

/** A growing list of node kinds in a typed array (cheaper to fill than an array of numbers). */
class KindList {
  private a = new Uint16Array(4096);
  private n = 0;

  constructor(first?: ts.SyntaxKind) {
    if (first !== undefined) this.push(first);
  }

  push(kind: ts.SyntaxKind): void {
    if (this.n === this.a.length) {
      const bigger = new Uint16Array(this.n * 2);
      bigger.set(this.a);
      this.a = bigger;
    }
    this.a[this.n++] = kind;
  }

  done(): Uint16Array {
    return this.a.subarray(0, this.n);
  }
}

/** `linkNodes` below `top` (already linked and listed) with an explicit stack. */
function linkDeep(top: ts.Node, nodes: ts.Node[], kinds: KindList, base: number): void {
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
    nodes.push(n);
    kinds.push(kind);
    if (kind >= ts.SyntaxKind.FirstNode) children(n);
    if ((n as { jsDoc?: ts.Node[] }).jsDoc) linkDocs(n);
  }
}

function linkDocs(n: ts.Node): void {
  for (const d of (n as { jsDoc?: ts.Node[] }).jsDoc ?? []) linkJsDoc(d, n);
}

function linkJsDoc(node: ts.Node, parent: ts.Node): void {
  (node as { parent: ts.Node }).parent = parent;
  node.forEachChild((c) => { linkJsDoc(c, node); });
}
