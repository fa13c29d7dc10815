'use strict';
// The language server over the real protocol: `secure-hints lsp --stdio` as a child process and a
// JSON-RPC client (vscode-jsonrpc, what VS Code's client uses) in the test.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { TextDocument } = require('vscode-languageserver-textdocument');
const { LspClient, uri } = require('./helpers/lsp-client');
const { project, remove } = require('./helpers/cli');
const { pyCommand, pyToken, pySafe } = require('./helpers/samples');

/** The text after applying a code action's workspace edit, as the client would. */
function applyAction(text, action, fileUri) {
  const edit = action.edit;
  const edits = edit.documentChanges
    ? edit.documentChanges.filter((c) => c.textDocument.uri === fileUri).flatMap((c) => c.edits)
    : edit.changes[fileUri];
  return TextDocument.applyEdits(TextDocument.create(fileUri, 'python', 0, text), edits);
}

describe('language server over stdio', function () {
  // every case starts real processes; a loaded CI machine is slow to start them
  this.timeout(300000);
  let dir;
  let client;
  let n = 0;
  const fresh = (name) => path.join(dir, `${n++}-${name}`);

  before(async function () {
    dir = project({ 'placeholder.txt': '' });
    client = new LspClient({ workspaceFolder: dir });
    const result = await client.initialize();
    this.capabilities = result.capabilities;
  });
  after(async function () {
    await client.shutdown();
    remove(dir);
  });

  it('announces incremental sync, quick fixes, fix-all and hover', function () {
    const caps = this.capabilities;
    assert.strictEqual(caps.textDocumentSync.change, 2);
    assert.deepStrictEqual(caps.codeActionProvider.codeActionKinds, ['quickfix', 'source.fixAll.secureHints']);
    assert.strictEqual(caps.hoverProvider, true);
  });

  it('publishes diagnostics on open with code, docs link, source and data', async function () {
    const file = fresh('app.py');
    await client.open(file, pyCommand.text, 'python');
    const { diagnostics, version } = await client.waitForDiagnostics(file);
    assert.strictEqual(version, 1);
    assert.strictEqual(diagnostics.length, 1, JSON.stringify(diagnostics));
    const d = diagnostics[0];
    assert.strictEqual(d.code, pyCommand.rule);
    assert.strictEqual(d.source, 'secure-hints');
    assert.strictEqual(d.severity, 1);
    assert.strictEqual(d.range.start.line, pyCommand.line);
    assert.match(d.codeDescription.href, new RegExp(`docs/rules/${pyCommand.rule}\\.md$`));
    assert.strictEqual(d.data.ruleId, pyCommand.rule);
    assert.ok(d.data.fixes.some((f) => f.preferred && f.edits.length > 0));
  });

  it('re-analyzes on change and never publishes an older version after a newer one', async function () {
    const file = fresh('tokens.py');
    await client.open(file, pySafe, 'python');
    assert.deepStrictEqual((await client.waitForDiagnostics(file)).diagnostics, []);
    // several quick edits: the debounced server may skip intermediate versions
    await client.change(file, pyToken.text, 2);
    await client.change(file, pySafe, 3);
    await client.change(file, pyToken.text, 4);
    const last = await client.waitForDiagnostics(file, (p) => p.version === 4);
    assert.deepStrictEqual(last.diagnostics.map((d) => [d.code, d.range.start.line]), [[pyToken.rule, pyToken.line]]);
    const versions = client.diagnostics.get(uri(file)).map((p) => p.version);
    assert.deepStrictEqual(versions, [...versions].sort((a, b) => a - b), `published versions in order: ${versions}`);
    for (const p of client.diagnostics.get(uri(file))) {
      assert.strictEqual(p.diagnostics.length, p.version % 2 === 0 ? 1 : 0, `version ${p.version} matches its own text`);
    }
  });

  describe('code actions', function () {
    let file;
    let diagnostic;
    let actions;
    before(async function () {
      file = fresh('app.py');
      await client.open(file, pyCommand.text, 'python');
      diagnostic = (await client.waitForDiagnostics(file)).diagnostics[0];
      actions = await client.request('textDocument/codeAction', {
        textDocument: { uri: uri(file) },
        range: diagnostic.range,
        context: { diagnostics: [diagnostic] },
      });
    });

    it('offers the preferred fix first-class, ignore-on-this-line and show-documentation', function () {
      const preferred = actions.filter((a) => a.isPreferred);
      assert.strictEqual(preferred.length, 1, JSON.stringify(actions.map((a) => a.title)));
      assert.strictEqual(preferred[0].kind, 'quickfix');
      assert.deepStrictEqual(preferred[0].diagnostics, [diagnostic]);
      assert.ok(actions.some((a) => a.title === `Ignore ${pyCommand.rule} on this line`));
      const docs = actions.find((a) => a.command?.command === 'secureHints.showRuleDocumentation');
      assert.deepStrictEqual(docs.command.arguments, [pyCommand.rule]);
    });

    it('applying the preferred fix removes the finding', async function () {
      const fixed = applyAction(pyCommand.text, actions.find((a) => a.isPreferred), uri(file));
      assert.doesNotMatch(fixed, /shell=True/);
      await client.change(file, fixed, 2);
      const after = await client.waitForDiagnostics(file, (p) => p.version === 2);
      assert.deepStrictEqual(after.diagnostics.filter((d) => d.code === pyCommand.rule), []);
    });

    it('"ignore on this line" inserts an indented comment above, and the finding goes away', async function () {
      const other = fresh('app.py');
      await client.open(other, pyCommand.text, 'python');
      const d = (await client.waitForDiagnostics(other)).diagnostics[0];
      const acts = await client.request('textDocument/codeAction', { textDocument: { uri: uri(other) }, range: d.range, context: { diagnostics: [d] } });
      const ignored = applyAction(pyCommand.text, acts.find((a) => a.title.startsWith('Ignore ')), uri(other));
      const lines = ignored.split('\n');
      assert.match(lines[pyCommand.line], new RegExp(`^    # secure-hints: ignore\\[${pyCommand.rule}\\] \\S`));
      await client.change(other, ignored, 2);
      assert.deepStrictEqual((await client.waitForDiagnostics(other, (p) => p.version === 2)).diagnostics, []);
    });

    it('fix all safe problems: as source.fixAll.secureHints when asked, fixing every one', async function () {
      const twice = pyToken.text + '\n\ndef make_secret():\n    secret = random.random()\n    return secret\n';
      const other = fresh('tokens.py');
      await client.open(other, twice, 'python');
      const { diagnostics } = await client.waitForDiagnostics(other);
      assert.strictEqual(diagnostics.length, 2);
      const acts = await client.request('textDocument/codeAction', {
        textDocument: { uri: uri(other) },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.fixAll'] },
      });
      assert.deepStrictEqual(acts.map((a) => a.kind), ['source.fixAll.secureHints']);
      const fixed = applyAction(twice, acts[0], uri(other));
      assert.strictEqual(fixed.match(/import secrets/g).length, 1, 'the shared import is added once');
      await client.change(other, fixed, 2);
      assert.deepStrictEqual((await client.waitForDiagnostics(other, (p) => p.version === 2)).diagnostics, []);
    });
  });

  it('offers "fix all <rule> problems" and "fix all safe problems" in the quick-fix menu', async function () {
    const twice = pyToken.text + '\n\ndef make_secret():\n    secret = random.random()\n    return secret\n';
    const file = fresh('tokens.py');
    await client.open(file, twice, 'python');
    const { diagnostics } = await client.waitForDiagnostics(file);
    const acts = await client.request('textDocument/codeAction', { textDocument: { uri: uri(file) }, range: diagnostics[0].range, context: { diagnostics: [diagnostics[0]] } });
    const titles = acts.map((a) => a.title);
    assert.ok(titles.includes(`Fix all ${pyToken.rule} problems in this file (2)`), titles.join(' | '));
    assert.ok(titles.includes('Fix all safe problems in this file (2)'), titles.join(' | '));
    assert.ok(!acts.some((a) => a.kind === 'source.fixAll.secureHints'), 'the source action only comes when asked for');
  });

  it('"ignore on this line" in JSX children writes a JSX comment; elsewhere a line comment', async function () {
    const tsx = [
      'export function Post({ body, intro }: { body: string; intro: string }) {',
      '  return (',
      '    <article>',
      '      <div dangerouslySetInnerHTML={{ __html: body }} />',
      '      <p',
      '        dangerouslySetInnerHTML={{ __html: intro }}',
      '      />',
      '    </article>',
      '  );',
      '}',
      '',
    ].join('\n');
    const file = fresh('post.tsx');
    await client.open(file, tsx, 'typescriptreact');
    const { diagnostics } = await client.waitForDiagnostics(file);
    assert.deepStrictEqual(diagnostics.map((d) => d.range.start.line), [3, 5], JSON.stringify(diagnostics));
    let text = tsx;
    // bottom-up, so the first edit does not move the second line
    for (const d of [...diagnostics].reverse()) {
      const acts = await client.request('textDocument/codeAction', { textDocument: { uri: uri(file) }, range: d.range, context: { diagnostics: [d] } });
      text = applyAction(text, acts.find((a) => a.title.startsWith('Ignore ')), uri(file));
    }
    const lines = text.split('\n');
    assert.match(lines[3], /^      \{\/\* secure-hints: ignore\[[a-z-]+\] .+ \*\/\}$/);
    assert.match(lines[6], /^        \/\/ secure-hints: ignore\[[a-z-]+\] /);
    await client.change(file, text, 2);
    const after = (await client.waitForDiagnostics(file, (p) => p.version === 2)).diagnostics;
    assert.deepStrictEqual(after.filter((d) => d.range.start.line === 7), [], 'the line comment suppresses the attribute below it');
  });

  it('hover explains the finding with CWE and OWASP links and the docs link', async function () {
    const file = fresh('app.py');
    await client.open(file, pyCommand.text, 'python');
    const d = (await client.waitForDiagnostics(file)).diagnostics[0];
    const hover = await client.request('textDocument/hover', { textDocument: { uri: uri(file) }, position: d.range.start });
    assert.strictEqual(hover.contents.kind, 'markdown');
    const md = hover.contents.value;
    assert.ok(md.includes(`\`${pyCommand.rule}\``), md);
    assert.match(md, /\[CWE-78\]\(https:\/\/cwe\.mitre\.org\/data\/definitions\/78\.html\)/);
    assert.match(md, /\[OWASP A03:2021-Injection\]\(https:\/\/owasp\.org\/Top10\/A03_2021-Injection\/\)/);
    assert.match(md, /\*\*Data path:\*\* .*`.+` on line 8 reaches this code\./);
    assert.match(md, /\*\*Safe example:\*\*\n\n```python\n\S/, 'a safe example from the docs page, in the file\'s language');
    assert.match(md, new RegExp(`\\[Rule documentation\\]\\(\\S+/docs/rules/${pyCommand.rule}\\.md\\)`));
    const nothing = await client.request('textDocument/hover', { textDocument: { uri: uri(file) }, position: { line: 0, character: 0 } });
    assert.strictEqual(nothing, null);
  });

  it('reads .securehints.json from the workspace folder', async function () {
    fs.writeFileSync(path.join(dir, '.securehints.json'), JSON.stringify({ rules: { [pyToken.rule]: 'error' } }));
    try {
      const file = fresh('tokens.py');
      await client.open(file, pyToken.text, 'python');
      const { diagnostics } = await client.waitForDiagnostics(file);
      assert.deepStrictEqual(diagnostics.map((d) => [d.code, d.severity]), [[pyToken.rule, 1]]);
      // editing the file re-analyzes open documents
      const count = client.diagnostics.get(uri(file)).length;
      fs.writeFileSync(path.join(dir, '.securehints.json'), JSON.stringify({ rules: { [pyToken.rule]: 'off' } }));
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(path.join(dir, '.securehints.json')), type: 2 }] });
      const again = await client.waitForDiagnostics(file, (p) => client.diagnostics.get(uri(file)).indexOf(p) >= count);
      assert.deepStrictEqual(again.diagnostics, []);
      // a broken file is reported to the user, and analysis goes on without it
      fs.writeFileSync(path.join(dir, '.securehints.json'), '{ "rules": ');
      const other = fresh('tokens.py');
      await client.open(other, pyToken.text, 'python');
      assert.strictEqual((await client.waitForDiagnostics(other)).diagnostics.length, 1);
      const note = await client.waitForNote(path.join(dir, '.securehints.json'));
      assert.match(note.notes[0], /invalid JSON/);
    } finally {
      fs.rmSync(path.join(dir, '.securehints.json'));
    }
  });

  it('re-analyzes open files when settings change, without a restart', async function () {
    const file = fresh('tokens.py');
    await client.open(file, pyToken.text, 'python');
    assert.strictEqual((await client.waitForDiagnostics(file)).diagnostics.length, 1);
    const before = client.diagnostics.get(uri(file)).length;
    client.settings = { rules: { [pyToken.rule]: 'off' } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const after = await client.waitForDiagnostics(file, (p) => client.diagnostics.get(uri(file)).indexOf(p) >= before);
    assert.deepStrictEqual(after.diagnostics, []);
    client.settings = { enable: false };
    const other = fresh('app.py');
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.open(other, pyCommand.text, 'python');
    assert.deepStrictEqual((await client.waitForDiagnostics(other)).diagnostics, []);
    client.settings = {};
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });

  it('clears diagnostics when a file is closed', async function () {
    const file = fresh('app.py');
    await client.open(file, pyCommand.text, 'python');
    await client.waitForDiagnostics(file, (p) => p.diagnostics.length === 1);
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri(file) } });
    await client.waitForDiagnostics(file, (p) => p.diagnostics.length === 0);
  });
});

describe('language server time budget', function () {
  this.timeout(300000);
  it('stops an analysis over the budget, says so once, and stays responsive', async function () {
    const dir = project({ 'placeholder.txt': '' });
    const client = new LspClient({ workspaceFolder: dir, settings: { timeBudgetMs: 1 } });
    try {
      await client.initialize();
      const big = Array.from({ length: 300 }, (_, i) => pyCommand.text.replace(/report/g, `report${i}`)).join('\n');
      const file = path.join(dir, 'big.py');
      await client.open(file, big, 'python');
      const note = await client.waitForNote(file);
      assert.match(note.notes[0], /analysis stopped: over the 1 ms time budget/);
      assert.ok(client.logs.some((l) => l.includes('analysis stopped')), 'the log says it too');
      // the server still answers while the file is being analyzed
      const hover = await client.request('textDocument/hover', { textDocument: { uri: uri(file) }, position: { line: 8, character: 12 } });
      assert.strictEqual(hover, null);
      await client.connection.sendNotification('textDocument/didSave', { textDocument: { uri: uri(file) } });
      // analyses run one after another: once the next file's outcome is known, the save's run is over
      const next = path.join(dir, 'next.py');
      await client.open(next, big, 'python');
      await client.waitForNote(next);
      const notes = client.analysisNotes.filter((n) => n.uri === uri(file)).flatMap((n) => n.notes);
      assert.strictEqual(notes.filter((n) => /over the 1 ms time budget/.test(n)).length, 1, 'told once');
      // the longer run (open and save) stops itself at its budget with what it found, or is stopped: told once too
      assert.ok(notes.filter((n) => /4 ms/.test(n)).length <= 1, notes.join('\n'));
    } finally {
      await client.shutdown();
      remove(dir);
    }
  });
});

describe('language server over node IPC (how VS Code starts it)', function () {
  this.timeout(300000);
  it('answers initialize and publishes diagnostics when dist/server.js is forked with lsp --node-ipc', async function () {
    const { fork } = require('child_process');
    const { createMessageConnection, IPCMessageReader, IPCMessageWriter } = require('vscode-jsonrpc/node');
    const { root } = require('./helpers/cli');
    const child = fork(path.join(root, 'dist', 'server.js'), ['lsp', '--node-ipc', `--clientProcessId=${process.pid}`], { silent: true });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const published = new Promise((resolve, reject) => {
      connection.onNotification('textDocument/publishDiagnostics', resolve);
      setTimeout(() => reject(new Error('no diagnostics over IPC within 90 s')), 90000).unref();
    });
    connection.listen();
    try {
      const init = await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
      assert.strictEqual(init.serverInfo.name, 'secure-hints');
      await connection.sendNotification('initialized', {});
      const file = path.join(require('os').tmpdir(), 'secure-hints-ipc-app.py');
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(file), languageId: 'python', version: 1, text: pyCommand.text } });
      const p = await published;
      assert.deepStrictEqual(p.diagnostics.map((d) => d.code), [pyCommand.rule]);
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
    } finally {
      connection.dispose();
      child.kill();
    }
  });
});
