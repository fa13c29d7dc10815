import { deref, isMap, isScalar, isSeq, itemsOf, knownString, pairOf, scalarText, type Document, type SeqItem, type Pair, type Scalar, type YAMLMap, type YNode } from './yaml';

/**
 * The compose model: services with the settings rules ask about, each kept as its YAML pair (merge
 * keys and anchors followed, so `<<: *defaults` counts).
 */

export interface ComposeService {
  doc: Document;
  name: string;
  nameNode: Scalar;
  map: YAMLMap;
  /** The pair of a key of the service (through merge keys). */
  pair(key: string): Pair<Scalar, YNode | null> | undefined;
  /** The value node of a key (aliases followed). */
  value(key: string): YNode | null;
  /** Items of a list-valued key (aliases followed), with their index in the sequence. */
  items(key: string): SeqItem[];
  /** `environment` in either form: `KEY: value` pairs or `KEY=value` strings. */
  environment(): ComposeEnv[];
}

export interface ComposeEnv {
  name: string;
  /** The literal value, when there is one. */
  value?: string;
  /** The node holding the value (the mapping value, or the whole `KEY=value` string). */
  node: YNode;
  /** Offset of the value inside the node's source text (for `KEY=value` strings). */
  listForm: boolean;
}

const MAX_SERVICES = 2_000;

export function composeServices(docs: Document[]): ComposeService[] {
  const out: ComposeService[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) continue;
    const services = deref(doc, pairOf(doc, doc.contents, 'services')?.value);
    if (!isMap(services)) continue;
    for (const p of services.items) {
      const map = deref(doc, p.value);
      if (!isScalar(p.key) || !isMap(map) || out.length >= MAX_SERVICES) continue;
      out.push(service(doc, String(p.key.value), p.key, map));
    }
  }
  return out;
}

function service(doc: Document, name: string, nameNode: Scalar, map: YAMLMap): ComposeService {
  const value = (key: string) => deref(doc, pairOf(doc, map, key)?.value);
  const items = (key: string) => itemsOf(doc, pairOf(doc, map, key)?.value, MAX_SERVICES);
  return {
    doc, name, nameNode, map,
    pair: (key) => pairOf(doc, map, key),
    value,
    items,
    environment: () => {
      const env = value('environment');
      const out: ComposeEnv[] = [];
      if (isMap(env)) {
        for (const p of env.items.slice(0, MAX_SERVICES)) {
          const v = deref(doc, p.value);
          if (!isScalar(p.key)) continue;
          out.push({ name: String(p.key.value), value: scalarText(v), node: (v ?? p.key) as YNode, listForm: false });
        }
      } else if (isSeq(env)) {
        for (const { node } of items('environment')) {
          const s = knownString(node);
          if (s === undefined) continue;
          const eq = s.indexOf('=');
          out.push(eq < 0 ? { name: s, node, listForm: true } : { name: s.slice(0, eq), value: s.slice(eq + 1), node, listForm: true });
        }
      }
      return out;
    },
  };
}
