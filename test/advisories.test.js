'use strict';
// The advisory database: verdicts of an index built from a handful of OSV records written here (answers
// worked by hand from the OSV rules), and `secure-hints advisories update` as a process, from a directory,
// a zip and a loopback HTTP server, with broken inputs that must leave the old database in place.
const assert = require('assert');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { zipSync, strToU8 } = require('fflate');
const { root, bin } = require('./helpers/cli');

const engine = require(path.join(root, 'dist', 'server.js'));

const range = (type, ...events) => ({ type, events });
const rec = (id, ecosystem, name, extra = {}, affectedExtra = {}) => ({
  id, modified: '2099-01-02T00:00:00Z', summary: `summary of ${id}`,
  affected: [{ package: { ecosystem, name }, ...affectedExtra }], ...extra,
});

const RECORDS = [
  // npm "alpha": two lines of one advisory, a last_affected one, a regression at 1.4.2, a withdrawn one
  rec('TEST-NPM-1', 'npm', 'alpha', { database_specific: { severity: 'HIGH' } }, {
    ranges: [range('SEMVER', { introduced: '1.0.0' }, { fixed: '1.4.2' }), range('SEMVER', { introduced: '2.0.0' }, { fixed: '2.1.0' })],
  }),
  rec('TEST-NPM-2', 'npm', 'alpha', {}, { ranges: [range('SEMVER', { introduced: '0' }, { last_affected: '1.2.0' })] }),
  rec('TEST-NPM-5', 'npm', 'alpha', {}, { ranges: [range('ECOSYSTEM', { introduced: '1.4.2' }, { fixed: '1.6.0' })] }),
  rec('TEST-NPM-3', 'npm', 'alpha', { withdrawn: '2099-01-01T00:00:00Z' }, { ranges: [range('SEMVER', { introduced: '0' })] }),
  // GIT ranges alone give nothing to match; with a versions list, the list decides
  rec('TEST-NPM-4', 'npm', 'beta', {}, { ranges: [range('GIT', { introduced: '0' }, { fixed: 'a1b2c3d' })] }),
  rec('TEST-NPM-6', 'npm', 'gamma', {}, { ranges: [range('GIT', { introduced: '0' }, { fixed: 'a1b2c3d' })], versions: ['1.0.0', '1.0.1'] }),
  // only a last_affected: no fixed version exists
  rec('TEST-NPM-7', 'npm', 'delta', {}, { ranges: [range('SEMVER', { introduced: '0' }, { last_affected: '3.0.0' })] }),
  // PyPI
  rec('PYSEC-TEST-1', 'PyPI', 'Django', {}, {
    ranges: [range('ECOSYSTEM', { introduced: '2.2' }, { fixed: '2.2.28' }), range('ECOSYSTEM', { introduced: '3.0' }, { fixed: '3.2.13' })],
  }),
  rec('GHSA-test-dj01-0001', 'PyPI', 'django', { aliases: ['PYSEC-TEST-1', 'CVE-2099-0001'], database_specific: { severity: 'MODERATE' } }, {
    ranges: [range('ECOSYSTEM', { introduced: '2.2' }, { fixed: '2.2.28' })],
  }),
  rec('PYSEC-TEST-2', 'PyPI', 'zope.interface', {
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  }, { ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: '4.2' })] }),
  rec('PYSEC-TEST-3', 'PyPI', 'oldpkg', {}, { ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: '1.0' })] }),
  rec('PYSEC-TEST-4', 'PyPI', 'listed', {}, { ranges: [range('GIT', { introduced: '0' }, { fixed: 'ffff' })], versions: ['1.0', '1.1'] }),
  rec('PYSEC-TEST-5', 'PyPI', 'listed', { withdrawn: '2099-01-01T00:00:00Z' }, { ranges: [range('ECOSYSTEM', { introduced: '0' })] }),
];

