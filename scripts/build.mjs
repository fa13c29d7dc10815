// Bundles the client and the server (engine + LSP + CLI) with esbuild, one file each (and the scan
// workers' entry), and copies the tree-sitter wasm files and the advisory index beside the server bundle.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = dirname(dirname(new URL(import.meta.url).pathname));
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

/**
 * TypeScript's bundle exports each API name through a getter on one huge (dictionary-mode) object, so
 * every `ts.SyntaxKind.X` or `ts.isIdentifier(n)` in the analyzer's hot loops is a hash lookup and a
 * call. When bundling our own sources, enum members become their numbers (TypeScript is pinned) and
 * functions are imported once as direct bindings from a small generated module.
 *
 * TypeScript itself (10 MB of JavaScript, ~0.4 s of CPU to load) is not in the server bundle but in
 * dist/typescript.js, loaded on first use: the language server's main thread never loads it, and the
 * analysis worker only for a JS/TS file (a Python file does not pay for it). The generated module holds
 * a stub per function the sources use, which loads TypeScript and then rebinds every function to the
 * real one (esbuild's bundles keep ES live bindings), and a `ts` object with the enums the sources
 * name (as literals) that loads TypeScript for anything else (`ts.factory`).
 */
const typescript = createRequire(import.meta.url)(join(root, 'node_modules/typescript'));
const ENUM_MEMBER = /(?<![\w$.])ts\.([A-Z]\w*)\.(\w+)\b/g;
const FUNCTION = /(?<![\w$.])ts\.([a-z]\w*)\b/g;
const TS_IMPORT = /^import ts from 'typescript';$/m;
const directTypescript = {
  name: 'direct-typescript',
  setup(b) {
    const functions = new Set(Object.keys(typescript).filter((k) => /^[a-z]/.test(k) && typeof typescript[k] === 'function'));
    b.onResolve({ filter: /^typescript$/ }, () => ({ path: './typescript.js', external: true }));
    b.onResolve({ filter: /^typescript-direct$/ }, () => ({ path: 'typescript-direct', namespace: 'typescript-direct' }));
    b.onLoad({ filter: /.*/, namespace: 'typescript-direct' }, () => {
      // what the sources use: the functions to stub, the enums named as objects (`const K = ts.SyntaxKind`)
      const used = new Set();
      const enums = new Set();
      for (const dir of ['server/src', 'client/src']) {
        for (const file of sourceFiles(join(root, dir))) {
          const text = readFileSync(file, 'utf8').replace(ENUM_MEMBER, '');
          for (const [, f] of text.matchAll(FUNCTION)) if (functions.has(f)) used.add(f);
          for (const [, e] of text.matchAll(/(?<![\w$.])ts\.([A-Z]\w*)\b/g)) if (typeof typescript[e] === 'object') enums.add(e);
        }
      }
      const fs = [...used].sort();
      const contents = [
        'let real;',
        CODE_CACHE_LOADER,
        'function load() {',
        '  if (real) return real;',
        "  real = loadWithCodeCache() ?? require('typescript');",
        ...fs.map((f) => `  ${f} = real.${f};`),
        '  return real;',
        '}',
        ...fs.map((f) => `export let ${f} = function () { load(); return ${f}.apply(this, arguments); };`),
        `const enums = { ${[...enums].sort().map((e) => `${e}: ${JSON.stringify(typescript[e])}`).join(', ')} };`,
        'export const ts = new Proxy(enums, { get: (t, k) => (k in t ? t[k] : load()[k]) });',
        'export const loadTypescript = load;',
      ].join('\n');
      return { contents, loader: 'js', resolveDir: root };
    });
    b.onLoad({ filter: /[\\/](server|client)[\\/]src[\\/].*\.ts$/ }, (args) => {
      const used = new Set();
      const contents = readFileSync(args.path, 'utf8')
        .replace(TS_IMPORT, "import { ts } from 'typescript-direct';")
        .replace(ENUM_MEMBER, (m, e, k) => (typeof typescript[e]?.[k] === 'number' ? `${typescript[e][k]} /* ${e}.${k} */` : m))
        .replace(FUNCTION, (m, f) => (functions.has(f) ? (used.add(f), `__ts_${f}`) : m));
      const imports = used.size ? `import { ${[...used].map((f) => `${f} as __ts_${f}`).join(', ')} } from 'typescript-direct';\n` : '';
      return { contents: imports + contents, loader: 'ts' };
    });
  },
};

