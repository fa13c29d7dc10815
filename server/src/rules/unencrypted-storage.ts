import { defineRule, type CloudContext } from '../engine/rule-types';
import { OWASP, type Fix, type Severity } from '../engine/types';
import { boolOf, entry, scalarText, type CloudResource } from '../lang/cloud/model';
import { insertFix, label, prop, replaceFix } from './support/cloud';

/**
 * Storage without encryption at rest: EBS volumes, RDS instances and clusters, EFS file systems
 * (all unencrypted unless asked), SQS queues with SSE switched off, SNS topics without a KMS key.
 */
export default defineRule({
  meta: {
    id: 'unencrypted-storage',
    title: 'Storage not encrypted at rest',
    description: 'EBS volumes, RDS databases and EFS file systems are created unencrypted unless the template asks for encryption; their snapshots and backups are then unencrypted too.',
    cwe: ['CWE-311'],
    owasp: OWASP.A02,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 5.0,
    languages: ['json', 'yaml', 'terraform'],
  },
  cloud: (ctx) => check(ctx),
});

/**
 * Per resource type: the encryption switch (Terraform, CloudFormation), and the properties that
 * make it moot (encryption inherited from a snapshot or a source, a KMS key that implies it).
 */
interface Kind { tf: string; cfn: string; what: string; article: string; inherit: [string, string][] }
const SWITCHES: Record<string, Kind> = {
  aws_ebs_volume: { tf: 'encrypted', cfn: '', what: 'EBS volume', article: 'an', inherit: [['snapshot_id', ''], ['kms_key_id', '']] },
  'AWS::EC2::Volume': { tf: '', cfn: 'Encrypted', what: 'EBS volume', article: 'an', inherit: [['', 'SnapshotId'], ['', 'KmsKeyId']] },
  aws_db_instance: { tf: 'storage_encrypted', cfn: '', what: 'RDS instance', article: 'an', inherit: [['replicate_source_db', ''], ['snapshot_identifier', ''], ['kms_key_id', ''], ['restore_to_point_in_time', '']] },
  'AWS::RDS::DBInstance': { tf: '', cfn: 'StorageEncrypted', what: 'RDS instance', article: 'an', inherit: [['', 'SourceDBInstanceIdentifier'], ['', 'DBSnapshotIdentifier'], ['', 'DBClusterIdentifier'], ['', 'KmsKeyId'], ['', 'SourceDBClusterIdentifier'], ['', 'SourceDbiResourceId']] },
  aws_rds_cluster: { tf: 'storage_encrypted', cfn: '', what: 'RDS cluster', article: 'an', inherit: [['snapshot_identifier', ''], ['replication_source_identifier', ''], ['global_cluster_identifier', ''], ['kms_key_id', ''], ['restore_to_point_in_time', ''], ['source_region', '']] },
  'AWS::RDS::DBCluster': { tf: '', cfn: 'StorageEncrypted', what: 'RDS cluster', article: 'an', inherit: [['', 'SnapshotIdentifier'], ['', 'SourceDBClusterIdentifier'], ['', 'GlobalClusterIdentifier'], ['', 'KmsKeyId'], ['', 'ReplicationSourceIdentifier']] },
  aws_efs_file_system: { tf: 'encrypted', cfn: '', what: 'EFS file system', article: 'an', inherit: [['kms_key_id', '']] },
  'AWS::EFS::FileSystem': { tf: '', cfn: 'Encrypted', what: 'EFS file system', article: 'an', inherit: [['', 'KmsKeyId']] },
};

function check(ctx: CloudContext): void {
  for (const r of ctx.file.resources) {
    const kind = SWITCHES[r.type];
    if (kind) encryptionSwitch(ctx, r, kind);
    else if (r.type === 'aws_sqs_queue' || r.type === 'AWS::SQS::Queue') queue(ctx, r);
    else if (r.type === 'aws_sns_topic' || r.type === 'AWS::SNS::Topic') topic(ctx, r);
  }
}

function encryptionSwitch(ctx: CloudContext, r: CloudResource, kind: Kind): void {
  const tf = r.source === 'terraform';
  const key = tf ? kind.tf : kind.cfn;
  if (kind.inherit.some(([a, b]) => entry(r.body, tf ? a : b))) return;
  // Aurora Serverless v1 clusters are always encrypted
  if (/serverless/i.test(scalarText(prop(r, 'engine_mode', 'EngineMode')?.value) ?? '')) return;
  // an Aurora cluster member takes the cluster's encryption
  if (r.type === 'aws_db_instance' && /^aurora/i.test(scalarText(entry(r.body, 'engine')?.value) ?? '')) return;
  const e = entry(r.body, key);
  const title = `Encrypt the ${kind.what} (set \`${key}\` to true; AWS replaces an existing resource: review)`;
  if (e) {
    if (boolOf(e.value) !== false) return;
    report(ctx, e.value, `${label(r)} sets \`${key}\` to false: the ${kind.what}, its snapshots and backups are stored unencrypted. Set it to \`true\`.`, 'warning',
      replaceFix(ctx.file, e.value, title, 'true'));
    return;
  }
  ctx.report({
    range: ctx.file.range(r.start, r.end),
    message: `${label(r)} is not encrypted at rest: AWS creates ${kind.article} ${kind.what} unencrypted unless \`${key}\` is true (or the account turns on default encryption). Add \`${key}\`.`,
    fixes: insertFix(ctx.file, r.body, title, key, 'true'),
  });
}

/** SQS queues get SSE-SQS by default (since 2022): only a queue that switches it off without a KMS key is unencrypted. */
function queue(ctx: CloudContext, r: CloudResource): void {
  if (prop(r, 'kms_master_key_id', 'KmsMasterKeyId')) return;
  const e = prop(r, 'sqs_managed_sse_enabled', 'SqsManagedSseEnabled');
  if (!e || boolOf(e.value) !== false) return;
  report(ctx, e.value, `${label(r)} switches off SQS-managed encryption without a KMS key: messages are stored unencrypted. Set it to \`true\` or name a KMS key.`, 'warning',
    replaceFix(ctx.file, e.value, 'Turn SQS-managed encryption on', 'true'));
}

/**
 * SNS stores messages on encrypted disks but offers server-side encryption with KMS only when
 * asked: a topic without a key is a hint, not a warning.
 */
function topic(ctx: CloudContext, r: CloudResource): void {
  const e = prop(r, 'kms_master_key_id', 'KmsMasterKeyId');
  if (e && scalarText(e.value) !== '') return;
  const tf = r.source === 'terraform';
  const key = tf ? 'kms_master_key_id' : 'KmsMasterKeyId';
  const fixes: Fix[] = e ? [] : insertFix(ctx.file, r.body, 'Encrypt with the AWS-managed SNS key (`alias/aws/sns`; review who publishes)', key, tf ? '"alias/aws/sns"' : 'alias/aws/sns');
  ctx.report({
    range: e ? ctx.file.rangeOf(e.value) : ctx.file.range(r.start, r.end),
    message: `${label(r)} has no KMS key: messages are not server-side encrypted with KMS (only disk-level encryption by AWS). Set \`${key}\` (e.g. \`alias/aws/sns\`) if the topic carries sensitive data.`,
    severity: 'info',
    fixes,
  });
}

function report(ctx: CloudContext, node: { start: number; end: number }, message: string, severity: Severity, fixes: Fix[]): void {
  ctx.report({ range: ctx.file.rangeOf(node), message, severity, fixes });
}
