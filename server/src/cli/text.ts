/** The terminal report: `path:line:col severity rule-id message`, then the suggested fix as a small diff. */
import { applyEdits, lineStartsOf, offsetAt } from '../engine/edits';
import type { Finding, Fix, Severity, TextEdit } from '../engine/types';
import type { FileResult, ScanResult } from './scan';

interface Style { red(s: string): string; yellow(s: string): string; cyan(s: string): string; green(s: string): string; dim(s: string): string; bold(s: string): string }

const ansi = (code: string) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
const COLOR: Style = { red: ansi('31'), yellow: ansi('33'), cyan: ansi('36'), green: ansi('32'), dim: ansi('2'), bold: ansi('1') };
const PLAIN: Style = { red: String, yellow: String, cyan: String, green: String, dim: String, bold: String };

export function formatText(result: ScanResult, color: boolean): string {
  const s = color ? COLOR : PLAIN;
  const out: string[] = [];
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  let suppressed = 0;
  let fixedCount = 0;
  for (const file of result.files) {
    for (const fx of file.fixed ?? []) {
      out.push(`${s.green('fixed')} ${file.rel}:${fx.line + 1} ${fx.ruleId}: ${fx.title}`);
      fixedCount++;
    }
    for (const f of file.findings) {
      if (f.suppressed) { suppressed++; continue; }
      counts[f.severity]++;
      out.push(findingLine(file, f, s));
      const fix = f.fixes.find((x) => x.preferred) ?? f.fixes[0];
      if (fix && file.text !== undefined) out.push(...fixLines(file.text, fix, s));
    }
    for (const note of file.notes) out.push(s.dim(`note: ${file.rel}: ${note}`));
  }
  const total = counts.error + counts.warning + counts.info + counts.hint;
  const parts = [`${counts.error} error${counts.error === 1 ? '' : 's'}`, `${counts.warning} warning${counts.warning === 1 ? '' : 's'}`];
  if (counts.info + counts.hint > 0) parts.push(`${counts.info + counts.hint} note${counts.info + counts.hint === 1 ? '' : 's'}`);
  const summary = total === 0
    ? `No problems found in ${result.files.length} file${result.files.length === 1 ? '' : 's'}`
    : `${total} problem${total === 1 ? '' : 's'} (${parts.join(', ')}) in ${result.files.length} file${result.files.length === 1 ? '' : 's'}`;
  const extra = [
    suppressed ? `${suppressed} suppressed` : '',
    fixedCount ? `${fixedCount} fixed` : '',
  ].filter(Boolean);
  if (out.length) out.push('');
  out.push(s.bold(summary) + (extra.length ? ` (${extra.join(', ')})` : '') + ` in ${(result.elapsedMs / 1000).toFixed(2)} s`);
  return out.join('\n') + '\n';
}

function findingLine(file: FileResult, f: Finding, s: Style): string {
  const sev = f.severity === 'error' ? s.red('error') : f.severity === 'warning' ? s.yellow('warning') : s.cyan(f.severity);
  const loc = `${file.rel}:${f.range.start.line + 1}:${f.range.start.character + 1}`;
  return `${s.bold(loc)} ${sev} ${s.dim(f.ruleId)} ${f.message}`;
}

/** The fix's title and, per edited region, the old lines and the new ones (`-`/`+`), trimmed to what changed. */
export function fixLines(text: string, fix: Fix, s: Style = PLAIN): string[] {
  const out = [`  ${s.green('fix:')} ${fix.title}${fix.safe ? '' : s.dim(' (review: may change behaviour)')}`];
  const lines = text.split(/\r\n?|\n/);
  const starts = lineStartsOf(text);
  for (const group of groupEdits(fix.edits)) {
    const first = Math.min(...group.map((e) => e.range.start.line));
    const last = Math.max(...group.map((e) => e.range.end.line));
    const from = starts[first] ?? text.length;
    const to = last + 1 < starts.length ? starts[last + 1] - 1 : text.length;
    const local = group.map((e) => ({
      range: {
        start: { line: 0, character: offsetAt(text, e.range.start, starts) - from },
        end: { line: 0, character: offsetAt(text, e.range.end, starts) - from },
      },
      newText: e.newText,
    }));
    let before = lines.slice(first, last + 1);
    let after = applyEdits(text.slice(from, to), local).text.split(/\r\n?|\n/);
    // keep only what differs
    while (before.length && after.length && before[0] === after[0]) { before = before.slice(1); after = after.slice(1); }
    while (before.length && after.length && before[before.length - 1] === after[after.length - 1]) { before = before.slice(0, -1); after = after.slice(0, -1); }
    const indent = commonIndent([...before, ...after]);
    const clip = (l: string) => { const t = l.slice(indent); return t.length > 160 ? t.slice(0, 157) + '...' : t; };
    for (const l of before.slice(0, 8)) out.push(s.red(`    - ${clip(l)}`));
    if (before.length > 8) out.push(s.dim(`      (${before.length - 8} more lines)`));
    for (const l of after.slice(0, 8)) out.push(s.green(`    + ${clip(l)}`));
    if (after.length > 8) out.push(s.dim(`      (${after.length - 8} more lines)`));
  }
  return out;
}

/** Edits on the same or adjacent lines are shown together. */
function groupEdits(edits: TextEdit[]): TextEdit[][] {
  const sorted = [...edits].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const groups: TextEdit[][] = [];
  for (const e of sorted) {
    const g = groups[groups.length - 1];
    if (g && e.range.start.line <= Math.max(...g.map((x) => x.range.end.line)) + 1) g.push(e);
    else groups.push([e]);
  }
  return groups;
}

function commonIndent(lines: string[]): number {
  let min = Infinity;
  for (const l of lines) {
    if (!l.trim()) continue;
    min = Math.min(min, l.length - l.trimStart().length);
  }
  return Number.isFinite(min) ? min : 0;
}
