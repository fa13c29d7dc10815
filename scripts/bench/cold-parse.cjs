'use strict';
// `node cold-parse.cjs TREE`: the cold parse floor of a whole scan. A fresh process loads the same bundle
// and parsers the CLI loads (dist/server.js, the scan's V8 flags set as the scan sets them, tree-sitter and
// its grammars), walks TREE as the scan does and parses every Python and JS/TS file once, one thread, each
// text read from disk just before its parse: what the scan cannot do in less (its parsers start as cold).
// Prints JSON: CPU of the whole process (start-up and loading included, as the CLI scan's CPU counts it),
// of start-up and loading alone, of the walk, of the read+parse pass alone, and the pass split in quarters (the parsers warming up).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { setFlagsFromString } = require('node:v8');

const cpuMs = (u) => (u.user + u.system) / 1000;
const tree = process.argv[2];
const engine = require(join(__dirname, '..', '..', 'dist', 'server.js'));
setFlagsFromString(engine.SCAN_V8_FLAGS);
engine.ready().then(() => {
  const loadedMs = cpuMs(process.cpuUsage());
  const files = engine.collectFiles([tree]).files.filter((f) => ['python', 'javascript'].includes(engine.languageFor(f)));
  const walkMs = cpuMs(process.cpuUsage()) - loadedMs;
  // the pass's CPU at each quarter of the files (snapshots, so that the quarters add up to the pass)
  const marks = [cpuMs(process.cpuUsage())];
  for (let i = 0; i < files.length; i++) {
    let text;
    try { text = readFileSync(files[i], 'utf8'); } catch { text = undefined; }
    if (text !== undefined) engine.parseOnly(files[i], text);
    if (Math.floor((4 * (i + 1)) / files.length) > marks.length - 1) marks.push(cpuMs(process.cpuUsage()));
  }
  const quarters = marks.slice(1).map((m, q) => m - marks[q]);
  const passMs = marks[marks.length - 1] - marks[0];
  const u = process.resourceUsage();
  process.stdout.write(JSON.stringify({ files: files.length, loadMs: loadedMs, walkMs, passMs, quarters, totalMs: (u.userCPUTime + u.systemCPUTime) / 1000 }) + '\n');
});
