import { isMap, isScalar, isSeq, Parser as CstParser, parseDocument, YAMLMap, YAMLSeq, type Node as YNode, type Tags } from 'yaml';
import { intrinsicOrObject, onlyPseudoParameters, refTarget, type CEntry, type CNode } from './model';

/** CloudFormation's short-form intrinsic functions: each tag keeps its node (and position); the value is unknown. */
const FUNCTIONS = ['Ref', 'Sub', 'GetAtt', 'Join', 'If', 'Select', 'Split', 'FindInMap', 'ImportValue', 'Base64', 'Cidr',
  'GetAZs', 'Equals', 'Not', 'And', 'Or', 'Condition', 'Transform', 'ToJsonString', 'Length', 'ForEach'];

const CFN_TAGS: Tags = [
  ...FUNCTIONS.map((n) => ({ tag: `!${n}`, resolve: (s: string) => s })),
  ...FUNCTIONS.map((n) => ({ tag: `!${n}`, collection: 'seq' as const, nodeClass: YAMLSeq, resolve: (s: unknown) => s as YAMLSeq })),
  ...FUNCTIONS.map((n) => ({ tag: `!${n}`, collection: 'map' as const, nodeClass: YAMLMap, resolve: (m: unknown) => m as YAMLMap })),
];

const MAX_DEPTH = 200;

/**
 * Is this YAML a CloudFormation (or SAM) template? Only templates are claimed: Kubernetes
 * manifests, compose files and other YAML are left to their own fronts.
 */
export function isCloudFormation(text: string): boolean {
  if (text.includes('AWSTemplateFormatVersion')) return true;
  return text.includes('AWS::') && /^Resources\s*:/m.test(text);
}

/** A CloudFormation YAML template as the cloud front's value tree; `error` says why it could not be read. */
export function parseCfnYaml(text: string): { root?: CNode; error?: string } {
  const doc = parseDocument(text, { customTags: CFN_TAGS, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) return { error: `YAML syntax error: ${doc.errors[0].message.split('\n')[0]}` };
  return { root: doc.contents ? convert(doc.contents as YNode, 0) : undefined };
}

function span(n: YNode): { start: number; end: number } {
  const r = n.range;
  return r ? { start: r[0], end: r[1] } : { start: 0, end: 0 };
}

function convert(n: YNode, depth: number): CNode {
  const { start, end } = span(n);
  if (n.tag === '!Sub' && isScalar(n) && typeof n.value === 'string' && onlyPseudoParameters(n.value)) return { kind: 'scalar', start, end, value: n.value };
  if (depth > MAX_DEPTH) return { kind: 'unknown', start, end };
  if (n.tag && n.tag.startsWith('!') && !n.tag.startsWith('!!')) {
    const fn = n.tag.slice(1);
    const first = isSeq(n) ? n.items[0] : n;
    const ref = (fn === 'Ref' || fn === 'GetAtt') && isScalar(first) && typeof first.value === 'string'
      ? refTarget(fn, { kind: 'scalar', start, end, value: first.value }) : undefined;
    return { kind: 'unknown', start, end, ...(ref ? { ref } : {}) };
  }
  if (isMap(n)) {
    const entries: CEntry[] = [];
    for (const p of n.items) {
      const k = p.key as YNode | null;
      if (!k || !isScalar(k) || (typeof k.value !== 'string' && typeof k.value !== 'number')) continue;
      const ks = span(k);
      const v = p.value as YNode | null;
      const value: CNode = v ? convert(v, depth + 1) : { kind: 'scalar', start: ks.end, end: ks.end, value: null };
      entries.push({ key: String(k.value), keyStart: ks.start, keyEnd: ks.end, value });
    }
    return intrinsicOrObject(entries, start, end);
  }
  if (isSeq(n)) return { kind: 'array', start, end, items: n.items.map((i) => convert(i as YNode, depth + 1)) };
  if (isScalar(n)) {
    const v = n.value;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return { kind: 'scalar', start, end, value: v };
  }
  return { kind: 'unknown', start, end };
}

/** The comments of a YAML text (from the yaml package's concrete syntax tree), for suppressions. */
export function yamlComments(text: string): { offset: number; text: string }[] {
  const out: { offset: number; text: string }[] = [];
  const walk = (o: unknown, depth: number): void => {
    if (!o || typeof o !== 'object' || depth > 400) return;
    if (Array.isArray(o)) {
      for (const x of o) walk(x, depth + 1);
      return;
    }
    const t = o as { type?: string; offset?: number; source?: unknown };
    if (t.type === 'comment' && typeof t.offset === 'number' && typeof t.source === 'string') {
      out.push({ offset: t.offset, text: t.source.slice(1) });
      return;
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'source') walk(v, depth + 1);
  };
  for (const token of new CstParser().parse(text)) walk(token, 0);
  return out;
}
