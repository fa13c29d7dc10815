import { defineRule, type CloudContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { boolOf } from '../lang/cloud/model';
import { label, prop, replaceFix } from './support/cloud';

/** RDS instances with a public address (`publicly_accessible = true`, `PubliclyAccessible: true`). */
export default defineRule({
  meta: {
    id: 'public-database',
    title: 'Database reachable from the internet',
    description: 'An RDS instance that is publicly accessible gets a public IP address and DNS name; only its security group stands between the database and password guessing from the whole internet.',
    cwe: ['CWE-284'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 7.0,
    languages: ['json', 'yaml', 'terraform'],
  },
  cloud: (ctx) => check(ctx),
});

const TYPES = new Set(['aws_db_instance', 'aws_rds_cluster_instance', 'AWS::RDS::DBInstance']);

function check(ctx: CloudContext): void {
  for (const r of ctx.file.resources) {
    if (!TYPES.has(r.type)) continue;
    const p = prop(r, 'publicly_accessible', 'PubliclyAccessible');
    if (!p || boolOf(p.value) !== true) continue;
    ctx.report({
      range: ctx.file.rangeOf(p.value),
      message: `${label(r)} is publicly accessible: it gets a public address, reachable from the internet wherever its security group allows. Keep databases in private subnets and reach them through the VPC.`,
      fixes: replaceFix(ctx.file, p.value, 'Make the database private', 'false'),
    });
  }
}
