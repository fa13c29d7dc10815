import type { Finding } from './types';

/**
 * `secure-hints: ignore[rule-a, rule-b] reason` in a comment suppresses those rules on the
 * comment's line and the line below. `ignore` without brackets, or `ignore[*]`, suppresses all rules.
 * Read with indexOf, not a regular expression: a pattern like `:\s*ignore(...)?\s*(.*)$` backtracks
 * quadratically over a directive followed by a long run of spaces.
 */
const MARKER = 'secure-hints:';

export interface Suppression { line: number; rules: string[] | '*'; reason: string }

export function parseSuppressions(comments: { line: number; text: string }[]): Suppression[] {
  const out: Suppression[] = [];
  for (const c of comments) {
    const s = parseDirective(c.text);
    if (s) out.push({ line: c.line, ...s });
  }
  return out;
}

function parseDirective(text: string): { rules: string[] | '*'; reason: string } | undefined {
  const at = text.indexOf(MARKER);
  if (at < 0) return undefined;
  let i = skipSpace(text, at + MARKER.length);
  if (!text.startsWith('ignore', i)) return undefined;
  i += 'ignore'.length;
  let list: string[] | undefined;
  if (text[i] === '[') {
    const close = text.indexOf(']', i + 1);
    if (close >= 0) {
      list = text.slice(i + 1, close).split(',').map((x) => x.trim()).filter(Boolean);
      i = close + 1;
    }
  }
  // the reason runs to the end of the comment's first line
  const eol = text.slice(i).search(/[\r\n]/);
  const reason = (eol < 0 ? text.slice(i) : text.slice(i, i + eol)).trim();
  return { rules: !list || list.includes('*') ? '*' : list, reason };
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
}

export function applySuppressions(findings: Finding[], suppressions: Suppression[]): void {
  if (suppressions.length === 0) return;
  for (const f of findings) {
    const line = f.range.start.line;
    const s = suppressions.find((s) => (s.line === line || s.line === line - 1)
      && (s.rules === '*' || s.rules.includes(f.ruleId)));
    if (s) f.suppressed = { reason: s.reason, line: s.line };
  }
}
