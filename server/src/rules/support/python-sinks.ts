/**
 * Small readers shared by the Python injection rules (issue 4): what a sink argument holds
 * (from the front's `valueOf`), the parts of a string-building expression at the sink (for fixes),
 * Flask view detection, and edits that add an import. They read the nodes a rule points at;
 * they never follow assignments and never search source text.
 */
import type { PNode as Node } from '../../lang/python/tree';
import type { PyFile } from '../../lang/python/front';
import { evidence, type Evidence } from '../../engine/rule';
import type { Range, SinkClass, TextEdit, Value } from '../../engine/types';

/** What reaches a sink: the front's value and whether it is dangerous for the sink class. */
export function sinkValue(file: PyFile, node: Node | null | undefined, sink: SinkClass): { value: Value; ev: Evidence } {
  const value = node ? file.valueOf(node) : ({ kind: 'unknown' } as Value);
  return { value, ev: evidence(value, sink) };
}

/**
 * Data typed by the person running the program (command-line arguments, `input()` prompts). They
 * choose their own files and URLs: not an attacker for path, URL, redirect or session sinks.
 * (Reads the front's source description until sources carry a kind.)
 */
export function fromLocalUser(value: Value): boolean {
  return value.kind === 'tainted' && /^(sys\.(orig_)?argv\b|input\(|raw_input\(|argparse\b|getpass\b)/.test(value.source.description);
}

/**
 * A Django view argument captured from the URL path (`<slug:slug>`): route converters constrain it,
 * and the front also binds it for helpers whose first parameter is named `request`.
 */
export function fromUrlRoute(value: Value): boolean {
  return value.kind === 'tainted' && /^URL parameter\b/.test(value.source.description);
}

/** `request.path`, `request.get_full_path()`: the URL that was requested, i.e. this site. */
export function fromOwnUrl(value: Value): boolean {
  return value.kind === 'tainted' && /(^|\.)request\.(path|path_info|full_path|get_full_path\(\)|get_full_path_info\(\)|url|base_url|build_absolute_uri\(\))$/.test(value.source.description);
}

// ---- facts the Python front adds to a value (see lang/python/values.ts `PV`) ----

type FrontValue = Value & { elems?: Map<string, Value>; rest?: Value; seq?: boolean; built?: boolean; template?: string };

/** A list, tuple or dict (the front tracks its elements). */
export function isContainer(value: Value): boolean {
  return (value as FrontValue).elems !== undefined;
}

/** Element `key` of a container value (`'0'` for the first list element), or the join of unknown keys. */
export function elementOf(value: Value, key: string): Value | undefined {
  const v = value as FrontValue;
  return v.elems?.get(key) ?? v.rest;
}

/** A string built by formatting or concatenation (`f"<b>{x}</b>"` assigned to a name). */
export function isBuiltString(value: Value): boolean {
  return (value as FrontValue).built === true;
}

/** The constant text a built string starts with (`https://api.x/u/` for `"https://api.x/u/" + id`). */
export function constantHead(value: Value): string | undefined {
  const t = (value as FrontValue).template;
  return t === undefined ? undefined : t.split('\u0000')[0];
}

/** The name of a builtin a call makes (`open`), when that name is not imported. */
export function builtinCall(file: PyFile, call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'identifier' || file.imports.has(fn.text)) return undefined;
  return fn.text;
}

/** For `obj.m(...)`: `m`. */
export function methodName(call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
}

/**
 * What produced the receiver of a method call, as a qualified name without call parentheses:
 * `tarfile.open` for `tf.extractall()` after `tf = tarfile.open(p)` (when the front knows), or the
 * module/class of a receiver that is itself an import or a call.
 */
export function receiverOrigin(file: PyFile, call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute') return undefined;
  const obj = fn.childForFieldName('object');
  if (!obj) return undefined;
  const direct = obj.type === 'call' ? file.callName(obj) : file.qualifiedName(obj);
  const origin = direct ?? file.valueOf(obj).origin;
  return origin?.replace(/\(\)$/, '');
}

/** `shell=True`-style flags: true only when the keyword's value folds to a true constant. */
export function isTrueKeyword(file: PyFile, call: Node, name: string): boolean {
  const kw = file.keywordArgument(call, name);
  if (!kw) return false;
  if (kw.type === 'true') return true;
  const v = file.valueOf(kw);
  return v.kind === 'constant' && (v.value === 'True' || v.value === '1');
}

export function isFalseKeyword(file: PyFile, call: Node, name: string): boolean {
  const kw = file.keywordArgument(call, name);
  if (!kw) return false;
  if (kw.type === 'false' || kw.type === 'none') return true;
  const v = file.valueOf(kw);
  return v.kind === 'constant' && (v.value === 'False' || v.value === 'None' || v.value === '0');
}

export function hasSplat(call: Node): boolean {
  const args = call.childForFieldName('arguments');
  return !!args?.namedChildren.some((a) => a?.type === 'list_splat' || a?.type === 'dictionary_splat');
}

// ---- string-building expressions at a sink ----

/** A constant text part or an expression part of a string built at the sink. */
export type Piece =
  | { text: string }
  | { node: Node; format?: string };

const isText = (p: Piece): p is { text: string } => 'text' in p;
export { isText as isTextPiece };

/** Decodes a (non-bytes) string literal into pieces; undefined for bytes or unsupported escapes. */
function stringPieces(node: Node): Piece[] | undefined {
  const start = node.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '';
  const prefix = start.replace(/['"]+$/, '').toLowerCase();
  if (prefix.includes('b')) return undefined;
  const raw = prefix.includes('r');
  const out: Piece[] = [];
  const push = (t: string) => {
    const last = out[out.length - 1];
    if (last && isText(last)) last.text += t; else out.push({ text: t });
  };
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'interpolation') {
      const expr = c.namedChildren.find((x) => x && x.type !== 'type_conversion' && x.type !== 'format_specifier');
      if (!expr) return undefined;
      const conv = c.namedChildren.find((x) => x?.type === 'type_conversion')?.text;
      const spec = c.namedChildren.find((x) => x?.type === 'format_specifier')?.text;
      out.push({ node: expr, ...(conv || spec ? { format: `${conv ?? ''}${spec ?? ''}` } : {}) });
    } else if (c.type === 'string_content') {
      // string_content text includes its escape children verbatim; decode them
      let text = '';
      let at = c.startIndex;
      for (const e of c.namedChildren) {
        if (!e) continue;
        text += c.text.slice(at - c.startIndex, e.startIndex - c.startIndex);
        const d = e.type === 'escape_interpolation' ? e.text[0] : raw ? e.text : decodeEscape(e.text);
        if (d === undefined) return undefined;
        text += d;
        at = e.endIndex;
      }
      text += c.text.slice(at - c.startIndex);
      push(text);
    }
  }
  return out;
}

function decodeEscape(e: string): string | undefined {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
  const c = e.slice(1);
  if (c in simple) return simple[c];
  if (/^(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})$/.test(c)) return String.fromCodePoint(parseInt(c.slice(1), 16));
  return undefined;
}

