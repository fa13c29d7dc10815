/**
 * Hover on a finding: what is wrong, why it matters (CWE, OWASP with links), the data path when the
 * rule knows it, a safe example from the rule's docs page, and a link to that page.
 */
import type { Hover, Position } from 'vscode-languageserver';
import { languageFor } from '../engine/languages';
import type { Finding, Step } from '../engine/types';
import { rules } from '../rules';
import { cweUrl, docsUrl, owaspUrl, safeExample } from './rule-docs';

export function hoverAt(findings: Finding[], position: Position, uri: string, languageId: string): Hover | null {
  const here = findings.filter((f) => !f.suppressed && contains(f, position));
  if (here.length === 0) return null;
  const language = languageFor(uri, languageId) ?? 'javascript';
  return {
    contents: { kind: 'markdown', value: here.map((f) => hoverMarkdown(f, language)).join('\n\n---\n\n') },
    range: here[0].range,
  };
}

function contains(f: Finding, p: Position): boolean {
  const { start, end } = f.range;
  const afterStart = p.line > start.line || (p.line === start.line && p.character >= start.character);
  const beforeEnd = p.line < end.line || (p.line === end.line && p.character <= end.character);
  return afterStart && beforeEnd;
}

export function hoverMarkdown(f: Finding, language: string): string {
  const meta = rules.find((r) => r.meta.id === f.ruleId)?.meta;
  const out: string[] = [];
  out.push(`**${meta?.title ?? f.ruleId}** · \`${f.ruleId}\` · ${f.severity} (${f.confidence} confidence)`);
  out.push(f.message);
  if (f.details) out.push(f.details);
  if (f.dataPath && f.dataPath.length > 0) out.push(`**Data path:** ${dataPathText(f.dataPath)}`);
  if (meta) out.push(`**Why it matters:** ${meta.description}`);
  const refs = [...f.cwe.map((c) => `[${c}](${cweUrl(c)})`), f.owasp ? `[OWASP ${f.owasp}](${owaspUrl(f.owasp)})` : ''].filter(Boolean);
  if (refs.length) out.push(refs.join(' · '));
  const example = safeExample(f.ruleId, language);
  if (example) out.push(`**Safe example:**\n\n\`\`\`${example.lang}\n${example.code}\n\`\`\``);
  out.push(`[Rule documentation](${docsUrl(f.ruleId)})`);
  return out.join('\n\n');
}

/** "`request.args['q']` on line 12 reaches this query", with the steps in between. */
export function dataPathText(path: Step[]): string {
  const [source, ...steps] = path;
  const code = (d: string) => (d.includes('`') ? d : `\`${d}\``);
  const at = (s: Step) => (s.file ? `${s.file.slice(Math.max(s.file.lastIndexOf('/'), s.file.lastIndexOf('\\')) + 1)}:${s.line + 1}` : `line ${s.line + 1}`);
  const parts = [`${code(source.description)} ${source.file ? 'at' : 'on'} ${at(source)}`];
  for (const s of steps) parts.push(`${code(s.description)} (${at(s)})`);
  return `${parts.join(' → ')} reaches this code.`;
}
