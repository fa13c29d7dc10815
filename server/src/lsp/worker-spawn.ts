/**
 * Starting the language server's analysis worker: the server bundle, which runs `runAnalysisWorker`
 * when it sees WORKER_FLAG. early-worker.ts starts one first thing; AnalysisWorkers takes it over.
 */
import { Worker } from 'node:worker_threads';

export const WORKER_FLAG = 'secureHintsAnalysisWorker';

interface Early { worker: Worker; script: string; ready: boolean; failed: boolean }

let early: Early | undefined;

export function spawnAnalysisWorker(script: string): Worker {
  // stdout/stderr: true keeps the worker's output off the LSP stream
  return new Worker(script, { workerData: { [WORKER_FLAG]: true }, argv: [], execArgv: [], stdout: true, stderr: true, resourceLimits: { maxOldGenerationSizeMb: 4096 } });
}

/** Starts the worker ahead of the server (early-worker.ts). */
export function startEarlyWorker(script: string): void {
  const e: Early = { worker: spawnAnalysisWorker(script), script, ready: false, failed: false };
  // until taken over: note readiness, and keep an early failure from being an unhandled 'error'
  e.worker.on('message', (m: { ready?: boolean }) => { if (m?.ready) e.ready = true; });
  e.worker.on('error', () => { e.failed = true; });
  e.worker.on('exit', () => { e.failed = true; });
  e.worker.unref();
  early = e;
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
