import { defineRule, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { isSystemRole, strings } from '../lang/kube/kube';

/** Role and ClusterRole rules with `*` in their verbs, resources or API groups. */
export default defineRule({
  meta: {
    id: 'rbac-wildcard',
    title: 'Wildcard in an RBAC rule',
    description: 'A `*` in a role\'s verbs, resources or API groups grants everything that exists now and everything added later (new resources, CRDs, subresources such as `pods/exec`), far beyond what the workload was meant to do.',
    cwe: ['CWE-269'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 7.2,
    languages: ['yaml'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
});

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const rule of ctx.file.model.rules) {
    if (isSystemRole(rule.object)) continue;
    const fields = { verbs: rule.verbs, resources: rule.resources, apiGroups: rule.apiGroups };
    const stars = Object.entries(fields)
      .map(([field, nodes]) => ({ field, star: strings(nodes).find((s) => s.value === '*') }))
      .filter((x) => x.star)
      .sort((a, b) => (a.star!.node.range?.[0] ?? 0) - (b.star!.node.range?.[0] ?? 0));
    if (stars.length === 0) continue;
    const all = stars.length === 3;
    ctx.report({
      range: file.range(stars[0].star!.node),
      severity: all ? 'error' : 'warning',
      message: all
        ? `${rule.object.kind} \`${rule.object.name ?? '?'}\` grants every verb on every resource of every API group: this is cluster-admin under another name.`
        : `${rule.object.kind} \`${rule.object.name ?? '?'}\` uses \`*\` in its ${stars.map((s) => s.field).join(' and ')}: it grants everything that exists and everything added later. List what is needed.`,
    });
  }
}
