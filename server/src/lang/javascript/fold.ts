import ts from 'typescript';
import { CONST, type V } from './values';

/**
 * Constant folding of numbers and booleans for branch conditions: `7 * 18 + num > 200` with
 * `const num = 106` is `true`, so the other side of the `?:` or `if` never runs. Only values whose
 * JavaScript type is known (`lit`) fold; a string constant is never compared as a number.
 */

export function literal(x: number | boolean): V {
  return { kind: 'constant', value: String(x), lit: x };
}

/** The value of a numeric literal's text (`1_000`, `0x1f`), with its number when it has one. */
export function numberLiteral(text: string): V {
  const n = Number(text.replace(/_/g, ''));
  return Number.isFinite(n) ? { kind: 'constant', value: text, lit: n } : { kind: 'constant', value: text };
}

/** JavaScript truthiness of a folded value; undefined when its type or value is not known. */
export function truthy(v: V): boolean | undefined {
  if (v.kind !== 'constant' || v.lit === undefined) return undefined;
  return typeof v.lit === 'boolean' ? v.lit : v.lit !== 0 && !Number.isNaN(v.lit);
}

const K = ts.SyntaxKind;

/** A binary operator over two folded numbers or booleans; undefined when either side is not one. */
export function foldBinary(op: ts.SyntaxKind, l: V, r: V): V | undefined {
  if (l.kind !== 'constant' || r.kind !== 'constant' || l.lit === undefined || r.lit === undefined) return undefined;
  const a = l.lit;
  const b = r.lit;
  switch (op) {
    case K.EqualsEqualsEqualsToken: return literal(a === b);
    case K.ExclamationEqualsEqualsToken: return literal(a !== b);
    case K.EqualsEqualsToken: return literal(Number(a) === Number(b));
    case K.ExclamationEqualsToken: return literal(Number(a) !== Number(b));
  }
  const x = Number(a);
  const y = Number(b);
  let out: number | boolean;
  switch (op) {
    case K.PlusToken: out = x + y; break;
    case K.MinusToken: out = x - y; break;
    case K.AsteriskToken: out = x * y; break;
    case K.SlashToken: out = x / y; break;
    case K.PercentToken: out = x % y; break;
    case K.AsteriskAsteriskToken: out = x ** y; break;
    case K.LessThanToken: out = x < y; break;
    case K.GreaterThanToken: out = x > y; break;
    case K.LessThanEqualsToken: out = x <= y; break;
    case K.GreaterThanEqualsToken: out = x >= y; break;
    default: return undefined;
  }
  return typeof out === 'number' && !Number.isFinite(out) ? CONST : literal(out);
}
