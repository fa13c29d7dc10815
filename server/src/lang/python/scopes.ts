import type { PNode as Node } from './tree';

/**
 * Static facts about the file, gathered in one walk: functions, classes, methods, call sites of
 * local functions, and which local functions escape (are used other than by a direct call).
 */

export const SCOPE_TYPES = new Set(['function_definition', 'class_definition', 'module']);
const NESTED_SCOPES = new Set(['function_definition', 'class_definition', 'lambda']);
const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

export interface Param {
  name: string;
  node: Node;
  kind: 'positional' | 'star' | 'kwstar' | 'keyword';
  default?: Node;
  annotation?: Node;
}

export interface ScopeInfo {
  node: Node;
  kind: 'module' | 'function' | 'class';
  /** The enclosing function/class/module scope. */
  parent?: ScopeInfo;
  /** Names bound in this scope (assigned, imported, defined, loop targets...). */
  locals: Set<string>;
  params: Param[];
  /** The class a method belongs to. */
  cls?: Node;
  /** The statements of the body. */
  body: Node[];
}

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

/** The definition node a `decorated_definition` wraps, or the node itself. */
export function definitionOf(node: Node): Node {
  if (node.type === 'decorated_definition') return node.childForFieldName('definition') ?? node;
  return node;
}

export function decoratorsOf(def: Node): Node[] {
  const p = def.parent;
  if (p?.type !== 'decorated_definition') return [];
  return p.namedChildren.filter((c): c is Node => c?.type === 'decorator');
}

