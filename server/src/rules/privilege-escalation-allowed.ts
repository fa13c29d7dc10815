import { defineRule, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { containerAnchor, containerSetting } from '../lang/kube/edits';
import { boolOf } from '../lang/kube/values';
import { isTemplated } from '../lang/kube/yaml';

/** Kubernetes containers whose `allowPrivilegeEscalation` is missing (it defaults to true) or true. */
export default defineRule({
  meta: {
    id: 'privilege-escalation-allowed',
    title: 'Privilege escalation allowed',
    description: 'Without `allowPrivilegeEscalation: false`, a process in the container can gain more privileges than its parent (setuid binaries, file capabilities), turning a foothold into root in the container.',
    cwe: ['CWE-269'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 6.3,
    languages: ['yaml'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
});

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const c of ctx.file.model.containers) {
    const s = c.setting('allowPrivilegeEscalation');
    if (s) {
      if (!s.value || isTemplated(s.value) || boolOf(s.value) !== true) continue;
      const edit = containerSetting(file, c, 'allowPrivilegeEscalation', 'false');
      ctx.report({
        range: file.range(s.value),
        message: `Container \`${c.name ?? '?'}\` allows privilege escalation: setuid binaries and file capabilities can give its processes more privileges than they started with.`,
        fixes: edit ? [{ title: 'Set `allowPrivilegeEscalation: false`', edits: [edit], preferred: true }] : [],
      });
      continue;
    }
    if (c.unknown) continue;
    // privileged containers always escalate: that rule says it better
    if (boolOf(c.setting('privileged')?.value) === true) continue;
    const edit = containerSetting(file, c, 'allowPrivilegeEscalation', 'false');
    ctx.report({
      range: containerAnchor(file, c),
      message: `Container \`${c.name ?? '?'}\` does not set \`allowPrivilegeEscalation: false\` (the default is true): setuid binaries in the image can raise a process's privileges.`,
      fixes: edit ? [{ title: 'Add `allowPrivilegeEscalation: false` to the container\'s securityContext', edits: [edit], preferred: true }] : [],
    });
  }
}
