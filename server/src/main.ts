/**
 * The server bundle's entry: the engine for tests and embedders, and the `secure-hints`
 * command (scan, lsp) for the terminal and any editor.
 */
export { analyze, analyzeDetailed, languageFor, ready, syntaxErrors } from './engine/analyze';
export { rules } from './rules';
export { applyEdits, applyPreferredFixes } from './engine/edits';
export { main } from './cli';
