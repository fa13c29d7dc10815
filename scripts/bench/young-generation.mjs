// V8 young-generation sizing of an analysis thread (issue 14): CPU of opening a generated 10,000-line file
// and 15 one-line edits in the middle, inside a Worker started like the language server's analysis worker
// (server/src/lsp/worker-spawn.ts) with each maxYoungGenerationSizeMb given (0: V8's default, 48 MB on
// 64-bit, i.e. 16 MB semi-spaces), alternating sizes in one process; medians of the process CPU (all
// threads, garbage collection helpers included) and of the worker thread's own CPU (Linux only), and the
// worker's heap size after the last edit. Needs dist/ (npm run build):
//   node scripts/bench/young-generation.mjs [--rounds N] [--language python|typescript] [SIZE_MB ...]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { generate } from './generated.mjs';

const root = dirname(dirname(dirname(new URL(import.meta.url).pathname)));

/** This thread's CPU in ms from /proc (ticks of 10 ms), or NaN where there is none. */
function threadCpu() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function measure({ language }) {
  const engine = createRequire(import.meta.url)(join(root, 'dist', 'server.js'));
  return engine.ready().then(() => {
    const path = language === 'python' ? 'bench.py' : 'bench.ts';
    const text = generate(language, 10000);
    const lines = text.split('\n');
    const edited = Array.from({ length: 15 }, (_, i) => {
      const l = lines.slice();
      l[Math.floor(l.length / 2) + (i % 7)] += i % 2 ? ' ' : '  ';
      return l.join('\n');
    });
    const c = process.cpuUsage();
    const t = threadCpu();
    const session = engine.openDocument(path, undefined, text);
    for (const e of edited) session.update(e);
    const d = process.cpuUsage(c);
    const thread = threadCpu() - t;
    const heapMb = getHeapStatistics().total_heap_size / 1048576;
    session.dispose();
    return { processMs: (d.user + d.system) / 1000, threadMs: thread, heapMb };
  });
}

if (isMainThread) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : fallback; };
  const rounds = Number(opt('--rounds', 5));
  const language = opt('--language', 'python');
  const sizes = args.length ? args.map(Number) : [0, 24, 96, 192];
  const runs = new Map(sizes.map((s) => [s, []]));
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  for (let r = 0; r < rounds; r++) {
    for (const size of sizes) {
      const resourceLimits = { maxOldGenerationSizeMb: 4096, ...(size ? { maxYoungGenerationSizeMb: size } : {}) };
      const m = await new Promise((resolve, reject) => {
        const w = new Worker(new URL(import.meta.url), { workerData: { language }, argv: [], execArgv: [], resourceLimits });
        w.once('message', (x) => { resolve(x); void w.terminate(); });
        w.once('error', reject);
      });
      runs.get(size).push(m);
    }
  }
  console.log(`${language} 10,000 lines, open + 15 edits in a Worker, median of ${rounds} (alternating):`);
  for (const [size, ms] of runs) {
    console.log(`  young generation ${size ? `${size} MB` : 'default'}`.padEnd(32) + `process cpu ${median(ms.map((m) => m.processMs)).toFixed(0)} ms  thread cpu ${median(ms.map((m) => m.threadMs)).toFixed(0)} ms  heap ${median(ms.map((m) => m.heapMb)).toFixed(0)} MB`);
  }
} else {
  parentPort.postMessage(await measure(workerData));
}
