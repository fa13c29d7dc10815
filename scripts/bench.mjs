// `npm run bench`: figures, no assertions. Analysis time of generated 1,000- and 10,000-line
// Python and TypeScript files (median of several runs) with the parse's share, files and lines
// per second on examples/, peak memory, and optionally a large real codebase:
//   SECURE_HINTS_BENCH_PATH=/path/to/code npm run bench
// (without it, Debian's Django under /usr/lib/python3/dist-packages is used when installed).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
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
advisoryFigures();

/**
 * The advisory database: loading the index (the first manifest pays it: both ecosystems read and parsed),
 * 2,000 lookups with the upgrade computed for each affected one (a large lockfile), size on disk.
 */
function advisoryFigures() {
  const dir = join(root, 'dist', 'advisories');
  if (!existsSync(join(dir, 'meta.json'))) {
    console.log('Advisory database: dist/advisories missing (npm run advisories)\n');
    return;
  }
  const load = () => {
    const index = engine.loadIndex();
    index.hasPackage('npm', 'lodash');
    index.hasPackage('PyPI', 'django');
    return index;
  };
  const t0 = performance.now();
  const coldCpu = cpu(load);
  const cold = performance.now() - t0;
  engine.resetIndexCache();
  const warm = time(load);
  const index = engine.loadIndex();
  const names = { npm: [], PyPI: [] };
  for (const eco of ['npm', 'PyPI']) {
    const file = JSON.parse(gunzipSync(readFileSync(join(dir, `${eco}.json.gz`))).toString('utf8'));
    names[eco] = Object.keys(file.packages);
  }
  // half the packages have advisories, half are unknown names (most of a real lockfile)
  const lookups = [];
  for (let i = 0; i < 2000; i++) {
    const eco = i % 2 ? 'npm' : 'PyPI';
    const known = names[eco];
    const name = i % 4 < 2 ? known[(i * 7919) % known.length] : `unknown-package-${i}`;
    lookups.push([eco, name, `${i % 5}.${i % 13}.${i % 7}`]);
  }
  let affected = 0;
  const run = () => {
    affected = 0;
    for (const [eco, name, version] of lookups) {
      if (!index.hasPackage(eco, name)) continue;
      if (index.advisoriesFor(eco, name, version).length) {
        affected++;
        index.fixVersion(eco, name, version);
      }
    }
  };
  const t1 = performance.now();
  const firstCpu = cpu(run);
  const first = performance.now() - t1;
  const runs = [];
  const cpus = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    cpus.push(cpu(run));
    runs.push(performance.now() - t);
  }
  const files = readdirSync(dir).map((f) => statSync(join(dir, f)).size);
  const total = files.reduce((a, b) => a + b, 0);
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  const ecos = Object.entries(meta.ecosystems).map(([e, m]) => `${e} ${num(m.records)} advisories/${num(m.packages)} packages`).join(', ');
  console.log(`Advisory database of ${index.date} (${ecos}): load ${fmt(cold).trim()} (cpu ${fmt(coldCpu).trim()}; again ${fmt(warm).trim()}); 2,000 lookups with upgrades (${affected} affected) ${fmt(first).trim()} first (cpu ${fmt(firstCpu).trim()}), ${fmt(median(runs)).trim()} median (cpu ${fmt(median(cpus)).trim()}); ${(total / 1024).toFixed(0)} KB on disk in dist/advisories\n`);
}
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

// a 300-line multi-stage Dockerfile: the analysis (every Dockerfile rule) against dockerfile-ast's parse alone
{
  const { DockerfileParser } = require('dockerfile-ast');
  const parts = ['# syntax=docker/dockerfile:1', 'ARG BASE=python:3.12-slim', 'FROM ${BASE} AS build', 'WORKDIR /src'];
  for (let i = 0; parts.join('\n').split('\n').length < 290; i++) {
    parts.push(`RUN apt-get update \\\n    && apt-get install -y --no-install-recommends pkg${i} curl ca-certificates \\\n    && curl -fsSL https://example.com/tool${i}.tar.gz | tar -xz -C /opt \\\n    && rm -rf /var/lib/apt/lists/*`);
    parts.push(`ENV TOOL_${i}_HOME=/opt/tool${i} PATH=/opt/tool${i}/bin:$PATH`, `COPY config/tool${i}.yaml /etc/tool${i}/`);
    if (i % 8 === 0) parts.push(`RUN curl -fsSL https://get.example.com/setup${i}.sh | sh`, 'FROM build AS stage' + i);
  }
  parts.push('USER app', 'CMD ["python", "-m", "app"]');
  const text = parts.join('\n') + '\n';
  for (let i = 0; i < 3; i++) { engine.analyze('Dockerfile', undefined, text); DockerfileParser.parse(text); }
  const wall = [];
  const cpus = [];
  const parses = [];
  for (let i = 0; i < 15; i++) {
    parses.push(time(() => DockerfileParser.parse(text)));
    const t = performance.now();
    cpus.push(cpu(() => engine.analyze('Dockerfile', undefined, text)));
    wall.push(performance.now() - t);
  }
  const analysis = median(wall);
  const parse = median(parses);
  console.log(`  ${'dockerfile'.padEnd(10)} ${num(text.split('\n').length - 1).padStart(6)} lines ${(text.length / 1024).toFixed(0).padStart(5)} KB  analysis ${fmt(analysis)} (cpu ${fmt(median(cpus)).trim()})  parse ${fmt(parse)} (dockerfile-ast alone, ${Math.round((100 * parse) / analysis)}%)  ${engine.analyze('Dockerfile', undefined, text).length} findings  (15 runs)`);
}

