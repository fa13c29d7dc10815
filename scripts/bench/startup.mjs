// Start-up: from starting the language server process (what VS Code's client does on activation) to
// the first diagnostics of an open 1,000-line file, through the real LSP over stdio (the tests' client,
// test/helpers/lsp-client.js). Wall time by nature: it counts loading the bundle, starting the analysis
// worker and loading the parsers; a busy machine inflates it, so the load average is printed with it.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { LspClient } = require('../../test/helpers/lsp-client.js');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** One cold start: ms to the initialize answer and to the first diagnostics of `file`. */
async function once(dir, file, text, languageId) {
  const t0 = performance.now();
  // a long time budget: on a busy machine the default (1.5 s of wall time) can stop the first analysis
  // and restart the worker, which measures the machine's load rather than the start-up
  const client = new LspClient({ workspaceFolder: dir, settings: { timeBudgetMs: 60_000 } });
  try {
    await client.initialize();
    const initialized = performance.now() - t0;
    await client.open(file, text, languageId);
    const diagnostics = await client.waitForDiagnostics(file, (p) => Array.isArray(p.diagnostics), 60_000);
    return { initialized, first: performance.now() - t0, cpu: processCpuMs(client.child.pid), count: diagnostics.diagnostics.length };
  } finally {
    await client.shutdown();
  }
}

/**
 * CPU time so far of a child process, all its threads (Linux: /proc/PID/stat utime + stime, in clock
 * ticks of 10 ms): unlike the wall time, not inflated by other processes. Undefined elsewhere.
 */
function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** `files`: [[name, languageId, text]]. Returns summary rows. */
export async function startupFigures(files, runs = 3) {
  const rows = [];
  const dir = mkdtempSync(join(tmpdir(), 'secure-hints-startup-'));
  try {
    for (const [name, languageId, text] of files) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const results = [];
      for (let i = 0; i < runs; i++) results.push(await once(dir, file, text, languageId));
      const first = median(results.map((r) => r.first));
      const init = median(results.map((r) => r.initialized));
      const cpus = results.map((r) => r.cpu).filter((c) => c !== undefined);
      const cpu = cpus.length ? `; the server process used ${median(cpus).toFixed(0)} ms of CPU (all threads) by then` : '';
      console.log(`  ${name.padEnd(10)} ${text.split('\n').length - 1} lines: first diagnostics ${first.toFixed(0)} ms after the server process started (initialize answered at ${init.toFixed(0)} ms), ${results[0].count} diagnostics${cpu}; median of ${runs} cold starts (runs: ${results.map((r) => r.first.toFixed(0)).join(', ')} ms)`);
      rows.push([`start-up to first diagnostics, ${languageId} (wall)`, `${first.toFixed(0)} ms`, '< 1000 ms idle']);
      if (cpus.length) rows.push([`start-up to first diagnostics, ${languageId} (server CPU)`, `${median(cpus).toFixed(0)} ms`, '']);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`  (load average ${loadavg()[0].toFixed(1)} on ${require('node:os').availableParallelism()} cores: wall times are inflated by other processes)`);
  return rows;
}
