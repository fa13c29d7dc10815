import type { Node } from 'web-tree-sitter';
import { parseJson } from './json-tree';
import { entry, scalarText, type CEntry, type CloudResource, type CNode, type NamedLiteral, type PolicyDoc, type PolicyKind, type Principal, type PrincipalList, type Statement } from './model';
import { policyFromNode, refineKind, statementList } from './policy';

/**
 * The Terraform part of the cloud front: HCL blocks (tree-sitter-terraform) to the value tree,
 * resources, policy documents (`jsonencode({...})`, heredoc JSON, `data "aws_iam_policy_document"`)
 * and literal arguments. A value that needs evaluation (`var.x`, `local.y`, `${...}`, a call, a
 * conditional) is unknown.
 */

const MAX_DEPTH = 100;
/** Interpolations of the account's identity, partition and region (they do not change what an ARN pattern covers). */
const ACCOUNT_CONTEXT = /^\$\{\s*(data\.aws_caller_identity\.\w+\.account_id|data\.aws_partition\.\w+\.partition|data\.aws_region\.\w+\.(name|region)|data\.aws_partition\.\w+\.dns_suffix)\s*\}$/;
/** Blocks of a file looked at (bounded work on generated input). */
const MAX_BLOCKS = 20_000;

export interface TerraformModel {
  resources: CloudResource[];
  policies: PolicyDoc[];
  literals: NamedLiteral[];
}

/** Which argument of which resource holds a policy document, and what kind of policy it is. */
const POLICY_ARGS: Record<string, [string, PolicyKind][]> = {
  aws_iam_policy: [['policy', 'identity']],
  aws_iam_role_policy: [['policy', 'identity']],
  aws_iam_user_policy: [['policy', 'identity']],
  aws_iam_group_policy: [['policy', 'identity']],
  aws_iam_role: [['assume_role_policy', 'trust']],
  aws_s3_bucket_policy: [['policy', 'bucket']],
  aws_s3_bucket: [['policy', 'bucket']],
  aws_sqs_queue_policy: [['policy', 'queue']],
  aws_sqs_queue: [['policy', 'queue']],
  aws_sns_topic_policy: [['policy', 'topic']],
  aws_sns_topic: [['policy', 'topic']],
  aws_ecr_repository_policy: [['policy', 'resource']],
  aws_kms_key: [['policy', 'key']],
  aws_kms_key_policy: [['policy', 'key']],
  aws_secretsmanager_secret_policy: [['policy', 'resource']],
  aws_lambda_permission: [],
};

export function terraformModel(root: Node): TerraformModel {
  const model: TerraformModel = { resources: [], policies: [], literals: [] };
  const body = root.namedChildren.find((c) => c?.type === 'body');
  if (!body) return model;
  let count = 0;
  for (const block of body.namedChildren) {
    if (!block || block.type !== 'block' || block.hasError || ++count > MAX_BLOCKS) continue;
    // (web-tree-sitter builds a new array of new node objects on every `namedChildren`: read it once)
    const kids = block.namedChildren;
    const kind = kids[0]?.text;
    const labels = kids.filter((c) => c?.type === 'string_lit').map((c) => stringLit(c!) ?? '');
    const blockBody = kids.find((c) => c?.type === 'body') ?? undefined;
    if (!blockBody) continue;
    const start = kids[0]!.startIndex;
    const header = kids.find((c) => c?.type === 'block_start')?.startIndex ?? block.endIndex;
    if (kind === 'resource' && labels.length === 2) {
      const [type, name] = labels;
      const obj = bodyNode(blockBody, 0);
      model.resources.push({ source: 'terraform', type, name: `${type}.${name}`, start, end: header, body: obj });
      for (const [arg, pkind] of POLICY_ARGS[type] ?? []) addPolicy(model, blockBody, arg, pkind, `${type}.${name}`);
      if (type === 'aws_iam_role') {
        for (const inline of childBlocks(blockBody, 'inline_policy')) addPolicy(model, inline, 'policy', 'identity', `${type}.${name}`);
      }
      collectLiterals(obj, model.literals, 0);
      declaredSecret(type, `${type}.${name}`, obj, model.literals);
    } else if (kind === 'data' && labels[0] === 'aws_iam_policy_document') {
      model.policies.push(policyDocument(blockBody, `data.aws_iam_policy_document.${labels[1] ?? ''}`));
    } else if (kind === 'provider') {
      collectLiterals(bodyNode(blockBody, 0), model.literals, 0);
    } else if (kind === 'variable' && labels[0]) {
      const def = attribute(blockBody, 'default');
      const value = def ? evaluate(def, 0) : undefined;
      if (value?.kind === 'scalar' && typeof value.value === 'string') {
        model.literals.push({ name: labels[0], value: value.value, start: value.start, end: value.end });
      }
    }
  }
  return model;
}

