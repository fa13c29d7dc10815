import { defineRule, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { containerAnchor, containerSetting } from '../lang/kube/edits';
import { boolOf } from '../lang/kube/values';
import { isTemplated } from '../lang/kube/yaml';

/**
 * Hardening advice: Kubernetes containers whose root filesystem is writable. Information, not a
 * vulnerability: many images need a writable path, which an `emptyDir` mount provides.
 */
export default defineRule({
  meta: {
    id: 'writable-root-filesystem',
    title: 'Writable root filesystem',
    description: 'A writable root filesystem lets an intruder drop tools, change binaries or plant persistence inside the container; a read-only one, with `emptyDir` mounts where the app writes, takes that away.',
    cwe: ['CWE-732'],
    owasp: OWASP.A05,
    severity: 'info',
    confidence: 'high',
    securitySeverity: 3.5,
    languages: ['yaml'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
});

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const c of ctx.file.model.containers) {
    const s = c.setting('readOnlyRootFilesystem');
    if (s) {
      if (!s.value || isTemplated(s.value) || boolOf(s.value) !== false) continue;
    } else if (c.unknown) {
      continue;
    }
    const edit = containerSetting(file, c, 'readOnlyRootFilesystem', 'true');
    ctx.report({
      range: s?.value ? file.range(s.value) : containerAnchor(file, c),
      message: `Container \`${c.name ?? '?'}\` has a writable root filesystem: an intruder can change its binaries and plant files. Set \`readOnlyRootFilesystem: true\` and mount an \`emptyDir\` where the app must write.`,
      fixes: edit ? [{ title: 'Set `readOnlyRootFilesystem: true` (mount an emptyDir where the app writes)', edits: [edit], preferred: true }] : [],
    });
  }
}
