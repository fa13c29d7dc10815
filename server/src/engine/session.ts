/**
 * Incremental analysis of one open document: `openDocument(...)` analyzes it once, `update(text)`
 * analyzes a new version reusing what the previous one computed, with the same findings and notes as a
 * fresh `analyzeDetailed` of the same text.
 *
 * - The parse is reused: tree-sitter's `tree.edit` + `parse(text, oldTree)` for Python, TypeScript's
 *   `updateSourceFile` for JS/TS (the change is the span between the versions' common prefix and suffix).
 * - Rules run again only on the top-level statements ("units", engine/units.ts) an edit can affect: a
 *   changed unit, the units that mention what it binds, and what those mention (callers, callees,
 *   module constants and imports). Every other unit's findings are the previous version's, moved with the
 *   unit when lines were inserted or removed above it.
 * - File-wide facts invalidate everything when they change: the imports, the front's gates
 *   (`mayHaveTaint`...) and every rule's file-wide fact (engine/file-facts.ts).
 * - Handlers on the file's root node (route inventories: missing-authorization, rate limits, IDOR,
 *   settings modules) run on every version.
 * - Anything unusual (a rule that throws, the time budget, a parse that overflows) falls back to a fresh
 *   analysis and starts the cache over; other languages always take the fresh path.
 * - What is cached per unit and the dispatch over a unit's nodes: session-units.ts.
 */
import ts from 'typescript';
import { Edit, type Tree } from 'web-tree-sitter';
import { PTree, type PNode as Node } from '../lang/python/tree';
import { JsFile } from '../lang/javascript/front';
import type { LinkedNodes } from '../lang/javascript/link';
import { PyFile } from '../lang/python/front';
import { parsePython } from '../lang/python/parser';
import { pythonRenderCalls } from '../lang/python/renders';
import { jsRenderCalls } from '../lang/javascript/renders';
import { mayRender, type RenderCall } from './render-types';
import { vendoredFile } from '../lang/deps/vendored';
import {
  activeRules, analyzeDetailed, configure, dedupe, looksMinified, maxFileBytesFor, type AnalysisOptions, type AnalysisResult,
} from './analyze';
import { jsHandlerTable } from './dispatch';
import { changedSpan, lastLine, positionAt } from './text-spans';
import { endBudget, rethrowOverBudget, startBudget } from './budget';
import { factsFingerprint, fileFact, knownFacts } from './file-facts';
import { languageFor } from './languages';
import type { Rule } from './rule-types';
import { applySuppressions, parseSuppressions } from './suppress';
import type { Config, Finding, Language } from './types';
import {
  jsUnitNames, pythonClassBases, pythonClassMembers, pythonMethodNames, pythonQuietRuns, pythonShape, pythonUnitNames, staleUnits, whitespaceRuns,
  type UnitNames,
} from './units';
import { MAX_CALLER_DEPTH } from '../lang/javascript/dataflow';
import { Fallback, jsDispatcher, movable, moved, pyDispatcher, type Cached, type Dispatcher, type UnitRef } from './session-units';

export interface DocumentSession {
  readonly path: string;
  /** Analyzes a new version of the document (the changed span is found by comparing it with the last one). */
  update(text: string, options?: AnalysisOptions): AnalysisResult;
  /** The last version's result. */
  result(): AnalysisResult;
  findings(): Finding[];
  /** What the last update reused: units in the file, and how many of them ran again. */
  stats(): { units: number; analyzed: number; incremental: boolean };
  /** Frees the parse tree (tree-sitter memory is not garbage-collected). */
  dispose(): void;
}

/** Opens a document for incremental analysis and analyzes its first version. */
export function openDocument(path: string, languageId: string | undefined, text: string, config: Config = {}, options: AnalysisOptions = {}): DocumentSession {
  const s = new Session(path, languageId, config);
  s.update(text, options);
  return s;
}


