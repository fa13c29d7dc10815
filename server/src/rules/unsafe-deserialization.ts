import ts from 'typescript';
import type { Node } from 'web-tree-sitter';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';

export default defineRule({
  meta: {
    id: 'unsafe-deserialization',
    title: 'Unsafe deserialization',
    description: "Deserializers that can build arbitrary objects (pickle, yaml.load, node-serialize) run code chosen by whoever wrote the data.",
    cwe: ['CWE-502'],
    owasp: OWASP.A08,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 9.0,
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
