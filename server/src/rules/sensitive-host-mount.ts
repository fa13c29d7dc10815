import { defineRule, type ComposeContext, type KubeContext } from '../engine/rule-types';
import { OWASP, type Severity, type TextEdit } from '../engine/types';
import { insertIntoMap, replaceNode } from '../lang/kube/edits';
import { hostAccessSeverity, type PodSpec } from '../lang/kube/kube';
import { boolOf, composeBind, sensitiveHostPath } from '../lang/kube/values';
import { isMap, isScalar, knownString, pairOf, type Scalar } from '../lang/kube/yaml';

/**
 * Host directories that control the node (`/`, `/etc`, `/proc`, `/var/lib/kubelet`...) and container
 * runtime sockets mounted into containers: Kubernetes `hostPath` volumes, compose bind mounts.
 */
export default defineRule({
  meta: {
    id: 'sensitive-host-mount',
    title: 'Sensitive host path mounted into a container',
    description: 'Mounting host system directories or the container runtime\'s socket gives a container the node\'s credentials, configuration and processes; a runtime socket alone is enough to start a privileged container and own the node.',
    cwe: ['CWE-668', 'CWE-732'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 8.1,
    languages: ['yaml'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
  compose: (ctx) => compose(ctx),
});

function message(where: string, path: string, kind: 'socket' | 'directory'): string {
  if (kind === 'socket') return `${where} mounts the container runtime socket \`${path}\`: through it the container can start a privileged container and take over the host (read-only does not help).`;
  return `${where} mounts the host's \`${path}\` writable: it can change the node's files there and take over the host. Mount it read-only, or only what it needs.`;
}

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const pod of ctx.file.model.pods) {
    for (const v of pod.volumes) {
      const path = knownString(v.hostPath);
      const kind = path !== undefined ? sensitiveHostPath(path) : undefined;
      if (!kind || !v.hostPath || !v.name && kind !== 'socket') continue;
      const mounts = pod.containers.flatMap((c) => c.mounts.filter((m) => m.name === v.name));
      const readOnly = mounts.length > 0 && mounts.every((m) => boolOf(m.readOnly?.value) === true);
      // a read-only directory is the safe form this rule asks for; a socket is dangerous either way
      if (kind === 'directory' && readOnly) continue;
      const severity: Severity = kind === 'socket' ? 'error' : 'warning';
      const edits = kind === 'directory' && !readOnly ? readOnlyEdits(ctx, pod, v.name!) : [];
      ctx.report({
        range: file.range(v.hostPath),
        severity: hostAccessSeverity(pod.object, severity),
        message: message(`${pod.object.kind} \`${pod.object.name ?? '?'}\``, path!, kind),
        fixes: edits.length > 0 ? [{ title: 'Mount it read-only (`readOnly: true`)', edits, preferred: true }] : [],
      });
    }
  }
}

/** `readOnly: true` on every mount of the volume that lacks it; nothing when one of them cannot be edited. */
function readOnlyEdits(ctx: KubeContext, pod: PodSpec, volume: string): TextEdit[] {
  const file = ctx.file.yaml;
  const edits: TextEdit[] = [];
  for (const c of pod.containers) {
    for (const m of c.mounts) {
      if (m.name !== volume || boolOf(m.readOnly?.value) === true) continue;
      const edit = m.readOnly
        ? isScalar(m.readOnly.value) ? replaceNode(file, m.readOnly.value, 'true') : undefined
        : insertIntoMap(file, m.map, ['readOnly: true']);
      if (!edit) return [];
      edits.push(edit);
    }
  }
  return edits;
}

function compose(ctx: ComposeContext): void {
  const file = ctx.file.yaml;
  for (const s of ctx.file.services) {
    for (const { node } of s.items('volumes')) {
      let host: string | undefined;
      let readOnly = false;
      let at = node;
      let fix: TextEdit | undefined;
      if (isScalar(node)) {
        const bind = composeBind(knownString(node) ?? '');
        if (!bind) continue;
        host = bind.host;
        readOnly = bind.mode !== undefined && bind.mode.split(',').includes('ro');
        if (bind.mode === undefined) fix = appendRo(ctx, node);
      } else if (isMap(node)) {
        if (knownString(pairOf(s.doc, node, 'type')?.value) !== 'bind') continue;
        const source = pairOf(s.doc, node, 'source')?.value;
        host = knownString(source);
        readOnly = boolOf(pairOf(s.doc, node, 'read_only')?.value) === true;
        if (source) at = source;
        if (!pairOf(s.doc, node, 'read_only')) fix = insertIntoMap(file, node, ['read_only: true']);
      }
      const kind = host !== undefined ? sensitiveHostPath(host) : undefined;
      if (!kind || kind === 'directory' && readOnly) continue;
      const fixes = kind === 'directory' && !readOnly && fix ? [{ title: 'Mount it read-only', edits: [fix], preferred: true }] : [];
      ctx.report({
        range: file.range(at),
        severity: kind === 'socket' ? 'error' : 'warning',
        message: message(`Service \`${s.name}\``, host!, kind),
        fixes,
      });
    }
  }
}

/** `/etc:/host/etc` → `/etc:/host/etc:ro`, inside the quotes when quoted. */
function appendRo(ctx: ComposeContext, node: Scalar): TextEdit | undefined {
  const r = node.range;
  if (!r) return undefined;
  const type = node.type;
  const at = type === 'PLAIN' ? r[1] : type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? r[1] - 1 : -1;
  if (at < 0) return undefined;
  return { range: ctx.file.yaml.rangeOf(at, at), newText: ':ro' };
}
