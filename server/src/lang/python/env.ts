import { join, type PV } from './values';

/**
 * What each name holds at one point of a function: an immutable chain of small layers, so that a
 * snapshot per statement costs one pointer. Long chains are flattened.
 */
export class Env {
  private constructor(readonly parent: Env | undefined, readonly vars: Map<string, PV | undefined>, readonly depth: number) {}

  static empty(): Env {
    return new Env(undefined, new Map(), 0);
  }

  get(name: string): PV | undefined {
    for (let e: Env | undefined = this; e; e = e.parent) {
      if (e.vars.has(name)) return e.vars.get(name);
    }
    return undefined;
  }

  with(vars: Map<string, PV | undefined>): Env {
    if (vars.size === 0) return this;
    if (this.depth < 40) return new Env(this, vars, this.depth + 1);
    const all = new Map<string, PV | undefined>();
    const chain: Env[] = [];
    for (let e: Env | undefined = this; e; e = e.parent) chain.push(e);
    for (let i = chain.length - 1; i >= 0; i--) for (const [k, v] of chain[i].vars) all.set(k, v);
    for (const [k, v] of vars) all.set(k, v);
    return new Env(undefined, all, 0);
  }

  /** Names bound since `ancestor` (every name when `ancestor` is not an ancestor, e.g. after flattening). */
  changedSince(ancestor: Env, out: Set<string>): void {
    for (let e: Env | undefined = this; e && e !== ancestor; e = e.parent) for (const k of e.vars.keys()) out.add(k);
  }
}

/** A statement's working copy: writes go to a fresh layer, `freeze` seals it. */
export class MutEnv {
  private layer?: Map<string, PV | undefined>;
  constructor(private base: Env) {}

  get(name: string): PV | undefined {
    if (this.layer?.has(name)) return this.layer.get(name);
    return this.base.get(name);
  }

  set(name: string, value: PV | undefined): void {
    (this.layer ??= new Map()).set(name, value);
  }

  freeze(): Env {
    if (this.layer) {
      this.base = this.base.with(this.layer);
      this.layer = undefined;
    }
    return this.base;
  }
}

/** Join of the environments that flow into one point; `null` is a path that does not get there. */
export function joinEnvs(fork: Env, branches: (Env | null | undefined)[]): Env | null {
  const live = branches.filter((b): b is Env => !!b);
  if (live.length === 0) return null;
  const distinct = [...new Set(live)];
  if (distinct.length === 1) return distinct[0];
  const names = new Set<string>();
  for (const b of distinct) b.changedSince(fork, names);
  const vars = new Map<string, PV | undefined>();
  for (const name of names) {
    let v: PV | undefined;
    let all = true;
    for (const b of distinct) {
      const bv = b.get(name);
      if (bv === undefined) all = false;
      v = v === undefined ? bv : bv === undefined ? v : join(v, bv);
    }
    void all;
    vars.set(name, v);
  }
  return fork.with(vars);
}
