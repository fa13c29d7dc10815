'use strict';
// Activation: from the first supported file opening to its first diagnostics, on a 1,000-line
// file. The time is printed for the report (never asserted).
const assert = require('node:assert');
const vscode = require('vscode');
const h = require('./helpers');

describe('activation', () => {
  it('activates on a Python file and publishes its diagnostics (1,000-line file)', async () => {
    const ext = vscode.extensions.getExtension('secure-hints.secure-hints');
    assert.ok(ext, 'the extension is loaded');
    assert.strictEqual(ext.isActive, false, 'not active before a supported file opens');
    const body = [];
    for (let i = 0; body.length < 996; i++) {
      body.push(`def helper_${i}(values):`, `    total = sum(values) + ${i}`, `    return total * 2`, '');
    }
    const text = ['import random', '', ...body, 'def new_session_id():', '    return random.getrandbits(128)', ''].join('\n');
    const uri = h.writeFile('work/big_module.py', text);
    const started = Date.now();
    await h.open(uri);
    const api = await h.activate();
    const activatedAfter = Date.now() - started;
    const diagnostics = await h.waitForDiagnostics(uri, (d) => d.length > 0);
    const ms = Date.now() - started;
    h.log(`activation to first diagnostics on a ${text.split('\n').length}-line file: ${ms} ms (activate() returned and server initialized after ${activatedAfter} ms; server ready ${api.timings.serverReadyMs} ms after activate)`);
    console.log(`[suite] METRIC activation_ms=${ms}`);
    assert.ok(api.client(), 'the language client exists');
    assert.ok(diagnostics.some((d) => h.code(d) === 'weak-random'), h.describe(diagnostics));
    h.log(`workspace trusted: ${vscode.workspace.isTrusted} (the extension declares untrustedWorkspaces: supported)`);
  });
});
