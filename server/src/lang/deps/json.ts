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
 * as ranges of the quoted key. One pass; `want` should be cheap.
 */
export function keyPositions(text: string, want: (parent: (string | number)[], key: string) => string | undefined): Map<string, Range> {
  const out = new Map<string, Range>();
  visit(text, {
    onObjectProperty(property, _offset, length, line, character, pathSupplier) {
      const id = want(pathSupplier(), property);
      if (id !== undefined && !out.has(id)) out.set(id, { start: { line, character }, end: { line, character: character + length } });
    },
  }, { allowTrailingComma: true, disallowComments: false });
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
