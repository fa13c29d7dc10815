// Incremental analysis figures (engine/session.ts): CPU time of a one-line edit in the middle of a file
// against a fresh analysis of the same text and against the edit's floor, the parser's own incremental
// reparse of the same change (tree-sitter's tree.edit + parse(text, old) for Python, TypeScript's
// updateSourceFile for JS/TS: the engine's parseDocument), for two kinds of edit: trailing whitespace, and
// a character typed inside a statement (in an identifier or string); and the memory of a long session. Used by
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

const KEYWORDS = new Set(('and as assert async await break case catch class const continue def del elif else enum except export extends '
  + 'false finally for from function global if import in instanceof interface is lambda let match new none nonlocal not null or pass '
  + 'raise return self static super switch this throw true try type typeof undefined var void while with yield').split(' '));

/**
 * The next version of `previous` (the version before, which began as the file's text): one character typed
 * in the middle of the first identifier or string word (3+ letters, not a keyword) of a line in the middle
 * (the first such line from there, at most 100 lines on; seven places in turn): a one-character change,
 * as a keystroke is. Undefined when there is no such word.
 */
function typingEdit(_text, i, previous) {
  const lines = previous.split('\n');
  const from = Math.floor(lines.length / 2) + (i % 7) * 3;
  for (let at = from; at < Math.min(lines.length, from + 100); at++) {
    for (const m of lines[at].slice(0, 400).matchAll(/[A-Za-z_][A-Za-z0-9_]{2,}/g)) {
      if (KEYWORDS.has(m[0].toLowerCase())) continue;
      const cut = m.index + Math.floor(m[0].length / 2);
      lines[at] = lines[at].slice(0, cut) + (i % 2 ? 'q' : 'z') + lines[at].slice(cut);
      return lines.join('\n');
    }
  }
  return undefined;
}

export const EDIT_KINDS = [['trailing whitespace', middleEdit], ['typing in a statement', typingEdit]];

/**
 * For each { label, path, text }: CPU of opening a session and of a fresh analysis; then for each edit kind
 * the median CPU of `edits` one-line edits in the middle (each analyzed incrementally, with how many
 * top-level units ran again) against the median CPU of the parser's own incremental reparse of the same
 * edits (the floor; alternating with the analysis), their ratio; checks the last edit's findings against a
 * fresh analysis. Returns summary rows [figure, value, target].
 */
export function incrementalEditFigures(engine, files, { edits = 15, log = console.log } = {}) {
  const rows = [];
  for (const { label, path, text } of files) {
    let session;
    const open = cpu(() => { session = engine.openDocument(path, undefined, text); });
    const fresh = median([0, 1, 2].map(() => cpu(() => engine.analyze(path, undefined, text))));
    log(`  ${label.padEnd(34)} ${String(text.split('\n').length).padStart(6)} lines  fresh ${ms(fresh).padStart(9)}  open ${ms(open).padStart(9)}`);
    const floor = typeof engine.parseDocument === 'function' ? engine.parseDocument(path, text) : undefined;
    for (const [kind, edit] of EDIT_KINDS) {
      const times = [];
      const floors = [];
      const analyzed = [];
      let last;
      for (let i = 0; i < edits; i++) {
        const next = edit(text, i, last ?? text);
        if (next === undefined) continue;
        last = next;
        // alternating which goes first, so that a busy machine slows both alike
        if (floor && i % 2) floors.push(cpu(() => floor.update(next)));
        times.push(cpu(() => session.update(next)));
        if (floor && !(i % 2)) floors.push(cpu(() => floor.update(next)));
        analyzed.push(session.stats().analyzed);
      }
      if (last === undefined) {
        log(`    ${kind.padEnd(22)} no place for this edit in the file`);
        continue;
      }
      const same = JSON.stringify(session.findings()) === JSON.stringify(engine.analyze(path, undefined, last));
      const { units } = session.stats();
      const e = median(times);
      const f = floors.length ? median(floors) : undefined;
      const range = f === undefined ? '' : ` (${ms(Math.min(...floors))} to ${ms(Math.max(...floors))})`;
      log(`    ${kind.padEnd(22)} edit ${ms(e).padStart(9)} cpu (median of ${times.length}; ${median(analyzed)} of ${units} units re-run)  parser's reparse ${f === undefined ? 'n/a' : ms(f).padStart(8)}${range}${f ? `  ${(e / f).toFixed(1)}x the floor` : ''}  ${same ? 'same findings as fresh' : 'FINDINGS DIFFER FROM FRESH'}`);
      rows.push([`${label}, ${kind}: edit / reparse floor (cpu, medians)`, f ? `${(e / f).toFixed(1)}x (${ms(e)} / ${ms(f)})` : ms(e), '<= 50 ms edit']);
    }
    floor?.dispose();
    session.dispose();
  }
  return rows;
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