/** Statements of a block-like node (tolerates ERROR nodes and single-line bodies). */
export function statementsOf(block: Node | null | undefined): Node[] {
  if (!block) return [];
  return block.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

export function buildIndex(root: Node): FileIndex {
  const idx: FileIndex = {
    functions: new Map(), classes: new Map(), methods: new Map(), callSites: new Map(), escaped: new Set(), globalsWritten: new Set(), methodCalls: new Map(),
  };
  const calls: { node: Node; cls?: Node }[] = [];
  const refs: { node: Node; cls?: Node }[] = [];
  // explicit stack (deep trees must not overflow), as three parallel arrays: no object per node
  const stack: Node[] = [root];
  const stackCls: (Node | undefined)[] = [undefined];
  const stackDepth: number[] = [0];
  while (stack.length) {
    const node = stack.pop()!;
    const cls = stackCls.pop();
    const depth = stackDepth.pop()!;
    let childCls = cls;
    switch (node.type) {
      case 'function_definition': {
        const name = node.childForFieldName('name')?.text;
        const owner = enclosingScope(node);
        if (name && owner?.type === 'module') idx.functions.set(name, node);
        if (name && owner?.type === 'class_definition') {
          if (!idx.methods.has(owner.id)) idx.methods.set(owner.id, new Map());
          idx.methods.get(owner.id)!.set(name, node);
        }
        break;
      }
      case 'class_definition': {
        const name = node.childForFieldName('name')?.text;
        if (name && enclosingScope(node)?.type === 'module') idx.classes.set(name, node);
        childCls = node;
        break;
      }
      case 'call':
        calls.push({ node, cls });
        break;
      case 'identifier':
        refs.push({ node, cls });
        break;
      case 'global_statement':
        for (const c of node.namedChildren) if (c?.type === 'identifier') idx.globalsWritten.add(c.text);
        break;
    }
    if (depth > 400) continue;
    // the named children, last first (read from `children`: no filtered copy per node)
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (!c.isNamed) continue;
      stack.push(c);
      stackCls.push(childCls);
      stackDepth.push(depth + 1);
    }
  }
  const calleeIds = new Set<number>();
  for (const { node, cls } of calls) {
    const fn = node.childForFieldName('function');
    if (!fn) continue;
    const target = resolveCallee(idx, fn, cls);
    if (!target) {
      const m = fn.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      if (m) {
        if (!idx.methodCalls.has(m)) idx.methodCalls.set(m, []);
        idx.methodCalls.get(m)!.push(node);
      }
      continue;
    }
    calleeIds.add(fn.id);
    if (fn.type === 'attribute') calleeIds.add(fn.childForFieldName('attribute')?.id ?? -1);
    if (!idx.callSites.has(target.id)) idx.callSites.set(target.id, []);
    idx.callSites.get(target.id)!.push(node);
  }
  for (const { node, cls } of refs) {
    const name = node.text;
    const p = node.parent;
    if (!p || calleeIds.has(node.id)) continue;
    if ((p.type === 'function_definition' || p.type === 'class_definition') && p.childForFieldName('name')?.id === node.id) continue;
    if (p.type === 'keyword_argument' && p.childForFieldName('name')?.id === node.id) continue;
    if (p.type === 'attribute' && p.childForFieldName('attribute')?.id === node.id) {
      const obj = p.childForFieldName('object');
      if (cls && (obj?.text === 'self' || obj?.text === 'cls')) {
        const m = idx.methods.get(cls.id)?.get(name);
        if (m) idx.escaped.add(m.id);
      }
      continue;
    }
    const f = idx.functions.get(name);
    if (f) idx.escaped.add(f.id);
  }
  return idx;
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

/** The function/class/module whose body holds `node` (default values and decorators belong outside). */
export function enclosingScope(node: Node): Node | undefined {
  let child = node;
  for (let n = node.parent; n; child = n, n = n.parent) {
    if (n.type === 'module') return n;
    if ((n.type === 'function_definition' || n.type === 'class_definition') && n.childForFieldName('body')?.id === child.id) return n;
  }
  return undefined;
}

export function parseParams(def: Node): Param[] {
  const out: Param[] = [];
  const params = def.childForFieldName('parameters');
  let keywordOnly = false;
  for (const p of params?.namedChildren ?? []) {
    if (!p) continue;
    switch (p.type) {
      case 'identifier':
        out.push({ name: p.text, node: p, kind: keywordOnly ? 'keyword' : 'positional' });
        break;
      case 'typed_parameter': {
        const id = p.namedChildren.find((c) => c?.type === 'identifier');
        const splat = p.namedChildren.find((c) => c?.type === 'list_splat_pattern' || c?.type === 'dictionary_splat_pattern');
        const annotation = p.childForFieldName('type') ?? undefined;
        if (splat) {
          const name = splat.namedChildren[0]?.text ?? '';
          out.push({ name, node: splat, kind: splat.type === 'list_splat_pattern' ? 'star' : 'kwstar', annotation });
          if (splat.type === 'list_splat_pattern') keywordOnly = true;
        } else if (id) out.push({ name: id.text, node: id, kind: keywordOnly ? 'keyword' : 'positional', annotation });
        break;
      }
      case 'default_parameter': case 'typed_default_parameter': {
        const name = p.childForFieldName('name');
        if (name) out.push({ name: name.text, node: name, kind: keywordOnly ? 'keyword' : 'positional', default: p.childForFieldName('value') ?? undefined, annotation: p.childForFieldName('type') ?? undefined });
        break;
      }
      case 'list_splat_pattern':
        out.push({ name: p.namedChildren[0]?.text ?? '', node: p, kind: 'star' });
        keywordOnly = true;
        break;
      case 'dictionary_splat_pattern':
        out.push({ name: p.namedChildren[0]?.text ?? '', node: p, kind: 'kwstar' });
        break;
      case 'keyword_separator':
        keywordOnly = true;
        break;
    }
  }
  return out;
}

/** Names a scope binds: assignment targets, loop/with targets, imports, nested definitions, walrus. */
export function collectLocals(body: Node[], params: Param[]): Set<string> {
  const locals = new Set(params.map((p) => p.name));
  const globals = new Set<string>();
  const stack = [...body];
  while (stack.length) {
    const n = stack.pop()!;
    switch (n.type) {
      case 'function_definition': case 'class_definition': {
        const name = n.childForFieldName('name');
        if (name) locals.add(name.text);
        continue; // a nested scope
      }
      case 'lambda':
        continue;
      case 'global_statement': case 'nonlocal_statement':
        for (const c of n.namedChildren) if (c?.type === 'identifier') globals.add(c.text);
        continue;
      case 'assignment': case 'augmented_assignment':
        addTargets(n.childForFieldName('left'), locals);
        break;
      case 'for_statement': case 'for_in_clause':
        if (n.type === 'for_statement') addTargets(n.childForFieldName('left'), locals);
        break;
      case 'named_expression':
        addTargets(n.childForFieldName('name'), locals);
        break;
      case 'as_pattern_target':
        addTargets(n.namedChildren[0], locals);
        break;
      case 'import_statement': case 'import_from_statement':
        continue; // imports resolve through the file's import table
    }
    if (COMPREHENSIONS.has(n.type)) {
      // comprehension targets are local to the comprehension; walrus inside still binds here
      for (const w of n.descendantsOfType('named_expression')) if (w) addTargets(w.childForFieldName('name'), locals);
      continue;
    }
    // the named children (read from `children`: no filtered copy per node); of nested scopes only
    // definitions, for their names
    for (const c of n.children) {
      if (!c.isNamed) continue;
      if (!NESTED_SCOPES.has(c.type) || c.type === 'function_definition' || c.type === 'class_definition') stack.push(c);
    }
  }
  for (const g of globals) locals.delete(g);
  return locals;
}

function addTargets(t: Node | null | undefined, out: Set<string>): void {
  if (!t) return;
  if (t.type === 'identifier') { out.add(t.text); return; }
  if (t.type === 'attribute' || t.type === 'subscript') return;
  for (const c of t.namedChildren) addTargets(c, out);
}

export function isComprehension(type: string): boolean {
  return COMPREHENSIONS.has(type);
}
