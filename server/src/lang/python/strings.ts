import { decodeContent } from './fold';
import type { PNode } from './tree';

/**
 * The pieces of a string-building expression as written at one place: literal text and the
 * expressions spliced in. Fix builders use it (e.g. to turn an f-string query into a parameterized
 * one). It reads only the expression it is given: it never follows variables.
 */
export type StringPart =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; node: PNode; /** `!r`, `%r` or a format spec: not a plain `str()` */ formatted: boolean };

export interface StringTemplate {
  parts: StringPart[];
  /** Quote style of the first literal: `"`, `'`, `"""` or `'''`. */
  quote: string;
}

export function stringTemplate(node: PNode): StringTemplate | undefined {
  let quote: string | undefined;
  const parts: StringPart[] = [];
  const literal = (s: PNode): boolean => {
    const start = s.child(0);
    if (start?.type !== 'string_start') return false;
    const prefix = start.text.replace(/['"]+$/, '').toLowerCase();
    if (prefix.includes('b')) return false;
    quote ??= start.text.slice(prefix.length);
    const raw = prefix.includes('r');
    const f = prefix.includes('f');
    for (const c of s.namedChildren) {
      if (c.type === 'string_content') parts.push({ kind: 'text', text: decodeContent(c.text, raw, f) });
      else if (c.type === 'interpolation') {
        const expr = c.childForFieldName('expression');
        if (!expr) return false;
        const formatted = !!c.childForFieldName('type_conversion') || !!c.childForFieldName('format_specifier') || c.children.some((x) => x.type === '=');
        parts.push({ kind: 'expr', node: expr, formatted });
      }
    }
    return true;
  };
  const visit = (n: PNode, depth: number): boolean => {
    if (depth > 200) return false;
    switch (n.type) {
      case 'string': return literal(n);
      case 'concatenated_string': return n.namedChildren.every((c) => c.type !== 'string' || literal(c));
      case 'parenthesized_expression': return n.namedChildren.length === 1 && visit(n.namedChildren[0], depth + 1);
      case 'binary_operator': {
        const op = n.childForFieldName('operator')?.text;
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (!left || !right) return false;
        if (op === '+') {
          if (!visit(left, depth + 1)) return false;
          if (isStringish(right)) return visit(right, depth + 1);
          parts.push({ kind: 'expr', node: right, formatted: false });
          return true;
        }
        if (op === '%' && left.type === 'string') return percent(left, right);
        return false;
      }
      case 'call': return format(n);
      default:
        if (depth === 0) return false;
        parts.push({ kind: 'expr', node: n, formatted: false });
        return true;
    }
  };
  const percent = (fmt: PNode, args: PNode): boolean => {
    const t = stringTemplate(fmt);
    if (!t || t.parts.some((p) => p.kind === 'expr')) return false;
    quote ??= t.quote;
    const text = t.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
    const positional = args.type === 'tuple' ? args.namedChildren : args.type === 'dictionary' ? undefined : [args];
    const named = new Map<string, PNode>();
    if (args.type === 'dictionary') {
      for (const pair of args.namedChildren) {
        const k = pair.childForFieldName('key');
        const v = pair.childForFieldName('value');
        if (pair.type !== 'pair' || k?.type !== 'string' || !v) return false;
        named.set(k.namedChildren.filter((c) => c.type === 'string_content').map((c) => c.text).join(''), v);
      }
    }
    if (positional?.some((a) => a.type === 'list_splat' || a.type === 'comment')) return false;
    let i = 0;
    let last = 0;
    // flags and width never share a character (a width does not start with 0, a flag), and a mapping key
    // is bounded: `[-+ #0]*(\d+)?` over a run of zeros and an unclosed `%(` are quadratic
    const re = /%(\(([^)]{0,256})\))?([-+ #0]*)([1-9]\d*|\*)?(\.\d+)?([a-zA-Z%])/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      parts.push({ kind: 'text', text: text.slice(last, m.index) });
      last = m.index + m[0].length;
      if (m[6] === '%') { parts.push({ kind: 'text', text: '%' }); continue; }
      const node = m[2] !== undefined ? named.get(m[2]) : positional?.[i++];
      if (!node) return false;
      parts.push({ kind: 'expr', node, formatted: !!(m[3] || m[4] || m[5]) || !/[sdi]/.test(m[6]) });
    }
    parts.push({ kind: 'text', text: text.slice(last) });
    return !positional || i === positional.length;
  };
  const format = (call: PNode): boolean => {
    const fn = call.childForFieldName('function');
    const recv = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
    if (fn?.childForFieldName('attribute')?.text !== 'format' || recv?.type !== 'string') return false;
    const t = stringTemplate(recv);
    if (!t || t.parts.some((p) => p.kind === 'expr')) return false;
    quote ??= t.quote;
    const text = t.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
    const positional: PNode[] = [];
    const named = new Map<string, PNode>();
    for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (a.type === 'keyword_argument') {
        const k = a.childForFieldName('name')?.text;
        const v = a.childForFieldName('value');
        if (!k || !v) return false;
        named.set(k, v);
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') return false;
      else if (a.type !== 'comment') positional.push(a);
    }
    let auto = 0;
    let last = 0;
    const re = /\{\{|\}\}|\{([^{}!:]*)(![rsa])?(:[^{}]*)?\}/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      parts.push({ kind: 'text', text: text.slice(last, m.index) });
      last = m.index + m[0].length;
      if (m[0] === '{{' || m[0] === '}}') { parts.push({ kind: 'text', text: m[0][0] }); continue; }
      const field = m[1] ?? '';
      const node = field === '' ? positional[auto++] : /^\d+$/.test(field) ? positional[Number(field)] : named.get(field);
      if (!node) return false;
      parts.push({ kind: 'expr', node, formatted: !!m[2] || !!m[3] });
    }
    parts.push({ kind: 'text', text: text.slice(last) });
    return true;
  };
  if (!visit(node, 0) || quote === undefined) return undefined;
  // merge adjacent text
  const merged: StringPart[] = [];
  for (const p of parts) {
    const prev = merged[merged.length - 1];
    if (p.kind === 'text' && prev?.kind === 'text') merged[merged.length - 1] = { kind: 'text', text: prev.text + p.text };
    else if (p.kind !== 'text' || p.text !== '') merged.push(p);
  }
  return { parts: merged, quote };
}

function isStringish(n: PNode): boolean {
  return n.type === 'string' || n.type === 'concatenated_string' ||
    (n.type === 'binary_operator' && (n.childForFieldName('operator')?.text === '%' || n.childForFieldName('operator')?.text === '+')) ||
    (n.type === 'call' && n.childForFieldName('function')?.childForFieldName('attribute')?.text === 'format' && n.childForFieldName('function')?.childForFieldName('object')?.type === 'string');
}

/** A Python string literal for `text`, in the given quote style (escaping what it must). */
export function pythonLiteral(text: string, quote: string): string {
  const triple = quote.length === 3;
  const q = quote[0];
  let body = text.replace(/\\/g, '\\\\');
  if (triple) body = body.split(q + q + q).join(`${q}${q}\\${q}`);
  else body = body.split(q).join(`\\${q}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  if (triple && body.endsWith(q)) body = body.slice(0, -1) + `\\${q}`;
  return `${quote}${body}${quote}`;
}
