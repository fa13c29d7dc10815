import { defineRule, type CloudContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { allResources, known, PERMISSION_SERVICES, writes } from './support/iam';

/** Write or permissions-management actions allowed on `Resource: "*"` in an identity policy. */
export default defineRule({
  meta: {
    id: 'iam-wildcard-resource',
    title: 'IAM policy allows writes on every resource',
    description: 'Write and permissions-management actions on `Resource: "*"` reach every bucket, table, role or key of the account, not only the ones the holder works with.',
    cwe: ['CWE-732'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 5.5,
    languages: ['json', 'yaml', 'terraform'],
  },
  cloud: (ctx) => check(ctx),
});

function check(ctx: CloudContext): void {
  for (const doc of ctx.file.policies) {
    // in a resource policy, `*` means the resource the policy is attached to
    if (doc.kind !== 'identity' && doc.kind !== 'unknown') continue;
    for (const s of doc.statements) {
      // a condition (tags, the service a role is passed to...) narrows the resources: not judged here
      if (s.effect !== 'Allow' || !allResources(s) || s.condition !== 'none') continue;
      // iam:PassRole on `*` is iam-privilege-escalation's finding
      const writing = known(s.actions).filter((a) => writes(a.value!) && a.value!.toLowerCase() !== 'iam:passrole');
      if (writing.length === 0) continue;
      const names = writing.map((a) => `\`${a.value}\``);
      const permissions = writing.some((a) => PERMISSION_SERVICES.has(a.value!.split(':')[0].toLowerCase()));
      ctx.report({
        range: ctx.file.rangeOf(writing[0]),
        message: `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''} ${writing.length > 1 ? 'are' : 'is'} allowed on \`Resource: "*"\` in \`${doc.where}\`${permissions ? ', which changes permissions anywhere in the account' : ''}. Name the resources (ARNs) the holder writes to, or narrow them with a condition.`,
        // writes to every resource of a data service are broad but often what a controller needs: a hint
        severity: permissions ? 'warning' : 'info',
      });
    }
  }
}
