'use strict';
// The scan's machinery around the analysis (issue 14): the workers' own bundle (dist/scan-worker.js),
// TypeScript's code caches made by the build for the flags it runs under, and the ASCII-only bundles.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const { spawnSync } = require('child_process');
const { project, remove, run, root } = require('./helpers/cli');
const { tsExec } = require('./helpers/samples');

const dist = path.join(root, 'dist');

/** Whether this process's V8 accepts the build's TypeScript cache under `flags` (in a child process). */
function cacheAccepted(flags) {
  const script = `
    const v8 = require('v8'), fs = require('fs'), path = require('path'), vm = require('vm');
    if (${JSON.stringify(flags)}) v8.setFlagsFromString(${JSON.stringify(flags)});
    const dist = ${JSON.stringify(dist)};
    const file = path.join(dist, 'typescript-' + v8.cachedDataVersionTag() + '.cache');
    if (!fs.existsSync(file)) { console.log('missing'); process.exit(0); }
    const source = fs.readFileSync(path.join(dist, 'typescript.js'), 'utf8');
    const s = new vm.Script('(function (exports, require, module, __filename, __dirname) { ' + source + '\\n});', { filename: path.join(dist, 'typescript.js'), cachedData: fs.readFileSync(file) });
    console.log(s.cachedDataRejected ? 'rejected' : 'accepted');
  `;
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout.trim();
}

describe('scan pipeline', function () {
  this.timeout(240000);
  let dir;
  afterEach(() => { if (dir) remove(dir); dir = undefined; });

  it('scans with workers (dist/scan-worker.js) exactly as on one thread', function () {
    assert.ok(fs.existsSync(path.join(dist, 'scan-worker.js')), 'dist/scan-worker.js is built');
    const files = {};
    for (let i = 0; i < 40; i++) files[`app${i}.py`] = `import subprocess\ndef run(request):\n    subprocess.call(request.GET["c"], shell=True)\n`;
    for (let i = 0; i < 40; i++) files[`web${i}.ts`] = tsExec.text;
    files['bad.py'] = 'def f(:\n';
    dir = project(files);
    const one = run(['scan', '.', '--format', 'json', '--fail-on', 'none', '--jobs', '1'], { cwd: dir });
    const two = run(['scan', '.', '--format', 'json', '--fail-on', 'none', '--jobs', '2'], { cwd: dir });
    assert.strictEqual(one.status, 0, one.stderr);
    assert.strictEqual(two.status, 0, two.stderr);
    assert.strictEqual(two.stdout, one.stdout);
    assert.strictEqual(two.stderr, one.stderr);
    const report = JSON.parse(one.stdout);
    assert.ok(report.findings.filter((f) => f.ruleId === 'command-injection').length >= 80, one.stdout.slice(0, 500));
    assert.ok(report.notes.some((n) => n.path === 'bad.py' && /syntax errors/.test(n.message)));
  });

  it('loads TypeScript from the code cache made for the language server and for the scan', function () {
    const { SCAN_V8_FLAGS } = require(path.join(dist, 'server.js'));
    assert.match(SCAN_V8_FLAGS, /^--/);
    assert.strictEqual(cacheAccepted(''), 'accepted');
    assert.strictEqual(cacheAccepted(SCAN_V8_FLAGS), 'accepted');
  });

  it('still loads TypeScript when its code cache is missing or does not fit', function () {
    // a copy of dist/ without caches, then one with a cache of the wrong content under the right name
    const copy = fs.mkdtempSync(path.join(require('os').tmpdir(), 'secure-hints-dist-'));
    try {
      for (const f of fs.readdirSync(dist)) {
        if (/^typescript-\d+\.cache$/.test(f) || f === 'advisories') continue;
        fs.copyFileSync(path.join(dist, f), path.join(copy, f));
      }
      const probe = `
        const e = require(${JSON.stringify(path.join(copy, 'server.js'))});
        const found = e.analyze('/x/a.ts', undefined, ${JSON.stringify(tsExec.text)});
        console.log(found.map((f) => f.ruleId).join(','));
      `;
      const plain = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
      assert.strictEqual(plain.stdout.trim(), 'command-injection', plain.stderr);
      const tag = spawnSync(process.execPath, ['-e', "process.stdout.write(String(require('v8').cachedDataVersionTag()))"], { encoding: 'utf8' }).stdout;
      fs.writeFileSync(path.join(copy, `typescript-${tag}.cache`), Buffer.from('not a code cache'));
      const wrong = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
      assert.strictEqual(wrong.stdout.trim(), 'command-injection', wrong.stderr);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('ships ASCII-only bundles (V8 would hold a bundle with one non-ASCII character as two bytes a character)', function () {
    for (const f of ['server.js', 'scan-worker.js']) {
      const text = fs.readFileSync(path.join(dist, f), 'latin1');
      assert.ok(!/[^\x00-\x7f]/.test(text), `${f} has non-ASCII characters`);
    }
    // what the build replaced was only in comments: the bundle still compiles
    assert.doesNotThrow(() => new vm.Script(fs.readFileSync(path.join(dist, 'server.js'), 'utf8'), { filename: 'server.js' }));
  });
});
