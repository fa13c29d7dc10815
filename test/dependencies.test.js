'use strict';
// Manifests, lockfiles and vendored libraries through the real interfaces: the CLI as a process (text,
// JSON, SARIF, --fail-on, --fix with and without --fix-dependencies, bad lockfiles) and the language
// server over stdio (hover with the advisory and the database date, "Upgrade" code action).
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { TextDocument } = require('vscode-languageserver-textdocument');
const { run, project, remove } = require('./helpers/cli');
const { LspClient, uri } = require('./helpers/lsp-client');

const PACKAGE_JSON = `{
  "name": "shop",
  "version": "1.0.0",
  "dependencies": {
    "lodash": "^4.17.0",
    "send": "^0.1.0"
  },
  "devDependencies": {
    "jquery": "^3.5.1"
  }
}
`;

const PACKAGE_LOCK = JSON.stringify({
  name: 'shop',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'shop', version: '1.0.0', dependencies: { lodash: '^4.17.0', send: '^0.1.0' }, devDependencies: { jquery: '^3.5.1' } },
    'node_modules/jquery': { version: '3.5.1', dev: true },
    'node_modules/lodash': { version: '4.17.15' },
    'node_modules/ms': { version: '0.7.0' },
    'node_modules/send': { version: '0.1.4', dependencies: { ms: '0.7.0' } },
  },
}, null, 2) + '\n';

const REQUIREMENTS = 'PyYAML==5.3\njinja2==3.1.4\n';

// an isolated user data directory: a database refreshed on this machine must not change the verdicts
let dataDir;
let savedDataDir;
function isolateData() {
  savedDataDir = process.env.SECURE_HINTS_DATA_DIR;
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-hints-data-'));
  process.env.SECURE_HINTS_DATA_DIR = dataDir;
}
function restoreData() {
  if (savedDataDir === undefined) delete process.env.SECURE_HINTS_DATA_DIR;
  else process.env.SECURE_HINTS_DATA_DIR = savedDataDir;
  fs.rmSync(dataDir, { recursive: true, force: true });
}

