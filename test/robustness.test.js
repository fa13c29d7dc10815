'use strict';
// Hostile and generated input through the real interfaces: one bad file never costs the others their
// findings, nothing runs super-linearly on user text, special files are never read, bad configuration
// falls back to defaults.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { run, project, remove } = require('./helpers/cli');
const { LspClient } = require('./helpers/lsp-client');
const { engine, ready } = require('./helpers/engine');

const pyCommand = 'import os\nos.system(input())\n';
const jsCommand = 'const cp = require("child_process");\nconst express = require("express");\nconst app = express();\n'
  + 'app.get("/b", (req, res) => { cp.exec("ls " + req.query.dir); });\n';

/** The findings of a JSON report as "path:line:rule", sorted. */
function findingKeys(stdout) {
  return JSON.parse(stdout).findings.map((f) => `${f.path}:${f.line}:${f.ruleId}`).sort();
}

function notesOf(stdout) {
  return JSON.parse(stdout).notes;
}

describe('robustness', function () {
  this.timeout(300000);
  const dirs = [];
  const make = (files) => { const d = project(files); dirs.push(d); return d; };
  after(() => dirs.forEach(remove));
  before(() => ready);

  describe('one file never costs the others their findings', function () {
    const deep = {
      'deep-array.js': `const a = ${'['.repeat(3000)}${']'.repeat(3000)};\n`,
      'deep-parens.ts': `const b = ${'('.repeat(3000)}1${')'.repeat(3000)};\n`,
      'deep-object.js': `const c = ${'{a:'.repeat(2000)}1${'}'.repeat(2000)};\n`,
      // one element a line: a long single line would be skipped as minified
      'deep-jsx.tsx': `const d = ${'<div>\n'.repeat(30000)}${'</div>\n'.repeat(30000)};\n`,
      'deep.vue': `<template><div></div></template>\n<script>\nexport default ${'['.repeat(3000)}${']'.repeat(3000)};\n</script>\n`,
    };

    it('a deeply nested JS/TS/JSX/Vue file gets a note; one and several workers report the same', function () {
      // too deep even for a worker thread's stack
      const deepest = `const e = ${'[\n'.repeat(40000)}${']\n'.repeat(40000)};\n`;
      const files = { ...deep, 'deepest.js': deepest, 'app.py': pyCommand, 'server.js': jsCommand };
      // enough files for the parallel path (64 or more)
      for (let i = 0; i < 70; i++) files[`filler/f${i}.py`] = `x${i} = ${i}\n`;
      const dir = make(files);
      const one = run(['scan', '.', '--jobs', '1', '--format', 'json', '--fail-on', 'none'], { cwd: dir });
      assert.strictEqual(one.status, 0, one.stderr);
      const two = run(['scan', '.', '--jobs', '2', '--format', 'json', '--fail-on', 'none'], { cwd: dir });
      assert.strictEqual(two.status, 0, two.stderr);
      const keys = findingKeys(one.stdout);
      assert.deepStrictEqual(keys, ['app.py:2:command-injection', 'server.js:4:command-injection']);
      assert.deepStrictEqual(findingKeys(two.stdout), keys);
      assert.ok(notesOf(one.stdout).some((n) => n.path === 'deepest.js' && /nested too deeply/.test(n.message)), one.stdout);
      const notes = (out) => notesOf(out).map((n) => `${n.path}: ${n.message}`).sort();
      assert.deepStrictEqual(notes(two.stdout), notes(one.stdout));
    });

    it('--fix on a deeply nested file does not stop the scan', function () {
      const dir = make({ 'deep-array.js': deep['deep-array.js'], 'app.py': pyCommand });
      const r = run(['scan', '.', '--jobs', '1', '--fix', '--format', 'json', '--fail-on', 'none'], { cwd: dir });
      assert.strictEqual(r.status, 0, r.stderr);
    });

    it('a chain of 1,000 JS functions calling each other keeps the file\'s findings, with a note', async function () {
      let chain = 'app.get("/c", (req, res) => { f0(req.query.q); });\n';
      for (let i = 0; i < 1000; i++) chain += `function f${i}(x) { f${i + 1}(x); }\n`;
      chain += 'function f1000(x) { cp.exec(x); }\n';
      const lines = jsCommand.split('\n');
      const text = [...lines.slice(0, 3), 'app.get("/a", (req, res) => { cp.exec(req.query.cmd); });', chain + lines[3], ''].join('\n');
      const r = engine.analyzeDetailed('chain.js', undefined, text);
      const injections = r.findings.filter((f) => f.ruleId === 'command-injection').map((f) => f.range.start.line);
      assert.deepStrictEqual(injections, [3, 1006], JSON.stringify(r.notes));
      assert.ok(!r.notes.some((n) => /failed/.test(n)), r.notes.join('\n'));
      assert.ok(r.notes.some((n) => /chain of more than \d+ functions/.test(n)), r.notes.join('\n'));
    });
  });

  describe('time: a budget per file, and no super-linear paths', function () {
    /** CPU milliseconds of one analysis (CPU, not wall clock: the test machine is shared). */
    const cpuMs = (path, text, options) => {
      const c0 = process.cpuUsage();
      const r = engine.analyzeDetailed(path, undefined, text, {}, options);
      const c = process.cpuUsage(c0);
      return { ms: (c.user + c.system) / 1000, result: r };
    };

    it('the CLI stops a file over --time-budget with a note naming the file and the rule, and goes on', function () {
      let big = 'import os\n';
      for (let i = 0; i < 1500; i++) big += `def f${i}(a):\n    b = a + "x"\n    if b:\n        os.system(b)\n    return b\n`;
      const dir = make({ 'big.py': big, 'app.py': pyCommand });
      const r = run(['scan', '.', '--jobs', '1', '--time-budget', '1', '--format', 'json', '--fail-on', 'none'], { cwd: dir });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.ok(findingKeys(r.stdout).includes('app.py:2:command-injection'), r.stdout);
      const note = notesOf(r.stdout).find((n) => n.path === 'big.py');
      assert.match(note?.message ?? '', /big\.py is over the 1 ms time budget \(timeBudgetMs\)( while rule [a-z0-9-]+ was running)?/, r.stdout);
      assert.strictEqual(run(['scan', '.', '--time-budget', '-5'], { cwd: dir }).status, 2);
    });

    it('the engine keeps the findings made before the budget ran out', function () {
      let text = 'import os\nos.system(input())\n';
      for (let i = 0; i < 1500; i++) text += `def f${i}(a):\n    return a + "x"\n`;
      const { result } = cpuMs('m.py', text, { timeBudgetMs: 1 });
      assert.ok(result.notes.some((n) => /time budget/.test(n)), result.notes.join('\n'));
    });

    it('Python: 32,000 concatenated string literals analyze in linear time', function () {
      const text = 'x = ' + Array.from({ length: 32000 }, (_, i) => `"a${i}"`).join(' + ') + '\n';
      const { ms, result } = cpuMs('concat.py', text);
      assert.deepStrictEqual(result.notes, []);
      assert.ok(ms < 8000, `${Math.round(ms)} ms of CPU (was 77 s)`);
    });

    it('Python: 20,000 nested calls analyze in linear time', function () {
      const text = 'x = ' + 'f('.repeat(20000) + '1' + ')'.repeat(20000) + '\n';
      const { ms } = cpuMs('nested.py', text);
      assert.ok(ms < 7000, `${Math.round(ms)} ms of CPU (was 14 s)`);
    });
  });

  describe('special files are never read: FIFOs, devices, links out of the workspace, huge files', function () {
    /** A repository (a .git folder) with app.py and whatever `setup(dir)` adds. */
    const repo = (setup) => {
      const dir = make({ 'app.py': pyCommand, '.git/HEAD': 'ref: refs/heads/main\n' });
      setup(dir);
      return dir;
    };
    const scan = (dir, args = ['.']) => spawnSync(process.execPath, [require('./helpers/cli').bin, 'scan', ...args, '--format', 'json', '--fail-on', 'none'],
      { cwd: dir, encoding: 'utf8', timeout: 60000, env: { ...process.env, NO_COLOR: '1' } });

    it('.securehints.json and .gitignore linked to /dev/zero: a warning, the scan goes on', function () {
      const dir = repo((d) => {
        fs.symlinkSync('/dev/zero', path.join(d, '.securehints.json'));
        fs.symlinkSync('/dev/zero', path.join(d, '.gitignore'));
      });
      const r = scan(dir);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(findingKeys(r.stdout), ['app.py:2:command-injection']);
      assert.match(r.stderr, /\.securehints\.json: cannot read/);
    });

    it('a FIFO as config, .gitignore or named file does not hang the CLI', function () {
      const dir = repo((d) => {
        for (const name of ['.securehints.json', '.gitignore', 'named.py']) spawnSync('mkfifo', [path.join(d, name)]);
      });
      const r = scan(dir, ['.', 'named.py']);
      assert.strictEqual(r.error, undefined, 'finished');
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(findingKeys(r.stdout), ['app.py:2:command-injection']);
      assert.ok(notesOf(r.stdout).some((n) => n.path === 'named.py' && /not a regular file/.test(n.message)), r.stdout);
      assert.match(r.stderr, /\.securehints\.json: cannot read \(not a regular file\)/);
      // named explicitly with --config: a usage error, not a hang
      const explicit = scan(dir, ['.', '--config', '.securehints.json']);
      assert.strictEqual(explicit.status, 2, explicit.stderr);
    });

    it('a config linked to a file outside the repository is not followed', function () {
      const outside = make({ 'cfg.json': JSON.stringify({ rules: { 'command-injection': 'off' } }) });
      const dir = repo((d) => fs.symlinkSync(path.join(outside, 'cfg.json'), path.join(d, '.securehints.json')));
      const r = scan(dir);
      assert.deepStrictEqual(findingKeys(r.stdout), ['app.py:2:command-injection']);
      assert.match(r.stderr, /outside the workspace/);
      // a link inside the repository is fine
      const inside = repo((d) => {
        fs.writeFileSync(path.join(d, 'shared.json'), JSON.stringify({ rules: { 'command-injection': 'off' } }));
        fs.symlinkSync(path.join(d, 'shared.json'), path.join(d, '.securehints.json'));
      });
      assert.deepStrictEqual(findingKeys(scan(inside).stdout), []);
    });

    it('the language server analyzes a file whose workspace has a FIFO as its config', async function () {
      const dir = repo((d) => spawnSync('mkfifo', [path.join(d, '.securehints.json')]));
      const client = new LspClient({ workspaceFolder: dir });
      try {
        await client.initialize();
        const file = path.join(dir, 'app.py');
        await client.open(file, pyCommand, 'python');
        const d = await client.waitForDiagnostics(file, (p) => p.diagnostics.length > 0, 60000);
        assert.strictEqual(d.diagnostics[0].code, 'command-injection');
      } finally {
        await client.shutdown();
      }
    });
  });

  describe('configuration that would switch analysis off falls back to defaults', function () {
    it('timeBudgetMs of 3e9 and a 500 kB exclude pattern: warnings, defaults, findings', function () {
      const dir = make({
        'app.py': pyCommand,
        '.git/HEAD': 'ref: refs/heads/main\n',
        '.securehints.json': JSON.stringify({ timeBudgetMs: 3e9, maxFileBytes: -1, exclude: ['x'.repeat(500_000), 'ignored/**'] }),
        'ignored/b.py': pyCommand,
      });
      const r = run(['scan', '.', '--format', 'json', '--fail-on', 'none'], { cwd: dir });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(findingKeys(r.stdout), ['app.py:2:command-injection']);
      assert.match(r.stderr, /"timeBudgetMs" must be a number from 1 to \d+; the default is used/);
      assert.match(r.stderr, /"maxFileBytes" must be a number/);
      assert.match(r.stderr, /pattern of 500000 characters is over the \d+-character limit/);
      assert.ok(r.stderr.length < 2000, 'the pattern is not printed');
    });

    it('a config file over 1 MB is not read', function () {
      const dir = make({ 'app.py': pyCommand, '.git/HEAD': '', '.securehints.json': JSON.stringify({ exclude: Array(200000).fill('app.py') }) });
      const r = run(['scan', '.', '--format', 'json', '--fail-on', 'none'], { cwd: dir });
      assert.deepStrictEqual(findingKeys(r.stdout), ['app.py:2:command-injection']);
      assert.match(r.stderr, /cannot read \(\d+ bytes is over the 1000000-byte limit\)/);
    });

    it('the editor setting timeBudgetMs of 3e9 is not taken (the server would time out at once)', async function () {
      const dir = make({ 'app.py': pyCommand });
      const client = new LspClient({ workspaceFolder: dir, settings: { timeBudgetMs: 3e9 } });
      try {
        await client.initialize();
        const file = path.join(dir, 'app.py');
        await client.open(file, pyCommand, 'python');
        const d = await client.waitForDiagnostics(file, (p) => p.diagnostics.length > 0, 60000);
        assert.strictEqual(d.diagnostics[0].code, 'command-injection');
        assert.ok(!client.analysisNotes.some((n) => /time budget/.test(n.notes.join(' '))), JSON.stringify(client.analysisNotes));
      } finally {
        await client.shutdown();
      }
    });
  });

  describe('the server without its analysis worker', function () {
    it('the in-thread fallback loads the Python parser and publishes diagnostics', async function () {
      const dir = make({ 'app.py': pyCommand, 'server.js': jsCommand });
      const client = new LspClient({ workspaceFolder: dir, env: { SECURE_HINTS_NO_ANALYSIS_WORKER: '1' } });
      try {
        await client.initialize();
        for (const [name, lang] of [['app.py', 'python'], ['server.js', 'javascript']]) {
          const file = path.join(dir, name);
          await client.open(file, fs.readFileSync(file, 'utf8'), lang);
          const d = await client.waitForDiagnostics(file, (p) => p.diagnostics.length > 0, 60000);
          assert.strictEqual(d.diagnostics[0].code, 'command-injection', name);
        }
        assert.ok(!client.logs.some((l) => /not initialised/.test(l)), client.logs.join('\n'));
      } finally {
        await client.shutdown();
      }
    });
  });

  describe('line endings: LF, CRLF and a lone CR are alike', function () {
    const py = 'import os\nimport subprocess\n\ndef f():\n    os.system(input())  # secure-hints: ignore[command-injection] reviewed\n'
      + '    subprocess.call(input(), shell=True)\n';
    // long enough (over 20,000 characters) that a file of one "line" would be skipped as minified
    const tsx = jsCommand + 'const x = <div>{"a"}</div>;\n' + '// a comment line to make the file long\n'.repeat(600);
    const vue = '<template>\n  <div v-html="html"></div>\n</template>\n<script>\n' + jsCommand + '</script>\n';
    const xml = '<?xml version="1.0"?>\n<!DOCTYPE a [\n<!ENTITY e SYSTEM "file:///etc/passwd">\n]>\n<a>&e;</a>\n';
    for (const [name, text] of [['a.py', py], ['a.tsx', tsx], ['a.vue', vue], ['a.xml', xml]]) {
      it(`${name}: the same findings at the same lines and columns`, function () {
        const key = (t) => {
          const r = engine.analyzeDetailed(name, undefined, t);
          return { notes: r.notes, findings: r.findings.map((f) => `${f.ruleId}${f.suppressed ? '(suppressed)' : ''}@${JSON.stringify(f.range)}`) };
        };
        const lf = key(text);
        assert.ok(lf.findings.length > 0, name);
        assert.deepStrictEqual(key(text.replace(/\n/g, '\r\n')), lf, 'CRLF');
        assert.deepStrictEqual(key(text.replace(/\n/g, '\r')), lf, 'CR');
      });
    }
  });

  describe('regular expressions over user text stay linear', function () {
    const SPACES = ' '.repeat(200_000);
    /** CPU ms of one analysis, and its result. */
    const timed = (name, text) => {
      const c0 = process.cpuUsage();
      const r = engine.analyzeDetailed(name, undefined, text);
      const c = process.cpuUsage(c0);
      return { ms: (c.user + c.system) / 1000, r };
    };
    const cases = [
      ['XML: a suppression followed by 200k spaces', 'a.xml', `<a>\n<!-- secure-hints: ignore[x]${SPACES}y\nz -->\n</a>\n`],
      ['Vue: a suppression followed by 200k spaces', 'a.vue', `<template>\n<!-- secure-hints: ignore[x]${SPACES}y\nz -->\n<div></div>\n</template>\n`],
      ['JS: a suppression followed by 200k spaces', 'a.js', `/* secure-hints: ignore[x]${SPACES}y\nz */\nconst a = 1;\n`.replace(SPACES, SPACES.replace(/ {1000}/g, (m) => m + '\n'))],
      ['Python: a 200k-capital name bound to a string', 'a.py', `${'A'.repeat(200_000)} = "s3cr3t-value-123"\n`],
      ['Python: %-format with 50k zeros', 'a.py', `import logging\nlogging.info("%${'0'.repeat(50_000)}!" % x)\ny = "%${'0'.repeat(50_000)}!" % x\n`],
      ['Python: %-format with unclosed mapping keys', 'a.py', `y = "${'%('.repeat(50_000)}" % x\n`],
      ['Python: isinstance with 200k newlines', 'a.py', `def f(x):\n    if isinstance(x, (int,${'\n'.repeat(200_000)}float)):\n        pass\n`],
      ['XML: repeated <!DOCTYPE', 'a.xml', '<!DOCTYPE'.repeat(30_000)],
      ['Python: a private-key header followed by 200k spaces', 'a.py', `k = "-----BEGIN PRIVATE KEY-----${SPACES}!"\n`],
      ['JS: SQL with 200k spaces before a spliced value', 'a.js', `db.query("SELECT * FROM t WHERE a =${SPACES.replace(/ {1000}/g, (m) => m + '\\n')}x" + req.query.id);\n`],
      ['JS: SQL detection on a string of 200k spaces', 'a.js', `db.query("${SPACES.replace(/ {1000}/g, (m) => m + '\\n')}x" + y);\n`],
    ];
    for (const [title, name, text] of cases) {
      it(`${title}: under 2 s`, function () {
        const { ms, r } = timed(name, text);
        assert.ok(ms < 2000, `${Math.round(ms)} ms of CPU; notes: ${r.notes.join('; ')}`);
      });
    }

    it('the XML syntax check of a fix runs in linear time too', function () {
      const c0 = process.cpuUsage();
      engine.syntaxErrors('a.xml', undefined, '<!DOCTYPE'.repeat(30_000));
      const c = process.cpuUsage(c0);
      assert.ok((c.user + c.system) / 1000 < 2000);
    });

    it('the project\'s own sources have no regex the unsafe-regex rule flags', function () {
      const root = path.join(__dirname, '..', 'server', 'src');
      const files = [];
      const walk = (dir) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.name.endsWith('.ts')) files.push(p);
        }
      };
      walk(root);
      assert.ok(files.length > 50);
      const flagged = [];
      for (const file of files) {
        const text = fs.readFileSync(file, 'utf8');
        const r = engine.analyzeDetailed(file, undefined, text, { rules: { 'unsafe-regex': 'warning' }, maxFileBytes: 10_000_000 });
        for (const f of r.findings) if (f.ruleId === 'unsafe-regex') flagged.push(`${path.relative(root, file)}:${f.range.start.line + 1}: ${f.message}`);
      }
      assert.deepStrictEqual(flagged, []);
    });
  });

  describe('the language server answers bad requests gracefully', function () {
    it('a code action for a diagnostic past the end of the document, or without a range, answers without an error', async function () {
      const dir = make({ 'app.py': pyCommand });
      const client = new LspClient({ workspaceFolder: dir });
      try {
        await client.initialize();
        const file = path.join(dir, 'app.py');
        await client.open(file, pyCommand, 'python');
        const { diagnostics } = await client.waitForDiagnostics(file, (p) => p.diagnostics.length > 0, 60000);
        const textDocument = { uri: require('url').pathToFileURL(file).href };
        const past = { ...diagnostics[0], range: { start: { line: 9999, character: 0 }, end: { line: 9999, character: 4 } } };
        const actions = await client.request('textDocument/codeAction', { textDocument, range: past.range, context: { diagnostics: [past] } });
        assert.ok(Array.isArray(actions));
        const noRange = { ...diagnostics[0], range: undefined };
        assert.ok(Array.isArray(await client.request('textDocument/codeAction', { textDocument, range: diagnostics[0].range, context: { diagnostics: [noRange] } })));
        const hover = await client.request('textDocument/hover', { textDocument, position: { line: -5, character: 1e9 } });
        assert.strictEqual(hover, null);
        // the server still works
        const good = await client.request('textDocument/codeAction', { textDocument, range: diagnostics[0].range, context: { diagnostics } });
        assert.ok(good.length > 0);
      } finally {
        await client.shutdown();
      }
    });

    it('a corrupt frame header makes the server exit (so the client restarts it)', async function () {
      const client = new LspClient({});
      try {
        await client.initialize();
        const exited = new Promise((resolve) => client.child.once('exit', (code) => resolve(code)));
        client.child.stdin.write('Content-Length: twelve\r\n\r\n{"jsonrpc":"2.0"}');
        const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 20000))]);
        assert.notStrictEqual(code, 'still running');
        assert.match(client.stderr, /LSP stream is corrupt/);
      } finally {
        client.child.kill();
        client.connection.dispose();
      }
    });

    it('a file slow even at the longer budget gets a second note and diagnostics', async function () {
      let big = 'import os\nos.system(input())\n';
      for (let i = 0; i < 3000; i++) big += `def f${i}(a):\n    b = a + "x"\n    if b:\n        os.system(b)\n    return b\n`;
      const dir = make({ 'big.py': big });
      const client = new LspClient({ workspaceFolder: dir, settings: { timeBudgetMs: 1 } });
      try {
        await client.initialize();
        const file = path.join(dir, 'big.py');
        await client.open(file, big, 'python');
        await client.waitForNote(file, (p) => p.notes.some((n) => /over the 1 ms time budget/.test(n)), 60000);
        const second = await client.waitForNote(file, (p) => p.notes.some((n) => /stopped again|over the 4 ms time budget \(timeBudgetMs\)/.test(n)), 60000);
        assert.ok(second);
        await client.waitForDiagnostics(file, () => true, 60000);
      } finally {
        await client.shutdown();
      }
    });
  });
});
