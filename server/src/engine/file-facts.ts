/**
 * Facts a rule computes once per file from the whole file (gates such as "does the file call
 * jsonwebtoken's verify anywhere?"). They are memoized here, per file object, instead of in a rule's own
 * WeakMap, so that an incremental analysis (engine/session.ts) can recompute each known fact on the next
 * version of the document and re-run every function when one of them changed: a function's cached
 * findings are only valid under the same file-wide facts.
 */

const memos = new WeakMap<object, Map<string, unknown>>();
/** Every fact asked so far in this process, by key: how to compute it, and for which class of file. */
const known = new Map<string, { compute: (file: object) => unknown; kind: unknown }>();

/** The value of `key` for `file`, computed by `compute` on first use. `compute` reads only `file`. */
export function fileFact<F extends object, T>(file: F, key: string, compute: (file: F) => T): T {
  let memo = memos.get(file);
  if (!memo) memos.set(file, memo = new Map());
  if (memo.has(key)) return memo.get(key) as T;
  if (!known.has(key)) known.set(key, { compute: compute as (file: object) => unknown, kind: file.constructor });
  const value = compute(file);
  memo.set(key, value);
  return value;
}

/**
 * Every fact known for this class of file, computed for `file`: a fingerprint that changes when any
 * file-wide fact a rule may have used changes.
 */
export function factsFingerprint(file: object): string {
  const out: string[] = [];
  for (const [key, { compute, kind }] of known) {
    if (kind !== file.constructor) continue;
    out.push(`${key}=${JSON.stringify(fileFact(file, key, compute) ?? null)}`);
  }
  return out.sort().join('\n');
}

/** How many facts are known in this process (grows when a rule asks a fact for the first time). */
export function knownFacts(): number {
  return known.size;
}
