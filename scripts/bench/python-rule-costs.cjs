/**
 * The Python rules ranked by cost over a tree (issue 14): each rule's visitors are timed (wall clock around each
 * call, in-process, after a warm-up), with the analysis CPU of the whole tree for scale. A visitor's time includes
 * the shared facts it is the first to ask for (the data flow of a function, the route model), so the ranking says
 * which rules pay for what, not what a rule alone would cost.
 *   npm run build && node scripts/bench/python-rule-costs.cjs [DIR] [RUNS]
 * DIR defaults to the bench tree (.cache/bench/python).
 */
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const engine = require('../../dist/server.js');
const dir = process.argv[2] ?? join(__dirname, '../../.cache/bench/python');
const runs = Number(process.argv[3] ?? 2);

function walk(d, out) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.py')) out.push(p);
  }
  return out;
}

(async () => {
  await engine.ready();
  const files = walk(dir, []).map((p) => [p, readFileSync(p, 'utf8')]);
  const spent = new Map();
  for (const rule of engine.rules) {
    if (!rule.python) continue;
    const id = rule.meta.id;
    const timed = {};
    for (const [type, fn] of Object.entries(rule.python)) {
      if (!fn) continue;
      timed[type] = (node, ctx) => {
        const start = process.hrtime.bigint();
        try {
          return fn(node, ctx);
        } finally {
          spent.set(id, (spent.get(id) ?? 0n) + process.hrtime.bigint() - start);
        }
      };
    }
    rule.python = timed;
  }
  for (const [p, text] of files.slice(0, 100)) engine.analyze(p, undefined, text);
  spent.clear();
  const before = process.cpuUsage();
  for (let r = 0; r < runs; r++) for (const [p, text] of files) engine.analyze(p, undefined, text);
  const cpu = process.cpuUsage(before);
  console.log(`${files.length} Python files, analysis CPU ${((cpu.user + cpu.system) / 1000 / runs).toFixed(0)} ms per run (${runs} runs); visitor time per rule, ms per run:`);
  for (const [id, ns] of [...spent].sort((a, b) => Number(b[1] - a[1])).slice(0, 20)) {
    console.log(`  ${id.padEnd(36)} ${(Number(ns) / 1e6 / runs).toFixed(0).padStart(6)}`);
  }
})();