class Session implements DocumentSession {
  private readonly language: Language | undefined;
  private last: AnalysisResult = { findings: [], notes: [] };
  private text?: string;
  private tree?: Tree;
  /** The tree copy of `tree` (Python), the base of the next edit's copy. */
  private copy?: PTree;
  private sourceFile?: ts.SourceFile;
  /** The last JS/TS version's node list (the next version's reuses it where its tree was reused). */
  private jsNodes?: LinkedNodes;
  private cache = new Map<string, Cached>();
  private names = new Map<string, UnitNames>();
  private shapes = new Map<string, string>();
  /** A number per class shell text (methods' keys name their class's shell by it). */
  private shells = new Map<string, number>();
  /** The same numbers by the shells' shapes (a quiet whitespace edit of a shell keeps its number). */
  private shellShapes = new Map<string, number>();
  private shellCount = 0;
  private previous: UnitRef[] = [];
  private facts = '';
  private lastStats = { units: 0, analyzed: 0, incremental: false };

  constructor(readonly path: string, private readonly languageId: string | undefined, private readonly config: Config) {
    this.language = languageFor(path, languageId);
  }

  result(): AnalysisResult { return this.last; }
  findings(): Finding[] { return this.last.findings; }
  stats() { return this.lastStats; }

  dispose(): void {
    this.reset();
  }

  update(text: string, options: AnalysisOptions = {}): AnalysisResult {
    // the same normalisation as analyze: a lone CR is a line end, as LF of the same length
    if (text.includes('\r')) text = text.replace(/\r(?!\n)/g, '\n');
    if (!this.eligible(text)) {
      this.reset();
      this.lastStats = { units: 0, analyzed: 0, incremental: false };
      return this.last = analyzeDetailed(this.path, this.languageId, text, this.config, options);
    }
    const saved = startBudget(options.timeBudgetMs);
    try {
      return this.last = this.incremental(text);
    } catch (err) {
      // over budget: the parse trees may be a version ahead of `this.text`; the next update starts over
      if (!(err instanceof Fallback)) { this.reset(); rethrowOverBudget(err); }
    } finally {
      endBudget(saved);
    }
    // a rule failed, the budget ran out or the parse overflowed: the fresh analysis says so the same way
    this.reset();
    this.lastStats = { units: 0, analyzed: 0, incremental: false };
    return this.last = analyzeDetailed(this.path, this.languageId, text, this.config, options);
  }

  private reset(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.copy = undefined;
    this.sourceFile = undefined;
    this.jsNodes = undefined;
    this.text = undefined;
    this.cache = new Map();
    this.names = new Map();
    this.shapes = new Map();
    this.shells = new Map();
    this.shellShapes = new Map();
    this.previous = [];
    this.facts = '';
  }

  /** The texts `analyze` analyzes fully as Python or JS (not skipped, not vendored, not minified). */
  private eligible(text: string): boolean {
    const lang = this.language;
    if (lang !== 'python' && lang !== 'javascript') return false;
    if (text.length > maxFileBytesFor(lang, this.config) || text.includes('\u0000')) return false;
    if (lang === 'javascript') {
      if (/\.d\.[cm]?ts$/i.test(this.path) || vendoredFile(this.path, text) || looksMinified(text)) return false;
    }
    return true;
  }

