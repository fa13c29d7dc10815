/**
 * What a document session (session.ts) keeps and runs per unit: the cached findings of a unit, the
 * dispatchers that run the rules' visitors over one unit's nodes (Python: the tree copy's pre-order ids;
 * JS/TS: a range of the file's node list), and the move of cached findings when lines above a unit change.
 */
import type { JsFile } from '../lang/javascript/front';
import type { PyFile } from '../lang/python/front';
import type { PNode as Node } from '../lang/python/tree';
import { callHandlers, jsHandlerTable, pyHandlerTable } from './dispatch';
import { checkBudget, checkBudgetNow, rethrowOverBudget } from './budget';
import { Reporter } from './rule';
import type { Rule } from './rule-types';
import { linesOf, shiftLineNumbers } from './text-spans';
import type { Finding, Position } from './types';
import type { UnitNames } from './units';

/** Findings of one unit, per rule (the rule's index in the session's rule list). */
/**
 * `movable`: every position the findings hold is inside the unit (they move with it); otherwise they are
 * reused only where they were, for edits after `lastLine`, the last line they mention.
 */
export interface Cached { line: number; character: number; byRule: Finding[][]; movable: boolean; lastLine: number; depthHit: boolean; whole?: string }

/**
 * `ranges`: the tree copy's pre-order ids the unit's handlers run on (Python; default `node.id..node.last`).
 * `whole`: a class's shell (its text with the methods left out, see `pythonUnits`) runs again whenever the
 * whole class text changed, though only a change of the shell itself makes other units stale.
 */
export interface UnitRef {
  key: string; text: string; line: number; character: number; endLine: number; names: UnitNames; node?: Node; from?: number; to?: number;
  ranges?: [number, number][]; whole?: string;
  /** Python: the unit's syntax without its whitespace (`pythonShape`; a method's includes its class shell's). */
  shape?: string;
}

export class Fallback extends Error {}

export interface Segment { byRule: Finding[][]; depthHit: boolean }
export interface Dispatcher { root(): Segment; unit(u: UnitRef): Segment; tail(): Segment }

/** Python: the rules' visitors by node type, run over the root node or one unit's subtree. */
export function pyDispatcher(file: PyFile, rules: Rule[], notes: string[]): Dispatcher {
  let reporters: Reporter[] = [];
  const contexts = rules.map((_, i) => ({ file, report: (r: Parameters<Reporter['report']>[0]) => reporters[i].report(r) }));
  const byType = pyHandlerTable(rules, contexts);
  const failed = new Set<string>();
  const segment = (walk: () => void): Segment => {
    reporters = rules.map((r) => new Reporter(r.meta));
    walk();
    return { byRule: reporters.map((r) => r.findings), depthHit: false };
  };
  return {
    root: () => segment(() => {
      checkBudget();
      const handlers = byType.get(file.tree.rootNode.type);
      if (handlers) callHandlers(handlers, file.tree.rootNode, failed, notes);
    }),
    unit: (u) => segment(() => {
      // the unit's subtree is a run of the tree copy's pre-order list: ids node.id..node.last (a class's
      // shell: that run without its methods' runs)
      const nodes = file.tree.nodes;
      for (const [from, to] of u.ranges ?? [[u.node!.id, u.node!.last]]) {
        for (let i = from; i <= to; i++) {
          checkBudget();
          const handlers = byType.get(nodes[i].type);
          if (handlers) callHandlers(handlers, nodes[i], failed, notes);
        }
      }
    }),
    tail: () => ({ byRule: rules.map(() => []), depthHit: false }),
  };
}

/** JS/TS: the rules' visitors by node kind over a range of the file's nodes (document order). */
export function jsDispatcher(file: JsFile, table: ReturnType<typeof jsHandlerTable>, end: number): Dispatcher {
  let reporters: Reporter[] = [];
  const contexts = table.rules.map((_, i) => ({ file, report: (r: Parameters<Reporter['report']>[0]) => reporters[i].report(r) }));
  const range = (from: number, to: number): Segment => {
    reporters = table.rules.map((r) => new Reporter(r.meta));
    const before = file.flowDepthLimitHit;
    const { nodes, kinds } = file;
    const byKind = table.byKind;
    for (let i = from; i < to; i++) {
      if ((i & 255) === 0) checkBudgetNow();
      const handlers = byKind[kinds[i]];
      if (!handlers) continue;
      for (const h of handlers) {
        try {
          h.fn(nodes[i], contexts[h.index]);
        } catch (err) {
          rethrowOverBudget(err, table.rules[h.index].meta.id);
          throw new Fallback(); // the fresh analysis switches the rule off for the rest of the file, with a note
        }
      }
    }
    return { byRule: reporters.map((r) => r.findings), depthHit: !before && file.flowDepthLimitHit };
  };
  return {
    root: () => range(0, 1),
    unit: (u) => range(u.from!, u.to!),
    tail: () => range(end, file.nodes.length),
  };
}

/** A unit's findings can move with it when every line they mention lies inside the unit. */
export function movable(byRule: Finding[][], u: UnitRef): boolean {
  for (const found of byRule) {
    for (const f of found) for (const l of linesOf(f)) if (l < u.line || l > u.endLine) return false;
  }
  return true;
}

/** The cached findings of a unit that moved to `u`'s position (lines above it added or removed). */
export function moved(c: Cached, u: UnitRef): Cached {
  const dl = u.line - c.line;
  const dc = u.character - c.character;
  const pos = (p: Position): Position => ({ line: p.line + dl, character: p.line === c.line ? p.character + dc : p.character });
  const range = (r: { start: Position; end: Position }) => ({ start: pos(r.start), end: pos(r.end) });
  const text = (t: string) => shiftLineNumbers(t, dl);
  const byRule = c.byRule.map((found) => found.map((f): Finding => ({
    ...f,
    range: range(f.range),
    message: text(f.message),
    fixes: f.fixes.map((fix) => ({ ...fix, title: text(fix.title), edits: fix.edits.map((e) => ({ ...e, range: range(e.range), newText: text(e.newText) })) })),
    ...(f.dataPath ? { dataPath: f.dataPath.map((s) => ({ ...s, line: s.line + dl, description: text(s.description) })) } : {}),
    ...(f.details !== undefined ? { details: text(f.details) } : {}),
    ...(f.properties ? { properties: JSON.parse(text(JSON.stringify(f.properties))) as Record<string, unknown> } : {}),
  })));
  return { line: u.line, character: u.character, byRule, movable: true, lastLine: c.lastLine + dl, depthHit: c.depthHit, whole: c.whole };
}
