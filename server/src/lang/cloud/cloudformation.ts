import { boolOf, child, entry, scalarText, type CloudResource, type CNode, type NamedLiteral, type PolicyDoc, type PolicyKind } from './model';
import { policyFromNode } from './policy';

/**
 * The CloudFormation part of the cloud front: a template's value tree (from JSON or YAML) to
 * resources, the policy documents inside them, and literal properties and parameter defaults.
 */

export interface TemplateModel {
  resources: CloudResource[];
  policies: PolicyDoc[];
  literals: NamedLiteral[];
}

const MAX_RESOURCES = 10_000;

/** Is this JSON value a CloudFormation template? */
export function isTemplate(root: CNode | undefined): boolean {
  if (root?.kind !== 'object') return false;
  if (entry(root, 'AWSTemplateFormatVersion')) return true;
  const res = child(root, 'Resources');
  return res?.kind === 'object' && res.entries.some((e) => (scalarText(child(e.value, 'Type')) ?? '').startsWith('AWS::'));
}

/** Policy documents in a resource's properties: [path to the document, kind]. */
const POLICY_PROPS: Record<string, [string, PolicyKind][]> = {
  'AWS::IAM::Policy': [['PolicyDocument', 'identity']],
  'AWS::IAM::ManagedPolicy': [['PolicyDocument', 'identity']],
  'AWS::IAM::Role': [['AssumeRolePolicyDocument', 'trust']],
  'AWS::IAM::User': [],
  'AWS::IAM::Group': [],
  'AWS::S3::BucketPolicy': [['PolicyDocument', 'bucket']],
  'AWS::SQS::QueuePolicy': [['PolicyDocument', 'queue']],
  'AWS::SNS::TopicPolicy': [['PolicyDocument', 'topic']],
  'AWS::KMS::Key': [['KeyPolicy', 'key']],
  'AWS::ECR::Repository': [['RepositoryPolicyText', 'resource']],
};

/** Resource types whose `Policies: [{PolicyDocument}]` are inline identity policies. */
const INLINE_POLICIES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);

export function templateModel(root: CNode): TemplateModel {
  const model: TemplateModel = { resources: [], policies: [], literals: [] };
  const resources = child(root, 'Resources');
  if (resources?.kind === 'object') {
    for (const e of resources.entries.slice(0, MAX_RESOURCES)) {
      const type = scalarText(child(e.value, 'Type'));
      if (!type) continue;
      const props = child(e.value, 'Properties');
      const body = props?.kind === 'object' ? props : { kind: 'object' as const, start: e.value.start, end: e.value.start, entries: [] };
      model.resources.push({ source: 'cloudformation', type, name: e.key, start: e.keyStart, end: e.keyEnd, body });
      for (const [prop, kind] of POLICY_PROPS[type] ?? []) {
        const doc = policyFromNode(child(body, prop), kind, e.key);
        if (doc) model.policies.push(doc);
      }
      if (type === 'AWS::Serverless::Function' || type === 'AWS::Serverless::StateMachine') {
        // SAM: `Policies:` mixes policy templates, managed policy names and inline documents (`- Statement: ...`)
        const list = child(body, 'Policies');
        for (const p of list?.kind === 'array' ? list.items : list?.kind === 'object' ? [list] : []) {
          const doc = policyFromNode(p, 'identity', e.key);
          if (doc) model.policies.push(doc);
        }
      }
      if (INLINE_POLICIES.has(type)) {
        const list = child(body, 'Policies');
        for (const p of list?.kind === 'array' ? list.items : []) {
          const doc = policyFromNode(child(p, 'PolicyDocument'), 'identity', e.key);
          if (doc) model.policies.push(doc);
        }
      }
      for (const p of body.entries) {
        if (p.value.kind === 'scalar' && typeof p.value.value === 'string') {
          model.literals.push({ name: p.key, value: p.value.value, start: p.value.start, end: p.value.end });
        }
      }
    }
  }
  const params = child(root, 'Parameters');
  if (params?.kind === 'object') {
    for (const p of params.entries) {
      const def = child(p.value, 'Default');
      if (def?.kind !== 'scalar' || typeof def.value !== 'string') continue;
      const noEcho = boolOf(child(p.value, 'NoEcho')) === true;
      model.literals.push({ name: p.key, value: def.value, start: def.start, end: def.end, ...(noEcho ? { declared: `the default of the NoEcho parameter \`${p.key}\`` } : {}) });
    }
  }
  return model;
}
