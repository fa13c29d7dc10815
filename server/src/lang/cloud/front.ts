import type { Node } from 'web-tree-sitter';
import { lineStartsOf, positionAt } from '../../engine/edits';
import type { Range } from '../../engine/types';
import { isTemplate, templateModel } from './cloudformation';
import { parseTerraform } from './hcl-parser';
import { mayBeCloudJson, parseJson } from './json-tree';
import { child, entry, type CloudResource, type CNode, type NamedLiteral, type PolicyDoc } from './model';
import { policyFromNode } from './policy';
import { terraformModel } from './terraform';
import { isCloudFormation, parseCfnYaml, yamlComments } from './yaml-tree';

export { isCloudFormation };

export type CloudFormat = 'iam-json' | 'cfn-json' | 'cfn-yaml' | 'terraform';

/**
 * CloudFormation accepts templates up to 1 MB (from S3; 51,200 bytes inline) and IAM policies are far
 * smaller: a larger file cannot be deployed as either, and parsing it costs seconds.
 */
const MAX_TEMPLATE_CHARS = 1_048_576;

/**
 * The cloud front: an IAM policy document, a CloudFormation template (JSON or YAML) or a Terraform
 * file, as one model: policy documents in one statement model, resources with their properties,
 * and literals bound to names. Offsets are UTF-16 indexes into `text`.
 */
export class CloudFile {
  policies: PolicyDoc[] = [];
  resources: CloudResource[] = [];
  literals: NamedLiteral[] = [];
  readonly notes: string[] = [];
  readonly errors: string[] = [];
  private readonly lineStarts: number[];
  private hclComments: { line: number; text: string }[] = [];

  constructor(readonly path: string, readonly text: string, readonly format: CloudFormat) {
    this.lineStarts = lineStartsOf(text);
  }

  range(start: number, end: number): Range {
    return { start: positionAt(start, this.lineStarts), end: positionAt(end, this.lineStarts) };
  }

  rangeOf(n: { start: number; end: number }): Range {
    return this.range(n.start, n.end);
  }

  /** The file's line break, for inserted lines. */
  get eol(): string {
    return this.text.includes('\r\n') ? '\r\n' : '\n';
  }

  /** Terraform (HCL) or YAML: the syntax a property edit is written in; JSON files get no insertions. */
  get style(): 'hcl' | 'yaml' | undefined {
    return this.format === 'terraform' ? 'hcl' : this.format === 'cfn-yaml' ? 'yaml' : undefined;
  }

  /**
   * Where a new property of `obj` goes: at the end of the line where its last property ends,
   * indented like its first property. Undefined when the layout does not say (flow style, a
   * property on its parent's line, an empty body, JSON).
   */
  insertion(obj: CNode): { offset: number; indent: string } | undefined {
    if (obj.kind !== 'object' || obj.entries.length === 0 || !this.style) return undefined;
    const first = obj.entries[0];
    const lineStart = this.lineStarts[positionAt(first.keyStart, this.lineStarts).line];
    const indent = this.text.slice(lineStart, first.keyStart);
    if (!/^[ \t]*$/.test(indent)) return undefined;
    if (this.style === 'yaml' && this.text[obj.start] === '{') return undefined;
    const last = obj.entries[obj.entries.length - 1];
    let end = Math.max(last.value.end, last.keyEnd);
    while (end > last.keyEnd && /\s/.test(this.text[end - 1])) end--;
    const nl = this.text.indexOf('\n', end);
    let offset = nl < 0 ? this.text.length : nl;
    if (offset > 0 && this.text[offset - 1] === '\r') offset--;
    return { offset, indent };
  }

  /** Comments, for suppressions: `#` in YAML, `#`, `//` and `/* *\/` in HCL; JSON has none. */
  comments(): { line: number; text: string }[] {
    if (this.format === 'terraform') return this.hclComments;
    if (this.format === 'cfn-yaml') return yamlComments(this.text).map((c) => ({ line: positionAt(c.offset, this.lineStarts).line, text: c.text }));
    return [];
  }

