import type { PNode as Node } from './tree';
import { enclosingScope } from './scopes';

/**
 * Static facts about the file: functions, classes, methods, call sites of local functions, and which
 * local functions escape (are used other than by a direct call).
 */

export interface FileIndex {
  functions: Map<string, Node>;
  classes: Map<string, Node>;
  methods: Map<number, Map<string, Node>>;
  callSites: Map<number, Node[]>;
  escaped: Set<number>;
  globalsWritten: Set<string>;
  /** `x.m(...)` calls by method name, for methods called on instances (`repo.count(...)`). */
  methodCalls: Map<string, Node[]>;
}

/**
 * The index is built from one scan per function body (`Segment`), kept with the function's node: after an
 * edit, the functions whose subtree the tree copy took over unchanged (`PTree.update` keeps their node
 * objects) are not walked again, only the rest; the maps, keyed by the nodes' current ids, are then put
 * together from the scans in document order, as one walk of the whole tree would fill them.
 */
export function buildIndex(root: Node): FileIndex {
  const idx: FileIndex = {
    functions: new Map(), classes: new Map(), methods: new Map(), callSites: new Map(), escaped: new Set(), globalsWritten: new Set(), methodCalls: new Map(),
  };
  const top = scanSegment(root, 0, false);
  const segments: Segment[] = [];
  const classes: (Node | undefined)[] = [];
  flatten(top, undefined, segments, classes);
  // definitions first (a call resolves against the whole file's), in document order
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k];
    for (const d of seg.defs) {
      if (d.kind === 'class') idx.classes.set(d.name, d.node);
      else if (d.owner === 'module') idx.functions.set(d.name, d.node);
      else {
        const owner = d.owner;
        if (!idx.methods.has(owner.id)) idx.methods.set(owner.id, new Map());
        idx.methods.get(owner.id)!.set(d.name, d.node);
      }
    }
    for (const g of seg.globals) idx.globalsWritten.add(g);
  }
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k];
    const outer = classes[k];
    for (const c of seg.calls) {
      const cls = c.cls === OUTER ? outer : c.cls;
      let target: Node | undefined;
      if (c.attr === undefined) {
        const f = idx.functions.get(c.name!);
        if (f) target = f;
        else {
          const k2 = idx.classes.get(c.name!);
          if (k2) target = idx.methods.get(k2.id)?.get('__init__');
        }
      } else if (c.obj !== undefined) {
        if (cls && (c.obj === 'self' || c.obj === 'cls' || c.obj === 'super()')) target = idx.methods.get(cls.id)?.get(c.attr);
        else if (c.objIsName) {
          const k2 = idx.classes.get(c.obj);
          if (k2) target = idx.methods.get(k2.id)?.get(c.attr);
        }
      }
      if (!target) {
        if (c.attr !== undefined) {
          if (!idx.methodCalls.has(c.attr)) idx.methodCalls.set(c.attr, []);
          idx.methodCalls.get(c.attr)!.push(c.node);
        }
        continue;
      }
      if (!idx.callSites.has(target.id)) idx.callSites.set(target.id, []);
      idx.callSites.get(target.id)!.push(c.node);
    }
    for (const name of seg.refs) {
      const f = idx.functions.get(name);
      if (f) idx.escaped.add(f.id);
    }
    for (const [clsRef, name] of seg.selfRefs) {
      const cls = clsRef === OUTER ? outer : clsRef;
      const m = cls ? idx.methods.get(cls.id)?.get(name) : undefined;
      if (m) idx.escaped.add(m.id);
    }
  }
  // the segments list a function's calls after its parent's: back to document order (pre-order ids)
  for (const list of idx.callSites.values()) inDocumentOrder(list);
  for (const list of idx.methodCalls.values()) inDocumentOrder(list);
  return idx;
}

function inDocumentOrder(list: Node[]): void {
  for (let i = 1; i < list.length; i++) {
    if (list[i - 1].id > list[i].id) {
      list.sort((a, b) => a.id - b.id);
      return;
    }
  }
}

/** A segment's own class context: the class around the function it scans, whatever node that is now. */
const OUTER = 0;
type ClsRef = Node | undefined | typeof OUTER;

/**
 * What one walk of a subtree (a function's children, or the file without its functions' bodies) finds:
 * definitions, calls (their callee's shape), names referenced other than as a callee, `global` names, and
 * in order the segments of the functions inside (`parts`: where each one's walk continues). Calls,
 * references and nested segments name the class around the subtree `OUTER` (a method's scan stays valid
 * when its class's node is rebuilt for an edit of another method).
 */
interface Segment {
  depth: number;
  defs: ({ kind: 'class'; name: string; node: Node } | { kind: 'function'; name: string; node: Node; owner: Node | 'module' })[];
  calls: { node: Node; cls: ClsRef; name?: string; attr?: string; obj?: string; objIsName?: boolean }[];
  /** Plain names referenced (a module function used as a value escapes). */
  refs: Set<string>;
  /** `self.m` / `cls.m` references, by the class they are in. */
  selfRefs: [ClsRef, string][];
  globals: string[];
  /** The nested functions' segments and the class each runs in. */
  parts: { seg: Segment; cls: ClsRef }[];
}

const segmentCache = new WeakMap<Node, Segment>();

