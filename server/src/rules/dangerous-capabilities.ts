import { defineRule, type ComposeContext, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { removeItem } from '../lang/kube/edits';
import { hostAccessSeverity } from '../lang/kube/kube';
import { knownString, type SeqItem } from '../lang/kube/yaml';

/** Linux capabilities that break container isolation, added in Kubernetes `capabilities.add` or compose `cap_add`. */
export default defineRule({
  meta: {
    id: 'dangerous-capabilities',
    title: 'Dangerous Linux capability added',
    description: 'Capabilities such as SYS_ADMIN, SYS_MODULE, SYS_PTRACE or NET_ADMIN give a container kernel powers (mounting, loading modules, tracing host processes, reconfiguring the network) that are enough to escape it.',
    cwe: ['CWE-250'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 7.8,
    languages: ['yaml'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
  compose: (ctx) => compose(ctx),
});

const WHY: Record<string, string> = {
  ALL: 'every capability, as much as a privileged container short of devices',
  SYS_ADMIN: 'mount filesystems, use namespaces and many admin calls: the usual container-escape capability',
  NET_ADMIN: 'reconfigure interfaces, routes and firewall rules, and sniff or redirect traffic',
  SYS_MODULE: 'load kernel modules, i.e. run code in the host kernel',
  SYS_PTRACE: 'trace and inject code into other processes',
  SYS_RAWIO: 'raw access to I/O ports and devices',
  SYS_BOOT: 'reboot the host',
  DAC_READ_SEARCH: 'bypass file read permissions (and open host files by handle)',
  BPF: 'load eBPF programs into the kernel',
};

/** The capability's canonical name (`CAP_SYS_ADMIN`, `sys_admin` → `SYS_ADMIN`) when it is dangerous. */
function dangerous(node: SeqItem['node']): string | undefined {
  const raw = knownString(node);
  if (raw === undefined) return undefined;
  const name = raw.trim().toUpperCase().replace(/^CAP_/, '');
  return WHY[name] ? name : undefined;
}

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const c of ctx.file.model.containers) {
    for (const item of c.capabilitiesAdd) {
      const name = dangerous(item.node);
      if (!name) continue;
      const edit = removeItem(file, item.seq, item.index);
      ctx.report({
        range: file.range(item.node),
        severity: hostAccessSeverity(c.pod.object, 'warning'),
        message: `Container \`${c.name ?? '?'}\` adds \`${name}\`: ${WHY[name]}.`,
        fixes: edit ? [{ title: `Remove \`${name}\``, edits: [edit], preferred: true }] : [],
      });
    }
  }
}

function compose(ctx: ComposeContext): void {
  const file = ctx.file.yaml;
  for (const s of ctx.file.services) {
    for (const item of s.items('cap_add')) {
      const name = dangerous(item.node);
      if (!name) continue;
      const edit = removeItem(file, item.seq, item.index);
      ctx.report({
        range: file.range(item.node),
        message: `Service \`${s.name}\` adds \`${name}\`: ${WHY[name]}.`,
        fixes: edit ? [{ title: `Remove \`${name}\``, edits: [edit], preferred: true }] : [],
      });
    }
  }
}
