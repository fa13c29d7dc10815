'use strict';
// The JS front's node list after an incremental parse (lang/javascript/link.ts): a file built from
// `ts.updateSourceFile`'s tree and the previous version's list must have exactly the list, kinds, ids and
// parents a walk of the whole new tree gives. Seeded random edits over the JS/TS fixtures and a large
// generated file (edits that keep, add and remove nodes, lines and whole statements).
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { engine, ready } = require('./helpers/engine');
const { random } = require('./helpers/fuzz');
const { ts, changeRange, editSession } = require('./helpers/js-edits');

const SNIPPETS = ['\n', ' ', 'x', '(', ')', '{', '}', ';', "'", '`', '//', '/*', '*/', '/** doc */\n', 'a.b(c)',
  '\nfunction f(a) { return a + 1; }\n', '\nconst k = [1, 2, 3];\n', 'export ', '<div>{x}</div>', '\n}\n'];

/** What a walk of the whole tree gives: nodes in document order, each one's parent and subtree end. */
function walk(root) {
  const nodes = [root];
  const parents = [undefined];
  const ends = [0];
  const visit = (parent) => (c) => {
    const at = nodes.length;
    nodes.push(c);
    parents.push(parent);
    ends.push(0);
    c.forEachChild(visit(c));
    ends[at] = nodes.length;
  };
  root.forEachChild(visit(root));
  ends[0] = nodes.length;
  return { nodes, parents, ends };
}

function check(file, context) {
  const want = walk(file.sourceFile);
  assert.strictEqual(file.nodes.length, want.nodes.length, `${context}: node count`);
  assert.strictEqual(file.kinds.length, want.nodes.length, `${context}: kind count`);
  for (let i = 0; i < want.nodes.length; i++) {
    if (file.nodes[i] !== want.nodes[i]) assert.fail(`${context}: node ${i} is not the tree's`);
    if (file.kinds[i] !== want.nodes[i].kind) assert.fail(`${context}: kind ${i}`);
    if (i > 0 && file.nodes[i].id !== i) assert.fail(`${context}: id of node ${i} is ${file.nodes[i].id}`);
    if (i > 0 && file.nodes[i].parent !== want.parents[i]) assert.fail(`${context}: parent of node ${i}`);
    if (file.ends[i] !== want.ends[i]) assert.fail(`${context}: subtree end of node ${i} is ${file.ends[i]}, not ${want.ends[i]}`);
    const range = file.subtree(file.nodes[i]);
    if (range.from !== i || range.to !== want.ends[i]) assert.fail(`${context}: subtree of node ${i}`);
  }
}

function session(name, text, rnd, edits) {
  return editSession(name, text, rnd, edits, SNIPPETS, check);
}

describe('JS/TS node list after an incremental parse', function () {
  this.timeout(120000);
  before(() => ready);

  it('equals a walk of the whole tree after seeded random edits of every JS/TS fixture', function () {
    const root = path.join(__dirname, 'fixtures');
    let n = 0;
    let relinked = 0;
    for (const dir of fs.readdirSync(root).sort()) {
      for (const f of fs.readdirSync(path.join(root, dir)).sort()) {
        if (f.includes('.fixed.') || !/\.(js|jsx|ts|tsx|mjs|cjs)$/.test(f)) continue;
        const file = path.join(root, dir, f);
        relinked += session(file, fs.readFileSync(file, 'utf8'), random(7000 + n++), 10);
      }
    }
    assert.ok(n > 20 && relinked > 200, `${n} files, ${relinked} edits`);
  });

  it('has the subtree ends of a walk in a file nested deeper than the recursive walk goes', function () {
    // a left-nested chain of 3,000 terms: linked below depth 1,000 with an explicit stack
    const text = `const s = ${Array.from({ length: 3000 }, (_, i) => `'p${i}'`).join(' + ')};\nfunction f() { return s; }\n`;
    const file = new engine.JsFile('deep.ts', text);
    check(file, 'deep chain');
    const next = text.replace('return s;', 'return s + 1;');
    check(new engine.JsFile('deep.ts', next, ts.updateSourceFile(file.sourceFile, next, changeRange(text, next)), file), 'deep chain, edited');
  });

  it('equals a walk of the whole tree in a large file (statements added, removed and moved)', function () {
    let text = "import express from 'express';\nconst app = express();\n";
    for (let i = 0; i < 300; i++) text += `app.get('/r${i}', (req, res) => {\n  const v = req.query.v${i};\n  res.send(String(v));\n});\n\nexport function f${i}(a: number): number {\n  return a * ${i};\n}\n\n`;
    assert.strictEqual(session('big.ts', text, random(42), 60), 60);
  });
});
