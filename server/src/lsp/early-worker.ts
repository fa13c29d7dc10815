/**
 * Start-up: the language server's analysis worker is started first thing when this bundle runs as
 * `secure-hints lsp` (VS Code's client forks it with `lsp --node-ipc`), before the rest of the bundle
 * is evaluated. Loading the bundle in the worker and on the main thread then overlap, instead of the
 * worker starting only once the main thread has loaded everything and reached `startServer`.
 * `AnalysisWorkers` takes this worker over (or starts one itself when there is none).
 * This module must stay first among main.ts's imports and import nothing of ours.
 */
import { isMainThread, Worker } from 'node:worker_threads';

export const WORKER_FLAG = 'secureHintsAnalysisWorker';

interface Early { worker: Worker; script: string; ready: boolean; failed: boolean }

let early: Early | undefined;

/** The server bundle as the analysis worker (it runs `runAnalysisWorker` when it sees WORKER_FLAG). */
export function spawnAnalysisWorker(script: string): Worker {
  // stdout/stderr: true keeps the worker's output off the LSP stream
  return new Worker(script, { workerData: { [WORKER_FLAG]: true }, argv: [], execArgv: [], stdout: true, stderr: true, resourceLimits: { maxOldGenerationSizeMb: 4096 } });
}

/** The worker started early for `script`, once: with whether it has already said it is ready. */
export function takeEarlyWorker(script: string): { worker: Worker; ready: boolean } | undefined {
  const e = early;
  early = undefined;
  if (!e || e.script !== script || e.failed) {
    if (e) void e.worker.terminate();
    return undefined;
  }
  e.worker.removeAllListeners('message');
  e.worker.removeAllListeners('error');
  e.worker.removeAllListeners('exit');
  return { worker: e.worker, ready: e.ready };
}

if (isMainThread && process.argv[2] === 'lsp' && process.env.SECURE_HINTS_NO_ANALYSIS_WORKER !== '1' && __filename.endsWith('.js')) {
  try {
    const e: Early = { worker: spawnAnalysisWorker(__filename), script: __filename, ready: false, failed: false };
    // until taken over: note readiness, and keep an early failure from being an unhandled 'error'
    e.worker.on('message', (m: { ready?: boolean }) => { if (m?.ready) e.ready = true; });
    e.worker.on('error', () => { e.failed = true; });
    e.worker.on('exit', () => { e.failed = true; });
    e.worker.unref();
    early = e;
  } catch {
    // AnalysisWorkers tries again, and falls back to analyzing on the main thread
  }
}
