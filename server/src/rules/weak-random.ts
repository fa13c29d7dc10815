import ts from 'typescript';
import type { Node } from 'web-tree-sitter';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';

export default defineRule({
  meta: {
    id: 'weak-random',
    title: 'Predictable randomness for secrets',
    description: "Math.random and Python's random module are predictable; tokens, passwords and keys made from them can be guessed.",
    cwe: ['CWE-338'],
    owasp: OWASP.A02,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 5.9,
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
