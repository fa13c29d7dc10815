// Issue 14's main figures on the two large real trees (scripts/bench/trees.mjs installs them):
// - the parse floor: the same parsers on the same files, warm, on one thread (tree-sitter for Python,
//   TypeScript's createSourceFile with parent pointers for TS/TSX), CPU time, texts already read;
// - the cold parse floor: the same parsers in a fresh process, each file read from disk and parsed once,
//   one thread, CPU of the whole process (start-up and loading included, as the scan's CPU counts them;
//   scripts/bench/cold-parse.cjs): what a CLI scan, which starts cold, cannot beat;
// - the CLI's whole scan as a process (walk + read + analyze + syntax check + report), `--jobs 1` and the
//   default, CPU time of all its threads and its peak RSS (scripts/bench/cli-usage.cjs);
// - per file, for a few large real modules: analysis CPU against parse CPU.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const cpu = (fn) => { const c = process.cpuUsage(); fn(); const d = process.cpuUsage(c); return (d.user + d.system) / 1000; };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const num = (n) => Math.round(n).toLocaleString('en-US');
const secs = (ms) => (ms / 1000).toFixed(2) + ' s';

/** Real modules for the per-file figures (paths inside the trees; a missing one is left out). */
export const PER_FILE = {
  python: ['requests/models.py', 'django/contrib/admin/options.py', 'django/db/models/sql/query.py', 'click/core.py'],
  ts: [
    'ra-core/src/dataProvider/useUpdate.ts',
    'ra-ui-materialui/src/input/AutocompleteInput.tsx',
    'ra-core/src/storybook/data.ts',
    'ra-ui-materialui/src/input/AutocompleteInput.spec.tsx',
  ],
};

/**
 * Parse floor, one-worker scan, default scan for one tree. Returns summary rows
 * `[figure, value, target]` and prints the details.
 */
export function treeFigures(engine, root, label, tree) {
  const files = engine.collectFiles([tree]).files;
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const lines = texts.reduce((n, t) => n + t.split('\n').length, 0);
  // warm: one pass first (the parsers' code compiled, tree-sitter's wasm grown), then the measured pass
  for (let i = 0; i < files.length; i++) engine.parseOnly(files[i], texts[i]);
  const parseMs = cpu(() => { for (let i = 0; i < files.length; i++) engine.parseOnly(files[i], texts[i]); });
  console.log(`  ${label}: ${num(files.length)} files, ${num(lines)} lines; parse floor (one thread, warm, texts in memory) cpu ${secs(parseMs)}`);
  const cold = coldParse(root, tree);
  if (cold.ok) console.log(`    cold parse floor (fresh process, one thread, texts read from disk): cpu ${secs(cold.totalMs)}: start-up and loading ${secs(cold.loadMs)}, walk ${secs(cold.walkMs)}, read and parse ${secs(cold.passMs)} (by quarter of the files: ${cold.quarters.map(secs).join(', ')}); ${(cold.totalMs / parseMs).toFixed(1)}x the warm floor`);
  else console.log(`    cold parse floor failed: ${cold.error}`);
  const one = cliScan(root, tree, ['--jobs', '1']);
  const all = cliScan(root, tree, []);
  const rows = [];
  if (!one.ok) {
    console.log(`    CLI scan --jobs 1 failed: ${one.error}`);
    return rows;
  }
  const ratio = one.cpuMs / parseMs;
  const coldRatio = cold.ok ? one.cpuMs / cold.totalMs : undefined;
  console.log(`    CLI scan --jobs 1:   cpu ${secs(one.cpuMs)} = ${ratio.toFixed(1)}x the warm parse floor${cold.ok ? `, ${coldRatio.toFixed(1)}x the cold floor` : ''}; wall ${secs(one.wallMs)}; peak RSS ${num(one.rssMb)} MB; ${one.summary}`);
  if (all.ok) {
    const same = all.digest === one.digest ? 'same findings as --jobs 1' : 'DIFFERENT findings from --jobs 1';
    console.log(`    CLI scan (default):  cpu ${secs(all.cpuMs)} = ${(all.cpuMs / parseMs).toFixed(1)}x the floor; wall ${secs(all.wallMs)} (${(all.wallMs / one.wallMs).toFixed(2)}x the one-worker wall); peak RSS ${num(all.rssMb)} MB; ${same}`);
  } else console.log(`    CLI scan (default) failed: ${all.error}`);
  rows.push([`${label}: scan --jobs 1 / parse floor (cpu)`, `${ratio.toFixed(1)}x (${secs(one.cpuMs)} / ${secs(parseMs)})`, '<= 2x']);
  if (cold.ok) rows.push([`${label}: scan --jobs 1 / cold parse floor (cpu)`, `${coldRatio.toFixed(1)}x (${secs(one.cpuMs)} / ${secs(cold.totalMs)})`, '(context: a scan starts cold)']);
  if (all.ok) rows.push([`${label}: default --jobs wall / --jobs 1 wall`, `${(all.wallMs / one.wallMs).toFixed(2)}x`, '<= 1x (wall: load-sensitive)']);
  rows.push([`${label}: peak RSS --jobs 1 / default`, `${num(one.rssMb)} / ${all.ok ? num(all.rssMb) : '?'} MB`, '< 300 MB']);
  return rows;
}

