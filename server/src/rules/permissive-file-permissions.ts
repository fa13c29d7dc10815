import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix } from '../engine/types';
import { jsNumber, jsString, pyInt, skipTestsJs, skipTestsPy } from './support/constants';

export default defineRule({
  meta: {
    id: 'permissive-file-permissions',
    title: 'World-writable file permissions',
    description: 'A file or folder every user can write to can be replaced or changed by any local user or compromised service.',
    cwe: ['CWE-732'],
    owasp: OWASP.A01,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 6.1,
    languages: ['python', 'javascript'],
  },
  python: skipTestsPy({
    call: (node, ctx) => pythonCall(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  }),
});

const WORLD_WRITE = 0o002;
const GROUP_WORLD_WRITE = 0o022;

function octal(mode: number): string {
  return mode.toString(8).padStart(3, '0');
}

function message(mode: number): string {
  return `Mode ${octal(mode)} lets every user on the machine write this file: use ${octal(mode & ~GROUP_WORLD_WRITE)} or tighter.`;
}

// ---- Python ----

const STAT_BITS: Record<string, number> = {
  S_IRWXU: 0o700, S_IRUSR: 0o400, S_IWUSR: 0o200, S_IXUSR: 0o100,
  S_IRWXG: 0o070, S_IRGRP: 0o040, S_IWGRP: 0o020, S_IXGRP: 0o010,
  S_IRWXO: 0o007, S_IROTH: 0o004, S_IWOTH: 0o002, S_IXOTH: 0o001,
};

/** `0o777`, `stat.S_IRWXU | stat.S_IRWXO`, or a folded constant. */
function pyMode(f: PyContext['file'], node: Node | undefined): number | undefined {
  if (!node) return undefined;
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '|') {
    const l = pyMode(f, node.childForFieldName('left') ?? undefined);
    const r = pyMode(f, node.childForFieldName('right') ?? undefined);
    return l !== undefined && r !== undefined ? l | r : undefined;
  }
  const q = f.qualifiedName(node);
  if (q?.startsWith('stat.') && STAT_BITS[q.slice(5)] !== undefined) return STAT_BITS[q.slice(5)];
  return pyInt(f, node);
}

function pythonCall(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const name = f.callName(node);
  const fn = node.childForFieldName('function');
  let modeArg: Node | undefined;
  if (name === 'os.chmod' || name === 'os.fchmod' || name === 'os.lchmod') modeArg = f.argument(node, 1, 'mode');
  else if (!name && fn?.type === 'attribute' && /^(chmod|lchmod)$/.test(fn.childForFieldName('attribute')?.text ?? '')) modeArg = f.argument(node, 0, 'mode');
  const mode = pyMode(f, modeArg);
  if (!modeArg || mode === undefined || !(mode & WORLD_WRITE)) return;
  const fixes: Fix[] = modeArg.type === 'integer'
    ? [{ title: `Use 0o${octal(mode & ~GROUP_WORLD_WRITE)}`, edits: [{ range: f.range(modeArg), newText: `0o${octal(mode & ~GROUP_WORLD_WRITE)}` }], preferred: true }]
    : [];
  ctx.report({ range: f.range(modeArg), message: message(mode), fixes });
}

// ---- JavaScript / TypeScript ----

const JS_CHMOD = /^(fs|fs\/promises|fs-extra)\.(promises\.)?(chmod|chmodSync|fchmod|fchmodSync|lchmod|lchmodSync)$/;

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const f = ctx.file;
  const name = f.callName(node);
  if (!name || !JS_CHMOD.test(name)) return;
  const arg = node.arguments[1];
  if (!arg) return;
  const s = ts.isStringLiteralLike(arg) ? jsString(f, arg) : undefined;
  const mode = s !== undefined ? (/^0?[0-7]{3,4}$/.test(s) ? parseInt(s, 8) : undefined) : jsNumber(f, arg);
  if (mode === undefined || !(mode & WORLD_WRITE)) return;
  const tight = octal(mode & ~GROUP_WORLD_WRITE);
  const fixes: Fix[] = ts.isNumericLiteral(arg)
    ? [{ title: `Use 0o${tight}`, edits: [{ range: f.range(arg), newText: `0o${tight}` }], preferred: true }]
    : s !== undefined ? [{ title: `Use '${tight}'`, edits: [{ range: f.range(arg), newText: `'${tight}'` }], preferred: true }] : [];
  ctx.report({ range: f.range(arg), message: message(mode), fixes });
}
