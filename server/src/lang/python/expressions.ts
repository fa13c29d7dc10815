import type { PNode as Node } from './tree';
import type { Frame } from './dataflow';
import { MutEnv } from './env';
import { binaryLit, compareLit, decodeContent, parseNumber, percentFormat, pyRepr, stringMethod, strFormat, truthy } from './fold';
import { resolveCallee } from './file-index';
import { frameworkClass } from './handlers';
import {
  AIOHTTP_REQUEST, CONSTANT_NAMES, TORNADO_METHODS, TORNADO_REQUEST, isRequestObject, MUTATORS, PASS_THROUGH, REQUEST_ATTRIBUTES, REQUEST_METHODS, SAFE_RESULT_METHODS, SANITIZERS,
  SOURCE_CALLS, SOURCE_NAMES, STRING_METHODS, ENVIRONMENT_READS,
} from './sources';
import {
  ALL_SINKS, clear, constant, HOLE, container, elementsOf, hasLit, join, keyed, plain, pyStr, step, tainted, unknown, UNKNOWN,
  type Lit, type PV,
} from './values';

/** The value of an expression in a frame. Walrus targets are bound in the frame as a side effect. */
export function evalExpression(n: Node, f: Frame, depth = 0): PV {
  if (depth > 150) return UNKNOWN;
  // leaves first: most expressions evaluated are names and literals, which need no closure over the frame
  switch (n.type) {
    case 'string': return evalString(n, f, depth);
    case 'integer': case 'float': {
      const v = parseNumber(n.text);
      return v === undefined ? constant() : constant(v);
    }
    case 'true': return constant(true);
    case 'false': return constant(false);
    case 'none': return constant(null);
    case 'ellipsis': case 'slice': return constant();
    case 'identifier': return lookup(n.text, f, n);
  }
  const ev = (c: Node | null | undefined): PV => (c ? evalExpression(c, f, depth + 1) : UNKNOWN);
  switch (n.type) {
    case 'concatenated_string': return concat(n.namedChildren.filter((c): c is Node => !!c && c.type === 'string').map(ev));
    case 'parenthesized_expression': case 'await': case 'type': case 'expression_statement':
      return ev(n.namedChildren.find((c) => c?.type !== 'comment'));
    case 'attribute': return evalAttribute(n, f, ev);
    case 'subscript': return evalSubscript(n, f, ev);
    case 'call': return evalCall(n, f, ev);
    case 'binary_operator': return evalBinary(n, f, depth);
    case 'unary_operator': {
      const v = ev(n.childForFieldName('argument'));
      const op = n.childForFieldName('operator')?.text ?? n.child(0)?.text;
      if (hasLit(v) && typeof v.lit === 'number') return constant(op === '-' ? -v.lit : op === '~' ? ~v.lit : v.lit);
      return v.kind === 'constant' ? constant() : unknown(undefined, ALL_SINKS);
    }
    case 'not_operator': {
      const t = truthy(ev(n.childForFieldName('argument')));
      return t === undefined ? unknown(undefined, ALL_SINKS) : constant(!t);
    }
    case 'boolean_operator': {
      const a = ev(n.childForFieldName('left'));
      const op = n.childForFieldName('operator')?.text;
      const t = truthy(a);
      if (op === 'or' && t === true) return a;
      if (op === 'and' && t === false) return a;
      const b = ev(n.childForFieldName('right'));
      if (t !== undefined) return b;
      return join(a, b);
    }
    case 'comparison_operator': return evalComparison(n, ev);
    case 'conditional_expression': {
      const [body, cond, orelse] = n.namedChildren;
      const t = truthy(ev(cond));
      if (t === true) return ev(body);
      if (t === false) return ev(orelse);
      return join(ev(body), ev(orelse));
    }
    case 'list': case 'tuple': case 'set': case 'expression_list': case 'pattern_list': case 'tuple_pattern': case 'list_pattern': {
      const elems = new Map<string, PV>();
      let rest: PV | undefined;
      let i = 0;
      for (const c of n.namedChildren) {
        if (!c || c.type === 'comment') continue;
        if (c.type === 'list_splat' || c.type === 'list_splat_pattern') { rest = join(rest, iterElement(ev(c.namedChildren[0]))); continue; }
        elems.set(String(i++), ev(c));
      }
      return container(elems, !rest, rest);
    }
    case 'dictionary': {
      const elems = new Map<string, PV>();
      let rest: PV | undefined;
      for (const c of n.namedChildren) {
        if (!c) continue;
        if (c.type === 'pair') {
          const k = ev(c.childForFieldName('key'));
          const v = ev(c.childForFieldName('value'));
          if (hasLit(k)) elems.set(pyStr(k.lit), v);
          else rest = join(rest, join(v, k));
        } else if (c.type === 'dictionary_splat') {
          const d = ev(c.namedChildren[0]);
          if (d.elems) for (const [k, v] of d.elems) elems.set(k, v);
          rest = d.elems ? (d.rest ? join(rest, d.rest) : rest) : join(rest, d);
        }
      }
      return container(elems, false, rest);
    }
    case 'list_comprehension': case 'set_comprehension': case 'generator_expression': case 'dictionary_comprehension': {
      const inner: Frame = { ...f, env: new MutEnv(f.env.freeze()) };
      f.flow.enter(n, n.namedChildren[0]!, inner);
      const body = n.childForFieldName('body') ?? n.namedChildren[0];
      let v: PV;
      if (body?.type === 'pair') v = join(evalExpression(body.childForFieldName('value')!, inner, depth + 1), evalExpression(body.childForFieldName('key')!, inner, depth + 1));
      else v = body ? evalExpression(body, inner, depth + 1) : UNKNOWN;
      return container(new Map(), false, v);
    }
    case 'named_expression': {
      const v = ev(n.childForFieldName('value'));
      bindTarget(n.childForFieldName('name'), v, f);
      return v;
    }
    case 'assignment': return ev(n.childForFieldName('right'));
    case 'lambda': return { kind: 'unknown', def: n };
    case 'keyword_argument': return ev(n.childForFieldName('value'));
    case 'list_splat': case 'dictionary_splat': return ev(n.namedChildren[0]);
    default: return UNKNOWN;
  }
}

