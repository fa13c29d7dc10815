import type { Tree } from 'web-tree-sitter';
import { PTree, type PNode } from './tree';
import { stringTemplate, type StringTemplate } from './strings';
import type { Range, Value } from '../../engine/types';
import { DataFlow } from './dataflow';
import { rethrowOverBudget } from '../../engine/budget';
import { buildRoutes, type PyRoute } from './routes';
import { mayHaveTaint } from './taint-gate';

/** The syntax node every Python detector receives. */
type Node = PNode;

/** What `from m import *` binds, for the modules rules care about. */
const STAR_EXPORTS: Record<string, string[]> = Object.assign(Object.create(null), {
  subprocess: ['call', 'check_call', 'check_output', 'run', 'Popen', 'getoutput', 'getstatusoutput'],
  os: ['system', 'popen', 'execl', 'execle', 'execlp', 'execv', 'execve', 'execvp', 'spawnl', 'spawnv', 'environ', 'getenv', 'remove', 'unlink', 'chmod'],
  'os.path': ['join', 'basename', 'abspath', 'realpath', 'normpath', 'exists', 'isfile'],
  pickle: ['load', 'loads', 'Unpickler', 'dump', 'dumps'],
  yaml: ['load', 'load_all', 'full_load', 'unsafe_load', 'safe_load', 'Loader', 'SafeLoader', 'FullLoader', 'UnsafeLoader'],
  'xml.etree.ElementTree': ['parse', 'fromstring', 'XML', 'XMLParser', 'iterparse'],
  'xml.dom.minidom': ['parse', 'parseString'],
  flask: ['Flask', 'request', 'redirect', 'render_template_string', 'make_response', 'send_file', 'abort', 'Markup'],
  sqlite3: ['connect'],
  shlex: ['quote', 'split'],
  random: ['random', 'randint', 'choice', 'choices', 'randrange', 'getrandbits', 'sample', 'shuffle', 'uniform'],
  hashlib: ['md5', 'sha1', 'sha256', 'new'],
});

/**
 * The Python language front: one parsed file and the facts rules ask for.
 * Rules never walk assignments themselves: they ask `valueOf` and `qualifiedName`.
 */
export class PyFile {
  /** Local name -> fully qualified name: `l` -> `yaml.load`, `ET` -> `xml.etree.ElementTree`. */
  readonly imports = new Map<string, string>();
  /** Modules imported with `from m import *`. */
  readonly starImports: string[] = [];

  /** The plain copy of the syntax tree every detector reads (built once here, in one cursor walk). */
  readonly tree: PTree;

  /** `copy`: the tree copy of `tsTree` when the caller has it already (an edit's `PTree.update`). */
  constructor(readonly path: string, readonly text: string, tsTree: Tree, copy?: PTree) {
    this.tree = copy ?? new PTree(tsTree, text);
    this.collectImports();
  }

  range(node: Node): Range {
    return {
      start: { line: node.startPosition.row, character: node.startPosition.column },
      end: { line: node.endPosition.row, character: node.endPosition.column },
    };
  }

  /** `yaml.load` for `l` after `from yaml import load as l`; undefined for names that are not imported. */
  qualifiedName(node: Node | null | undefined): string | undefined {
    if (!node || (node.type !== 'identifier' && node.type !== 'attribute')) return undefined;
    // every rule asks this of every call's callee: once per node (the imports do not change after the constructor);
    // `null` remembers "no name", so that a hit is one lookup
    const hit = this.qualified.get(node.id);
    if (hit !== undefined) return hit ?? undefined;
    const q = this.computeQualifiedName(node);
    this.qualified.set(node.id, q ?? null);
    return q;
  }

  private readonly qualified = new Map<number, string | null>();

  private computeQualifiedName(node: Node): string | undefined {
    if (node.type === 'identifier') {
      const q = this.imports.get(node.text);
      if (q || this.starImports.length === 0) return q;
      // `from subprocess import *` (best effort: the names those modules are known to export)
      for (const m of this.starImports) if (STAR_EXPORTS[m]?.includes(node.text)) return `${m}.${node.text}`;
      return undefined;
    }
    if (node.type === 'attribute') {
      const object = node.childForFieldName('object');
      const attr = node.childForFieldName('attribute');
      const base = this.qualifiedName(object);
      return base && attr ? `${base}.${attr.text}` : undefined;
    }
    return undefined;
  }

  /** Comments in the file, for suppressions. */
  comments(): { line: number; text: string }[] {
    const out: { line: number; text: string }[] = [];
    for (const node of this.tree.ofType('comment')) {
      out.push({ line: node.startPosition.row, text: node.text.slice(1) });
    }
    return out;
  }

  /** Qualified name of what a `call` node calls. */
  callName(call: Node): string | undefined {
    return this.qualifiedName(call.childForFieldName('function'));
  }

