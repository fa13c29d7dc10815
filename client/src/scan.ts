import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  ExportSarifRequest, ScanProgressNotification, ScanWorkspaceRequest,
  type ExportSarifParams, type ExportSarifResult, type ScanProgressParams, type ScanWorkspaceParams, type ScanWorkspaceResult,
} from './protocol';

/**
 * Workspace scan and SARIF export. The server walks the folders (honouring `.gitignore`, the
 * built-in skips and `secureHints.exclude`) and analyzes each file; the client shows progress,
 * and puts the findings of files that are not open into the Problems panel (open files get
 * their diagnostics from the server as usual).
 */
export class WorkspaceScan implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('secure-hints-scan');
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly getClient: () => LanguageClient | undefined, private readonly output: vscode.OutputChannel) {
    // an open file's diagnostics come from the server; drop the scan's copy to avoid doubles
    this.disposables.push(vscode.workspace.onDidOpenTextDocument((doc) => this.collection.delete(doc.uri)));
  }

  /** Runs the scan with a cancellable progress notification. Returns the result for tests. */
  async run(): Promise<ScanWorkspaceResult | undefined> {
    const client = this.getClient();
    const folders = fileFolders();
    if (!client || folders.length === 0) {
      void vscode.window.showInformationMessage('Secure Hints: open a folder to scan it.');
      return undefined;
    }
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Secure Hints: scanning workspace', cancellable: true },
      async (progress, token) => {
        let reported = 0;
        const listener = client.onNotification(ScanProgressNotification, (p: ScanProgressParams) => {
          const percent = p.total ? Math.floor((p.done / p.total) * 100) : 0;
          progress.report({ increment: percent - reported, message: `${p.done}/${p.total} ${p.current ?? ''}` });
          reported = percent;
        });
        const started = Date.now();
        try {
          const params: ScanWorkspaceParams = { folders: folders.map((f) => f.uri.toString()), exclude: excludes() };
          const result = await client.sendRequest<ScanWorkspaceResult>(ScanWorkspaceRequest, params, token);
          this.show(client, result);
          const findings = result.files.reduce((n, f) => n + f.diagnostics.length, 0);
          const summary = `${result.cancelled ? 'Scan cancelled after' : 'Scanned'} ${result.scanned} files in ${((Date.now() - started) / 1000).toFixed(1)} s: ${findings} findings in ${result.files.length} files.`;
          this.output.appendLine(summary);
          for (const n of result.notes) this.output.appendLine(`  ${vscode.Uri.parse(n.uri).fsPath}: ${n.note}`);
          if (findings > 0) void vscode.commands.executeCommand('workbench.actions.view.problems');
          void vscode.window.setStatusBarMessage(`Secure Hints: ${summary}`, 8000);
          return result;
        } catch (err) {
          if (token.isCancellationRequested) {
            this.output.appendLine('Scan cancelled.');
            return undefined;
          }
          throw err;
        } finally {
          listener.dispose();
        }
      },
    );
  }

  private show(client: LanguageClient, result: ScanWorkspaceResult): void {
    this.collection.clear();
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    for (const file of result.files) {
      const uri = client.protocol2CodeConverter.asUri(file.uri);
      if (open.has(uri.toString())) continue;
      this.collection.set(uri, file.diagnostics.map((d) => {
        const diag = new vscode.Diagnostic(client.protocol2CodeConverter.asRange(d.range), d.message, d.severity - 1);
        diag.source = d.source;
        diag.code = d.codeDescription ? { value: d.code, target: vscode.Uri.parse(d.codeDescription.href) } : d.code;
        return diag;
      }));
    }
  }

  /** Writes a SARIF report; asks where unless `target` is given (tests, tasks). */
  async exportSarif(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const client = this.getClient();
    const folders = fileFolders();
    if (!client || folders.length === 0) {
      void vscode.window.showInformationMessage('Secure Hints: open a folder to export a SARIF report.');
      return undefined;
    }
    target ??= await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(folders[0].uri, 'secure-hints.sarif'),
      filters: { SARIF: ['sarif', 'json'] },
      saveLabel: 'Export SARIF',
    });
    if (!target) return undefined;
    const params: ExportSarifParams = { folders: folders.map((f) => f.uri.toString()), exclude: excludes() };
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Secure Hints: exporting SARIF', cancellable: true },
      (_p, token) => client.sendRequest<ExportSarifResult>(ExportSarifRequest, params, token),
    );
    await vscode.workspace.fs.writeFile(target, Buffer.from(result.sarif, 'utf8'));
    this.output.appendLine(`SARIF report with ${result.results} results written to ${target.fsPath}`);
    void vscode.window.showInformationMessage(`Secure Hints: SARIF report with ${result.results} results written.`, 'Open').then((pick) => {
      if (pick === 'Open') void vscode.window.showTextDocument(target!);
    });
    return target;
  }

  dispose(): void {
    this.collection.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function fileFolders(): readonly vscode.WorkspaceFolder[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
}

function excludes(): string[] {
  return vscode.workspace.getConfiguration('secureHints').get<string[]>('exclude', []);
}
