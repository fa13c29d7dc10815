import type { Lit, PV } from './values';
import { pyStr } from './values';

/** Constant folding of Python literals: what `7 * 42 - 106 > 200` or `"%s-%s" % (a, b)` is. */

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '\n': '' };

/** The text of a `string_content` node (`raw` strings keep backslashes; f-strings turn `{{` into `{`). */
export function decodeContent(text: string, raw: boolean, fstring: boolean): string {
  let s = text;
  if (!raw && s.includes('\\')) {
    s = s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[^}]*\}|[\s\S])/g, (m, e: string) => {
      if (e[0] === 'x' || e[0] === 'u' || e[0] === 'U') return e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16)) : m;
      if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
      if (e[0] === 'N') return m;
      return ESCAPES[e] ?? m;
    });
  }
  if (fstring) s = s.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
  return s;
}

export function parseNumber(text: string): number | undefined {
  const t = text.replace(/_/g, '').replace(/[lL]$/, '');
  if (/[jJ]$/.test(t)) return undefined;
  if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
  const n = Number(t);
  return Number.isNaN(n) ? undefined : n;
}

/** Python truthiness of a folded value; undefined when unknown. */
export function truthy(v: PV): boolean | undefined {
  if (v.kind !== 'constant') return undefined;
  if (v.lit !== undefined) {
    const l = v.lit;
    if (l === null) return false;
    if (typeof l === 'string') return l.length > 0;
    if (typeof l === 'number') return l !== 0;
    return l;
  }
  if (v.elems && !v.rest) return v.elems.size > 0;
  return undefined;
}

