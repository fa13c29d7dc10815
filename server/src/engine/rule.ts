import type { Confidence, Finding, Fix, Range, RuleMeta, Severity, SinkClass, Step, Value } from './types';

/** What a detector hands to `report`. Severity and confidence follow the evidence when `value` is given. */
export interface Report {
  range: Range;
  message: string;
  severity?: Severity;
  confidence?: Confidence;
  fixes?: Fix[];
  /** The data-flow value that reached the sink: sets severity, confidence and the data path. */
  value?: Value;
  details?: string;
  properties?: Record<string, unknown>;
  /** The data path, when the rule builds it itself (across files: a render call filling a template). */
  dataPath?: Step[];
}

export type Evidence = 'tainted' | 'unknown' | 'safe';

/** Is `value` dangerous for a sink of class `sink`? Constants and values cleared for that sink are safe. */
export function evidence(value: Value, sink: SinkClass): Evidence {
  if (value.kind === 'constant') return 'safe';
  if (value.cleared?.includes(sink)) return 'safe';
  return value.kind;
}

/** "`request.args['q']` (line 12)" or "a value of unknown origin". */
export function describeSource(value: Value): string {
  if (value.kind === 'tainted') return `\`${value.source.description}\` (line ${value.source.line + 1})`;
  if (value.kind === 'unknown') return 'a value of unknown origin';
  return 'a constant';
}

/** Collects findings for one rule in one file. */
export class Reporter {
  readonly findings: Finding[] = [];
  constructor(private readonly meta: RuleMeta) {}

  report(r: Report): void {
    let severity = r.severity ?? this.meta.severity;
    let confidence = r.confidence ?? this.meta.confidence;
    let dataPath: Step[] | undefined;
    if (r.value && r.severity === undefined) {
      if (r.value.kind === 'tainted') {
        severity = 'error';
        confidence = r.confidence ?? 'high';
      } else if (r.value.kind === 'unknown') {
        severity = this.meta.severity === 'error' ? 'warning' : this.meta.severity;
        confidence = r.confidence ?? 'medium';
      }
    }
    if (r.value?.kind === 'tainted') {
      dataPath = [{ description: r.value.source.description, line: r.value.source.line }, ...r.value.path];
    }
    if (r.dataPath) dataPath = r.dataPath;
    const fixes = (r.fixes ?? []).filter((f) => f.edits.length > 0);
    if (fixes.length > 0 && !fixes.some((f) => f.preferred)) fixes[0] = { ...fixes[0], preferred: true };
    this.findings.push({
      ruleId: this.meta.id,
      range: r.range,
      message: r.message,
      severity,
      confidence,
      cwe: this.meta.cwe,
      owasp: this.meta.owasp,
      fixes,
      ...(dataPath ? { dataPath } : {}),
      ...(r.details ? { details: r.details } : {}),
      ...(r.properties ? { properties: r.properties } : {}),
    });
  }
}
