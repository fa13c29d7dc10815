import type { Range, TextEdit } from '../../engine/types';
import type { Container } from './kube';
import { isScalar, type Pair, type YAMLMap, type YAMLSeq, type YNode, type YamlFile } from './yaml';

/**
 * Text edits on YAML that keep comments, indentation and key order: values are replaced in place,
 * new keys are inserted as new lines indented like their sibling keys, entries are removed line by
 * line. Each builder returns undefined when the edit would need a guess (flow mappings, odd layouts).
 */

/** Replaces a scalar's text. */
export function replaceNode(file: YamlFile, node: YNode, newText: string): TextEdit | undefined {
  if (!node.range) return undefined;
  return { range: file.rangeOf(node.range[0], node.range[1]), newText };
}

/**
 * Inserts `lines` (relative indentation in two-space steps already applied) as new keys of a block
 * mapping, indented like its first key. Placed after the last key whose value is a one-line scalar,
 * or else before the last key that starts its own line. With `exclusive`, the edit replaces the
 * newline it follows, so two fixes that create the same parent key never both apply in one pass.
 */
export function insertIntoMap(file: YamlFile, map: YAMLMap, lines: string[], exclusive = false): TextEdit | undefined {
  if (map.flow) return insertIntoFlowMap(file, map, lines);
  if (map.items.length === 0) return undefined;
  const first = map.items[0].key as YNode | null;
  if (!isScalar(first) || !first.range) return undefined;
  const column = file.position(first.range[0]).character;
  const indent = ' '.repeat(column);
  const body = lines.map((l) => indent + l + file.eol).join('');
  // after a one-line scalar pair: the newline ending its line
  for (let i = map.items.length - 1; i >= 0; i--) {
    const p = map.items[i];
    const k = p.key as YNode | null;
    const v = p.value as YNode | null;
    if (!isScalar(k) || !k.range || !isScalar(v) || !v.range) continue;
    const line = file.position(k.range[0]).line;
    if (file.position(v.range[1]).line !== line) continue;
    return afterLine(file, line, lines.map((l) => indent + l), body, exclusive);
  }
  // before a key that starts its own line
  for (let i = map.items.length - 1; i >= 0; i--) {
    const k = map.items[i].key as YNode | null;
    if (!isScalar(k) || !k.range) continue;
    const pos = file.position(k.range[0]);
    const lineStart = file.lineStarts[pos.line];
    if (pos.character !== column || file.text.slice(lineStart, k.range[0]).trim() !== '' || pos.line === 0) continue;
    const nl = lineStart - 1;
    if (exclusive) return { range: file.rangeOf(nl, lineStart), newText: '\n' + body };
    return { range: file.rangeOf(lineStart, lineStart), newText: body };
  }
  return undefined;
}

/** `{}` → `{key: value}`, `{a: 1}` → `{a: 1, key: value}`: one `key: value` line only. */
function insertIntoFlowMap(file: YamlFile, map: YAMLMap, lines: string[]): TextEdit | undefined {
  const r = map.range;
  if (lines.length !== 1 || !r || file.text[r[1] - 1] !== '}') return undefined;
  const close = r[1] - 1;
  if (map.items.length === 0) return { range: file.rangeOf(r[0], r[1]), newText: `{${lines[0]}}` };
  const last = map.items[map.items.length - 1];
  const end = (last.value as YNode | null)?.range?.[1] ?? (last.key as YNode | null)?.range?.[1];
  if (end === undefined || end > close) return undefined;
  return { range: file.rangeOf(end, end), newText: `, ${lines[0]}` };
}

function afterLine(file: YamlFile, line: number, indented: string[], body: string, exclusive: boolean): TextEdit {
  const next = file.lineStarts[line + 1];
  if (next === undefined) {
    // last line without a newline
    const end = file.text.length;
    return { range: file.rangeOf(end, end), newText: indented.map((l) => file.eol + l).join('') };
  }
  if (exclusive) return { range: file.rangeOf(next - 1, next), newText: '\n' + body };
  return { range: file.rangeOf(next, next), newText: body };
}

/**
 * Removes a mapping pair or a block sequence item together with its line(s). Only when it starts its
 * line (after the indentation and, for an item, its `- `) and nothing else follows on its last line
 * but a comment.
 */
export function removeLines(file: YamlFile, start: number, end: number, item = false): TextEdit | undefined {
  const startLine = file.position(start).line;
  const lineStart = file.lineStarts[startLine];
  const prefix = file.text.slice(lineStart, start);
  if (item ? !/^\s*-\s+$/.test(prefix) : prefix.trim() !== '') return undefined;
  const endLine = file.position(end).line;
  const rest = file.text.slice(end, file.lineStarts[endLine + 1] ?? file.text.length).trim();
  if (rest !== '' && !rest.startsWith('#')) return undefined;
  const next = file.lineStarts[endLine + 1];
  if (next === undefined) {
    const from = lineStart > 0 ? lineStart - (file.text[lineStart - 2] === '\r' ? 2 : 1) : 0;
    return { range: file.rangeOf(from, file.text.length), newText: '' };
  }
  return { range: file.rangeOf(lineStart, next), newText: '' };
}

export function removePair(file: YamlFile, pair: Pair): TextEdit | undefined {
  const k = pair.key as YNode | null;
  const v = pair.value as YNode | null;
  if (!k?.range) return undefined;
  return removeLines(file, k.range[0], v?.range?.[1] ?? k.range[1]);
}

/** Removes one item of a sequence: its line in a block sequence, the item and a comma in a flow one. */
export function removeItem(file: YamlFile, seq: YAMLSeq, index: number): TextEdit | undefined {
  const item = seq.items[index] as YNode | null;
  if (!item?.range) return undefined;
  if (!seq.flow) return removeLines(file, item.range[0], item.range[1], true);
  const next = seq.items[index + 1] as YNode | null;
  const prev = seq.items[index - 1] as YNode | null;
  if (next?.range) return { range: file.rangeOf(item.range[0], next.range[0]), newText: '' };
  if (prev?.range) return { range: file.rangeOf(prev.range[1], item.range[1]), newText: '' };
  return { range: file.rangeOf(item.range[0], item.range[1]), newText: '' };
}

/**
 * Sets `securityContext.<key>: <value>` on a container: replaces a container-level value, adds the
 * key to the container's securityContext, or creates that securityContext. A pod-level value is
 * overridden at container level (the pod's other containers keep theirs).
 */
export function containerSetting(file: YamlFile, c: Container, key: string, value: string): TextEdit | undefined {
  const own = c.securityContext ? c.securityContext.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
  if (own) return isScalar(own.value) ? replaceNode(file, own.value as YNode, value) : undefined;
  if (c.securityContext) return insertIntoMap(file, c.securityContext, [`${key}: ${value}`]);
  if (c.map.items.some((p) => isScalar(p.key) && p.key.value === 'securityContext')) return undefined;
  return insertIntoMap(file, c.map, ['securityContext:', `  ${key}: ${value}`], true);
}

/** Where a finding about a whole container goes: its name, else its image, else its first key. */
export function containerAnchor(file: YamlFile, c: Container): Range {
  const nameNode = c.map.items.find((p) => isScalar(p.key) && p.key.value === 'name')?.value as YNode | null | undefined;
  const node = (nameNode?.range ? nameNode : c.image?.range ? c.image : c.map.items[0]?.key) as YNode | null | undefined;
  return node ? file.range(node) : file.range(c.map);
}
