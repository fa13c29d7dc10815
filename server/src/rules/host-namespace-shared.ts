import { defineRule, type ComposeContext, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { removePair } from '../lang/kube/edits';
import { hostAccessSeverity } from '../lang/kube/kube';
import { boolOf } from '../lang/kube/values';
import { knownString, pairOf } from '../lang/kube/yaml';

/** Pods and services that share the host's process, IPC or network namespace. */
export default defineRule({
  meta: {
    id: 'host-namespace-shared',
    title: 'Host namespace shared with a container',
    description: 'Sharing the host\'s PID, IPC or network namespace lets a container see and signal host processes, read shared memory, or sniff and bind host network traffic (including localhost-only services).',
    cwe: ['CWE-668'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 7.1,
    languages: ['yaml'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
  compose: (ctx) => compose(ctx),
});

const WHAT: Record<string, string> = {
  hostPID: 'the host\'s process namespace: it sees every process on the node and can signal or ptrace them',
  hostIPC: 'the host\'s IPC namespace: it can read and write the host\'s shared memory',
  hostNetwork: 'the host\'s network namespace: it can bind host ports, reach localhost-only services and sniff node traffic',
  pid: 'the host\'s process namespace: it sees every process on the host',
  ipc: 'the host\'s IPC namespace: it can read and write the host\'s shared memory',
  network_mode: 'the host\'s network: it can reach localhost-only services and bind any host port',
};

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const pod of ctx.file.model.pods) {
    for (const key of ['hostPID', 'hostIPC', 'hostNetwork']) {
      const pair = pairOf(pod.object.doc, pod.map, key);
      const v = pair?.value;
      if (!pair || !v || boolOf(v) !== true) continue;
      const edit = removePair(file, pair);
      ctx.report({
        range: file.range(v),
        severity: hostAccessSeverity(pod.object, 'warning'),
        message: `\`${key}: true\` gives ${pod.object.kind} \`${pod.object.name ?? '?'}\` ${WHAT[key]}.`,
        fixes: edit ? [{ title: `Remove \`${key}: true\``, edits: [edit], preferred: true }] : [],
      });
    }
  }
}

function compose(ctx: ComposeContext): void {
  const file = ctx.file.yaml;
  for (const s of ctx.file.services) {
    for (const key of ['pid', 'ipc', 'network_mode']) {
      const pair = s.pair(key);
      const v = s.value(key);
      if (!pair || !v || knownString(v) !== 'host') continue;
      const edit = removePair(file, pair);
      ctx.report({
        range: file.range(v),
        message: `\`${key}: host\` gives service \`${s.name}\` ${WHAT[key]}.`,
        fixes: edit ? [{ title: `Remove \`${key}: host\``, edits: [edit], preferred: true }] : [],
      });
    }
  }
}
