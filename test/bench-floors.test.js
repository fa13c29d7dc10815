'use strict';
// The benchmark's floors (scripts/bench/cold-parse.cjs, scripts/incremental-bench.mjs, the engine's
// parseDocument): they run, report what they promise, and the floor's incremental parse stays in step
// with the text it is given.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { engine, ready } = require('./helpers/engine');

const root = path.join(__dirname, '..');
const PY = ['import os', '', 'def handler(request):', '    name = request.args["name"]', '    os.system("ls " + name)', '    return name', '', 'class Thing:', '    value = "a string here"', ''].join('\n');
const TS = ['import { exec } from "child_process";', '', 'export function run(req: any) {', '  const name = req.query.name;', '  exec("ls " + name);', '  return name;', '}', ''].join('\n');

describe('bench floors', function () {
  this.timeout(60000);
  before(() => ready);

  it('cold-parse.cjs parses a tree in a fresh process and reports its CPU by part', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-cold-'));
    fs.writeFileSync(path.join(dir, 'a.py'), PY);
    fs.writeFileSync(path.join(dir, 'b.ts'), TS);
    fs.writeFileSync(path.join(dir, 'c.tsx'), 'export const A = () => <div>{1}</div>;\n');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'bench', 'cold-parse.cjs'), dir], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.strictEqual(out.files, 3);
    assert.ok(out.totalMs >= out.loadMs + out.passMs - 1, JSON.stringify(out));
    assert.ok(Math.abs(out.quarters.reduce((a, b) => a + b, 0) - out.passMs) < 1, JSON.stringify(out));
  });

  it('parseDocument follows a sequence of edits (Python, TS) without throwing', () => {
    for (const [file, text] of [['a.py', PY], ['b.ts', TS]]) {
      const doc = engine.parseDocument(file, text);
      let t = text;
      for (let i = 0; i < 20; i++) {
        const at = (i * 37) % (t.length + 1);
        t = i % 3 === 2 ? t.slice(0, at) + t.slice(at + 1) : t.slice(0, at) + (i % 2 ? 'x' : '\n') + t.slice(at);
        doc.update(t);
      }
      doc.update(t);
      doc.dispose();
    }
  });

  it('incremental-bench.mjs prints both edit kinds against their floor, findings as a fresh analysis', async () => {
    const { incrementalEditFigures } = await import(path.join(root, 'scripts', 'incremental-bench.mjs'));
    const log = [];
    const big = (t, n) => Array.from({ length: n }, () => t).join('\n');
    const rows = incrementalEditFigures(engine, [
      { label: 'py', path: 'a.py', text: big(PY, 8) },
      { label: 'ts', path: 'b.ts', text: big(TS.replace('export function run', 'function run'), 8) },
    ], { edits: 4, log: (l) => log.push(l) });
    assert.strictEqual(rows.length, 4, log.join('\n'));
    const edits = log.filter((l) => /parser's reparse/.test(l));
    assert.strictEqual(edits.length, 4, log.join('\n'));
    for (const l of edits) assert.match(l, /same findings as fresh$/, l);
  });
});
