/**
 * SARIF 2.1.0 as GitHub code scanning reads it: rules with help and security metadata, results with
 * one primary location relative to the scanned root, stable fingerprints, fixes as artifact changes,
 * and suppressed findings kept with `suppressions`.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { rules } from '../rules';
import type { Finding, Range, RuleMeta, Severity } from '../engine/types';
import { docsUrl, ruleDoc } from '../lsp/rule-docs';
import type { FileResult, ScanResult } from './scan';
import { VERSION } from './version';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };
const PRECISION = { high: 'high', medium: 'medium', low: 'low' } as const;

export function toSarif(result: ScanResult): object {
  const index = new Map<string, number>();
  rules.forEach((r, i) => index.set(r.meta.id, i));
  const results = result.files.flatMap((file) => fileResults(file, index));
  const notes = result.files.flatMap((file) => file.notes.map((n) => ({
    level: 'note',
    message: { text: `${file.rel}: ${n}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: encodePath(file.rel), uriBaseId: 'SRCROOT' } } }],
  })));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'Secure Hints',
          semanticVersion: VERSION,
          version: VERSION,
          informationUri: 'https://github.com/secure-hints/secure-hints',
          rules: rules.map((r) => sarifRule(r.meta)),
        },
      },
      originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(result.root).href.replace(/\/?$/, '/') } },
      invocations: [{ executionSuccessful: true, toolExecutionNotifications: notes }],
      results,
      columnKind: 'utf16CodeUnits',
    }],
  };
}

function sarifRule(meta: RuleMeta): object {
  const doc = ruleDoc(meta.id);
  const owasp = /^A(\d\d)/.exec(meta.owasp)?.[1];
  return {
    id: meta.id,
    name: meta.id.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join(''),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.description },
    help: { text: meta.description, markdown: doc?.markdown ?? `${meta.description}\n\n[Documentation](${docsUrl(meta.id)})` },
    helpUri: docsUrl(meta.id),
    defaultConfiguration: { level: meta.defaultOff ? 'none' : LEVEL[meta.severity] },
    properties: {
      tags: ['security', ...meta.cwe.map((c) => `external/cwe/${c.toLowerCase()}`), ...(owasp ? [`owasp-a${owasp}`] : [])],
      precision: PRECISION[meta.confidence],
      'security-severity': meta.securitySeverity.toFixed(1),
    },
  };
}

function fileResults(file: FileResult, index: Map<string, number>): object[] {
  const lines = file.text?.split(/\r\n?|\n/) ?? [];
  const occurrences = new Map<string, number>();
  return file.findings.map((f) => {
    const artifactLocation = { uri: encodePath(file.rel), uriBaseId: 'SRCROOT' };
    const lineHash = fingerprint(f, lines, occurrences);
    return {
      ruleId: f.ruleId,
      ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ physicalLocation: { artifactLocation, region: region(f.range) } }],
      partialFingerprints: { primaryLocationLineHash: lineHash },
      ...(f.fixes.length > 0 ? {
        fixes: f.fixes.map((fix) => ({
          description: { text: fix.title },
          artifactChanges: [{
            artifactLocation,
            replacements: fix.edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
          }],
        })),
      } : {}),
      ...(f.suppressed ? { suppressions: [{ kind: 'inSource', justification: f.suppressed.reason || 'no reason given' }] } : {}),
      properties: {
        confidence: f.confidence,
        cwe: f.cwe,
        owasp: f.owasp,
        ...(f.dataPath ? { dataPath: f.dataPath.map((s) => ({ description: s.description, line: s.line + 1, ...(s.file ? { file: s.file } : {}) })) } : {}),
        ...f.properties,
      },
    };
  });
}

/** SARIF regions are 1-based; the end column is exclusive. An insertion is an empty region. */
function region(range: Range): object {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

/** Stable across unrelated edits: the rule, the finding line's text without spaces, and its occurrence count. */
function fingerprint(f: Finding, lines: string[], occurrences: Map<string, number>): string {
  const line = (lines[f.range.start.line] ?? '').replace(/\s+/g, '');
  const hash = createHash('sha256').update(`${f.ruleId}\u0000${line}`).digest('hex').slice(0, 16);
  const n = (occurrences.get(hash) ?? 0) + 1;
  occurrences.set(hash, n);
  return `${hash}:${n}`;
}

function encodePath(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}
