/**
 * The server bundle's entry: the engine for tests and embedders, and the `secure-hints`
 * command (scan, lsp) for the terminal and any editor.
 */
export { analyze, analyzeDetailed, languageFor, ready, syntaxErrors } from './engine/analyze';
export { rules } from './rules';
export { applyEdits, applyPreferredFixes } from './engine/edits';
import { main } from './cli';
export { main };
export { scan } from './cli/scan';
export { toSarif } from './cli/sarif';
export { loadProjectConfig, loadConfigFile, parseConfig, mergeConfigs } from './engine/config';

// VS Code's client forks this bundle directly with `lsp --node-ipc`
if (require.main === module) void main(process.argv.slice(2));