// Kubernetes: a generated 1,000-line multi-document manifest, analysis against the `yaml` parse alone (same options)
{
  const yaml = require('yaml');
  const doc = (i) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: shop\nspec:\n  replicas: 2\n  template:\n    spec:\n${i % 5 === 0 ? '      hostNetwork: true\n' : ''}      containers:\n        - name: app\n          image: registry.example.com/app-${i}:1.${i}.0\n          ports:\n            - containerPort: 8080\n          env:\n            - name: LOG_LEVEL\n              value: info\n          securityContext:\n            runAsNonRoot: true\n            allowPrivilegeEscalation: false\n---\n`;
  let text = '';
  for (let i = 0; text.split('\n').length < 1000; i++) text += doc(i);
  for (let i = 0; i < 3; i++) { engine.analyze('bench.yaml', undefined, text); yaml.parseAllDocuments(text, { version: '1.1' }); }
  const wall = [];
  const parses = [];
  for (let i = 0; i < 15; i++) {
    parses.push(cpu(() => yaml.parseAllDocuments(text, { version: '1.1' })));
    wall.push(cpu(() => engine.analyze('bench.yaml', undefined, text)));
  }
  const findings = engine.analyze('bench.yaml', undefined, text).length;
  console.log(`  ${'kubernetes'.padEnd(10)} ${num(text.split('\n').length).padStart(6)} lines ${(text.length / 1024).toFixed(0).padStart(5)} KB  analysis cpu ${fmt(median(wall)).trim()}  yaml parse alone cpu ${fmt(median(parses)).trim()} (${Math.round((100 * median(parses)) / median(wall))}%)  ${findings} findings  (15 runs)`);
}

/** A Terraform module: security groups, IAM policies (jsonencode and policy documents), databases, buckets, instances. */
function terraformBlock(i) {
  const open = i % 10 === 0 ? '"0.0.0.0/0"' : '"10.0.0.0/8"';
  return `resource "aws_security_group" "sg_${i}" {
  name   = "sg-${i}"
  vpc_id = var.vpc_id

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [${open}]
  }
}

resource "aws_iam_policy" "policy_${i}" {
  name = "policy-${i}"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "\${aws_s3_bucket.b_${i}.arn}/*" },
      { Effect = "Allow", Action = ["sqs:SendMessage"], Resource = var.queue_arn },
    ]
  })
}

data "aws_iam_policy_document" "doc_${i}" {
  statement {
    actions   = ["dynamodb:GetItem", "dynamodb:Query"]
    resources = ["arn:aws:dynamodb:eu-west-1:111122223333:table/t-${i}"]
  }
}

resource "aws_db_instance" "db_${i}" {
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  storage_encrypted   = true
  publicly_accessible = false
  password            = var.db_password
}

resource "aws_s3_bucket" "b_${i}" {
  bucket = "bucket-${i}"
}

resource "aws_instance" "vm_${i}" {
  ami           = var.ami
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "required"
  }
}

