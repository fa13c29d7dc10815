/**
 * The pieces an incremental analysis caches results for: the top-level statements of a Python or
 * JS/TS file ("units"), each with the names it binds at module level and the names it mentions, and
 * the closure that decides which units an edit makes stale.
 *
 * A unit's findings may depend on the units it mentions (callees' summaries, module constants, imports:
 * "down") and on the units that mention it (callers' arguments, route registrations: "up"), so a unit is
 * stale when a changed unit lies in Down*(Up*(unit)): computed the other way round, from the changed
 * units, in two linear passes (`staleUnits`): the ancestors of the changed units (who mentions them,
 * transitively), then everything those mention, transitively.
 */
import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import type { JsFile } from '../lang/javascript/front';

/** What a unit binds and mentions (by the unit's text: cached across versions). */
export interface UnitNames {
  /** Names the unit binds at module level (declarations, imports, top-level assignment targets). */
  bound: string[];
  /** Identifiers that are written to anywhere in the unit (a function assigning a module variable). */
  assigned: string[];
  /** Every identifier the unit mentions, except the names its own declarations introduce. */
  refs: string[];
  /**
   * Names whose definers the unit's findings depend on without the unit passing them anything (a method
   * reading what another method of its class stores in `self`, or inheriting from a class): the unit is
   * stale when a definer changed or is stale, but being stale does not make the definers stale (see
   * `staleUnits`).
   */
  uses?: string[];
}

const PY_SCOPES = new Set(['function_definition', 'class_definition', 'lambda']);

/**
 * Python: one top-level node of the module. `skip`: the subtrees left out (a class's methods, which are
 * units of their own: see `pythonClassMembers`); the names they bind and mention are not the unit's.
 */
export function pythonUnitNames(unit: Node, skip: readonly Node[] = []): UnitNames {
  const outside = (n: Node | null): n is Node => !!n && !skip.some((m) => n.id >= m.id && n.id <= m.last);
  const bound = new Set<string>();
  const assigned = new Set<string>();
  const declSites = new Set<number>();
  const def = unit.type === 'decorated_definition' ? unit.childForFieldName('definition') : unit;
  const addIds = (n: Node | null, to: Set<string>) => {
    if (!n) return;
    if (n.type === 'identifier') to.add(n.text);
    else for (const id of n.descendantsOfType('identifier')) if (id) to.add(id.text);
  };
  for (const d of unit.descendantsOfType(['function_definition', 'class_definition'])) {
    const name = d?.childForFieldName('name');
    if (name && outside(d)) declSites.add(name.startIndex);
  }
  if (def && (def.type === 'function_definition' || def.type === 'class_definition')) {
    addIds(def.childForFieldName('name'), bound);
    if (def.type === 'class_definition') {
      // methods and class-level attributes: `obj.method()` elsewhere mentions them
      for (const child of def.childForFieldName('body')?.namedChildren ?? []) {
        const member = child?.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
        if (!outside(child)) continue;
        if (member?.type === 'function_definition' || member?.type === 'class_definition') addIds(member.childForFieldName('name'), bound);
        else if (member?.type === 'expression_statement') {
          for (const a of member.namedChildren) if (a?.type === 'assignment') addIds(a.childForFieldName('left'), bound);
        }
      }
    }
  } else if (unit.type === 'import_statement' || unit.type === 'import_from_statement' || unit.type === 'future_import_statement') {
    addIds(unit, bound);
  } else {
    // module-level code: what it binds outside any function or class inside it
    for (const n of unit.descendantsOfType(['assignment', 'augmented_assignment', 'for_statement', 'for_in_clause', 'as_pattern', 'named_expression',
      'function_definition', 'class_definition', 'import_statement', 'import_from_statement'])) {
      if (!n || insidePyScope(n, unit)) continue;
      if (n.type === 'function_definition' || n.type === 'class_definition') addIds(n.childForFieldName('name'), bound);
      else if (n.type === 'import_statement' || n.type === 'import_from_statement') addIds(n, bound);
      else if (n.type === 'as_pattern') addIds(n.childForFieldName('alias'), bound);
      else if (n.type === 'named_expression') addIds(n.childForFieldName('name'), bound);
      else addIds(n.childForFieldName('left'), bound);
    }
  }
  // what the unit may change outside itself: names declared `global`, and containers and objects written
  // through (`CACHE[k] = v`, `obj.attr = v`); a plain `name = v` in a function binds a local
  for (const n of unit.descendantsOfType(['assignment', 'augmented_assignment', 'global_statement', 'delete_statement'])) {
    if (!outside(n)) continue;
    if (n.type === 'global_statement' || n.type === 'delete_statement') { addIds(n, assigned); continue; }
    const left = n.childForFieldName('left');
    if (!left) continue;
    const through = left.type === 'subscript' || left.type === 'attribute' ? [left] : left.descendantsOfType(['subscript', 'attribute']);
    for (const t of through) addIds(t, assigned);
  }
  const refs = new Set<string>();
  // an import mentions modules, not the file's names (and a changed import changes the file's imports: every
  // unit runs again, engine/session.ts)
  if (PY_IMPORTS.has(unit.type)) return { bound: [...bound], assigned: [...assigned], refs: [] };
  for (const id of unit.type === 'identifier' ? [unit] : unit.descendantsOfType('identifier')) {
    if (outside(id) && !declSites.has(id.startIndex)) refs.add(id.text);
  }
  return { bound: [...bound], assigned: [...assigned], refs: [...refs] };
}

