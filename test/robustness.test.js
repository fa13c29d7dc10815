'use strict';
// Hostile and generated input through the real interfaces: one bad file never costs the others their
// findings, nothing runs super-linearly on user text, special files are never read, bad configuration
// falls back to defaults.
const assert = require('assert');
const { run, project, remove } = require('./helpers/cli');
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
});