  /** A call's argument by position, or by keyword (`keyword` wins when both are given and present). */
  argument(call: Node, index: number, keyword?: string): Node | undefined {
    const args = call.childForFieldName('arguments');
    if (!args) return undefined;
    if (keyword) {
      const kw = this.keywordArgument(call, keyword);
      if (kw) return kw;
    }
    let i = 0;
    for (const a of args.namedChildren) {
      if (!a || a.type === 'keyword_argument' || a.type === 'comment') continue;
      if (a.type === 'list_splat' || a.type === 'dictionary_splat') return undefined;
      if (i++ === index) return a;
    }
    return undefined;
  }

  /** The value node of `name=...` in a call. */
  keywordArgument(call: Node, name: string): Node | undefined {
    const args = call.childForFieldName('arguments');
    for (const a of args?.namedChildren ?? []) {
      if (a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) {
        return a.childForFieldName('value') ?? undefined;
      }
    }
    return undefined;
  }

  /** The constant string an expression folds to, when the data flow knows it. */
  stringValue(node: Node | null | undefined): string | undefined {
    if (!node) return undefined;
    const v = this.valueOf(node);
    return v.kind === 'constant' ? v.value : undefined;
  }

  /** The innermost function definition around a node. */
  enclosingFunction(node: Node): Node | undefined {
    for (let n = node.parent; n; n = n.parent) if (n.type === 'function_definition') return n;
    return undefined;
  }

  /** True when the file imports the module or one of its submodules (`xml` matches `xml.etree.ElementTree`). */
  importsModule(module: string): boolean {
    // rules ask the same few modules for every call of the file: answered once per module (the imports are
    // fixed after the constructor)
    let known = this.importedModules.get(module);
    if (known === undefined) {
      known = this.computeImportsModule(module);
      this.importedModules.set(module, known);
    }
    return known;
  }

  private readonly importedModules = new Map<string, boolean>();

  private computeImportsModule(module: string): boolean {
    const prefix = module + '.';
    for (const q of this.imports.values()) if (q === module || q.startsWith(prefix)) return true;
    return this.starImports.some((m) => m === module || m.startsWith(prefix));
  }

  /** The data-flow answer for an expression: constant, tainted or unknown (flow-sensitive, memoized per file). */
  valueOf(node: Node | null | undefined): Value {
    if (!node) return { kind: 'unknown' };
    try {
      return (this.flow ??= new DataFlow(this)).valueOf(node);
    } catch (err) {
      rethrowOverBudget(err);
      // a defect in the data flow must not cost the file its other findings
      return { kind: 'unknown' };
    }
  }

  private flow?: DataFlow;
  private taintPossible?: boolean;

  private identifierSet?: Set<string>;

  /** The names the file writes anywhere (every `identifier`: variables, attributes, parameters, imports). */
  identifiers(): ReadonlySet<string> {
    if (!this.identifierSet) {
      this.identifierSet = new Set();
      for (const id of this.tree.ofType('identifier')) this.identifierSet.add(id.text);
    }
    return this.identifierSet;
  }

  /** False when no value of the file can be tainted (no source anywhere): see taint-gate.ts. */
  mayHaveTaint(): boolean {
    return this.taintPossible ??= mayHaveTaint(this);
  }

  /** Guard names the configuration adds (`authGuards` in .securehints.json). */
  authGuards: readonly string[] = [];
  private routeModel?: PyRoute[];

  /** The file's web routes (Flask, Django, DRF, FastAPI), built on first use; empty without a framework import. */
  routes(): PyRoute[] {
    return this.routeModel ??= buildRoutes(this, this.authGuards);
  }

  /**
   * The literal text and spliced-in expressions of a string-building expression as written
   * (f-string, `%`, `.format()`, `+`), for fix builders. Undefined for anything else.
   */
  stringTemplate(node: Node): StringTemplate | undefined {
    return stringTemplate(node);
  }

  private collectImports(): void {
    for (const node of [...this.tree.ofType('import_statement'), ...this.tree.ofType('import_from_statement')]) {
      if (!node) continue;
      if (node.type === 'import_statement') {
        for (const child of node.namedChildren) {
          if (!child) continue;
          if (child.type === 'dotted_name') {
            // `import a.b.c` binds `a`
            const first = child.text.split('.')[0];
            this.imports.set(first, first);
          } else if (child.type === 'aliased_import') {
            const name = child.childForFieldName('name');
            const alias = child.childForFieldName('alias');
            if (name && alias) this.imports.set(alias.text, name.text);
          }
        }
      } else if (node.type === 'import_from_statement') {
        const moduleNode = node.childForFieldName('module_name');
        const module = moduleNode?.text.replace(/^\.+/, '') ?? '';
        for (const child of node.namedChildren) {
          if (!child || child.id === moduleNode?.id) continue;
          if (child.type === 'wildcard_import') this.starImports.push(module);
          else if (child.type === 'dotted_name') this.imports.set(child.text, module ? `${module}.${child.text}` : child.text);
          else if (child.type === 'aliased_import') {
            const name = child.childForFieldName('name');
            const alias = child.childForFieldName('alias');
            if (name && alias) this.imports.set(alias.text, module ? `${module}.${name.text}` : name.text);
          }
        }
      }
    }
  }
}
