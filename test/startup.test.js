'use strict';
// Start-up (issue 14): a freshly started language server publishes the first diagnostics of an open
// Python file, and what a Python file needs does not load TypeScript (it ships beside the bundle as
// dist/typescript.js and loads on first use). Timings are the benchmark's (npm run bench), not asserted here.
const assert = require('assert');
const path = require('path');
const { spawnSync } = require('child_process');
const { LspClient } = require('./helpers/lsp-client');
const { project, remove, root } = require('./helpers/cli');
const { tsExec } = require('./helpers/samples');

const FLASK = [
  'import sqlite3',
  'from flask import Flask, request',
  '',
  'app = Flask(__name__)',
  '',
  '',
  '@app.route("/user")',
  'def user():',
  '    name = request.args.get("name")',
  '    db = sqlite3.connect("app.db")',
  '    return str(db.execute(f"SELECT * FROM users WHERE name = \'{name}\'").fetchall())',
  '',
].join('\n');

describe('language server start-up', function () {
  this.timeout(300000);

  for (const [label, env] of [['with the analysis worker', {}], ['on the main thread (no worker)', { SECURE_HINTS_NO_ANALYSIS_WORKER: '1' }]]) {
    it(`publishes the first diagnostics of a Python file opened right after start-up, ${label}`, async function () {
      const dir = project({ 'app.py': FLASK });
      const file = path.join(dir, 'app.py');
      const client = new LspClient({ workspaceFolder: dir, env });
      try {
        await client.initialize();
        await client.open(file, FLASK, 'python');
        const { diagnostics } = await client.waitForDiagnostics(file, (p) => Array.isArray(p.diagnostics));
        assert.deepStrictEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['sql-injection', 10]], JSON.stringify(diagnostics));
      } finally {
        await client.shutdown();
        remove(dir);
      }
    });
  }

  it('a TSX file opened first gets its diagnostics (TypeScript loaded on demand in the worker)', async function () {
    const tsx = 'export function Post({ body }: { body: string }) {\n  return <div dangerouslySetInnerHTML={{ __html: body }} />;\n}\n';
    const dir = project({ 'post.tsx': tsx });
    const file = path.join(dir, 'post.tsx');
    const client = new LspClient({ workspaceFolder: dir });
    try {
      await client.initialize();
      await client.open(file, tsx, 'typescriptreact');
      const { diagnostics } = await client.waitForDiagnostics(file, (p) => Array.isArray(p.diagnostics));
      assert.deepStrictEqual(diagnostics.map((d) => d.range.start.line), [1], JSON.stringify(diagnostics));
      assert.deepStrictEqual(client.analysisNotes, [], 'no time-budget note: loading TypeScript is not analysis time');
    } finally {
      await client.shutdown();
      remove(dir);
    }
  });

  it('the bundle loads without TypeScript, analyzes Python without it, and loads it for a TS file', function () {
    const probe = `
      const engine = require(${JSON.stringify(path.join(root, 'dist', 'server.js'))});
      const loaded = () => Object.keys(require.cache).some((k) => k.endsWith('typescript.js'));
      const seen = [loaded()];
      engine.ready().then(() => {
        const py = engine.analyze('app.py', undefined, ${JSON.stringify(FLASK)});
        seen.push(loaded());
        const ts = engine.analyze('a.ts', undefined, ${JSON.stringify(tsExec.text)});
        seen.push(loaded());
        console.log(JSON.stringify({ seen, py: py.map((f) => f.ruleId), ts: ts.map((f) => f.ruleId) }));
      });`;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 120000 });
    assert.strictEqual(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop());
    assert.deepStrictEqual(out.seen, [false, false, true]);
    assert.deepStrictEqual(out.py, ['sql-injection']);
    assert.deepStrictEqual(out.ts, ['command-injection']);
  });
});