  private incremental(text: string): AnalysisResult {
    const change = this.text === undefined ? undefined : changedSpan(this.text, text);
    const rules = activeRules(this.language!, this.config);
    // the first line the edit touches (in both versions): positions before it did not move
    const changeLine = change ? positionAt(this.text!, change.start).row : -1;
    const notes: string[] = [];
    let out: AnalysisResult;
    if (this.language === 'python') {
      let tree: Tree;
      let copy: PTree | undefined;
      if (this.tree && change) {
        this.tree.edit(new Edit({
          startIndex: change.start, oldEndIndex: change.oldEnd, newEndIndex: change.newEnd,
          startPosition: positionAt(this.text!, change.start), oldEndPosition: positionAt(this.text!, change.oldEnd), newEndPosition: positionAt(text, change.newEnd),
        }));
        tree = parsePython(text, this.tree);
        // the tree copy of the statements the edit did not reach is taken over (lang/python/tree.ts)
        if (this.copy) copy = PTree.update(this.copy, this.tree, tree, text, change);
      } else tree = parsePython(text);
      this.copy = undefined;
      this.tree?.delete();
      this.tree = tree;
      const file = new PyFile(this.path, text, tree, copy);
      this.copy = file.tree;
      if (this.config.authGuards) file.authGuards = this.config.authGuards;
      // an edit of whitespace between statements only (a blank line, trailing spaces, a line break between
      // statements, a docstring re-spaced): units whose syntax is unchanged run again where they are, and
      // make no other unit stale
      const runs = change ? whitespaceRuns(this.text!, text, change) : undefined;
      const quiet = !!runs && pythonQuietRuns(file.tree.rootNode, runs);
      const top = file.tree.rootNode.children;
      const units = this.pythonUnits(text, top, quiet);
      // module-level code runs as one block (a `return` or `if` there changes what every module constant is)
      const moduleCode = top.filter((n) => !PY_DECLARATIONS.has(n.type)).map((n) => n.text).join('\u0000');
      const facts = () => `${JSON.stringify([...file.imports])}|${JSON.stringify(file.starImports)}|${factsFingerprint(file)}|${moduleCode}`;
      const known = knownFacts();
      const before = facts();
      out = this.run(rules.filter((r) => r.python), units, before, notes, pyDispatcher(file, rules.filter((r) => r.python), notes), changeLine, quiet);
      out = this.finish(out, text, () => file.comments(), notes);
      out = withRenders(out, text, () => pythonRenderCalls(file));
      // again only when the rules asked a fact first used in this process during the run
      this.facts = knownFacts() === known ? before : facts();
    } else {
      const sf = this.sourceFile && change
        ? ts.updateSourceFile(this.sourceFile, text, { span: { start: change.start, length: change.oldEnd - change.start }, newLength: change.newEnd - change.start })
        : undefined;
      let file: JsFile;
      try {
        file = new JsFile(this.path, text, sf, sf ? this.jsNodes : undefined);
      } catch {
        throw new Fallback(); // nested too deeply: the fresh analysis's note
      }
      this.sourceFile = file.sourceFile;
      this.jsNodes = file;
      if (this.config.authGuards) file.authGuards = this.config.authGuards;
      const sqlText = JsFile.prototype.hasSqlText;
      file.hasSqlText = (test) => fileFact(file, 'javascript:sql-text', (f: JsFile) => sqlText.call(f, test));
      const statements = file.sourceFile.statements;
      const end = (file.sourceFile.endOfFileToken as { id?: number }).id ?? file.nodes.length;
      const units = statements.map((s, i) => {
        const from = (s as { id?: number }).id!;
        const to = i + 1 < statements.length ? (statements[i + 1] as { id?: number }).id! : end;
        const start = file.sourceFile.getLineAndCharacterOfPosition(s.pos);
        const last = file.sourceFile.getLineAndCharacterOfPosition(s.end).line;
        return this.unit(text, s.pos, s.end, { row: start.line, column: start.character }, last, () => jsUnitNames(file, s, from, to), { from, to });
      });
      const table = jsHandlerTable(rules);
      const moduleCode = statements.filter((st) => !jsDeclarationOrCall(st)).map((st) => st.getText(file.sourceFile)).join('\u0000');
      const facts = () => `${JSON.stringify([...file.imports])}|${file.mayHaveTaint()}|${file.mayHaveServerTaint()}|${factsFingerprint(file)}|${moduleCode}`;
      out = this.run(table.rules, units, facts(), notes, jsDispatcher(file, table, end), changeLine);
      out = this.finish(out, text, () => file.comments(), notes);
      out = withRenders(out, text, () => jsRenderCalls(file));
      this.facts = facts();
    }
    this.text = text;
    return out;
  }

  private unit(text: string, start: number, end: number, at: { row: number; column: number }, endLine: number,
    names: () => UnitNames, where: { node?: Node; from?: number; to?: number }, key?: string, shapeOf?: () => string): UnitRef {
    const t = key ?? text.slice(start, end);
    let n = this.names.get(t);
    if (!n) this.names.set(t, n = names());
    let shape: string | undefined;
    if (shapeOf) {
      shape = this.shapes.get(t);
      if (shape === undefined) this.shapes.set(t, shape = shapeOf());
    }
    return { key: t, text: t, line: at.row, character: at.column, endLine, names: n, ...where, ...(shape !== undefined ? { shape } : {}) };
  }

