import ts from 'typescript';
import type { Node } from 'web-tree-sitter';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';

export default defineRule({
  meta: {
    id: 'unsafe-xml-parsing',
    title: 'XML parser resolves external entities',
    description: "A parser that resolves external entities or DTDs lets a document read local files or reach internal hosts (XXE).",
    cwe: ['CWE-611'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 7.5,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

// ---- Python ----

function pythonCall(node: Node, ctx: PyContext): void {
  void node; void ctx;
}

// ---- JavaScript / TypeScript ----

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  void node; void ctx;
}
