import type { PNode as Node } from './tree';

/**
 * Scopes of a Python file: definitions and their decorators, block statements, parameters and the names a
 * scope binds (the file-wide index of functions, classes and call sites: file-index.ts).
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
