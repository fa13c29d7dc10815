'use strict';
// Seeded mutation fuzzing of the engine: real files (fixtures and examples, every file type the engine
// knows), truncated and mutated, analyzed one at a time. Shared by test/fuzz.test.js and scripts/fuzz.mjs.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..', '..');

/** A small seeded PRNG (mulberry32): the same seed gives the same inputs on every machine. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The corpus: every file under test/fixtures and examples that the engine analyzes. */
function corpus(engine) {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== 'node_modules') walk(p); }
      else if (e.isFile() && engine.languageFor(p)) out.push({ path: p, text: fs.readFileSync(p, 'utf8') });
    }
  };
  for (const d of ['test/fixtures', 'examples']) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
  return out;
}

const NOISE = ['(', ')', '[', ']', '{', '}', '<', '>', '"', "'", '`', '\\', '#', '//', '/*', '*/', '<!--', '-->', '${', '%', ':', '\n', '\r', '\t', ' ', '\u0085', '\u2028', '\ufeff', '\ud800', 'secure-hints: ignore[', 'def ', 'function ', '=>', 'import ', '<template>', '</script>', '<!DOCTYPE a [', '&e;'];

/** One mutated text from `text` (1 to 3 mutations: truncation, deletion, duplication, insertion, deep nesting, long lines, CR endings). */
function mutate(text, rnd, other) {
  const pick = (n) => Math.floor(rnd() * n);
  const at = () => pick(text.length + 1);
  const steps = 1 + pick(3);
  const done = [];
  for (let s = 0; s < steps; s++) {
    const kind = pick(9);
    const i = at();
    const j = Math.min(text.length, i + pick(200));
    switch (kind) {
      case 0: text = text.slice(0, i); done.push(`truncate@${i}`); break;
      case 1: text = text.slice(0, i) + text.slice(j); done.push(`delete@${i}-${j}`); break;
      case 2: text = text.slice(0, j) + text.slice(i, j).repeat(1 + pick(50)) + text.slice(j); done.push(`duplicate@${i}-${j}`); break;
      case 3: {
        let noise = '';
        for (let k = pick(20) + 1; k > 0; k--) noise += rnd() < 0.7 ? NOISE[pick(NOISE.length)] : String.fromCharCode(pick(0x3000));
        text = text.slice(0, i) + noise + text.slice(i);
        done.push(`insert@${i}`);
        break;
      }
      case 4: {
        const [open, close] = [['(', ')'], ['[', ']'], ['{', '}'], ['<div>', '</div>'], ['f(', ')'], ['<a>', '</a>']][pick(6)];
        const n = 50 + pick(2000);
        text = text.slice(0, i) + open.repeat(n) + (rnd() < 0.5 ? close.repeat(n) : '') + text.slice(i);
        done.push(`nest@${i}x${n}`);
        break;
      }
      case 5: text = text.slice(0, i) + 'x'.repeat(1000 + pick(50000)) + text.slice(i); done.push(`long-line@${i}`); break;
      case 6: text = text.replace(/\r?\n/g, rnd() < 0.5 ? '\r' : '\r\n'); done.push('line-endings'); break;
      case 7: text = text.slice(0, i) + other.slice(pick(other.length), pick(other.length) + 500) + text.slice(i); done.push(`splice@${i}`); break;
      default: text = text.slice(0, i) + ' '.repeat(1000 + pick(100000)) + text.slice(i); done.push(`spaces@${i}`);
    }
  }
  return { text, mutations: done.join(' ') };
}

/**
 * Runs `iterations` mutated files through `engine.analyzeDetailed` (stopping early after `maxMs`).
 * Returns the failures: an exception, or a file that took longer than `perFileMs`.
 */
function fuzz(engine, { seed = 1, iterations = 200, maxMs = Infinity, perFileMs = 10000, log } = {}) {
  const files = corpus(engine);
  const rnd = random(seed);
  const failures = [];
  const started = Date.now();
  let runs = 0;
  for (let n = 0; n < iterations && Date.now() - started < maxMs; n++) {
    const base = files[Math.floor(rnd() * files.length)];
    const other = files[Math.floor(rnd() * files.length)].text;
    const { text, mutations } = mutate(base.text, rnd, other);
    const where = `${path.relative(root, base.path)} [iteration ${n}, seed ${seed}: ${mutations}]`;
    const t0 = performance.now();
    try {
      const r = engine.analyzeDetailed(base.path, undefined, text);
      if (!Array.isArray(r.findings) || !Array.isArray(r.notes)) failures.push(`${where}: bad result`);
    } catch (err) {
      failures.push(`${where}: threw ${err && err.stack ? err.stack.split('\n').slice(0, 3).join(' | ') : err}`);
    }
    const ms = performance.now() - t0;
    if (ms > perFileMs) failures.push(`${where}: ${Math.round(ms)} ms (over ${perFileMs} ms)`);
    runs++;
    if (log && n % 100 === 0) log(`${n} files, ${failures.length} failures, ${Math.round((Date.now() - started) / 1000)} s`);
  }
  return { failures, runs, corpus: files.length };
}

module.exports = { fuzz, mutate, random, corpus };
