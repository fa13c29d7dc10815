'use strict';
// The built server bundle is the engine under test: the same code the CLI and the editor run.
const path = require('path');
const fs = require('fs');

const root = path.join(__dirname, '..', '..');
// verdicts come from the shipped advisory database: one refreshed on this machine must not change them
if (!process.env.SECURE_HINTS_DATA_DIR) process.env.SECURE_HINTS_DATA_DIR = path.join(require('os').tmpdir(), 'secure-hints-tests-no-user-data');
const bundle = path.join(root, 'dist', 'server.js');
if (!fs.existsSync(bundle)) throw new Error('dist/server.js is missing: run `npm run build` first');
const engine = require(bundle);

const ready = engine.ready();

/** `# expect: rule-a, rule-b [severity]` / `// ok: rule` annotations, resolved to 0-based lines. */
function expectations(text) {
  const lines = text.split('\n');
  const ANN = /(?:#|\/\/|\/\*|<!--)\s*(expect|ok):\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)(?:\s+(error|warning|info|hint)\b)?/;
  const expected = [];
  const ok = [];
  lines.forEach((line, i) => {
    const m = ANN.exec(line);
    if (!m) return;
    let target = i;
    const before = line.slice(0, m.index).trim();
    if (before === '' || before === '{') {
      // an annotation alone on its line names the next line that is not itself an annotation
      target = i + 1;
      while (target < lines.length && ANN.test(lines[target]) && /^\s*(#|\/\/|\/\*|\{\/\*|<!--)/.test(lines[target])) target++;
    }
    for (const rule of m[2].split(',').map((s) => s.trim())) {
      (m[1] === 'expect' ? expected : ok).push({ rule, line: target, severity: m[3] });
    }
  });
  return { expected, ok };
}

module.exports = { engine, ready, root, expectations };
