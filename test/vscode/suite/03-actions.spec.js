'use strict';
// Code actions and hovers, through VS Code's own command API (what the lightbulb and the hover
// widget call): each kind of action applies and the document ends as expected.
const assert = require('node:assert');
const vscode = require('vscode');
const h = require('./helpers');

async function actionsAt(uri, range, kind) {
  return vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, kind, 10);
}

async function apply(action) {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `applied: ${action.title}`);
  if (action.command) return vscode.commands.executeCommand(action.command.command, ...(action.command.arguments || []));
  return undefined;
}

/** Opens a fixture copy and waits until VS Code shows all the engine's findings. */
async function openFixture(name, transform) {
  const uri = h.copyFixture(name, transform);
  const doc = await h.open(uri);
  const expected = await h.engineFindings(doc);
  const diagnostics = await h.waitForDiagnostics(uri, (d) => d.length === expected.length && d.length > 0);
  return { uri, doc, expected, diagnostics };
}

describe('code actions and hover', () => {
  before(() => h.activate());

  it('the preferred quick fix rewrites the code as the engine says and the finding goes away', async () => {
    const { uri, doc, expected, diagnostics } = await openFixture('sql.py');
    const finding = expected.find((f) => f.ruleId === 'sql-injection');
    assert.ok(finding && finding.fixes.some((f) => f.preferred), 'sql-injection has a preferred fix');
    const fix = finding.fixes.find((f) => f.preferred);
    const want = h.engine.applyEdits(doc.getText(), fix.edits).text;
    const diag = diagnostics.find((d) => h.code(d) === 'sql-injection');
    const actions = await actionsAt(uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const preferred = actions.filter((a) => a.isPreferred);
    assert.strictEqual(preferred.length, 1, `one preferred action; got: ${actions.map((a) => a.title).join(' | ')}`);
    assert.strictEqual(preferred[0].title, fix.title);
    await apply(preferred[0]);
    assert.strictEqual(doc.getText(), want);
    await h.waitForDiagnostics(uri, (d) => !d.some((x) => h.code(x) === 'sql-injection'), 'the sql-injection finding to go away');
  });

  it('"fix all problems of this rule" fixes every instance in the file', async () => {
    // two copies of the weak token function: two findings of one rule
    const { uri, doc, diagnostics } = await openFixture('tokens.py', (t) => t + t.split('\n').slice(2).join('\n').replace('new_session_id', 'new_csrf_token'));
    const rule = h.code(diagnostics[0]);
    const same = diagnostics.filter((d) => h.code(d) === rule);
    assert.ok(same.length >= 2, h.describe(diagnostics));
    const actions = await actionsAt(uri, same[0].range, vscode.CodeActionKind.QuickFix.value);
    const all = actions.find((a) => a.title.startsWith(`Fix all ${rule} problems`));
    assert.ok(all, `a fix-all action; got: ${actions.map((a) => a.title).join(' | ')}`);
    await apply(all);
    await h.waitForDiagnostics(uri, (d) => !d.some((x) => h.code(x) === rule), `no ${rule} left`);
    assert.ok(!/random\.getrandbits/.test(doc.getText()), doc.getText());
  });

  it('source.fixAll.secureHints (for codeActionsOnSave) applies every safe fix, and only on request', async () => {
    const { uri, doc, expected } = await openFixture('tokens.py');
    const safe = expected.filter((f) => (f.fixes.find((x) => x.preferred) || f.fixes[0] || {}).safe);
    assert.ok(safe.length > 0, 'the fixture has a safe fix');
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    const plain = await actionsAt(uri, whole);
    assert.ok(!plain.some((a) => a.kind && a.kind.value === 'source.fixAll.secureHints'), 'not offered unasked');
    const actions = await actionsAt(uri, whole, 'source.fixAll.secureHints');
    const fixAll = actions.find((a) => a.kind && a.kind.value === 'source.fixAll.secureHints');
    assert.ok(fixAll, `got: ${actions.map((a) => `${a.title} [${a.kind && a.kind.value}]`).join(' | ')}`);
    await apply(fixAll);
    const after = h.engine.analyze(uri.fsPath, doc.languageId, doc.getText(), {});
    for (const f of safe) assert.ok(!after.some((g) => g.ruleId === f.ruleId && g.range.start.line === f.range.start.line), `fixed ${f.ruleId} line ${f.range.start.line + 1}`);
  });

  for (const name of ['sql.py', 'Profile.tsx']) {
    // Profile.tsx: in JSX children the server inserts `{/* secure-hints: ignore[...] */}`
    it(`"ignore on this line" inserts a suppression comment and the finding goes away (${name})`, async () => {
      const { uri, doc, diagnostics } = await openFixture(name);
      const d = diagnostics[0];
      const rule = h.code(d);
      const actions = await actionsAt(uri, d.range, vscode.CodeActionKind.QuickFix.value);
      const ignore = actions.find((a) => a.title === `Ignore ${rule} on this line`);
      assert.ok(ignore, `got: ${actions.map((a) => a.title).join(' | ')}`);
      await apply(ignore);
      assert.ok(doc.getText().includes(`secure-hints: ignore[${rule}]`), doc.getText());
      await h.waitForDiagnostics(uri, (now) => now.length === diagnostics.length - 1, 'one finding fewer')
        .catch((err) => { err.message += `\n  document now:\n${doc.getText()}`; throw err; });
    });
  }

  it('"show documentation" opens the rule page from inside the extension', async () => {
    const { uri, diagnostics } = await openFixture('sql.py');
    const d = diagnostics[0];
    const actions = await actionsAt(uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const docs = actions.find((a) => a.title.startsWith('Show documentation'));
    assert.ok(docs && docs.command, `got: ${actions.map((a) => a.title).join(' | ')}`);
    const page = await apply(docs);
    assert.ok(page && page.path.endsWith(`/docs/rules/${h.code(d)}.md`), `opened ${page}`);
    const text = Buffer.from(await vscode.workspace.fs.readFile(page)).toString('utf8');
    assert.match(text, /^# /m);
  });

  it('hover on a finding explains it: CWE, OWASP, the data path and a docs link', async () => {
    const { uri, diagnostics } = await openFixture('sql.py');
    const d = diagnostics.find((x) => h.code(x) === 'sql-injection');
    assert.ok(d, h.describe(diagnostics));
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, d.range.start.translate(0, 1));
    const text = hovers.flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /CWE-89/, text);
    assert.match(text, /OWASP|A03/, text);
    assert.match(text, /request\.args/, text);
    assert.match(text, /sql-injection\.md/, text);
  });
});
