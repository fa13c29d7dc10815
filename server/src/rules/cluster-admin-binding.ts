import { defineRule, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { knownString } from '../lang/kube/yaml';

/** (Cluster)RoleBindings that grant the `cluster-admin` role to a subject other than Kubernetes' own `system:` ones. */
export default defineRule({
  meta: {
    id: 'cluster-admin-binding',
    title: 'cluster-admin granted to a user, group or service account',
    description: '`cluster-admin` can do anything to any resource: a workload or person bound to it who is compromised hands over the whole cluster, secrets included.',
    cwe: ['CWE-269'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 8.2,
    languages: ['yaml'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
});

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const b of ctx.file.model.bindings) {
    if (knownString(b.roleName) !== 'cluster-admin') continue;
    for (const s of b.subjects) {
      const name = knownString(s.name);
      if (name === undefined || !s.name || name.startsWith('system:')) continue;
      const scope = b.object.kind === 'ClusterRoleBinding' ? 'the whole cluster' : `namespace \`${b.object.namespace ?? '?'}\``;
      ctx.report({
        range: file.range(s.name),
        message: `${b.object.kind} \`${b.object.name ?? '?'}\` gives ${s.kind ?? 'subject'} \`${name}\` \`cluster-admin\` over ${scope}: every permission, secrets included. Bind a role with only what it needs.`,
      });
    }
  }
}
