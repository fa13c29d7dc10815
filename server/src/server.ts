/**
 * The language server: diagnostics on open and change (debounced, stale results dropped), code
 * actions and hovers from the analyzed version's findings, settings pulled from the client and
 * merged with `.securehints.json`. Served over stdio (any editor) or node IPC (VS Code).
 */
import { dirname, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind, createConnection, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, IPCMessageReader, IPCMessageWriter,
  ProposedFeatures, StreamMessageReader, StreamMessageWriter, TextDocuments, TextDocumentSyncKind,
  type Connection, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { languageFor } from './engine/languages';
import { CONFIG_FILE, ConfigCache, excludeMatcher, type ProjectConfig } from './engine/config';
import { AnalysisWorkers, type Outcome } from './lsp/analysis-worker';
import type { Finding } from './engine/types';
import type { RenderCall } from './engine/render-types';
import { codeActions, FIX_ALL_KIND } from './lsp/code-actions';
import { toDiagnostic } from './lsp/diagnostics';
import { registerEditorRequests } from './lsp/editor-requests';
import { registerRoutesRequest } from './lsp/routes-request';
import { hoverAt } from './lsp/hover';
import { DEFAULT_SETTINGS, effectiveConfig, normalizeSettings, type Settings } from './lsp/settings';
import { VERSION } from './cli/version';

const DEBOUNCE_MS = 200;

interface Analyzed { version: number; findings: Finding[] }

export function startServer(transport: 'stdio' | 'ipc'): Connection {
  const reader = transport === 'ipc' ? new IPCMessageReader(process) : new StreamMessageReader(process.stdin);
  const connection = transport === 'ipc'
    ? createConnection(ProposedFeatures.all, reader, new IPCMessageWriter(process))
    : createConnection(ProposedFeatures.all, reader, new StreamMessageWriter(process.stdout));
  // a corrupt frame header leaves the stream unreadable from there on: exit, so the client restarts the
  // server, rather than stay alive but deaf (a malformed JSON body is only that message's loss)
  reader.onError((err) => {
    if (!/header|content-length/i.test(err.message)) return;
    process.stderr.write(`secure-hints: the LSP stream is corrupt (${err.message.split('\n')[0]}); exiting so the client restarts the server\n`);
    process.exit(1);
  });
  const documents = new TextDocuments(TextDocument);
  const analyzed = new Map<string, Analyzed>();
  /** Render calls of the analyzed code documents, by URI (see `rememberRenders`). */
  const renderFacts = new Map<string, RenderCall[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  const settingsCache = new Map<string, Promise<Settings>>();
  const configs = new ConfigCache();
  /** Documents that went over the time budget: analyzed on open and save only. */
  const slow = new Set<string>();
  const told = new Set<string>();
  // SECURE_HINTS_NO_ANALYSIS_WORKER=1 forces the in-thread fallback (what runs when a worker cannot start)
  const noWorker = process.env.SECURE_HINTS_NO_ANALYSIS_WORKER === '1';
  const workers = new AnalysisWorkers(__filename.endsWith('.js') && !noWorker ? __filename : undefined, (m) => connection.console.log(m));
  workers.warmUp();
  let folders: string[] = [];
  let pullSettings = false;
  let globalSettings: Settings = DEFAULT_SETTINGS;
  let documentChanges = false;
  let folderEvents = false;
  let watchFiles = false;

  const logOnce = (key: string, message: string) => {
    if (told.has(key)) return;
    told.add(key);
    connection.console.info(message);
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    pullSettings = caps.workspace?.configuration === true;
    documentChanges = caps.workspace?.workspaceEdit?.documentChanges === true;
    folderEvents = caps.workspace?.workspaceFolders === true;
    watchFiles = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    if (folders.length === 0 && params.rootUri) {
      const root = uriToPath(params.rootUri);
      if (root) folders = [root];
    }
    globalSettings = normalizeSettings((params.initializationOptions as { settings?: unknown } | undefined)?.settings);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        hoverProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'secure-hints', version: VERSION },
    };
  });

  connection.onInitialized(() => {
    // a changed .securehints.json re-analyzes open files (the cache re-reads it by modification time)
    if (watchFiles) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/${CONFIG_FILE}` }] }).catch(() => undefined);
    }
    if (pullSettings) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'secureHints' }).catch(() => undefined);
    if (folderEvents) connection.workspace.onDidChangeWorkspaceFolders((e) => {
      const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
      folders = [...folders.filter((f) => !removed.has(f)), ...e.added.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p)];
      reanalyzeAll();
    });
  });

  connection.onDidChangeWatchedFiles(() => reanalyzeAll());

  connection.onDidChangeConfiguration((change) => {
    settingsCache.clear();
    slow.clear();
    if (!pullSettings) {
      const s = (change.settings as { secureHints?: unknown } | undefined)?.secureHints;
      if (s !== undefined) globalSettings = normalizeSettings(s);
    }
    reanalyzeAll();
  });

  function settingsFor(uri: string): Promise<Settings> {
    if (!pullSettings) return Promise.resolve(globalSettings);
    let s = settingsCache.get(uri);
    if (!s) {
      s = connection.workspace.getConfiguration({ scopeUri: uri, section: 'secureHints' })
        .then(normalizeSettings, () => globalSettings);
      settingsCache.set(uri, s);
    }
    return s;
  }

  function folderOf(path: string): string | undefined {
    return folders.filter((f) => path === f || path.startsWith(f.endsWith(sep) ? f : f + sep)).sort((a, b) => b.length - a.length)[0];
  }

  /** The engine configuration for `uri` (settings + project file), or undefined when disabled or excluded. */
  async function configFor(uri: string): Promise<{ path: string; config: ProjectConfig; budgetMs: number } | undefined> {
    const settings = await settingsFor(uri);
    if (!settings.enable) return undefined;
    const path = uriToPath(uri);
    let project: ProjectConfig = {};
    if (path) {
      const folder = folderOf(path);
      const loaded = configs.load(dirname(path), folder);
      if (loaded.path && loaded.problems.length > 0) note(pathToFileURL(loaded.path).href, loaded.problems);
      project = loaded.config;
      if (excludeMatcher(loaded.root, loaded.config.exclude)(path) || (folder && excludeMatcher(folder, settings.exclude)(path))) return undefined;
    }
    const config = effectiveConfig(project, settings);
    return { path: path ?? uri, config, budgetMs: config.timeBudgetMs ?? DEFAULT_SETTINGS.timeBudgetMs };
  }

  /** Tells the user once per file and note: in the log, and to the client for a status hint. */
  function note(uri: string, notes: string[]): void {
    const fresh = notes.filter((n) => !told.has(`note:${uri}:${n}`));
    if (fresh.length === 0) return;
    for (const n of fresh) logOnce(`note:${uri}:${n}`, `Secure Hints: ${uri}: ${n}`);
    void connection.sendNotification('secureHints/analysisNote', { uri, notes: fresh });
  }

  async function validate(document: TextDocument): Promise<void> {
    const { uri, version } = document;
    workers.cancel(uri); // an older version's analysis is stale now
    let outcome: Outcome;
    let budget = 0;
    try {
      const prepared = await configFor(uri);
      if (documents.get(uri)?.version !== version) return; // a newer version arrived meanwhile: its own run publishes
      const isSlow = slow.has(uri);
      budget = prepared ? prepared.budgetMs * (isSlow ? 4 : 1) : 0;
      // a slow file's longer run stops itself at the budget with the findings so far and a note naming the
      // rule; the worker is terminated only past twice that (a parse that alone is too slow)
      const isTemplate = prepared && languageFor(prepared.path, document.languageId) === 'template';
      // `session`: analyzed incrementally against the document's previous version (engine/session.ts)
      const job = prepared && {
        path: prepared.path, languageId: document.languageId, text: document.getText(), config: prepared.config, session: uri, ...(isSlow ? { timeBudgetMs: budget } : {}),
        ...(isTemplate && renderFacts.size > 0 ? { renders: [...renderFacts.values()].flat() } : {}),
      };
      outcome = job
        ? await workers.run(uri, job, isSlow ? budget * 2 : budget, true)
        : { kind: 'done', findings: [], notes: [], elapsedMs: 0 };
    } catch (err) {
      logOnce(`crash:${uri}:${version}`, `Secure Hints: analysis of ${uri} failed: ${(err as Error).stack ?? err}`);
      return;
    }
    if (outcome.kind === 'cancelled' || documents.get(uri)?.version !== version) return;
    if (outcome.kind === 'failed') {
      logOnce(`crash:${uri}:${version}`, `Secure Hints: analysis of ${uri} failed: ${outcome.error}`);
      return;
    }
    if (outcome.kind === 'timeout') {
      if (!slow.has(uri)) {
        slow.add(uri);
        note(uri, [`analysis stopped: over the ${budget} ms time budget (secureHints.timeBudgetMs). The file is now analyzed on open and save with a longer budget, not while typing; \`secure-hints scan\` analyzes it without a budget.`]);
        schedule(document, 0); // once more now, with the longer budget
      } else {
        // even the longer run was stopped from outside: say so once, and clear what would be stale
        note(uri, [`analysis stopped again at the longer ${budget} ms budget: no diagnostics for this file in the editor; \`secure-hints scan\` analyzes it.`]);
        analyzed.set(uri, { version, findings: [] });
        void connection.sendDiagnostics({ uri, version, diagnostics: [] });
      }
      return;
    }
    note(uri, outcome.notes);
    rememberRenders(uri, outcome.renders);
    analyzed.set(uri, { version, findings: outcome.findings });
    void connection.sendDiagnostics({ uri, version, diagnostics: outcome.findings.filter((f) => !f.suppressed).map(toDiagnostic) });
  }

  function schedule(document: TextDocument, delay: number): void {
    clearTimeout(timers.get(document.uri));
    timers.set(document.uri, setTimeout(() => {
      timers.delete(document.uri);
      const latest = documents.get(document.uri);
      if (latest) void validate(latest);
    }, delay));
  }

  /**
   * The render calls of the code files analyzed in this session, by document: templates are judged by them.
   * When a file's render calls change, the open templates are analyzed again.
   */
  function rememberRenders(uri: string, renders: RenderCall[] | undefined): void {
    const before = JSON.stringify(renderFacts.get(uri) ?? []);
    if (renders?.length) renderFacts.set(uri, renders);
    else renderFacts.delete(uri);
    if (JSON.stringify(renders ?? []) === before) return;
    for (const d of documents.all()) {
      let path = d.uri;
      try { path = fileURLToPath(d.uri); } catch { /* not a file: URI */ }
      if (d.uri !== uri && languageFor(path, d.languageId) === 'template') schedule(d, 0);
    }
  }

  function reanalyzeAll(): void {
    for (const d of documents.all()) schedule(d, 0);
  }

  // TextDocuments reports an open as an open and a content change: the open schedules the analysis
  const justOpened = new Set<string>();
  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    schedule(e.document, 0);
  });
  documents.onDidChangeContent(async (e) => {
    if (justOpened.delete(e.document.uri)) return;
    const settings = await settingsFor(e.document.uri);
    if (settings.run === 'onType' && !slow.has(e.document.uri)) schedule(e.document, DEBOUNCE_MS);
  });
  documents.onDidSave(async (e) => {
    const settings = await settingsFor(e.document.uri);
    const a = analyzed.get(e.document.uri);
    if (settings.run === 'onSave' || slow.has(e.document.uri) || a?.version !== e.document.version) schedule(e.document, 0);
  });
  documents.onDidClose((e) => {
    workers.cancel(e.document.uri);
    workers.forget(e.document.uri);
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    justOpened.delete(e.document.uri);
    analyzed.delete(e.document.uri);
    settingsCache.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  /** The findings of the document's current version, or undefined while a newer analysis is pending. */
  function current(uri: string): { document: TextDocument; findings: Finding[] } | undefined {
    const document = documents.get(uri);
    const a = analyzed.get(uri);
    if (!document || !a || a.version !== document.version) return undefined;
    return { document, findings: a.findings };
  }

  // a request the server cannot answer (positions past the end, malformed diagnostics) gets an empty answer
  connection.onCodeAction((params) => graceful('codeAction', [], () => {
    const c = current(params.textDocument.uri);
    if (!c) return [];
    return codeActions({ params, document: c.document, languageId: c.document.languageId, findings: c.findings, documentChanges });
  }));

  connection.onHover((params) => graceful('hover', null, () => {
    const c = current(params.textDocument.uri);
    return c ? hoverAt(c.findings, params.position, c.document.uri, c.document.languageId) : null;
  }));

  function graceful<T>(what: string, empty: T, answer: () => T): T {
    try {
      return answer();
    } catch (err) {
      logOnce(`request:${what}:${(err as Error)?.message}`, `Secure Hints: ${what} request failed, answered empty: ${(err as Error)?.stack ?? err}`);
      return empty;
    }
  }

  // workspace scans and SARIF export: same settings and project file as open documents, queued behind them
  registerRoutesRequest(connection);
  registerEditorRequests(connection, documents, async (uri, text, languageId) => {
    const prepared = await configFor(uri);
    if (!prepared || !languageFor(prepared.path, languageId)) return [];
    const outcome = await workers.run(`scan:${uri}`, { path: prepared.path, languageId, text, config: prepared.config }, prepared.budgetMs * 4, false);
    if (outcome.kind === 'timeout') note(uri, [`skipped by the workspace scan: over the time budget (${Math.round(outcome.elapsedMs)} ms)`]);
    return outcome.kind === 'done' ? outcome.findings.filter((f) => !f.suppressed) : [];
  });

  connection.onShutdown(() => workers.dispose());
  documents.listen(connection);
  connection.listen();
  return connection;
}

function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}
