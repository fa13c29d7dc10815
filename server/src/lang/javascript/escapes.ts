import ts from 'typescript';
import { asString, clear, strip, type V } from './values';

/**
 * Hand-written HTML escapers, recognized from what they do rather than from their name:
 * `String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;')...` or `s.replace(/[&<>"']/g, (c) => map[c])`.
 * Each `replace` of HTML metacharacters adds them to the value's `escaped` set; once `<` and one of
 * `&`/`>` are escaped, the value is safe for HTML (only: it is still raw text for SQL, a shell...).
 */

const HTML_CHARS = '<>&"\'';

/** The value `recv.replace(pattern, replacement)` gives when the call escapes HTML characters; else undefined. */
export function htmlEscapeStep(recv: V, method: string, pattern: ts.Node | undefined, replacement: ts.Node | undefined, repl: V | undefined): V | undefined {
  if (recv.kind === 'constant' || !pattern || !replacement || !repl) return undefined;
  const chars = replacedChars(pattern, method === 'replaceAll');
  if (!chars) return undefined;
  // the replacement must not put the character back: a constant without `<`/`>`, or a mapping function
  if (repl.kind === 'constant') {
    if (repl.value === undefined || /[<>]/.test(repl.value)) return undefined;
  } else if (!repl.func) return undefined;
  const escaped = [...new Set([...(recv.escaped ?? ''), ...chars])].join('');
  const base = asString(strip(recv));
  if (escaped.includes('<') && (escaped.includes('&') || escaped.includes('>'))) return clear(base, ['html']);
  return { ...base, escaped };
}

/** The HTML metacharacters a `replace` pattern matches everywhere in the string: `/</g`, `/[&<>]/g`, `/&|</g`. */
function replacedChars(pattern: ts.Node, all: boolean): string | undefined {
  let body: string;
  if (ts.isStringLiteralLike(pattern)) {
    if (!all) return undefined; // 'x'.replace('<', ...) replaces the first one only
    body = pattern.text;
    return body.length === 1 && HTML_CHARS.includes(body) ? body : undefined;
  }
  if (!ts.isRegularExpressionLiteral(pattern)) return undefined;
  const m = /^\/(.*)\/([a-z]*)$/s.exec(pattern.text);
  if (!m || !m[2].includes('g')) return undefined;
  body = m[1];
  const group = /^\((?:\?:)?(.*)\)$/s.exec(body);
  if (group) body = group[1];
  let parts: string[];
  const cls = /^\[([^^].*)\]$/s.exec(body);
  if (cls) parts = [...unescape(cls[1])];
  else {
    parts = body.split('|').map(unescape);
    if (parts.some((p) => p.length !== 1)) return undefined;
  }
  const chars = parts.filter((c) => HTML_CHARS.includes(c)).join('');
  return chars || undefined;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}
