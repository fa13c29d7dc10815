'use strict';
// The language server's memory over a long editing session: a generated 1,000-line Python file, N one-character
// incremental didChange edits (default 10,000), diagnostics awaited every 50 edits; RSS of the server process
// (its analysis worker included) after 200 edits and at the end. Needs dist/ (npm run build):
//   node scripts/lsp-session-memory.cjs [N]
const path = require('path'); const fs = require('fs'); const os = require('os');
const { LspClient } = require(path.join(__dirname, '..', 'test', 'helpers', 'lsp-client'));
const src = fs.readFileSync(path.join(__dirname, 'bench.mjs'), 'utf8');
const start = src.indexOf('function pythonBlock'); const end = src.indexOf('console.log(\'Secure Hints benchmark');
const generate = new Function(src.slice(start, end) + '; return generate;')();
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-mem-'));
  const client = new LspClient({ workspaceFolder: dir, settings: { timeBudgetMs: 30000 } });
  await client.initialize();
  const file = path.join(dir, 'big.py');
  const uri = require('url').pathToFileURL(file).href;
  const text = generate('python', 1000);
  await client.open(file, text, 'python', 1);
  await client.waitForDiagnostics(file, (p) => p.version === 1);
  const N = +process.argv[2] || 10000;
  const line = 500;
  let version = 1; let before;
  const t0 = Date.now();
  for (let i = 0; i < N; i++) {
    version++;
    const change = i % 2 === 0
      ? { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: 'x' }
      : { range: { start: { line, character: 0 }, end: { line, character: 1 } }, text: '' };
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    if (i % 50 === 49) await client.waitForDiagnostics(file, (p) => p.version === version);
    if (i === 199) before = rss(client.child.pid);
  }
  const after = rss(client.child.pid);
  console.log(`LSP ${N}-edit session (analysis every 50 edits, ${Math.round(N / 50)} analyses + debounced ones): RSS ${before.toFixed(0)} MB after 200 edits, ${after.toFixed(0)} MB after ${N} (${(100 * (after - before) / before).toFixed(1)}%), ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  await client.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
})();
