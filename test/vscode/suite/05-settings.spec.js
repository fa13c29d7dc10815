'use strict';
// Settings changes re-analyze open files without a restart.
const assert = require('node:assert');
const vscode = require('vscode');
const h = require('./helpers');

describe('settings', () => {
  before(() => h.activate());
  afterEach(async () => {
    await h.setSetting('rules', undefined);
    await h.setSetting('enable', undefined);
  });

  it('a per-rule override changes the severity, and "off" hides the rule', async () => {
    const uri = h.copyFixture('sql.py');
    await h.open(uri);
    await h.waitForDiagnostics(uri, (d) => d.some((x) => h.code(x) === 'sql-injection' && x.severity === vscode.DiagnosticSeverity.Error));
    await h.setSetting('rules', { 'sql-injection': 'hint' });
    await h.waitForDiagnostics(uri, (d) => d.some((x) => h.code(x) === 'sql-injection' && x.severity === vscode.DiagnosticSeverity.Hint), 'sql-injection as a hint');
    await h.setSetting('rules', { 'sql-injection': 'off' });
    const left = await h.waitForDiagnostics(uri, (d) => !d.some((x) => h.code(x) === 'sql-injection'), 'sql-injection off');
    assert.ok(left.every((d) => h.code(d) !== 'sql-injection'));
    await h.setSetting('rules', undefined);
    await h.waitForDiagnostics(uri, (d) => d.some((x) => h.code(x) === 'sql-injection'), 'sql-injection back');
  });

  it('secureHints.enable = false clears the findings; true brings them back', async () => {
    const uri = h.copyFixture('Profile.tsx');
    await h.open(uri);
    await h.waitForDiagnostics(uri, (d) => d.length > 0);
    await h.setSetting('enable', false);
    await h.waitForDiagnostics(uri, (d) => d.length === 0, 'no findings while disabled');
    await h.setSetting('enable', true);
    await h.waitForDiagnostics(uri, (d) => d.length > 0, 'findings again');
  });
});
