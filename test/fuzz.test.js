'use strict';
// Seeded fuzzing through the engine: truncated and mutated real files never throw and never take long.
// FUZZ_SEED and FUZZ_ITERATIONS vary the run; `node scripts/fuzz.mjs --iterations 5000 --seed 7` runs longer.
const assert = require('assert');
const { engine, ready } = require('./helpers/engine');
const { fuzz } = require('./helpers/fuzz');

describe('fuzz: mutated real files through the engine', function () {
  this.timeout(120000);
  before(() => ready);

  it('no exception, and a bounded time per file', function () {
    const seed = Number(process.env.FUZZ_SEED ?? 1);
    const iterations = Number(process.env.FUZZ_ITERATIONS ?? 150);
    // bounded in time in the suite (the machine may be shared): what did not run, runs next time with another seed
    const maxMs = process.env.FUZZ_ITERATIONS ? Infinity : 15000;
    const { failures, runs, corpus } = fuzz(engine, { seed, iterations, maxMs, perFileMs: 10000 });
    assert.ok(corpus > 100, `corpus of ${corpus} files`);
    assert.ok(runs > 0);
    assert.deepStrictEqual(failures, []);
  });
});
