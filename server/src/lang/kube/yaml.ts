import { Lexer, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node as YNode, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { lineStartsOf, positionAt } from '../../engine/edits';
import type { Range } from '../../engine/types';

export type { Document, Pair, Scalar, YAMLMap, YAMLSeq, YNode };
export { isMap, isScalar, isSeq };

/** Offsets to follow through aliases and merge keys (`<<: *base`) before giving up. */
const MAX_ALIAS_DEPTH = 8;

/**
 * One YAML file parsed once with positions, the way Kubernetes reads it (YAML 1.1: `yes`, `on` are
 * booleans). A scalar containing `{{` is a Helm template value: unknown, never evidence.
 */
export class YamlFile {
  readonly docs: Document.Parsed[];
  readonly lineStarts: number[];
  /** The text has Helm/Go template actions (`{{ }}`) somewhere. */
  readonly templated: boolean;
  readonly eol: string;

  constructor(readonly path: string, readonly text: string) {
    this.lineStarts = lineStartsOf(text);
    this.templated = text.includes('{{');
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
    const docs = parseAllDocuments(text, { version: '1.1', prettyErrors: false, keepSourceTokens: false });
    this.docs = Array.isArray(docs) ? docs : [];
  }

  /** Parse errors as `line N: message`, at most 20. */
  errors(): string[] {
    const out: string[] = [];
    for (const d of this.docs) {
      for (const e of d.errors) {
        if (out.length >= 20) return out;
        out.push(`line ${this.position(e.pos[0]).line + 1}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
      }
    }
    return out;
  }

  position(offset: number) {
    return positionAt(offset, this.lineStarts);
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  /** The source range of a node (its value, without a trailing comment). */
  range(node: YNode | Pair): Range {
    if (isPair(node)) {
      const k = node.key as YNode | null;
      const v = node.value as YNode | null;
      const start = k?.range?.[0] ?? v?.range?.[0] ?? 0;
      const end = v?.range?.[1] ?? k?.range?.[1] ?? start;
      return this.rangeOf(start, end);
    }
    const r = node.range ?? [0, 0, 0];
    return this.rangeOf(r[0], r[1]);
  }

  /** Comments, for suppressions: the YAML lexer's comment tokens with their lines. */
  comments(): { line: number; text: string }[] {
    const out: { line: number; text: string }[] = [];
    let offset = 0;
    for (const token of new Lexer().lex(this.text)) {
      // the lexer adds one-character markers for documents, flow ends and scalars that are not in the source
      if (token.length === 1 && (token === '\x02' || token === '\x18' || token === '\x1f')) continue;
      if (token.startsWith('#')) out.push({ line: this.position(offset).line, text: token.slice(1) });
      offset += token.length;
    }
    return out;
  }

  /** The text of a plain scalar as written (for values YAML 1.1 would turn into numbers, like `22:22`). */
  source(node: Scalar): string {
    const r = node.range;
    return r ? this.text.slice(r[0], r[1]) : String(node.value);
  }
}

/** Follows an alias to the node it names. */
export function deref(doc: Document, node: unknown, depth = 0): YNode | null {
  let n = node as YNode | null;
  for (let i = 0; isAlias(n) && i < MAX_ALIAS_DEPTH + depth; i++) {
    try {
      n = (n as { resolve(d: Document): YNode | undefined }).resolve(doc) ?? null;
    } catch {
      return null;
    }
  }
  return isAlias(n) ? null : n;
}

/** The pair of `key` in a mapping, looking through merge keys (`<<: *base`). */
export function pairOf(doc: Document, map: unknown, key: string, depth = 0): Pair<Scalar, YNode | null> | undefined {
  const m = deref(doc, map);
  if (!isMap(m) || depth > MAX_ALIAS_DEPTH) return undefined;
  let merged: Pair | undefined;
  for (const p of m.items) {
    const k = p.key as YNode | null;
    if (!isScalar(k)) continue;
    if (k.value === key) return p as Pair<Scalar, YNode | null>;
    // YAML 1.1 merge keys resolve to a symbol; a quoted '<<' stays a string (and is an ordinary key)
    if (typeof k.value === 'symbol' && !merged) merged = p;
  }
  if (merged) {
    const v = deref(doc, merged.value);
    const sources = isSeq(v) ? v.items.slice(0, 16) : [v];
    for (const s of sources) {
      const hit = pairOf(doc, s, key, depth + 1);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** The value node of `key` in a mapping (aliases followed). */
export function valueOf(doc: Document, map: unknown, key: string): YNode | null {
  const p = pairOf(doc, map, key);
  return p ? deref(doc, p.value) : null;
}

export function mapOf(doc: Document, map: unknown, key: string): YAMLMap | undefined {
  const v = valueOf(doc, map, key);
  return isMap(v) ? v : undefined;
}

export function seqOf(doc: Document, map: unknown, key: string): YNode[] {
  const v = valueOf(doc, map, key);
  return isSeq(v) ? (v.items as YNode[]).map((i) => deref(doc, i)).filter((i): i is YNode => i !== null) : [];
}

/** Is a scalar a template action (`{{ ... }}`) whose value the file cannot know? */
export function isTemplated(node: unknown): boolean {
  return isScalar(node) && typeof node.value === 'string' && node.value.includes('{{');
}

/** A scalar's value when the file knows it; undefined for collections, templates and missing values. */
export function known(node: unknown): string | number | boolean | null | undefined {
  if (!isScalar(node) || isTemplated(node)) return undefined;
  const v = node.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : undefined;
}

export function knownString(node: unknown): string | undefined {
  const v = known(node);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Keys of a mapping in order (scalar keys only). */
export function keysOf(map: YAMLMap): string[] {
  return map.items.map((p) => (isScalar(p.key) && typeof p.key.value !== 'symbol' ? String(p.key.value) : '')).filter(Boolean);
}

/** Does a collection contain a template action anywhere (a key, a value, a nested node)? Bounded walk. */
export function containsTemplate(node: unknown, budget = { left: 10_000 }): boolean {
  if (budget.left-- <= 0) return true;
  if (isScalar(node)) return isTemplated(node);
  if (isMap(node)) return node.items.some((p) => containsTemplate(p.key, budget) || containsTemplate(p.value, budget));
  if (isSeq(node)) return node.items.some((i) => containsTemplate(i, budget));
  return false;
}

/** An item of a sequence with its place (for fixes that remove it). */
export interface SeqItem { seq: YAMLSeq; index: number; node: YNode }

/** The items of a sequence node (aliases followed), at most `limit`. */
export function itemsOf(doc: Document, node: unknown, limit = 5_000): SeqItem[] {
  const seq = deref(doc, node);
  if (!isSeq(seq)) return [];
  const out: SeqItem[] = [];
  seq.items.slice(0, limit).forEach((n, index) => {
    const d = deref(doc, n);
    if (d) out.push({ seq, index, node: d });
  });
  return out;
}

/** A known scalar as the text a program sees in its environment (`true`, `1`, `abc`); undefined otherwise. */
export function scalarText(node: unknown): string | undefined {
  const v = known(node);
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}
