import { defineRule, type XmlContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import type { EntityDeclaration } from '../lang/xml/front';

/**
 * XML documents that declare external or parameter entities, or entities that expand
 * exponentially ("billion laughs"). Such a document is an XXE payload, or it only works with a
 * parser that loads external entities, which is the setting attackers need.
 */
export default defineRule({
  meta: {
    id: 'xml-external-entity',
    title: 'XML document declares external entities',
    description: 'An XML file that declares external or parameter entities reads files or URLs when a parser resolves it (XXE); nested entities can expand to gigabytes (billion laughs).',
    cwe: ['CWE-611', 'CWE-776'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 7.5,
    languages: ['xml'],
  },
  xml: (ctx) => check(ctx),
});

/** Expanded text longer than this is an entity-expansion bomb, not a convenience. */
const EXPANSION_LIMIT = 100_000;

function check(ctx: XmlContext): void {
  const file = ctx.file;
  if (file.entities.length === 0) return;
  const confidence = file.wellFormed ? undefined : 'low' as const;
  const byName = new Map<string, EntityDeclaration>();
  for (const e of file.entities) if (!e.parameter && !byName.has(e.name)) byName.set(e.name, e);
  const sizes = new Map<string, number>();
  for (const e of file.entities) {
    if (e.kind !== 'internal') {
      if (e.unparsed) continue; // NDATA: an unparsed entity is never fetched by the parser
      ctx.report({
        range: e.range,
        message: `${e.parameter ? 'Parameter entity' : 'External entity'} \`${e.name}\` loads \`${e.systemId ?? '?'}\`: a parser that resolves entities reads that file or URL into the document (XXE).`,
        ...(confidence ? { confidence } : {}),
      });
      continue;
    }
    if (e.parameter) {
      ctx.report({
        range: e.range,
        message: `Parameter entity \`%${e.name};\` declares markup inside the DTD, the building block of XXE payloads that read files out of band.`,
        ...(confidence ? { confidence } : {}),
      });
      continue;
    }
    const size = expandedSize(e.name, byName, sizes, new Set());
    if (size > EXPANSION_LIMIT) {
      ctx.report({
        range: e.range,
        message: `Entity \`${e.name}\` expands to about ${Math.round(size / 1000)} thousand characters through nested entities (billion laughs): parsing it exhausts memory.`,
        ...(confidence ? { confidence } : {}),
      });
    }
  }
}

/** Length of an internal entity's full expansion (references to undeclared or cyclic entities count as their text). */
function expandedSize(name: string, byName: Map<string, EntityDeclaration>, memo: Map<string, number>, visiting: Set<string>): number {
  const hit = memo.get(name);
  if (hit !== undefined) return hit;
  const e = byName.get(name);
  if (!e || e.value === undefined || visiting.has(name)) return name.length + 2;
  visiting.add(name);
  let size = 0;
  let rest = e.value;
  const ref = /&([A-Za-z_:][\w.:-]*);/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = ref.exec(rest)) !== null) {
    size += m.index - last;
    size += expandedSize(m[1], byName, memo, visiting);
    last = m.index + m[0].length;
    if (size > 1e12) break;
  }
  size += rest.length - last;
  rest = '';
  visiting.delete(name);
  memo.set(name, size);
  return size;
}