describe('dependencies: CLI', function () {
  this.timeout(120000);
  let dir;
  before(() => {
    isolateData();
    dir = project({
      'package.json': PACKAGE_JSON,
      'package-lock.json': PACKAGE_LOCK,
      'requirements.txt': REQUIREMENTS,
      'static/jquery-1.8.3.min.js': '/*! jQuery v1.8.3 jquery.com | jquery.org/license */\n(function(){eval(location.hash)})();\n',
      'bad/package.json': '{ "dependencies": { "lodash": "4.17.15" } }\n',
      'bad/package-lock.json': '{ "lockfileVersion": 3, "packages": {',
      'bad/poetry.lock': '[[package]]\nname = "django"\nversion = \n',
      'bad/pnpm-lock.yaml': 'lockfileVersion: "42.0"\npackages:\n  /lodash@4.17.15: {\n',
      'bad/uv.lock': 'version = 9\n[[package]]\nname = "pyyaml"\nversion = "5.3"\n',
      'bad/yarn.lock': '"lodash@^4":\n  version "4.17.15\n',
      'bad/requirements.txt': '-r missing.txt\ndjango==latest\n-e git+https://example.com/x.git#egg=x\n',
    });
  });
  after(() => {
    remove(dir);
    restoreData();
  });

  it('reports vulnerable packages in text with advisory ids, on the manifest line, the lockfile entry and the vendored file', function () {
    const r = run(['scan', '.', '--fail-on', 'none'], { cwd: dir });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /package\.json:5:\d+ warning vulnerable-dependency lodash 4\.17\.15 \(locked in package-lock\.json\) ← `\^4\.17\.0` has \d+ known vulnerabilities: .*GHSA-/);
    assert.match(r.stdout, /package\.json:6:\d+ warning vulnerable-dependency ms 0\.7\.0 \(locked in package-lock\.json, via send\)/);
    assert.match(r.stdout, /requirements\.txt:1:1 warning vulnerable-dependency pyyaml 5\.3 \(pinned\) .*PYSEC-/);
    assert.match(r.stdout, /static\/jquery-1\.8\.3\.min\.js:1:1 \w+ vulnerable-dependency Vendored jquery 1\.8\.3/);
    assert.doesNotMatch(r.stdout, /jquery-1\.8\.3\.min\.js:2/, 'the code rules do not run on a vendored library');
    assert.doesNotMatch(r.stdout, /jinja2/, 'a version past every advisory is quiet');
    assert.doesNotMatch(r.stdout, /package\.json:9/, 'jquery 3.5.1 (dev) is not affected');
  });

  it('JSON and SARIF carry the advisory ids in the result properties', function () {
    const json = JSON.parse(run(['scan', 'requirements.txt', '--format', 'json', '--fail-on', 'none'], { cwd: dir }).stdout);
    const f = json.findings.find((x) => x.ruleId === 'vulnerable-dependency');
    assert.ok(f.properties.advisories.some((id) => /^PYSEC-/.test(id)), JSON.stringify(f.properties));
    assert.strictEqual(f.properties.package, 'pyyaml');
    assert.strictEqual(f.properties.fixedVersion, '5.4');
    assert.ok(f.details.includes('Advisory database:'), f.details);
    const sarif = JSON.parse(run(['scan', 'package.json', '--format', 'sarif', '--fail-on', 'none'], { cwd: dir }).stdout);
    const results = sarif.runs[0].results.filter((x) => x.ruleId === 'vulnerable-dependency');
    assert.ok(results.length >= 2);
    const lodash = results.find((x) => x.properties.package === 'lodash');
    assert.ok(lodash.properties.advisories.length > 0 && lodash.properties.advisories.every((id) => lodash.message.text.includes(id)));
    assert.ok(lodash.properties.aliases.some((a) => /^CVE-/.test(a)));
    assert.strictEqual(lodash.properties.versionSource, 'locked');
    assert.deepStrictEqual(results.find((x) => x.properties.package === 'ms').properties.via, ['send']);
    const rule = sarif.runs[0].tool.driver.rules.find((x) => x.id === 'vulnerable-dependency');
    assert.ok(rule.properties.tags.includes('external/cwe/cwe-1395'));
  });

  it('--fail-on follows the findings severity', function () {
    assert.strictEqual(run(['scan', 'requirements.txt', '--fail-on', 'warning'], { cwd: dir }).status, 1);
    assert.strictEqual(run(['scan', 'requirements.txt', '--fail-on', 'error'], { cwd: dir }).status, 0);
  });

  it('--fix leaves dependencies alone; --fix --fix-dependencies upgrades them', function () {
    const fixDir = project({ 'package.json': PACKAGE_JSON, 'package-lock.json': PACKAGE_LOCK, 'requirements.txt': REQUIREMENTS });
    try {
      run(['scan', '.', '--fix', '--fail-on', 'none'], { cwd: fixDir });
      assert.strictEqual(fs.readFileSync(path.join(fixDir, 'package.json'), 'utf8'), PACKAGE_JSON);
      assert.strictEqual(fs.readFileSync(path.join(fixDir, 'requirements.txt'), 'utf8'), REQUIREMENTS);
      const r = run(['scan', '.', '--fix', '--fix-dependencies', '--format', 'json', '--fail-on', 'none'], { cwd: fixDir });
      const pkg = fs.readFileSync(path.join(fixDir, 'package.json'), 'utf8');
      assert.match(pkg, /"lodash": "\^4\.\d+\.\d+"/);
      assert.doesNotMatch(pkg, /"lodash": "\^4\.17\.0"/);
      assert.match(pkg, /"overrides": \{\n {4}"ms": "\^0\.7\.1"\n {2}\}\n\}\n$/, pkg);
      assert.doesNotThrow(() => JSON.parse(pkg));
      assert.strictEqual(fs.readFileSync(path.join(fixDir, 'requirements.txt'), 'utf8'), 'PyYAML==5.4\njinja2==3.1.4\n');
      assert.strictEqual(fs.readFileSync(path.join(fixDir, 'package-lock.json'), 'utf8'), PACKAGE_LOCK, 'lockfiles are never rewritten');
      const json = JSON.parse(r.stdout);
      assert.ok(json.fixed.some((x) => x.ruleId === 'vulnerable-dependency' && /Upgrade lodash/.test(x.title)), JSON.stringify(json.fixed));
      assert.deepStrictEqual(json.findings.filter((x) => x.path === 'package.json' || x.path === 'requirements.txt'), [], 'the upgraded manifests are clean');
      assert.strictEqual(run(['scan', '.', '--fix-dependencies'], { cwd: fixDir }).status, 2, '--fix-dependencies needs --fix');
    } finally {
      remove(fixDir);
    }
  });

  it('malformed lockfiles, unknown lockfile versions and unparsable versions give notes, not crashes', function () {
    const r = run(['scan', 'bad', '--format', 'json', '--fail-on', 'none'], { cwd: dir });
    assert.strictEqual(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    const notes = json.notes.map((n) => `${n.path}: ${n.message}`).join('\n');
    assert.match(notes, /bad\/package-lock\.json: lockfile not read: not valid JSON/);
    assert.match(notes, /bad\/package\.json: package-lock\.json: lockfile not read/);
    assert.match(notes, /bad\/poetry\.lock: lockfile not read/);
    assert.match(notes, /bad\/pnpm-lock\.yaml: lockfile not read/);
    assert.match(notes, /bad\/uv\.lock: uv\.lock version 9 is not one this version knows/);
    assert.match(notes, /bad\/yarn\.lock: 1 entry could not be read/);
    assert.match(notes, /bad\/requirements\.txt: included file missing\.txt not found/);
    assert.match(notes, /bad\/requirements\.txt: 1 requirement pinned to a version that is not PEP 440 skipped/);
    // other files' findings survive: package.json falls back to its pin, uv.lock's entry is still read
    assert.ok(json.findings.some((f) => f.path === 'bad/package.json' && f.properties.package === 'lodash'));
    assert.ok(json.findings.some((f) => f.path === 'bad/uv.lock' && f.properties.package === 'pyyaml'));
  });

  it('reads a lockfile over the 2 MB source-file limit in bounded time', function () {
    const packages = { '': { name: 'big', dependencies: {} } };
    for (let i = 0; i < 12000; i++) {
      packages[''].dependencies[`pkg-${i}`] = '^1.0.0';
      packages[`node_modules/pkg-${i}`] = { version: '1.0.0', resolved: `https://registry.npmjs.org/pkg-${i}/-/pkg-${i}-1.0.0.tgz`, integrity: 'sha512-' + 'A'.repeat(88), license: 'MIT' };
    }
    packages['node_modules/lodash'] = { version: '4.17.15' };
    const bigDir = project({ 'package-lock.json': JSON.stringify({ lockfileVersion: 3, packages }, null, 2) });
    try {
      assert.ok(fs.statSync(path.join(bigDir, 'package-lock.json')).size > 2_000_000);
      const started = Date.now();
      const r = run(['scan', '.', '--format', 'json', '--fail-on', 'none'], { cwd: bigDir });
      const json = JSON.parse(r.stdout);
      assert.ok(json.findings.some((f) => f.properties?.package === 'lodash'), r.stderr);
      assert.ok(Date.now() - started < 30000);
    } finally {
      remove(bigDir);
    }
  });
});

