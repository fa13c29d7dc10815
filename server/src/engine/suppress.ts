import type { Finding } from './types';

/**
 * `secure-hints: ignore[rule-a, rule-b] reason` in a comment suppresses those rules on the
 * comment's line and the line below. `ignore` without brackets, or `ignore[*]`, suppresses all rules.
 */
const DIRECTIVE = /secure-hints:\s*ignore(?:\[([^\]]*)\])?\s*(.*)$/;

export interface Suppression { line: number; rules: string[] | '*'; reason: string }

export function parseSuppressions(comments: { line: number; text: string }[]): Suppression[] {
  const out: Suppression[] = [];
  for (const c of comments) {
    const m = DIRECTIVE.exec(c.text.trim());
    if (!m) continue;
    const list = m[1]?.split(',').map((s) => s.trim()).filter(Boolean);
    out.push({ line: c.line, rules: !list || list.includes('*') ? '*' : list, reason: m[2].trim() });
  }
  return out;
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
