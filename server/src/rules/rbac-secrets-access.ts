import { defineRule, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { isSystemRole, strings } from '../lang/kube/kube';
import { pairOf } from '../lang/kube/yaml';

/** Roles that can read Secrets (`get`, `list`, `watch` or `*` on `secrets`), not narrowed by `resourceNames`. */
export default defineRule({
  meta: {
    id: 'rbac-secrets-access',
    title: 'Role can read Secrets',
    description: 'Reading Secrets gives every credential in their scope (database passwords, API keys, service account tokens); `list` and `watch` return them all at once. Whoever holds the role, or compromises a pod bound to it, holds them too.',
    cwe: ['CWE-285'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 6.5,
    languages: ['yaml'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
});

const READ = new Set(['get', 'list', 'watch', '*']);

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const rule of ctx.file.model.rules) {
    if (isSystemRole(rule.object)) continue;
    // narrowed to named secrets: the documented least-privilege form
    if (pairOf(rule.object.doc, rule.map, 'resourceNames')) continue;
    const secrets = strings(rule.resources).find((r) => r.value === 'secrets');
    if (!secrets) continue;
    const groups = strings(rule.apiGroups).map((g) => g.value);
    if (!groups.includes('') && !groups.includes('*')) continue;
    const verbs = strings(rule.verbs).map((v) => v.value).filter((v) => READ.has(v));
    if (verbs.length === 0) continue;
    const scope = rule.object.kind === 'ClusterRole' ? 'in every namespace it is bound for' : rule.object.namespace ? `in namespace \`${rule.object.namespace}\`` : 'in its namespace';
    ctx.report({
      range: file.range(secrets.node),
      message: `${rule.object.kind} \`${rule.object.name ?? '?'}\` can ${verbs.includes('*') ? 'do anything with' : verbs.join('/')} Secrets ${scope}: every credential stored there. Narrow it with \`resourceNames\` or mount the one secret the workload needs.`,
    });
  }
}
