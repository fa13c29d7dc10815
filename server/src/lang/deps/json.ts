/** JSON for manifests and lockfiles: values fast (native JSON.parse, comments allowed as a fallback), key positions by a visit. */
import { parse as parseJsonc, visit, type ParseError } from 'jsonc-parser';
import type { Range } from '../../engine/types';

export type JsonValue = unknown;

/** The document's value, or an error message. Comments and trailing commas are accepted (fixtures annotate with `//`). */
export function parseJson(text: string): { value: JsonValue } | { error: string } {
  try {
    return { value: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
  } catch {
    const errors: ParseError[] = [];
    const value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
    if (errors.length > 0) return { error: `not valid JSON (error ${errors[0].error} at offset ${errors[0].offset})` };
    return { value };
  }
}

/**
 * Positions of the keys whose path `want` accepts (called with the path of the object holding the key),
 * as ranges of the quoted key. One pass of jsonc-parser's scanner; the path is kept on a stack.
 */
export function keyPositions(text: string, want: (parent: readonly string[], key: string) => string | undefined): Map<string, Range> {
  const out = new Map<string, Range>();
  const path: string[] = [];
  const arrays: boolean[] = [];
  let key = '';
  const open = (isArray: boolean) => {
    if (arrays.length > 0) path.push(arrays[arrays.length - 1] ? '#' : key);
    arrays.push(isArray);
  };
  const close = () => {
    arrays.pop();
    if (arrays.length > 0) path.pop();
  };
  visit(text, {
    onObjectBegin: () => open(false),
    onArrayBegin: () => open(true),
    onObjectEnd: close,
    onArrayEnd: close,
    onObjectProperty(property, _offset, length, line, character) {
      key = property;
      const id = want(path, property);
      if (id !== undefined && !out.has(id)) out.set(id, { start: { line, character }, end: { line, character: character + length } });
    },
  }, { allowTrailingComma: true, disallowComments: false });
  return out;
}

/**
 * Positions of keys that start a line (`    "node_modules/x": {`), the way npm writes its lockfiles: a scan of
 * line starts, no parse. Keys it cannot find are left out (the caller falls back to `keyPositions`).
 */
export function lineKeyPositions(text: string, keys: Set<string>): Map<string, Range> {
  const out = new Map<string, Range>();
  let line = 0;
  for (let start = 0; start < text.length && out.size < keys.size; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let i = start;
    while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (text.charCodeAt(i) === 34 /* " */) {
      const close = text.indexOf('"', i + 1);
      if (close > i && close < end && text.charCodeAt(close + 1) === 58 /* : */) {
        const key = text.slice(i + 1, close);
        if (keys.has(key) && !out.has(key)) out.set(key, { start: { line, character: i - start }, end: { line, character: close + 1 - start } });
      }
    }
    start = end + 1;
  }
  return out;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Comments of a JSON document (for suppressions), by line. */
export function jsonComments(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  visit(text, {
    onComment(offset, length, line) {
      out.push({ line, text: text.slice(offset, offset + length).replace(/^\/[/*]|\*\/$/g, '') });
    },
  }, { allowTrailingComma: true, disallowComments: false });
  return out;
}