/** `%s`/`%d` formats only: pieces of `"a %s b" % x`; undefined for anything fancier. */
function percentPieces(fmt: Piece[], right: Node): Piece[] | undefined {
  if (fmt.some((p) => !isText(p))) return undefined;
  const text = fmt.map((p) => (p as { text: string }).text).join('');
  const values = right.type === 'tuple' ? right.namedChildren.filter((x): x is Node => !!x) : [right];
  if (values.some((v) => v.type === 'list_splat')) return undefined;
  const out: Piece[] = [];
  let buf = '';
  let k = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '%') { buf += text[i]; continue; }
    const f = text[i + 1];
    if (f === '%') { buf += '%'; i++; continue; }
    if (f !== 's' && f !== 'd' && f !== 'i') return undefined;
    if (buf) out.push({ text: buf });
    buf = '';
    const v = values[k++];
    if (!v) return undefined;
    out.push({ node: v, ...(f === 's' ? {} : { format: 'd' }) });
    i++;
  }
  if (k !== values.length) return undefined;
  if (buf) out.push({ text: buf });
  return out;
}

/** `"a {} b {name}".format(x, name=y)`: plain fields only. */
function formatPieces(file: PyFile, fmt: Piece[], call: Node): Piece[] | undefined {
  if (fmt.some((p) => !isText(p))) return undefined;
  const text = fmt.map((p) => (p as { text: string }).text).join('');
  const out: Piece[] = [];
  let buf = '';
  let auto = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if ((ch === '{' || ch === '}') && text[i + 1] === ch) { buf += ch; i++; continue; }
    if (ch === '}') return undefined;
    if (ch !== '{') { buf += ch; continue; }
    const end = text.indexOf('}', i);
    if (end < 0) return undefined;
    const field = text.slice(i + 1, end);
    let arg: Node | undefined;
    if (field === '') arg = file.argument(call, auto++);
    else if (/^\d+$/.test(field)) arg = file.argument(call, Number(field));
    else if (/^[A-Za-z_]\w*$/.test(field)) arg = file.keywordArgument(call, field);
    if (!arg) return undefined;
    if (buf) out.push({ text: buf });
    buf = '';
    out.push({ node: arg });
    i = end;
  }
  if (buf) out.push({ text: buf });
  return out;
}

