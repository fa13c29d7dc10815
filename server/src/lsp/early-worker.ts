/**
 * Start-up: when this bundle runs as `secure-hints lsp` (VS Code's client forks it with
 * `lsp --node-ipc`), the analysis worker is started first thing, before the rest of the bundle is
 * evaluated, so that loading the bundle in the worker and on the main thread overlap; AnalysisWorkers
 * takes it over (worker-spawn.ts). This module must stay main.ts's first import, and nothing else may
 * import it: esbuild evaluates a module imported from the lazily loaded server code only when that
 * code runs, which would be too late.
 */
import { isMainThread } from 'node:worker_threads';
import { startEarlyWorker } from './worker-spawn';

if (isMainThread && process.argv[2] === 'lsp' && process.env.SECURE_HINTS_NO_ANALYSIS_WORKER !== '1' && __filename.endsWith('.js')) {
  try {
    startEarlyWorker(__filename);
  } catch {
    // AnalysisWorkers tries again, and falls back to analyzing on the main thread
  }
}
