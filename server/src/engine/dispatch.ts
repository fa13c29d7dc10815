/**
 * Runs the rules' visitors over a parsed file: Python handlers by node type over the tree copy's pre-order
 * list, JS/TS handlers by syntax kind over the linked node list. A visitor that throws is switched off for
 * the rest of the file with a note; the findings made before a time-budget stop are kept.
 */
import ts from 'typescript';
import type { PNode } from '../lang/python/tree';
import type { JsFile } from '../lang/javascript/front';
import type { PyFile } from '../lang/python/front';
import { MAX_CALLER_DEPTH } from '../lang/javascript/dataflow';
import { Reporter } from './rule';
import type { Rule } from './rule-types';
import { checkBudget, checkBudgetNow, rethrowOverBudget } from './budget';
import type { Finding } from './types';

export function runPython(file: PyFile, active: Rule[], out: Finding[], notes: string[]): void {
  const table = pyTable(active);
  if (table.rules.length === 0) return;
  const reporters = table.rules.map((r) => new Reporter(r.meta));
  const contexts = reporters.map((rep) => ({ file, report: (r: Parameters<Reporter['report']>[0]) => rep.report(r) }));
  let byType = table.byType;
  // the plain copy of the tree in pre-order (the order of a cursor walk): no wasm crossing per node. The nodes
  // of the types that have visitors come from the tree's index by type, marked by pre-order number, so that
  // the walk reads an array slot per node rather than hashing its type
  const nodes = file.tree.nodes;
  let marked = markNodes(file, byType);
  try {
    for (let i = 0; i < nodes.length; i++) {
      checkBudget();
      const slot = marked.slots[i];
      if (slot === 0) continue;
      const handlers = marked.lists[slot]!;
      const node = nodes[i];
      for (let j = 0; j < handlers.length; j++) {
        const h = handlers[j];
        try {
          h.fn(node, contexts[h.index]);
        } catch (err) {
          rethrowOverBudget(err, table.rules[h.index].meta.id);
          // a rule that throws is switched off for the rest of the file (dropped from this file's copy of the
          // table; this loop goes on over the old list, where the rule has no other handler); the other rules'
          // findings are kept
          notes.push(`rule ${table.rules[h.index].meta.id} failed and was skipped for this file: ${(err as Error).message}`);
          const without = new Map<string, PyHandler[]>();
          for (const [type, list] of byType) without.set(type, list.filter((x) => x.index !== h.index));
          byType = without;
          marked = markNodes(file, byType);
        }
      }
    }
  } finally {
    // what the rules found before an early stop (time budget) is kept
    for (const r of reporters) out.push(...r.findings);
  }
}

/**
 * The visitors of each node by pre-order number: `lists[slots[id]]`, slot 0 (no list) for the nodes of types
 * no visitor asks for. A typed array: a plain one this long would fall back to a dictionary.
 */
function markNodes(file: PyFile, byType: Map<string, PyHandler[]>): { slots: Uint16Array; lists: (PyHandler[] | undefined)[] } {
  const slots = new Uint16Array(file.tree.nodes.length);
  const lists: (PyHandler[] | undefined)[] = [undefined];
  for (const [type, handlers] of byType) {
    const slot = lists.push(handlers) - 1;
    for (const n of file.tree.ofType(type)) slots[n.id] = slot;
  }
  return { slots, lists };
}

type PyHandler = { index: number; fn: (n: PNode, c: { file: PyFile; report: Reporter['report'] }) => void };

interface PyTable { rules: Rule[]; visitors: object[]; byType: Map<string, PyHandler[]> }
const pyTables = new WeakMap<Rule[], PyTable>();

/** The Python rules' visitors by node type, built once per list of active rules (not once per file). */
function pyTable(active: Rule[]): PyTable {
  const cached = pyTables.get(active);
  if (cached && cached.rules.every((r, i) => r.python === cached.visitors[i])) return cached;
  const withVisitors = active.filter((r) => r.python);
  const byType = new Map<string, PyHandler[]>();
  withVisitors.forEach((rule, index) => {
    for (const [type, fn] of Object.entries(rule.python!)) {
      if (!fn) continue;
      let list = byType.get(type);
      if (!list) byType.set(type, list = []);
      list.push({ index, fn: fn as PyHandler['fn'] });
    }
  });
  const table = { rules: withVisitors, visitors: withVisitors.map((r) => r.python!), byType };
  pyTables.set(active, table);
  return table;
}

