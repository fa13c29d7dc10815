'use strict';
// A minimal LSP client over stdio for tests: starts `secure-hints lsp --stdio` as a child process
// and speaks JSON-RPC to it with vscode-jsonrpc, the library VS Code's own client uses.
const path = require('path');
const { spawn } = require('child_process');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const { project, remove } = require('./cli');

const root = path.join(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'secure-hints.js');

class LspClient {
  /** @param {{ settings?: object, capabilities?: object, workspaceFolder?: string, env?: object }} options */
  constructor(options = {}) {
    this.settings = options.settings ?? {};
    this.logs = [];
    this.diagnostics = new Map(); // uri -> [{ version, diagnostics }]
    this.waiters = [];
    this.stderr = '';
    this.child = spawn(process.execPath, [bin, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    this.child.stderr.on('data', (d) => { this.stderr += d; });
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.connection.onNotification('textDocument/publishDiagnostics', (p) => {
      if (!this.diagnostics.has(p.uri)) this.diagnostics.set(p.uri, []);
      this.diagnostics.get(p.uri).push(p);
      this.waiters = this.waiters.filter((w) => !w(p));
    });
    this.connection.onNotification('window/logMessage', (p) => this.logs.push(p.message));
    this.analysisNotes = [];
    this.connection.onNotification('secureHints/analysisNote', (p) => {
      this.analysisNotes.push(p);
      this.waiters = this.waiters.filter((w) => !w(p));
    });
    this.connection.onRequest('workspace/configuration', (p) => p.items.map((item) => (item.section === 'secureHints' ? this.settings : null)));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.listen();
    this.options = options;
  }

  async initialize() {
    const folder = this.options.workspaceFolder;
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folder ? uri(folder) : null,
      workspaceFolders: folder ? [{ uri: uri(folder), name: path.basename(folder) }] : null,
      capabilities: this.options.capabilities ?? {
        workspace: { configuration: true, workspaceEdit: { documentChanges: true }, didChangeConfiguration: { dynamicRegistration: true }, didChangeWatchedFiles: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { versionSupport: true }, codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } } }, hover: { contentFormat: ['markdown'] } },
      },
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  open(file, text, languageId, version = 1) {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(file), languageId, version, text } });
  }

  change(file, text, version) {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(file), version }, contentChanges: [{ text }] });
  }

  /** Resolves with the first diagnostics published for `file` that satisfy `accept` (already received ones count). */
  waitForDiagnostics(file, accept = () => true, timeoutMs = 90000) {
    const u = uri(file);
    const seen = (this.diagnostics.get(u) ?? []).find(accept);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${u} within ${timeoutMs} ms; logs: ${this.logs.join('\n')}; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push((p) => {
        if (p.uri !== u || !accept(p)) return false;
        clearTimeout(timer);
        resolve(p);
        return true;
      });
    });
  }

  /** Resolves with the first `secureHints/analysisNote` for `file` that satisfies `accept`. */
  waitForNote(file, accept = () => true, timeoutMs = 90000) {
    const u = uri(file);
    const seen = this.analysisNotes.find((p) => p.uri === u && accept(p));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no analysis note for ${u} within ${timeoutMs} ms; logs: ${this.logs.join('\n')}`)), timeoutMs);
      this.waiters.push((p) => {
        if (p.uri !== u || !p.notes || !accept(p)) return false;
        clearTimeout(timer);
        resolve(p);
        return true;
      });
    });
  }

  request(method, params) {
    return this.connection.sendRequest(method, params);
  }

  async shutdown() {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch { /* the server may be gone */ }
    await new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      const t = setTimeout(() => { this.child.kill(); resolve(); }, 2000);
      this.child.on('exit', () => { clearTimeout(t); resolve(); });
    });
    this.connection.dispose();
  }
}

function uri(file) {
  return require('url').pathToFileURL(file).href;
}

/**
 * For a mocha `describe`: a language server over a fresh, empty workspace folder, started before its
 * tests and shut down after them. The returned object's `client` and `dir` are set once it is up.
 */
function withLanguageServer() {
  const session = { client: undefined, dir: undefined };
  before(async function () {
    session.dir = project({ 'placeholder.txt': '' });
    session.client = new LspClient({ workspaceFolder: session.dir });
    await session.client.initialize();
  });
  after(async function () {
    await session.client.shutdown();
    remove(session.dir);
  });
  return session;
}

module.exports = { LspClient, uri, root, bin, withLanguageServer };
