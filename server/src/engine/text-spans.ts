/**
 * Where two versions of a text differ, and the lines a finding mentions (its range, its fixes, its data path
 * and line numbers in its texts): what the incremental session needs to reuse or move cached findings.
 */
import type { Finding } from './types';

/** The span where two versions differ: common prefix and suffix, as one replaced range. */
export function changedSpan(before: string, after: string): { start: number; oldEnd: number; newEnd: number } | undefined {
  if (before === after) return { start: 0, oldEnd: 0, newEnd: 0 };
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix < max - start && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}

/** Row and column (UTF-16 code units, as web-tree-sitter counts for a JS string) of an offset. */
export function positionAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

const LINE_NUMBERS = /\bline\s+(\d{1,9})/gi;

/** The 0-based lines a text names ("`request.args` (line 12)"). */
export function linesIn(text: string | undefined): number[] {
  if (!text) return [];
  return [...text.matchAll(LINE_NUMBERS)].map((m) => Number(m[1]) - 1);
}

/** Every text of a finding that may name a line. */
export function textsOf(f: Finding): string[] {
  return [f.message, f.details ?? '', f.properties ? JSON.stringify(f.properties) : '', ...(f.dataPath ?? []).map((s) => s.description),
    ...f.fixes.flatMap((fix) => [fix.title, ...fix.edits.map((e) => e.newText)])];
}

/** Every line a finding mentions: its range, its fixes' edits, its data path, line numbers in its texts. */
export function linesOf(f: Finding): number[] {
  return [f.range.start.line, f.range.end.line, ...f.fixes.flatMap((fix) => fix.edits.flatMap((e) => [e.range.start.line, e.range.end.line])),
    ...(f.dataPath ?? []).map((s) => s.line), ...textsOf(f).flatMap(linesIn)];
}

export function lastLine(byRule: Finding[][]): number {
  let last = -1;
  for (const found of byRule) for (const f of found) for (const l of linesOf(f)) if (l > last) last = l;
  return last;
}

/** The line numbers a text names ("(line 12)"), moved by `delta` lines. */
export function shiftLineNumbers(text: string, delta: number): string {
  return delta === 0 ? text : text.replace(LINE_NUMBERS, (m, n: string) => m.slice(0, m.length - n.length) + String(Number(n) + delta));
}
