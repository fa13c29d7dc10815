import { defineRule, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { isSystemRole, strings } from '../lang/kube/kube';

/**
 * RBAC permissions that let their holder gain more permissions: `bind`, `escalate`, `impersonate`;
 * creating pods (run any service account's pod); `pods/exec`, `pods/attach`, `nodes/proxy`.
 */
export default defineRule({
  meta: {
    id: 'rbac-privilege-escalation',
    title: 'RBAC permission that escalates privileges',
    description: 'Some permissions are worth more than they look: `bind`/`escalate` grant roles beyond one\'s own, `impersonate` acts as anyone, creating pods or exec-ing into them runs code with other service accounts\' tokens, and `nodes/proxy` reaches the kubelet API.',
    cwe: ['CWE-269'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 7.5,
    languages: ['yaml'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
});

const VERBS: Record<string, string> = {
  bind: 'bind roles it does not hold itself',
  escalate: 'create or change roles to grant permissions it does not hold',
  impersonate: 'act as other users, groups or service accounts',
};
const RESOURCES: Record<string, string> = {
  'pods/exec': 'run commands in any pod in scope, with that pod\'s service account token',
  'pods/attach': 'attach to running containers in scope',
  'nodes/proxy': 'reach the kubelet API on nodes (run commands in any pod on them)',
};

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const rule of ctx.file.model.rules) {
    if (isSystemRole(rule.object)) continue;
    const who = `${rule.object.kind} \`${rule.object.name ?? '?'}\``;
    const verbs = strings(rule.verbs);
    const resources = strings(rule.resources);
    for (const v of verbs) {
      if (VERBS[v.value]) ctx.report({ range: file.range(v.node), message: `${who} can \`${v.value}\`: it may ${VERBS[v.value]}, which escalates to any privilege.` });
    }
    const creates = verbs.some((v) => v.value === 'create');
    for (const r of resources) {
      if (RESOURCES[r.value]) {
        ctx.report({ range: file.range(r.node), message: `${who} grants \`${r.value}\`: it may ${RESOURCES[r.value]}.` });
      } else if (r.value === 'pods' && creates) {
        ctx.report({ range: file.range(r.node), message: `${who} can create pods: a pod can mount any secret and run as any service account in its namespace, so this is every permission those hold.` });
      }
    }
  }
}
