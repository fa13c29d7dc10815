#!/usr/bin/env node
// A longer fuzz run than the suite's: node scripts/fuzz.mjs [--iterations 5000] [--seed 7] [--per-file-ms 10000]
// (run `npm run build` first). Prints each failure with its seed, iteration and mutations, to replay it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : def;
};
const { engine, ready } = require('../test/helpers/engine.js');
const { fuzz } = require('../test/helpers/fuzz.js');

await ready;
const seed = opt('seed', Date.now() % 100000);
const iterations = opt('iterations', 2000);
console.log(`fuzz: seed ${seed}, ${iterations} iterations`);
const { failures, runs, corpus } = fuzz(engine, { seed, iterations, perFileMs: opt('per-file-ms', 10000), log: (m) => console.log(m) });
for (const f of failures) console.log(`FAIL ${f}`);
console.log(`${runs} mutated files from a corpus of ${corpus}: ${failures.length} failures`);
process.exitCode = failures.length > 0 ? 1 : 0;