function collectLiterals(node: CNode, out: NamedLiteral[], depth: number): void {
  if (node.kind !== 'object' || depth > 4) return;
  for (const e of node.entries) {
    if (e.value.kind === 'scalar' && typeof e.value.value === 'string') out.push({ name: e.key, value: e.value.value, start: e.value.start, end: e.value.end });
    else if (e.value.kind === 'object') collectLiterals(e.value, out, depth + 1);
  }
}

/** Values that are secrets by the resource's own declaration: a Secrets Manager secret's value, a SecureString parameter. */
function declaredSecret(type: string, name: string, obj: CNode, out: NamedLiteral[]): void {
  const literal = (key: string) => {
    const v = entry(obj, key)?.value;
    return v?.kind === 'scalar' && typeof v.value === 'string' ? v : undefined;
  };
  const v = type === 'aws_secretsmanager_secret_version' ? literal('secret_string')
    : type === 'aws_ssm_parameter' && scalarText(entry(obj, 'type')?.value) === 'SecureString' ? literal('value') : undefined;
  if (v) out.push({ name, value: String(v.value), start: v.start, end: v.end, declared: `the value of \`${name}\`` });
}

function bodyOf(block: Node): Node | undefined {
  return block.namedChildren.find((c) => c?.type === 'body') ?? undefined;
}

function attribute(body: Node, name: string): Node | undefined {
  for (const c of body.namedChildren) {
    if (c?.type === 'attribute' && c.namedChildren[0]?.text === name) return c.namedChildren.find((x) => x?.type === 'expression') ?? undefined;
  }
  return undefined;
}

function childBlocks(body: Node, name: string): Node[] {
  const out: Node[] = [];
  for (const c of body.namedChildren) {
    if (c?.type === 'block' && c.namedChildren[0]?.text === name) {
      const b = bodyOf(c);
      if (b) out.push(b);
    }
  }
  return out;
}

/** A block body as an object: arguments are entries, nested blocks are entries whose value is an object (repeated blocks repeat the key). */
function bodyNode(body: Node, depth: number): Extract<CNode, { kind: 'object' }> {
  const entries: CEntry[] = [];
  for (const c of body.namedChildren) {
    if (!c || (c.type !== 'attribute' && c.type !== 'block')) continue;
    const kids = c.namedChildren;
    const id = kids[0];
    if (!id || id.type !== 'identifier') continue;
    if (c.type === 'attribute') {
      const expr = kids.find((x) => x?.type === 'expression');
      if (expr) entries.push({ key: id.text, keyStart: id.startIndex, keyEnd: id.endIndex, value: evaluate(expr, depth + 1) });
    } else if (c.type === 'block' && depth < MAX_DEPTH) {
      const b = kids.find((x) => x?.type === 'body') ?? undefined;
      if (id.text === 'dynamic') {
        // `dynamic "metadata_options" { ... }`: blocks generated from variables, unknown
        const label = kids.find((x) => x?.type === 'string_lit');
        const name = label ? stringLit(label) : undefined;
        if (name) entries.push({ key: name, keyStart: label!.startIndex, keyEnd: label!.endIndex, value: { kind: 'unknown', start: c.startIndex, end: c.endIndex } });
        continue;
      }
      const value: CNode = b ? bodyNode(b, depth + 1) : { kind: 'object', start: c.endIndex - 1, end: c.endIndex - 1, entries: [] };
      entries.push({ key: id.text, keyStart: id.startIndex, keyEnd: id.endIndex, value: { ...value, start: c.startIndex, end: c.endIndex } });
    }
  }
  return { kind: 'object', start: body.startIndex, end: body.endIndex, entries };
}