export function pyRepr(l: Lit): string {
  if (typeof l === 'string') return `'${l.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return pyStr(l);
}

/** `fmt % args` for the conversions a query or message uses (%s %d %i %r %f %%); undefined when it cannot fold. */
export function percentFormat(fmt: string, positional: Lit[] | undefined, named: Map<string, Lit> | undefined): string | undefined {
  let i = 0;
  let failed = false;
  const out = fmt.replace(/%(\(([^)]{0,256})\))?([-+ #0]*)([1-9]\d*|\*)?(\.\d+)?([a-zA-Z%])/g, (m, _n, name: string | undefined, _flags, width, prec, conv: string) => {
    if (conv === '%') return '%';
    if (width || prec) { failed = true; return m; }
    let v: Lit | undefined;
    if (name !== undefined) v = named?.get(name);
    else v = positional?.[i++];
    if (v === undefined) { failed = true; return m; }
    if (conv === 's') return pyStr(v);
    if (conv === 'r') return pyRepr(v);
    if ((conv === 'd' || conv === 'i') && typeof v === 'number') return String(Math.trunc(v));
    failed = true;
    return m;
  });
  if (failed || (positional && i !== positional.length && !named)) return undefined;
  return out;
}

/** `fmt.format(*positional, **named)` without format specs; undefined when it cannot fold. */
export function strFormat(fmt: string, positional: Lit[], named: Map<string, Lit>): string | undefined {
  let auto = 0;
  let failed = false;
  const out = fmt.replace(/\{\{|\}\}|\{([^{}!:]*)(![rsa])?(:[^{}]*)?\}/g, (m, field: string | undefined, conv: string | undefined, spec: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    if (spec && spec !== ':') { failed = true; return m; }
    let v: Lit | undefined;
    const f = field ?? '';
    if (f === '') v = positional[auto++];
    else if (/^\d+$/.test(f)) v = positional[Number(f)];
    else v = named.get(f);
    if (v === undefined) { failed = true; return m; }
    return conv === '!r' ? pyRepr(v) : pyStr(v);
  });
  return failed ? undefined : out;
}

/** A binary operator over two literals; undefined when Python would not fold it this simply. */
export function binaryLit(op: string, a: Lit, b: Lit): Lit | undefined {
  const an = typeof a === 'boolean' ? Number(a) : a;
  const bn = typeof b === 'boolean' ? Number(b) : b;
  if (typeof an === 'number' && typeof bn === 'number') {
    switch (op) {
      case '+': return an + bn;
      case '-': return an - bn;
      case '*': return an * bn;
      case '/': return bn === 0 ? undefined : an / bn;
      case '//': return bn === 0 ? undefined : Math.floor(an / bn);
      case '%': return bn === 0 ? undefined : ((an % bn) + bn) % bn;
      case '**': return an ** bn;
      case '<<': return an * 2 ** bn;
      case '>>': return Math.floor(an / 2 ** bn);
      case '&': return an & bn;
      case '|': return an | bn;
      case '^': return an ^ bn;
    }
    return undefined;
  }
  if (typeof a === 'string' && typeof b === 'string' && op === '+') return a + b;
  if (typeof a === 'string' && typeof bn === 'number' && op === '*') return bn * a.length > 100_000 ? undefined : a.repeat(Math.max(0, bn));
  return undefined;
}

/** A comparison over two literals. */
export function compareLit(op: string, a: Lit, b: Lit): boolean | undefined {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case 'is': return a === null || b === null ? a === b : undefined;
    case 'is not': return a === null || b === null ? a !== b : undefined;
    case 'in': return typeof a === 'string' && typeof b === 'string' ? b.includes(a) : undefined;
    case 'not in': return typeof a === 'string' && typeof b === 'string' ? !b.includes(a) : undefined;
  }
  if (a === null || b === null) return undefined;
  const same = typeof a === typeof b || (typeof a !== 'string' && typeof b !== 'string');
  if (!same) return undefined;
  switch (op) {
    case '<': return a < b;
    case '>': return a > b;
    case '<=': return a <= b;
    case '>=': return a >= b;
  }
  return undefined;
}

/** Folds a string method over literals. */
export function stringMethod(recv: string, method: string, args: Lit[]): Lit | undefined {
  const s0 = args[0];
  switch (method) {
    case 'lower': case 'casefold': return recv.toLowerCase();
    case 'upper': return recv.toUpperCase();
    case 'strip': return args.length === 0 ? recv.trim() : typeof s0 === 'string' ? trimChars(recv, s0, true, true) : undefined;
    case 'lstrip': return args.length === 0 ? recv.trimStart() : typeof s0 === 'string' ? trimChars(recv, s0, true, false) : undefined;
    case 'rstrip': return args.length === 0 ? recv.trimEnd() : typeof s0 === 'string' ? trimChars(recv, s0, false, true) : undefined;
    case 'title': return recv.replace(/\w\S*/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase());
    case 'capitalize': return recv.length ? recv[0].toUpperCase() + recv.slice(1).toLowerCase() : recv;
    case 'swapcase': return [...recv].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
    case 'replace': return typeof s0 === 'string' && typeof args[1] === 'string' && args.length === 2 ? recv.split(s0).join(args[1]) : undefined;
    case 'removeprefix': return typeof s0 === 'string' ? (recv.startsWith(s0) ? recv.slice(s0.length) : recv) : undefined;
    case 'removesuffix': return typeof s0 === 'string' ? (s0 && recv.endsWith(s0) ? recv.slice(0, -s0.length) : recv) : undefined;
    case 'encode': case 'decode': return recv;
    case 'startswith': return typeof s0 === 'string' ? recv.startsWith(s0) : undefined;
    case 'endswith': return typeof s0 === 'string' ? recv.endsWith(s0) : undefined;
    case 'isdigit': case 'isnumeric': case 'isdecimal': return /^[0-9]+$/.test(recv);
    case 'zfill': return typeof s0 === 'number' ? recv.padStart(s0, '0') : undefined;
  }
  return undefined;
}

function trimChars(s: string, chars: string, start: boolean, end: boolean): string {
  let a = 0;
  let b = s.length;
  if (start) while (a < b && chars.includes(s[a])) a++;
  if (end) while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}
