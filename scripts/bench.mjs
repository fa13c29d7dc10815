// `npm run bench`: figures, no assertions. Analysis time of generated 1,000- and 10,000-line
// Python and TypeScript files (median of several runs) with the parse's share, files and lines
// per second on examples/, peak memory, and optionally a large real codebase:
//   SECURE_HINTS_BENCH_PATH=/path/to/code npm run bench
// (without it, Debian's Django under /usr/lib/python3/dist-packages is used when installed).
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const root = dirname(dirname(new URL(import.meta.url).pathname));
const engine = require(join(root, 'dist', 'server.js'));
await engine.ready();

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const time = (fn) => { const t = performance.now(); fn(); return performance.now() - t; };
/** CPU time of `fn` in ms: unlike wall time, not inflated when other processes share the cores. */
const cpu = (fn) => { const c = process.cpuUsage(); fn(); const d = process.cpuUsage(c); return (d.user + d.system) / 1000; };
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)).padStart(7) + ' ms';
const num = (n) => Math.round(n).toLocaleString('en-US');

function pythonBlock(i) {
  const unsafe = i % 10 === 0
    ? `    cur.execute(f"SELECT id FROM audit WHERE who = '{name}'")\n`
    : `    cur.execute("SELECT id FROM audit WHERE who = ?", (name,))\n`;
  return `@app.route("/items/${i}")
def handler_${i}():
    name = request.args.get("name", "")
    limit = int(request.args.get("limit", "10"))
    cur = get_db().cursor()
${unsafe}    rows = cur.execute("SELECT id, name FROM items WHERE name = ? LIMIT ?", (name, limit)).fetchall()
    result = []
    for row in rows:
        if row[1].startswith(PREFIX):
            result.append({"id": row[0], "name": row[1].upper()})
        else:
            result.append({"id": row[0], "name": row[1]})
    total = sum(r["id"] for r in result)
    label = f"{name}-{total}"
    return jsonify(items=result, label=label)


class Model${i}:
    def __init__(self, value):
        self.value = value

    def render(self):
        return "<b>%s</b>" % html.escape(str(self.value))

`;
}

function tsBlock(i) {
  const unsafe = i % 10 === 0
    ? "  await pool.query(`SELECT id FROM audit WHERE who = '${name}'`);\n"
    : "  await pool.query('SELECT id FROM audit WHERE who = $1', [name]);\n";
  return `app.get('/items/${i}', async (req: Request, res: Response) => {
  const name = String(req.query.name ?? '');
  const limit = Number(req.query.limit ?? 10);
${unsafe}  const { rows } = await pool.query('SELECT id, name FROM items WHERE name = $1 LIMIT $2', [name, limit]);
  const result = rows.map((row: { id: number; name: string }) => ({ id: row.id, name: row.name.toUpperCase() }));
  const total = result.reduce((sum: number, r: { id: number }) => sum + r.id, 0);
  if (total > LIMIT) {
    res.status(413).json({ error: 'too many' });
    return;
  }
  res.json({ items: result, label: \`\${name}-\${total}\` });
});

export class Model${i} {
  constructor(private readonly value: string) {}

  render(): string {
    return escapeHtml(String(this.value));
  }
}

`;
}

const HEADERS = {
  python: 'import html\nimport sqlite3\nfrom flask import Flask, jsonify, request\n\napp = Flask(__name__)\nPREFIX = "x"\n\n\ndef get_db():\n    return sqlite3.connect("app.db")\n\n\n',
  typescript: "import express, { type Request, type Response } from 'express';\nimport { Pool } from 'pg';\nimport escapeHtml from 'escape-html';\n\nconst app = express();\nconst pool = new Pool();\nconst LIMIT = 1000;\n\n",
};

function generate(language, lines) {
  const block = language === 'python' ? pythonBlock : tsBlock;
  let text = HEADERS[language];
  for (let i = 0; text.split('\n').length < lines; i++) text += block(i);
  return text.split('\n').slice(0, lines).join('\n') + '\n';
}

