'use strict';
// The Python tree copy (lang/python/tree.ts): the fast cursor gives the same copy as web-tree-sitter's public
// TreeCursor, and `update` after an edit (tree.edit + incremental reparse) gives the same copy as a fresh one,
// on seeded random edits over every Python fixture: structure, types, fields, positions, ids, indexes.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { engine, ready } = require('./helpers/engine');
const { random } = require('./helpers/fuzz');

const { PythonTreeCopy: PTree, parsePython, useFastCursor, fastCursorInUse } = engine;
const { Edit } = require('web-tree-sitter');

function pythonFixtures() {
  const root = path.join(__dirname, 'fixtures');
  const out = [];
  for (const dir of fs.readdirSync(root).sort()) {
    for (const f of fs.readdirSync(path.join(root, dir)).sort()) if (f.endsWith('.py')) out.push(path.join(root, dir, f));
  }
  return out;
}

/** Every fact of every node a reader can see, in pre-order; throws where the indexes disagree with the nodes. */
function signature(t) {
  const lines = [];
  t.nodes.forEach((n, i) => {
    assert.strictEqual(n.id, i, 'id is the index in nodes');
    assert.strictEqual(n.tree, t, 'node belongs to its tree');
    assert.strictEqual(t.byId.get(i), n);
    n.children.forEach((c, k) => {
      assert.strictEqual(c.parent, n);
      assert.strictEqual(c.indexInParent, k);
    });
    lines.push([n.type, n.isNamed, n.field, n.startIndex, n.endIndex, n.text, n.parent ? n.parent.id : -1, n.last,
      n.children.map((c) => c.id).join(' '), n.namedChildren.map((c) => c.id).join(' ')].join('|'));
  });
  const types = new Set(t.nodes.map((n) => n.type));
  for (const type of types) lines.push(`${type}: ${t.ofType(type).map((n) => n.id).join(' ')}`);
  return lines.join('\n');
}

/** Line and column (UTF-16) of an index, as tree-sitter's points (columns in the API's code units). */
function point(text, index) {
  const before = text.slice(0, index);
  const row = before.split('\n').length - 1;
  return { row, column: index - (before.lastIndexOf('\n') + 1) };
}

const SNIPPETS = ['\n', ' ', 'x', '(', ')', ':', '\n    ', '"', '"""', '#', '\\', '\nimport os\n', '\ndef f(a):\n    return a\n',
  'if x:\n    pass\n', '\nclass K:\n    y = 1\n', ', b=2', 'lambda: 0', '\u{1F40D}'];

function randomEdit(text, rnd) {
  const at = Math.floor(rnd() * (text.length + 1));
  const kind = rnd();
  if (kind < 0.45) {
    const s = SNIPPETS[Math.floor(rnd() * SNIPPETS.length)];
    return { start: at, oldEnd: at, text: text.slice(0, at) + s + text.slice(at), newEnd: at + s.length };
  }
  if (kind < 0.75) {
    const end = Math.min(text.length, at + 1 + Math.floor(rnd() * 40));
    return { start: at, oldEnd: end, newEnd: at, text: text.slice(0, at) + text.slice(end) };
  }
  // one line replaced by another
  const lines = text.split('\n');
  const i = Math.floor(rnd() * lines.length);
  const j = Math.floor(rnd() * lines.length);
  const start = lines.slice(0, i).join('\n').length + (i > 0 ? 1 : 0);
  const oldEnd = start + lines[i].length;
  return { start, oldEnd, newEnd: start + lines[j].length, text: text.slice(0, start) + lines[j] + text.slice(oldEnd) };
}

