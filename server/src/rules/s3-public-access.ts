import { defineRule, type CloudContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { boolOf, entry, scalarText, type CloudResource } from '../lang/cloud/model';
import { all, label, prop, replaceFix } from './support/cloud';
import { publicPrincipal, writesOrAssumes } from './support/iam';

/** Public S3 buckets: public canned ACLs, public grants, bucket policies open to anyone, public access blocks switched off. */
export default defineRule({
  meta: {
    id: 's3-public-access',
    title: 'S3 bucket open to the public',
    description: 'A public ACL, a bucket policy that allows `Principal: "*"` without a condition, or a public access block that is switched off lets anyone on the internet read (or write) the bucket.',
    cwe: ['CWE-732', 'CWE-200'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 7.5,
    languages: ['json', 'yaml', 'terraform'],
  },
  cloud: (ctx) => check(ctx),
});

/** Canned ACLs that grant access to everyone (Terraform spelling, CloudFormation spelling). */
const PUBLIC_ACLS: Record<string, { cfn: string; write: boolean }> = {
  'public-read': { cfn: 'PublicRead', write: false },
  'public-read-write': { cfn: 'PublicReadWrite', write: true },
  'authenticated-read': { cfn: 'AuthenticatedRead', write: false },
};
const PUBLIC_GROUPS = /^https?:\/\/acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)$/;

const BLOCK_SETTINGS: [string, string][] = [
  ['block_public_acls', 'BlockPublicAcls'], ['block_public_policy', 'BlockPublicPolicy'],
  ['ignore_public_acls', 'IgnorePublicAcls'], ['restrict_public_buckets', 'RestrictPublicBuckets'],
];

function check(ctx: CloudContext): void {
  const f = ctx.file;
  for (const doc of f.policies) {
    if (doc.kind !== 'bucket') continue;
    for (const s of doc.statements) {
      if (s.effect !== 'Allow' || s.condition !== 'none' || !s.principals) continue;
      const p = publicPrincipal(s.principals);
      if (!p) continue;
      const write = writesOrAssumes(s);
      ctx.report({
        range: f.rangeOf(p),
        message: `Bucket policy \`${doc.where}\` allows anyone (\`Principal: *\`, no \`Condition\`) to ${write ? 'write to or manage' : 'read'} the bucket. Name the principals, or serve public content through CloudFront with origin access control.`,
        severity: write ? 'error' : 'warning',
      });
    }
  }
  for (const r of f.resources) {
    if (r.type === 'aws_s3_bucket' || r.type === 'aws_s3_bucket_acl' || r.type === 'AWS::S3::Bucket') cannedAcl(ctx, r);
    if (r.type === 'aws_s3_bucket_acl') grants(ctx, r);
    if (r.type === 'aws_s3_bucket_public_access_block' || r.type === 'aws_s3_account_public_access_block') {
      blockSettings(ctx, r, r.body);
    } else if (r.type === 'AWS::S3::Bucket') {
      const conf = entry(r.body, 'PublicAccessBlockConfiguration')?.value;
      if (conf?.kind === 'object') blockSettings(ctx, r, conf);
    }
  }
}

function cannedAcl(ctx: CloudContext, r: CloudResource): void {
  const p = prop(r, 'acl', 'AccessControl');
  const v = scalarText(p?.value);
  if (!p || !v) return;
  const tf = r.source === 'terraform';
  const acl = Object.entries(PUBLIC_ACLS).find(([k, x]) => (tf ? k : x.cfn) === v);
  if (!acl) return;
  ctx.report({
    range: ctx.file.rangeOf(p.value),
    message: `${label(r)} has the public ACL \`${v}\`: ${acl[0] === 'authenticated-read' ? 'every AWS account' : 'anyone on the internet'} can ${acl[1].write ? 'read and write' : 'read'} its objects. Use a private ACL (review who needs access first).`,
    severity: acl[1].write ? 'error' : 'warning',
    fixes: replaceFix(ctx.file, p.value, 'Make the ACL private (review who needs access)', tf ? '"private"' : 'Private'),
  });
}

/** `access_control_policy { grant { grantee { type = "Group", uri = ".../AllUsers" } } }` */
function grants(ctx: CloudContext, r: CloudResource): void {
  for (const acp of all(r.body, 'access_control_policy')) {
    for (const g of all(acp, 'grant')) {
      for (const grantee of all(g, 'grantee')) {
        const uri = entry(grantee, 'uri')?.value;
        const m = PUBLIC_GROUPS.exec(scalarText(uri) ?? '');
        if (!uri || !m) continue;
        ctx.report({
          range: ctx.file.rangeOf(uri),
          message: `${label(r)} grants \`${scalarText(entry(g, 'permission')?.value) ?? 'access'}\` to the \`${m[1]}\` group: ${m[1] === 'AllUsers' ? 'anyone on the internet' : 'every AWS account'}. Grant it to specific accounts.`,
        });
      }
    }
  }
}

function blockSettings(ctx: CloudContext, r: CloudResource, body: CloudResource['body']): void {
  const tf = r.source === 'terraform';
  for (const [tfName, cfnName] of BLOCK_SETTINGS) {
    const e = entry(body, tf ? tfName : cfnName);
    if (!e || boolOf(e.value) !== false) continue;
    ctx.report({
      range: ctx.file.rangeOf(e.value),
      message: `${label(r)} switches off \`${tf ? tfName : cfnName}\`: public ACLs or policies on the bucket take effect. Set it to \`true\` unless the bucket is meant to be public.`,
      fixes: replaceFix(ctx.file, e.value, `Set \`${tf ? tfName : cfnName}\` to true`, 'true'),
    });
  }
}
