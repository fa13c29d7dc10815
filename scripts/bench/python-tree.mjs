// The Python tree copy (server/src/lang/python/tree.ts): CPU of tree-sitter's parse against the copy the
// analysis reads, over a tree of Python files, and for single files the incremental parse after a
// one-character edit in the middle against `PTree.update` (the copy taken over from the previous one)
// and a fresh copy. Same process, same files, medians of several runs:
//   node scripts/bench/python-tree.mjs DIR_OR_FILE ...   (after npm run build)
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const root = dirname(dirname(dirname(new URL(import.meta.url).pathname)));
const engine = require(join(root, 'dist', 'server.js'));
const { Edit } = require(join(root, 'node_modules', 'web-tree-sitter', 'web-tree-sitter.cjs'));

const cpu = (fn) => { const c = process.cpuUsage(); fn(); const d = process.cpuUsage(c); return (d.user + d.system) / 1000; };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const ms = (x) => `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} ms`;

function pythonFiles(path, out = []) {
  if (statSync(path).isFile()) return path.endsWith('.py') ? [...out, path] : out;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    if (e.isDirectory()) pythonFiles(p, out);
    else if (e.name.endsWith('.py')) out.push(p);
  }
  return out;
}

function point(text, index) {
  const before = text.slice(0, index);
  return { row: before.split('\n').length - 1, column: index - (before.lastIndexOf('\n') + 1) };
}

/** Parse and copy CPU over many files (each run parses and copies every file once). */
export function treeCopyFigures(files, { runs = 5, log = console.log } = {}) {
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const trees = texts.map((t) => engine.parsePython(t));
  const nodes = texts.reduce((sum, t, i) => sum + new engine.PythonTreeCopy(trees[i], t).nodes.length, 0);
  const parse = [];
  const copy = [];
  for (let r = 0; r < runs; r++) {
    parse.push(cpu(() => { for (const t of texts) engine.parsePython(t).delete(); }));
    copy.push(cpu(() => { texts.forEach((t, i) => new engine.PythonTreeCopy(trees[i], t)); }));
  }
  for (const t of trees) t.delete();
  log(`  ${files.length} files, ${nodes} nodes: parse ${ms(median(parse))}, copy ${ms(median(copy))} cpu (${(median(copy) / median(parse)).toFixed(2)}x the parse; fast cursor ${engine.fastCursorInUse() ? 'in use' : 'NOT in use'})`);
}

/** For one file: incremental parse, update and fresh copy after one-character edits in the middle. */
export function treeUpdateFigures(file, { edits = 15, log = console.log } = {}) {
  let text = readFileSync(file, 'utf8');
  let tree = engine.parsePython(text);
  let copy = new engine.PythonTreeCopy(tree, text);
  const parse = [];
  const update = [];
  const fresh = [];
  const copied = [];
  for (let i = 0; i < edits; i++) {
    const lines = text.split('\n');
    const at = lines.slice(0, Math.floor(lines.length / 2) + (i % 7) + 1).join('\n').length;
    const next = `${text.slice(0, at)}${i % 2 ? ' ' : 'x'}${text.slice(at)}`;
    tree.edit(new Edit({ startIndex: at, oldEndIndex: at, newEndIndex: at + 1, startPosition: point(text, at), oldEndPosition: point(text, at), newEndPosition: point(next, at + 1) }));
    let reparsed;
    parse.push(cpu(() => { reparsed = engine.parsePython(next, tree); }));
    let updated;
    update.push(cpu(() => { updated = engine.PythonTreeCopy.update(copy, tree, reparsed, next, { start: at, oldEnd: at, newEnd: at + 1 }); }));
    fresh.push(cpu(() => new engine.PythonTreeCopy(reparsed, next)));
    copied.push(updated.stats.copied);
    tree.delete();
    tree = reparsed;
    copy = updated;
    text = next;
  }
  tree.delete();
  log(`  ${file.split('/').slice(-2).join('/').padEnd(34)} ${String(copy.nodes.length).padStart(7)} nodes: incremental parse ${ms(median(parse))}, update ${ms(median(update))} (${median(copied)} nodes copied), fresh copy ${ms(median(fresh))}`);
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  await engine.ready();
  const args = process.argv.slice(2);
  const files = args.flatMap((a) => pythonFiles(a));
  treeCopyFigures(files);
  for (const a of args) if (statSync(a).isFile()) treeUpdateFigures(a);
}
