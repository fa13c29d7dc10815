import { defineRule, type ComposeContext, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { composeContainerPorts, portOf } from '../lang/kube/values';
import { isMap, isScalar, knownString, pairOf } from '../lang/kube/yaml';
import { dockerfileSshPort } from './dockerfile-image';

/**
 * Port 22 opened on a container: an SSH server inside a container is a second way in, with its own
 * keys and passwords, beside the orchestrator's audited `exec`.
 */
export default defineRule({
  meta: {
    id: 'ssh-port-exposed',
    title: 'SSH port exposed by a container',
    description: 'A container that listens for SSH offers a remote shell with its own credentials, outside the orchestrator\'s access control and audit log; it is a target for password guessing and stolen keys.',
    cwe: ['CWE-749'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 5.3,
    languages: ['yaml', 'dockerfile'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
  compose: (ctx) => compose(ctx),
  dockerfile: (ctx) => dockerfileSshPort(ctx),
});

const MESSAGE = 'Port 22 (SSH) is exposed: an SSH server in a container is a second, unaudited way in. Use `kubectl exec` / `docker exec` for maintenance instead.';

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const c of ctx.file.model.containers) {
    for (const p of c.ports) {
      const v = p.containerPort?.value;
      if (portOf(v) === 22 && v) ctx.report({ range: file.range(v), message: MESSAGE });
    }
  }
}

function compose(ctx: ComposeContext): void {
  const file = ctx.file.yaml;
  for (const s of ctx.file.services) {
    for (const { node } of s.items('ports')) {
      let hit = false;
      let at = node;
      if (isScalar(node)) {
        // written text: YAML 1.1 reads an unquoted `22:22` as a base-60 number
        const spec = typeof node.value === 'number' && node.type === 'PLAIN' ? file.source(node) : knownString(node);
        const range = spec !== undefined ? composeContainerPorts(spec) : undefined;
        hit = range !== undefined && range[0] <= 22 && 22 <= range[1];
      } else if (isMap(node)) {
        const target = pairOf(s.doc, node, 'target');
        hit = portOf(target?.value) === 22;
        if (target?.value) at = target.value;
      }
      if (hit) ctx.report({ range: file.range(at), message: MESSAGE });
    }
  }
}