`;
}

console.log('\nGenerated Terraform module (tree-sitter-terraform parse, then the cloud model and rules), median of runs:');
{
  let text = '';
  for (let i = 0; text.split('\n').length < 2000; i++) text += terraformBlock(i);
  text = text.split('\n').slice(0, 2000).join('\n') + '\n';
  for (let i = 0; i < 3; i++) { engine.analyze('bench.tf', undefined, text); engine.parseOnly('bench.tf', text); }
  const findings = engine.analyze('bench.tf', undefined, text).length;
  const wall = [];
  const parses = [];
  for (let i = 0; i < 15; i++) {
    parses.push(time(() => engine.parseOnly('bench.tf', text)));
    wall.push(time(() => engine.analyze('bench.tf', undefined, text)));
  }
  const analysis = median(wall);
  const parse = median(parses);
  console.log(`  terraform   ${num(2000).padStart(6)} lines ${(text.length / 1024).toFixed(0).padStart(5)} KB  analysis ${fmt(analysis)}  parse ${fmt(parse)} (${Math.round((100 * parse) / analysis)}%)  ${findings} findings  (15 runs)`);
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

// dependency lockfiles: 2,000 packages (one in ten named in the advisory index, most of those at affected
// versions), checked after the index is loaded: the first check (nothing memoized) and the median of 11
{
  const { gunzipSync } = await import('node:zlib');
  let known = [];
  try {
    known = Object.keys(JSON.parse(gunzipSync(readFileSync(join(root, 'dist', 'advisories', 'npm.json.gz'))).toString('utf8')).packages);
  } catch { /* no shipped index: generated names only */ }
  const names = Array.from({ length: 2000 }, (_, i) => (i % 10 === 0 && known.length ? known[(i / 10) % known.length] : `pkg-${i}`));
  const unique = [...new Set(names)];
  const packages = { '': { name: 'bench', version: '1.0.0', dependencies: Object.fromEntries(unique.slice(0, 200).map((n) => [n, '^1.0.0'])) } };
  unique.forEach((n, i) => { packages[`node_modules/${n}`] = { version: `1.${i % 10}.0`, resolved: `https://registry.npmjs.org/${n}/-/${n}-1.${i % 10}.0.tgz`, integrity: 'sha512-' + 'A'.repeat(88), dependencies: i + 1 < unique.length ? { [unique[i + 1]]: '^1.0.0' } : {} }; });
  const lock = JSON.stringify({ name: 'bench', lockfileVersion: 3, requires: true, packages }, null, 2);
  const yarn = '# yarn lockfile v1\n\n' + unique.map((n, i) => `"${n}@^1.0.0":\n  version "1.${i % 10}.0"\n  resolved "https://registry.yarnpkg.com/${n}/-/${n}-1.${i % 10}.0.tgz"\n`).join('\n');
  const reqs = unique.map((n, i) => `${n}==1.${i % 10}.0`).join('\n') + '\n';
  console.log(`\nDependency files (${num(unique.length)} packages; advisory index loaded first)`);
  engine.loadIndex().hasPackage('npm', 'lodash');
  engine.loadIndex().hasPackage('PyPI', 'django');
  for (const [file, text] of [['package-lock.json', lock], ['yarn.lock', yarn], ['requirements.txt', reqs]]) {
    const first = cpu(() => engine.analyze(file, undefined, text));
    for (let i = 0; i < 2; i++) engine.analyze(file, undefined, text);
    const wall = [];
    const cpus = [];
    for (let i = 0; i < 11; i++) {
      const t = performance.now();
      cpus.push(cpu(() => engine.analyze(file, undefined, text)));
      wall.push(performance.now() - t);
    }
    console.log(`  ${file.padEnd(18)} ${(text.length / 1024).toFixed(0).padStart(5)} KB  first check (cpu) ${fmt(first)}  then ${fmt(median(wall))} (cpu ${fmt(median(cpus)).trim()})  ${engine.analyze(file, undefined, text).length} findings`);
  }
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

// the .vsix as published (`npm run package`: minified bundles, wasm grammars, the advisory index); the
// unminified build the tests use is restored afterwards
{
  const vsix = join(root, '.tmp', 'bench.vsix');
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const minified = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { env: { ...process.env, SECURE_HINTS_MINIFY: '1' }, encoding: 'utf8' });
  const packed = minified.status === 0 && spawnSync(join(root, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--out', vsix], { cwd: root, encoding: 'utf8' });
  spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { encoding: 'utf8' });
  if (packed && packed.status === 0 && existsSync(vsix)) console.log(`.vsix: ${(statSync(vsix).size / 1024 / 1024).toFixed(2)} MB (budget 5 MB)`);
  else console.log('.vsix: vsce package failed');
}

// ---- Incremental edit (engine/session.ts): a one-line change in the middle of the generated 10,000-line files ----
{
  const { incrementalEditFigures, sessionMemory } = await import('./incremental-bench.mjs');
  console.log('\nIncremental edit: CPU of a one-line change in the middle, analyzed against the previous version (fresh = analyze from scratch)');
  incrementalEditFigures(engine, [['python', 'bench.py'], ['typescript', 'bench.ts']].map(([language, path]) => ({ label: `generated ${language}`, path, text: generate(language, 10000) })));
  // 2,000 analyzed edits (a 10,000-edit language-server session: node scripts/incremental-bench.mjs FILE --memory 10000)
  sessionMemory(engine, 'bench.py', generate('python', 1000), { edits: 2000 });
}