/** The value of an HCL expression, as far as the file alone tells. */
export function evaluate(n: Node, depth: number): CNode {
  const start = n.startIndex;
  const end = n.endIndex;
  const unknown: CNode = { kind: 'unknown', start, end };
  if (depth > MAX_DEPTH) return unknown;
  switch (n.type) {
    case 'expression': case 'literal_value': case 'collection_value': case 'template_expr': {
      if (n.namedChildCount === 1) return evaluate(n.namedChild(0)!, depth + 1);
      // `aws_security_group.lb.id`: unknown, but it names a resource of the file
      const [head, type, name] = n.namedChildren;
      if (head?.type === 'variable_expr' && type?.type === 'get_attr' && name?.type === 'get_attr') {
        return { ...unknown, ref: `${head.text}${type.text}${name.text}`.replace(/\s+/g, '').split('.').slice(0, 2).join('.') };
      }
      return unknown;
    }
    case 'string_lit': {
      const s = stringLit(n);
      return s === undefined ? unknown : { kind: 'scalar', start, end, value: s };
    }
    case 'numeric_lit': {
      const v = Number(n.text);
      return Number.isFinite(v) ? { kind: 'scalar', start, end, value: v } : unknown;
    }
    case 'bool_lit':
      return { kind: 'scalar', start, end, value: n.text === 'true' };
    case 'null_lit':
      return { kind: 'scalar', start, end, value: null };
    case 'operation': {
      const u = n.namedChildren[0];
      if (u?.type === 'unary_operation' && u.children[0]?.type === '-' && u.namedChildren.length === 1) {
        const inner = evaluate(u.namedChildren[0]!, depth + 1);
        if (inner.kind === 'scalar' && typeof inner.value === 'number') return { kind: 'scalar', start, end, value: -inner.value };
      }
      return unknown;
    }
    case 'tuple':
      return { kind: 'array', start, end, items: n.namedChildren.filter((c) => c?.type === 'expression').map((c) => evaluate(c!, depth + 1)) };
    case 'object': {
      const entries: CEntry[] = [];
      for (const el of n.namedChildren) {
        if (el?.type !== 'object_elem') continue;
        const [k, v] = el.namedChildren.filter((c) => c?.type === 'expression');
        if (!k || !v) continue;
        const key = objectKey(k);
        if (key === undefined) return unknown;
        entries.push({ key, keyStart: k.startIndex, keyEnd: k.endIndex, value: evaluate(v, depth + 1) });
      }
      return { kind: 'object', start, end, entries };
    }
    case 'function_call': {
      // jsonencode({...}) is read as the value it encodes: the policy arguments' documents
      const name = n.namedChildren[0]?.text;
      const args = n.namedChildren.find((c) => c?.type === 'function_arguments');
      const exprs = args?.namedChildren.filter((c) => c?.type === 'expression') ?? [];
      if (name === 'jsonencode' && exprs.length === 1) return evaluate(exprs[0]!, depth + 1);
      return unknown;
    }
    case 'quoted_template': {
      // `"arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/*"`:
      // the account, partition and region keep an ARN's shape; any other interpolation makes it unknown
      let out = '';
      for (const c of n.namedChildren) {
        if (!c || c.type === 'quoted_template_start' || c.type === 'quoted_template_end') continue;
        if (c.type === 'template_literal') out += c.text;
        else if (c.type === 'template_interpolation' && ACCOUNT_CONTEXT.test(c.text)) out += c.text;
        else return unknown;
      }
      return { kind: 'scalar', start, end, value: out };
    }
    case 'heredoc_template': {
      const parts = n.namedChildren.filter((c) => c?.type !== 'heredoc_start' && c?.type !== 'heredoc_identifier');
      if (parts.every((p) => p?.type === 'template_literal')) {
        return { kind: 'scalar', start, end, value: parts.map((p) => p!.text).join('') };
      }
      return unknown;
    }
    default:
      return unknown;
  }
}

/** An object key: a bare identifier (`Effect = ...`) or a literal string (`"Effect" = ...`). */
function objectKey(k: Node): string | undefined {
  const inner = k.namedChildren[0];
  if (inner?.type === 'variable_expr' && k.namedChildCount === 1) return inner.text;
  if (inner?.type === 'literal_value' && inner.namedChildren[0]?.type === 'string_lit') return stringLit(inner.namedChildren[0]);
  return undefined;
}

