'use strict';
// `node cold-parse.cjs TREE`: the cold parse floor of a whole scan. A fresh process loads the same bundle
// and parsers the CLI loads (dist/server.js, the scan's V8 flags set as the scan sets them, tree-sitter and
// its grammars), walks TREE as the scan does and parses every Python and JS/TS file once, one thread, each
// text read from disk just before its parse: what the scan cannot do in less (its parsers start as cold).
// Prints JSON: CPU of the whole process (start-up and loading included, as the CLI scan's CPU counts it),
// of loading alone, of the read+parse pass alone, and the pass split in quarters (the parsers warming up).
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
  const quarters = [0, 0, 0, 0];
  let lines = 0;
  for (let i = 0; i < files.length; i++) {
    const c = process.cpuUsage();
    let text;
    try { text = readFileSync(files[i], 'utf8'); } catch { continue; }
    engine.parseOnly(files[i], text);
    quarters[Math.min(3, Math.floor((4 * i) / files.length))] += cpuMs(process.cpuUsage(c));
    lines += text.split('\n').length; // not counted in the quarters
  }
  const passMs = quarters.reduce((a, b) => a + b, 0);
  const u = process.resourceUsage();
  process.stdout.write(JSON.stringify({ files: files.length, lines, loadMs: loadedMs, passMs, quarters, totalMs: (u.userCPUTime + u.systemCPUTime) / 1000 }) + '\n');
});
