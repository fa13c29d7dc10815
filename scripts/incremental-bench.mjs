// Incremental analysis figures (engine/session.ts): CPU time of a one-line edit in the middle of a file
// against a fresh analysis of the same text, and the memory of a long editing session. Used by
// `npm run bench` (section "Incremental edit"); on its own it measures the files given:
//   node scripts/incremental-bench.mjs path/to/module.py other.tsx ...   [--memory N: an N-edit session too]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const cpu = (fn) => { const c = process.cpuUsage(); fn(); const d = process.cpuUsage(c); return (d.user + d.system) / 1000; };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const ms = (x) => `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} ms`;

/** Two versions of `text` that differ in one line in the middle (a character added at its end). */
function middleEdit(text, i) {
  const lines = text.split('\n');
  const at = Math.floor(lines.length / 2) + (i % 7);
  lines[at] += i % 2 ? ' ' : '  ';
  return lines.join('\n');
}

/**
 * For each { label, path, text }: CPU of opening a session, of a fresh analysis, and the median CPU of
 * `edits` one-line edits in the middle (each edit analyzed incrementally), with how many top-level units
 * ran again; checks the last edit's findings against a fresh analysis.
 */
export function incrementalEditFigures(engine, files, { edits = 15, log = console.log } = {}) {
  for (const { label, path, text } of files) {
    let session;
    const open = cpu(() => { session = engine.openDocument(path, undefined, text); });
    const fresh = median([0, 1, 2].map(() => cpu(() => engine.analyze(path, undefined, text))));
    const times = [];
    const analyzed = [];
    let last = text;
    for (let i = 0; i < edits; i++) {
      last = middleEdit(text, i);
      times.push(cpu(() => session.update(last)));
      analyzed.push(session.stats().analyzed);
    }
    const same = JSON.stringify(session.findings()) === JSON.stringify(engine.analyze(path, undefined, last));
    const { units } = session.stats();
    session.dispose();
    log(`  ${label.padEnd(34)} ${String(text.split('\n').length).padStart(6)} lines  edit ${ms(median(times)).padStart(9)} cpu (median of ${edits}; ${median(analyzed)} of ${units} units re-run)  fresh ${ms(fresh).padStart(9)}  open ${ms(open).padStart(9)}  ${same ? 'same findings as fresh' : 'FINDINGS DIFFER FROM FRESH'}`);
  }
}

/** RSS before and after an `edits`-edit session on one document (every edit analyzed), after a GC when exposed. */
export function sessionMemory(engine, path, text, { edits = 10000, log = console.log } = {}) {
  const session = engine.openDocument(path, undefined, text);
  const rss = () => { globalThis.gc?.(); return process.memoryUsage().rss / 1024 / 1024; };
  for (let i = 0; i < 200; i++) session.update(middleEdit(text, i));
  const before = rss();
  const t = cpu(() => { for (let i = 0; i < edits; i++) session.update(middleEdit(text, i)); });
  const after = rss();
  session.dispose();
  log(`  ${edits}-edit session on ${path} (${text.split('\n').length} lines): RSS ${before.toFixed(0)} MB after 200 edits, ${after.toFixed(0)} MB after ${edits} more (${after >= before ? '+' : ''}${((100 * (after - before)) / before).toFixed(1)}%), ${ms(t / edits)} cpu per edit${globalThis.gc ? '' : ' (run with --expose-gc for steadier figures)'}`);
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const require = createRequire(import.meta.url);
  const root = dirname(dirname(new URL(import.meta.url).pathname));
  const engine = require(join(root, 'dist', 'server.js'));
  await engine.ready();
  const args = process.argv.slice(2);
  const m = args.indexOf('--memory');
  const memory = m >= 0 ? Number(args.splice(m, 2)[1]) : 0;
  const files = args.map((p) => ({ label: p.split('/').slice(-2).join('/'), path: p, text: readFileSync(p, 'utf8') }));
  incrementalEditFigures(engine, files);
  if (memory > 0) for (const f of files) sessionMemory(engine, f.path, f.text, { edits: memory });
}