/**
 * TypeScript's code cache. Compiling dist/typescript.js costs ~0.4 s of CPU in every thread that loads it
 * (the CLI's scan workers, the language server's analysis worker); with V8's code cache of the same source
 * (bytecode of its top level and of the functions a parse runs) it is about 0.25 s and ~15 MB less memory.
 * A cache only fits the V8 version and flags that made it (`v8.cachedDataVersionTag()`), so the build makes
 * one per configuration this package runs TypeScript under with the building Node (plain: the language
 * server; the scan's flags: the CLI), named by the tag; another Node (VS Code's Electron) finds none and
 * compiles as before. The wrapper is Node's own module wrapper, so line numbers are those of the file.
 */
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_TAIL = '\n});';
const CODE_CACHE_LOADER = `function loadWithCodeCache() {
  try {
    const fs = require('fs'), path = require('path'), vm = require('vm'), v8 = require('v8'), Module = require('module');
    const file = path.join(__dirname, 'typescript.js');
    const cachedData = fs.readFileSync(path.join(__dirname, 'typescript-' + v8.cachedDataVersionTag() + '.cache'));
    const source = fs.readFileSync(file, 'utf8');
    const script = new vm.Script(${JSON.stringify(WRAP_HEAD)} + source + ${JSON.stringify(WRAP_TAIL)}, { filename: file, cachedData });
    const m = new Module(file);
    m.filename = file;
    m.paths = Module._nodeModulePaths(__dirname);
    script.runInThisContext().call(m.exports, m.exports, Module.createRequire(file), m, file, __dirname);
    m.loaded = true;
    require.cache[file] = m;
    return m.exports;
  } catch {
    return undefined; // no cache for this Node and these flags: the plain require
  }
}`;

/** In a child process: compiles dist/typescript.js under `flags`, parses some sources (compiling the parser), writes the cache. */
function makeCodeCache(flags) {
  const script = `
    const fs = require('fs'), path = require('path'), vm = require('vm'), v8 = require('v8'), Module = require('module');
    const dist = ${JSON.stringify(dist)};
    const flags = ${flags === 'scan' ? 'require(path.join(dist, "server.js")).SCAN_V8_FLAGS' : "''"};
    if (flags) v8.setFlagsFromString(flags);
    const file = path.join(dist, 'typescript.js');
    const s = new vm.Script(${JSON.stringify(WRAP_HEAD)} + fs.readFileSync(file, 'utf8') + ${JSON.stringify(WRAP_TAIL)}, { filename: file });
    const m = { exports: {} };
    s.runInThisContext().call(m.exports, m.exports, Module.createRequire(file), m, file, dist);
    const ts = m.exports;
    for (const [name, kind] of ${JSON.stringify(warmUpSources())}) {
      const sf = ts.createSourceFile(name, fs.readFileSync(name, 'utf8'), ts.ScriptTarget.Latest, true, kind);
      sf.getLineAndCharacterOfPosition(sf.end);
    }
    fs.writeFileSync(path.join(dist, 'typescript-' + v8.cachedDataVersionTag() + '.cache'), s.createCachedData());
  `;
  return new Promise((done) => {
    execFile(process.execPath, ['-e', script], (err, _out, stderr) => {
      if (err) console.warn(`TypeScript code cache (${flags}) not made: ${String(stderr).trim().split('\n').pop()}`);
      done();
    });
  });
}

