import { defineRule, type CloudContext } from '../engine/rule-types';
import { OWASP, type Fix } from '../engine/types';
import { entry, scalarText, type CloudResource, type CNode } from '../lang/cloud/model';
import { insertFix, label, replaceFix } from './support/cloud';

/**
 * EC2 instances and launch templates that allow IMDSv1 (`http_tokens = "optional"`): an SSRF in any
 * application on the instance can read the role's credentials with one GET.
 */
export default defineRule({
  meta: {
    id: 'instance-metadata-v1',
    title: 'EC2 instance metadata allows IMDSv1',
    description: 'With IMDSv1 allowed, a server-side request forgery in any application on the instance reads the instance role\'s credentials from http://169.254.169.254 with a plain GET; IMDSv2 requires a session token that such requests cannot get.',
    cwe: ['CWE-918', 'CWE-1188'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 6.5,
    languages: ['json', 'yaml', 'terraform'],
  },
  cloud: (ctx) => check(ctx),
});

function check(ctx: CloudContext): void {
  for (const r of ctx.file.resources) {
    if (r.type === 'aws_instance' || r.type === 'aws_launch_template') terraform(ctx, r);
    else if (r.type === 'AWS::EC2::LaunchTemplate') {
      const data = entry(r.body, 'LaunchTemplateData')?.value;
      if (data?.kind === 'object') options(ctx, r, data, entry(data, 'MetadataOptions')?.value, 'HttpTokens', 'HttpEndpoint');
    }
  }
}

function terraform(ctx: CloudContext, r: CloudResource): void {
  const blocks = r.body.entries.filter((e) => e.key === 'metadata_options');
  if (blocks.length > 1 || blocks[0]?.value.kind === 'unknown') return; // several, or a `dynamic` block
  options(ctx, r, r.body, blocks[0]?.value, 'http_tokens', 'http_endpoint');
}

/** `metadata` is the metadata options (absent when not set), `parent` where they would go. */
function options(ctx: CloudContext, r: CloudResource, parent: CNode, metadata: CNode | undefined, tokensKey: string, endpointKey: string): void {
  const f = ctx.file;
  const tf = r.source === 'terraform';
  if (metadata && metadata.kind !== 'object') return;
  if (scalarText(entry(metadata, endpointKey)?.value) === 'disabled') return;
  const tokens = entry(metadata, tokensKey);
  const required = tf ? '"required"' : 'required';
  if (tokens) {
    if (scalarText(tokens.value) !== 'optional') return;
    ctx.report({
      range: f.rangeOf(tokens.value),
      message: `${label(r)} allows IMDSv1 (\`${tokensKey}\` is \`optional\`): an SSRF on the instance can read its role credentials. Require IMDSv2 tokens.`,
      fixes: replaceFix(f, tokens.value, 'Require IMDSv2 (`required`; check that the software on the instance uses IMDSv2)', required),
    });
    return;
  }
  // unset: the AMI (ImdsSupport v2.0) or the account's default decides; many AMIs still allow IMDSv1
  let fixes: Fix[] = [];
  const title = 'Require IMDSv2 (check that the software on the instance uses IMDSv2)';
  if (metadata) fixes = insertFix(f, metadata, title, tokensKey, required);
  else if (tf) fixes = blockFix(ctx, parent, title);
  ctx.report({
    range: f.range(r.start, r.end),
    message: `${label(r)} does not require IMDSv2: whether IMDSv1 is allowed depends on the AMI and the account's defaults. Set \`${tokensKey}\` to \`required\`.`,
    severity: 'info',
    fixes,
  });
}

/** A `metadata_options { http_tokens = "required" }` block after the resource's last argument (two-space steps, as `terraform fmt` writes). */
function blockFix(ctx: CloudContext, parent: CNode, title: string): Fix[] {
  const at = ctx.file.insertion(parent);
  if (!at) return [];
  const pos = ctx.file.range(at.offset, at.offset).start;
  const inner = at.indent + (at.indent.includes('\t') ? '\t' : '  ');
  return [{ title, edits: [{ range: { start: pos, end: pos }, newText: ['', '', `${at.indent}metadata_options {`, `${inner}http_tokens = "required"`, `${at.indent}}`].join(ctx.file.eol) }], preferred: true }];
}