  /** For the Terraform builder. */
  setHclComments(comments: { line: number; text: string }[]): void {
    this.hclComments = comments;
  }
}

/** An IAM policy document or a CloudFormation template in JSON; undefined for any other JSON. */
export function loadCloudJson(path: string, text: string): CloudFile | undefined {
  if (text.length > MAX_TEMPLATE_CHARS || !mayBeCloudJson(text)) return undefined;
  const { root, errors } = parseJson(text);
  if (root?.kind !== 'object') return undefined;
  if (isTemplate(root)) {
    const file = new CloudFile(path, text, 'cfn-json');
    if (errors > 0) file.notes.push('JSON syntax errors: the template was read as far as it could be');
    Object.assign(file, templateModel(root));
    return file;
  }
  const st = child(root, 'Statement');
  const looksLikePolicy = st && (entry(root, 'Version') || (st.kind === 'array' && st.items.some((s) => entry(s, 'Effect'))) || entry(st, 'Effect'));
  if (!looksLikePolicy) return undefined;
  const file = new CloudFile(path, text, 'iam-json');
  const doc = policyFromNode(root, 'unknown', path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1));
  if (doc) file.policies.push(doc);
  return file;
}

/** A CloudFormation template in YAML (call `isCloudFormation` first). */
export function loadCloudYaml(path: string, text: string): CloudFile {
  const file = new CloudFile(path, text, 'cfn-yaml');
  if (text.length > MAX_TEMPLATE_CHARS) {
    file.notes.push('not analyzed: larger than the 1 MB CloudFormation accepts for a template');
    return file;
  }
  const { root, error } = parseCfnYaml(text);
  if (error) {
    file.notes.push(`not analyzed: ${error}`);
    return file;
  }
  if (root) Object.assign(file, templateModel(root));
  return file;
}

/** A Terraform file. Blocks with syntax errors are left out, with a note. */
export function loadTerraform(path: string, text: string, wantComments: boolean): CloudFile {
  const file = new CloudFile(path, text, 'terraform');
  const tree = parseTerraform(text);
  try {
    const root = tree.rootNode;
    if (root.hasError) {
      const errs = hclErrors(root);
      file.errors.push(...errs);
      file.notes.push(`HCL syntax errors (${errs[0] ?? 'unknown'}): blocks with errors were not analyzed`);
    }
    Object.assign(file, terraformModel(root));
    if (wantComments) file.setHclComments(hclComments(root, file));
  } finally {
    tree.delete();
  }
  return file;
}

/** Syntax errors of a Terraform text, as messages (empty when it parses cleanly). */
export function terraformSyntaxErrors(text: string): string[] {
  const tree = parseTerraform(text);
  try {
    return tree.rootNode.hasError ? hclErrors(tree.rootNode) : [];
  } finally {
    tree.delete();
  }
}

function hclErrors(root: Node): string[] {
  const out: string[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0 && out.length < 20) {
    const n = stack.pop()!;
    if (n.type === 'ERROR' || n.isMissing) out.push(`line ${n.startPosition.row + 1}: syntax error near \`${n.text.slice(0, 40)}\``);
    else if (n.hasError) for (const c of n.children) if (c) stack.push(c);
  }
  return out;
}

function hclComments(root: Node, file: CloudFile): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const cursor = root.walk();
  let descending = true;
  for (;;) {
    if (descending && cursor.nodeType === 'comment') {
      const t = cursor.nodeText;
      const body = t.startsWith('/*') ? t.slice(2, t.endsWith('*/') ? -2 : undefined) : t.replace(/^(#|\/\/)/, '');
      out.push({ line: file.range(cursor.startIndex, cursor.startIndex).start.line, text: body });
    }
    if (descending && cursor.gotoFirstChild()) continue;
    if (cursor.gotoNextSibling()) { descending = true; continue; }
    if (!cursor.gotoParent()) break;
    descending = false;
  }
  cursor.delete();
  return out;
}
