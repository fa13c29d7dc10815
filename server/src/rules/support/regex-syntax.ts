/**
 * A small reader for the syntax of a constant regular expression (a pattern string, never source code),
 * and the one question the unsafe-regex rule asks of it: can a repeat inside a repeat match the same text
 * in many ways (catastrophic backtracking)? Patterns it does not understand give no answer.
 */

/** A set of code points as sorted, disjoint, inclusive ranges. */
export type CharSet = [number, number][];

export type Atom =
  | { t: 'set'; set: CharSet }
  | { t: 'group'; alts: Elem[][]; look: boolean; start: number; end: number }
  | { t: 'assert' }
  | { t: 'backref' };

export interface Elem { atom: Atom; min: number; max: number; start: number; end: number }

const MAX = 0x10ffff;
const DIGIT: CharSet = [[0x30, 0x39]];
const WORD: CharSet = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
const SPACE: CharSet = [[9, 13], [32, 32], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029],
  [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff]];
const LINE_ENDS: CharSet = [[10, 10], [13, 13], [0x2028, 0x2029]];
/** `\p{...}`: treated as letters (an approximation that keeps spaces and ASCII punctuation apart). */
const LETTERS: CharSet = [[0x41, 0x5a], [0x61, 0x7a], [0xaa, 0xaa], [0xb5, 0xb5], [0xba, 0xba], [0xc0, MAX]];

export function normalize(set: CharSet): CharSet {
  const s = set.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const out: CharSet = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function complement(set: CharSet): CharSet {
  const out: CharSet = [];
  let next = 0;
  for (const [a, b] of normalize(set)) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= MAX) out.push([next, MAX]);
  return out;
}

export function intersects(x: CharSet, y: CharSet): boolean {
  for (const [a, b] of x) for (const [c, d] of y) if (a <= d && c <= b) return true;
  return false;
}

export function subset(x: CharSet, y: CharSet): boolean {
  return x.every(([a, b]) => y.some(([c, d]) => c <= a && b <= d));
}

/** Adds the other case of ASCII letters (flag `i`). */
function foldCase(set: CharSet): CharSet {
  const extra: CharSet = [];
  for (const [a, b] of set) {
    const lo = Math.max(a, 0x41), hi = Math.min(b, 0x5a);
    if (lo <= hi) extra.push([lo + 32, hi + 32]);
    const lo2 = Math.max(a, 0x61), hi2 = Math.min(b, 0x7a);
    if (lo2 <= hi2) extra.push([lo2 - 32, hi2 - 32]);
  }
  return normalize([...set, ...extra]);
}

class Bail extends Error {}

