/**
 * The server bundle's entry: the engine for tests and embedders, and the `secure-hints`
 * command (scan, lsp) for the terminal and any editor.
 */
import { main } from './cli';
import { languageFor } from './engine/analyze';
import { JsFile } from './lang/javascript/front';
import { parsePython } from './lang/python/parser';

export { analyze, analyzeDetailed, languageFor, ready, syntaxErrors } from './engine/analyze';
export { rules } from './rules';
export { applyEdits, applyPreferredFixes } from './engine/edits';
export { loadProjectConfig, loadConfigFile, parseConfig, mergeConfigs } from './engine/config';
export { scan } from './cli/scan';
export { toSarif } from './cli/sarif';
export { main };

/** Parses a file without analyzing it: benchmarks use it to report the parse's share of the time. */
export function parseOnly(path: string, text: string): void {
  const language = languageFor(path);
  if (language === 'python') parsePython(text).delete();
  else if (language === 'javascript') void new JsFile(path, text);
}

// VS Code's client forks this bundle directly with `lsp --node-ipc`
if (require.main === module) void main(process.argv.slice(2));