describe('Python tree copy', function () {
  this.timeout(300000);
  before(() => ready);
  after(() => useFastCursor(true));

  it('the fast cursor copies every fixture exactly as the public TreeCursor does', function () {
    for (const file of pythonFixtures()) {
      const text = fs.readFileSync(file, 'utf8');
      const tree = parsePython(text);
      try {
        useFastCursor(false);
        const expected = signature(new PTree(tree, text));
        useFastCursor(true);
        const got = signature(new PTree(tree, text));
        assert.ok(fastCursorInUse(), 'the fast cursor passes its self-test with the pinned web-tree-sitter');
        assert.strictEqual(got, expected, path.relative(__dirname, file));
      } finally {
        tree.delete();
      }
    }
  });

  it('update after random edits equals a fresh copy, reusing unchanged statements', function () {
    let edits = 0;
    let reused = 0;
    pythonFixtures().forEach((file, n) => {
      const rnd = random(7000 + n);
      let text = fs.readFileSync(file, 'utf8');
      let tree = parsePython(text);
      let copy = new PTree(tree, text);
      try {
        for (let k = 0; k < 10; k++) {
          const e = randomEdit(text, rnd);
          tree.edit(new Edit({ startIndex: e.start, oldEndIndex: e.oldEnd, newEndIndex: e.newEnd,
            startPosition: point(text, e.start), oldEndPosition: point(text, e.oldEnd), newEndPosition: point(e.text, e.newEnd) }));
          const next = parsePython(e.text, tree);
          // half the time the edit is given, half the time the copy finds it from the texts
          const updated = PTree.update(copy, tree, next, e.text, k % 2 ? { start: e.start, oldEnd: e.oldEnd, newEnd: e.newEnd } : undefined);
          const fresh = new PTree(next, e.text);
          assert.strictEqual(signature(updated), signature(fresh), `${path.relative(__dirname, file)} after edit ${k + 1} (seed ${7000 + n})`);
          reused += updated.stats.reused;
          tree.delete();
          tree = next;
          copy = updated;
          text = e.text;
          edits++;
        }
      } finally {
        tree.delete();
      }
    });
    assert.ok(edits > 500, `${edits} edits`);
    assert.ok(reused > 100 * edits, `${reused} nodes reused over ${edits} edits`);
  });

  it('an edit that does not describe the two texts gives a fresh copy', function () {
    const before = 'import os\n\ndef f(a):\n    return a\n\ndef g(b):\n    return b\n';
    const after = before.replace('return b', 'return os.system(b)');
    const tree = parsePython(before);
    const copy = new PTree(tree, before);
    const next = parsePython(after);
    try {
      // a wrong span (the change is in g, not in f)
      const updated = PTree.update(copy, tree, next, after, { start: 10, oldEnd: 12, newEnd: 12 + after.length - before.length });
      assert.deepStrictEqual(updated.stats, { copied: updated.nodes.length, reused: 0 });
      assert.strictEqual(signature(updated), signature(new PTree(next, after)));
    } finally {
      tree.delete();
      next.delete();
    }
  });

  it('a one-line edit in a long module copies only the path to the edit', function () {
    let text = 'import os\n\n';
    for (let i = 0; i < 300; i++) text += `def f${i}(a):\n    return os.path.join(a, "${i}")\n\n`;
    const tree = parsePython(text);
    const copy = new PTree(tree, text);
    const at = text.indexOf('"150"') + 4;
    const after = `${text.slice(0, at)}x${text.slice(at)}`;
    tree.edit(new Edit({ startIndex: at, oldEndIndex: at, newEndIndex: at + 1, startPosition: point(text, at), oldEndPosition: point(text, at), newEndPosition: point(after, at + 1) }));
    const next = parsePython(after, tree);
    try {
      const updated = PTree.update(copy, tree, next, after);
      // the path from the root to the edited string is built again, everything else is taken over
      assert.ok(updated.stats.copied < 20 && updated.stats.reused > 0.99 * updated.nodes.length, JSON.stringify(updated.stats));
      assert.strictEqual(signature(updated), signature(new PTree(next, after)));
    } finally {
      tree.delete();
      next.delete();
    }
  });
});
