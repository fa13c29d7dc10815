import type { PNode as Node } from './tree';
import type { PyFile } from './front';

/**
 * Options dictionaries and keyword arguments as a model: what each key holds, wherever it was written.
 * `jwt.decode(t, k, options=opts)` after `opts = {"verify_signature": False}`, `set_cookie(**kwargs)` from a
 * dict, `{**base, "secure": False}`, `dict(secure=False)` and `opts["key"] = v` in the same function all give
 * one model. A part the file cannot see (an unknown `**splat`, a parameter, `opts.update(x)`) makes it `open`:
 * a key it does not list is then unknown, never a finding.
 */
export interface PyOption {
  key: string;
  /** The expression the key holds, as written. */
  value: Node;
  /** Where the key is set (a pair, a keyword argument or `opts["k"] = v`): the range to report. */
  at: Node;
  /** True when `at` is a keyword argument of the call itself (fixes may edit it in place). */
  inCall?: boolean;
}

export interface PyOptions {
  keys: Map<string, PyOption>;
  open: boolean;
}

const MAX_DEPTH = 6;
const MAX_NODES = 20_000;
const NESTED = new Set(['function_definition', 'class_definition', 'lambda']);

/**
 * The expression a name holds at `node`: the right-hand side of its one assignment before `node` in the
 * enclosing function (or, for a name the function never assigns, in the module), followed through names
 * holding names; a name with no such assignment (a parameter, an import, a class) is returned as it is.
 */
export function pyResolve(file: PyFile, node: Node | null | undefined): Node | undefined {
  let n: Node | null | undefined = node;
  for (let i = 0; n && n.type === 'identifier' && i < MAX_DEPTH; i++) {
    const def = assignmentOf(n);
    if (!def) return n;
    n = def.childForFieldName('right');
  }
  while (n && n.type === 'parenthesized_expression' && n.namedChildCount === 1) n = n.namedChild(0);
  return n ?? undefined;
}

/** The one `name = ...` that reaches `use` (in its function, else in the module when the function never binds it). */
function assignmentOf(use: Node): Node | undefined {
  const name = use.text;
  for (let scope = enclosingScope(use); scope; scope = scope.type === 'module' ? undefined : moduleOf(scope)) {
    if (scope.type === 'function_definition') {
      const ps = scope.childForFieldName('parameters');
      if (ps?.descendantsOfType('identifier').some((p) => p?.text === name)) return undefined;
    }
    const plain: Node[] = [];
    let other = false;
    const complete = walk(scope, (n) => {
      if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        if (left?.type === 'identifier') { if (left.text === name) plain.push(n); return; }
        if (left && left.type !== 'subscript' && left.type !== 'attribute' && bindsName(left, name)) other = true;
      } else if (n.type === 'augmented_assignment' || n.type === 'for_statement' || n.type === 'with_item'
        || n.type === 'for_in_clause' || n.type === 'named_expression' || n.type === 'global_statement'
        || n.type === 'nonlocal_statement' || n.type === 'import_from_statement' || n.type === 'import_statement') {
        const target = n.childForFieldName('left') ?? n.childForFieldName('name') ?? n;
        if (bindsName(target, name)) other = true;
      }
    });
    if (!complete || other) return undefined;
    if (plain.length === 0) { if (scope.type === 'module') return undefined; continue; }
    const before = plain.filter((a) => a.startIndex < use.startIndex);
    return before.length === 1 ? before[0] : undefined;
  }
  return undefined;
}

function bindsName(target: Node, name: string): boolean {
  if (target.type === 'identifier') return target.text === name;
  return target.descendantsOfType('identifier').some((x) => x?.text === name && x.parent?.type !== 'attribute');
}

function enclosingScope(n: Node): Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition' || p.type === 'module') return p;
  return undefined;
}

function moduleOf(n: Node): Node | undefined {
  let p: Node | null = n;
  while (p && p.type !== 'module') p = p.parent;
  return p ?? undefined;
}

