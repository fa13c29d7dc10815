/**
 * "Ignore on this line": a `secure-hints: ignore[rule] reason` comment on the line above the finding,
 * in the file's comment syntax and at the line's indentation. Inside JSX children the comment is
 * `{/* ... *\/}`; when the line above already ignores other rules, the rule joins its list. JSON files
 * have no comments: no edit (`.securehints.json` turns rules off there).
 */
import ts from 'typescript';
import type { TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { languageFor } from '../engine/languages';
import { VueFile } from '../lang/vue/front';
import { templateSyntax } from '../lang/template/front';

export const REASON_PLACEHOLDER = 'TODO: explain why this is safe';

/** Languages whose line comments start with `#` (HCL allows `//` too; `#` is its usual style). */
const HASH_COMMENTS = new Set(['python', 'yaml', 'dockerfile', 'terraform', 'dotenv', 'shell', 'dependencies']);

export function ignoreEdit(document: TextDocument, languageId: string, line: number, ruleId: string): TextEdit | undefined {
  const lines = document.getText().split(/\r\n?|\n/);
  const text = (lines[line] ?? '').replace(/\r$/, '');
  const indent = /^\s*/.exec(text)![0];
  const above = line > 0 ? (lines[line - 1] ?? '').replace(/\r$/, '') : '';
  const existing = /^\s*(?:#|\/\/-?|\{?\/\*|<!--|\{#|<%#|\{\{!(?:--)?)\s*secure-hints:\s*ignore\[[^\]]*(?=\])/.exec(above);
  if (existing) {
    const at = { line: line - 1, character: existing[0].length };
    return { range: { start: at, end: at }, newText: `, ${ruleId}` };
  }
  const directive = `secure-hints: ignore[${ruleId}] ${REASON_PLACEHOLDER}`;
  const language = languageFor(document.uri, languageId);
  if (language === 'json' || (language === 'dependencies' && /\.json$/i.test(document.uri))) return undefined;
  let comment: string;
  if (language && HASH_COMMENTS.has(language)) comment = `# ${directive}`;
  else if (language === 'xml') comment = `<!-- ${directive} -->`;
  else if (language === 'template') comment = templateComment(templateSyntax(document.uri, languageId), directive);
  else if (language === 'vue') {
    const inScript = new VueFile(document.uri, document.getText()).inScript(document.offsetAt({ line, character: 0 }));
    comment = inScript ? `// ${directive}` : `<!-- ${directive} -->`;
  }
  else if (language === 'javascript' && inJsxChildren(document, line, indent.length)) comment = `{/* ${directive} */}`;
  else comment = `// ${directive}`;
  return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}${comment}\n` };
}

/** Is the first token of `line` a child of a JSX element, where `//` would be text? */
function inJsxChildren(document: TextDocument, line: number, column: number): boolean {
  const text = document.getText();
  const offset = document.offsetAt({ line, character: column });
  const isTsx = /\.(tsx|jsx|js)$/i.test(document.uri) || document.languageId.endsWith('react');
  if (!isTsx) return false;
  const sf = ts.createSourceFile('x.tsx', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  let node: ts.Node = sf;
  for (;;) {
    const child: ts.Node | undefined = node.getChildren(sf).find((c) => c.getStart(sf) <= offset && offset < c.end);
    if (!child) break;
    node = child;
  }
  // climb to the outermost node that starts where the line does
  while (node.parent && node.parent.getStart(sf) === node.getStart(sf)) node = node.parent;
  if (node.kind === ts.SyntaxKind.SyntaxList && node.parent) node = node.parent;
  const parent = node.parent;
  const container = parent?.kind === ts.SyntaxKind.SyntaxList ? parent.parent : parent;
  return !!container && (ts.isJsxElement(container) || ts.isJsxFragment(container))
    && (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node) || ts.isJsxFragment(node) || ts.isJsxExpression(node) || ts.isJsxText(node));
}

/** A server-side template's own comment (not sent to the browser, unlike `<!-- -->`). */
function templateComment(syntax: ReturnType<typeof templateSyntax>, directive: string): string {
  if (syntax === 'ejs') return `<%# ${directive} %>`;
  if (syntax === 'handlebars') return `{{!-- ${directive} --}}`;
  if (syntax === 'mustache') return `{{! ${directive} }}`;
  if (syntax === 'pug') return `//- ${directive}`;
  return `{# ${directive} #}`;
}
