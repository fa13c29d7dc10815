/**
 * Scans many files on several worker threads (each loads the bundle and the parsers once, then
 * takes files one at a time). Results come back in the order of the file list, so reports do not
 * depend on timing.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { maxFileBytesFor, ready } from '../engine/analyze';
import type { ProjectConfig } from '../engine/config';
import { languageFor } from '../engine/languages';
import type { FileResult } from './scan';

export const SCAN_WORKER_FLAG = 'secureHintsScanWorker';

/** Below this many files, starting workers costs more than it saves. */
export const PARALLEL_THRESHOLD = 64;

/** The most workers a scan starts by default (`--jobs` may ask for more). */
const MAX_DEFAULT_JOBS = 4;

/** CPU a worker spends before its first file: loading the bundle and the parsers (about 0.9 s measured). */
const WORKER_START_MS = 1000;

/**
 * A worker is worth starting when it gets at least this many times its start-up in work: below that the
 * start-up of the extra workers (and the main thread's share of the machine) eats the gain.
 */
const WORK_PER_WORKER = 4;

/**
 * Rough analysis CPU in ms per KB of source, measured on large real trees (Django: ~3.5 ms/KB of Python;
 * the project's node_modules: ~0.4 ms/KB of JS/TS, minified and declaration files included), and per file.
 */
const MS_PER_KB_PYTHON = 3;
const MS_PER_KB_OTHER = 0.4;
const MS_PER_FILE = 0.3;

/**
 * The default number of workers for a scan: from the files' count and total size, so that the default is
 * never slower than one worker (a small scan, or one on a single CPU, runs on the main thread: 1).
 * Stats files only until the estimate is large enough for every worker the machine allows.
 */
export function defaultJobs(files: readonly string[] = [], config: ProjectConfig = {}): number {
  // one CPU is left to V8's own threads (garbage collection, compilation): a one-worker scan already keeps
  // about 1.4 of them busy, so on 2 CPUs a second worker only adds memory (measured: same wall, +90 MB)
  const cap = Math.max(1, Math.min(MAX_DEFAULT_JOBS, availableParallelism() - 1));
  if (cap === 1 || files.length < PARALLEL_THRESHOLD) return 1;
  const enough = cap * WORK_PER_WORKER * WORKER_START_MS;
  let estimate = 0;
  for (let i = 0; i < files.length && estimate < enough; i++) {
    const language = languageFor(files[i]);
    let size = 0;
    try {
      size = statSync(files[i], { throwIfNoEntry: false })?.size ?? 0;
    } catch { /* unreadable: costs a note, nothing more */ }
    // a file over the size limit is skipped at once
    if (size > maxFileBytesFor(language, config)) size = 0;
    estimate += MS_PER_FILE + (size / 1024) * (language === 'python' ? MS_PER_KB_PYTHON : MS_PER_KB_OTHER);
  }
  return Math.max(1, Math.min(cap, Math.floor(estimate / (WORK_PER_WORKER * WORKER_START_MS))));
}

/**
 * A worker's young generation (V8's default is 48 MB on 64-bit, of which the scan's workers kept 32 MB
 * resident): 24 MB keeps 16 MB, ~15 MB less per worker, at no CPU cost we could measure (Python bench tree,
 * --jobs 2, three alternating runs on a busy machine: median CPU 12.3 s against 14.3 s, peak RSS 207
 * against 236 MB). Smaller (12 MB) cost CPU: more short-lived trees promoted to the old generation.
 * Larger does not pay (issue 14, Python bench tree, two alternating rounds): --jobs 2 CPU 11.4/10.7 s at
 * 24 MB, 10.8/10.7 s at 48 MB, 11.1/9.7 s at 96 MB with peak RSS 203-210 / 230-238 / 288-296 MB; --jobs 3
 * peak RSS 254 / 295-299 / 379-380 MB (96 MB breaks the 300 MB scan budget) at no better CPU.
 */
const WORKER_YOUNG_GENERATION_MB = 24;

interface Shared { root: string; config: ProjectConfig; fix: boolean; fixDependencies?: boolean }

export async function scanInWorkers(script: string, files: string[], shared: Shared, jobs: number): Promise<FileResult[]> {
  const results: FileResult[] = new Array(files.length);
  let next = 0;
  /** One worker taking files until none are left; a worker that dies costs only its current file. */
  const work = (): Promise<void> => new Promise<void>((resolve) => {
    const w = new Worker(script, { workerData: { [SCAN_WORKER_FLAG]: shared }, argv: [], execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    let current = -1;
    let settled = false;
    const take = () => {
      if (next >= files.length) {
        settled = true;
        void w.terminate().then(() => resolve());
        return;
      }
      current = next++;
      w.postMessage({ index: current, path: files[current] });
    };
    w.on('message', (m: { ready?: boolean; index?: number; result?: FileResult; error?: string }) => {
      if (m.ready) return take();
      if (m.error !== undefined) {
        results[m.index!] = { path: files[m.index!], rel: files[m.index!], findings: [], notes: [`analysis failed: ${m.error}`] };
      } else {
        results[m.index!] = m.result!;
      }
      current = -1;
      take();
    });
    const lost = (why: string) => {
      if (settled) return;
      settled = true;
      if (current >= 0 && !results[current]) {
        results[current] = { path: files[current], rel: files[current], findings: [], notes: [`analysis failed: ${why}`] };
      }
      // a worker that dies before taking any file would die again: stop there
      if (current < 0) { resolve(); return; }
      void w.terminate();
      work().then(resolve, resolve);
    };
    w.on('error', (err) => lost(`scan worker failed: ${err.message}`));
    w.on('exit', (code) => lost(`scan worker exited (${code})`));
  });
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, work));
  const lostFiles = files.flatMap((f, i) => (results[i] ? [] : [f]));
  if (lostFiles.length > 0) throw new Error(`scan workers did not start; not scanned: ${lostFiles.slice(0, 3).join(', ')}`);
  return results;
}

/** The worker side: scan each file it is sent with the shared settings. */
export function runScanWorker(scanFile: (path: string, root: string, config: ProjectConfig, fix: boolean, fixDependencies?: boolean) => FileResult): void {
  const port = parentPort!;
  const shared = (workerData as Record<string, Shared>)[SCAN_WORKER_FLAG];
  port.on('message', ({ index, path }: { index: number; path: string }) => {
    try {
      port.postMessage({ index, result: scanFile(path, shared.root, shared.config, shared.fix, shared.fixDependencies) });
    } catch (err) {
      port.postMessage({ index, error: String((err as Error)?.message ?? err) });
    }
  });
  void ready().then(() => port.postMessage({ ready: true }));
}
