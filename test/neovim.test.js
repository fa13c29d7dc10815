'use strict';
// A real editor as the client: Neovim (Debian's package), headless, with its built-in LSP client
// talking to `secure-hints lsp --stdio`. It receives the diagnostics and applies a quick fix.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { project, remove, bin } = require('./helpers/cli');
const { pyCommand, tsToken } = require('./helpers/samples');

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const haveNvim = !nvim.error && nvim.status === 0;

describe('Neovim as the LSP client', function () {
  // every case starts real processes; a loaded CI machine is slow to start them
  this.timeout(300000);
  before(function () {
    if (!haveNvim) {
      console.log('    (skipped: nvim is not installed; `apt-get install neovim`, as .ci/run does)');
      this.skip();
    }
  });

  const cases = [
    { name: 'app.py', sample: pyCommand, check: (text) => assert.doesNotMatch(text, /shell=True/) },
    { name: 'session.ts', sample: tsToken, check: (text) => assert.doesNotMatch(text, /Math\.random/) },
  ];
  for (const { name, sample, check } of cases) {
    it(`shows ${sample.rule} in ${name} and applies the preferred quick fix`, function () {
      const dir = project({ [name]: sample.text });
      try {
        const resultFile = path.join(dir, 'result.json');
        const r = spawnSync('nvim', ['--headless', '-n', '-u', 'NONE', '-i', 'NONE', '-c', `luafile ${path.join(__dirname, 'helpers', 'neovim-quickfix.lua')}`], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 240000,
          env: { ...process.env, SH_NODE: process.execPath, SH_BIN: bin, SH_ROOT: dir, SH_FILE: path.join(dir, name), SH_RESULT: resultFile },
        });
        assert.ok(fs.existsSync(resultFile), `nvim wrote no result (status ${r.status}, signal ${r.signal}): ${r.stdout}${r.stderr}`);
        const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
        assert.strictEqual(result.error, undefined, `${result.error}\nsteps: ${result.steps.join(', ')}`);
        assert.strictEqual(r.status, 0);
        assert.deepStrictEqual(result.diagnostics.map((d) => [d.code, d.line, d.source]), [[sample.rule, sample.line, 'secure-hints']]);
        assert.ok(result.actions.includes(result.applied));
        assert.ok(result.actions.some((t) => t.startsWith('Ignore ')));
        const saved = fs.readFileSync(path.join(dir, name), 'utf8');
        assert.strictEqual(saved.replace(/\n$/, ''), result.text);
        check(saved);
      } finally {
        remove(dir);
      }
    });
  }
});
