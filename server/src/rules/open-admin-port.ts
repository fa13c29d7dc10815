import { defineRule, type CloudContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { entry, scalarText, type CloudResource, type CNode } from '../lang/cloud/model';
import { all, label } from './support/cloud';

/** Security group ingress from anywhere (`0.0.0.0/0`, `::/0`) to SSH, RDP or every port. */
export default defineRule({
  meta: {
    id: 'open-admin-port',
    title: 'Administration port open to the internet',
    description: 'A security group that admits `0.0.0.0/0` or `::/0` to SSH (22), RDP (3389) or every port exposes the instances to password guessing and exploits from the whole internet.',
    cwe: ['CWE-284'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 7.5,
    languages: ['json', 'yaml', 'terraform'],
  },
  cloud: (ctx) => check(ctx),
});

interface Ingress { protocol?: CNode; from?: CNode; to?: CNode; cidrs: CNode[] }

const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);
const ADMIN_PORTS: [number, string][] = [[22, 'SSH'], [3389, 'RDP']];

/** Load balancers and the property that lists their security groups. */
const LOAD_BALANCERS: Record<string, string> = {
  aws_lb: 'security_groups', aws_alb: 'security_groups', aws_elb: 'security_groups',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'SecurityGroups', 'AWS::ElasticLoadBalancing::LoadBalancer': 'SecurityGroups',
};

function check(ctx: CloudContext): void {
  const behindLoadBalancer = loadBalancerGroups(ctx);
  for (const r of ctx.file.resources) {
    // a load balancer answers only on its listeners' ports: its group is open to the internet by design
    const group = groupOf(r);
    if (group && behindLoadBalancer.has(group)) continue;
    if (namedForLoadBalancer(r)) continue;
    for (const rule of ingressRules(r)) {
      const open = rule.cidrs.filter((c) => ANYWHERE.has(scalarText(c) ?? ''));
      if (open.length === 0) continue;
      const what = exposed(rule);
      if (!what) continue;
      for (const c of open) {
        ctx.report({
          range: ctx.file.rangeOf(c),
          message: `${label(r)} admits \`${scalarText(c)}\` (the whole internet) to ${what}. Allow a known address range, a VPN or a bastion's security group, or use SSM Session Manager.`,
          severity: what === 'every port' ? 'error' : 'warning',
        });
      }
    }
  }
}

/** What the rule opens: 'every port', 'SSH (port 22)'..., or undefined (other ports, unknown values, ICMP). */
function exposed(rule: Ingress): string | undefined {
  const proto = scalarText(rule.protocol)?.toLowerCase();
  if (proto === '-1' || proto === 'all') return 'every port';
  if (proto !== undefined && !['tcp', 'udp', '6', '17'].includes(proto)) return undefined;
  const from = port(rule.from);
  const to = port(rule.to) ?? from;
  if (from === undefined || to === undefined) return undefined;
  if ((from <= 0 || from === -1) && (to >= 65535 || to === -1)) return 'every port';
  const hits = ADMIN_PORTS.filter(([p]) => from <= p && p <= to);
  if (hits.length === 0) return undefined;
  return hits.map(([p, name]) => `${name} (port ${p})`).join(' and ');
}

function port(n: CNode | undefined): number | undefined {
  const t = scalarText(n);
  if (t === undefined || !/^-?\d+$/.test(t)) return undefined;
  return Number(t);
}

function ingressRules(r: CloudResource): Ingress[] {
  const b = r.body;
  const v = (n: CNode | undefined, key: string) => entry(n, key)?.value;
  const list = (n: CNode | undefined, key: string): CNode[] => {
    const x = v(n, key);
    return x?.kind === 'array' ? x.items : x ? [x] : [];
  };
  const tf = (n: CNode): Ingress => ({ protocol: v(n, 'protocol'), from: v(n, 'from_port'), to: v(n, 'to_port'), cidrs: [...list(n, 'cidr_blocks'), ...list(n, 'ipv6_cidr_blocks')] });
  const cfn = (n: CNode): Ingress => ({ protocol: v(n, 'IpProtocol'), from: v(n, 'FromPort'), to: v(n, 'ToPort'), cidrs: [...list(n, 'CidrIp'), ...list(n, 'CidrIpv6')] });
  switch (r.type) {
    case 'aws_security_group': {
      const blocks = all(b, 'ingress');
      // `ingress = [{...}]`: the attribute form
      const attr = blocks.length === 1 && blocks[0].kind === 'array' ? blocks[0].items : blocks;
      return attr.filter((n) => n.kind === 'object').map(tf);
    }
    case 'aws_security_group_rule':
      return scalarText(v(b, 'type')) === 'ingress' ? [tf(b)] : [];
    case 'aws_vpc_security_group_ingress_rule':
      return [{ protocol: v(b, 'ip_protocol'), from: v(b, 'from_port'), to: v(b, 'to_port'), cidrs: [...list(b, 'cidr_ipv4'), ...list(b, 'cidr_ipv6')] }];
    case 'AWS::EC2::SecurityGroup': {
      const x = v(b, 'SecurityGroupIngress');
      return (x?.kind === 'array' ? x.items : []).filter((n) => n.kind === 'object').map(cfn);
    }
    case 'AWS::EC2::SecurityGroupIngress':
      return [cfn(b)];
    default:
      return [];
  }
}

/** The security groups (Terraform `aws_security_group.x`, CloudFormation logical ids) that load balancers of the file use. */
function loadBalancerGroups(ctx: CloudContext): Set<string> {
  const out = new Set<string>();
  for (const r of ctx.file.resources) {
    const key = LOAD_BALANCERS[r.type];
    const list = key ? entry(r.body, key)?.value : undefined;
    for (const item of list?.kind === 'array' ? list.items : []) if (item.kind === 'unknown' && item.ref) out.add(item.ref);
  }
  return out;
}

/** The security group a resource defines or adds a rule to. */
function groupOf(r: CloudResource): string | undefined {
  if (r.type === 'aws_security_group' || r.type === 'AWS::EC2::SecurityGroup') return r.name;
  const target = entry(r.body, r.source === 'terraform' ? 'security_group_id' : 'GroupId')?.value;
  return target?.kind === 'unknown' ? target.ref : undefined;
}

/**
 * A security group whose name or description says it is a load balancer's (the load balancer is
 * often in another template or module, where this file cannot see it).
 */
function namedForLoadBalancer(r: CloudResource): boolean {
  if (r.type !== 'aws_security_group' && r.type !== 'AWS::EC2::SecurityGroup') return false;
  const texts = [r.name, ...['name', 'description', 'GroupDescription', 'GroupName'].map((k) => scalarText(entry(r.body, k)?.value) ?? '')];
  return texts.some((t) => /load[ _-]?balancer|(^|[^a-z])(alb|elb|nlb|lb)([^a-z]|$)/i.test(t.slice(0, 200)));
}
