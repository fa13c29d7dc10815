import type { CloudFile } from '../../lang/cloud/front';
import { entry, type CloudResource, type CNode } from '../../lang/cloud/model';
import type { Fix } from '../../engine/types';

/**
 * Helpers the AWS resource rules share: a property by its Terraform or CloudFormation name, and
 * fixes that replace one value or add one property beside its siblings (never a re-serialised document).
 */

/** The resource's property `tf` (Terraform) or `cfn` (CloudFormation), with its key. */
export function prop(r: CloudResource, tf: string, cfn: string): { key: string; keyStart: number; keyEnd: number; value: CNode } | undefined {
  return entry(r.body, r.source === 'terraform' ? tf : cfn);
}

/** All nested values under a key (Terraform repeats blocks: `ingress {}` `ingress {}`). */
export function all(node: CNode | undefined, key: string): CNode[] {
  if (node?.kind !== 'object') return [];
  return node.entries.filter((e) => e.key === key).map((e) => e.value);
}

/** Replace a value: `newText` is written as is (Terraform and YAML spell booleans and quoted strings alike). */
export function replaceFix(file: CloudFile, node: CNode, title: string, newText: string): Fix[] {
  if (!file.style) return [];
  return [{ title, edits: [{ range: file.rangeOf(node), newText }], preferred: true }];
}

/**
 * Add `key = value` (HCL) or `Key: value` (YAML) as the last property of `obj`, indented like its
 * siblings. No fix when the layout does not say where it goes.
 */
export function insertFix(file: CloudFile, obj: CNode, title: string, key: string, value: string): Fix[] {
  const at = file.insertion(obj);
  if (!at) return [];
  const line = file.style === 'hcl' ? `${key} = ${value}` : `${key}: ${value}`;
  const pos = file.range(at.offset, at.offset).start;
  return [{ title, edits: [{ range: { start: pos, end: pos }, newText: `${file.eol}${at.indent}${line}` }], preferred: true }];
}

/** `aws_db_instance.main` / `MyDatabase (AWS::RDS::DBInstance)`. */
export function label(r: CloudResource): string {
  return r.source === 'terraform' ? `\`${r.name}\`` : `\`${r.name}\` (${r.type})`;
}