/** [ecosystem, name, version, expected advisory ids (sorted)] */
const VERDICTS = [
  ['npm', 'alpha', '0.9.0', ['TEST-NPM-2']],
  ['npm', 'alpha', '1.0.0', ['TEST-NPM-1', 'TEST-NPM-2']],
  ['npm', 'alpha', '1.2.0', ['TEST-NPM-1', 'TEST-NPM-2']], // last_affected is inclusive
  ['npm', 'alpha', '1.2.1', ['TEST-NPM-1']],
  ['npm', 'alpha', '1.4.2-rc.1', ['TEST-NPM-1']], // a pre-release of the fix is inside the range
  ['npm', 'alpha', '1.4.1', ['TEST-NPM-1']],
  ['npm', 'alpha', '1.4.2', ['TEST-NPM-5']], // exactly at fixed: cleared of 1, but 5 starts there
  ['npm', 'alpha', '1.6.0', []],
  ['npm', 'alpha', '2.0.9', ['TEST-NPM-1']], // just below the fix of the second line
  ['npm', 'alpha', '2.1.0', []], // exactly at fixed
  ['npm', 'alpha', 'v2.0.5', ['TEST-NPM-1']], // loose semver
  ['npm', 'alpha', '3.0.0', []], // TEST-NPM-3 is withdrawn
  ['npm', 'alpha', 'latest', []], // not a version: no verdict
  ['npm', 'Alpha', '1.0.0', []], // npm names are case-sensitive
  ['npm', 'beta', '0.1.0', []], // GIT range only
  ['npm', 'gamma', '1.0.1', ['TEST-NPM-6']],
  ['npm', 'gamma', '1.0.2', []],
  ['npm', 'delta', '3.0.0', ['TEST-NPM-7']],
  ['npm', 'delta', '3.0.1', []],
  ['PyPI', 'django', '2.2.27', ['GHSA-test-dj01-0001']], // PYSEC-TEST-1 merged into the GHSA record that names it
  ['PyPI', 'Django', '2.2.0', ['GHSA-test-dj01-0001']], // 2.2.0 == 2.2 in PEP 440
  ['PyPI', 'DJANGO', '2.2.28rc1', ['GHSA-test-dj01-0001']],
  ['PyPI', 'django', '2.2.28', []],
  ['PyPI', 'django', '3.2', ['PYSEC-TEST-1']],
  ['PyPI', 'django', '3.2.13', []],
  ['PyPI', 'django', '3.2.13.post1', []],
  ['PyPI', 'django', '1.11', []],
  ['PyPI', 'zope-interface', '4.1.9', ['PYSEC-TEST-2']], // PEP 503: zope.interface == zope-interface
  ['PyPI', 'Zope_Interface', '4.2.0', []],
  ['PyPI', 'oldpkg', '0.9-legacy-xyz', ['PYSEC-TEST-3']], // legacy (non PEP 440) version: fallback order
  ['PyPI', 'oldpkg', '1.1-legacy', []],
  ['PyPI', 'listed', '1.0', ['PYSEC-TEST-4']],
  ['PyPI', 'listed', '1.0.0', ['PYSEC-TEST-4']],
  ['PyPI', 'listed', '1.2', []],
];

function tmp(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `secure-hints-adv-${prefix}-`));
}

function writeRecords(dir, records) {
  fs.mkdirSync(dir, { recursive: true });
  for (const r of records) fs.writeFileSync(path.join(dir, `${r.id}.json`), JSON.stringify(r, null, 1));
}

/** Runs the command as a process (asynchronously: the loopback server must keep answering). */
function cli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill(), 120000);
    child.on('error', reject);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

const ENV_KEYS = ['SECURE_HINTS_DATA_DIR', 'SECURE_HINTS_ADVISORIES_DIR'];

function setIndexEnv(env) {
  const saved = ENV_KEYS.map((k) => process.env[k]);
  for (const k of ENV_KEYS) if (env[k] === undefined) delete process.env[k]; else process.env[k] = env[k];
  engine.resetIndexCache();
  return () => {
    ENV_KEYS.forEach((k, i) => { if (saved[i] === undefined) delete process.env[k]; else process.env[k] = saved[i]; });
    engine.resetIndexCache();
  };
}

/** Runs fn with the bundle reading the index from these places, then restores the environment. */
function withIndexEnv(env, fn) {
  const restore = setIndexEnv(env);
  try {
    return fn();
  } finally {
    restore();
  }
}

async function withIndexEnvAsync(env, fn) {
  const restore = setIndexEnv(env);
  try {
    return await fn();
  } finally {
    restore();
  }
}

