'use strict';
// Engine contracts that no single rule's fixtures show: a rule that throws is switched off for the
// file with a note, and every other rule still reports.
const assert = require('assert');
const { engine, ready } = require('./helpers/engine');

describe('engine', () => {
  before(() => ready);

  it('switches off a JS rule that throws, notes it, and keeps the other rules\' findings', () => {
    const text = [
      "const cp = require('child_process');",
      'app.get("/x", (req, res) => {',
      '  cp.exec("ls " + req.query.dir);',
      '  eval(req.query.code);',
      '});',
      '',
    ].join('\n');
    const before = engine.analyzeDetailed('app.js', undefined, text);
    const rules = before.findings.map((f) => f.ruleId).sort();
    assert.deepStrictEqual(rules, ['code-injection', 'command-injection']);
    assert.deepStrictEqual(before.notes, []);

    const rule = engine.rules.find((r) => r.meta.id === 'command-injection');
    const original = rule.javascript;
    let calls = 0;
    rule.javascript = Object.fromEntries(Object.keys(original).map((k) => [k, () => { calls++; throw new Error('boom'); }]));
    try {
      const after = engine.analyzeDetailed('app.js', undefined, text);
      assert.deepStrictEqual(after.findings.map((f) => f.ruleId), ['code-injection']);
      assert.deepStrictEqual(after.notes, ['rule command-injection failed and was skipped for this file: boom']);
      assert.strictEqual(calls, 1, 'the failed rule is not called again for later nodes');
    } finally {
      rule.javascript = original;
    }
  });
});

describe('test-file detection', () => {
  before(() => ready);
  const secret = "export const stripe = 'sk_live_4eC39HqLyjWDarjtT1zdp7dcQ2wE9rT5';\n";
  const found = (path) => engine.analyze(path, undefined, secret).some((f) => f.ruleId === 'hardcoded-secret');

  it('a test file by name or folder is test code, where hard-coded keys are expected', () => {
    assert.strictEqual(found('src/payments.test.ts'), false);
    assert.strictEqual(found('test.js'), false);
    assert.strictEqual(found('tests/helpers/stripe.js'), false);
  });

  it('config/test.js is the test environment\'s settings, not a test: its secrets are reported', () => {
    assert.strictEqual(found('config/test.js'), true);
    assert.strictEqual(found('app/config/test.ts'), true);
    assert.strictEqual(found('src/payments.js'), true);
  });
});