/** The cold parse floor of `tree`: scripts/bench/cold-parse.cjs as a child process (its JSON). */
function coldParse(root, tree) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'bench', 'cold-parse.cjs'), tree], { cwd: tree, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  try {
    if (r.status === 0) return { ok: true, ...JSON.parse(r.stdout.trim().split('\n').pop()) };
  } catch { /* reported below */ }
  return { ok: false, error: `exit ${r.status}: ${(r.stderr || '').trim().split('\n').slice(-3).join(' / ')}` };
}

/** Runs the CLI as a child process over `tree`; its CPU time, peak RSS, and a digest of its findings. */
function cliScan(root, tree, extra) {
  const tmp = join(root, '.cache', 'bench', 'out');
  mkdirSync(tmp, { recursive: true });
  const usage = join(tmp, 'usage.json');
  const report = join(tmp, 'report.json');
  rmSync(usage, { force: true });
  rmSync(report, { force: true });
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'bench', 'cli-usage.cjs'), 'scan', tree, ...extra, '--format', 'json', '--output', report, '--fail-on', 'none'], {
    cwd: tree, encoding: 'utf8', env: { ...process.env, SECURE_HINTS_BENCH_USAGE: usage }, maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0 || !existsSync(usage) || !existsSync(report)) return { ok: false, error: `exit ${r.status}: ${(r.stderr || '').trim().split('\n').slice(-3).join(' / ')}` };
  const u = JSON.parse(readFileSync(usage, 'utf8'));
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const byRule = {};
  for (const f of json.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  const rules = Object.entries(byRule).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  const digest = json.findings.map((f) => `${f.path}:${f.line}:${f.column}:${f.ruleId}:${f.severity}`).sort().join('\n');
  return {
    ok: true, cpuMs: u.userMs + u.systemMs, wallMs: u.wallMs, rssMb: u.maxRssKb / 1024, digest,
    summary: `${json.findings.length} findings (${rules || 'none'}), ${json.notes?.length ?? 0} notes`,
  };
}

/** Analysis CPU against parse CPU, file by file, for the PER_FILE modules (median of alternating runs). */
export function perFileFigures(engine, trees) {
  const rows = [];
  for (const [language, tree] of Object.entries(trees)) {
    if (!tree.dir) continue;
    const ratios = [];
    for (const rel of PER_FILE[language]) {
      const path = join(tree.dir, rel);
      if (!existsSync(path)) continue;
      const text = readFileSync(path, 'utf8');
      for (let i = 0; i < 2; i++) { engine.parseOnly(path, text); engine.analyze(path, undefined, text); }
      const parses = [];
      const analyses = [];
      for (let i = 0; i < 7; i++) {
        parses.push(cpu(() => engine.parseOnly(path, text)));
        analyses.push(cpu(() => engine.analyze(path, undefined, text)));
      }
      const p = median(parses);
      const a = median(analyses);
      ratios.push(a / p);
      console.log(`  ${rel.padEnd(56)} ${num(text.split('\n').length).padStart(6)} lines  analysis cpu ${a.toFixed(1).padStart(6)} ms  parse cpu ${p.toFixed(1).padStart(5)} ms  ${(a / p).toFixed(1).padStart(5)}x`);
    }
    if (ratios.length) rows.push([`${language}: one file, analysis / parse (cpu, worst of ${ratios.length})`, `${Math.max(...ratios).toFixed(1)}x`, '<= 2x']);
  }
  return rows;
}