/** Strings, including f-strings: constant when every interpolation is. */
function evalString(n: Node, f: Frame, depth: number): PV {
  const start = n.child(0);
  const prefix = start?.type === 'string_start' ? start.text.replace(/['"]+$/, '').toLowerCase() : '';
  const raw = prefix.includes('r');
  const fstr = prefix.includes('f');
  const parts: PV[] = [];
  for (const c of n.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_content') parts.push(constant(decodeContent(c.text, raw, fstr)));
    else if (c.type === 'interpolation') parts.push(interpolation(c, f, depth));
  }
  return concat(parts);
}

function interpolation(c: Node, f: Frame, depth: number): PV {
  const expr = c.childForFieldName('expression');
  const v = expr ? evalExpression(expr, f, depth + 1) : UNKNOWN;
  const conv = c.childForFieldName('type_conversion')?.text;
  const spec = c.childForFieldName('format_specifier');
  const debug = c.children.some((x) => x?.type === '=');
  if (v.kind !== 'constant') {
    if (spec) for (const fe of spec.namedChildren) if (fe?.type === 'format_expression') evalExpression(fe.namedChildren[0]!, f, depth + 1);
    return plain(v);
  }
  if (!hasLit(v) || (spec && spec.text !== ':') || debug) return constant();
  return constant(conv === '!r' ? pyRepr(v.lit) : pyStr(v.lit));
}

/** String concatenation of parts: the folded text when every part is known. */
export function concat(parts: PV[]): PV {
  if (parts.every((p) => hasLit(p))) return constant(parts.map((p) => pyStr(p.lit!)).join(''));
  parts = quotedParts(parts);
  let out: PV = constant();
  for (const p of parts) out = join(out, plain(p));
  if (out.kind === 'constant') return constant();
  out = { ...out, built: true, template: parts.map((p) => (hasLit(p) ? pyStr(p.lit) : p.template ?? HOLE)).join('').slice(0, 4000) };
  return out;
}

/**
 * Parts proved free of a quote (`if "'" in name: abort()`) that sit inside a literal opened by that quote
 * (`"//user[@name='" + name + "']"`) cannot close it: cleared for XPath. The text before them must be known.
 */
function quotedParts(parts: PV[]): PV[] {
  if (!parts.some((p) => p.noChars)) return parts;
  let quote: string | undefined = '';
  return parts.map((p) => {
    if (hasLit(p) || (p.kind === 'constant' && p.template === undefined && p.value !== undefined)) {
      if (quote !== undefined) quote = quoteState(pyStr(hasLit(p) ? p.lit : p.value!), quote);
      return p;
    }
    const inside = quote;
    quote = p.template !== undefined && !p.template.includes(HOLE) && quote !== undefined ? quoteState(p.template, quote) : undefined;
    return inside && p.noChars?.includes(inside) ? clear(p, ['xpath']) : p;
  });
}

/** The quote a literal is open with after `text` (`''` when none), starting from `open`. */
function quoteState(text: string, open: string): string {
  let q = open;
  for (const ch of text) {
    if (q === '' && (ch === "'" || ch === '"')) q = ch;
    else if (q !== '' && ch === q) q = '';
  }
  return q;
}

function evalBinary(n: Node, f: Frame, depth: number): PV {
  // left-deep chains (`a + b + c + ...`) are walked iteratively
  const chain: Node[] = [];
  let left: Node = n;
  while (left.type === 'binary_operator' && chain.length < 10_000) {
    chain.push(left);
    const l = left.childForFieldName('left');
    if (!l) break;
    left = l;
  }
  let acc = evalExpression(left, f, depth + 1);
  for (let i = chain.length - 1; i >= 0; i--) {
    const node = chain[i];
    const op = node.childForFieldName('operator')?.text ?? '';
    const right = node.childForFieldName('right');
    acc = binary(op, acc, right ? evalExpression(right, f, depth + 1) : UNKNOWN);
  }
  return acc;
}

export function binary(op: string, a: PV, b: PV): PV {
  if (hasLit(a) && typeof a.lit === 'string' && op === '%') {
    if (b.kind === 'constant') {
      const positional = b.seq && b.elems ? [...b.elems.values()] : b.elems ? undefined : [b];
      const named = b.elems && !b.seq ? b.elems : undefined;
      if ((positional ?? []).every((p) => hasLit(p)) && (!named || [...named.values()].every((p) => hasLit(p)))) {
        const s = percentFormat(a.lit, positional?.map((p) => p.lit!), named ? new Map([...named].map(([k, v]) => [k, v.lit!])) : undefined);
        if (s !== undefined) return constant(s);
      }
      return constant();
    }
    // conversions: flags and width share no character and a key is bounded, so the patterns stay linear
    const template = a.lit.replace(/%%|%(\([^)]{0,256}\))?[-+ #0]*([1-9]\d*|\*)?(\.\d+)?[a-zA-Z]/g, (m) => (m === '%%' ? '%' : HOLE));
    // `%d`, `%f`, `%x`... format numbers: those arguments cannot carry text into the result
    const convs = [...a.lit.matchAll(/%(\(([^)]{0,256})\))?[-+ #0]*([1-9]\d*|\*)?(\.\d+)?([a-zA-Z%])/g)].filter((m) => m[5] !== '%');
    const numeric = (m: RegExpMatchArray | undefined) => !!m && /^[dixXeEfFgGoc]$/.test(m[5]);
    // a value proved free of the quote that opens the literal it goes into (see quotedParts)
    const fmt = a.lit;
    const quoted = (v: PV, m: RegExpMatchArray | undefined): PV => {
      if (!v.noChars || !m || m.index === undefined) return v;
      const q = quoteState(fmt.slice(0, m.index), '');
      return q && v.noChars.includes(q) ? clear(v, ['xpath']) : v;
    };
    let parts: PV[];
    if (b.seq && b.elems) parts = [...b.elems.values()].map((v, i) => (numeric(convs[i]) ? clear(v, ALL_SINKS) : quoted(v, convs[i])));
    else if (b.elems && !b.seq) parts = [...b.elems].map(([k, v]) => (numeric(convs.find((m) => m[2] === k)) ? clear(v, ALL_SINKS) : v)).concat(b.rest ? [b.rest] : []);
    else parts = [convs.length === 1 && numeric(convs[0]) ? clear(b, ALL_SINKS) : convs.length === 1 ? quoted(b, convs[0]) : b];
    const out = parts.reduce<PV>((acc, p) => join(acc, plain(p)), constant());
    return out.kind === 'constant' ? constant() : { ...out, built: true, template };
  }
  if (op === '+' && (isText(a) || isText(b))) return concat([a, b]);
  if (hasLit(a) && hasLit(b)) {
    const r = binaryLit(op, a.lit, b.lit);
    if (r !== undefined) return constant(r);
    return constant();
  }
  if (op === '+' && a.seq && b.seq && a.elems && b.elems) {
    const elems = new Map(a.elems);
    for (const v of b.elems.values()) elems.set(String(elems.size), v);
    return container(elems, true);
  }
  if (op === '+' || op === '%' || op === '|' || op === '&' || op === '^' || op === '*') {
    if (a.kind === 'constant' && b.kind === 'constant') return constant();
    if (a.elems || b.elems) return container(new Map(), false, join(elementsOrSelf(a), elementsOrSelf(b)));
    return join(plain(a), plain(b));
  }
  if (a.kind === 'constant' && b.kind === 'constant') return constant();
  return unknown(undefined, ALL_SINKS);
}

function isText(v: PV): boolean {
  return (hasLit(v) && typeof v.lit === 'string') || v.template !== undefined;
}

function elementsOrSelf(v: PV): PV {
  return v.elems ? elementsOf(v) : v;
}

function evalComparison(n: Node, ev: (c: Node | null | undefined) => PV): PV {
  const operands = n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const values = operands.map(ev);
  let result: boolean | undefined = true;
  for (let i = 0; i + 1 < operands.length; i++) {
    const op = n.text.slice(operands[i].endIndex - n.startIndex, operands[i + 1].startIndex - n.startIndex).trim().replace(/\s+/g, ' ');
    const a = values[i];
    const b = values[i + 1];
    let r: boolean | undefined;
    if (hasLit(a) && hasLit(b)) r = compareLit(op, a.lit, b.lit);
    else if ((op === 'in' || op === 'not in') && hasLit(a) && b.kind === 'constant' && b.elems && !b.rest) {
      const found = [...b.elems.entries()].some(([k, v]) => (b.seq ? hasLit(v) && v.lit === a.lit : k === pyStr(a.lit)));
      const allKnown = b.seq ? [...b.elems.values()].every((v) => hasLit(v)) : true;
      r = allKnown ? (op === 'in' ? found : !found) : undefined;
    }
    if (r === undefined) { result = undefined; break; }
    if (!r) { result = false; break; }
  }
  if (result !== undefined) return constant(result);
  return values.every((v) => v.kind === 'constant') ? constant() : unknown(undefined, ALL_SINKS);
}

/** What iterating over a value yields. */
export function iterElement(v: PV): PV {
  if (v.elems) return elementsOf(v);
  if (v.kind === 'constant') return constant();
  return plain(v);
}

// ---- names ----

/** A dotted path for a bindable target: `x`, `self.x`. */
export function pathOf(n: Node | null | undefined): string | undefined {
  if (!n) return undefined;
  if (n.type === 'identifier') return n.text;
  if (n.type === 'attribute') {
    const obj = n.childForFieldName('object');
    const attr = n.childForFieldName('attribute');
    if (obj?.type === 'identifier' && attr) return `${obj.text}.${attr.text}`;
  }
  return undefined;
}

/** An attribute binding remembers the object it was stored on, so rebinding the object forgets it. */
type Owned = PV & { owner?: PV };

export function lookup(name: string, f: Frame, at?: Node): PV {
  const v = f.env.get(name);
  if (v) return v;
  if (f.info.locals.has(name) && f.info.kind !== 'class') return UNKNOWN;
  return outerLookup(name, f, at);
}

function outerLookup(name: string, f: Frame, at?: Node): PV {
  const flow = f.flow;
  let child = f.info;
  for (let s = f.info.parent; s; child = s, s = s.parent) {
    if (s.kind === 'class') continue;
    if (s.kind === 'function' && !s.locals.has(name)) continue;
    let v = s.kind === 'module' ? flow.moduleValue(name, child.node) : flow.envIn(s.node, child.node)?.get(name);
    if (s.kind === 'module' && v && flow.idx.globalsWritten.has(name)) v = join(v, UNKNOWN);
    if (v) return v;
    if (s.kind === 'function') return UNKNOWN;
  }
  const q = f.flow.file.imports.get(name);
  if (q && f.flow.buildTooling && (SOURCE_NAMES[q] || ENVIRONMENT_READS.has(q))) return unknown(q, ALL_SINKS);
  if (q) return SOURCE_NAMES[q] ? tainted({ description: SOURCE_NAMES[q], line: at?.startPosition.row ?? 0 }, true) : unknown(q);
  const fn = flow.idx.functions.get(name) ?? flow.idx.classes.get(name);
  if (fn) return { kind: 'unknown', def: fn, origin: name };
  return UNKNOWN;
}

/** True when a name is not bound by the code (so it is an import or a builtin). */
function isFree(root: Node, f: Frame): boolean {
  if (root.type !== 'identifier') return false;
  const name = root.text;
  if (f.env.get(name)) return false;
  for (let s: Frame['info'] | undefined = f.info; s; s = s.parent) {
    if (s.kind === 'class' && s !== f.info) continue;
    if (s.locals.has(name)) return false;
  }
  return true;
}

function rootOf(n: Node): Node {
  let r = n;
  while (r.type === 'attribute') r = r.childForFieldName('object') ?? r;
  return r;
}

/** The qualified name of a callee or attribute when its root is an import (`yaml.load`) or a builtin (`eval`). */
export function qualifiedIn(n: Node, f: Frame): string | undefined {
  const root = rootOf(n);
  if (!isFree(root, f)) return undefined;
  const q = f.flow.file.qualifiedName(n);
  if (q) return q;
  if (n.type === 'identifier' && !f.flow.idx.functions.has(n.text) && !f.flow.idx.classes.has(n.text)) return n.text;
  return undefined;
}

function compact(text: string): string {
  const t = text.replace(/\s+/g, ' ');
  return t.length > 60 ? t.slice(0, 57) + '...' : t;
}

function evalAttribute(n: Node, f: Frame, ev: (c: Node | null | undefined) => PV): PV {
  const path = pathOf(n);
  if (path) {
    const owned = f.env.get(path) as Owned | undefined;
    if (owned && owned.owner === f.env.get(path.slice(0, path.indexOf('.')))) return owned;
  }
  const attr = n.childForFieldName('attribute')?.text ?? '';
  const q = qualifiedIn(n, f);
  if (q && f.flow.buildTooling && (SOURCE_NAMES[q] || ENVIRONMENT_READS.has(q))) return unknown(q, ALL_SINKS);
  if (q && SOURCE_NAMES[q]) return tainted({ description: SOURCE_NAMES[q], line: n.startPosition.row }, true);
  if (q && CONSTANT_NAMES[q] !== undefined) return constant(CONSTANT_NAMES[q]);
  const obj = ev(n.childForFieldName('object'));
  if (obj.def?.type === 'class_definition') return handlerAttribute(f, obj.def, attr) ?? f.flow.classAttribute(obj.def, attr);
  if (isRequestObject(obj.origin)) {
    if (REQUEST_ATTRIBUTES.has(attr)) {
      const t = tainted({ description: compact(n.text), line: n.startPosition.row }, true);
      // Tornado keeps the request line as sent: percent-encoded, so no line break can be in it
      return obj.origin === TORNADO_REQUEST && RAW_REQUEST_LINE.has(attr) ? clear(t, ['log', 'header']) : t;
    }
    return unknown(`${obj.origin}.${attr}`);
  }
  if (obj.kind === 'tainted') return plain(obj);
  if (q) return unknown(q);
  if (obj.kind === 'unknown' && obj.cleared?.length === ALL_SINKS.length) return obj;
  return unknown(obj.origin ? `${obj.origin}.${attr}` : undefined);
}

function evalSubscript(n: Node, f: Frame, ev: (c: Node | null | undefined) => PV): PV {
  const obj = ev(n.childForFieldName('value'));
  const keyNode = n.childForFieldName('subscript');
  const key = ev(keyNode);
  if (obj.srcObj && obj.kind === 'tainted') return tainted({ description: compact(n.text), line: n.startPosition.row });
  if (keyNode?.type === 'slice') {
    if (obj.elems) return container(new Map(), false, elementsOf(obj));
    return obj.kind === 'constant' ? constant() : plain(obj);
  }
  if (obj.elems) return element(obj, key);
  if (obj.kind === 'constant') {
    if (hasLit(obj) && typeof obj.lit === 'string' && hasLit(key) && typeof key.lit === 'number') {
      const i = key.lit < 0 ? obj.lit.length + key.lit : key.lit;
      return i >= 0 && i < obj.lit.length ? constant(obj.lit[i]) : constant();
    }
    return constant();
  }
  return plain(obj);
}

/** A container's element under a key (the join of all elements when the key is not known). */
export function element(obj: PV, key: PV): PV {
  if (!obj.elems) return obj.kind === 'constant' ? constant() : plain(obj);
  if (hasLit(key)) {
    let k = pyStr(key.lit);
    if (obj.seq && typeof key.lit === 'number' && key.lit < 0) k = String(obj.elems.size + key.lit);
    const e = obj.elems.get(k);
    if (e) return obj.rest ? join(e, obj.rest) : e;
    if (obj.dflt) return obj.rest ? join(obj.rest, obj.dflt) : obj.dflt;
    if (obj.rest) return obj.rest;
  }
  return elementsOf(obj);
}

// ---- calls ----

function argNodes(call: Node): { positional: Node[]; keywords: Map<string, Node>; all: Node[] } {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  const all: Node[] = [];
  const args = call.childForFieldName('arguments');
  if (args?.type === 'generator_expression') return { positional: [args], keywords, all: [args] };
  for (const a of args?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    all.push(a);
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      const v = a.childForFieldName('value');
      if (name && v) keywords.set(name, v);
    } else positional.push(a);
  }
  return { positional, keywords, all };
}

function lits(vs: PV[]): Lit[] | undefined {
  return vs.every((v) => hasLit(v)) ? vs.map((v) => v.lit!) : undefined;
}

function evalCall(n: Node, f: Frame, ev: (c: Node | null | undefined) => PV): PV {
  const fn = n.childForFieldName('function');
  if (!fn) return UNKNOWN;
  const { positional, keywords, all } = argNodes(n);
  const argValues = () => all.map((a) => ev(a));
  const joinArgs = (vs: PV[]) => vs.reduce<PV>((acc, v) => join(acc, plain(elementsOrSelf(v))), constant());

  // local functions, methods and classes
  const local = localTarget(fn, f, ev);
  if (local) {
    if (local.target.type === 'class_definition') {
      const init = f.flow.idx.methods.get(local.target.id)?.get('__init__');
      const inst: PV = { kind: 'unknown', def: local.target, origin: `${local.target.childForFieldName('name')?.text}()` };
      if (init) f.flow.callLocal(init, n, f, inst);
      return inst;
    }
    if (local.target.type === 'function_definition') return f.flow.callLocal(local.target, n, f, local.self);
    return UNKNOWN;
  }

  const q = qualifiedIn(fn, f);
  if (q) {
    if (f.flow.buildTooling && ENVIRONMENT_READS.has(q)) return unknown(q, ALL_SINKS);
    if (SOURCE_CALLS[q]) return tainted({ description: SOURCE_CALLS[q], line: n.startPosition.row });
    const san = SANITIZERS[q];
    if (san) {
      const a = positional.length ? ev(positional[0]) : constant();
      argValues();
      if (q === 'len' && hasLit(a) && typeof a.lit === 'string') return constant(a.lit.length);
      if (q === 'len' && a.elems && !a.rest && (a.seq || a.kind === 'constant')) return constant(a.elems.size);
      if (a.kind === 'constant') {
        if ((q === 'int' || q === 'float') && hasLit(a)) {
          const num = typeof a.lit === 'string' ? parseNumber(a.lit.trim()) : typeof a.lit === 'number' ? a.lit : undefined;
          if (num !== undefined) return constant(q === 'int' ? Math.trunc(num) : num);
        }
        return constant();
      }
      return clear(plain(a), san);
    }
    if (PASS_THROUGH.has(q)) {
      const vs = argValues();
      const l = lits(vs);
      if (l && (q === 'str' || q === 'format') && l.length === 1) return constant(pyStr(l[0]));
      if (l && q === 'repr' && l.length === 1) return constant(pyRepr(l[0]));
      if (l && (q === 'os.path.join' || q === 'posixpath.join') && l.every((x) => typeof x === 'string')) {
        return constant((l as string[]).reduce((acc, s) => (s.startsWith('/') ? s : acc === '' || acc.endsWith('/') ? acc + s : `${acc}/${s}`), ''));
      }
      if (vs.length === 1 && vs[0].elems && /^(list|tuple|sorted|set|frozenset|dict|copy\.copy|copy\.deepcopy|collections\.OrderedDict)$/.test(q)) {
        return vs[0];
      }
      if (vs.length === 0) return q === 'str' ? constant('') : constant();
      const out = joinArgs(vs);
      const from = URL_PARSERS.has(q) && positional.length ? pathOf(positional[0]) : undefined;
      // remember what was parsed: an allow-list on the host then constrains the original string (see interp.ts)
      return from && out.kind !== 'constant' ? { ...out, parsed: { path: from, v: ev(positional[0]) } } : out;
    }
    if (q === 'range' || q === 'enumerate' || q === 'zip') {
      const vs = argValues();
      if (q === 'range') return container(new Map(), false, vs.every((v) => v.kind === 'constant') ? constant() : unknown(undefined, ALL_SINKS));
      if (q === 'enumerate') return container(new Map(), false, container(new Map([['0', unknown(undefined, ALL_SINKS)], ['1', iterElement(vs[0] ?? UNKNOWN)]]), true));
      const zipped = new Map<string, PV>();
      vs.forEach((v, i) => zipped.set(String(i), iterElement(v)));
      return container(new Map(), false, container(zipped, true));
    }
    if (q === 'getattr' && positional.length >= 2) {
      argValues();
      return UNKNOWN;
    }
    const origin = `${q}()`;
    if (fn.type === 'attribute') {
      // a method of an imported object (`request.args.get`) still goes through the receiver
      const recvNode = fn.childForFieldName('object');
      const recv = recvNode ? ev(recvNode) : UNKNOWN;
      if (recv.kind === 'tainted' || isRequestObject(recv.origin) || recv.elems) return methodCall(n, fn, recv, positional, keywords, f, ev);
    }
    argValues();
    // a parser the code fills with `set(section, option, value)`: sections and options are keys
    if (CONFIG_PARSERS.test(q)) return keyed(new Map(), unknown(origin), undefined, origin);
    return unknown(origin);
  }
  if (fn.type === 'attribute') {
    const recvNode = fn.childForFieldName('object');
    const recv = recvNode ? ev(recvNode) : UNKNOWN;
    return methodCall(n, fn, recv, positional, keywords, f, ev);
  }
  const callee = ev(fn);
  argValues();
  return unknown(callee.origin ? `${callee.origin}()` : undefined);
}

function localTarget(fn: Node, f: Frame, ev: (c: Node | null | undefined) => PV): { target: Node; self?: PV } | undefined {
  if (fn.type === 'identifier') {
    const v = lookup(fn.text, f, fn);
    if (v.def && (v.def.type === 'function_definition' || v.def.type === 'class_definition')) return { target: v.def };
    return undefined;
  }
  if (fn.type === 'attribute') {
    const objNode = fn.childForFieldName('object');
    const attr = fn.childForFieldName('attribute')?.text;
    if (!objNode || !attr) return undefined;
    if (objNode.type === 'call' && objNode.childForFieldName('function')?.text === 'super') {
      const t = resolveCallee(f.flow.idx, fn, f.info.cls);
      return t ? { target: t } : undefined;
    }
    if (!isFree(rootOf(objNode), f) || objNode.type !== 'identifier') {
      const obj = ev(objNode);
      if (obj.def?.type === 'class_definition') {
        const m = f.flow.idx.methods.get(obj.def.id)?.get(attr);
        if (m) return { target: m, self: obj };
      }
      return undefined;
    }
    const cls = f.flow.idx.classes.get(objNode.text);
    const m = cls ? f.flow.idx.methods.get(cls.id)?.get(attr) : undefined;
    if (m) return { target: m };
  }
  return undefined;
}

/** Methods that quote an SQL identifier or literal (`connection.ops.quote_name(table)`). */
const SQL_QUOTERS = /^(\w*quote_name|quote_name_unless_alias|quote_ident|quote_identifier|quote_identifiers|escape_identifier|escape_string|escape_literal|quote_value|escape)$/;

function joinAll(vs: PV[]): PV {
  return vs.reduce<PV>((acc, v) => join(acc, plain(v)), constant());
}

function methodCall(n: Node, fn: Node, recv: PV, positional: Node[], keywords: Map<string, Node>, f: Frame, ev: (c: Node | null | undefined) => PV): PV {
  const m = fn.childForFieldName('attribute')?.text ?? '';
  const args = positional.map((a) => ev(a));
  const kw = new Map([...keywords].map(([k, v]) => [k, ev(v)] as const));
  if (recv.def?.type === 'class_definition' && TORNADO_METHODS.has(m) && frameworkClass(f.flow.file, recv.def) === 'tornado') {
    return tainted({ description: compact(n.text), line: n.startPosition.row });
  }
  if (isRequestObject(recv.origin)) {
    if (REQUEST_METHODS.has(m)) {
      const t = tainted({ description: compact(n.text), line: n.startPosition.row });
      // the path of this very request: attacker-chosen text, but on this site
      return m === 'get_full_path' || m === 'get_full_path_info' ? clear(t, ['redirect']) : t;
    }
    return unknown(`${recv.origin}.${m}()`);
  }
  if (recv.kind === 'tainted' && recv.srcObj) {
    if (/^(get|getlist|getone|getall|get_all|pop|getAll|get_list|getvalue|getfirst|__getitem__)$/.test(m)) {
      const t = tainted({ description: compact(n.text), line: n.startPosition.row });
      const d = kw.get('default') ?? args[1];
      if (kw.get('type')) return clear(t, ALL_SINKS);
      return d && d.kind !== 'constant' ? join(t, d) : t;
    }
    if (/^(to_dict|copy|dict|items|values|keys|lists)$/.test(m)) return { ...recv };
  }
  if (SQL_QUOTERS.test(m)) return clear(joinAll([recv.kind === 'tainted' ? recv : constant(), ...args]), ['sql']);
  if (SAFE_RESULT_METHODS.has(m)) {
    if (hasLit(recv) && typeof recv.lit === 'string') {
      const l = lits(args);
      const r = l ? stringMethod(recv.lit, m, l) : undefined;
      if (r !== undefined) return constant(r);
    }
    return recv.kind === 'constant' && args.every((a) => a.kind === 'constant') ? constant() : unknown(undefined, ALL_SINKS);
  }
  if (recv.elems && isConfigParser(recv) && /^get(int|float|boolean)?$/.test(m) && args.length >= 2) {
    // `cfg.get(section, option, fallback=...)`
    const v = element(element(recv, args[0]), args[1]);
    const fb = kw.get('fallback');
    const out = fb ? join(v, fb) : v;
    return m === 'get' ? out : clear(plain(out), ALL_SINKS);
  }
  if (recv.elems && (m === 'get' || m === 'pop' || m === 'setdefault')) {
    if (m === 'pop' && recv.seq) return elementsOf(recv);
    const key = args[0] ?? constant();
    const d = args[1] ?? kw.get('default');
    const missing = hasLit(key) ? (recv.dflt ? join(recv.rest, recv.dflt) : recv.rest) : elementsOf(recv);
    const e = hasLit(key) && recv.elems.has(pyStr(key.lit)) ? element(recv, key) : join(missing, d ?? constant(null));
    return e;
  }
  if (recv.elems && /^(copy|values|keys|items)$/.test(m)) return m === 'copy' ? recv : container(new Map(), false, elementsOf(recv));
  if (recv.elems && m === 'pop') return elementsOf(recv);
  if (hasLit(recv) && typeof recv.lit === 'string') {
    if (m === 'join' && args.length === 1) {
      const it = args[0];
      if (it.elems && it.seq && [...it.elems.values()].every((e) => hasLit(e))) {
        return constant([...it.elems.values()].map((e) => pyStr(e.lit!)).join(recv.lit));
      }
      const out = join(constant(), plain(iterElement(it)));
      return out.kind === 'constant' ? out : { ...out, built: true, template: HOLE };
    }
    if (m === 'format') {
      const l = lits(args);
      const kl = [...kw.values()].every((v) => hasLit(v)) ? new Map([...kw].map(([k, v]) => [k, v.lit!])) : undefined;
      if (l && kl) {
        const s = strFormat(recv.lit, l, kl);
        if (s !== undefined) return constant(s);
      }
      const out = concat([recv, ...args.map(elementsOrSelf), ...kw.values()].map(plain));
      return out.kind === 'constant' ? out : { ...out, template: recv.lit.replace(/\{\{|\}\}|\{[^{}]*\}/g, (m) => (m === '{{' ? '{' : m === '}}' ? '}' : HOLE)) };
    }
    const l = lits(args);
    if (l) {
      const r = stringMethod(recv.lit, m, l);
      if (r !== undefined) return constant(r);
      if (m === 'split' || m === 'rsplit' || m === 'splitlines') return container(new Map(), false, constant());
    }
  }
  if (STRING_METHODS.has(m) || recv.kind === 'tainted') {
    let out: PV = plain(recv);
    if (m === 'join') out = join(out, plain(iterElement(args[0] ?? constant())));
    else if (!/^(get|pop|setdefault|split|rsplit|strip|lstrip|rstrip|encode|decode|count|read|readline|readlines|group|groups|groupdict|hex|keys|values|items)$/.test(m)) {
      for (const a of [...args, ...kw.values()]) out = join(out, plain(elementsOrSelf(a)));
    } else if (m === 'get' || m === 'pop' || m === 'setdefault') {
      const d = args[1] ?? kw.get('default');
      if (d) out = join(out, plain(d));
    }
    if (recv.kind === 'unknown' && out.kind === 'unknown' && recv.origin) out = unknown(`${recv.origin}.${m}()`, out.cleared);
    if (/^(split|rsplit|splitlines|partition|rpartition|keys|values|items|readlines|groups)$/.test(m)) return container(new Map(), false, out);
    return out;
  }
  if (MUTATORS.has(m)) return constant(null);
  return unknown(recv.origin ? `${recv.origin}.${m}()` : undefined);
}

// ---- binding ----

/** Binds a target (`x`, `a, b`, `self.x`, `d["k"]`) to a value in a frame. */
export function bindTarget(t: Node | null | undefined, v: PV, f: Frame): void {
  if (!t) return;
  switch (t.type) {
    case 'identifier':
      f.env.set(t.text, v.kind === 'tainted' ? step(v, `assigned to \`${t.text}\``, t.startPosition.row) : v);
      return;
    case 'attribute': {
      const path = pathOf(t);
      if (!path) return;
      // the root as this environment binds it (undefined for an import or outer name): rebinding the root forgets the attribute
      const owner = f.env.get(path.slice(0, path.indexOf('.')));
      f.env.set(path, { ...(v.kind === 'tainted' ? step(v, `assigned to \`${path}\``, t.startPosition.row) : v), owner } as Owned);
      return;
    }
    case 'subscript': {
      const objNode = t.childForFieldName('value');
      const path = pathOf(objNode);
      if (!objNode || !path) return;
      const old = evalExpression(objNode, f);
      const key = evalExpression(t.childForFieldName('subscript')!, f);
      bindTarget(objNode, storeInto(old, key, v), f);
      return;
    }
    case 'pattern_list': case 'tuple_pattern': case 'list_pattern': case 'tuple': case 'list': case 'expression_list': case 'parenthesized_expression': {
      const targets = t.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      if (t.type === 'parenthesized_expression') { bindTarget(targets[0], v, f); return; }
      const exact = v.seq && v.elems && v.elems.size === targets.length && !targets.some((c) => c.type === 'list_splat_pattern');
      targets.forEach((c, i) => {
        if (c.type === 'list_splat_pattern') bindTarget(c.namedChildren[0], container(new Map(), false, iterElement(v)), f);
        else bindTarget(c, exact ? v.elems!.get(String(i))! : iterElement(v), f);
      });
      return;
    }
    case 'list_splat_pattern':
      bindTarget(t.namedChildren[0], container(new Map(), false, iterElement(v)), f);
      return;
  }
}

/** A container after `c[key] = v`. */
export function storeInto(old: PV, key: PV, v: PV): PV {
  if (old.elems && old.dflt) {
    const elems = new Map(old.elems);
    if (hasLit(key)) elems.set(pyStr(key.lit), v);
    return keyed(elems, old.dflt, hasLit(key) ? old.rest : join(old.rest, v), old.origin);
  }
  if (old.elems) {
    const elems = new Map(old.elems);
    if (hasLit(key)) {
      const k = old.seq && typeof key.lit === 'number' && key.lit < 0 ? String(old.elems.size + key.lit) : pyStr(key.lit);
      elems.set(k, v);
      return { ...container(elems, !!old.seq && elems.size === old.elems.size, old.rest), ...(old.origin ? { origin: old.origin } : {}) };
    }
    return container(elems, false, join(old.rest, v));
  }
  // `os.environ["K"] = v` on an object of unknown content: key K now holds v, the other keys what they held
  if (hasLit(key) && old.kind !== 'constant' && !old.srcObj) return keyed(new Map([[pyStr(key.lit), v]]), plain(old), undefined, old.origin);
  const out = join(plain(old), plain(v));
  return old.origin ? { ...out, origin: old.origin } : out;
}

const URL_PARSERS = new Set(['urllib.parse.urlparse', 'urllib.parse.urlsplit', 'urlparse.urlparse', 'urlparse.urlsplit']);

const CONFIG_PARSERS = /^configparser\.(ConfigParser|RawConfigParser|SafeConfigParser)$/;

function isConfigParser(v: PV): boolean {
  return !!v.origin && /^configparser\.\w*ConfigParser\(\)$/.test(v.origin);
}

/** `cfg.set(section, option, value)` on a ConfigParser: the option of that section now holds the value. */
export function configSet(old: PV, args: PV[]): PV | undefined {
  if (!old.elems || !isConfigParser(old) || args.length < 3) return undefined;
  return storeInto(old, args[0], storeInto(element(old, args[0]), args[1], args[2]));
}

/** A container after `c.append(v)` / `c.extend(v)` / `c.update(v)` / `c.insert(i, v)` / `c.add(v)`. */
export function mutate(old: PV, method: string, args: PV[]): PV {
  const v = method === 'insert' ? args[1] ?? UNKNOWN : args[0] ?? UNKNOWN;
  if (old.elems) {
    if (method === 'append' && old.seq) {
      const elems = new Map(old.elems);
      elems.set(String(elems.size), v);
      return container(elems, true, old.rest);
    }
    if (method === 'update' && v.elems && !old.seq) {
      const elems = new Map(old.elems);
      for (const [k, e] of v.elems) elems.set(k, e);
      return container(elems, false, v.rest ? join(old.rest, v.rest) : old.rest);
    }
    if (method === 'setdefault') {
      // only a key not stored yet takes the default
      const k = args[0] ?? UNKNOWN;
      if (hasLit(k) && old.elems.has(pyStr(k.lit))) return old;
      return storeInto(old, k, hasLit(k) && old.dflt ? join(old.dflt, args[1] ?? constant(null)) : args[1] ?? constant(null));
    }
    if (old.dflt) return old;
    const added = method === 'extend' || method === 'update' ? iterElement(v) : v;
    return container(new Map(old.elems), false, join(old.rest, added));
  }
  const added = method === 'extend' || method === 'update' ? elementsOrSelf(v) : v;
  const out = join(plain(old), plain(added));
  return old.origin ? { ...out, origin: old.origin } : out;
}

/** `self.request` in a Tornado RequestHandler or an aiohttp `web.View`: the request object. */
function handlerAttribute(f: Frame, cls: Node, attr: string): PV | undefined {
  if (attr !== 'request') return undefined;
  const kind = frameworkClass(f.flow.file, cls);
  if (kind === 'tornado') return unknown(TORNADO_REQUEST);
  if (kind === 'aiohttp') return unknown(AIOHTTP_REQUEST);
  return undefined;
}

/** Tornado request attributes that are the raw (still percent-encoded) request line. */
const RAW_REQUEST_LINE = new Set(['path', 'uri', 'query']);