/** A quoted string without interpolations or directives, unescaped; undefined when it has any. */
export function stringLit(n: Node): string | undefined {
  let out = '';
  for (const c of n.namedChildren) {
    if (!c || c.type === 'quoted_template_start' || c.type === 'quoted_template_end') continue;
    if (c.type !== 'template_literal') return undefined;
    out += c.text;
  }
  return out.replace(/\\(["\\nrt])|\\u([0-9a-fA-F]{4})|\$\$\{|%%\{/g, (m, e: string | undefined, hex: string | undefined) => {
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    if (e) return e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e;
    return m === '$${' ? '${' : '%{';
  });
}

function addPolicy(model: TerraformModel, body: Node, arg: string, kind: PolicyKind, where: string): void {
  const expr = attribute(body, arg);
  if (!expr) return;
  const doc = policyNode(expr);
  const policy = doc && policyFromNode(doc, kind, where);
  if (policy) model.policies.push(policy);
}

/** The document of a policy argument: `jsonencode({...})`, or heredoc JSON whose interpolations are masked (their strings unknown). */
function policyNode(expr: Node): CNode | undefined {
  const v = evaluate(expr, 0);
  if (v.kind === 'object') return v;
  let heredoc: Node | undefined = expr;
  while (heredoc && heredoc.type !== 'heredoc_template' && heredoc.namedChildCount === 1) heredoc = heredoc.namedChildren[0] ?? undefined;
  if (heredoc?.type !== 'heredoc_template') return undefined;
  const parts = heredoc.namedChildren.filter((c) => c?.type !== 'heredoc_start' && c?.type !== 'heredoc_identifier') as Node[];
  if (parts.length === 0 || parts.some((p) => p.type !== 'template_literal' && p.type !== 'template_interpolation')) return undefined;
  const base = parts[0].startIndex;
  let body = '';
  for (const p of parts) {
    body += ' '.repeat(Math.max(0, p.startIndex - base - body.length));
    // an interpolation becomes a run of a marker character: inside a JSON string it makes that string unknown
    body += p.type === 'template_literal' ? p.text : '\uE000'.repeat(p.endIndex - p.startIndex);
  }
  const { root, errors } = parseJson(body, base);
  if (!root || errors > 0) return undefined;
  return masked(root);
}

/** Strings that contain an interpolation marker are unknown. */
function masked(n: CNode): CNode {
  if (n.kind === 'scalar' && typeof n.value === 'string' && n.value.includes('\uE000')) return { kind: 'unknown', start: n.start, end: n.end };
  if (n.kind === 'array') return { ...n, items: n.items.map(masked) };
  if (n.kind === 'object') return { ...n, entries: n.entries.map((e) => ({ ...e, key: e.key.includes('\uE000') ? '\uE000' : e.key, value: masked(e.value) })) };
  return n;
}

/** `data "aws_iam_policy_document"`: its `statement` blocks in the one statement model. */
function policyDocument(body: Node, where: string): PolicyDoc {
  const obj = bodyNode(body, 0);
  const statements: Statement[] = [];
  for (const e of obj.entries) {
    if (e.key !== 'statement' || e.value.kind !== 'object') continue;
    const s = e.value;
    const effect = entry(s, 'effect');
    const effectText = effect ? scalarText(effect.value) : 'Allow';
    statements.push({
      effect: effectText === 'Allow' || effectText === 'Deny' ? effectText : undefined,
      actions: statementList(entry(s, 'actions')),
      notActions: statementList(entry(s, 'not_actions')),
      resources: statementList(entry(s, 'resources')),
      notResources: statementList(entry(s, 'not_resources')),
      principals: principalBlocks(s, 'principals'),
      notPrincipals: principalBlocks(s, 'not_principals'),
      condition: s.entries.some((c) => c.key === 'condition') ? 'known' : 'none',
      start: e.keyStart,
      end: s.end,
    });
  }
  return { kind: refineKind('unknown', statements), statements, where };
}

function principalBlocks(s: Extract<CNode, { kind: 'object' }>, key: string): PrincipalList | undefined {
  const blocks = s.entries.filter((e) => e.key === key && e.value.kind === 'object');
  if (blocks.length === 0) return undefined;
  const principals: Principal[] = [];
  let unknown = false;
  for (const b of blocks) {
    const type = scalarText(entry(b.value, 'type')?.value);
    const ids = entry(b.value, 'identifiers')?.value;
    const items = ids?.kind === 'array' ? ids.items : ids ? [ids] : [];
    if (type === undefined || ids?.kind === 'unknown') unknown = true;
    for (const i of items) {
      const value = i.kind === 'scalar' && typeof i.value === 'string' ? { value: i.value, start: i.start, end: i.end } : { start: i.start, end: i.end };
      if (value.value === undefined) unknown = true;
      principals.push({ type, value });
    }
  }
  return { principals, unknown, keyStart: blocks[0].keyStart, keyEnd: blocks[0].keyEnd };
}