/**
 * The parts of a string built right at the sink: literals, f-strings, implicit and `+`
 * concatenation, `%` and `.format()`. A non-literal operand of `+` is one expression part.
 * Undefined when the node is not such an expression (a plain name, a call, ...).
 */
export function pieces(file: PyFile, node: Node): Piece[] | undefined {
  switch (node.type) {
    case 'string':
      return stringPieces(node);
    case 'concatenated_string': {
      const out: Piece[] = [];
      for (const c of node.namedChildren) {
        const p = c?.type === 'string' ? stringPieces(c) : undefined;
        if (!p) return undefined;
        out.push(...p);
      }
      return merge(out);
    }
    case 'parenthesized_expression': {
      const inner = node.namedChildren.find((c) => c?.type !== 'comment');
      return inner ? pieces(file, inner) : undefined;
    }
    case 'binary_operator': {
      const op = node.childForFieldName('operator')?.text;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right) return undefined;
      if (op === '+') {
        const l = pieces(file, left) ?? [{ node: left }];
        const r = pieces(file, right) ?? [{ node: right }];
        // at least one side must be string-building, or `a + b` may be arithmetic
        if (!pieces(file, left) && !pieces(file, right)) return undefined;
        return merge([...l, ...r]);
      }
      if (op === '%') {
        const fmt = left.type === 'string' || left.type === 'concatenated_string' ? pieces(file, left) : undefined;
        return fmt ? percentPieces(fmt, right) : undefined;
      }
      return undefined;
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'format') return undefined;
      const obj = fn.childForFieldName('object');
      if (!obj || (obj.type !== 'string' && obj.type !== 'concatenated_string')) return undefined;
      const fmt = pieces(file, obj);
      return fmt ? formatPieces(file, fmt, node) : undefined;
    }
    default:
      return undefined;
  }
}

function merge(ps: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of ps) {
    const last = out[out.length - 1];
    if (isText(p) && last && isText(last)) last.text += p.text;
    else out.push(isText(p) ? { text: p.text } : p);
  }
  return out;
}

/** The non-constant expression parts of a string built at the sink (or the node itself). */
export function dynamicParts(file: PyFile, node: Node, sink: SinkClass): Node[] {
  const ps = pieces(file, node);
  if (!ps) return evidence(file.valueOf(node), sink) === 'safe' ? [] : [node];
  return ps.filter((p): p is { node: Node } => !isText(p) && evidence(file.valueOf(p.node), sink) !== 'safe').map((p) => p.node);
}

/** A Python string literal for `s` (double quotes, minimal escapes). */
export function pyQuote(s: string): string {
  const q = s.includes('"') && !s.includes("'") ? "'" : '"';
  let out = q;
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += '\\' + q;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch.charCodeAt(0) < 32) out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

/** Edits that wrap each node in `fn(...)`. */
export function wrapEdits(file: PyFile, nodes: Node[], fn: string): TextEdit[] {
  const out: TextEdit[] = [];
  for (const n of nodes) {
    const r = file.range(n);
    out.push({ range: { start: r.start, end: r.start }, newText: `${fn}(` });
    out.push({ range: { start: r.end, end: r.end }, newText: ')' });
  }
  return out;
}

export function replaceEdit(file: PyFile, node: Node, newText: string): TextEdit {
  return { range: file.range(node), newText };
}

// ---- imports ----

