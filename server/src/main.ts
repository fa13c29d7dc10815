/**
 * The server bundle's entry: the engine for tests and embedders, and the `secure-hints`
 * command (scan, lsp) for the terminal and any editor.
 */
// first: starts the language server's analysis worker before the rest of the bundle is evaluated
import './lsp/early-worker';
import { isMainThread, workerData } from 'node:worker_threads';
import { main } from './cli';
import { runAnalysisWorker, WORKER_FLAG } from './lsp/analysis-worker';
import { runScanWorker, SCAN_WORKER_FLAG } from './cli/parallel';
import { scanFile } from './cli/scan';
import { languageFor } from './engine/languages';
import ts from 'typescript';
import { JsFile, scriptKindFor } from './lang/javascript/front';
import { parsePython } from './lang/python/parser';
import { parseTerraform } from './lang/cloud/hcl-parser';
import { Edit, type Tree } from 'web-tree-sitter';
import { changedSpan, positionAt } from './engine/text-spans';

export { analyze, analyzeDetailed, ready } from './engine/analyze';
export { openDocument, type DocumentSession } from './engine/session';
export { syntaxErrors } from './engine/syntax-errors';
export { languageFor } from './engine/languages';
export { rules } from './rules';
export { routeInventory } from './engine/routes';
export { applyEdits, applyPreferredFixes } from './engine/edits';
export { loadProjectConfig, loadConfigFile, parseConfig, mergeConfigs } from './engine/config';
export { scan } from './cli/scan';
export { collectFiles } from './cli/walk';
export { defaultJobs } from './cli/parallel';
/** For the benchmark and probes: the JS/TS front itself. */
export { JsFile };
export { toSarif } from './cli/sarif';
/** The advisory database (dependency checks). */
export { loadIndex, recognizeVendoredLibrary, resetIndexCache } from './deps/advisories';
export { buildAdvisories } from './cli/advisories';
export { main };
/** For tests and benchmarks: the Python tree copy, its update path and its cursors. */
export { PTree as PythonTreeCopy } from './lang/python/tree';
export { parsePython };
export { useFastCursor, fastCursorInUse } from './lang/python/tree-walk';
/** For scripts/build.mjs: the flags a scan runs with (TypeScript's code cache is made for them). */
export { SCAN_V8_FLAGS } from './cli';

/**
 * Parses a file without analyzing it: benchmarks use it to report the parse's share of the time.
 * JS/TS: TypeScript's own `createSourceFile` with parent pointers, the tree any tool built on the
 * compiler API starts from (the front's own parse, which links parents itself, counts as analysis).
 */
export function parseOnly(path: string, text: string): void {
  const language = languageFor(path);
  if (language === 'python') parsePython(text).delete();
  else if (language === 'javascript') void ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKindFor(path));
  else if (language === 'terraform') parseTerraform(text).delete();
}

/**
 * The parser's own incremental reparse, for the benchmark's edit floor: a document held as the parser's
 * tree only, each `update` applying the change between the versions (their common prefix and suffix, as
 * engine/session.ts computes it) the way an incremental analysis does: tree-sitter's `tree.edit` +
 * `parse(text, old)` for Python, TypeScript's `updateSourceFile` (parent pointers set) for JS/TS.
 * Other languages: a fresh parseOnly per version.
 */
export function parseDocument(path: string, text: string): { update(next: string): void; dispose(): void } {
  const language = languageFor(path);
  let current = text;
  if (language === 'python') {
    let tree: Tree | undefined = parsePython(text);
    return {
      update(next) {
        const change = changedSpan(current, next);
        if (change && tree) {
          tree.edit(new Edit({
            startIndex: change.start, oldEndIndex: change.oldEnd, newEndIndex: change.newEnd,
            startPosition: positionAt(current, change.start), oldEndPosition: positionAt(current, change.oldEnd), newEndPosition: positionAt(next, change.newEnd),
          }));
          const old = tree;
          tree = parsePython(next, old);
          old.delete();
        }
        current = next;
      },
      dispose() { tree?.delete(); tree = undefined; },
    };
  }
  if (language === 'javascript') {
    let sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKindFor(path));
    return {
      update(next) {
        const change = changedSpan(current, next);
        if (change) sf = ts.updateSourceFile(sf, next, { span: { start: change.start, length: change.oldEnd - change.start }, newLength: change.newEnd - change.start });
        current = next;
      },
      dispose() {},
    };
  }
  return { update(next) { parseOnly(path, next); current = next; }, dispose() {} };
}

if (!isMainThread && workerData?.[WORKER_FLAG]) {
  // the language server's analysis worker (this bundle, started as a worker thread)
  runAnalysisWorker();
} else if (!isMainThread && workerData?.[SCAN_WORKER_FLAG]) {
  // a worker of a large `secure-hints scan`
  runScanWorker(scanFile);
} else if (isMainThread && require.main === module) {
  // VS Code's client forks this bundle directly with `lsp --node-ipc`
  void main(process.argv.slice(2));
}