/** The Python rules' visitors by node type, each with its rule's context (`contexts[i]` for `rules[i]`). */
export function pyHandlerTable<C>(rules: Rule[], contexts: C[]): Map<string, Handler<PNode, C>[]> {
  const byType = new Map<string, Handler<PNode, C>[]>();
  rules.forEach((rule, i) => {
    for (const [type, fn] of Object.entries(rule.python!)) {
      if (!fn) continue;
      if (!byType.has(type)) byType.set(type, []);
      byType.get(type)!.push({ rule: rule.meta.id, fn: fn as Handler<PNode, C>['fn'], ctx: contexts[i] });
    }
  });
  return byType;
}

export function runJavaScript(file: JsFile, active: Rule[], out: Finding[], notes: string[]): void {
  const table = jsHandlerTable(active);
  if (table.rules.length === 0) return;
  const reporters = table.rules.map((r) => new Reporter(r.meta));
  const contexts = reporters.map((rep) => ({ file, report: (r: Parameters<Reporter['report']>[0]) => rep.report(r) }));
  try {
    dispatchJs(file, table, contexts, notes);
  } finally {
    for (const r of reporters) out.push(...r.findings);
  }
  if (file.flowDepthLimitHit) {
    notes.push(`data flow: a chain of more than ${MAX_CALLER_DEPTH} functions calling each other was cut there; values passed further along it are treated as unknown`);
  }
}

export function dispatchJs(file: JsFile, table: JsTable, contexts: { file: JsFile; report: Reporter['report'] }[], notes: string[]): void {
  let byKind = table.byKind;
  const { nodes, kinds } = file;
  for (let i = 0; i < nodes.length; i++) {
    if ((i & 255) === 0) checkBudgetNow();
    const handlers = byKind[kinds[i]];
    if (!handlers) continue;
    const node = nodes[i];
    for (let j = 0; j < handlers.length; j++) {
      const h = handlers[j];
      try {
        h.fn(node, contexts[h.index]);
      } catch (err) {
        rethrowOverBudget(err, table.rules[h.index].meta.id);
        // a rule that throws is switched off for the rest of the file (dropped from this file's copy of the
        // table; this loop goes on over the old list, where the rule has no other handler); the other rules'
        // findings are kept
        notes.push(`rule ${table.rules[h.index].meta.id} failed and was skipped for this file: ${(err as Error).message}`);
        byKind = byKind.map((list) => list?.filter((x) => x.index !== h.index));
      }
    }
  }
}

export type JsHandler = { index: number; fn: (n: ts.Node, c: { file: JsFile; report: Reporter['report'] }) => void };

export interface JsTable { rules: Rule[]; visitors: object[]; byKind: (JsHandler[] | undefined)[] }
const jsTables = new WeakMap<Rule[], JsTable>();

/** The JS rules' visitors by node kind (an array indexed by the kind), built once per list of active rules. */
export function jsHandlerTable(active: Rule[]): JsTable {
  const cached = jsTables.get(active);
  if (cached && cached.rules.every((r, i) => r.javascript === cached.visitors[i])) return cached;
  const withVisitors = active.filter((r) => r.javascript);
  const byKind: (JsHandler[] | undefined)[] = [];
  withVisitors.forEach((rule, index) => {
    for (const [kind, fn] of Object.entries(rule.javascript!)) (byKind[Number(kind)] ??= []).push({ index, fn });
  });
  const table = { rules: withVisitors, visitors: withVisitors.map((r) => r.javascript!), byKind };
  jsTables.set(active, table);
  return table;
}

export interface Handler<N, C> { rule: string; fn: (n: N, c: C) => void; ctx: C }

/**
 * Runs each rule's visitor on a node. A rule that throws is switched off for the rest of the
 * file with a note; the other rules' findings are kept.
 */
export function callHandlers<N, C>(handlers: Handler<N, C>[], node: N, failed: Set<string>, notes: string[]): void {
  for (const h of handlers) {
    if (failed.has(h.rule)) continue;
    try {
      h.fn(node, h.ctx);
    } catch (err) {
      rethrowOverBudget(err, h.rule);
      failed.add(h.rule);
      notes.push(`rule ${h.rule} failed and was skipped for this file: ${(err as Error).message}`);
    }
  }
}
