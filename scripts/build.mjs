// Bundles the client and the server (engine + LSP + CLI) with esbuild, one file each,
// and copies the tree-sitter wasm files and the advisory index beside the server bundle.
import { build } from 'esbuild';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
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
 */
const typescript = createRequire(import.meta.url)(join(root, 'node_modules/typescript'));
const directTypescript = {
  name: 'direct-typescript',
  setup(b) {
    const functions = Object.keys(typescript).filter((k) => /^[a-z]/.test(k) && typeof typescript[k] === 'function');
    b.onResolve({ filter: /^typescript-direct$/ }, () => ({ path: 'typescript-direct', namespace: 'typescript-direct' }));
    b.onLoad({ filter: /.*/, namespace: 'typescript-direct' }, () => ({
      contents: "import ts from 'typescript';\n" + functions.map((f) => `export const ${f} = ts.${f};`).join('\n'),
      loader: 'js',
      resolveDir: root,
    }));
    b.onLoad({ filter: /[\\/](server|client)[\\/]src[\\/].*\.ts$/ }, (args) => {
      const used = new Set();
      const contents = readFileSync(args.path, 'utf8')
        .replace(/(?<![\w$.])ts\.([A-Z]\w*)\.(\w+)\b/g, (m, e, k) => (typeof typescript[e]?.[k] === 'number' ? `${typescript[e][k]} /* ${e}.${k} */` : m))
        .replace(/(?<![\w$.])ts\.([a-z]\w*)\b/g, (m, f) => (functions.includes(f) ? (used.add(f), `__ts_${f}`) : m));
      const imports = used.size ? `import { ${[...used].map((f) => `${f} as __ts_${f}`).join(', ')} } from 'typescript-direct';\n` : '';
      return { contents: imports + contents, loader: 'ts' };
    });
  },
};

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
]);

copyFileSync(join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), join(dist, 'web-tree-sitter.wasm'));
copyFileSync(join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm'), join(dist, 'tree-sitter-python.wasm'));
copyFileSync(join(root, 'node_modules/@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'), join(dist, 'tree-sitter-terraform.wasm'));
// the advisory index (npm run advisories), read at run time from dist/advisories/
if (existsSync(join(root, 'server/data/advisories/meta.json'))) {
  cpSync(join(root, 'server/data/advisories'), join(dist, 'advisories'), { recursive: true });
}
