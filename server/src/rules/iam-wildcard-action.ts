import { defineRule, type CloudContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import type { PolicyDoc, Statement } from '../lang/cloud/model';
import { allResources, isFullWildcard, known, serviceWildcard } from './support/iam';

/** `Action: "*"` or a whole service (`s3:*`, `iam:*`) allowed. */
export default defineRule({
  meta: {
    id: 'iam-wildcard-action',
    title: 'IAM policy allows every action of a service',
    description: 'A wildcard action (`*`, `s3:*`, `iam:*`) allows every current and future action of the service, including the destructive and permission-changing ones, where a list of the needed actions would do.',
    cwe: ['CWE-732'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 6.5,
    languages: ['json', 'yaml', 'terraform'],
  },
  cloud: (ctx) => check(ctx),
});

function check(ctx: CloudContext): void {
  for (const doc of ctx.file.policies) {
    for (const s of doc.statements) {
      if (s.effect !== 'Allow' || accountKeyAdmin(doc, s)) continue;
      const everyResource = allResources(s);
      for (const a of known(s.actions)) {
        const full = isFullWildcard(a.value);
        // `*` on `*` is iam-admin-policy's finding
        if (full && everyResource) continue;
        const service = full ? undefined : serviceWildcard(a.value);
        if (!full && !service) continue;
        ctx.report({
          range: ctx.file.rangeOf(a),
          message: full
            ? `\`${doc.where}\` allows every AWS action (\`${a.value}\`) on these resources. List the actions the holder needs.`
            : `\`${doc.where}\` allows every \`${service}\` action (\`${a.value}\`), including the destructive and permission-changing ones. List the actions the holder needs.`,
        });
      }
    }
  }
}

/**
 * AWS's default key policy gives the key's own account `kms:*` (so that IAM policies can grant
 * use of the key): not a wildcard grant to anyone. Unknown principals (`!Join` of the account id) count as the account.
 */
function accountKeyAdmin(doc: PolicyDoc, s: Statement): boolean {
  if (doc.kind !== 'key' || !s.principals) return false;
  return s.principals.principals.every((p) => p.value.value === undefined || /:root$/.test(p.value.value) || /^\d{12}$/.test(p.value.value));
}
