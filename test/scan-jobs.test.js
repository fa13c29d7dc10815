'use strict';
// The default number of scan workers: from the files' count and size, never more workers than the work
// pays for (a worker costs about a second of start-up), so the default is never slower than one worker.
const assert = require('assert');
const os = require('os');
const path = require('path');
const { project, remove, run } = require('./helpers/cli');

const server = require(path.join(__dirname, '..', 'dist', 'server.js'));

describe('scan --jobs default', function () {
  let dir;
  afterEach(() => { if (dir) remove(dir); dir = undefined; });

  it('scans a small project on one thread', function () {
    dir = project({ 'a.py': 'import os\n', 'b.js': 'console.log(1)\n' });
    const files = server.collectFiles([dir]).files;
    assert.strictEqual(server.defaultJobs(files), 1);
  });

  it('keeps many small files on one thread: their work would not pay for a second worker', function () {
    const files = {};
    for (let i = 0; i < 200; i++) files[`m${i}.js`] = `export const x${i} = ${i};\n`;
    dir = project(files);
    assert.strictEqual(server.defaultJobs(server.collectFiles([dir]).files), 1);
  });

  it('uses several workers for a large tree when the machine has more than two CPUs (one left to V8), at most 4', function () {
    const body = 'def handler(request):\n    value = request.GET.get("q")\n    return value\n\n'.repeat(400);
    const files = {};
    for (let i = 0; i < 200; i++) files[`pkg/mod${i}.py`] = body;
    dir = project(files);
    const jobs = server.defaultJobs(server.collectFiles([dir]).files);
    const cpus = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
    assert.strictEqual(jobs, Math.max(1, Math.min(4, cpus - 1)));
  });

  it('does not count files over the size limit, which are skipped unread', function () {
    const files = {};
    for (let i = 0; i < 80; i++) files[`big${i}.py`] = 'x = 1\n'.repeat(50_000);
    dir = project(files);
    assert.strictEqual(server.defaultJobs(server.collectFiles([dir]).files, { maxFileBytes: 1000 }), 1);
  });

  it('gives the same report with the default as with --jobs 1', function () {
    const files = {};
    for (let i = 0; i < 70; i++) files[`app${i}.py`] = `import subprocess\ndef run(request):\n    subprocess.call(request.GET["c"], shell=True)\n`;
    dir = project(files);
    const one = run(['scan', '.', '--format', 'json', '--fail-on', 'none', '--jobs', '1'], { cwd: dir });
    const auto = run(['scan', '.', '--format', 'json', '--fail-on', 'none'], { cwd: dir });
    assert.strictEqual(one.status, 0, one.stderr);
    assert.strictEqual(auto.stdout, one.stdout);
    assert.ok(JSON.parse(one.stdout).findings.length >= 70);
  });
});
