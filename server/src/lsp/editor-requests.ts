/**
 * Requests the VS Code client sends beyond the standard protocol: the workspace scan and the
 * SARIF export (names and shapes in client/src/protocol.ts). Files are found the way the CLI finds
 * them (`.gitignore`, built-in skips, the project file's and the settings' `exclude`) and analyzed
 * with the same settings as open documents (`analyzeDocument`), so editor, scan and CI agree.
 */
import { dirname, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CancellationToken, Connection, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  ExportSarifRequest, ScanProgressNotification, ScanWorkspaceRequest,
  type ExportSarifParams, type ExportSarifResult, type ScanDiagnostic, type ScanProgressParams,
  type ScanWorkspaceParams, type ScanWorkspaceResult,
} from '../../../client/src/protocol';
import { maxFileBytesFor } from '../engine/analyze';
import { languageFor } from '../engine/languages';
import { excludeMatcher, loadProjectConfig, type LoadedConfig } from '../engine/config';
import { ReadError, readRegularFile } from '../engine/read-file';
import type { Finding } from '../engine/types';
import { toSarif } from '../cli/sarif';
import { relativePath, type FileResult } from '../cli/scan';
import { collectFiles } from '../cli/walk';
import { toDiagnostic } from './diagnostics';

type AnalyzeDocument = (uri: string, text: string, languageId?: string) => Promise<Finding[]>;

export function registerEditorRequests(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  analyzeDocument: AnalyzeDocument,
): void {
  connection.onRequest(ScanWorkspaceRequest, async (params: ScanWorkspaceParams, token: CancellationToken): Promise<ScanWorkspaceResult> => {
    const run = await scanFolders(connection, params, documents, analyzeDocument, token, (p) => {
      void connection.sendNotification(ScanProgressNotification, p);
    });
    return {
      files: run.files.filter((f) => f.findings.length > 0).map((f) => ({
        uri: pathToFileURL(f.path).href,
        diagnostics: f.findings.filter((x) => !x.suppressed).map((x) => toDiagnostic(x) as ScanDiagnostic),
      })).filter((f) => f.diagnostics.length > 0),
      scanned: run.files.length,
      notes: run.files.flatMap((f) => f.notes.map((note) => ({ uri: pathToFileURL(f.path).href, note }))),
      cancelled: run.cancelled,
    };
  });

  connection.onRequest(ExportSarifRequest, async (params: ExportSarifParams, token: CancellationToken): Promise<ExportSarifResult> => {
    const started = Date.now();
    const run = await scanFolders(connection, params, documents, analyzeDocument, token, () => {});
    const sarif = toSarif({ root: run.root, files: run.files, config: run.config, missing: [], elapsedMs: Date.now() - started });
    return { sarif: JSON.stringify(sarif, null, 2), results: run.files.reduce((n, f) => n + f.findings.length, 0) };
  });
}

interface FolderRun {
  root: string;
  files: FileResult[];
  config: LoadedConfig;
  cancelled: boolean;
}

async function scanFolders(
  connection: Connection,
  params: ScanWorkspaceParams,
  documents: TextDocuments<TextDocument>,
  analyzeDocument: AnalyzeDocument,
  token: CancellationToken,
  progress: (p: ScanProgressParams) => void,
): Promise<FolderRun> {
  const folders = params.folders.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  const root = commonAncestor(folders);
  const work: { path: string; folder: string; maxBytes: number }[] = [];
  let firstConfig: LoadedConfig | undefined;
  for (const folder of folders) {
    const loaded = loadProjectConfig(folder, folder);
    firstConfig ??= loaded;
    const fromProject = excludeMatcher(loaded.root, loaded.config.exclude);
    const fromSettings = excludeMatcher(folder, await folderExcludes(connection, folder, params.exclude));
    const excluded = (p: string, isDir: boolean) => fromProject(p, isDir) || fromSettings(p, isDir);
    // lockfiles get their larger limit (the dependencies language)
    for (const path of collectFiles([folder], { excluded }).files) work.push({ path, folder, maxBytes: maxFileBytesFor(languageFor(path), loaded.config) });
  }

  const open = new Map(documents.all().map((d) => [d.uri, d]));
  const files: FileResult[] = [];
  let cancelled = false;
  let lastReport = 0;
  for (let i = 0; i < work.length; i++) {
    // let the connection read $/cancelRequest between files
    await new Promise((r) => setImmediate(r));
    if (token.isCancellationRequested) {
      cancelled = true;
      break;
    }
    const { path, maxBytes } = work[i];
    const rel = relativePath(root, path);
    if (Date.now() - lastReport > 100 || i === work.length - 1) {
      progress({ done: i, total: work.length, current: rel });
      lastReport = Date.now();
    }
    const uri = pathToFileURL(path).href;
    const result: FileResult = { path, rel, findings: [], notes: [] };
    files.push(result);
    let text = open.get(uri)?.getText();
    if (text === undefined) {
      const read = readText(path, maxBytes);
      if ('note' in read) {
        result.notes.push(read.note);
        continue;
      }
      text = read.text;
    }
    try {
      result.findings = await analyzeDocument(uri, text, open.get(uri)?.languageId);
    } catch (err) {
      result.notes.push(`analysis failed: ${(err as Error).message}`);
    }
    if (result.findings.length > 0) result.text = text;
  }
  progress({ done: files.length, total: work.length });
  return { root, files, config: firstConfig ?? { config: {}, root, problems: [] }, cancelled };
}

/** The folder's own `secureHints.exclude` (multi-root workspaces differ per folder); else what the client sent. */
async function folderExcludes(connection: Connection, folder: string, fallback: string[] | undefined): Promise<string[]> {
  try {
    const raw: unknown = await connection.workspace.getConfiguration({ scopeUri: pathToFileURL(folder).href, section: 'secureHints' });
    const exclude = (raw as { exclude?: unknown } | null)?.exclude;
    if (Array.isArray(exclude)) return exclude.filter((x): x is string => typeof x === 'string');
  } catch { /* a client without workspace/configuration */ }
  return fallback ?? [];
}

function readText(path: string, maxBytes: number): { text: string } | { note: string } {
  try {
    const bytes = readRegularFile(path, maxBytes);
    if (bytes.subarray(0, 8192).includes(0)) return { note: 'skipped: binary file' };
    return { text: bytes.toString('utf8') };
  } catch (err) {
    if (err instanceof ReadError && err.code === 'ETOOBIG') return { note: `skipped: ${err.message} (maxFileBytes)` };
    return { note: `skipped: cannot read (${(err as Error).message})` };
  }
}

function commonAncestor(paths: string[]): string {
  if (paths.length === 0) return process.cwd();
  let common = paths[0];
  for (const p of paths.slice(1)) {
    while (!(p === common || p.startsWith(common + sep))) common = dirname(common);
  }
  return common;
}
