'use strict';
// `node cli-usage.cjs <secure-hints args>`: the CLI as a process (what bin/secure-hints.js runs), which
// writes its own resource usage as JSON to the file named by SECURE_HINTS_BENCH_USAGE when it exits:
// CPU time of all its threads (the main thread and any scan workers) and the peak RSS, as getrusage()
// counts them. (Node's spawnSync does not report a child's usage, and /usr/bin/time is not everywhere.)
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const started = Date.now();
process.on('exit', (code) => {
  const u = process.resourceUsage();
  const out = process.env.SECURE_HINTS_BENCH_USAGE;
  if (out) writeFileSync(out, JSON.stringify({ code, userMs: u.userCPUTime / 1000, systemMs: u.systemCPUTime / 1000, maxRssKb: u.maxRSS, wallMs: Date.now() - started }));
});
require(join(__dirname, '..', '..', 'dist', 'server.js')).main(process.argv.slice(2));
