/**
 * Starting the language server's analysis worker: the server bundle, which runs `runAnalysisWorker`
 * when it sees WORKER_FLAG. early-worker.ts starts one first thing; AnalysisWorkers takes it over.
 */
import { Worker } from 'node:worker_threads';

export const WORKER_FLAG = 'secureHintsAnalysisWorker';

interface Early { worker: Worker; script: string; ready: boolean; failed: boolean }

let early: Early | undefined;

/**
 * The young generation stays at V8's default (48 MB on 64-bit: 16 MB semi-spaces). Measured for issue 14
 * (scripts/bench/young-generation.mjs, generated 10,000-line Python file, open + 15 edits, workers of each
 * size alternating in one process, medians of 5): process CPU 4.74 s default, 4.80 s at 96 MB, 4.83 s at
 * 192 MB, 4.53 s at 24 MB; worker-thread CPU 2.72 / 2.81 / 2.92 / 2.61 s, all within the noise of a loaded
 * 2-CPU machine, while peak RSS went 324 -> 330 (96 MB) -> 380 MB (192 MB), and 24 MB (299 MB) cost up to
 * 8% more CPU per edit in separate-process runs. A larger young generation does not pay here: the
 * scavenger's parallel threads already absorb the copying, and what survives is promoted either way.
 */
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
