import { defineRule, type CloudContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import type { PolicyDoc, PValue } from '../lang/cloud/model';
import { actionMatches, allResources, broadResources, ESCALATIONS, isFullWildcard, known, serviceWildcard } from './support/iam';

/**
 * Action sets that let a principal raise its own permissions (create a policy version, attach a
 * policy, pass a role to a new instance or function...), allowed on broad resources by one document.
 */
export default defineRule({
  meta: {
    id: 'iam-privilege-escalation',
    title: 'IAM policy allows privilege escalation',
    description: 'Some IAM actions, alone or together, let the holder give itself more permissions: attaching or writing policies, creating access keys for others, or passing a privileged role to a new instance or function.',
    cwe: ['CWE-269'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 8.0,
    languages: ['json', 'yaml', 'terraform'],
  },
  cloud: (ctx) => check(ctx),
});

interface Allowed { pattern: string; at: PValue; anyRole: boolean }

function check(ctx: CloudContext): void {
  for (const doc of ctx.file.policies) {
    if (doc.kind === 'trust') continue;
    const { allowed, denied } = actionsOf(doc);
    if (allowed.length === 0) continue;
    const isDenied = (action: string) => denied.some((d) => actionMatches(d, action));
    const findings = new Map<PValue, string[]>();
    const add = (at: PValue, text: string) => {
      const list = findings.get(at) ?? [];
      if (!list.includes(text)) list.push(text);
      findings.set(at, list);
    };
    for (const method of ESCALATIONS) {
      const hits = method.actions.map((action) => (isDenied(action) ? undefined : allowed.find((a) => actionMatches(a.pattern, action))));
      if (hits.some((h) => !h)) continue;
      add(hits[0]!.at, `${method.actions.join(' + ')}: ${method.how}`);
    }
    for (const a of allowed) {
      if (a.anyRole && actionMatches(a.pattern, 'iam:PassRole') && !isDenied('iam:PassRole')) {
        add(a.at, 'iam:PassRole on every role: hands any role, administrators\' included, to the services it can use');
      }
    }
    for (const [at, methods] of findings) {
      ctx.report({
        range: ctx.file.rangeOf(at),
        message: `Privilege escalation through \`${doc.where}\`: ${methods.slice(0, 3).join('; ')}${methods.length > 3 ? `; and ${methods.length - 3} more` : ''}. Restrict the resources (specific roles, users, policies) or drop the actions.`,
      });
    }
  }
}

/**
 * The actions a document allows on broad resources (whole-service wildcards left to
 * iam-wildcard-action and iam-admin-policy), and the ones it denies everywhere.
 */
function actionsOf(doc: PolicyDoc): { allowed: Allowed[]; denied: string[] } {
  const allowed: Allowed[] = [];
  const denied: string[] = [];
  for (const s of doc.statements) {
    if (s.effect === 'Deny' && (allResources(s) || !s.resources) && s.condition === 'none') {
      for (const a of known(s.actions)) denied.push(a.value!);
    }
    if (s.effect !== 'Allow' || !broadResources(s) || s.condition !== 'none') continue;
    const anyRole = !!s.notResources || known(s.resources).some((r) => r.value === '*' || /:role\/\*$/.test(r.value!));
    for (const a of known(s.actions)) {
      if (isFullWildcard(a.value) || serviceWildcard(a.value)) continue;
      allowed.push({ pattern: a.value!, at: a, anyRole });
    }
  }
  return { allowed, denied };
}
