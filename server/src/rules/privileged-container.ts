import { defineRule, type ComposeContext, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { replaceNode } from '../lang/kube/edits';
import { hostAccessSeverity } from '../lang/kube/kube';
import { boolOf } from '../lang/kube/values';

/** Containers in privileged mode: Kubernetes `securityContext.privileged`, compose `privileged`. */
export default defineRule({
  meta: {
    id: 'privileged-container',
    title: 'Privileged container',
    description: 'A privileged container has every capability and every host device, with no seccomp or AppArmor confinement: whoever controls it controls the node.',
    cwe: ['CWE-250', 'CWE-269'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 8.8,
    languages: ['yaml'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
  compose: (ctx) => compose(ctx),
});

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const c of ctx.file.model.containers) {
    const s = c.setting('privileged');
    if (!s?.value || boolOf(s.value) !== true) continue;
    const edit = replaceNode(file, s.value, 'false');
    ctx.report({
      range: file.range(s.value),
      severity: hostAccessSeverity(c.pod.object, 'warning'),
      message: `Container \`${c.name ?? '?'}\` is privileged: it has all capabilities and the host's devices, so escaping to the node is trivial. Grant only the capabilities it needs.`,
      fixes: edit ? [{ title: 'Set `privileged: false`', edits: [edit], preferred: true }] : [],
    });
  }
}

function compose(ctx: ComposeContext): void {
  const file = ctx.file.yaml;
  for (const s of ctx.file.services) {
    const v = s.value('privileged');
    if (!v || boolOf(v) !== true) continue;
    const edit = replaceNode(file, v, 'false');
    ctx.report({
      range: file.range(v),
      message: `Service \`${s.name}\` runs privileged: it has all capabilities and the host's devices. Use \`cap_add\` for the few it needs.`,
      fixes: edit ? [{ title: 'Set `privileged: false`', edits: [edit], preferred: true }] : [],
    });
  }
}
