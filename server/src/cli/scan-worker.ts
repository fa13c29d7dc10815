/**
 * The entry of dist/scan-worker.js, what the worker threads of a large `secure-hints scan` run: the scan of
 * one file and the engine under it, without the language server, the reports and the rest of the command
 * that the server bundle also holds (less to load and to hold in every worker).
 */
import { isMainThread } from 'node:worker_threads';
import { runScanWorker } from './parallel';
import { scanFile } from './scan';

if (!isMainThread) runScanWorker(scanFile);
