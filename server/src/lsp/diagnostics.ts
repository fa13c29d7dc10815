/** Findings as LSP diagnostics: rule id as `code`, a docs link, and everything code actions need in `data`. */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Confidence, Finding, Fix, Severity, Step } from '../engine/types';
import { docsUrl } from './rule-docs';

export const SOURCE = 'secure-hints';

/** Carried in `Diagnostic.data`, so code actions never re-analyze. */
export interface DiagnosticData {
  ruleId: string;
  fixes: Fix[];
  confidence: Confidence;
  cwe: string[];
  owasp: string;
  dataPath?: Step[];
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding): Diagnostic {
  const data: DiagnosticData = { ruleId: f.ruleId, fixes: f.fixes, confidence: f.confidence, cwe: f.cwe, owasp: f.owasp, ...(f.dataPath ? { dataPath: f.dataPath } : {}) };
  return {
    range: f.range,
    severity: SEVERITY[f.severity],
    code: f.ruleId,
    codeDescription: { href: docsUrl(f.ruleId) },
    source: SOURCE,
    message: f.message,
    data,
  };
}

export function dataOf(d: Diagnostic): DiagnosticData | undefined {
  // some clients (Neovim 0.7) send back diagnostics without `source`
  if ((d.source !== undefined && d.source !== SOURCE) || !d.data || typeof d.data !== 'object') return undefined;
  const data = d.data as Partial<DiagnosticData>;
  return typeof data.ruleId === 'string' && Array.isArray(data.fixes) ? data as DiagnosticData : undefined;
}