/** Parses a pattern; undefined when it uses syntax this reader does not know (or is not a valid pattern). */
export function parseRegex(source: string, flags = '', dialect: 'js' | 'python' = 'js'): Elem[][] | undefined {
  if (flags.includes('v') || flags.includes('x') || source.length > 5000) return undefined;
  const python = dialect === 'python';
  const unicode = flags.includes('u');
  let icase = flags.includes('i');
  let dotAll = flags.includes('s');
  let i = 0;
  const peek = () => source[i];
  const fail = (): never => { throw new Bail(); };

  const hex = (n: number): number => {
    const h = source.slice(i, i + n);
    if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) return -1;
    i += n;
    return parseInt(h, 16);
  };

  /** After a backslash: a set of characters, or an assertion/back-reference marker. */
  const escape = (inClass: boolean): CharSet | 'assert' | 'backref' => {
    const c = source[i++];
    if (c === undefined) return fail();
    switch (c) {
      case 'd': return DIGIT;
      case 'D': return complement(DIGIT);
      case 'w': return WORD;
      case 'W': return complement(WORD);
      case 's': return SPACE;
      case 'S': return complement(SPACE);
      case 'b': return inClass ? [[8, 8]] : 'assert';
      case 'A': case 'Z': return python && !inClass ? 'assert' : [[c.charCodeAt(0), c.charCodeAt(0)]];
      case 'N': return python ? fail() : [[0x4e, 0x4e]];
      case 'U': {
        if (!python) return [[0x55, 0x55]];
        const v = hex(8);
        return v < 0 ? fail() : [[v, v]];
      }
      case 'B': return inClass ? fail() : 'assert';
      case 'n': return [[10, 10]];
      case 'r': return [[13, 13]];
      case 't': return [[9, 9]];
      case 'f': return [[12, 12]];
      case 'v': return [[11, 11]];
      case '0': return [[0, 0]];
      case 'c': { const l = source.charCodeAt(i); if (/[a-zA-Z]/.test(source[i] ?? '')) { i++; return [[l % 32, l % 32]]; } return [[0x5c, 0x5c]]; }
      case 'x': { const v = hex(2); return v < 0 ? [[0x78, 0x78]] : [[v, v]]; }
      case 'u': {
        if (source[i] === '{' && unicode) {
          const close = source.indexOf('}', i);
          if (close < 0) return fail();
          const v = parseInt(source.slice(i + 1, close), 16);
          i = close + 1;
          return Number.isNaN(v) ? fail() : [[v, v]];
        }
        const v = hex(4);
        return v < 0 ? [[0x75, 0x75]] : [[v, v]];
      }
      case 'p': case 'P': {
        if (!unicode || source[i] !== '{') return [[c.charCodeAt(0), c.charCodeAt(0)]];
        const close = source.indexOf('}', i);
        if (close < 0) return fail();
        i = close + 1;
        return c === 'p' ? LETTERS : complement(LETTERS);
      }
      case 'k': {
        if (source[i] !== '<') return [[0x6b, 0x6b]];
        const close = source.indexOf('>', i);
        if (close < 0) return fail();
        i = close + 1;
        return inClass ? fail() : 'backref';
      }
      default:
        if (/[1-9]/.test(c)) {
          while (/[0-9]/.test(source[i] ?? '')) i++;
          return inClass ? fail() : 'backref';
        }
        return [[c.codePointAt(0)!, c.codePointAt(0)!]];
    }
  };

  const readClassChar = (): CharSet => {
    if (peek() === '\\') {
      i++;
      const e = escape(true);
      return typeof e === 'string' ? fail() : e;
    }
    const cp = source.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    return [[cp, cp]];
  };

  const charClass = (): CharSet => {
    // after '['
    let negate = false;
    if (peek() === '^') { negate = true; i++; }
    const parts: CharSet = [];
    while (i < source.length && peek() !== ']') {
      const a = readClassChar();
      if (peek() === '-' && source[i + 1] !== ']' && source[i + 1] !== undefined) {
        i++;
        const b = readClassChar();
        if (a.length === 1 && b.length === 1 && a[0][0] === a[0][1] && b[0][0] === b[0][1]) {
          if (a[0][0] > b[0][0]) return fail();
          parts.push([a[0][0], b[0][0]]);
        } else {
          parts.push(...a, [0x2d, 0x2d], ...b);
        }
      } else {
        parts.push(...a);
      }
    }
    if (peek() !== ']') return fail();
    i++;
    const set = normalize(icase ? foldCase(parts) : parts);
    return negate ? complement(set) : set;
  };

  /** `{n}`, `{n,}`, `{n,m}` at i, or undefined (then `{` is a literal outside unicode mode). */
  const braces = (): [number, number] | undefined => {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
    if (!m) return undefined;
    i += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    return [min, max];
  };

  const alternatives = (): Elem[][] => {
    const alts: Elem[][] = [[]];
    while (i < source.length) {
      const c = peek();
      if (c === ')') break;
      if (c === '|') { i++; alts.push([]); continue; }
      const start = i;
      let atom: Atom;
      if (c === '(' && python && source[i + 1] === '?') {
        // Python only: comments, whole-pattern flags, named back-references
        const comment = /^\(\?#[^)]*\)/.exec(source.slice(i));
        if (comment) { i += comment[0].length; continue; }
        const inline = /^\(\?([aiLmsux]+)\)/.exec(source.slice(i, i + 12));
        if (inline) {
          if (inline[1].includes('x')) return fail();
          if (inline[1].includes('i')) icase = true;
          if (inline[1].includes('s')) dotAll = true;
          i += inline[0].length;
          continue;
        }
      }
      if (c === '(' && python && /^\(\?P=\w+\)/.test(source.slice(i, i + 40))) {
        i = source.indexOf(')', i) + 1;
        atom = { t: 'backref' };
      } else if (c === '(') {
        i++;
        let look = false;
        if (source[i] === '?') {
          const m = (python ? /^\?(:|=|!|<=|<!|P<\w+>)/ : /^\?(:|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/).exec(source.slice(i, i + 40));
          if (!m) return fail();
          look = ['=', '!', '<=', '<!'].includes(m[1]);
          i += m[0].length;
        }
        const inner = alternatives();
        if (peek() !== ')') return fail();
        i++;
        atom = { t: 'group', alts: inner, look, start, end: i };
      } else if (c === '[') {
        i++;
        atom = { t: 'set', set: charClass() };
      } else if (c === '\\') {
        i++;
        const e = escape(false);
        atom = e === 'assert' ? { t: 'assert' } : e === 'backref' ? { t: 'backref' } : { t: 'set', set: icase ? foldCase(e) : e };
      } else if (c === '^' || c === '$') {
        i++;
        atom = { t: 'assert' };
      } else if (c === '.') {
        i++;
        atom = { t: 'set', set: dotAll ? [[0, MAX]] : complement(LINE_ENDS) };
      } else if (c === '*' || c === '+' || c === '?') {
        return fail(); // nothing to repeat
      } else {
        const cp = source.codePointAt(i)!;
        i += cp > 0xffff ? 2 : 1;
        if (c === '{' && unicode) return fail();
        atom = { t: 'set', set: icase ? foldCase([[cp, cp]]) : [[cp, cp]] };
      }
      let min = 1, max = 1;
      const q = peek();
      if (q === '*') { min = 0; max = Infinity; i++; }
      else if (q === '+') { min = 1; max = Infinity; i++; }
      else if (q === '?') { min = 0; max = 1; i++; }
      else if (q === '{') {
        const b = braces();
        if (b) [min, max] = b;
      }
      if ((min !== 1 || max !== 1) && peek() === '?') i++; // lazy: backtracks all the same
      if ((min !== 1 || max !== 1) && (peek() === '*' || peek() === '+')) return fail();
      alts[alts.length - 1].push({ atom, min, max, start, end: i });
    }
    return alts;
  };

  try {
    const alts = alternatives();
    if (i !== source.length) return undefined;
    return alts;
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}

// ---- analysis ----

function nullableSeq(seq: Elem[]): boolean {
  return seq.every(nullable);
}

function nullable(e: Elem): boolean {
  if (e.min === 0) return true;
  const a = e.atom;
  if (a.t === 'set') return false;
  if (a.t === 'group') return a.look || a.alts.some(nullableSeq);
  return true; // assertions and back-references (which may be empty)
}

/** Every character the element can consume. */
function chars(e: Elem): CharSet {
  const a = e.atom;
  if (a.t === 'set') return a.set;
  if (a.t === 'group' && !a.look) return normalize(a.alts.flatMap((s) => s.flatMap(chars)));
  if (a.t === 'backref') return [[0, MAX]];
  return [];
}

/** Can this element fail to match where it stands (so the engine must backtrack into what came before)? */
function canFail(e: Elem): boolean {
  return !nullable(e) || e.atom.t === 'assert' || (e.atom.t === 'group' && e.atom.look);
}

/** A sequence of plain character sets (no groups, no quantifiers other than exactly once). */
function plainSets(seq: Elem[]): CharSet[] | undefined {
  const out: CharSet[] = [];
  for (const e of seq) {
    if (e.atom.t !== 'set' || e.min !== 1 || e.max !== 1) return undefined;
    out.push(e.atom.set);
  }
  return out;
}

/** Two alternatives that can match the same text: `(a|a)`, `(\w|\d)`, `(a|aa)`. */
function overlappingAlternatives(alts: Elem[][]): boolean {
  for (let x = 0; x < alts.length; x++) {
    for (let y = x + 1; y < alts.length; y++) {
      const a = plainSets(alts[x]);
      const b = plainSets(alts[y]);
      if (!a || !b || a.length === 0 || b.length === 0) continue;
      if (a.length === b.length && a.every((s, k) => intersects(s, b[k]))) return true;
      if (a.length === 1 && b.every((s) => subset(s, a[0]))) return true;
      if (b.length === 1 && a.every((s) => subset(s, b[0]))) return true;
    }
  }
  return false;
}

/** Could the element match some text made only of characters in `set` (or nothing)? */
function matchesWithin(e: Elem, set: CharSet): boolean {
  if (nullable(e)) return true;
  const a = e.atom;
  if (a.t === 'set') return intersects(a.set, set);
  if (a.t === 'group') return a.alts.some((seq) => seq.every((o) => matchesWithin(o, set)));
  return true;
}

/**
 * Is there an unbounded repeat inside the body whose characters could also make up everything else the
 * body needs, at every level down to it? Then the same text splits between iterations in many ways:
 * `(a+)+`, `(\w+\s?)+`, but not `([a-z]+\.)+` (the dot ends each iteration) or `(x='[^']*')*`.
 */
function nestedRepeat(seq: Elem[], siblings: Elem[]): boolean {
  for (const e of seq) {
    const others = [...siblings, ...seq.filter((o) => o !== e && !nullable(o))];
    if (e.max === Infinity) {
      const set = chars(e);
      if (set.length > 0 && others.every((o) => matchesWithin(o, set))) return true;
    }
    const a = e.atom;
    if (a.t === 'group' && !a.look && a.alts.some((s) => nestedRepeat(s, others))) return true;
  }
  return false;
}

/** Why the body of a repeated group can split the same text in many ways, or undefined. */
function ambiguousBody(alts: Elem[][]): 'nested' | 'alternatives' | undefined {
  if (alts.some((seq) => nestedRepeat(seq, []))) return 'nested';
  return overlappingAlternatives(alts) ? 'alternatives' : undefined;
}

export interface Danger {
  /** Offsets of the repeated group in the pattern. */
  start: number;
  end: number;
  kind: 'nested' | 'alternatives';
}

/**
 * The first repeated group whose body can match the same text in many ways, with something after it that
 * can fail (otherwise the first way found succeeds and nothing backtracks). Repeats of at least 10 count
 * (`(.*a){12}` is polynomial of degree 12).
 */
export function catastrophicGroup(alts: Elem[][]): Danger | undefined {
  const visitSeq = (seq: Elem[], followFails: boolean): Danger | undefined => {
    for (let k = 0; k < seq.length; k++) {
      const e = seq[k];
      const after = followFails || seq.slice(k + 1).some(canFail);
      const a = e.atom;
      if (a.t !== 'group' || a.look) continue;
      if (after && (e.max === Infinity || e.max >= 10)) {
        const kind = ambiguousBody(a.alts);
        // two plain alternatives matching the same text are ambiguous by construction; a nested repeat under an
        // unbounded one is confirmed on its automaton; `(.*a){12}` (polynomial) rests on the character sets
        if (kind === 'alternatives' || (kind && (e.max !== Infinity || exponentiallyAmbiguous(a.alts) === true))) {
          return { start: a.start, end: e.end, kind };
        }
      }
      for (const s of a.alts) {
        const d = visitSeq(s, after || e.max > 1);
        if (d) return d;
      }
    }
    return undefined;
  };
  for (const s of alts) {
    const d = visitSeq(s, false);
    if (d) return d;
  }
  return undefined;
}

// ---- exact check: exponential ambiguity of a repeated group (Glushkov automaton, product graph) ----

/** A regex as a Glushkov automaton: positions (character sets) and which may follow which. */
/** `follow[p]` maps each position that may come after p to the number of ways (nested loops give two: `(a+)+`). */
interface Glushkov { sets: CharSet[]; follow: Map<number, number>[] }
interface Frag { nullable: boolean; first: number[]; last: number[] }

const MAX_POSITIONS = 80;

class TooBig extends Error {}

/**
 * Builds the automaton of `(alts)*`. Counted repeats are unrolled (`x{2,4}` -> `xx(x(x)?)?`); assertions,
 * lookarounds and back-references match nothing (an approximation). Undefined when it would be too big.
 */
function glushkov(alts: Elem[][]): Glushkov | undefined {
  const g: Glushkov = { sets: [], follow: [] };
  const link = (from: number[], to: number[]) => {
    for (const f of new Set(from)) for (const t of new Set(to)) g.follow[f].set(t, (g.follow[f].get(t) ?? 0) + 1);
  };
  const concat = (a: Frag, b: Frag): Frag => {
    link(a.last, b.first);
    return {
      nullable: a.nullable && b.nullable,
      first: a.nullable ? [...a.first, ...b.first] : a.first,
      last: b.nullable ? [...a.last, ...b.last] : b.last,
    };
  };
  const EMPTY: Frag = { nullable: true, first: [], last: [] };
  const union = (fs: Frag[]): Frag => ({ nullable: fs.some((f) => f.nullable), first: fs.flatMap((f) => f.first), last: fs.flatMap((f) => f.last) });
  const star = (f: Frag): Frag => { link(f.last, f.first); return { ...f, nullable: true }; };
  const atom = (a: Atom): Frag => {
    if (a.t === 'set') {
      if (g.sets.length >= MAX_POSITIONS) throw new TooBig();
      const id = g.sets.length;
      g.sets.push(a.set);
      g.follow.push(new Map());
      return { nullable: false, first: [id], last: [id] };
    }
    if (a.t === 'group' && !a.look) return union(a.alts.map(seq));
    return EMPTY;
  };
  const elem = (e: Elem): Frag => {
    const min = Math.min(e.min, 3);
    const max = e.max === Infinity || e.max > 6 ? Infinity : e.max;
    let f = EMPTY;
    if (max === Infinity) {
      // `x+` is x with its last positions looping to its first: no second copy (nested `+` would double each level)
      if (min === 0) return star(atom(e.atom));
      for (let k = 1; k < min; k++) f = concat(f, atom(e.atom));
      const x = atom(e.atom);
      link(x.last, x.first);
      return concat(f, x);
    }
    for (let k = 0; k < min; k++) f = concat(f, atom(e.atom));
    // optional copies, nested: x(x(x)?)?
    let tail = EMPTY;
    for (let k = min; k < max; k++) {
      const x = atom(e.atom);
      tail = { ...concat(x, tail), nullable: true };
    }
    return concat(f, tail);
  };
  const seq = (s: Elem[]): Frag => s.reduce((f, e) => concat(f, elem(e)), EMPTY);
  try {
    star(union(alts.map(seq)));
    return g;
  } catch (e) {
    if (e instanceof TooBig) return undefined;
    throw e;
  }
}

/**
 * Exponential degree of ambiguity: two different paths from a position back to itself reading the same
 * text. In the product of the automaton with itself, that is a strongly connected component holding both
 * a pair (q, q) and a pair (p, r) with p != r. Undefined when the automaton is too big to decide.
 */
export function exponentiallyAmbiguous(alts: Elem[][]): boolean | undefined {
  const g = glushkov(alts);
  if (!g) return undefined;
  const n = g.sets.length;
  const follow = g.follow.map((m) => [...m.keys()]);
  // which positions can read the same character: n * n set tests once, not per edge
  const meets = new Uint8Array(n * n);
  for (let a = 0; a < n; a++) for (let b = a; b < n; b++) if (intersects(g.sets[a], g.sets[b])) meets[a * n + b] = meets[b * n + a] = 1;
  let work = 0;
  const succ = (node: number): number[] => {
    const p = Math.floor(node / n), r = node % n;
    const out: number[] = [];
    work += follow[p].length * follow[r].length;
    if (work > 1_500_000) throw new TooBig();
    for (const p2 of follow[p]) for (const r2 of follow[r]) if (meets[p2 * n + r2]) out.push(p2 * n + r2);
    return out;
  };
  try {
    return productHasAmbiguousCycle(n, g, succ);
  } catch (e) {
    if (e instanceof TooBig) return undefined;
    throw e;
  }
}

function productHasAmbiguousCycle(n: number, g: Glushkov, succ: (node: number) => number[]): boolean | undefined {
  // Tarjan's SCC over the pairs reachable from the diagonal, iteratively
  const index = new Int32Array(n * n).fill(-1);
  const low = new Int32Array(n * n);
  const onStack = new Uint8Array(n * n);
  const stack: number[] = [];
  let counter = 0;
  let steps = 0;
  for (let q = 0; q < n; q++) {
    const root = q * n + q;
    if (index[root] >= 0) continue;
    const work: [number, number[], number][] = [[root, succ(root), 0]];
    index[root] = low[root] = counter++;
    stack.push(root); onStack[root] = 1;
    while (work.length > 0) {
      if (++steps > 400_000) return undefined;
      const top = work[work.length - 1];
      const [v, next] = top;
      if (top[2] < next.length) {
        const w = next[top[2]++];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push(w); onStack[w] = 1;
          work.push([w, succ(w), 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
        continue;
      }
      work.pop();
      if (work.length > 0) { const u = work[work.length - 1][0]; low[u] = Math.min(low[u], low[v]); }
      if (low[v] === index[v]) {
        const members: number[] = [];
        for (;;) {
          const w = stack.pop()!;
          onStack[w] = 0;
          members.push(w);
          if (w === v) break;
        }
        const diagonal = members.filter((w) => Math.floor(w / n) === w % n).map((w) => w % n);
        if (diagonal.length === 0) continue;
        // both kinds in one component: a cycle through (q, q) and (p, r)
        if (diagonal.length < members.length) return true;
        // or two parallel ways from p to p' inside the component (nested loops)
        const inside = new Set(diagonal);
        for (const p of diagonal) for (const [t, ways] of g.follow[p]) if (ways > 1 && inside.has(t)) return true;
      }
    }
  }
  return false;
}
