'use strict';
// Commands: workspace scan into the Problems panel (honouring .gitignore and secureHints.exclude),
// SARIF export, the status shield, restart.
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const h = require('./helpers');

describe('workspace commands', () => {
  before(() => h.activate());
  after(() => h.setSetting('exclude', undefined));

  it('Scan Workspace fills the Problems panel with findings of unopened files, skipping ignored and excluded ones', async () => {
    const ws = h.workspaceDir();
    // created here: git would not commit a file its own .gitignore ignores
    h.writeFile('ignored/vendored.py', fs.readFileSync(path.join(ws, 'app/handler.py'), 'utf8'));
    await h.setSetting('exclude', ['excluded/**']);
    const handler = vscode.Uri.file(path.join(ws, 'app/handler.py'));
    assert.strictEqual(h.ours(handler).length, 0, 'nothing before the scan');
    const result = await vscode.commands.executeCommand('secureHints.scanWorkspace');
    assert.ok(result && !result.cancelled, 'the scan finished');
    const uris = result.files.map((f) => vscode.Uri.parse(f.uri).fsPath);
    h.log(`scanned ${result.scanned} files, findings in: ${uris.map((u) => path.relative(ws, u)).join(', ')}`);
    assert.ok(uris.includes(handler.fsPath), 'app/handler.py has findings');
    assert.ok(!uris.some((u) => u.includes(`${path.sep}ignored${path.sep}`)), '.gitignore honoured');
    assert.ok(!uris.some((u) => u.includes(`${path.sep}excluded${path.sep}`)), 'secureHints.exclude honoured');
    const shown = await h.waitForDiagnostics(handler, (d) => d.length > 0, 'scan results in the Problems panel');
    assert.ok(shown.some((d) => h.code(d) === 'sql-injection'), h.describe(shown));
    assert.strictEqual(h.ours(vscode.Uri.file(path.join(ws, 'excluded/generated.py'))).length, 0);
  });

  it('the status shield counts the findings by severity', async () => {
    const api = h.api();
    const all = vscode.languages.getDiagnostics().flatMap(([, ds]) => ds.filter((d) => d.source === 'secure-hints'));
    await h.waitFor('the shield to match the Problems panel', () => {
      const c = api.shield.findingCounts;
      return c.error + c.warning + c.info === all.length;
    });
    const errors = all.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
    assert.ok(errors > 0);
    assert.ok(api.shield.text.includes(`$(error) ${errors}`), api.shield.text);
    h.log(`shield: ${api.shield.text}`);
  });

  it('Export SARIF Report writes a SARIF 2.1.0 log with the findings', async () => {
    const target = vscode.Uri.file(path.join(h.workspaceDir(), 'out', 'report.sarif'));
    const written = await vscode.commands.executeCommand('secureHints.exportSarif', target);
    assert.strictEqual(written.fsPath, target.fsPath);
    const sarif = JSON.parse(fs.readFileSync(target.fsPath, 'utf8'));
    assert.strictEqual(sarif.version, '2.1.0');
    const results = sarif.runs[0].results;
    assert.ok(results.some((r) => r.ruleId === 'sql-injection' && r.locations[0].physicalLocation.artifactLocation.uri === 'app/handler.py'),
      JSON.stringify(results.map((r) => [r.ruleId, r.locations[0].physicalLocation.artifactLocation.uri])));
  });

  it('the walkthrough sample opens as a new Python file and shows its finding', async () => {
    const editor = await vscode.commands.executeCommand('secureHints.openSample');
    assert.strictEqual(editor.document.uri.scheme, 'untitled');
    assert.strictEqual(editor.document.languageId, 'python');
    const shown = await h.waitForDiagnostics(editor.document.uri, (d) => d.some((x) => h.code(x) === 'sql-injection'), 'the sample\'s sql-injection');
    assert.strictEqual(shown[0].severity, vscode.DiagnosticSeverity.Error);
  });

  it('Restart Server brings the diagnostics of open files back', async () => {
    const uri = h.copyFixture('tokens.py');
    await h.open(uri);
    await h.waitForDiagnostics(uri, (d) => d.length > 0);
    await vscode.commands.executeCommand('secureHints.restartServer');
    await h.waitForDiagnostics(uri, (d) => d.length > 0, 'diagnostics after the restart');
  });
});