const ids = (list) => list.map((a) => a.id).sort();

describe('advisory database', function () {
  this.timeout(300000);
  const dirs = [];
  const make = (prefix) => { const d = tmp(prefix); dirs.push(d); return d; };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  describe('verdicts of an index built from OSV records', function () {
    let shipped;
    let empty;
    before(async function () {
      const input = make('in');
      writeRecords(input, RECORDS);
      shipped = make('shipped');
      empty = make('data');
      await engine.buildAdvisories({ inputs: [input], outDir: shipped, refresh: false, allowNetwork: false });
    });
    const withIndex = (fn) => withIndexEnv({ SECURE_HINTS_ADVISORIES_DIR: shipped, SECURE_HINTS_DATA_DIR: empty }, () => fn(engine.loadIndex()));

    for (const [eco, name, version, expected] of VERDICTS) {
      it(`${eco} ${name} ${version} -> ${expected.join(', ') || 'not affected'}`, function () {
        withIndex((index) => assert.deepStrictEqual(ids(index.advisoriesFor(eco, name, version)), expected));
      });
    }

    it('describes each advisory: aliases, severity, affected ranges, fixed versions, link', function () {
      withIndex((index) => {
        const [alpha] = index.advisoriesFor('npm', 'alpha', '2.0.0');
        assert.deepStrictEqual(alpha, {
          id: 'TEST-NPM-1', aliases: [], summary: 'summary of TEST-NPM-1', severity: 'high',
          affected: '>=1.0.0 <1.4.2, >=2.0.0 <2.1.0', fixed: ['1.4.2', '2.1.0'], url: 'https://osv.dev/vulnerability/TEST-NPM-1',
        });
        const [delta] = index.advisoriesFor('npm', 'delta', '1.0.0');
        assert.strictEqual(delta.affected, '<=3.0.0');
        assert.deepStrictEqual(delta.fixed, []);
        const [dj] = index.advisoriesFor('PyPI', 'django', '2.2.1');
        assert.strictEqual(dj.id, 'GHSA-test-dj01-0001');
        assert.strictEqual(dj.severity, 'moderate');
        assert.deepStrictEqual(dj.aliases.sort(), ['CVE-2099-0001', 'PYSEC-TEST-1']);
        assert.strictEqual(dj.url, 'https://osv.dev/vulnerability/GHSA-test-dj01-0001');
        const [zope] = index.advisoriesFor('PyPI', 'zope.interface', '4.0');
        assert.strictEqual(zope.severity, 'critical', 'CVSS 3.1 AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H is 9.8');
        const [listed] = index.advisoriesFor('PyPI', 'listed', '1.1');
        assert.strictEqual(listed.affected, '1.0, 1.1');
      });
    });

    it('fixVersion: the smallest version above that clears every advisory of the package', function () {
      withIndex((index) => {
        // 1.4.2 fixes TEST-NPM-1 but TEST-NPM-5 starts there; 1.6.0 clears both
        assert.strictEqual(index.fixVersion('npm', 'alpha', '1.0.0'), '1.6.0');
        assert.strictEqual(index.fixVersion('npm', 'alpha', '1.4.2'), '1.6.0');
        // the second line is fixed in its own major
        assert.strictEqual(index.fixVersion('npm', 'alpha', '2.0.0'), '2.1.0');
        assert.strictEqual(index.fixVersion('npm', 'delta', '2.0.0'), undefined, 'only last_affected: no fix known');
        assert.strictEqual(index.fixVersion('npm', 'gamma', '1.0.0'), undefined, 'a versions list names no fix');
        assert.strictEqual(index.fixVersion('PyPI', 'Django', '2.2.5'), '2.2.28');
        assert.strictEqual(index.fixVersion('PyPI', 'django', '3.1'), '3.2.13');
        assert.strictEqual(index.fixVersion('PyPI', 'zope-interface', '4.1'), '4.2');
      });
    });

    it('compares in each ecosystem\'s order, with a fallback for versions the parser rejects', function () {
      withIndex((index) => {
        assert.ok(index.compare('npm', '1.2.3-beta', '1.2.3') < 0);
        assert.ok(index.compare('npm', '1.10.0', '1.9.0') > 0);
        assert.ok(index.compare('npm', '3.0.RC3', '3.0.0') < 0, 'not semver: 3.0.RC3 reads as a pre-release');
        assert.ok(index.compare('PyPI', '1.0rc1', '1.0') < 0);
        assert.ok(index.compare('PyPI', '1!0.1', '2.0') > 0);
        assert.ok(index.compare('PyPI', '2.0.post1', '2.0') > 0);
        assert.strictEqual(index.compare('PyPI', '1.0', '1.0.0'), 0);
        assert.ok(index.compare('PyPI', '0.9-legacy', '1.0') < 0);
        assert.strictEqual(index.isValid('PyPI', '0.9-legacy'), false);
        assert.strictEqual(index.isValid('npm', 'v1.2.3'), true);
        assert.strictEqual(index.isValid('npm', 'latest'), false);
        assert.strictEqual(index.hasPackage('PyPI', 'ZOPE_interface'), true);
        assert.strictEqual(index.hasPackage('npm', 'beta'), false);
        assert.strictEqual(index.date, '2099-01-02');
      });
    });
  });

  describe('the shipped index', function () {
    it('loads, answers, and recognises vendored libraries by banner and by file name', function () {
      const empty = make('none');
      withIndexEnv({ SECURE_HINTS_DATA_DIR: empty }, () => {
        const index = engine.loadIndex();
        assert.strictEqual(index.source, 'shipped');
        assert.match(index.date, /^\d{4}-\d{2}-\d{2}$/);
        assert.ok(index.advisoriesFor('npm', 'lodash', '4.17.15').length > 0);
        assert.ok(index.advisoriesFor('PyPI', 'Django', '2.2.0').length > 0);
        assert.deepStrictEqual(engine.recognizeVendoredLibrary('static/js/jquery-1.8.3.min.js', ''), { npmName: 'jquery', version: '1.8.3' });
        assert.deepStrictEqual(engine.recognizeVendoredLibrary('vendor/jq.js', '/*! jQuery v3.4.1 | (c) JS Foundation */'), { npmName: 'jquery', version: '3.4.1' });
        assert.strictEqual(engine.recognizeVendoredLibrary('static/js/app.min.js', 'console.log(1)'), undefined);
        // the banner is looked for only in the first 2 KB
        assert.strictEqual(engine.recognizeVendoredLibrary('static/js/x.js', ' '.repeat(3000) + '/*! jQuery v3.4.1 */'), undefined);
      });
    });

    it('--version prints the database date', async function () {
      const r = await cli(['--version'], { SECURE_HINTS_DATA_DIR: make('none') });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, /^\d+\.\d+\.\d+\nadvisory database \d{4}-\d{2}-\d{2} \(shipped\)\n$/);
    });
  });

  describe('secure-hints advisories update', function () {
    const npmRecords = RECORDS.filter((r) => r.affected[0].package.ecosystem === 'npm');
    const pypiRecords = RECORDS.filter((r) => r.affected[0].package.ecosystem === 'PyPI');
    const zipOf = (records) => zipSync(Object.fromEntries(records.map((r) => [`${r.id}.json`, strToU8(JSON.stringify(r))])));
    const verdict = (dataDir, eco, name, version) =>
      withIndexEnv({ SECURE_HINTS_DATA_DIR: dataDir }, () => ids(engine.loadIndex().advisoriesFor(eco, name, version)));

    it('--from DIR: builds the local database, which the CLI and the engine then use', async function () {
      const input = make('dir');
      writeRecords(input, RECORDS);
      const data = make('data');
      const r = await cli(['advisories', 'update', '--from', input], { SECURE_HINTS_DATA_DIR: data });
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /npm 5 advisories for 3 packages/);
      assert.match(r.stdout, /PyPI 5 advisories for 4 packages/);
      assert.ok(fs.existsSync(path.join(data, 'advisories', 'meta.json')));
      assert.ok(fs.existsSync(path.join(data, 'advisories', 'NOTICE.md')));
      assert.deepStrictEqual(verdict(data, 'npm', 'alpha', '1.0.0'), ['TEST-NPM-1', 'TEST-NPM-2']);
      // the shipped PyPI data was replaced (the refreshed data is newer): Django 2.2.0 has only the test advisory
      assert.deepStrictEqual(verdict(data, 'PyPI', 'django', '2.2.0'), ['GHSA-test-dj01-0001']);
      const v = await cli(['--version'], { SECURE_HINTS_DATA_DIR: data });
      assert.match(v.stdout, /advisory database 2099-01-02 \(refreshed/);
      const s = await cli(['advisories', 'status'], { SECURE_HINTS_DATA_DIR: data });
      assert.match(s.stdout, /npm: 5 advisories for 3 packages, data of 2099-01-02 \(refreshed\)/);
    });

    it('--from ZIP (an OSV all.zip) for one ecosystem keeps the other one', async function () {
      const data = make('data');
      const first = make('in');
      writeRecords(first, pypiRecords);
      assert.strictEqual((await cli(['advisories', 'update', '--from', first], { SECURE_HINTS_DATA_DIR: data })).status, 0);
      const zip = path.join(make('zip'), 'all.zip');
      fs.writeFileSync(zip, zipOf(npmRecords));
      const r = await cli(['advisories', 'update', '--from', zip], { SECURE_HINTS_DATA_DIR: data });
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      assert.deepStrictEqual(verdict(data, 'npm', 'alpha', '2.0.9'), ['TEST-NPM-1']);
      assert.deepStrictEqual(verdict(data, 'PyPI', 'zope-interface', '4.1.9'), ['PYSEC-TEST-2']);
    });

    it('--from ZIP of thousands of records, read in many chunks, loses none', async function () {
      const data = make('data');
      const many = [];
      for (let i = 0; i < 3000; i++) {
        // details that do not compress away, so the zip spans many read chunks and members straddle them
        const details = Array.from({ length: 20 }, (_, k) => ((i * 7919 + k * 104729) % 1000003).toString(36)).join(' ');
        many.push(rec(`TEST-MANY-${i}`, 'npm', `filler-${i}`, { details }, { ranges: [range('SEMVER', { introduced: '0' }, { fixed: `${i}.0.1` })] }));
      }
      const zip = path.join(make('zip'), 'all.zip');
      fs.writeFileSync(zip, zipOf([...npmRecords, ...many]));
      assert.ok(fs.statSync(zip).size > 256 * 1024, 'several read chunks');
      const r = await cli(['advisories', 'update', '--from', zip], { SECURE_HINTS_DATA_DIR: data });
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /npm 3005 advisories for 3003 packages/);
      assert.deepStrictEqual(verdict(data, 'npm', 'filler-2999', '2999.0.0'), ['TEST-MANY-2999']);
    });

    it('--from URL downloads the zip (loopback server) and a running engine picks the new database up', async function () {
      const body = Buffer.from(zipOf(npmRecords));
      let requests = 0;
      const server = http.createServer((req, res) => {
        requests++;
        if (req.url === '/npm/all.zip') {
          res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length });
          res.end(body);
        } else {
          res.writeHead(404);
          res.end('not found');
        }
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const closer = setTimeout(() => server.close(), 120000);
      closer.unref();
      try {
        const port = server.address().port;
        const data = make('data');
        await withIndexEnvAsync({ SECURE_HINTS_DATA_DIR: data }, async () => {
          const before = engine.loadIndex();
          assert.strictEqual(before.source, 'shipped');
          assert.deepStrictEqual(ids(before.advisoriesFor('npm', 'alpha', '1.0.0')), []);
          const r = await cli(['advisories', 'update', '--from', `http://127.0.0.1:${port}/npm/all.zip`], { SECURE_HINTS_DATA_DIR: data });
          assert.strictEqual(r.status, 0, r.stdout + r.stderr);
          // within a few seconds, without a restart
          await new Promise((resolve) => setTimeout(resolve, 3200));
          const after = engine.loadIndex();
          assert.match(after.source, /^refreshed/);
          assert.deepStrictEqual(ids(after.advisoriesFor('npm', 'alpha', '1.0.0')), ['TEST-NPM-1', 'TEST-NPM-2']);
        });
        const missing = await cli(['advisories', 'update', '--from', `http://127.0.0.1:${port}/PyPI/all.zip`], { SECURE_HINTS_DATA_DIR: data });
        assert.strictEqual(missing.status, 2);
        assert.match(missing.stderr, /answered 404/);
        assert.strictEqual(requests, 2);
      } finally {
        clearTimeout(closer);
        await new Promise((resolve) => server.close(resolve));
      }
    });

    describe('broken input: a clear error, exit code 2, the old database kept', function () {
      let data;
      let metaBefore;
      before(async function () {
        data = make('data');
        const input = make('in');
        writeRecords(input, RECORDS);
        assert.strictEqual((await cli(['advisories', 'update', '--from', input], { SECURE_HINTS_DATA_DIR: data })).status, 0);
        metaBefore = fs.readFileSync(path.join(data, 'advisories', 'meta.json'), 'utf8');
      });
      const expectFailure = async (from, message) => {
        const r = await cli(['advisories', 'update', '--from', from], { SECURE_HINTS_DATA_DIR: data });
        assert.strictEqual(r.status, 2, r.stdout + r.stderr);
        assert.match(r.stderr, message);
        assert.match(r.stderr, /The advisory database was not changed/);
        assert.strictEqual(fs.readFileSync(path.join(data, 'advisories', 'meta.json'), 'utf8'), metaBefore);
        assert.deepStrictEqual(verdict(data, 'npm', 'alpha', '1.0.0'), ['TEST-NPM-1', 'TEST-NPM-2']);
      };

      it('a record without an id', async function () {
        const input = make('bad');
        writeRecords(input, npmRecords);
        fs.writeFileSync(path.join(input, 'zzz.json'), JSON.stringify({ affected: [] }));
        await expectFailure(input, /zzz\.json: not an OSV record \(no "id"\)/);
      });

      it('malformed JSON in a .jsonl file, with its line', async function () {
        const file = path.join(make('bad'), 'npm.jsonl');
        fs.writeFileSync(file, `${JSON.stringify(npmRecords[0])}\n{"id": "X", "affected": [\n`);
        await expectFailure(file, /npm\.jsonl:2: malformed JSON/);
      });

      it('a range whose events are not a list', async function () {
        const file = path.join(make('bad'), 'one.json');
        fs.writeFileSync(file, JSON.stringify(rec('TEST-BAD', 'npm', 'x', {}, { ranges: [{ type: 'SEMVER', events: 'oops' }] })));
        await expectFailure(file, /TEST-BAD: a range without "events"/);
      });

      it('a file that is not a zip, and a truncated zip', async function () {
        const dir = make('bad');
        fs.writeFileSync(path.join(dir, 'all.zip'), 'this is not a zip file at all');
        await expectFailure(path.join(dir, 'all.zip'), /not a zip of OSV records/);
        const zip = zipOf(npmRecords);
        fs.writeFileSync(path.join(dir, 'cut.zip'), zip.subarray(0, Math.floor(zip.length / 2)));
        await expectFailure(path.join(dir, 'cut.zip'), /cut\.zip: (not a readable zip|the zip ends in the middle)/);
      });

      it('a damaged refreshed data file: the shipped data answers instead', function () {
        const copy = make('damaged');
        fs.cpSync(path.join(data, 'advisories'), path.join(copy, 'advisories'), { recursive: true });
        const meta = JSON.parse(fs.readFileSync(path.join(copy, 'advisories', 'meta.json'), 'utf8'));
        fs.writeFileSync(path.join(copy, 'advisories', meta.ecosystems.npm.file), 'not gzip');
        withIndexEnv({ SECURE_HINTS_DATA_DIR: copy }, () => {
          const index = engine.loadIndex();
          assert.deepStrictEqual(ids(index.advisoriesFor('npm', 'alpha', '1.0.0')), []);
          assert.ok(index.advisoriesFor('npm', 'lodash', '4.17.15').length > 0);
          assert.deepStrictEqual(ids(index.advisoriesFor('PyPI', 'django', '2.2.0')), ['GHSA-test-dj01-0001']);
        });
      });

      it('a path that does not exist, and records of other ecosystems only', async function () {
        await expectFailure(path.join(data, 'nope'), /no such file or directory/);
        const input = make('bad');
        writeRecords(input, [rec('RUSTSEC-TEST', 'crates.io', 'x', {}, { ranges: [range('SEMVER', { introduced: '0' })] })]);
        await expectFailure(input, /no npm or PyPI advisories/);
      });
    });
  });
});
