import { defineRule, type ComposeContext, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { removeItem, replaceNode } from '../lang/kube/edits';
import { isScalar, knownString } from '../lang/kube/yaml';

/**
 * Seccomp switched off: Kubernetes `seccompProfile.type: Unconfined` (pod or container) and the
 * legacy `seccomp.security.alpha.kubernetes.io` annotations; compose `security_opt: [seccomp:unconfined]`.
 */
export default defineRule({
  meta: {
    id: 'seccomp-unconfined',
    title: 'Seccomp profile disabled',
    description: 'An unconfined container can make every system call, including the rarely used ones behind most kernel exploits and container escapes; the runtime\'s default profile blocks them at no cost to ordinary programs.',
    cwe: ['CWE-693'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 5.9,
    languages: ['yaml'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
  compose: (ctx) => compose(ctx),
});

const ANNOTATION = /^(seccomp\.security\.alpha\.kubernetes\.io\/pod|container\.seccomp\.security\.alpha\.kubernetes\.io\/.+)$/;

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const c of ctx.file.model.containers) {
    const s = c.seccomp();
    if (!s?.value || knownString(s.value) !== 'Unconfined') continue;
    // one finding per setting: a pod-level one is seen from each container (same range, kept once)
    const edit = replaceNode(file, s.value, 'RuntimeDefault');
    ctx.report({
      range: file.range(s.value),
      message: `\`seccompProfile.type: Unconfined\` ${s.level === 'pod' ? `turns seccomp off for every container of \`${c.pod.object.name ?? '?'}\`` : `turns seccomp off for container \`${c.name ?? '?'}\``}: every system call is allowed, including those behind kernel exploits.`,
      fixes: edit ? [{ title: 'Use the runtime\'s default profile (`RuntimeDefault`)', edits: [edit], preferred: true }] : [],
    });
  }
  for (const pod of ctx.file.model.pods) {
    for (const p of pod.annotations?.items ?? []) {
      if (!isScalar(p.key) || !ANNOTATION.test(String(p.key.value)) || !isScalar(p.value) || knownString(p.value) !== 'unconfined') continue;
      const edit = replaceNode(file, p.value, 'runtime/default');
      ctx.report({
        range: file.range(p.value),
        message: `The annotation \`${String(p.key.value)}: unconfined\` turns seccomp off: every system call is allowed. (These annotations are deprecated; use \`securityContext.seccompProfile\`.)`,
        fixes: edit ? [{ title: 'Use the runtime\'s default profile (`runtime/default`)', edits: [edit], preferred: true }] : [],
      });
    }
  }
}

function compose(ctx: ComposeContext): void {
  const file = ctx.file.yaml;
  for (const s of ctx.file.services) {
    for (const item of s.items('security_opt')) {
      const opt = knownString(item.node);
      if (opt === undefined || !/^seccomp[:=]unconfined$/i.test(opt.trim())) continue;
      const edit = removeItem(file, item.seq, item.index);
      ctx.report({
        range: file.range(item.node),
        message: `\`${opt}\` turns seccomp off for service \`${s.name}\`: every system call is allowed, including those behind kernel exploits.`,
        fixes: edit ? [{ title: 'Remove it (the default profile applies)', edits: [edit], preferred: true }] : [],
      });
    }
  }
}
