import { entry, type CEntry, type CNode, type PList, type PolicyDoc, type PolicyKind, type PValue, type Principal, type PrincipalList, type Statement } from './model';

/** At most this many statements per document are read (bounded work on generated input). */
const MAX_STATEMENTS = 2000;
const MAX_VALUES = 5000;

/** A policy document's value tree (`{Version, Statement}`) as statements. Undefined when it is not an object. */
export function policyFromNode(node: CNode | undefined, kind: PolicyKind, where: string): PolicyDoc | undefined {
  if (node?.kind !== 'object') return undefined;
  const st = entry(node, 'Statement')?.value;
  if (!st) return undefined;
  const items = st.kind === 'array' ? st.items : st.kind === 'object' ? [st] : [];
  const statements: Statement[] = [];
  for (const item of items.slice(0, MAX_STATEMENTS)) {
    if (item.kind !== 'object') continue;
    statements.push(statementFromNode(item));
  }
  return { kind: refineKind(kind, statements), statements, where };
}

function statementFromNode(node: Extract<CNode, { kind: 'object' }>): Statement {
  const effectNode = entry(node, 'Effect')?.value;
  const effect = effectNode?.kind === 'scalar' && (effectNode.value === 'Allow' || effectNode.value === 'Deny') ? effectNode.value : undefined;
  const cond = entry(node, 'Condition');
  return {
    effect,
    actions: statementList(entry(node, 'Action')),
    notActions: statementList(entry(node, 'NotAction')),
    resources: statementList(entry(node, 'Resource')),
    notResources: statementList(entry(node, 'NotResource')),
    principals: principals(entry(node, 'Principal')),
    notPrincipals: principals(entry(node, 'NotPrincipal')),
    condition: !cond ? 'none' : cond.value.kind === 'object' ? 'known' : 'unknown',
    start: node.start,
    end: node.end,
  };
}

function value(n: CNode): PValue {
  return n.kind === 'scalar' && typeof n.value === 'string' ? { value: n.value, start: n.start, end: n.end } : { start: n.start, end: n.end };
}

export function statementList(e: CEntry | undefined): PList | undefined {
  if (!e) return undefined;
  const v = e.value;
  const items = v.kind === 'array' ? v.items.slice(0, MAX_VALUES) : [v];
  const values = items.map(value);
  return { values, unknown: values.some((x) => x.value === undefined), keyStart: e.keyStart, keyEnd: e.keyEnd, start: v.start, end: v.end };
}

function principals(e: CEntry | undefined): PrincipalList | undefined {
  if (!e) return undefined;
  const out: Principal[] = [];
  let unknown = false;
  const v = e.value;
  if (v.kind === 'object') {
    for (const p of v.entries) {
      const items = p.value.kind === 'array' ? p.value.items.slice(0, MAX_VALUES) : [p.value];
      for (const i of items) {
        const pv = value(i);
        if (pv.value === undefined) unknown = true;
        out.push({ type: p.key, value: pv });
      }
    }
  } else {
    const pv = value(v);
    if (pv.value === undefined) unknown = true;
    out.push({ type: undefined, value: pv });
  }
  return { principals: out, unknown, keyStart: e.keyStart, keyEnd: e.keyEnd };
}

/** A standalone document whose statements assume roles is a trust policy; one with principals is a resource policy. */
export function refineKind(kind: PolicyKind, statements: Statement[]): PolicyKind {
  if (kind !== 'unknown') return kind;
  const withPrincipal = statements.filter((s) => s.principals || s.notPrincipals);
  if (withPrincipal.length === 0) return statements.length > 0 ? 'identity' : 'unknown';
  const assumes = withPrincipal.some((s) => s.actions?.values.some((a) => /^sts:AssumeRole/i.test(a.value ?? '')));
  if (assumes) return 'trust';
  // a resource policy for one service: a key policy, a bucket policy
  const services = new Set(statements.flatMap((s) => s.actions?.values ?? []).map((a) => /^([a-z0-9-]+):/i.exec(a.value ?? '')?.[1]?.toLowerCase()));
  if (services.size === 1 && services.has('kms')) return 'key';
  if (services.size === 1 && services.has('s3')) return 'bucket';
  return 'resource';
}
