'use strict';
// Runs the real `secure-hints` command as a child process, and builds scratch projects for it.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'secure-hints.js');

/** @returns {{ status: number, stdout: string, stderr: string }} */
function run(args, options = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 240000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary directory filled with `files` ({ relativePath: content }). */
function project(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-hints-test-'));
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

function remove(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
}

module.exports = { run, project, remove, root, bin };
