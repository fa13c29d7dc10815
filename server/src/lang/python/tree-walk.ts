import type { Tree, TreeCursor } from 'web-tree-sitter';
import wtsPackage from '../../../../node_modules/web-tree-sitter/package.json';
import { parsePython, treeSitterBinding } from './parser';

/**
 * The cursor the tree copy (tree.ts) walks with: the few moves and reads it needs, nothing else.
 *
 * web-tree-sitter's `TreeCursor` keeps the cursor's state in JavaScript and, on every call, writes it
 * into the runtime's transfer buffer, calls the wasm function, and reads it back (eight DataView
 * accesses through a generic `getValue`/`setValue` around each wasm call). For a walk of the whole tree
 * that marshalling costs more than the walk itself. `FastCursor` calls the same exported wasm functions
 * (`ts_tree_cursor_*_wasm`, which read and write the cursor in the transfer buffer) and leaves the
 * cursor in the buffer for the whole walk: it is written once at the start and read back once at the end
 * so that web-tree-sitter frees the right memory. Nothing else may call tree-sitter during the walk
 * (the copy is synchronous and calls nothing but these).
 *
 * It relies on web-tree-sitter's internals, so it is used only when all of these hold: the bundled
 * web-tree-sitter is the pinned version, the runtime exposes every function it calls, and a self-test
 * walk of a sample (fields, aliases, errors, missing nodes, non-ASCII text) gives exactly what the
 * public `TreeCursor` gives. Otherwise `ApiCursor` (the public API) does the same walk.
 */
export interface Cursor {
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
  typeId(): number;
  isNamed(): boolean;
  fieldId(): number;
  start(): number;
  end(): number;
  close(): void;
}

/** The web-tree-sitter version whose internals FastCursor was written and verified against. */
const PINNED_VERSION = '0.27.1';

type WasmFn = (tree: number) => number;
interface Binding {
  _ts_init(): number;
  _ts_tree_cursor_goto_first_child_wasm: WasmFn;
  _ts_tree_cursor_goto_next_sibling_wasm: WasmFn;
  _ts_tree_cursor_goto_parent_wasm: WasmFn;
  _ts_tree_cursor_current_node_type_id_wasm: WasmFn;
  _ts_tree_cursor_current_node_is_named_wasm: WasmFn;
  _ts_tree_cursor_current_field_id_wasm: WasmFn;
  _ts_tree_cursor_start_index_wasm: WasmFn;
  _ts_tree_cursor_end_index_wasm: WasmFn;
  HEAP32: Int32Array;
}
const FUNCTIONS = [
  '_ts_init', '_ts_tree_cursor_goto_first_child_wasm', '_ts_tree_cursor_goto_next_sibling_wasm', '_ts_tree_cursor_goto_parent_wasm',
  '_ts_tree_cursor_current_node_type_id_wasm', '_ts_tree_cursor_current_node_is_named_wasm', '_ts_tree_cursor_current_field_id_wasm',
  '_ts_tree_cursor_start_index_wasm', '_ts_tree_cursor_end_index_wasm',
] as const;

/** The public API: one `TreeCursor` (each call marshals the cursor through the transfer buffer). */
export class ApiCursor implements Cursor {
  private readonly c: TreeCursor;
  constructor(tree: Tree) {
    this.c = tree.walk();
  }
  firstChild(): boolean { return this.c.gotoFirstChild(); }
  nextSibling(): boolean { return this.c.gotoNextSibling(); }
  parent(): boolean { return this.c.gotoParent(); }
  typeId(): number { return this.c.nodeTypeId; }
  isNamed(): boolean { return this.c.nodeIsNamed; }
  fieldId(): number { return this.c.currentFieldId; }
  start(): number { return this.c.startIndex; }
  end(): number { return this.c.endIndex; }
  close(): void { this.c.delete(); }
}

/** The same walk with the cursor left in the transfer buffer (see the comment at the top). */
class FastCursor implements Cursor {
  private readonly c: TreeCursor & { [i: number]: number };
  private readonly t: number;
  private readonly buffer: number;
  private readonly first: WasmFn;
  private readonly next: WasmFn;
  private readonly up: WasmFn;
  private readonly type: WasmFn;
  private readonly named: WasmFn;
  private readonly field: WasmFn;
  private readonly from: WasmFn;
  private readonly to: WasmFn;

