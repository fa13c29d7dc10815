'use strict';
// What the JS front keeps or rebuilds across the versions of an edited document: the declaration index
// (lang/javascript/scope.ts) must equal one pass over every node of the new version (declarations by name, in
// document order, and `var` lists by the function they hoist to), and the route model (lang/javascript/routes.ts,
// its inputs kept per top-level statement `ts.updateSourceFile` reused) and the imports (lang/javascript/front.ts)
// must equal those of a fresh parse of the same text. Seeded random edits over the JS/TS fixtures and a large file.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { engine, ready } = require('./helpers/engine');
const { random } = require('./helpers/fuzz');

const { ts, editSession } = require('./helpers/js-edits');

const SNIPPETS = ['\n', ' ', 'x', '(', ')', '{', '}', ';', 'var v = 1;', 'let w = 2;', '\nvar top = 3;\n',
  '\nfunction g(p, { q, r: [s] }) { var h = p; return h + q + s; }\n', '\nconst k = [1, 2, 3];\n', 'export ',
  '\nclass C { static { var z = 1; } m(a) { return a; } }\n', '\nimport { a as b } from "m";\n',
  "\nconst cp = require('child_process');\n", '\nconst run = cp.exec;\n', '\nconst { Pool } = b;\n', '\n}\n'];

/** The scope facts of a file as plain data (node ids), from its own Scopes or from a full pass. */
function facts(file, fullPass) {
  const own = file.flow.scopes;
  const scopes = fullPass ? new own.constructor(file.nodes, file.kinds) : own;
  scopes.declOf(file.nodes.find((n) => n.kind === ts.SyntaxKind.Identifier) ?? file.nodes[0]);
  const f = scopes.facts;
  const id = (n) => (n === file.sourceFile ? 0 : n.id);
  return {
    byName: [...f.byName].map(([name, list]) => [name, list.map(id)]),
    vars: [...f.vars].map(([owner, lists]) => [id(owner), lists.map(id)]),
  };
}

/** The route model as plain data (the nodes left out: a fresh parse has nodes of its own). */
function routes(file) {
  return JSON.stringify(file.routes(), (k, v) => (k === 'fn' || k === 'call' ? undefined : v));
}

function session(name, text, rnd, edits) {
  return editSession(name, text, rnd, edits, SNIPPETS, (file, context) => {
    assert.deepStrictEqual(facts(file, false), facts(file, true), context);
    const fresh = new engine.JsFile(name, file.sourceFile.text);
    assert.strictEqual(routes(file), routes(fresh), `${context}: routes`);
    assert.deepStrictEqual([...file.imports], [...fresh.imports], `${context}: imports`);
  });
}

describe('JS/TS per-statement facts after an incremental parse', function () {
  this.timeout(120000);
  before(() => ready);

  it('scope facts and routes equal a full pass after seeded random edits of every JS/TS fixture', function () {
    const root = path.join(__dirname, 'fixtures');
    let n = 0;
    let edited = 0;
    for (const dir of fs.readdirSync(root).sort()) {
      for (const f of fs.readdirSync(path.join(root, dir)).sort()) {
        if (f.includes('.fixed.') || !/\.(js|jsx|ts|tsx|mjs|cjs)$/.test(f)) continue;
        const file = path.join(root, dir, f);
        edited += session(file, fs.readFileSync(file, 'utf8'), random(9100 + n++), 8);
      }
    }
    assert.ok(n > 20 && edited > 150, `${n} files, ${edited} edits`);
  });

  it('scope facts and routes equal a full pass in a large file with var, let, parameters and imports', function () {
    let text = "import express from 'express';\nvar app = express();\n";
    for (let i = 0; i < 200; i++) text += `app.get('/r${i}', function (req, res) {\n  var v = req.query.v${i};\n  for (let j = 0; j < 2; j++) { var w = j; }\n  res.send(String(v) + w);\n});\n\nexport function f${i}({ a, b: [c] }: any): number {\n  return a * ${i} + c;\n}\n\n`;
    assert.strictEqual(session('big.ts', text, random(43), 60), 60);
  });
});
