import type { Finding, Position, TextEdit } from './types';

export function offsetAt(text: string, pos: Position, lineStarts = lineStartsOf(text)): number {
  const start = lineStarts[Math.min(pos.line, lineStarts.length - 1)] ?? 0;
  return Math.min(start + pos.character, text.length);
}

/** The line and character of an offset, given the text's line starts. */
export function positionAt(offset: number, lineStarts: number[]): Position {
  let lo = 0, hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return { line: lo, character: offset - lineStarts[lo] };
}

/** Where each line starts; `\n`, `\r\n` and a lone `\r` each end a line, as in LSP and the parsers. */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

/**
 * Applies edits that do not overlap; an edit overlapping one already taken is dropped
 * (the next run of `--fix` picks it up). Returns the new text and how many edits were applied.
 */
export function applyEdits(text: string, edits: TextEdit[]): { text: string; applied: number } {
  const starts = lineStartsOf(text);
  const spans = edits
    .map((e) => ({ start: offsetAt(text, e.range.start, starts), end: offsetAt(text, e.range.end, starts), newText: e.newText }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const taken: typeof spans = [];
  let lastEnd = -1;
  for (const s of spans) {
    // identical insertions (e.g. two fixes adding the same import) are applied once
    if (s.start === s.end && taken.some((t) => t.start === t.end && t.start === s.start && t.newText === s.newText)) continue;
    if (s.start < lastEnd) continue;
    taken.push(s);
    lastEnd = Math.max(lastEnd, s.end);
  }
  let out = '';
  let at = 0;
  for (const s of taken) {
    out += text.slice(at, s.start) + s.newText;
    at = s.end;
  }
  return { text: out + text.slice(at), applied: taken.length };
}

/**
 * Applies each finding's preferred fix. Fixes are all-or-nothing: a fix whose edits overlap an
 * earlier fix is skipped whole.
 */
export function applyPreferredFixes(text: string, findings: Finding[]): { text: string; fixed: Finding[] } {
  const starts = lineStartsOf(text);
  const chosen: { finding: Finding; edits: TextEdit[] }[] = [];
  const used: [number, number][] = [];
  for (const f of findings) {
    if (f.suppressed) continue;
    const fix = f.fixes.find((x) => x.preferred) ?? f.fixes[0];
    if (!fix) continue;
    const spans = fix.edits.map((e) => [offsetAt(text, e.range.start, starts), offsetAt(text, e.range.end, starts)] as [number, number]);
    const overlaps = spans.some(([s, e]) => used.some(([us, ue]) => (s < ue && e > us) || (s === e && s > us && s < ue)));
    if (overlaps) continue;
    used.push(...spans.filter(([s, e]) => s !== e));
    chosen.push({ finding: f, edits: fix.edits });
  }
  const { text: out } = applyEdits(text, chosen.flatMap((c) => c.edits));
  return { text: out, fixed: chosen.map((c) => c.finding) };
}
