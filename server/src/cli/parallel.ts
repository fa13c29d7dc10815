/**
 * Scans many files on several worker threads (each loads the bundle and the parsers once, then
 * takes files one at a time). Results come back in the order of the file list, so reports do not
 * depend on timing.
 */
import { availableParallelism } from 'node:os';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { ready } from '../engine/analyze';
import type { ProjectConfig } from '../engine/config';
import type { FileResult } from './scan';

export const SCAN_WORKER_FLAG = 'secureHintsScanWorker';

/** Below this many files, starting workers costs more than it saves. */
export const PARALLEL_THRESHOLD = 64;

export function defaultJobs(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

interface Shared { root: string; config: ProjectConfig; fix: boolean; fixDependencies?: boolean }

export async function scanInWorkers(script: string, files: string[], shared: Shared, jobs: number): Promise<FileResult[]> {
  const results: FileResult[] = new Array(files.length);
  let next = 0;
  /** One worker taking files until none are left; a worker that dies costs only its current file. */
  const work = (): Promise<void> => new Promise<void>((resolve) => {
    const w = new Worker(script, { workerData: { [SCAN_WORKER_FLAG]: shared }, argv: [], execArgv: [] });
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
