/**
 * Analysis off the server's main thread, so hovers and code actions stay responsive while a large
 * file is analyzed. One worker thread runs one job at a time; a job over its time budget is stopped by
 * terminating the worker (the next job starts a fresh one); a job made stale by a newer version of its
 * document finishes and its result is dropped. The worker keeps an incremental session per open document. Without a worker (e.g. not running from the bundle) jobs run in-thread.
 */
import { parentPort, Worker } from 'node:worker_threads';
import { analyzeDetailed, ready, type AnalysisResult } from '../engine/analyze';
import { openDocument, type DocumentSession } from '../engine/session';
import type { Config, Finding } from '../engine/types';
import type { RenderCall } from '../engine/render-types';
import { spawnAnalysisWorker, takeEarlyWorker, WORKER_FLAG } from './worker-spawn';
import { languageFor } from '../engine/languages';
import { loadTypescript, needsTypescript } from '../lang/javascript/load';

export interface Job {
  path: string; languageId?: string; text: string; config: Config;
  /** The engine's own budget: it stops itself with a note and the findings so far (the timer is the backstop). */
  timeBudgetMs?: number;
  /** For a template: the render calls known in this session (from the code files analyzed). */
  renders?: RenderCall[];
  /** An open document (its URI): analyzed incrementally against its previous version in the same session. */
  session?: string;
}

export type Outcome =
  | { kind: 'done'; findings: Finding[]; notes: string[]; elapsedMs: number; renders?: RenderCall[] }
  | { kind: 'cancelled' }
  | { kind: 'timeout'; elapsedMs: number }
  | { kind: 'failed'; error: string };

interface Pending { key: string; job: Job; budgetMs: number; urgent: boolean; resolve(o: Outcome): void }
interface Running extends Pending { id: number; timer: NodeJS.Timeout; started: number }

export { WORKER_FLAG };

export class AnalysisWorkers {
  private worker?: Worker;
  /** The worker has loaded the engine: the time budget covers analysis, not start-up. */
  private workerReady = false;
  private failedStarts = 0;
  /** The worker has loaded TypeScript (on first use, for a JS/TS/Vue job: Python files never pay it). */
  private typescript: 'no' | 'loading' | 'yes' = 'no';
  private running?: Running;
  private queue: Pending[] = [];
  private nextId = 1;
  /** The parsers are loaded on this thread too (for the in-thread fallback). */
  private inThreadReady = false;
  private loadingInThread?: Promise<void>;

  /** `script`: the server bundle, which becomes the worker when started with WORKER_FLAG. */
  constructor(private script: string | undefined, private readonly log: (message: string) => void) {}

  /** Starts the worker ahead of the first job (loading the bundle and the parsers takes a moment). */
  warmUp(): void {
    this.ensure();
  }

  /** Urgent jobs (open documents) go before background ones (workspace scans). */
  run(key: string, job: Job, budgetMs: number, urgent: boolean): Promise<Outcome> {
    return new Promise((resolve) => {
      const p: Pending = { key, job, budgetMs, urgent, resolve };
      const at = urgent ? this.queue.findIndex((q) => !q.urgent) : -1;
      if (at < 0) this.queue.push(p);
      else this.queue.splice(at, 0, p);
      this.pump();
    });
  }

  /** Drops the queued and running jobs for `key` (a newer version of the document arrived). */
  cancel(key: string): void {
    this.queue = this.queue.filter((q) => {
      if (q.key !== key) return true;
      q.resolve({ kind: 'cancelled' });
      return false;
    });
    // the running job is left to finish and its result dropped: terminating the worker would make the next
    // job wait for a new one to load the bundle (and TypeScript) and compile the analyzer again, and lose every
    // open document's incremental session, on every keystroke that arrives during an analysis; the job's time
    // budget still stops it
    if (this.running?.key === key) this.running.resolve({ kind: 'cancelled' });
  }

  /** Forgets an open document's incremental session (the document was closed). */
  forget(session: string): void {
    sessions.forget(session);
    this.worker?.postMessage({ forget: session });
  }

  dispose(): void {
    for (const q of this.queue) q.resolve({ kind: 'cancelled' });
    this.queue = [];
    if (this.running) this.stopRunning({ kind: 'cancelled' });
  }

  private stopRunning(outcome: Outcome): void {
    const r = this.running!;
    this.running = undefined;
    clearTimeout(r.timer);
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
    r.resolve(outcome);
    this.pump();
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const worker = this.ensure();
    if (worker && !this.workerReady) return; // pumped again when the worker reports ready
    if (!worker && !this.inThreadReady) {
      // the in-thread fallback needs the parsers this thread has not loaded yet (tree-sitter for Python)
      this.loadingInThread ??= ready().then(() => { this.inThreadReady = true; }, (err) => {
        this.log(`Secure Hints: the parsers did not load (${(err as Error)?.message ?? err})`);
        this.inThreadReady = true; // analyze anyway: the engine reports what it cannot parse as a note
      }).then(() => this.pump());
      return;
    }
    if (worker && this.typescript !== 'yes' && needsTypescript(languageFor(this.queue[0].job.path, this.queue[0].job.languageId))) {
      // TypeScript's load is start-up, not analysis: loaded before the job's time budget starts
      if (this.typescript === 'no') {
        this.typescript = 'loading';
        worker.postMessage({ loadTypescript: true });
      }
      return; // pumped again when the worker has loaded it
    }
    const p = this.queue.shift()!;
    if (!worker) {
      const started = performance.now();
      try {
        // on this thread nothing can stop the analysis from outside: it stops itself at the budget
        const r: AnalysisResult = sessions.analyze({ ...p.job, timeBudgetMs: p.job.timeBudgetMs ?? p.budgetMs });
        p.resolve({ kind: 'done', findings: r.findings, notes: r.notes, elapsedMs: performance.now() - started, ...(r.renders ? { renders: r.renders } : {}) });
      } catch (err) {
        p.resolve({ kind: 'failed', error: String((err as Error)?.stack ?? err) });
      }
      setImmediate(() => this.pump());
      return;
    }
    const id = this.nextId++;
    const started = performance.now();
    const timer = setTimeout(() => {
      if (this.running?.id === id) this.stopRunning({ kind: 'timeout', elapsedMs: performance.now() - started });
    }, p.budgetMs);
    this.running = { ...p, id, timer, started };
    worker.postMessage({ id, job: p.job });
  }

