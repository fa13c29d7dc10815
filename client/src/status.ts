import * as vscode from 'vscode';

export const SOURCE = 'secure-hints';

/**
 * The shield in the status bar: the number of Secure Hints findings in the workspace by severity
 * (open files and the last workspace scan). A click opens the Problems panel. When the active file
 * was skipped or analyzed only in part, the shield says so.
 */
export class StatusShield implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('secureHints.status', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [];
  private readonly notes = new Map<string, string[]>();
  private timer: NodeJS.Timeout | undefined;
  private counts = { error: 0, warning: 0, info: 0 };

  constructor() {
    this.item.name = 'Secure Hints';
    this.item.command = 'workbench.actions.view.problems';
    this.disposables.push(
      vscode.languages.onDidChangeDiagnostics(() => this.schedule()),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
    );
    this.update();
    this.item.show();
  }

  /** Remembers why a file was skipped or cut short (shown while it is the active file). */
  setNotes(uri: string, notes: string[]): void {
    if (notes.length) this.notes.set(uri, notes);
    else this.notes.delete(uri);
    this.schedule();
  }

  /** What the shield shows, for tests and the walkthrough. */
  get text(): string {
    return this.item.text;
  }

  get findingCounts(): { error: number; warning: number; info: number } {
    return { ...this.counts };
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), 100);
  }

  update(): void {
    const counts = { error: 0, warning: 0, info: 0 };
    for (const [, diagnostics] of vscode.languages.getDiagnostics()) {
      for (const d of diagnostics) {
        if (d.source !== SOURCE) continue;
        if (d.severity === vscode.DiagnosticSeverity.Error) counts.error++;
        else if (d.severity === vscode.DiagnosticSeverity.Warning) counts.warning++;
        else counts.info++;
      }
    }
    this.counts = counts;
    const active = vscode.window.activeTextEditor?.document.uri.toString();
    const notes = active ? this.notes.get(active) : undefined;
    const total = counts.error + counts.warning + counts.info;
    const parts = [`$(shield) ${total === 0 ? '0' : ''}`.trimEnd()];
    if (counts.error) parts.push(`$(error) ${counts.error}`);
    if (counts.warning) parts.push(`$(warning) ${counts.warning}`);
    if (counts.info) parts.push(`$(info) ${counts.info}`);
    if (notes) parts.push(notes.some((n) => n.startsWith('skipped')) ? '$(circle-slash) skipped' : '$(watch) partial');
    this.item.text = parts.join(' ');
    const lines = [
      total === 0
        ? 'Secure Hints: no security findings'
        : `Secure Hints: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.info, 'hint')}`,
      'Click to open the Problems panel.',
    ];
    if (notes) lines.unshift(`This file: ${notes.join('; ')}`);
    this.item.tooltip = lines.join('\n');
    this.item.backgroundColor = counts.error ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.item.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
