// Entry point VS Code's extension host calls (extensionTestsPath): runs the *.spec.js files of
// this folder with mocha and reports every line with a "[suite]" prefix on the console, which
// reaches the workbench page, where the runner prints it.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const m = require('mocha');
const Mocha = m.default || m;

function log(line) {
  console.log(`[suite] ${line}`);
}

/** A small reporter: one line per test, full errors, a summary. */
function LineReporter(runner) {
  const failures = [];
  let passes = 0;
  runner.on('suite', (s) => { if (s.title) log(`${s.title}`); });
  runner.on('pass', (t) => { passes++; log(`  ok   ${t.title} (${t.duration} ms)`); });
  runner.on('pending', (t) => log(`  skip ${t.title}`));
  runner.on('fail', (t, err) => {
    failures.push([t, err]);
    log(`  FAIL ${t.fullTitle()}`);
    for (const l of String(err && (err.stack || err.message) || err).split('\n')) log(`       ${l}`);
  });
  runner.on('end', () => log(`${passes} passing, ${failures.length} failing`));
}

exports.run = function run() {
  const mocha = new Mocha({ ui: 'bdd', timeout: 90_000, color: false, reporter: LineReporter });
  const grep = process.env.SECURE_HINTS_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.spec.js')).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} tests failed`)) : resolve()));
    } catch (err) {
      log(`could not run the suite: ${err.stack || err}`);
      reject(err);
    }
  });
};
