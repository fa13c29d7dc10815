import type { Connection, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../engine/types';

/**
 * Requests the VS Code client sends beyond the standard protocol (workspace scan, SARIF export, ...).
 * Owned by the VS Code work; the server calls it once at start-up.
 */
export function registerEditorRequests(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  analyzeDocument: (uri: string, text: string, languageId?: string) => Promise<Finding[]>,
): void {
  void connection; void documents; void analyzeDocument;
}
