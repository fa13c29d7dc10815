import { defineRule, type CloudContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { allResources, isFullWildcard, known } from './support/iam';

/** `Allow` of every action on every resource: the policy makes its holder an administrator. */
export default defineRule({
  meta: {
    id: 'iam-admin-policy',
    title: 'IAM policy grants full administrator access',
    description: 'A statement that allows `Action: "*"` on `Resource: "*"` gives whoever holds the policy every permission in the account, including changing its own permissions.',
    cwe: ['CWE-269'],
    owasp: OWASP.A01,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 9.0,
    languages: ['json', 'yaml', 'terraform'],
  },
  cloud: (ctx) => check(ctx),
});

function check(ctx: CloudContext): void {
  for (const doc of ctx.file.policies) {
    for (const s of doc.statements) {
      if (s.effect !== 'Allow' || !allResources(s)) continue;
      const star = known(s.actions).find((a) => isFullWildcard(a.value));
      if (!star) continue;
      ctx.report({
        range: ctx.file.rangeOf(star),
        message: `Full administrator access: \`${doc.where}\` allows every action on every resource. Grant the actions and resources the holder needs (AWS's managed job-function policies are a start).`,
      });
    }
  }
}
