'use strict';
// mfa-hint is off by default, so the generic fixture test never sees it. Here it is turned on through the
// same configuration users write, and its fixtures' `when-enabled: mfa-hint` lines must be exactly its findings.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { engine, ready, root } = require('./helpers/engine');

const dir = path.join(root, 'test', 'fixtures', 'mfa-hint');

describe('mfa-hint (off by default)', function () {
  before(() => ready);
  for (const name of fs.readdirSync(dir).filter((f) => engine.languageFor(f)).sort()) {
    const file = path.join(dir, name);
    const text = fs.readFileSync(file, 'utf8');
    it(`${name}: reports only when enabled, on the annotated lines`, function () {
      assert.deepStrictEqual(engine.analyze(file, undefined, text, {}).filter((f) => f.ruleId === 'mfa-hint'), []);
      const got = engine.analyze(file, undefined, text, { rules: { 'mfa-hint': 'info' } })
        .filter((f) => f.ruleId === 'mfa-hint').map((f) => f.range.start.line + 1);
      const want = text.split('\n').map((l, i) => (/when-enabled: mfa-hint/.test(l) ? i + 1 : 0)).filter(Boolean);
      assert.deepStrictEqual(got, want);
    });
  }
});