const PY_IMPORTS = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);

/**
 * The methods of a top-level class (`unit`: the class or its decorated definition), each a unit of its own:
 * the children of the class body that are function definitions, decorated or not. Empty for anything else.
 */
export function pythonClassMembers(unit: Node): Node[] {
  const cls = unit.type === 'decorated_definition' ? unit.childForFieldName('definition') : unit;
  if (cls?.type !== 'class_definition') return [];
  const out: Node[] = [];
  for (const child of cls.childForFieldName('body')?.namedChildren ?? []) {
    const def = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (def?.type === 'function_definition') out.push(child);
  }
  return out;
}

/**
 * A method of class `className` (whose bases are named `bases`) as a unit.
 * - It binds its own name (`obj.name(...)` and `self.name(...)` mention it); a constructor or other dunder
 *   method (`__init__`, `__call__`, `__enter__`...) is reached through the class itself (`Model(arg)`), so it
 *   binds the class name too: a unit calling `Model(...)` passes it arguments.
 * - It binds `Class.attr` for each attribute it writes (`self.attr = ...`), and uses `Class.attr` and
 *   `Base.attr` for each attribute it mentions: the data flow joins what the class's methods store in `self`.
 * - It uses its bases' names: a change of a base class's shell or constructor runs it again.
 */
export function pythonMethodNames(member: Node, className: string, bases: readonly string[]): UnitNames {
  const names = pythonUnitNames(member);
  const bound = new Set(names.bound);
  for (const n of member.descendantsOfType(['assignment', 'augmented_assignment'])) {
    const left = n?.childForFieldName('left');
    const attr = left?.type === 'attribute' ? left.childForFieldName('attribute') : undefined;
    if (attr) bound.add(`\u0003${className}.${attr.text}`);
  }
  const def = member.type === 'decorated_definition' ? member.childForFieldName('definition') : member;
  const name = def?.childForFieldName('name')?.text ?? '';
  if (name.startsWith('__') && name.endsWith('__')) bound.add(className);
  const uses = new Set<string>(bases);
  for (const a of member.descendantsOfType('attribute')) {
    const attr = a?.childForFieldName('attribute')?.text;
    if (!attr) continue;
    for (const k of [className, ...bases]) uses.add(`\u0003${k}.${attr}`);
  }
  return { bound: [...bound], assigned: names.assigned, refs: names.refs, uses: [...uses] };
}

/** The names a class's bases end in (`models.Model` -> `Model`), without keyword arguments (`metaclass=`). */
export function pythonClassBases(unit: Node): string[] {
  const cls = unit.type === 'decorated_definition' ? unit.childForFieldName('definition') : unit;
  const out: string[] = [];
  for (const b of cls?.childForFieldName('superclasses')?.namedChildren ?? []) {
    if (b.type === 'identifier') out.push(b.text);
    else if (b.type === 'attribute') { const a = b.childForFieldName('attribute'); if (a) out.push(a.text); }
  }
  return out;
}

function insidePyScope(n: Node, unit: Node): boolean {
  for (let p = n.parent; p && p.startIndex >= unit.startIndex && p.id !== unit.id; p = p.parent) {
    if (PY_SCOPES.has(p.type)) return true;
  }
  return false;
}

const K = ts.SyntaxKind;