/** A few of this repository's own sources (TS, TSX, JS) for the code cache's warm-up parse. */
function warmUpSources() {
  const ts = sourceFiles(join(root, 'server/src/engine')).slice(0, 8);
  const js = readdirSync(join(root, 'scripts')).filter((f) => f.endsWith('.mjs')).slice(0, 4).map((f) => join(root, 'scripts', f));
  const { TS, TSX, JS } = typescript.ScriptKind;
  return [...ts.map((f) => [f, TS]), ...ts.slice(0, 2).map((f) => [f, TSX]), ...js.map((f) => [f, JS])];
}

/**
 * V8 holds a script's source as one byte per character only when it is all ASCII: a single typographic
 * quote makes it two (+3.4 MB in every thread that loads the server bundle). esbuild escapes non-ASCII
 * characters in code but keeps comments as they are (js-yaml has quotes in line comments): replace those
 * with `?`, character for character, so columns and the source map stay as they are.
 */
function asciiComments(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!/[^\x00-\x7f]/.test(line)) continue;
    const at = line.indexOf('//');
    // a line comment after code without quotes (a `//` inside a string is not a comment): only there
    if (at < 0 || /[^\x00-\x7f]/.test(line.slice(0, at)) || /['"`]/.test(line.slice(0, at))) continue;
    lines[i] = line.slice(0, at) + line.slice(at).replace(/[^\x00-\x7f]/g, '?');
    changed = true;
  }
  if (changed) writeFileSync(file, lines.join('\n'));
}

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  minify: process.env.SECURE_HINTS_MINIFY === '1',
  logLevel: 'warning',
  plugins: [directTypescript],
  alias: {
    'web-tree-sitter': join(root, 'node_modules/web-tree-sitter/web-tree-sitter.cjs'),
    // the self-contained browser build: its parser without @babel/parser (40 KB instead of 600 KB)
    '@vue/compiler-dom': join(root, 'node_modules/@vue/compiler-dom/dist/compiler-dom.esm-browser.js'),
    // the UMD build loads its parts with a dynamic require that esbuild cannot follow
    'jsonc-parser': join(root, 'node_modules/jsonc-parser/lib/esm/main.js'),
  },
};

await Promise.all([
  build({ ...common, entryPoints: [join(root, 'server/src/main.ts')], outfile: join(dist, 'server.js') }),
  // what the worker threads of a large scan run: the scan without the language server (cli/scan-worker.ts)
  build({ ...common, entryPoints: [join(root, 'server/src/cli/scan-worker.ts')], outfile: join(dist, 'scan-worker.js') }),
  build({ ...common, entryPoints: [join(root, 'client/src/extension.ts')], outfile: join(dist, 'client.js'), external: ['vscode'] }),
  // TypeScript on its own, required by the bundles above on first use (see directTypescript); minified (3.6 MB
  // instead of 9 MB: ~0.1 s less to compile and ~10 MB less to hold in every thread that loads it)
  build({ ...common, plugins: [], alias: {}, sourcemap: false, minify: true, entryPoints: [join(root, 'node_modules/typescript/lib/typescript.js')], outfile: join(dist, 'typescript.js') }),
]);

for (const f of ['server.js', 'scan-worker.js']) asciiComments(join(dist, f));

// TypeScript's code caches (see makeCodeCache): the language server's flags, the scan's
for (const f of readdirSync(dist)) if (/^typescript-\d+\.cache$/.test(f)) rmSync(join(dist, f));
await Promise.all([makeCodeCache('plain'), makeCodeCache('scan')]);

copyFileSync(join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), join(dist, 'web-tree-sitter.wasm'));
copyFileSync(join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm'), join(dist, 'tree-sitter-python.wasm'));
copyFileSync(join(root, 'node_modules/@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'), join(dist, 'tree-sitter-terraform.wasm'));
// the advisory index (npm run advisories), read at run time from dist/advisories/
if (existsSync(join(root, 'server/data/advisories/meta.json'))) {
  cpSync(join(root, 'server/data/advisories'), join(dist, 'advisories'), { recursive: true });
}
