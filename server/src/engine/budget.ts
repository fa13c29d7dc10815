/**
 * A cooperative per-file time budget. The analysis asks `checkBudget()` at a few cheap points (every
 * so many nodes in the rule dispatch, at each statement and function the data flows interpret); past
 * the deadline it throws `OverBudget`, which the dispatch labels with the rule that was running and
 * `analyzeDetailed` turns into a note. Without a budget a check is one compare (no write: a write to
 * module state on the JS dispatch's hot path cost 10% of the analysis of a large file).
 */

/** Thrown past the deadline; `rule` is the rule whose visitor was running, when known. */
export class OverBudget extends Error {
  rule?: string;
  constructor(readonly budgetMs: number) {
    super(`over the ${budgetMs} ms time budget`);
  }
}

/** Checks between clock reads: a clock read costs more than the work between two checks. */
const EVERY = 256;

let deadline = Infinity;
let budgetMs = 0;
let countdown = EVERY;

/** Starts a budget for one file (`undefined` or 0: none). Returns what `endBudget` restores. */
export function startBudget(ms: number | undefined): { deadline: number; budgetMs: number } {
  const saved = { deadline, budgetMs };
  deadline = ms && ms > 0 ? performance.now() + ms : Infinity;
  budgetMs = ms ?? 0;
  countdown = EVERY;
  return saved;
}

export function endBudget(saved: { deadline: number; budgetMs: number }): void {
  ({ deadline, budgetMs } = saved);
}

/** Throws `OverBudget` once the deadline has passed (reads the clock every EVERY calls; nothing without a budget). */
export function checkBudget(): void {
  if (deadline === Infinity || --countdown > 0) return;
  countdown = EVERY;
  if (deadline !== Infinity && performance.now() > deadline) throw new OverBudget(budgetMs);
}

/** Reads the clock now (for loops that call it every so many iterations themselves). */
export function checkBudgetNow(): void {
  if (deadline !== Infinity && performance.now() > deadline) throw new OverBudget(budgetMs);
}

/** Rethrows `OverBudget` (labelled with `rule`); lets any other error through to the caller's handling. */
export function rethrowOverBudget(err: unknown, rule?: string): void {
  if (err instanceof OverBudget) {
    err.rule ??= rule;
    throw err;
  }
}

/** In the note of a file whose nesting overflowed the stack (a thread with a larger stack may succeed). */
export const NESTED_TOO_DEEPLY = 'the file is nested too deeply to parse or analyze (maximum call stack size exceeded)';

export function stoppedNote(err: unknown, path?: string): string {
  if (err instanceof OverBudget) {
    return `analysis stopped: ${path ?? 'the file'} is over the ${err.budgetMs} ms time budget (timeBudgetMs)`
      + `${err.rule ? ` while rule ${err.rule} was running` : ''}; the findings reported before that are kept`;
  }
  if (err instanceof RangeError && /call stack/i.test(err.message)) return `analysis stopped early: ${NESTED_TOO_DEEPLY}`;
  return `analysis stopped early: ${(err as Error)?.message ?? err}`;
}
