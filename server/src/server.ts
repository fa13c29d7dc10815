/**
 * The language server: diagnostics on open and change (debounced, stale results dropped), code
 * actions and hovers from the analyzed version's findings, settings pulled from the client and
 * merged with `.securehints.json`. Served over stdio (any editor) or node IPC (VS Code).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind, createConnection, DidChangeConfigurationNotification, IPCMessageReader, IPCMessageWriter,
  ProposedFeatures, StreamMessageReader, StreamMessageWriter, TextDocuments, TextDocumentSyncKind,
  type Connection, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeDetailed, languageFor, ready } from './engine/analyze';
import { ConfigCache, excludeMatcher } from './engine/config';
import type { Finding } from './engine/types';
import { codeActions, FIX_ALL_KIND } from './lsp/code-actions';
import { toDiagnostic } from './lsp/diagnostics';
import { registerEditorRequests } from './lsp/editor-requests';
import { hoverAt } from './lsp/hover';
import { DEFAULT_SETTINGS, effectiveConfig, normalizeSettings, type Settings } from './lsp/settings';
import { VERSION } from './cli/version';

const DEBOUNCE_MS = 200;

interface Analyzed { version: number; findings: Finding[] }

export function startServer(transport: 'stdio' | 'ipc'): Connection {
  const connection = transport === 'ipc'
    ? createConnection(ProposedFeatures.all, new IPCMessageReader(process), new IPCMessageWriter(process))
    : createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  const documents = new TextDocuments(TextDocument);
  const analyzed = new Map<string, Analyzed>();
  const timers = new Map<string, NodeJS.Timeout>();
  const settingsCache = new Map<string, Promise<Settings>>();
  const configs = new ConfigCache();
  /** Documents that went over the time budget: analyzed on open and save only. */
  const slow = new Set<string>();
  const told = new Set<string>();
  const engineReady = ready();
  let folders: string[] = [];
  let pullSettings = false;
  let globalSettings: Settings = DEFAULT_SETTINGS;
  let documentChanges = false;
  let folderEvents = false;

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
    if (pullSettings) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'secureHints' }).catch(() => undefined);
    if (folderEvents) connection.workspace.onDidChangeWorkspaceFolders((e) => {
      const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
      folders = [...folders.filter((f) => !removed.has(f)), ...e.added.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p)];
      reanalyzeAll();
    });
  });

  connection.onDidChangeConfiguration((change) => {
    settingsCache.clear();
    slow.clear();
    if (!pullSettings) {
      const s = (change.settings as { secureHints?: unknown } | undefined)?.secureHints;
      globalSettings = normalizeSettings(s);
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
    return folders.filter((f) => path === f || path.startsWith(f.endsWith('/') ? f : f + '/')).sort((a, b) => b.length - a.length)[0];
  }

  /** Findings for a text under the settings and project file that apply to `uri`; [] when disabled or excluded. */
  async function analyzeText(uri: string, text: string, languageId?: string): Promise<{ findings: Finding[]; notes: string[]; elapsedMs: number; budgetMs: number } | undefined> {
    const settings = await settingsFor(uri);
    if (!settings.enable) return undefined;
    const path = uriToPath(uri);
    let project = {};
    if (path) {
      const folder = folderOf(path);
      const loaded = configs.load(dirname(path), folder);
      for (const p of loaded.problems) logOnce(`config:${p}`, `Secure Hints: ${p}`);
      project = loaded.config;
      if (excludeMatcher(loaded.root, loaded.config.exclude)(path) || (folder && excludeMatcher(folder, settings.exclude)(path))) return undefined;
    }
    const config = effectiveConfig(project, settings);
    await engineReady;
    const started = performance.now();
    const result = analyzeDetailed(path ?? uri, languageId, text, config);
    return { ...result, elapsedMs: performance.now() - started, budgetMs: config.timeBudgetMs ?? DEFAULT_SETTINGS.timeBudgetMs };
  }

  async function validate(document: TextDocument): Promise<void> {
    const { uri, version } = document;
    let result;
    try {
      result = await analyzeText(uri, document.getText(), document.languageId);
    } catch (err) {
      logOnce(`crash:${uri}:${version}`, `Secure Hints: analysis of ${uri} failed: ${(err as Error).stack ?? err}`);
      return;
    }
    // a newer version arrived while settings were fetched: its own run publishes
    const current = documents.get(uri);
    if (!current || current.version !== version) return;
    const findings = result?.findings ?? [];
    for (const note of result?.notes ?? []) logOnce(`note:${uri}:${note}`, `Secure Hints: ${uri}: ${note}`);
    if (result && result.elapsedMs > result.budgetMs && !slow.has(uri)) {
      slow.add(uri);
      connection.console.warn(`Secure Hints: analyzing ${uri} took ${Math.round(result.elapsedMs)} ms (budget ${result.budgetMs} ms); from now on it is analyzed when opened or saved, not while typing.`);
    }
    analyzed.set(uri, { version, findings });
    void connection.sendDiagnostics({ uri, version, diagnostics: findings.filter((f) => !f.suppressed).map(toDiagnostic) });
  }

  function schedule(document: TextDocument, delay: number): void {
    clearTimeout(timers.get(document.uri));
    timers.set(document.uri, setTimeout(() => {
      timers.delete(document.uri);
      const latest = documents.get(document.uri);
      if (latest) void validate(latest);
    }, delay));
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

  connection.onCodeAction((params) => {
    const c = current(params.textDocument.uri);
    if (!c) return [];
    return codeActions({ params, document: c.document, languageId: c.document.languageId, findings: c.findings, documentChanges });
  });

  connection.onHover((params) => {
    const c = current(params.textDocument.uri);
    return c ? hoverAt(c.findings, params.position, c.document.uri, c.document.languageId) : null;
  });

  registerEditorRequests(connection, documents, async (uri, text, languageId) => {
    const path = uriToPath(uri) ?? uri;
    if (!languageFor(path, languageId)) return [];
    const result = await analyzeText(uri, text, languageId);
    return (result?.findings ?? []).filter((f) => !f.suppressed);
  });

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
