'use strict';
// Incremental analysis (engine/session.ts): after any sequence of edits, a document session reports exactly
// what a fresh analysis of the same text reports. Seeded random edits over the rule fixtures (Python,
// JS/TS), and the language server driven with incremental didChange ranges.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { engine, ready } = require('./helpers/engine');
const { LspClient } = require('./helpers/lsp-client');
const { random } = require('./helpers/fuzz');

const SNIPPETS = {
  python: ['\n', ' ', 'x', '(', ')', ':', '\n    ', '"', '#', '\nimport os\n', '\nos.system(request.args["c"])\n',
    'request.args.get("q")', '\n\ndef extra(a):\n    return eval(a)\n', 'global STATE\n', 'CONST = "v"\n', '\nextra(request.form["x"])\n'],
  javascript: ['\n', ' ', 'x', '(', ')', '{', '}', ';', "'", '//', "\nconst cp = require('child_process');\n",
    '\ncp.exec(req.query.c);\n', 'req.body.q', '\nfunction extra(a) { return eval(a); }\n', '\nextra(req.query.x);\n', 'let STATE = 1;\n'],
};

/** One random edit: insert a snippet, delete a span, duplicate or move a line, or replace a line with another. */
function edit(text, rnd, language) {
  const at = Math.floor(rnd() * (text.length + 1));
  const kind = rnd();
  if (kind < 0.35) {
    const s = SNIPPETS[language][Math.floor(rnd() * SNIPPETS[language].length)];
    return text.slice(0, at) + s + text.slice(at);
  }
  if (kind < 0.55) return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(rnd() * 40)));
  const lines = text.split('\n');
  const i = Math.floor(rnd() * lines.length);
  const j = Math.floor(rnd() * lines.length);
  if (kind < 0.7) lines.splice(i, 0, lines[j]);
  else if (kind < 0.85) lines.splice(j, 0, ...lines.splice(i, 1));
  else lines[i] = lines[j];
  return lines.join('\n');
}

function fixtures(language) {
  const root = path.join(__dirname, 'fixtures');
  const out = [];
  for (const dir of fs.readdirSync(root).sort()) {
    for (const f of fs.readdirSync(path.join(root, dir)).sort()) {
      if (f.includes('.fixed.')) continue;
      if (language === 'python' ? /\.py$/.test(f) : /\.(js|jsx|ts|tsx|mjs|cjs)$/.test(f)) out.push(path.join(root, dir, f));
    }
  }
  return out;
}

function same(session, file, text, context) {
  const fresh = engine.analyzeDetailed(file, undefined, text);
  const got = session.result();
  assert.deepStrictEqual(got.findings, fresh.findings, `${context}: findings differ from a fresh analysis`);
  assert.deepStrictEqual(got.notes, fresh.notes, `${context}: notes differ from a fresh analysis`);
}

describe('incremental analysis equals a fresh analysis', function () {
  this.timeout(300000);
  before(() => ready);

  for (const language of ['python', 'javascript']) {
    it(`${language}: seeded random edit sequences over every fixture file`, function () {
      const files = fixtures(language);
      assert.ok(files.length > 20);
      let edits = 0;
      files.forEach((file, n) => {
        const rnd = random(1000 + n);
        let text = fs.readFileSync(file, 'utf8');
        const session = engine.openDocument(file, undefined, text);
        try {
          same(session, file, text, `${path.relative(__dirname, file)} (opened)`);
          for (let k = 0; k < 12; k++) {
            text = edit(text, rnd, language);
            session.update(text);
            edits++;
            same(session, file, text, `${path.relative(__dirname, file)} after edit ${k + 1} (seed ${1000 + n})`);
          }
        } finally {
          session.dispose();
        }
      });
      assert.ok(edits > 200);
    });
  }

  it('reuses the findings of units an edit cannot reach, and moves them with inserted lines', function () {
    const block = (i) => `@app.route("/a${i}")\ndef view_${i}():\n    q = request.args["q"]\n    return db.execute("SELECT * FROM t WHERE a = '" + q + "'")\n\n\n`;
    let text = 'from flask import Flask, request\nimport db\n\napp = Flask(__name__)\n\n\n';
    for (let i = 0; i < 40; i++) text += block(i);
    const session = engine.openDocument('app.py', undefined, text);
    try {
      assert.strictEqual(session.stats().analyzed, session.stats().units);
      const lines = text.split('\n');
      lines.splice(60, 0, '# a comment', '');
      const edited = lines.join('\n');
      session.update(edited);
      const stats = session.stats();
      assert.ok(stats.incremental && stats.analyzed < stats.units / 4, JSON.stringify(stats));
      same(session, 'app.py', edited, 'after inserting lines');
      assert.ok(session.findings().some((f) => f.ruleId === 'sql-injection' && f.range.start.line > 62));
    } finally {
      session.dispose();
    }
  });
});

describe('incremental analysis in the language server', function () {
  this.timeout(120000);
  let client;
  let dir;
  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-incr-'));
    client = new LspClient({ workspaceFolder: dir });
    await client.initialize();
    await ready;
  });
  after(async function () {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('didChange with incremental ranges ends with the diagnostics of a fresh analysis', async function () {
    const file = path.join(dir, 'views.py');
    const uri = require('url').pathToFileURL(file).href;
    let text = 'import os\nfrom flask import request\n\n\ndef run():\n    os.system("ls")\n';
    await client.open(file, text, 'python', 1);
    await client.waitForDiagnostics(file, (p) => p.version === 1);
    const changes = [
      // make the command come from the request
      { range: { start: { line: 5, character: 14 }, end: { line: 5, character: 18 } }, text: 'request.args["c"]' },
      // insert a second sink above the first
      { range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: 'def other():\n    os.popen(request.form["x"])\n\n\n' },
      // and remove the first sink's argument source again
      { range: { start: { line: 9, character: 14 }, end: { line: 9, character: 31 } }, text: '"pwd"' },
    ];
    let version = 1;
    for (const c of changes) {
      version++;
      text = applyChange(text, c);
      await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [c] });
      const published = await client.waitForDiagnostics(file, (p) => p.version === version);
      const fresh = engine.analyze(file, 'python', text).filter((f) => !f.suppressed);
      assert.deepStrictEqual(published.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character, d.message]),
        fresh.map((f) => [f.ruleId, f.range.start.line, f.range.start.character, f.message]), `version ${version}`);
    }
    assert.ok(text.includes('os.popen(request.form["x"])') && text.includes('os.system("pwd")'));
  });
});

function applyChange(text, { range, text: insert }) {
  const offset = (p) => {
    let at = 0;
    for (let l = 0; l < p.line; l++) at = text.indexOf('\n', at) + 1;
    return at + p.character;
  };
  return text.slice(0, offset(range.start)) + insert + text.slice(offset(range.end));
}