/** Where a new top-level import goes: before the first import, else after docstring and leading comments. */
function importLine(file: PyFile): number {
  const root = file.tree.rootNode;
  let line = 0;
  for (const c of root.namedChildren) {
    if (!c) continue;
    if (c.type === 'import_statement' || c.type === 'import_from_statement') return c.startPosition.row;
    if (c.type === 'comment' || c.type === 'future_import_statement' ||
        (c.type === 'expression_statement' && c.namedChildren[0]?.type === 'string' && c.startPosition.row === line)) {
      line = c.endPosition.row + 1;
      continue;
    }
    break;
  }
  return line;
}

function insertLine(file: PyFile, text: string): TextEdit {
  const line = importLine(file);
  const at: Range = { start: { line, character: 0 }, end: { line, character: 0 } };
  return { range: at, newText: text + '\n' };
}

/** `import module` unless the file already binds the module's name to it. Returns the local name. */
export function importModule(file: PyFile, module: string): { local: string; edits: TextEdit[] } {
  for (const [local, q] of file.imports) if (q === module) return { local, edits: [] };
  const head = module.split('.')[0];
  if (module.includes('.') && file.imports.get(head) === head) {
    // `import xml.etree.ElementTree` binds `xml`; the full dotted name works once any submodule import exists
    return { local: module, edits: [insertLine(file, `import ${module}`)] };
  }
  return { local: module, edits: [insertLine(file, `import ${module}`)] };
}

/** `from module import name` unless an import already binds it. Returns the local name to call. */
export function importName(file: PyFile, module: string, name: string): { local: string; edits: TextEdit[] } {
  for (const [local, q] of file.imports) if (q === `${module}.${name}`) return { local, edits: [] };
  if (!file.imports.has(name)) return { local: name, edits: [insertLine(file, `from ${module} import ${name}`)] };
  const mod = importModule(file, module);
  return { local: `${mod.local}.${name}`, edits: mod.edits };
}

/** Does the function around `node` bind `name` itself (assignment, loop, `with`, parameter)? */
export function boundInFunction(file: PyFile, node: Node, name: string): boolean {
  const fn = file.enclosingFunction(node);
  if (!fn) return false;
  for (const id of fn.descendantsOfType('identifier')) {
    if (id?.text !== name) continue;
    const p = id.parent;
    if (!p) continue;
    if ((p.type === 'assignment' || p.type === 'augmented_assignment' || p.type === 'for_statement') && p.childForFieldName('left')?.equals(id)) return true;
    if (p.type === 'parameters' || p.type === 'default_parameter' || p.type === 'typed_parameter' || p.type === 'as_pattern_target' || p.type === 'pattern_list') return true;
  }
  return false;
}

// ---- web frameworks ----

const ROUTE_DECORATORS = new Set(['route', 'get', 'post', 'put', 'delete', 'patch']);

/** The function a node belongs to, when that function is a Flask view (`@app.route`, `@bp.get`). */
export function flaskView(file: PyFile, node: Node): Node | undefined {
  if (!file.importsModule('flask')) return undefined;
  const fn = file.enclosingFunction(node);
  const decorated = fn?.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  if (!fn || !decorated) return undefined;
  for (const d of decorated.namedChildren) {
    if (d?.type !== 'decorator') continue;
    const call = d.namedChildren[0];
    if (call?.type !== 'call') continue;
    const name = methodName(call);
    if (name && ROUTE_DECORATORS.has(name)) return fn;
  }
  return undefined;
}

/**
 * True when a URL built at the sink starts with a constant that pins where it goes: a same-site
 * path (`/profile/...`, not `//host`) or a scheme and host followed by a path (`https://api.x/...`).
 */
export function pinnedUrl(file: PyFile, node: Node, sameSiteOk: boolean): boolean {
  const ps = pieces(file, node) ?? [{ node }];
  // the constant head: literal text and constant names (API + "/users/" + id)
  let head = '';
  for (const p of ps) {
    if (isText(p)) { head += p.text; continue; }
    const v = file.valueOf(p.node);
    if (v.kind !== 'constant' || v.value === undefined) break;
    head += v.value;
  }
  if (!head && ps.length === 1 && !isText(ps[0])) head = constantHead(file.valueOf(ps[0].node)) ?? '';
  if (!head) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]+[/?#]/i.test(head)) return true;
  return sameSiteOk && /^\/[^/\\]/.test(head);
}
