/**
 * One edit that sets `"key": "value"` in the object at a path of a JSON document (creating the missing objects
 * of the path), keeping the document's indentation, line endings, comments and key order. Never re-serialises.
 */
import { findNodeAtLocation, type Node as JsonNode } from 'jsonc-parser';
import { lineStartsOf, positionAt } from '../../engine/edits';
import type { TextEdit } from '../../engine/types';

export function jsonSetStringEdit(text: string, tree: JsonNode, path: string[], key: string, value: string): TextEdit | undefined {
  const starts = lineStartsOf(text);
  const edit = (s: number, e: number, newText: string): TextEdit => ({ range: { start: positionAt(s, starts), end: positionAt(e, starts) }, newText });
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  // the deepest object of the path that exists
  let depth = path.length;
  let obj: JsonNode | undefined;
  for (; depth >= 0; depth--) {
    obj = depth === 0 ? tree : findNodeAtLocation(tree, path.slice(0, depth));
    if (obj) break;
  }
  if (!obj || obj.type !== 'object') return undefined;
  const unit = indentUnit(text, tree);
  const indent = memberIndent(text, obj, unit);
  if (depth === path.length) {
    const existing = obj.children?.find((p) => p.children?.[0]?.value === key);
    if (existing) {
      const v = existing.children?.[1];
      if (!v || v.type !== 'string') return undefined; // a nested override: not ours to rewrite
      return edit(v.offset, v.offset + v.length, JSON.stringify(value));
    }
  }
  // the member to add: the rest of the path as nested objects around "key": "value"
  const rest = path.slice(depth);
  let member = `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  for (let i = rest.length - 1; i >= 0; i--) {
    const inner = indent + unit.repeat(i + 1);
    const outer = indent + unit.repeat(i);
    member = `${JSON.stringify(rest[i])}: {${eol}${inner}${member}${eol}${outer}}`;
  }
  const close = obj.offset + obj.length - 1;
  const members = obj.children ?? [];
  if (members.length === 0) {
    // replace the whole `{}` so two such fixes overlap (the second waits for the next pass)
    const outerIndent = indent.slice(0, Math.max(0, indent.length - unit.length));
    return edit(obj.offset, close + 1, `{${eol}${indent}${member}${eol}${outerIndent}}`);
  }
  const last = members[members.length - 1];
  const lastEnd = last.offset + last.length;
  // from the last member's end through the closing brace: keeps what was between (comments, newline)
  const between = text.slice(lastEnd, close);
  const lineBreak = between.lastIndexOf('\n');
  const tail = lineBreak >= 0 ? between.slice(0, lineBreak + 1).replace(/\r?\n$/, '') : between;
  const closingLine = lineBreak >= 0 ? eol + between.slice(lineBreak + 1) : '';
  return edit(lastEnd, close + 1, `,${tail}${eol}${indent}${member}${closingLine}}`);
}

/** The indentation of an object's members (from its first member), or one unit more than the object's. */
function memberIndent(text: string, obj: JsonNode, unit: string): string {
  const first = obj.children?.[0];
  if (first) {
    const ls = text.lastIndexOf('\n', first.offset - 1) + 1;
    const ws = text.slice(ls, first.offset);
    if (/^[ \t]*$/.test(ws)) return ws;
  }
  const ls = text.lastIndexOf('\n', obj.offset - 1) + 1;
  const lead = /^[ \t]*/.exec(text.slice(ls, obj.offset))![0];
  return lead + unit;
}

/** The document's indentation step: the root's first member's indentation, else two spaces. */
function indentUnit(text: string, tree: JsonNode): string {
  const first = tree.children?.[0];
  if (first) {
    const ls = text.lastIndexOf('\n', first.offset - 1) + 1;
    const ws = text.slice(ls, first.offset);
    if (ws.length > 0 && /^[ \t]+$/.test(ws)) return ws;
  }
  return '  ';
}
