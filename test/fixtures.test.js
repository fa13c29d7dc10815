'use strict';
// One generic test for every rule: each fixture file annotates, in its own comments, the findings
// it must produce (`expect: rule-id [severity]`) and the traps that must stay quiet (`ok: rule-id`).
// The exact set of findings must match. A sibling `name.fixed.ext` is the golden output of the
// preferred quick fixes: it must match, parse, and no longer trigger the rules that were fixed.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { engine, ready, root, expectations } = require('./helpers/engine');

const fixturesDir = path.join(root, 'test', 'fixtures');
// `x.fixed.ext`; names without an extension (`Dockerfile`) take a `.fixed` suffix
const isFixed = (f) => /\.fixed(\.[^.]+)?$/.test(f);
const fixedPathOf = (file) => (path.basename(file).includes('.', 1) ? file.replace(/(\.[^.]+)$/, '.fixed$1') : `${file}.fixed`);

function fixtureFiles() {
  if (!fs.existsSync(fixturesDir)) return [];
  const out = [];
  for (const dir of fs.readdirSync(fixturesDir).sort()) {
    const full = path.join(fixturesDir, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full).sort()) {
      const p = path.join(full, f);
      // a subfolder holds files that belong together (a manifest beside its lockfile)
      if (fs.statSync(p).isDirectory()) {
        for (const g of fs.readdirSync(p).sort()) if (!isFixed(g) && engine.languageFor(g)) out.push(path.join(p, g));
      } else if (!isFixed(f) && engine.languageFor(f)) out.push(p);
    }
  }
  return out;
}

const fmt = (f) => `${f.ruleId}@${f.range.start.line + 1}`;

describe('rule fixtures', function () {
  before(() => ready);
  const files = fixtureFiles();
  it('has fixtures for every rule', function () {
    const dirs = new Set(files.map((f) => path.relative(fixturesDir, f).split(path.sep)[0]));
    const missing = engine.rules.map((r) => r.meta.id).filter((id) => !dirs.has(id));
    assert.deepStrictEqual(missing, [], `rules without a fixture folder test/fixtures/<rule-id>/`);
  });

  for (const file of files) {
    const rel = path.relative(fixturesDir, file);
    describe(rel, function () {
      const text = fs.readFileSync(file, 'utf8');
      const { expected, ok } = expectations(text);
      let findings;
      before(() => ready.then(() => {
        findings = engine.analyze(file, undefined, text, {}).filter((f) => !f.suppressed);
      }));

      it('reports exactly the annotated findings', function () {
        const got = findings.map(fmt).sort();
        const want = expected.map((e) => `${e.rule}@${e.line + 1}`).sort();
        assert.deepStrictEqual([...new Set(got)], [...new Set(want)]);
        for (const o of ok) {
          assert.ok(!findings.some((f) => f.ruleId === o.rule && f.range.start.line === o.line),
            `line ${o.line + 1} is annotated ok: ${o.rule} but was reported`);
        }
        for (const e of expected.filter((e) => e.severity)) {
          const f = findings.find((f) => f.ruleId === e.rule && f.range.start.line === e.line);
          assert.strictEqual(f.severity, e.severity, `severity of ${e.rule} on line ${e.line + 1}`);
        }
      });

      const fixedPath = fixedPathOf(file);
      // package.fixed.json is not a manifest by its name: such golden files are checked as the original file
      const checkPath = engine.languageFor(fixedPath) === engine.languageFor(file) ? fixedPath : file;
      if (fs.existsSync(fixedPath)) {
        it('fixes to the golden file, which parses and no longer triggers the fixed rules', function () {
          const { text: fixedText, fixed } = engine.applyPreferredFixes(text, findings);
          assert.ok(fixed.length > 0, 'no preferred fix was applied');
          assert.strictEqual(fixedText, fs.readFileSync(fixedPath, 'utf8'));
          assert.deepStrictEqual(engine.syntaxErrors(checkPath, undefined, fixedText), []);
          const again = engine.analyze(checkPath, undefined, fixedText, {}).filter((f) => !f.suppressed);
          // lines move when a fix adds an import, so compare counts per rule
          for (const rule of new Set(fixed.map((f) => f.ruleId))) {
            const before = findings.filter((f) => f.ruleId === rule).length;
            const nFixed = fixed.filter((f) => f.ruleId === rule).length;
            const after = again.filter((f) => f.ruleId === rule);
            assert.ok(after.length <= before - nFixed, `${rule}: ${nFixed} fixed but still reported at ${after.map(fmt).join(', ')}`);
          }
        });
      }
    });
  }
});
