// Bundles the client and the server (engine + LSP + CLI) with esbuild, one file each,
// and copies the tree-sitter wasm files beside the server bundle.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = dirname(dirname(new URL(import.meta.url).pathname));
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

/** Our sources get TypeScript's API through scripts/typescript-plain.cjs (plain properties, not getters). */
const plainTypescript = {
  name: 'plain-typescript',
  setup(b) {
    const shim = join(root, 'scripts/typescript-plain.cjs');
    b.onResolve({ filter: /^typescript$/ }, (args) => (args.importer === shim ? undefined : { path: shim }));
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
  plugins: [plainTypescript],
  alias: {
    'web-tree-sitter': join(root, 'node_modules/web-tree-sitter/web-tree-sitter.cjs'),
    // the self-contained browser build: its parser without @babel/parser (40 KB instead of 600 KB)
    '@vue/compiler-dom': join(root, 'node_modules/@vue/compiler-dom/dist/compiler-dom.esm-browser.js'),
  },
};

await Promise.all([
  build({ ...common, entryPoints: [join(root, 'server/src/main.ts')], outfile: join(dist, 'server.js') }),
  build({ ...common, entryPoints: [join(root, 'client/src/extension.ts')], outfile: join(dist, 'client.js'), external: ['vscode'] }),
]);

copyFileSync(join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), join(dist, 'web-tree-sitter.wasm'));
copyFileSync(join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm'), join(dist, 'tree-sitter-python.wasm'));