/** JS/TS: one top-level statement, whose nodes are `file.nodes[from..to)` (document order). */
export function jsUnitNames(file: JsFile, stmt: ts.Statement, from: number, to: number): UnitNames {
  const bound = new Set<string>();
  const assigned = new Set<string>();
  const refs = new Set<string>();
  const { nodes, kinds } = file;
  const ids = (n: ts.Node | undefined, to: Set<string>) => {
    if (!n) return;
    if (ts.isIdentifier(n)) { to.add(n.text); return; }
    n.forEachChild((c) => { ids(c, to); });
  };
  const named = stmt as ts.Node as { name?: ts.Node };
  if (ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)
    || ts.isEnumDeclaration(stmt) || ts.isModuleDeclaration(stmt)) {
    ids(named.name, bound);
    if (ts.isClassDeclaration(stmt)) for (const m of stmt.members) if (m.name && ts.isIdentifier(m.name)) bound.add(m.name.text);
  } else if (ts.isImportDeclaration(stmt) || ts.isImportEqualsDeclaration(stmt)) {
    ids(stmt, bound);
  }
  for (let i = from; i < to; i++) {
    const k = kinds[i];
    const n = nodes[i];
    if (k === K.Identifier) {
      const p = n.parent as ts.Node & { name?: ts.Node };
      if (p?.name === n && isDeclarationSite(p)) continue;
      refs.add((n as ts.Identifier).text);
    } else if (k === K.BinaryExpression) {
      const b = n as ts.BinaryExpression;
      const op = b.operatorToken.kind;
      if (op >= K.FirstAssignment && op <= K.LastAssignment) {
        ids(b.left, assigned);
        if (!insideJsFunction(n, stmt)) ids(b.left, bound);
      }
    } else if (k === K.PrefixUnaryExpression || k === K.PostfixUnaryExpression) {
      const u = n as ts.PrefixUnaryExpression;
      if (u.operator === K.PlusPlusToken || u.operator === K.MinusMinusToken) ids(u.operand, assigned);
    } else if (k === K.VariableDeclaration || k === K.FunctionDeclaration || k === K.ClassDeclaration) {
      // module-level bindings inside top-level blocks (`if`, `try`, `export const`)
      if (!insideJsFunction(n, stmt)) ids((n as ts.VariableDeclaration).name, bound);
    } else if (k === K.ImportDeclaration || k === K.ImportEqualsDeclaration) {
      ids(n, bound);
    }
  }
  return { bound: [...bound], assigned: [...assigned], refs: [...refs] };
}

function isDeclarationSite(p: ts.Node): boolean {
  switch (p.kind) {
    case K.FunctionDeclaration: case K.ClassDeclaration: case K.MethodDeclaration: case K.PropertyDeclaration:
    case K.GetAccessor: case K.SetAccessor: case K.InterfaceDeclaration: case K.TypeAliasDeclaration:
    case K.EnumDeclaration: case K.PropertySignature: case K.MethodSignature:
      return true;
    default:
      return false;
  }
}

function insideJsFunction(n: ts.Node, stmt: ts.Node): boolean {
  for (let p = n.parent; p && p !== stmt.parent; p = p.parent) if (ts.isFunctionLike(p)) return true;
  return false;
}

/**
 * The units to analyze again: `changed` are units new in this version (their text was not there before),
 * `lost` the names units of the previous version bound and mentioned that are gone with them.
 * A unit U is stale when some W mentions (transitively) both U and a changed unit.
 */
export function staleUnits(names: UnitNames[], changed: number[], lost: { bound: Set<string>; refs: Set<string> }): boolean[] {
  const n = names.length;
  const top = new Set<string>();
  for (const u of names) for (const b of u.bound) top.add(b);
  const definers = new Map<string, number[]>();
  const mentioners = new Map<string, number[]>();
  const defs: string[][] = names.map((u) => {
    const d = new Set(u.bound);
    for (const a of u.assigned) if (top.has(a)) d.add(a);
    return [...d];
  });
  defs.forEach((d, i) => { for (const name of d) (definers.get(name) ?? definers.set(name, []).get(name)!).push(i); });
  const users = new Map<string, number[]>();
  names.forEach((u, i) => {
    for (const name of u.refs) (mentioners.get(name) ?? mentioners.set(name, []).get(name)!).push(i);
    for (const name of u.uses ?? []) {
      (mentioners.get(name) ?? mentioners.set(name, []).get(name)!).push(i);
      (users.get(name) ?? users.set(name, []).get(name)!).push(i);
    }
  });
  // W is an "ancestor" of X when W mentions (transitively) a name X defines
  const ancestor = new Array<boolean>(n).fill(false);
  const queue: number[] = [];
  const push = (i: number) => { if (!ancestor[i]) { ancestor[i] = true; queue.push(i); } };
  for (const i of changed) push(i);
  // the units that mentioned what a removed unit bound, and those whose names it mentioned (it called them)
  for (const name of lost.bound) for (const i of mentioners.get(name) ?? []) push(i);
  for (let q = 0; q < queue.length; q++) {
    for (const name of defs[queue[q]]) for (const i of mentioners.get(name) ?? []) push(i);
  }
  // stale: everything an ancestor mentions, transitively
  const stale = new Array<boolean>(n).fill(false);
  const down: number[] = [];
  for (let i = 0; i < n; i++) if (ancestor[i]) { stale[i] = true; down.push(i); }
  // what a removed unit mentioned (it called them: their parameters may have had its arguments)
  for (const name of lost.refs) for (const i of definers.get(name) ?? []) if (!stale[i]) { stale[i] = true; down.push(i); }
  for (let q = 0; q < down.length; q++) {
    for (const name of names[down[q]].refs) {
      for (const i of definers.get(name) ?? []) if (!stale[i]) { stale[i] = true; down.push(i); }
    }
    // what a stale unit defines may hold other values now: the units that use it
    if (users.size === 0) continue;
    for (const name of defs[down[q]]) {
      for (const i of users.get(name) ?? []) if (!stale[i]) { stale[i] = true; down.push(i); }
    }
  }
  return stale;
}

