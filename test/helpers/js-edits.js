'use strict';
// Seeded random edit sessions over JS/TS text, each version built from `ts.updateSourceFile` and the
// previous version's JsFile, as the editor session does (test/js-relink.test.js, test/js-statement-memo.test.js).
const path = require('path');
const { engine } = require('./engine');

const ts = require(path.join(__dirname, '..', '..', 'dist', 'typescript.js'));

/** One random edit: a snippet inserted, a run of up to 60 characters deleted, a line copied or moved. */
function randomEdit(text, rnd, snippets) {
  const at = Math.floor(rnd() * (text.length + 1));
  const kind = rnd();
  if (kind < 0.45) return text.slice(0, at) + snippets[Math.floor(rnd() * snippets.length)] + text.slice(at);
  if (kind < 0.7) return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(rnd() * 60)));
  const lines = text.split('\n');
  const i = Math.floor(rnd() * lines.length);
  const j = Math.floor(rnd() * lines.length);
  if (kind < 0.85) lines.splice(i, 0, lines[j]);
  else lines.splice(j, 0, ...lines.splice(i, 1));
  return lines.join('\n');
}

/** The span two versions differ in (common prefix and suffix), as `updateSourceFile` takes it. */
function changeRange(before, after) {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let a = before.length;
  let b = after.length;
  while (a > start && b > start && before.charCodeAt(a - 1) === after.charCodeAt(b - 1)) { a--; b--; }
  return { span: { start, length: a - start }, newLength: b - start };
}

/**
 * `edits` random edits of `text`; `check(file, context)` runs on the first version and after every edit.
 * Returns how many edits were checked (a version nested too deeply to analyze ends the session).
 */
function editSession(name, text, rnd, edits, snippets, check) {
  let file = new engine.JsFile(name, text);
  check(file, `${name}: fresh`);
  let done = 0;
  for (let k = 0; k < edits; k++) {
    const next = randomEdit(text, rnd, snippets);
    const sf = ts.updateSourceFile(file.sourceFile, next, changeRange(text, next));
    try {
      file = new engine.JsFile(name, next, sf, file);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      return done;
    }
    text = next;
    check(file, `${name} after edit ${k + 1}`);
    done++;
  }
  return done;
}

module.exports = { ts, changeRange, editSession };
