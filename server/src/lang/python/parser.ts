import * as path from 'path';
import { Language, Parser, Tree } from 'web-tree-sitter';

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

/** Where the wasm files are: beside the bundle (dist/) or, unbundled, in node_modules. */
function wasmDir(): string {
  return process.env.SECURE_HINTS_WASM_DIR ?? __dirname;
}

let runtime: Promise<void> | undefined;

/**
 * The Emscripten module object of the tree-sitter runtime: Emscripten's factory fills the options object
 * it is given with the runtime (its exported wasm functions, its memory views), so this is the object
 * passed to `Parser.init`. Only the fast tree copy (tree-walk.ts) reads it, behind its own checks.
 */
let binding: Record<string, unknown> | undefined;

/** Initialises the tree-sitter runtime once (shared by every grammar: Python, Terraform). */
export function initTreeSitter(): Promise<void> {
  runtime ??= (async () => {
    const options: Record<string, unknown> = { locateFile: (name: string) => path.join(wasmDir(), name) };
    await Parser.init(options);
    binding = options;
  })();
  return runtime;
}

/** The runtime's module object once initialised (see `binding`). */
export function treeSitterBinding(): Record<string, unknown> | undefined {
  return binding;
}

/** Loads tree-sitter and the Python grammar once. Every shell awaits this before the first analysis. */
export function initPython(): Promise<void> {
  loading ??= (async () => {
    const dir = wasmDir();
    await initTreeSitter();
    const lang = await Language.load(path.join(dir, 'tree-sitter-python.wasm'));
    parser = new Parser();
    parser.setLanguage(lang);
  })();
  return loading;
}

/** `old`: the previous tree of the same document, already `edit()`ed to the change (incremental parse). */
export function parsePython(text: string, old?: Tree): Tree {
  if (!parser) throw new Error('Python parser not initialised: await initPython() first');
  const tree = parser.parse(text, old);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}
