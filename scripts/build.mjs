// Bundles the client and the server (engine + LSP + CLI) with esbuild, one file each,
// and copies the tree-sitter wasm files and the advisory index beside the server bundle.
import { build } from 'esbuild';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
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
        'function load() {',
        '  if (real) return real;',
        "  real = require('typescript');",
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
  build({ ...common, entryPoints: [join(root, 'client/src/extension.ts')], outfile: join(dist, 'client.js'), external: ['vscode'] }),
  // TypeScript on its own, required by the bundles above on first use (see directTypescript)
  build({ ...common, plugins: [], alias: {}, sourcemap: false, entryPoints: [join(root, 'node_modules/typescript/lib/typescript.js')], outfile: join(dist, 'typescript.js') }),
]);

copyFileSync(join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), join(dist, 'web-tree-sitter.wasm'));
copyFileSync(join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm'), join(dist, 'tree-sitter-python.wasm'));
copyFileSync(join(root, 'node_modules/@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'), join(dist, 'tree-sitter-terraform.wasm'));
// the advisory index (npm run advisories), read at run time from dist/advisories/
if (existsSync(join(root, 'server/data/advisories/meta.json'))) {
  cpSync(join(root, 'server/data/advisories'), join(dist, 'advisories'), { recursive: true });
}
