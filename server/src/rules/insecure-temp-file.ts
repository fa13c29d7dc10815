import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type TextEdit } from '../engine/types';
import { jsString, pyImportEdit, pyLiteral, skipTestsJs, skipTestsPy } from './support/constants';

export default defineRule({
  meta: {
    id: 'insecure-temp-file',
    title: 'Insecure temporary file',
    description: 'A temporary file name that is chosen before the file is created, or a fixed name in a shared temporary folder, can be claimed first by another user (symlink and race attacks).',
    cwe: ['CWE-377'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 5.5,
    languages: ['python', 'javascript'],
  },
  python: skipTestsPy({
    call: (node, ctx) => pythonCall(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  }),
});

const SHARED_TMP = /^\/(tmp|var\/tmp|dev\/shm)\/[^/]+/;

function sharedTmpMessage(path: string): string {
  return `Writing to the fixed path \`${path}\` in a shared temporary folder: another user can create it first or plant a symlink there. Use a private temporary file (mkstemp / mkdtemp).`;
}

// ---- Python ----

function pythonCall(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const fn = node.childForFieldName('function');
  const name = f.callName(node);
  if (name === 'tempfile.mktemp' && fn) {
    const edits: TextEdit[] = fn.type === 'attribute'
      ? [{ range: f.range(fn.childForFieldName('attribute')!), newText: 'mkstemp' }]
      : [{ range: f.range(fn), newText: 'tempfile.mkstemp' }, ...pyImportEdit(f, 'tempfile')];
    const end = f.range(node).end;
    edits.push({ range: { start: end, end }, newText: '[1]' });
    ctx.report({
      range: f.range(node),
      message: '`tempfile.mktemp` returns a name without creating the file: another process can create it (or a symlink) first. `tempfile.mkstemp` creates the file atomically.',
      fixes: [{ title: 'Use `tempfile.mkstemp()[1]` (creates the file; close the returned descriptor)', edits, preferred: true }],
    });
    return;
  }
  // open("/tmp/report.csv", "w")
  if (fn?.type === 'identifier' && fn.text === 'open' && !f.imports.has('open')) {
    const path = pyLiteral(f.argument(node, 0, 'file'));
    const mode = pyLiteral(f.argument(node, 1, 'mode')) ?? 'r';
    if (path && SHARED_TMP.test(path) && /[wax+]/.test(mode)) {
      ctx.report({ range: f.range(f.argument(node, 0, 'file')!), severity: 'hint', confidence: 'medium', message: sharedTmpMessage(path) });
    }
  }
}

// ---- JavaScript / TypeScript ----

const JS_WRITERS = /^(fs|fs\/promises|fs-extra)\.(promises\.)?(writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|open|openSync|outputFile|outputFileSync)$/;

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const f = ctx.file;
  const name = f.callName(node);
  if (!name || !JS_WRITERS.test(name)) return;
  const arg = node.arguments[0];
  const path = jsString(f, arg);
  if (!path || !SHARED_TMP.test(path)) return;
  if (/\.(open|openSync)$/.test(name) && !/[wax+]/.test(jsString(f, node.arguments[1]) ?? 'r')) return;
  ctx.report({ range: f.range(arg), severity: 'hint', confidence: 'medium', message: sharedTmpMessage(path) });
}
