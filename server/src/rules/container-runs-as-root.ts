import { defineRule, type ComposeContext, type KubeContext } from '../engine/rule-types';
import { OWASP, type Fix } from '../engine/types';
import { containerAnchor, containerSetting } from '../lang/kube/edits';
import { boolOf, isRootUser } from '../lang/kube/values';
import { isTemplated, known, knownString } from '../lang/kube/yaml';
import { dockerfileRunsAsRoot } from './dockerfile-image';

/**
 * Containers that run as root: Kubernetes containers whose effective security context (container
 * over pod) neither requires a non-root user nor sets a non-zero UID, or sets UID 0; compose
 * services with `user: root`.
 */
export default defineRule({
  meta: {
    id: 'container-runs-as-root',
    title: 'Container runs as root',
    description: 'A process running as root inside a container is root on the host as soon as it escapes the container (a kernel or runtime bug, a writable host mount); a non-root user takes that step away.',
    cwe: ['CWE-250'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 6.5,
    languages: ['yaml', 'dockerfile'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
  compose: (ctx) => compose(ctx),
  dockerfile: (ctx) => dockerfileRunsAsRoot(ctx),
});

// ---- Kubernetes ----

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const c of ctx.file.model.containers) {
    const user = c.setting('runAsUser');
    const nonRoot = c.setting('runAsNonRoot');
    if (isTemplated(user?.value) || isTemplated(nonRoot?.value)) continue;
    const uid = known(user?.value);
    const where = (s: { level: string }) => (s.level === 'pod' ? 'the pod\'s securityContext' : 'its securityContext');
    if (user && uid === 0) {
      ctx.report({
        range: file.range(user.value ?? user.pair.key),
        message: `Container \`${c.name ?? '?'}\` runs as root: \`runAsUser: 0\` in ${where(user)}. Use a non-zero UID.`,
      });
      continue;
    }
    if (typeof uid === 'number' && uid > 0) continue;
    const nr = boolOf(nonRoot?.value);
    if (nr === true) continue;
    if (nonRoot && nr === false) {
      const fix = nonRoot.level === 'container' && nonRoot.value ? containerSetting(file, c, 'runAsNonRoot', 'true') : undefined;
      ctx.report({
        range: file.range(nonRoot.value ?? nonRoot.pair.key),
        message: `Container \`${c.name ?? '?'}\` may run as root: \`runAsNonRoot: false\` and no non-zero \`runAsUser\`.`,
        fixes: fix ? [{ title: 'Set `runAsNonRoot: true`', edits: [fix], preferred: true }] : [],
      });
      continue;
    }
    // absent (or a value the file does not know): only a finding when nothing can be injected
    if (c.unknown || nonRoot || user) continue;
    const edit = containerSetting(file, c, 'runAsNonRoot', 'true');
    const fixes: Fix[] = edit ? [{ title: 'Add `runAsNonRoot: true` to the container\'s securityContext', edits: [edit], preferred: true }] : [];
    ctx.report({
      range: containerAnchor(file, c),
      message: `Container \`${c.name ?? '?'}\` may run as root: neither it nor its pod sets \`runAsNonRoot: true\` or a non-zero \`runAsUser\`, so the image's user (often root) is used.`,
      confidence: 'medium',
      fixes,
    });
  }
}

// ---- compose ----

function compose(ctx: ComposeContext): void {
  const file = ctx.file.yaml;
  for (const s of ctx.file.services) {
    const pair = s.pair('user');
    const user = knownString(s.value('user'));
    if (!pair || user === undefined || !isRootUser(user)) continue;
    ctx.report({
      range: file.range(s.value('user') ?? pair.key),
      message: `Service \`${s.name}\` runs as root (\`user: ${user}\`). Run it as an unprivileged user.`,
    });
  }
}
