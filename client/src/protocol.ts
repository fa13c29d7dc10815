/**
 * Secure Hints' own LSP requests and notifications, beyond the standard protocol.
 * Shared by the client and `server/src/lsp/editor-requests.ts`: plain names and JSON shapes only.
 */

/** Client -> server request: analyze every supported file under the folders. */
export const ScanWorkspaceRequest = 'secureHints/scanWorkspace';
export interface ScanWorkspaceParams {
  /** Workspace folder URIs (file scheme). */
  folders: string[];
  /** Extra glob patterns to skip, relative to each folder (besides `.gitignore` and the built-in skips). */
  exclude?: string[];
}
export interface ScanDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: 1 | 2 | 3 | 4;
  message: string;
  code: string;
  codeDescription?: { href: string };
  source: string;
  data?: unknown;
}
export interface ScanWorkspaceResult {
  /** Files with findings (files without findings are left out). */
  files: { uri: string; diagnostics: ScanDiagnostic[] }[];
  /** Number of files analyzed. */
  scanned: number;
  /** Files not analyzed (too large, binary, minified) or analyzed only in part, with why. */
  notes: { uri: string; note: string }[];
  cancelled: boolean;
}

/** Server -> client notification while a scan runs. */
export const ScanProgressNotification = 'secureHints/scanProgress';
export interface ScanProgressParams {
  done: number;
  total: number;
  /** The file being analyzed, relative to its folder. */
  current?: string;
}

/** Client -> server request: a SARIF 2.1.0 log for the folders (as JSON text). */
export const ExportSarifRequest = 'secureHints/exportSarif';
export interface ExportSarifParams {
  folders: string[];
  exclude?: string[];
}
export interface ExportSarifResult {
  sarif: string;
  results: number;
}

/** Server -> client notification: a file was skipped or analyzed only in part. */
export const AnalysisNoteNotification = 'secureHints/analysisNote';
export interface AnalysisNoteParams {
  uri: string;
  notes: string[];
}

/** Client -> server request: the web routes under the folders, with their protection level (issue 12). */
export const RoutesRequest = 'secureHints/routes';
export interface RoutesParams {
  /** Workspace folder URIs (file scheme). */
  folders: string[];
}
export interface RouteItem {
  uri: string;
  /** Range of the route's name or path in the file. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  path: string;
  methods: string[];
  handler: string;
  framework: string;
  group: string;
  /** 'public', 'authenticated' or 'role:<name>'. */
  level: string;
  publicByDesign?: string;
  guards: string[];
  /** Findings of the access-control rules on this route. */
  questions: { ruleId: string; message: string; line: number }[];
}
export interface RoutesResult {
  routes: RouteItem[];
}