/** Visits a scope's nodes without entering nested functions, classes or lambdas; false when over the bound. */
function walk(scope: Node, visit: (n: Node) => void): boolean {
  const body = scope.type === 'module' ? scope : scope.childForFieldName('body');
  if (!body) return true;
  const stack: Node[] = [body];
  let count = 0;
  while (stack.length) {
    const n = stack.pop()!;
    if (++count > MAX_NODES) return false;
    if (n !== body && NESTED.has(n.type)) continue;
    visit(n);
    for (let i = n.namedChildCount - 1; i >= 0; i--) { const c = n.namedChild(i); if (c) stack.push(c); }
  }
  return true;
}

/** The options model of an expression (a dict, `dict(...)`, or a name holding one); undefined otherwise. */
export function pyOptions(file: PyFile, node: Node | null | undefined, depth = 0): PyOptions | undefined {
  if (!node || depth > MAX_DEPTH) return undefined;
  const target = node.type === 'identifier' ? pyResolve(file, node) : node;
  if (!target) return undefined;
  let model: PyOptions | undefined;
  if (target.type === 'dictionary') model = fromDict(file, target, depth);
  else if (target.type === 'call' && target.childForFieldName('function')?.text === 'dict') model = keywords(file, target, depth, false);
  if (!model) return undefined;
  if (node.type === 'identifier') addStores(file, node, target, model);
  return model;
}

/** A call's keyword arguments as a model, `**kwargs` dictionaries merged in (open when one is unknown). */
export function pyCallOptions(file: PyFile, call: Node): PyOptions {
  return keywords(file, call, 0, true);
}

function keywords(file: PyFile, call: Node, depth: number, inCall: boolean): PyOptions {
  const model: PyOptions = { keys: new Map(), open: false };
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a) continue;
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      const value = a.childForFieldName('value');
      if (name && value) model.keys.set(name, inCall ? { key: name, value, at: a, inCall: true } : { key: name, value, at: a });
    } else if (a.type === 'dictionary_splat') merge(model, pyOptions(file, a.namedChild(0), depth + 1));
    else if (a.type === 'list_splat' && !inCall) model.open = true;
  }
  return model;
}

function merge(model: PyOptions, base: PyOptions | undefined): void {
  if (!base) { model.open = true; return; }
  if (base.open) model.open = true;
  for (const [k, v] of base.keys) model.keys.set(k, v);
}

function stringKey(file: PyFile, key: Node | null): string | undefined {
  if (!key || key.type !== 'string') return undefined;
  let out = '';
  for (const c of key.namedChildren) {
    if (!c || c.type === 'string_start' || c.type === 'string_end') continue;
    if (c.type !== 'string_content') return file.stringValue(key);
    out += c.text;
  }
  return out;
}

function fromDict(file: PyFile, dict: Node, depth: number): PyOptions {
  const model: PyOptions = { keys: new Map(), open: false };
  for (const p of dict.namedChildren) {
    if (!p || p.type === 'comment') continue;
    if (p.type === 'dictionary_splat') { merge(model, pyOptions(file, p.namedChild(0), depth + 1)); continue; }
    if (p.type !== 'pair') { model.open = true; continue; }
    const key = stringKey(file, p.childForFieldName('key'));
    const value = p.childForFieldName('value');
    if (key === undefined || !value) { model.open = true; continue; }
    model.keys.set(key, { key, value, at: p });
  }
  return model;
}

/** `name["k"] = v` between the definition and the read; `name.update(...)`/`setdefault` or passing it along opens the model. */
function addStores(file: PyFile, use: Node, def: Node, model: PyOptions): void {
  const scope = enclosingScope(use);
  if (!scope) return;
  const name = use.text;
  walk(scope, (n) => {
    if (n.startIndex <= def.endIndex || n.startIndex >= use.startIndex) return;
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      if (left?.type !== 'subscript' || left.childForFieldName('value')?.text !== name) return;
      const sub = left.childForFieldName('subscript');
      const key = stringKey(file, sub);
      const value = n.childForFieldName('right');
      if (key === undefined || !value) { model.open = true; return; }
      model.keys.set(key, { key, value, at: n });
    } else if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('object')?.text === name) {
        const m = fn.childForFieldName('attribute')?.text;
        if (m === 'update' || m === 'setdefault' || m === '__setitem__') model.open = true;
      }
    }
  });
}