  constructor(private readonly b: Binding, tree: Tree) {
    this.c = tree.walk() as TreeCursor & { [i: number]: number };
    this.t = (tree as unknown as { [i: number]: number })[0];
    this.buffer = b._ts_init() >> 2;
    this.first = b._ts_tree_cursor_goto_first_child_wasm;
    this.next = b._ts_tree_cursor_goto_next_sibling_wasm;
    this.up = b._ts_tree_cursor_goto_parent_wasm;
    this.type = b._ts_tree_cursor_current_node_type_id_wasm;
    this.named = b._ts_tree_cursor_current_node_is_named_wasm;
    this.field = b._ts_tree_cursor_current_field_id_wasm;
    this.from = b._ts_tree_cursor_start_index_wasm;
    this.to = b._ts_tree_cursor_end_index_wasm;
    const heap = b.HEAP32;
    for (let i = 0; i < 4; i++) heap[this.buffer + i] = this.c[i];
  }
  firstChild(): boolean { return this.first(this.t) === 1; }
  nextSibling(): boolean { return this.next(this.t) === 1; }
  parent(): boolean { return this.up(this.t) === 1; }
  typeId(): number { return this.type(this.t); }
  isNamed(): boolean { return this.named(this.t) === 1; }
  fieldId(): number { return this.field(this.t); }
  start(): number { return this.from(this.t); }
  end(): number { return this.to(this.t); }
  close(): void {
    // the moves may have grown (reallocated) the cursor's stack: hand the current state back before freeing
    const heap = this.b.HEAP32;
    for (let i = 0; i < 4; i++) this.c[i] = heap[this.buffer + i];
    this.c.delete();
  }
}

/** undefined: not checked yet; null: the fast cursor is not usable here. */
let fast: Binding | null | undefined;

/** A cursor at the root of `tree`: the fast one when it is known to be right, the public API's otherwise. */
export function openCursor(tree: Tree): Cursor {
  if (fast === undefined) fast = checkFast();
  return fast ? new FastCursor(fast, tree) : new ApiCursor(tree);
}

/** Forces the public API's cursor (tests compare both), or back to the checked choice. */
export function useFastCursor(on: boolean): void {
  fast = on ? undefined : null;
}

/** Whether the fast cursor is in use (after the first walk). */
export function fastCursorInUse(): boolean {
  return !!fast;
}

function checkFast(): Binding | null {
  if (wtsPackage.version !== PINNED_VERSION) return null;
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) return null; // the heap views must be little-endian
  const b = treeSitterBinding() as Partial<Binding> | undefined;
  if (!b || !(b.HEAP32 instanceof Int32Array)) return null;
  for (const f of FUNCTIONS) if (typeof b[f] !== 'function') return null;
  return selfTest(b as Binding) ? (b as Binding) : null;
}

/**
 * What the self-test walks: fields (also inherited through hidden rules), aliased nodes, errors and a
 * missing node, text outside the BMP (UTF-16 indices), and nesting deep enough to grow the cursor's stack.
 */
const SAMPLE = [
  '# -*- coding: utf-8 -*-',
  'from os import path as p, sep',
  'import a.b as c',
  '@decorator(1, key="v")',
  'class K(Base, metaclass=M):',
  '    """doc \u2713 \u{1F40D}"""',
  '    async def f(self, x: int = 1, *args, y=2, **kw) -> "R":',
  '        s = f"{x!r:>{10}} \u{1F40D} {y}" + b"\\x00" % (1,)',
  '        with open(p) as fh, ctx() as (a, b):',
  '            await g(lambda q, *r: q[1:2, ::3], *args, **kw)',
  '        try:',
  '            pass',
  '        except* (ValueError, TypeError) as e:',
  '            raise X from e',
  '        finally:',
  '            del x[0], y.z',
  '        match cmd:',
  '            case [Point(x=0, y=0) as pt, *rest] if rest: return pt',
  '            case {"k": v, **others} | None: yield from v',
  '        return [i for i in range(3) if i not in {1: 2}] or (not x and y is not None)',
  `x = ${'('.repeat(40)}1${')'.repeat(40)}`,
  'type Alias[T] = list[T]',
  'def broken(:',
  '    print "old", x',
  '    exec "code" in d',
  'if x ==',
  '',
].join('\n');

/** Walks the sample with both cursors and compares every step and every read. */
function selfTest(b: Binding): boolean {
  let tree: Tree;
  try {
    tree = parsePython(SAMPLE);
  } catch {
    return false;
  }
  try {
    const trace = (c: Cursor): string => {
      const out: number[] = [];
      try {
        for (let steps = 0; steps < 100_000; steps++) {
          out.push(c.typeId(), c.isNamed() ? 1 : 0, c.fieldId(), c.start(), c.end());
          if (c.firstChild()) { out.push(-1); continue; }
          for (;;) {
            if (c.nextSibling()) { out.push(-2); break; }
            if (!c.parent()) return out.join(',');
            out.push(-3);
          }
        }
        return 'too long';
      } finally {
        c.close();
      }
    };
    const expected = trace(new ApiCursor(tree));
    return expected !== 'too long' && trace(new FastCursor(b, tree)) === expected;
  } catch {
    return false;
  } finally {
    tree.delete();
  }
}