/**
 * Whitespace-only edits. Two versions whose changed span holds the same non-whitespace characters differ
 * in the whitespace runs between them: these runs, as offsets of the new version (or undefined when the
 * edit changed anything else, or is too large to compare).
 */
export function whitespaceRuns(before: string, after: string, span: { start: number; oldEnd: number; newEnd: number }): [number, number][] | undefined {
  const { start, oldEnd, newEnd } = span;
  if (oldEnd - start > MAX_WHITESPACE_SPAN || newEnd - start > MAX_WHITESPACE_SPAN) return undefined;
  // widen to the whitespace around the span: the runs are compared whole
  let from = start;
  while (from > 0 && isSpace(after.charCodeAt(from - 1))) from--;
  let i = from;
  let j = from;
  const iEnd = extendSpace(before, oldEnd);
  const jEnd = extendSpace(after, newEnd);
  const runs: [number, number][] = [];
  while (i < iEnd || j < jEnd) {
    const i0 = i;
    const j0 = j;
    while (i < iEnd && isSpace(before.charCodeAt(i))) i++;
    while (j < jEnd && isSpace(after.charCodeAt(j))) j++;
    if (before.slice(i0, i) !== after.slice(j0, j)) runs.push([j0, j]);
    if (i >= iEnd || j >= jEnd) { if (i < iEnd || j < jEnd) return undefined; break; }
    if (before.charCodeAt(i) !== after.charCodeAt(j)) return undefined;
    i++;
    j++;
  }
  return runs;
}

const MAX_WHITESPACE_SPAN = 20000;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
}

function extendSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/**
 * Statements and blocks: whitespace inside them but outside any smaller node changes no expression's
 * text (no message or data path quotes them), only positions. A run inside a string, a comment, an
 * expression or a simple statement is not quiet (`"a  b"`, `f( x )`).
 */
const PY_QUIET_CONTAINERS = new Set(['module', 'block', 'class_definition', 'function_definition', 'decorated_definition', 'if_statement',
  'elif_clause', 'else_clause', 'for_statement', 'while_statement', 'try_statement', 'except_clause', 'except_group_clause',
  'finally_clause', 'with_statement', 'match_statement', 'case_clause']);

/**
 * True when the innermost node around each whitespace run of the new version is a statement or block, or
 * the text of a bare string statement (a docstring: no value holds it, no other unit reads it).
 */
export function pythonQuietRuns(root: Node, runs: readonly [number, number][]): boolean {
  for (const [a, b] of runs) {
    let n = root;
    for (let depth = 0; depth < 2000; depth++) {
      // the child whose text holds the run: it starts before the run's end and ends after its start
      const child = n.children.find((c) => c.startIndex < b && c.endIndex > a);
      if (!child) break;
      n = child;
    }
    if (!PY_QUIET_CONTAINERS.has(n.type) && !inBareString(n)) return false;
  }
  return true;
}

function inBareString(n: Node): boolean {
  let p: Node | null = n;
  while (p && (p.type === 'string_content' || p.type === 'string' || p.type === 'concatenated_string')) p = p.parent;
  return p !== n && p?.type === 'expression_statement' && p.namedChildren.length === 1 && (p.parent?.type === 'block' || p.parent?.type === 'module');
}

/**
 * The shape of a unit: its nodes' types, fields and child counts in pre-order and the text of its leaves
 * without whitespace, as a 64-bit hash (two 32-bit FNV-style hashes). Equal shapes: the same syntax,
 * whatever the whitespace; only meaningful together with `pythonQuietRuns` (which whitespace changed).
 */
export function pythonShape(nodes: readonly Node[], ranges: readonly [number, number][]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  let count = 0;
  const add = (s: string) => {
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (isSpace(c)) continue;
      h1 = Math.imul(h1 ^ c, 16777619);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    h1 = Math.imul(h1 ^ 0xff, 16777619);
    h2 = Math.imul(h2 ^ 0xff, 0x5bd1e995) ^ (h2 >>> 15);
  };
  for (const [from, to] of ranges) {
    for (let i = from; i <= to; i++) {
      const n = nodes[i];
      count++;
      add(n.type);
      add(n.field ?? '');
      add(String(n.children.length));
      if (n.children.length === 0) add(n.text);
    }
  }
  return `${(h1 >>> 0).toString(36)}.${(h2 >>> 0).toString(36)}.${count}`;
}
