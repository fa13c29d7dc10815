'use strict';
// The CLI as users and CI run it: a child process, real files, exit codes.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { run, project, remove } = require('./helpers/cli');
const { pyCommand, pyToken, tsToken, pySafe } = require('./helpers/samples');

describe('CLI: secure-hints scan', function () {
  // every case starts real processes; a loaded CI machine is slow to start them
  this.timeout(300000);
  const dirs = [];
  const make = (files) => { const d = project(files); dirs.push(d); return d; };
  after(() => dirs.forEach(remove));

  describe('text output and exit codes', function () {
    it('prints path:line:col severity rule message, then the fix, and exits 1 on an error', function () {
      const dir = make({ 'app.py': pyCommand.text });
      const r = run(['scan', 'app.py'], { cwd: dir });
      assert.strictEqual(r.status, 1, r.stdout + r.stderr);
      const line = r.stdout.split('\n').find((l) => l.startsWith('app.py:'));
      assert.match(line, new RegExp(`^app\\.py:${pyCommand.line + 1}:\\d+ error ${pyCommand.rule} \\S`));
      assert.match(r.stdout, /\n {2}fix: .+\n {4}- .*shell=True.*\n {4}\+ /, 'the preferred fix is shown as -/+ lines');
      assert.match(r.stdout, /1 problem \(1 error, 0 warnings\) in 1 file/);
    });

    it('exits 0 when only warnings are found (default --fail-on error), 1 with --fail-on warning', function () {
      const dir = make({ 'tokens.py': pyToken.text });
      const r = run(['scan', '.'], { cwd: dir });
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`tokens\\.py:${pyToken.line + 1}:\\d+ warning ${pyToken.rule}`));
      assert.strictEqual(run(['scan', '.', '--fail-on', 'warning'], { cwd: dir }).status, 1);
      assert.strictEqual(run(['scan', '.', '--fail-on=warning'], { cwd: dir }).status, 1);
    });

    it('exits 0 with --fail-on none, and with nothing found', function () {
      const dir = make({ 'app.py': pyCommand.text, 'safe.py': pySafe });
      assert.strictEqual(run(['scan', '.', '--fail-on', 'none'], { cwd: dir }).status, 0);
      const r = run(['scan', 'safe.py'], { cwd: dir });
      assert.strictEqual(r.status, 0);
      assert.match(r.stdout, /No problems found in 1 file/);
    });

    it('exits 2 with a clear message on usage errors', function () {
      const dir = make({ 'safe.py': pySafe });
      const cases = [
        [['scan', '--format', 'xml'], /--format must be text, json or sarif/],
        [['scan', '--fail-on', 'sometimes'], /--fail-on must be error, warning or none/],
        [['scan', '--bogus'], /unknown option "--bogus"/],
        [['scan', 'no-such-dir'], /no such file or directory: no-such-dir/],
        [['scan', '--output'], /--output needs a value/],
        [['frobnicate'], /unknown command "frobnicate"/],
      ];
      for (const [args, message] of cases) {
        const r = run(args, { cwd: dir });
        assert.strictEqual(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, message);
      }
    });

    it('writes the report to --output and keeps standard output for a summary', function () {
      const dir = make({ 'app.py': pyCommand.text });
      const r = run(['scan', '.', '--output', 'report.txt'], { cwd: dir });
      assert.strictEqual(r.status, 1);
      assert.strictEqual(r.stdout, '');
      assert.match(fs.readFileSync(path.join(dir, 'report.txt'), 'utf8'), new RegExp(`app\\.py:${pyCommand.line + 1}:\\d+ error`));
      assert.match(r.stderr, /report written to report\.txt/);
    });
  });

  describe('JSON output', function () {
    it('lists findings with paths, 1-based positions, rule metadata and fixes', function () {
      const dir = make({ 'app.py': pyCommand.text, 'src/session.ts': tsToken.text });
      const r = run(['scan', '.', '--format', 'json'], { cwd: dir });
      assert.strictEqual(r.status, 1, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.strictEqual(report.filesScanned, 2);
      const byPath = Object.fromEntries(report.findings.map((f) => [f.path, f]));
      assert.deepStrictEqual(Object.keys(byPath).sort(), ['app.py', 'src/session.ts']);
      const cmd = byPath['app.py'];
      assert.strictEqual(cmd.ruleId, pyCommand.rule);
      assert.strictEqual(cmd.severity, 'error');
      assert.strictEqual(cmd.line, pyCommand.line + 1);
      assert.ok(cmd.cwe.includes('CWE-78'));
      assert.ok(cmd.fixes.some((f) => f.preferred && f.edits.length > 0));
      assert.strictEqual(byPath['src/session.ts'].ruleId, tsToken.rule);
    });
  });

  describe('SARIF output', function () {
    let sarif;
    let dir;
    before(function () {
      dir = make({
        'app.py': pyCommand.text,
        'lib/tokens.py': pyToken.text.replace('    token = random.random()', '    # secure-hints: ignore[weak-random] only used as a cache key\n    token = random.random()'),
      });
      const r = run(['scan', '.', '--format', 'sarif', '--output', 'out.sarif'], { cwd: dir });
      assert.strictEqual(r.status, 1, r.stderr);
      sarif = JSON.parse(fs.readFileSync(path.join(dir, 'out.sarif'), 'utf8'));
    });

    it('is SARIF 2.1.0 with rules carrying security metadata', function () {
      assert.strictEqual(sarif.version, '2.1.0');
      assert.match(sarif.$schema, /sarif-2\.1\.0/);
      const run0 = sarif.runs[0];
      assert.strictEqual(run0.tool.driver.name, 'Secure Hints');
      const rule = run0.tool.driver.rules.find((r) => r.id === pyCommand.rule);
      assert.ok(rule, 'the rule is listed');
      assert.ok(rule.shortDescription.text && rule.fullDescription.text && rule.help.markdown && rule.helpUri);
      assert.ok(rule.properties.tags.includes('security'));
      assert.ok(rule.properties.tags.includes('external/cwe/cwe-78'));
      assert.ok(rule.properties.tags.some((t) => /^owasp-a\d\d$/.test(t)));
      assert.match(rule.properties['security-severity'], /^\d+\.\d$/);
      assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
    });

    it('reports results with relative paths, 1-based regions, fingerprints and fixes', function () {
      const run0 = sarif.runs[0];
      assert.strictEqual(run0.originalUriBaseIds.SRCROOT.uri, require('url').pathToFileURL(fs.realpathSync(dir)).href + '/');
      const result = run0.results.find((r) => r.ruleId === pyCommand.rule);
      assert.strictEqual(result.level, 'error');
      assert.strictEqual(run0.tool.driver.rules[result.ruleIndex].id, pyCommand.rule);
      const loc = result.locations[0].physicalLocation;
      assert.deepStrictEqual(loc.artifactLocation, { uri: 'app.py', uriBaseId: 'SRCROOT' });
      assert.strictEqual(loc.region.startLine, pyCommand.line + 1);
      assert.ok(loc.region.startColumn >= 1);
      assert.match(result.partialFingerprints.primaryLocationLineHash, /^[0-9a-f]{16}:1$/);
      const change = result.fixes[0].artifactChanges[0];
      assert.strictEqual(change.artifactLocation.uri, 'app.py');
      assert.ok(change.replacements[0].deletedRegion.startLine >= 1);
      assert.strictEqual(typeof change.replacements[0].insertedContent.text, 'string');
    });

    it('keeps suppressed findings, marked with an in-source suppression and its reason', function () {
      const suppressed = sarif.runs[0].results.find((r) => r.ruleId === pyToken.rule);
      assert.ok(suppressed, 'the suppressed finding is still in the report');
      assert.strictEqual(suppressed.locations[0].physicalLocation.artifactLocation.uri, 'lib/tokens.py');
      assert.deepStrictEqual(suppressed.suppressions, [{ kind: 'inSource', justification: 'only used as a cache key' }]);
    });
  });

  describe('--fix', function () {
    it('applies the preferred fixes in place, reports them, and the fixed file scans clean', function () {
      const dir = make({ 'app.py': pyCommand.text, 'tokens.py': pyToken.text });
      const r = run(['scan', '.', '--fix'], { cwd: dir });
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`fixed app\\.py:${pyCommand.line + 1} ${pyCommand.rule}: `));
      assert.match(r.stdout, new RegExp(`fixed tokens\\.py:${pyToken.line + 1} ${pyToken.rule}: `));
      const fixed = fs.readFileSync(path.join(dir, 'app.py'), 'utf8');
      assert.notStrictEqual(fixed, pyCommand.text);
      assert.doesNotMatch(fixed, /shell=True/);
      assert.match(fs.readFileSync(path.join(dir, 'tokens.py'), 'utf8'), /import secrets/);
      const again = run(['scan', '.', '--format', 'json', '--fail-on', 'warning'], { cwd: dir });
      assert.strictEqual(again.status, 0, again.stdout);
      assert.deepStrictEqual(JSON.parse(again.stdout).findings, []);
    });

    it('leaves suppressed findings alone', function () {
      const text = pyToken.text.replace('    token = random.random()', '    token = random.random()  # secure-hints: ignore[weak-random] test data');
      const dir = make({ 'tokens.py': text });
      run(['scan', '.', '--fix'], { cwd: dir });
      assert.strictEqual(fs.readFileSync(path.join(dir, 'tokens.py'), 'utf8'), text);
    });
  });

  describe('directory walking', function () {
    let dir;
    before(function () {
      dir = make({
        '.gitignore': 'generated/\n*.local.py\n',
        'src/app.py': pyCommand.text,
        'src/notes.txt': 'not code',
        'src/settings.local.py': pyCommand.text,
        'generated/client.ts': tsToken.text,
        'node_modules/lib/index.js': tsToken.text,
        'env/pyvenv.cfg': 'home = /usr/bin\n',
        'env/lib/site.py': pyCommand.text,
        '.venv/lib/x.py': pyCommand.text,
        'dist/bundle.js': tsToken.text,
        'public/vendor.min.js': tsToken.text,
        'static/js/vendor/select2/select2.full.js': tsToken.text,
        'web/.gitignore': '!keep.ts\nold/\n',
        'web/old/legacy.ts': tsToken.text,
        'web/session.ts': tsToken.text,
      });
    });

    const scanned = (args) => {
      const r = run(['scan', ...args, '--format', 'json', '--fail-on', 'none'], { cwd: dir });
      assert.strictEqual(r.status, 0, r.stderr);
      return [...new Set(JSON.parse(r.stdout).findings.map((f) => f.path))].sort();
    };

    it('honours .gitignore files and skips dependencies, vendored code, virtualenvs, build output and minified files', function () {
      assert.deepStrictEqual(scanned(['.']), ['src/app.py', 'web/session.ts']);
    });

    it('always scans a path named on the command line, even when ignored', function () {
      assert.deepStrictEqual(scanned(['src/settings.local.py', 'generated/client.ts']), ['generated/client.ts', 'src/settings.local.py']);
      assert.deepStrictEqual(scanned(['generated']), ['generated/client.ts']);
    });
  });

  it('gives the same report with worker threads (--jobs) as on one thread, in the same order', function () {
    const files = {};
    for (let i = 0; i < 70; i++) files[`pkg${i % 7}/mod${i}.py`] = i % 3 === 0 ? pyCommand.text : i % 3 === 1 ? pyToken.text : pySafe;
    files['pkg0/broken.py'] = 'def f(:\n';
    const dir = make(files);
    const one = run(['scan', '.', '--format', 'json', '--jobs', '1'], { cwd: dir });
    const two = run(['scan', '.', '--format', 'json', '--jobs', '2'], { cwd: dir });
    assert.strictEqual(one.status, 1, one.stderr);
    assert.strictEqual(two.status, 1, two.stderr);
    const strip = (out) => { const r = JSON.parse(out); delete r.elapsedMs; return r; };
    const a = strip(one.stdout);
    assert.strictEqual(a.filesScanned, 71);
    assert.strictEqual(a.findings.length, 47);
    assert.deepStrictEqual(strip(two.stdout), a);
    assert.strictEqual(run(['scan', '.', '--jobs', '0'], { cwd: dir }).status, 2);
  });

  describe('suppressions', function () {
    it('honours ignore comments on the line and the line above, and suppressed findings never fail CI', function () {
      const above = pyCommand.text.replace('    return subprocess', '    # secure-hints: ignore[command-injection] name is validated by the router\n    return subprocess');
      const same = pyCommand.text.replace('shell=True)', 'shell=True)  # secure-hints: ignore[command-injection] trusted');
      const dir = make({ 'above.py': above, 'same.py': same });
      const r = run(['scan', '.', '--fail-on', 'warning'], { cwd: dir });
      assert.strictEqual(r.status, 0, r.stdout);
      assert.match(r.stdout, /No problems found in 2 files \(2 suppressed\)/);
      const json = JSON.parse(run(['scan', '.', '--format', 'json'], { cwd: dir }).stdout);
      assert.deepStrictEqual(json.findings.map((f) => f.suppressed.reason).sort(), ['name is validated by the router', 'trusted']);
    });

    it('does not suppress other rules', function () {
      const text = pyCommand.text.replace('    return subprocess', '    # secure-hints: ignore[sql-injection] wrong rule\n    return subprocess');
      const dir = make({ 'app.py': text });
      assert.strictEqual(run(['scan', '.'], { cwd: dir }).status, 1);
    });
  });

  describe('bad input', function () {
    it('notes a malformed file, still reports what it could analyze, and does not crash', function () {
      const broken = pyCommand.text + '\ndef broken(:\n    return (\n';
      const dir = make({ 'broken.py': broken, 'broken.ts': 'export const = ;\nfunction (\n' });
      const r = run(['scan', '.'], { cwd: dir });
      assert.strictEqual(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /note: broken\.py: syntax errors \(\d+, first: line \d+/);
      assert.match(r.stdout, /note: broken\.ts: syntax errors/);
      assert.match(r.stdout, new RegExp(`broken\\.py:${pyCommand.line + 1}:\\d+ error ${pyCommand.rule}`));
      assert.doesNotMatch(r.stderr, /internal error/);
    });

    it('skips a binary file with a note, even when named explicitly', function () {
      const dir = make({ 'blob.py': '' });
      fs.writeFileSync(path.join(dir, 'blob.py'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3, 0xff, 0xfe, 0]));
      const r = run(['scan', 'blob.py', '--fail-on', 'warning'], { cwd: dir });
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /note: blob\.py: skipped: binary file/);
      const json = run(['scan', 'blob.py', '--format', 'json'], { cwd: dir });
      assert.strictEqual(json.status, 0);
      assert.deepStrictEqual(JSON.parse(json.stdout).notes, [{ path: 'blob.py', message: 'skipped: binary file' }]);
      assert.match(json.stderr, /note: blob\.py: skipped: binary file/);
    });

    it('notes an unsupported file named on the command line', function () {
      const dir = make({ 'README.md': '# hi\n' });
      const r = run(['scan', 'README.md'], { cwd: dir });
      assert.strictEqual(r.status, 0);
      assert.match(r.stdout, /note: README\.md: skipped: not a Python, JavaScript\/TypeScript or XML file/);
    });
  });

  describe('project configuration (.securehints.json)', function () {
    it('turns rules off, overrides severity and excludes paths', function () {
      const dir = make({
        '.securehints.json': JSON.stringify({ rules: { 'command-injection': 'off', 'weak-random': 'error' }, exclude: ['legacy/**'] }),
        'app.py': pyCommand.text,
        'tokens.py': pyToken.text,
        'legacy/old.py': pyToken.text,
      });
      const r = run(['scan', '.', '--format', 'json'], { cwd: dir });
      assert.strictEqual(r.status, 1, r.stderr);
      const findings = JSON.parse(r.stdout).findings;
      assert.deepStrictEqual(findings.map((f) => [f.path, f.ruleId, f.severity]), [['tokens.py', 'weak-random', 'error']]);
    });

    it('reads --config, and rejects a malformed configuration with exit 2', function () {
      const dir = make({ 'tokens.py': pyToken.text, 'strict.json': '{"minimumConfidence": "high"}', 'bad.json': '{ rules: ' });
      const r = run(['scan', 'tokens.py', '--config', 'strict.json', '--format', 'json'], { cwd: dir });
      assert.strictEqual(r.status, 0);
      assert.ok(JSON.parse(r.stdout).findings.every((f) => f.confidence === 'high'));
      const bad = run(['scan', 'tokens.py', '--config', 'bad.json'], { cwd: dir });
      assert.strictEqual(bad.status, 2);
      assert.match(bad.stderr, /bad\.json: invalid JSON/);
    });

    it('warns about unknown rule ids without failing', function () {
      const dir = make({ '.securehints.json': '{"rules": {"no-such-rule": "off"}}', 'safe.py': pySafe });
      const r = run(['scan', '.'], { cwd: dir });
      assert.strictEqual(r.status, 0);
      assert.match(r.stderr, /unknown rule "no-such-rule"/);
    });
  });

  it('npm start: scans examples/ and shows findings with their fixes', function () {
    const r = run(['scan', 'examples', '--fail-on', 'none']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /^examples\/flask-api\/app\.py:\d+:\d+ error /m);
    assert.match(r.stdout, /^examples\/nextjs-app\/\S+:\d+:\d+ (error|warning) /m);
    assert.match(r.stdout, /\n {2}fix: /);
  });
});