console.log('Secure Hints benchmark (node ' + process.versions.node + ', ' + engine.rules.length + ' rules)\n');
console.log(`Generated files: analysis time (wall and CPU), median of runs; parse = parsing alone (tree-sitter for Python; for JS/TS TypeScript's createSourceFile with parent pointers, the analysis includes its own parse). Load average now: ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
for (const [language, file] of [['python', 'bench.py'], ['typescript', 'bench.ts']]) {
  for (const lines of [1000, 10000]) {
    const text = generate(language, lines);
    const runs = lines <= 1000 ? 15 : 11;
    // warm-up: steady-state figures, not the first compilation of the analyzer's code
    for (let i = 0; i < 3; i++) { engine.analyze(file, undefined, text); engine.parseOnly(file, text); }
    const findings = engine.analyze(file, undefined, text).length;
    const wall = [];
    const cpus = [];
    const parses = [];
    engine.parseOnly(file, text);
    // parse and analysis alternate, so that a busy machine slows both alike
    for (let i = 0; i < runs; i++) {
      parses.push(time(() => engine.parseOnly(file, text)));
      const t = performance.now();
      cpus.push(cpu(() => engine.analyze(file, undefined, text)));
      wall.push(performance.now() - t);
    }
    const analysis = median(wall);
    const parse = median(parses);
    const adds = language === 'typescript' ? `, adds ${Math.round((100 * (analysis - parse)) / parse)}% to it` : '';
    console.log(`  ${language.padEnd(10)} ${num(lines).padStart(6)} lines ${(text.length / 1024).toFixed(0).padStart(5)} KB  analysis ${fmt(analysis)} (cpu ${fmt(median(cpus)).trim()})  parse ${fmt(parse)} (${Math.round((100 * parse) / analysis)}%${adds})  ${findings} findings  (${runs} runs)`);
  }
}

async function scanFigures(label, path, jobs) {
  const lineCount = (files) => files.reduce((n, f) => n + (f.text ?? readSafe(f.path)).split('\n').length, 0);
  const t = performance.now();
  const c = process.cpuUsage();
  const result = await engine.scan({ paths: [path], jobs });
  const ms = performance.now() - t;
  const d = process.cpuUsage(c);
  const cpuS = (d.user + d.system) / 1e6;
  const files = result.files.length;
  const lines = lineCount(result.files);
  const findings = result.files.reduce((n, f) => n + f.findings.filter((x) => !x.suppressed).length, 0);
  const bySeverity = {};
  for (const f of result.files) for (const x of f.findings) if (!x.suppressed) bySeverity[x.severity] = (bySeverity[x.severity] ?? 0) + 1;
  console.log(`  ${label} (jobs ${jobs}): ${num(files)} files, ${num(lines)} lines in ${(ms / 1000).toFixed(2)} s: ${num(files / (ms / 1000))} files/s, ${num(lines / (ms / 1000))} lines/s (cpu ${cpuS.toFixed(2)} s, all threads); ${findings} findings ${JSON.stringify(bySeverity)}`);
  return result;
}

function readSafe(path) {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}

console.log('\nWhole scans (the CLI\'s scan: walk, read, analyze, syntax check)');
await scanFigures('examples/', join(root, 'examples'), 1);
const big = process.env.SECURE_HINTS_BENCH_PATH ?? ['/usr/lib/python3/dist-packages/django'].find((p) => existsSync(p));
if (big) {
  await scanFigures(big, big, 1);
  await scanFigures(big, big, Math.min(4, (await import('node:os')).availableParallelism()));
}
else console.log('  (no large codebase: set SECURE_HINTS_BENCH_PATH to scan one)');
// a large real JS/TS codebase that every checkout has: the project's own dependencies
// (nested node_modules are skipped by the walker; files over maxFileBytes, like typescript.js, too)
if (!process.env.SECURE_HINTS_BENCH_PATH) {
  await scanFigures('node_modules/ (JS/TS dependencies)', join(root, 'node_modules'), 1);
  jsParseShare(join(root, 'node_modules'));
}

/**
 * The JS/TS files of a tree, analyzed one by one on this thread, against parsing the same files alone
 * (TypeScript's createSourceFile with parent pointers): the analysis's cost on top of the parse.
 */
function jsParseShare(dir) {
  const files = engine.collectFiles([dir]).files.filter((f) => engine.languageFor(f) === 'javascript' && !/\.d\.[cm]?ts$/i.test(f));
  let parse = 0;
  let analysis = 0;
  let lines = 0;
  let count = 0;
  for (const f of files) {
    const text = readSafe(f);
    if (text.length > 2_000_000 || text.includes('\u0000')) continue;
    count++;
    lines += text.split('\n').length;
    parse += time(() => engine.parseOnly(f, text));
    analysis += time(() => engine.analyze(f, undefined, text));
  }
  console.log(`  node_modules/ JS/TS files alone (one thread, no walk or read): ${num(count)} files, ${num(lines)} lines: parse ${(parse / 1000).toFixed(2)} s, analysis ${(analysis / 1000).toFixed(2)} s (${num(lines / (analysis / 1000))} lines/s): the analysis adds ${Math.round((100 * (analysis - parse)) / parse)}% to the parse`);
}

/**
 * The route model's cost (issue 12): the same files analyzed with the access-control rules that build it
 * switched off and on, CPU time summed over the files (alternating, so a busy machine slows both alike).
 */
function routeModelCost(label, dir) {
  const files = engine.collectFiles([dir]).files.filter((f) => ['python', 'javascript'].includes(engine.languageFor(f)));
  const off = { rules: { 'missing-authorization': 'off', 'insecure-direct-object-reference': 'off' } };
  let without = 0;
  let withRoutes = 0;
  for (const f of files) {
    const text = readSafe(f);
    if (text.length > 2_000_000 || text.includes('\u0000')) continue;
    without += cpu(() => engine.analyze(f, undefined, text, off));
    withRoutes += cpu(() => engine.analyze(f, undefined, text, {}));
  }
  console.log(`  ${label}: ${num(files.length)} files: analysis ${(without / 1000).toFixed(2)} s without the route model and its rules, ${(withRoutes / 1000).toFixed(2)} s with them: +${((100 * (withRoutes - without)) / without).toFixed(1)}%`);
}

console.log('\nRoute model (missing-authorization, insecure-direct-object-reference) on the large trees, CPU time');
if (big) routeModelCost(big, big);
if (!process.env.SECURE_HINTS_BENCH_PATH) routeModelCost('node_modules/', join(root, 'node_modules'));

console.log(`\nPeak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