  /**
   * Python units: each top-level node, except that a class with methods is split into its shell (the class
   * with its methods left out: header, decorators, bases, class-level statements) and one unit per method.
   * A method's findings depend on its own text and on its class's shell (its key holds both: a change of the
   * bases, a decorator or a class attribute runs every method again), and, as for any unit, on the units
   * whose names it mentions or that mention its names (`pythonMethodNames`). The shell runs again on any
   * change inside the class (its handlers may read the methods), but only a change of its own text makes
   * the units around it stale.
   */
  private pythonUnits(text: string, top: readonly Node[], quiet: boolean): UnitRef[] {
    const units: UnitRef[] = [];
    const shells = new Map<string, number>();
    const shellShapes = new Map<string, number>();
    for (const node of top) {
      const methods = pythonClassMembers(node);
      const nodes = node.tree.nodes;
      if (methods.length === 0) {
        units.push(this.unit(text, node.startIndex, node.endIndex, node.startPosition, node.endPosition.row, () => pythonUnitNames(node), { node },
          undefined, () => pythonShape(nodes, [[node.id, node.last]])));
        continue;
      }
      const parts: string[] = [];
      const ranges: [number, number][] = [];
      let at = node.startIndex;
      let id = node.id;
      for (const m of methods) {
        parts.push(text.slice(at, m.startIndex), '\u0001');
        ranges.push([id, m.id - 1]);
        at = m.endIndex;
        id = m.last + 1;
      }
      parts.push(text.slice(at, node.endIndex));
      ranges.push([id, node.last]);
      const shellText = parts.join('');
      const shell = this.unit(text, node.startIndex, node.endIndex, node.startPosition, node.endPosition.row,
        () => pythonUnitNames(node, methods), { node }, `\u0001${shellText}`, () => pythonShape(nodes, ranges));
      const shellId = this.shells.get(shellText) ?? shells.get(shellText) ?? (quiet ? positive(this.shellShapes.get(shell.shape!)) : undefined) ?? ++this.shellCount;
      shells.set(shellText, shellId);
      // a shape two different shells share names neither (-1)
      const other = shellShapes.get(shell.shape!);
      shellShapes.set(shell.shape!, other === undefined || other === shellId ? shellId : -1);
      shell.ranges = ranges;
      shell.whole = text.slice(node.startIndex, node.endIndex);
      units.push(shell);
      const cls = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
      const className = cls?.childForFieldName('name')?.text ?? '';
      const bases = pythonClassBases(node);
      for (const m of methods) {
        units.push(this.unit(text, m.startIndex, m.endIndex, m.startPosition, m.endPosition.row,
          () => pythonMethodNames(m, className, bases), { node: m }, `\u0002${shellId}\u0002${text.slice(m.startIndex, m.endIndex)}`,
          () => `${shell.shape}/${pythonShape(nodes, [[m.id, m.last]])}`));
      }
    }
    this.shells = shells;
    this.shellShapes = shellShapes;
    return units;
  }

