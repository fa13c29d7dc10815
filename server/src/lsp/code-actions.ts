/**
 * Code actions from the findings of the analyzed version: each fix (the preferred one first),
 * fix all of a rule in the file, fix all safe problems (also as `source.fixAll.secureHints`),
 * ignore on this line, show documentation.
 */
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, Fix } from '../engine/types';
import { rules } from '../rules';
import { dataOf, toDiagnostic } from './diagnostics';
import { ignoreEdit } from './ignore-comment';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.secureHints`;
export const SHOW_DOCS_COMMAND = 'secureHints.showRuleDocumentation';

export interface ActionInput {
  params: CodeActionParams;
  document: TextDocument;
  languageId: string;
  /** The findings of the analysis of `document`'s current version. */
  findings: Finding[];
  documentChanges: boolean;
}

export function codeActions(input: ActionInput): CodeAction[] {
  const { params, document, findings } = input;
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(o + '.'));
  const edit = (edits: TextEdit[]): WorkspaceEdit => input.documentChanges
    ? { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits }] }
    : { changes: { [document.uri]: edits } };
  const open = findings.filter((f) => !f.suppressed);
  const actions: CodeAction[] = [];
  const safeFixable = open.filter((f) => preferredFix(f)?.safe);

  if (wants(CodeActionKind.QuickFix)) {
    const seenRules = new Set<string>();
    for (const d of params.context.diagnostics) {
      const data = dataOf(d);
      // a diagnostic of another version (past the end of this one) or without a range: nothing to offer
      if (!data || !inDocument(d, document)) continue;
      data.fixes.forEach((fix) => {
        actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: fix.preferred === true, edit: edit(fix.edits) });
      });
      if (!seenRules.has(data.ruleId)) {
        seenRules.add(data.ruleId);
        const sameRule = safeFixable.filter((f) => f.ruleId === data.ruleId);
        if (sameRule.length > 1) {
          actions.push({
            title: `Fix all ${data.ruleId} problems in this file (${sameRule.length})`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            edit: edit(combinedEdits(sameRule)),
          });
        }
      }
      const ignore = ignoreEdit(document, input.languageId, d.range.start.line, data.ruleId);
      if (ignore) actions.push({ title: `Ignore ${data.ruleId} on this line`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: edit([ignore]) });
      actions.push({
        title: `Show documentation for ${data.ruleId}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        command: { title: `Show documentation for ${data.ruleId}`, command: SHOW_DOCS_COMMAND, arguments: [data.ruleId] },
      });
    }
    if (actions.length > 0 && safeFixable.length > 0) {
      actions.push({ title: `Fix all safe problems in this file (${safeFixable.length})`, kind: CodeActionKind.QuickFix, edit: edit(combinedEdits(safeFixable)) });
    }
  }
  // only on explicit request (`only`), so format-on-save runs it when the user opted in
  if (only && wants(FIX_ALL_KIND) && safeFixable.length > 0) {
    actions.push({ title: 'Fix all safe Secure Hints problems', kind: FIX_ALL_KIND, edit: edit(combinedEdits(safeFixable)) });
  }
  return actions;
}

function inDocument(d: Diagnostic, document: TextDocument): boolean {
  const r = d.range as Diagnostic['range'] | undefined;
  const ok = (p: { line: number; character: number } | undefined) => !!p && Number.isInteger(p.line) && Number.isInteger(p.character)
    && p.line >= 0 && p.character >= 0 && p.line < document.lineCount;
  return !!r && ok(r.start) && ok(r.end);
}

export function preferredFix(f: Finding): Fix | undefined {
  return f.fixes.find((x) => x.preferred) ?? f.fixes[0];
}

/**
 * The preferred fixes of several findings as one edit list: a fix overlapping one already taken is
 * left for the next run, and identical edits (two fixes adding the same import) are applied once.
 */
export function combinedEdits(findings: Finding[]): TextEdit[] {
  const taken: TextEdit[] = [];
  const key = (e: TextEdit) => `${e.range.start.line}:${e.range.start.character}:${e.range.end.line}:${e.range.end.character}:${e.newText}`;
  const keys = new Set<string>();
  const before = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character < b.character);
  const overlaps = (a: TextEdit, b: TextEdit) => before(a.range.start, b.range.end) && before(b.range.start, a.range.end);
  for (const f of findings) {
    const fix = preferredFix(f);
    if (!fix) continue;
    const fresh = fix.edits.filter((e) => !keys.has(key(e)));
    if (fresh.some((e) => taken.some((t) => overlaps(e, t)))) continue;
    for (const e of fresh) { taken.push(e); keys.add(key(e)); }
  }
  return taken;
}

/** Diagnostics of the cached findings that intersect a range (for clients that send none). */
export function diagnosticsAt(findings: Finding[], line: number): Diagnostic[] {
  return findings.filter((f) => !f.suppressed && f.range.start.line <= line && f.range.end.line >= line).map(toDiagnostic);
}

export function ruleTitle(id: string): string {
  return rules.find((r) => r.meta.id === id)?.meta.title ?? id;
}
