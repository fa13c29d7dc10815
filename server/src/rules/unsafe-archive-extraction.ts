import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type PyContext } from '../engine/rule-types';
import { describeSource } from '../engine/rule';
import { OWASP, type Fix } from '../engine/types';
import { hasSplat, methodName, receiverOrigin } from './support/python-sinks';

export default defineRule({
  meta: {
    id: 'unsafe-archive-extraction',
    title: 'Archive extracted without a member filter (zip slip)',
    description: 'Before Python 3.14, tarfile extracts "../" paths, absolute paths and links exactly as the archive says: an archive can overwrite files anywhere the process can write. Extract with filter="data".',
    cwe: ['CWE-22'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 7.5,
    languages: ['python'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
});

// ---- Python ----

const TAR_ORIGINS = new Set(['tarfile.open', 'tarfile.TarFile', 'tarfile.TarFile.open', 'tarfile.TarFile.gzopen', 'tarfile.TarFile.taropen']);
const ZIP_ORIGINS = new Set(['zipfile.ZipFile']);

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  if (name === 'shutil.unpack_archive') {
    const archive = file.argument(node, 0, 'filename');
    if (!archive || file.keywordArgument(node, 'filter') || hasSplat(node) || file.valueOf(archive).kind === 'constant') return;
    const format = file.stringValue(file.argument(node, 2, 'format'));
    if (format === 'zip') return;
    ctx.report({
      range: file.range(node),
      message: 'shutil.unpack_archive extracts tar archives without a filter: "../" and absolute member paths write outside the target folder. Pass filter="data" (Python 3.12+).',
      fixes: [addFilter(node, ctx)],
    });
    return;
  }
  const m = methodName(node);
  if (m !== 'extractall' && m !== 'extract') return;
  const origin = receiverOrigin(file, node);
  if (!origin) return;
  if (TAR_ORIGINS.has(origin)) {
    // a filter, or members chosen by the program, decide what is written
    if (file.keywordArgument(node, 'filter') || file.keywordArgument(node, 'members') || hasSplat(node)) return;
    if (m === 'extractall' && file.argument(node, 1)) return; // extractall(path, members)
    ctx.report({
      range: file.range(node),
      message: `tarfile ${m}() without filter=: member names like "../../etc/cron.d/x", absolute paths and links are extracted as given. Pass filter="data".`,
      severity: m === 'extract' ? 'hint' : undefined,
      confidence: m === 'extract' ? 'low' : undefined,
      fixes: [addFilter(node, ctx)],
    });
    return;
  }
  if (ZIP_ORIGINS.has(origin) && m === 'extractall') {
    const receiver = node.childForFieldName('function')?.childForFieldName('object');
    // ZipFile(upload).extractall(): the archive argument tells, when the object is made right here
    const made = receiver?.type === 'call' ? file.argument(receiver, 0, 'file') : undefined;
    const value = made ? file.valueOf(made) : receiver ? file.valueOf(receiver) : undefined;
    if (value?.kind !== 'tainted') return;
    ctx.report({
      range: file.range(node),
      message: `An uploaded zip archive (${describeSource(value)}) is extracted whole: zipfile drops "../" parts, but size, count and overwritten files are up to the archive. Check the members (names, sizes) before extracting.`,
      severity: 'hint',
      confidence: 'low',
    });
  }
}

function addFilter(node: Node, ctx: PyContext): Fix {
  const args = node.childForFieldName('arguments')!;
  const close = args.lastChild!;
  const at = ctx.file.range(close).start;
  const hasArgs = args.namedChildren.some((a) => a && a.type !== 'comment');
  const trailingComma = args.children[args.childCount - 2]?.text === ',';
  return {
    title: 'Extract with filter="data" (refuses unsafe members)',
    edits: [{ range: { start: at, end: at }, newText: `${hasArgs && !trailingComma ? ', ' : trailingComma ? ' ' : ''}filter="data"` }],
    preferred: true,
  };
}
