import { defineRule, type CloudContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';

/** `Allow` with `NotAction`, `NotResource` or `NotPrincipal`: everything except a list. */
export default defineRule({
  meta: {
    id: 'iam-not-action',
    title: 'IAM policy allows everything except a list',
    description: '`NotAction`, `NotResource` and `NotPrincipal` in an `Allow` statement grant everything that is not listed, including actions, resources and principals AWS adds later.',
    cwe: ['CWE-732'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 6.0,
    languages: ['json', 'yaml', 'terraform'],
  },
  cloud: (ctx) => check(ctx),
});

const WHAT: Record<string, string> = {
  NotAction: 'every action except the listed ones (and every action AWS adds later)',
  NotResource: 'the actions on every resource except the listed ones',
  NotPrincipal: 'every principal except the listed ones, anonymous users included',
};

function check(ctx: CloudContext): void {
  const f = ctx.file;
  for (const doc of f.policies) {
    for (const s of doc.statements) {
      if (s.effect !== 'Allow') continue;
      for (const [name, el] of [['NotAction', s.notActions], ['NotResource', s.notResources], ['NotPrincipal', s.notPrincipals]] as const) {
        if (!el) continue;
        const key = f.text.slice(el.keyStart, el.keyEnd).replace(/^["']|["']$/g, '');
        ctx.report({
          range: f.range(el.keyStart, el.keyEnd),
          message: `\`${key}\` with \`Allow\` in \`${doc.where}\` grants ${WHAT[name]}. Allow an explicit list instead, or use \`${name}\` only in a \`Deny\`.`,
        });
      }
    }
  }
}