/** The segments in document order (definitions and calls of a function body come after its header's). */
function flatten(seg: Segment, cls: Node | undefined, out: Segment[], classes: (Node | undefined)[]): void {
  // explicit stack: a deep nest of functions must not overflow
  const stack: [Segment, Node | undefined][] = [[seg, cls]];
  while (stack.length) {
    const [s, c] = stack.pop()!;
    out.push(s);
    classes.push(c);
    for (let i = s.parts.length - 1; i >= 0; i--) {
      const p = s.parts[i];
      stack.push([p.seg, p.cls === OUTER ? c : p.cls]);
    }
  }
}

/**
 * The walk of `node`'s named descendants (the node itself too when `self`), each function's children in a
 * segment of their own, reused from the last scan when the tree copy kept the function's node (same
 * subtree, same text) at the same depth.
 */
function scanSegment(node: Node, depth: number, isFunction: boolean): Segment {
  const seg: Segment = { depth, defs: [], calls: [], refs: new Set(), selfRefs: [], globals: [], parts: [] };
  const seenSelf = new Set<string>();
  const stack: Node[] = [];
  const stackCls: ClsRef[] = [];
  const stackDepth: number[] = [];
  const pushChildren = (n: Node, cls: ClsRef, d: number): void => {
    if (d > 400) return;
    // the named children, last first (read from `children`: no filtered copy per node)
    const children = n.children;
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (!c.isNamed) continue;
      stack.push(c);
      stackCls.push(cls);
      stackDepth.push(d + 1);
    }
  };
  if (isFunction) pushChildren(node, OUTER, depth);
  else { stack.push(node); stackCls.push(undefined); stackDepth.push(depth); }
  while (stack.length) {
    const n = stack.pop()!;
    const cls = stackCls.pop()!;
    const d = stackDepth.pop()!;
    let childCls = cls;
    switch (n.type) {
      case 'function_definition': {
        const name = n.childForFieldName('name')?.text;
        const owner = enclosingScope(n);
        if (name && owner?.type === 'module') seg.defs.push({ kind: 'function', name, node: n, owner: 'module' });
        if (name && owner?.type === 'class_definition') seg.defs.push({ kind: 'function', name, node: n, owner });
        if (d > 400) continue;
        let inner = segmentCache.get(n);
        if (!inner || inner.depth !== d) segmentCache.set(n, inner = scanSegment(n, d, true));
        seg.parts.push({ seg: inner, cls });
        continue;
      }
      case 'class_definition': {
        const name = n.childForFieldName('name')?.text;
        if (name && enclosingScope(n)?.type === 'module') seg.defs.push({ kind: 'class', name, node: n });
        childCls = n;
        break;
      }
      case 'call': {
        const fn = n.childForFieldName('function');
        if (fn?.type === 'identifier') seg.calls.push({ node: n, cls, name: fn.text });
        else if (fn?.type === 'attribute') {
          const attr = fn.childForFieldName('attribute')?.text;
          const obj = fn.childForFieldName('object');
          if (attr !== undefined) seg.calls.push({ node: n, cls, attr, obj: obj?.text, objIsName: obj?.type === 'identifier' });
        }
        break;
      }
      case 'identifier':
        reference(n, cls, seg, seenSelf);
        break;
      case 'global_statement':
        for (const c of n.namedChildren) if (c?.type === 'identifier') seg.globals.push(c.text);
        break;
    }
    pushChildren(n, childCls, d);
  }
  return seg;
}

/**
 * A name used other than as a definition's name, a keyword argument's name or a callee (a callee never
 * escapes: the call resolves to the function exactly when the reference would name it).
 */
function reference(node: Node, cls: ClsRef, seg: Segment, seenSelf: Set<string>): void {
  const p = node.parent;
  if (!p) return;
  if (p.type === 'call' && p.childForFieldName('function')?.id === node.id) return;
  if ((p.type === 'function_definition' || p.type === 'class_definition') && p.childForFieldName('name')?.id === node.id) return;
  if (p.type === 'keyword_argument' && p.childForFieldName('name')?.id === node.id) return;
  if (p.type === 'attribute' && p.childForFieldName('attribute')?.id === node.id) {
    const call = p.parent;
    if (call?.type === 'call' && call.childForFieldName('function')?.id === p.id) return;
    const obj = p.childForFieldName('object');
    if (cls !== undefined && (obj?.text === 'self' || obj?.text === 'cls')) {
      if (cls !== OUTER) seg.selfRefs.push([cls, node.text]);
      else if (!seenSelf.has(node.text)) { seenSelf.add(node.text); seg.selfRefs.push([OUTER, node.text]); }
    }
    return;
  }
  seg.refs.add(node.text);
}

/** The local function, method or class a callee expression names (`f`, `self.m`, `cls.m`, `C.m`). */
export function resolveCallee(idx: FileIndex, fn: Node, cls: Node | undefined): Node | undefined {
  if (fn.type === 'identifier') {
    const f = idx.functions.get(fn.text);
    if (f) return f;
    const c = idx.classes.get(fn.text);
    if (c) return idx.methods.get(c.id)?.get('__init__');
    return undefined;
  }
  if (fn.type === 'attribute') {
    const obj = fn.childForFieldName('object');
    const attr = fn.childForFieldName('attribute')?.text;
    if (!obj || !attr) return undefined;
    if (cls && (obj.text === 'self' || obj.text === 'cls' || obj.text === 'super()')) {
      return idx.methods.get(cls.id)?.get(attr);
    }
    const c = obj.type === 'identifier' ? idx.classes.get(obj.text) : undefined;
    if (c) return idx.methods.get(c.id)?.get(attr);
  }
  return undefined;
}