describe('dependencies: language server', function () {
  this.timeout(300000);
  let dir;
  let client;
  before(async () => {
    isolateData();
    dir = project({ 'package-lock.json': PACKAGE_LOCK });
    // the server inherits the environment of this process (the isolated data directory)
    client = new LspClient({ workspaceFolder: dir });
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
    remove(dir);
    restoreData();
  });

  it('hover shows each advisory and the database date; "Upgrade" edits package.json', async function () {
    const file = path.join(dir, 'package.json');
    fs.writeFileSync(file, PACKAGE_JSON);
    await client.open(file, PACKAGE_JSON, 'json');
    const { diagnostics } = await client.waitForDiagnostics(file, (p) => p.diagnostics.length > 0);
    const d = diagnostics.find((x) => x.message.startsWith('lodash'));
    assert.ok(d, JSON.stringify(diagnostics));
    assert.strictEqual(d.code, 'vulnerable-dependency');
    const hover = await client.request('textDocument/hover', { textDocument: { uri: uri(file) }, position: d.range.start });
    const md = hover.contents.value;
    assert.match(md, /\*\*\[GHSA-[\w-]+\]\(https:\/\/\S+\)\*\*/);
    assert.match(md, /Affected: .*<4\.1\d/);
    assert.match(md, /_Advisory database: \d{4}-\d{2}-\d{2}/);
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri: uri(file) }, range: d.range, context: { diagnostics: [d] } });
    const upgrade = actions.find((a) => /^Upgrade lodash to /.test(a.title));
    assert.ok(upgrade, actions.map((a) => a.title).join(' | '));
    assert.match(upgrade.title, /the next npm install refreshes package-lock\.json/);
    assert.ok(!actions.some((a) => /Fix all safe/.test(a.title)), 'an upgrade is not a safe fix');
    const edits = upgrade.edit.documentChanges ? upgrade.edit.documentChanges[0].edits : upgrade.edit.changes[uri(file)];
    const after = TextDocument.applyEdits(TextDocument.create(uri(file), 'json', 1, PACKAGE_JSON), edits);
    assert.match(after, /"lodash": "\^4\.\d+\.\d+",/);
    assert.doesNotMatch(after, /\^4\.17\.0/);
    // the transitive package's fix adds an override
    const ms = diagnostics.find((x) => x.message.startsWith('ms 0.7.0'));
    const msActions = await client.request('textDocument/codeAction', { textDocument: { uri: uri(file) }, range: ms.range, context: { diagnostics: [ms] } });
    assert.ok(msActions.some((a) => /^Upgrade ms to 0\.7\.1 with an entry in `overrides`/.test(a.title)), msActions.map((a) => a.title).join(' | '));
  });
});
