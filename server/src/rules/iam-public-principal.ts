import { defineRule, type CloudContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { publicPrincipal, writesOrAssumes } from './support/iam';

/**
 * `Principal: "*"` (or `{"AWS": "*"}`) allowed without a `Condition` in a trust, queue, topic or
 * other resource policy: anyone, in any AWS account or none, gets the actions. Bucket policies are
 * s3-public-access's.
 */
export default defineRule({
  meta: {
    id: 'iam-public-principal',
    title: 'Policy allows anyone (Principal "*")',
    description: 'A resource or trust policy that allows `Principal: "*"` without a restricting `Condition` grants its actions to every AWS account and to anonymous callers.',
    cwe: ['CWE-284'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 8.0,
    languages: ['json', 'yaml', 'terraform'],
  },
  cloud: (ctx) => check(ctx),
});

function check(ctx: CloudContext): void {
  for (const doc of ctx.file.policies) {
    if (doc.kind === 'bucket') continue;
    for (const s of doc.statements) {
      if (s.effect !== 'Allow' || s.condition !== 'none' || !s.principals) continue;
      const p = publicPrincipal(s.principals);
      if (!p) continue;
      const severe = writesOrAssumes(s);
      const what = doc.kind === 'trust' ? 'can assume this role' : 'gets these actions';
      ctx.report({
        range: ctx.file.rangeOf(p),
        message: `Anyone ${what} (\`${doc.where}\` allows \`Principal: *\` without a \`Condition\`). Name the accounts, roles or services, or add a condition such as \`aws:SourceArn\`, \`aws:SourceAccount\` or \`aws:PrincipalOrgID\`.`,
        severity: severe ? 'error' : 'warning',
      });
    }
  }
}
