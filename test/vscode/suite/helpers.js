// Helpers for the extension-host suite: the extension's API, fixture copies, waiting for
// diagnostics (an event-driven wait with a generous ceiling; tests never assert on time), and the
// engine itself (dist/server.js) to state what VS Code must show.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const EXTENSION_ID = 'secure-hints.secure-hints';
// the engine of the extension under test (the runner may load a snapshot of the build)
const extension = vscode.extensions.getExtension(EXTENSION_ID);
const engine = require(path.join(extension ? extension.extensionPath : path.resolve(__dirname, '../../..'), 'dist/server.js'));

function log(line) {
  console.log(`[suite]     ${line}`);
}

function workspaceDir() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  if (!folder) throw new Error('no workspace folder open');
  return folder.uri.fsPath;
}

let api;
let activation;
/** Activates the extension (once; a failure fails every later caller at once) and waits for its server. */
function activate() {
  activation ??= (async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    if (!ext) throw new Error(`extension ${EXTENSION_ID} not loaded; loaded: ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
    api = await ext.activate();
    await api.ready;
    return api;
  })();
  return activation;
}

let counter = 0;
/** Writes a fresh copy of a fixture (editors auto-save, so each test edits its own file). */
function copyFixture(name, transform) {
  const src = path.join(workspaceDir(), 'fixtures', name);
  let text = fs.readFileSync(src, 'utf8');
  if (transform) text = transform(text);
  return writeFile(path.join('work', `${++counter}-${name}`), text);
}

function writeFile(rel, text) {
  const file = path.join(workspaceDir(), rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

async function open(uri) {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

function ours(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'secure-hints');
}

/** Resolves when `check()` returns a truthy value; re-checks on every diagnostics change. */
function waitFor(what, check, ceilingMs = 45_000) {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      sub.dispose();
      clearInterval(poll);
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value);
    };
    const attempt = () => {
      try {
        const v = check();
        if (v) finish(null, v);
      } catch (err) {
        finish(err);
      }
    };
    const sub = vscode.languages.onDidChangeDiagnostics(attempt);
    const poll = setInterval(attempt, 250);
    const timer = setTimeout(() => finish(new Error(`gave up waiting for ${what}`)), ceilingMs);
    attempt();
  });
}

/** Waits until the document's Secure Hints diagnostics satisfy `check(diagnostics)`. */
function waitForDiagnostics(uri, check, what) {
  return waitFor(what || `diagnostics on ${path.basename(uri.fsPath)}`, () => {
    const d = ours(uri);
    return check(d) ? d : undefined;
  }).catch((err) => {
    err.message += `\n  current diagnostics on ${uri.fsPath}:\n${describe(ours(uri))}`;
    throw err;
  });
}

function describe(diagnostics) {
  return diagnostics.map((d) => `    ${code(d)} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} sev=${d.severity} ${d.message}`).join('\n') || '    (none)';
}

function code(d) {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

const SEVERITY = { error: 0, warning: 1, info: 2, hint: 3 };

/** What the engine reports for a document's text: the expectation for the editor. */
async function engineFindings(doc) {
  await engine.ready();
  return engine.analyze(doc.uri.fsPath, doc.languageId, doc.getText(), {}).filter((f) => !f.suppressed);
}

/** Sets a `secureHints.*` workspace setting; `undefined` removes it. */
async function setSetting(key, value) {
  await vscode.workspace.getConfiguration('secureHints').update(key, value, vscode.ConfigurationTarget.Workspace);
}

module.exports = {
  activate, copyFixture, writeFile, open, ours, waitFor, waitForDiagnostics, describe, code, engine, engineFindings,
  setSetting, SEVERITY, log, workspaceDir, api: () => api,
};
