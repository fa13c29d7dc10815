import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { jsPropName, jsString, pyLiteral, skipTestsJs, skipTestsPy } from './support/constants';

export default defineRule({
  meta: {
    id: 'bind-all-interfaces',
    title: 'Server bound to every network interface',
    description: 'A server bound to 0.0.0.0 answers on every network the machine is on; admin, debug and internal services belong on 127.0.0.1.',
    cwe: ['CWE-1327'],
    owasp: OWASP.A05,
    severity: 'hint',
    confidence: 'medium',
    securitySeverity: 3.1,
    languages: ['python', 'javascript'],
  },
  python: skipTestsPy({
    call: (node, ctx) => pythonCall(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  }),
});

const ANY = new Set(['0.0.0.0', '::', '[::]']);
const MESSAGE = 'This server listens on every network interface: make sure that is intended (a container port, a public service). Admin, debug and internal servers belong on 127.0.0.1.';

// ---- Python ----

const PY_RUNNERS = new Set(['run', 'serve', 'run_app', 'run_simple', 'start_server', 'create_server', 'make_server', 'listen']);

function pythonCall(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const fn = node.childForFieldName('function');
  const last = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.type === 'identifier' ? fn.text : undefined;
  if (!last) return;
  const host = f.keywordArgument(node, 'host');
  if (host && PY_RUNNERS.has(last) && ANY.has(pyLiteral(host) ?? '')) {
    ctx.report({ range: f.range(host), message: MESSAGE });
    return;
  }
  // sock.bind(("0.0.0.0", 8080)), HTTPServer(("0.0.0.0", 8000), Handler)
  const name = f.callName(node) ?? '';
  const isServer = last === 'bind' || /^(http\.server|socketserver|wsgiref\.simple_server)\./.test(name);
  const addr = f.argument(node, 0);
  if (!isServer || addr?.type !== 'tuple') return;
  const first = addr.namedChildren[0];
  const h = pyLiteral(first);
  if (h !== undefined && (ANY.has(h) || h === '' && last === 'bind' && f.importsModule('socket'))) {
    ctx.report({ range: f.range(first!), message: MESSAGE });
  }
}

// ---- JavaScript / TypeScript ----

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const callee = node.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'listen') return;
  const f = ctx.file;
  for (const a of node.arguments.slice(0, 2)) {
    if (ANY.has(jsString(f, a) ?? '')) { ctx.report({ range: f.range(a), message: MESSAGE }); return; }
    if (ts.isObjectLiteralExpression(a)) {
      for (const p of a.properties) {
        if (ts.isPropertyAssignment(p) && jsPropName(p.name) === 'host' && ANY.has(jsString(f, p.initializer) ?? '')) {
          ctx.report({ range: f.range(p), message: MESSAGE });
          return;
        }
      }
    }
  }
}