  private ensure(): Worker | undefined {
    if (this.worker) return this.worker;
    if (!this.script) return undefined;
    let w: Worker;
    let readyAlready = false;
    try {
      // the worker main.ts started first thing (early-worker.ts), else a new one
      const early = takeEarlyWorker(this.script);
      readyAlready = early?.ready ?? false;
      w = early?.worker ?? spawnAnalysisWorker(this.script);
    } catch (err) {
      this.log(`Secure Hints: no analysis worker (${(err as Error).message}); analyzing on the main thread`);
      this.script = undefined;
      return undefined;
    }
    w.stdout.on('data', () => undefined);
    w.stderr.on('data', (d) => this.log(String(d).trimEnd()));
    w.on('message', (m: { id: number; ready?: boolean; typescript?: boolean; findings?: Finding[]; notes?: string[]; error?: string; renders?: RenderCall[] }) => {
      if (m.typescript) {
        if (this.worker === w) this.typescript = 'yes';
        this.pump();
        return;
      }
      if (m.ready) {
        this.workerReady = true;
        this.failedStarts = 0;
        this.pump();
        return;
      }
      const r = this.running;
      if (!r || r.id !== m.id) return;
      this.running = undefined;
      clearTimeout(r.timer);
      r.resolve(m.error !== undefined
        ? { kind: 'failed', error: m.error }
        : { kind: 'done', findings: m.findings ?? [], notes: m.notes ?? [], elapsedMs: performance.now() - r.started, ...(m.renders ? { renders: m.renders } : {}) });
      this.pump();
    });
    const lost = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      if (!this.workerReady && ++this.failedStarts >= 3) {
        this.log(`Secure Hints: the analysis worker does not start (${why}); analyzing on the main thread`);
        this.script = undefined;
      }
      if (this.running) {
        const r = this.running;
        this.running = undefined;
        clearTimeout(r.timer);
        r.resolve({ kind: 'failed', error: why });
      }
      this.pump();
    };
    w.on('error', (err) => lost(`analysis worker failed: ${err.stack ?? err}`));
    w.on('exit', (code) => lost(`analysis worker exited (${code})`));
    w.unref();
    this.worker = w;
    this.workerReady = readyAlready;
    this.typescript = 'no';
    return w;
  }
}

/** The worker side: analyze each job it is sent. */
export function runAnalysisWorker(): void {
  const port = parentPort!;
  void ready().then(() => port.postMessage({ ready: true }), (err) => {
    throw err;
  });
  port.on('message', ({ id, job, loadTypescript: load, forget }: { id: number; job: Job; loadTypescript?: boolean; forget?: string }) => {
    if (forget !== undefined) {
      sessions.forget(forget);
      return;
    }
    if (load) {
      try {
        loadTypescript();
      } catch {
        // the job's own analysis meets the same error and reports it
      }
      port.postMessage({ typescript: true });
      return;
    }
    try {
      const r = sessions.analyze(job);
      port.postMessage({ id, findings: r.findings, notes: r.notes, ...(r.renders ? { renders: r.renders } : {}) });
    } catch (err) {
      port.postMessage({ id, error: String((err as Error)?.stack ?? err) });
    }
  });
}

/**
 * The open documents' incremental sessions on this thread (the worker's, or the main thread's in the
 * fallback), by URI. A session is reopened when the document's path, language or configuration changes;
 * the least recently analyzed ones are dropped past MAX_SESSIONS (each holds its parse trees).
 */
class Sessions {
  private readonly open = new Map<string, { session: DocumentSession; key: string }>();

  analyze(job: Job): AnalysisResult {
    // templates join the render calls of the other open files: analyzed afresh each time
    if (job.session === undefined || job.renders) {
      return analyzeDetailed(job.path, job.languageId, job.text, job.config, { timeBudgetMs: job.timeBudgetMs, ...(job.renders ? { renders: job.renders } : {}) });
    }
    const key = JSON.stringify([job.path, job.languageId, job.config]);
    const known = this.open.get(job.session);
    this.open.delete(job.session);
    let session = known?.key === key ? known.session : undefined;
    if (known && !session) known.session.dispose();
    let result: AnalysisResult;
    if (session) result = session.update(job.text, { timeBudgetMs: job.timeBudgetMs });
    else {
      session = openDocument(job.path, job.languageId, job.text, job.config, { timeBudgetMs: job.timeBudgetMs });
      result = session.result();
    }
    this.open.set(job.session, { session, key });
    for (const [uri, s] of this.open) {
      if (this.open.size <= MAX_SESSIONS) break;
      s.session.dispose();
      this.open.delete(uri);
    }
    return result;
  }

  forget(uri: string): void {
    this.open.get(uri)?.session.dispose();
    this.open.delete(uri);
  }
}

const MAX_SESSIONS = 20;
const sessions = new Sessions();
