import { defineRule, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { knownString } from '../lang/kube/yaml';

/** Role bindings whose subjects are anonymous users or every authenticated user. */
export default defineRule({
  meta: {
    id: 'rbac-anonymous-binding',
    title: 'Role bound to anonymous or all authenticated users',
    description: 'Binding a role to `system:anonymous` or `system:unauthenticated` grants it to anyone who can reach the API server; `system:authenticated` grants it to every account, including every service account of every workload.',
    cwe: ['CWE-284'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 8.6,
    languages: ['yaml'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
});

const WHO: Record<string, string> = {
  'system:anonymous': 'anyone who can reach the API server, without credentials',
  'system:unauthenticated': 'anyone who can reach the API server, without credentials',
  'system:authenticated': 'every authenticated account, including every service account of every workload',
};

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const b of ctx.file.model.bindings) {
    // Kubernetes' default bindings (`system:public-info-viewer` to unauthenticated users...) are not the author's
    if ((b.object.name ?? '').startsWith('system:') || (knownString(b.roleName) ?? '').startsWith('system:')) continue;
    for (const s of b.subjects) {
      const name = knownString(s.name);
      if (name === undefined || !s.name || !WHO[name]) continue;
      ctx.report({
        range: file.range(s.name),
        severity: name === 'system:authenticated' ? 'warning' : 'error',
        message: `${b.object.kind} \`${b.object.name ?? '?'}\` grants \`${knownString(b.roleName) ?? '?'}\` to \`${name}\`: ${WHO[name]}.`,
      });
    }
  }
}
