'use strict';
// Opening fixture files shows the engine's findings in VS Code, with exact ranges, codes,
// severities, sources and docs links.
const assert = require('node:assert');
const vscode = require('vscode');
const h = require('./helpers');

function key(range) {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

describe('diagnostics', () => {
  before(() => h.activate());

  for (const name of ['sql.py', 'Profile.tsx', 'tokens.py']) {
    it(`${name}: VS Code shows exactly the engine's findings`, async () => {
      const uri = h.copyFixture(name);
      const doc = await h.open(uri);
      const expected = await h.engineFindings(doc);
      assert.ok(expected.length > 0, `the engine finds something in ${name}`);
      const got = await h.waitForDiagnostics(uri, (d) => d.length === expected.length);
      const want = expected.map((f) => `${f.ruleId} ${key(f.range)} sev=${h.SEVERITY[f.severity]}`).sort();
      const have = got.map((d) => `${h.code(d)} ${key(d.range)} sev=${d.severity}`).sort();
      assert.deepStrictEqual(have, want);
      for (const d of got) {
        assert.strictEqual(d.source, 'secure-hints');
        assert.ok(typeof d.code === 'object' && String(d.code.target).includes(`${h.code(d)}.md`), `docs link on ${h.code(d)}`);
        assert.ok(d.message.length > 10, d.message);
      }
    });
  }

  it('sql.py: the f-string query is an error on its exact range, the constant query is quiet', async () => {
    const uri = h.copyFixture('sql.py');
    const doc = await h.open(uri);
    const got = await h.waitForDiagnostics(uri, (d) => d.some((x) => h.code(x) === 'sql-injection'));
    const sql = got.filter((d) => h.code(d) === 'sql-injection');
    assert.strictEqual(sql.length, 1, h.describe(got));
    const line = doc.lineAt(11).text;
    assert.ok(line.includes('conn.execute(f"'), line);
    assert.strictEqual(sql[0].severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(sql[0].range.start.line, 11);
    const flagged = doc.getText(sql[0].range);
    assert.ok(flagged.includes(`f"SELECT id, email FROM users WHERE name = '{name}'"`), `flagged text: ${flagged}`);
    assert.match(sql[0].message, /request\.args/);
  });

  it('Profile.tsx: only the prop reaching dangerouslySetInnerHTML is flagged', async () => {
    const uri = h.copyFixture('Profile.tsx');
    const doc = await h.open(uri);
    const got = await h.waitForDiagnostics(uri, (d) => d.some((x) => h.code(x) === 'react-dangerously-set-inner-html'));
    const xss = got.filter((d) => h.code(d) === 'react-dangerously-set-inner-html');
    assert.strictEqual(xss.length, 1, h.describe(got));
    assert.strictEqual(xss[0].range.start.line, 9, 'the line with __html: bio, not the constant banner');
    assert.ok(doc.getText(xss[0].range).includes('bio'), doc.getText(xss[0].range));
  });
});
