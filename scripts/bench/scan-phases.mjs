// Where a CLI scan's time goes, phase by phase (issue 14): `node scripts/bench/scan-phases.mjs [TREE...]`
// (default: the two bench trees). Runs `secure-hints scan TREE --jobs 1` as a process under V8's CPU
// profiler and gives each sample to the innermost phase on its stack: bundle load, parser init, TypeScript
// load, walk, read, parse, syntax check, analysis (the rest of analyzeDetailed), report, garbage collection.
// Samples are of the main thread's time (a busy machine inflates them alike); the process's CPU time
// (getrusage, all threads) is printed beside them. Needs the unminified build (function names).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = dirname(dirname(dirname(new URL(import.meta.url).pathname)));

/**
 * Phase of a function name (the innermost match on a sample's stack wins; order is only for printing).
 * esbuild renames clashing functions with a number (`scan2`): names are compared without it.
 */
const PHASES = [
  ['bundle load', ['executeUserEntryPoint']],
  ['parser init', ['initPython', 'initTerraform', 'initTreeSitter']],
  ['CLI setup', ['main', 'scan']],
  ['TypeScript load', ['loadTypescript', 'loadWithCodeCache']],
  ['walk', ['collectFiles']],
  ['read and decode', ['readRegularFile', 'scanOneFile']],
  ['parse', ['parsePython', 'parseTerraform', 'createSourceFile']],
  ['syntax check', ['pythonTreeErrors', 'jsParseErrors', 'syntaxErrors']],
  ['analysis', ['analyzeDetailed']],
  ['templates pass', ['withTemplates']],
  ['report', ['runScan', 'toJson', 'toSarif', 'formatText']],
];
const phaseOf = new Map(PHASES.flatMap(([phase, names]) => names.map((n) => [n, phase])));

function profileScan(tree) {
  const dir = mkdtempSync(join(tmpdir(), 'secure-hints-phases-'));
  try {
    const usage = join(dir, 'usage.json');
    const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, join(root, 'scripts', 'bench', 'cli-usage.cjs'),
      'scan', tree, '--jobs', '1', '--format', 'json', '--output', join(dir, 'report.json'), '--fail-on', 'none'],
    { encoding: 'utf8', env: { ...process.env, SECURE_HINTS_BENCH_USAGE: usage } });
    const prof = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (r.status !== 0 || !prof || !existsSync(usage)) throw new Error(`scan failed (exit ${r.status}): ${r.stderr.trim().split('\n').pop()}`);
    return { profile: JSON.parse(readFileSync(join(dir, prof), 'utf8')), usage: JSON.parse(readFileSync(usage, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sampled ms per phase: each sample goes to the innermost phase function on its stack. */
function phases(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map();
  // up the stack to the innermost phase function; TypeScript's own frames under the JS front's
  // constructor are its parse (dist/typescript.js is minified: its names say nothing)
  const resolve = (id) => {
    if (memo.has(id)) return memo.get(id);
    let phase = 'other';
    let inTypescript = false;
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const frame = byId.get(n).callFrame;
      const name = frame.functionName.replace(/\d+$/, '');
      if (frame.url.endsWith('typescript.js')) inTypescript = true;
      if (name === '(garbage collector)') { phase = 'garbage collection'; break; }
      if (name === '(idle)') { phase = 'idle'; break; }
      if (inTypescript && name === 'JsFile') { phase = 'parse'; break; }
      if (phaseOf.has(name)) { phase = phaseOf.get(name); break; }
    }
    memo.set(id, phase);
    return phase;
  };
  const ms = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const phase = resolve(profile.samples[i]);
    ms.set(phase, (ms.get(phase) ?? 0) + dt);
    total += dt;
  }
  return { ms, total };
}

const trees = process.argv.slice(2).length > 0 ? process.argv.slice(2)
  : ['python', 'ts'].map((t) => join(root, '.cache', 'bench', t)).filter(existsSync);
if (trees.length === 0) console.log('no trees: pass directories, or install the bench trees (npm run bench)');
for (const tree of trees) {
  const { profile, usage } = profileScan(tree);
  const { ms, total } = phases(profile);
  console.log(`${tree}: process CPU ${((usage.userMs + usage.systemMs) / 1000).toFixed(2)} s (all threads), wall ${(usage.wallMs / 1000).toFixed(2)} s, peak RSS ${Math.round(usage.maxRssKb / 1024)} MB; main thread sampled ${(total / 1000).toFixed(2)} s:`);
  const order = [...PHASES.map(([p]) => p), 'garbage collection', 'other', 'idle'];
  for (const p of order) {
    const v = ms.get(p) ?? 0;
    if (v > 0) console.log(`  ${p.padEnd(20)} ${v.toFixed(0).padStart(7)} ms  ${((100 * v) / total).toFixed(1).padStart(5)}%`);
  }
}
