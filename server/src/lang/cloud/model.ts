/**
 * The cloud front's vocabulary. JSON (jsonc-parser), CloudFormation YAML (yaml) and Terraform's
 * `jsonencode({...})`/heredoc JSON all become the same small value tree (`CNode`); policy documents
 * from every source become one statement model; resources become typed records with the properties
 * the rules read. Anything the file cannot resolve (`var.x`, `${...}`, `!Ref`, `!If`) is `unknown`.
 */

/** A node of a document, with its offsets in the file (end exclusive). */
export type CNode =
  | { kind: 'object'; start: number; end: number; entries: CEntry[] }
  | { kind: 'array'; start: number; end: number; items: CNode[] }
  | { kind: 'scalar'; start: number; end: number; value: string | number | boolean | null }
  /** `ref`: the resource a reference names (`!Ref X`, `!GetAtt X.Arn`, `aws_security_group.x.id`), when it is one. */
  | { kind: 'unknown'; start: number; end: number; ref?: string };

export type CObject = Extract<CNode, { kind: 'object' }>;

export interface CEntry { key: string; keyStart: number; keyEnd: number; value: CNode }

/** `{Ref: X}`, `{"Fn::Sub": ...}`: an intrinsic function in its long form, whose value the template cannot tell. */
export function longFormIntrinsic(entries: CEntry[]): boolean {
  return entries.length === 1 && (entries[0].key === 'Ref' || entries[0].key.startsWith('Fn::'));
}

/**
 * A `!Sub`/`Fn::Sub` string whose only variables are pseudo parameters (`${AWS::AccountId}`,
 * `${AWS::Partition}`...): known for the rules' purposes (an ARN pattern keeps its shape).
 */
export function onlyPseudoParameters(s: string): boolean {
  const refs = s.match(/\$\{[^}]{0,200}\}/g) ?? [];
  return refs.every((r) => /^\$\{AWS::(AccountId|Partition|Region|URLSuffix|StackName|StackId)\}$/.test(r) || r.startsWith('${!'));
}

/** An object, or the value of a long-form intrinsic (`{Ref: X}`: unknown; `{"Fn::Sub": "arn:${AWS::Partition}:..."}`: that string). */
export function intrinsicOrObject(entries: CEntry[], start: number, end: number): CNode {
  if (!longFormIntrinsic(entries)) return { kind: 'object', start, end, entries };
  const v = entries[0].value;
  if (entries[0].key === 'Fn::Sub' && v.kind === 'scalar' && typeof v.value === 'string' && onlyPseudoParameters(v.value)) return { ...v, start, end };
  return { kind: 'unknown', start, end, ref: refTarget(entries[0].key, v) };
}

/** The logical id that `Ref`/`Fn::GetAtt` (long or short form) names. */
export function refTarget(fn: string, v: CNode): string | undefined {
  if (fn === 'Ref' && v.kind === 'scalar' && typeof v.value === 'string') return v.value;
  if (fn === 'Fn::GetAtt' || fn === 'GetAtt') {
    if (v.kind === 'scalar' && typeof v.value === 'string') return v.value.split('.')[0];
    if (v.kind === 'array' && v.items[0]?.kind === 'scalar' && typeof v.items[0].value === 'string') return v.items[0].value;
  }
  return undefined;
}

export function entry(node: CNode | undefined, key: string): CEntry | undefined {
  if (node?.kind !== 'object') return undefined;
  for (const e of node.entries) if (e.key === key) return e;
  return undefined;
}

export function child(node: CNode | undefined, key: string): CNode | undefined {
  return entry(node, key)?.value;
}

/** A scalar's value as a string (numbers and booleans spelled out); undefined when not a known scalar. */
export function scalarText(node: CNode | undefined): string | undefined {
  if (node?.kind !== 'scalar' || node.value === null) return undefined;
  return String(node.value);
}

/** `true`/`false` (also the strings "true"/"false", as CloudFormation and Terraform accept them); undefined otherwise. */
export function boolOf(node: CNode | undefined): boolean | undefined {
  if (node?.kind !== 'scalar') return undefined;
  if (node.value === true || node.value === false) return node.value;
  if (typeof node.value === 'string') {
    const v = node.value.toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
  }
  return undefined;
}

// ---- policies ----

/** One value of a policy element: a known string, or unknown (`value` undefined). */
export interface PValue { value?: string; start: number; end: number }

/** A list element (`Action`, `Resource`, ...): its values, and whether some part of it is unknown. */
export interface PList { values: PValue[]; unknown: boolean; keyStart: number; keyEnd: number; start: number; end: number }

export interface Principal { type: string | undefined; value: PValue }

export interface PrincipalList { principals: Principal[]; unknown: boolean; keyStart: number; keyEnd: number }

export interface Statement {
  /** 'Allow', 'Deny', or undefined when unknown. */
  effect: 'Allow' | 'Deny' | undefined;
  actions?: PList;
  notActions?: PList;
  resources?: PList;
  notResources?: PList;
  principals?: PrincipalList;
  notPrincipals?: PrincipalList;
  /** 'none' without a Condition; 'known' with one; 'unknown' when it cannot be read (`!If`, a variable). */
  condition: 'none' | 'known' | 'unknown';
  start: number;
  end: number;
}

/**
 * Where a policy applies: identity (attached to a user, group or role), trust (a role's
 * assume-role policy), a resource policy (bucket, queue, topic, KMS key), or unknown (a standalone document).
 */
export type PolicyKind = 'identity' | 'trust' | 'bucket' | 'queue' | 'topic' | 'key' | 'resource' | 'unknown';

export interface PolicyDoc {
  kind: PolicyKind;
  statements: Statement[];
  /** The document as written (for messages): e.g. `aws_iam_policy.admin` or `Resources.AdminPolicy`. */
  where: string;
}

// ---- resources ----

export type Source = 'terraform' | 'cloudformation';

export interface CloudResource {
  source: Source;
  /** `aws_db_instance` or `AWS::RDS::DBInstance`. */
  type: string;
  /** `aws_db_instance.main` or `MyDatabase` (the logical id). */
  name: string;
  /** The header: Terraform's `resource "type" "name"` labels, CloudFormation's logical id key. */
  start: number;
  end: number;
  /** The properties (Terraform: the block body, nested blocks as objects; CloudFormation: `Properties`). */
  body: CObject;
}

/** A literal value bound to a name (a property, a provider argument, a parameter default), for the secrets detector. */
export interface NamedLiteral {
  name: string;
  value: string;
  start: number;
  end: number;
  /** Declared secret by the file itself (`the NoEcho parameter \`X\``, `a SecureString parameter`): any real-looking value is one. */
  declared?: string;
}