  /** Findings per unit: the cached ones where still valid, the others from the rules. */
  private run(rules: Rule[], units: UnitRef[], facts: string, notes: string[], dispatch: Dispatcher, changeLine: number, quiet = false): AnalysisResult {
    if (facts !== this.facts) this.cache = new Map();
    // keys: a unit's text and which occurrence of that text it is
    const seen = new Map<string, number>();
    for (const u of units) {
      const k = seen.get(u.text) ?? 0;
      seen.set(u.text, k + 1);
      u.key = `${u.text}\u0000${k}`;
    }
    const now = new Set(units.map((u) => u.key));
    const before = new Set(this.previous.map((u) => u.key));
    const lost = { bound: new Set<string>(), refs: new Set<string>() };
    const top = new Set<string>();
    for (const u of [...units, ...this.previous]) for (const b of u.names.bound) top.add(b);
    let gone = this.previous.filter((u) => !now.has(u.key));
    // after a quiet whitespace edit, a new unit with the shape of a unit that is gone is that unit, moved or
    // re-spaced: it runs again (no cached findings under its text) but neither it nor the one gone is a change
    const respaced = new Set<number>();
    if (quiet) {
      const byShape = new Map<string, number[]>();
      gone.forEach((u, k) => { if (u.shape) (byShape.get(u.shape) ?? byShape.set(u.shape, []).get(u.shape)!).push(k); });
      const matched = new Set<number>();
      units.forEach((u, i) => {
        if (!u.shape || before.has(u.key)) return;
        const k = byShape.get(u.shape)?.pop();
        if (k !== undefined) { matched.add(k); respaced.add(i); }
      });
      gone = gone.filter((_, k) => !matched.has(k));
    }
    for (const u of gone) {
      for (const b of u.names.bound) lost.bound.add(b);
      for (const a of u.names.assigned) if (top.has(a)) lost.bound.add(a);
      for (const r of u.names.refs) lost.refs.add(r);
    }
    const changed: number[] = [];
    units.forEach((u, i) => { if (!respaced.has(i) && (!before.has(u.key) || !this.cache.has(u.key))) changed.push(i); });
    const stale = staleUnits(units.map((u) => u.names), changed, lost);

    const byRule: Finding[][] = rules.map(() => []);
    const root = dispatch.root();
    let depthHit = root.depthHit;
    const cache = new Map<string, Cached>();
    const segments: Finding[][][] = [root.byRule];
    let analyzed = 0;
    units.forEach((u, i) => {
      let c = stale[i] ? undefined : this.cache.get(u.key);
      if (c && c.whole !== u.whole) c = undefined;
      if (c && (c.line !== u.line || c.character !== u.character)) c = c.movable ? moved(c, u) : undefined;
      else if (c && !c.movable && changeLine <= c.lastLine) c = undefined;
      if (!c) {
        analyzed++;
        const r = dispatch.unit(u);
        c = { line: u.line, character: u.character, byRule: r.byRule, movable: movable(r.byRule, u), lastLine: lastLine(r.byRule), depthHit: r.depthHit, whole: u.whole };
      }
      if (notes.length > 0) throw new Fallback();
      cache.set(u.key, c);
      depthHit ||= c.depthHit;
      segments.push(c.byRule);
    });
    const tail = dispatch.tail();
    segments.push(tail.byRule);
    if (notes.length > 0) throw new Fallback();
    depthHit ||= tail.depthHit;
    for (const seg of segments) seg.forEach((found, r) => { for (const f of found) byRule[r].push(f); });
    this.cache = cache;
    this.previous = units.map((u) => ({ ...u, node: undefined }));
    for (const t of [...this.names.keys()]) if (!seen.has(t)) this.names.delete(t);
    for (const t of [...this.shapes.keys()]) if (!seen.has(t)) this.shapes.delete(t);
    this.lastStats = { units: units.length, analyzed, incremental: this.text !== undefined };
    if (depthHit) notes.push(`data flow: a chain of more than ${MAX_CALLER_DEPTH} functions calling each other was cut there; values passed further along it are treated as unknown`);
    return { findings: byRule.flat(), notes };
  }

  private finish(out: AnalysisResult, text: string, comments: () => { line: number; text: string }[], notes: string[]): AnalysisResult {
    const findings = out.findings.map((f) => ({ ...f }));
    applySuppressions(findings, parseSuppressions(text.includes('secure-hints:') ? comments() : []));
    return { findings: configure(dedupe(findings), this.config), notes };
  }
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

/** The render calls a code file makes (templates join them), as `analyze` reports them. */
function withRenders(out: AnalysisResult, text: string, renders: () => RenderCall[]): AnalysisResult {
  if (!mayRender(text)) return out;
  const found = renders();
  return found.length ? { ...out, renders: found } : out;
}

/** Top-level Python nodes that are not module code run as one block: definitions, imports, comments. */
const PY_DECLARATIONS = new Set(['function_definition', 'class_definition', 'decorated_definition', 'import_statement',
  'import_from_statement', 'future_import_statement', 'comment']);

/** JS/TS top-level statements outside the module's own flow of values: declarations and calls (`app.get(...)`). */
function jsDeclarationOrCall(st: ts.Statement): boolean {
  if (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)
    || ts.isImportDeclaration(st) || ts.isEmptyStatement(st)) return true;
  return ts.isExpressionStatement(st) && ts.isCallExpression(st.expression);
}
