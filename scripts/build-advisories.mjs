// `npm run advisories`: compiles OSV records into the advisory index shipped with the extension
// (server/data/advisories/: npm.json.gz, PyPI.json.gz, vendored.json, meta.json, NOTICE.md), and prints
// its size. Runs through the built bundle (npm run build first), which holds the same builder as
// `secure-hints advisories update`.
//   node scripts/build-advisories.mjs [INPUT...] [--out DIR]
// INPUT: directories of OSV .json/.jsonl files, .jsonl files or OSV all.zip files; default ../shared/advisories
// (beside the checkout). A js-libraries.json in the first input directory (retire.js patterns) becomes
// vendored.json.
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const root = dirname(dirname(new URL(import.meta.url).pathname));
const bundle = join(root, 'dist', 'server.js');
if (!existsSync(bundle)) {
  console.error('build-advisories: dist/server.js is missing; run `npm run build` first');
  process.exit(2);
}
const { buildAdvisories } = require(bundle);

const args = process.argv.slice(2);
let outDir = join(root, 'server', 'data', 'advisories');
const inputs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out') outDir = resolve(args[++i]);
  else inputs.push(resolve(args[i]));
}
if (!inputs.length) inputs.push(resolve(root, '..', 'shared', 'advisories'));
const libraries = inputs.map((p) => join(p, 'js-libraries.json')).find((p) => existsSync(p));

try {
  const result = await buildAdvisories({ inputs, outDir, describe: (p) => relative(root, p) || '.', refresh: false, allowNetwork: true, vendoredFrom: libraries, log: (l) => console.log(l) });
  const { meta, stats, vendored } = result;
  console.log(`records read ${stats.records}, withdrawn ${stats.withdrawn}, unused ${stats.unused}, GIT-only entries ${stats.gitOnly}, entries kept as version lists ${stats.versionLists}`);
  for (const [eco, e] of Object.entries(meta.ecosystems)) {
    const gz = readFileSync(join(outDir, e.file));
    console.log(`${eco}: ${e.records} advisories, ${e.packages} packages, data of ${e.date}; ${kb(gunzipSync(gz).length)} raw, ${kb(gz.length)} gzipped`);
  }
  if (vendored) {
    const v = readFileSync(join(outDir, 'vendored.json'));
    console.log(`vendored libraries: ${vendored.kept} patterns kept, ${vendored.dropped.length} dropped; ${kb(v.length)} raw, ${kb(gzipSync(v).length)} gzipped`);
    for (const d of vendored.dropped) console.log(`  dropped (unsafe or unreadable): ${d}`);
  }
  const total = readdirSync(outDir).reduce((n, f) => n + statSync(join(outDir, f)).size, 0);
  console.log(`${outDir}: ${kb(total)} on disk`);
} catch (e) {
  console.error(`build-advisories: ${e.message}`);
  process.exit(2);
}

function kb(n) {
  return `${(n / 1024).toFixed(1)} KB`;
}
