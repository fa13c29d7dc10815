'use strict';
const assert = require('node:assert');
const vscode = require('vscode');
describe('smoke', () => {
  it('runs inside VS Code', () => {
    assert.ok(vscode.version);
    console.log('[suite] VS Code ' + vscode.version);
  });
});
