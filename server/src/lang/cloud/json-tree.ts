import { parseTree, type Node as JNode, type ParseError } from 'jsonc-parser';
import { intrinsicOrObject, type CEntry, type CNode } from './model';

/** Deeper JSON is left as unknown (bounded recursion on generated input). */
const MAX_DEPTH = 200;

/**
 * Parses JSON (comments and trailing commas allowed) into the cloud front's value tree, offsets
 * shifted by `base` (a heredoc inside a Terraform file). `errors` counts what jsonc-parser recovered from.
 */
export function parseJson(text: string, base = 0): { root: CNode | undefined; errors: number } {
  const errors: ParseError[] = [];
  let tree: JNode | undefined;
  try {
    tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  } catch {
    return { root: undefined, errors: 1 };
  }
  return { root: tree ? convert(tree, base, 0) : undefined, errors: errors.length };
}

function convert(n: JNode, base: number, depth: number): CNode {
  const start = base + n.offset;
  const end = start + n.length;
  if (depth > MAX_DEPTH) return { kind: 'unknown', start, end };
  switch (n.type) {
    case 'object': {
      const entries: CEntry[] = [];
      for (const p of n.children ?? []) {
        const [k, v] = p.children ?? [];
        if (!k || typeof k.value !== 'string' || !v) continue;
        entries.push({ key: k.value, keyStart: base + k.offset, keyEnd: base + k.offset + k.length, value: convert(v, base, depth + 1) });
      }
      return intrinsicOrObject(entries, start, end);
    }
    case 'array':
      return { kind: 'array', start, end, items: (n.children ?? []).map((c) => convert(c, base, depth + 1)) };
    case 'string': case 'number': case 'boolean': case 'null':
      return { kind: 'scalar', start, end, value: n.value ?? null };
    default:
      return { kind: 'unknown', start, end };
  }
}

/**
 * Could this JSON be an IAM policy or a CloudFormation template? A cheap look at the text before any
 * parse: `package.json`, `tsconfig.json` and other JSON files say neither word.
 */
export function mayBeCloudJson(text: string): boolean {
  return text.includes('"Statement"') || text.includes('"AWSTemplateFormatVersion"') || text.includes('"AWS::');
}
