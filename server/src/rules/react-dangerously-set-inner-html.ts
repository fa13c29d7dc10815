import ts from 'typescript';
import { defineRule, type JsContext } from '../engine/rule-types';
import { describeSource, evidence } from '../engine/rule';
import type { Fix, TextEdit } from '../engine/types';
import { OWASP } from '../engine/types';
import { propertyOf, skipOuter, type JsFile } from '../lang/javascript/front';

/**
 * React's `dangerouslySetInnerHTML={{ __html: x }}` with HTML that is not constant or sanitized.
 * Fix: wrap the value in `DOMPurify.sanitize(...)` and import DOMPurify when the file does not yet.
 */
export default defineRule({
  meta: {
    id: 'react-dangerously-set-inner-html',
    title: 'Unsanitized HTML in dangerouslySetInnerHTML',
    description: 'dangerouslySetInnerHTML inserts HTML without escaping; HTML that is not constant or sanitized lets an attacker run script in the page.',
    cwe: ['CWE-79'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 6.1,
    languages: ['javascript'],
  },
  javascript: {
    [ts.SyntaxKind.JsxAttribute]: (node: ts.JsxAttribute, ctx) => check(node, ctx),
  },
});

function check(attr: ts.JsxAttribute, ctx: JsContext): void {
  if (!ts.isIdentifier(attr.name) || attr.name.text !== 'dangerouslySetInnerHTML') return;
  const init = attr.initializer;
  if (!init || !ts.isJsxExpression(init) || !init.expression) return;
  const file = ctx.file;
  const obj = skipOuter(init.expression);
  const html = ts.isObjectLiteralExpression(obj) ? propertyOf(obj, '__html') : obj;
  if (!html) return;
  const value = file.valueOf(html);
  const ev = evidence(value, 'html');
  if (ev === 'safe') return;
  // <script type="application/ld+json"> and <style>: DOMPurify is the wrong tool; only attacker data is worth a word
  const tag = elementName(attr);
  const rawText = tag === 'script' || tag === 'style';
  if (rawText && ev !== 'tainted') return;
  const message = ev === 'tainted'
    ? `${describeSource(value)} reaches dangerouslySetInnerHTML without sanitizing.${rawText ? ' Escape `<` in the data (for example `.replace(/</g, "\\\\u003c")`) before inlining it.' : ' Sanitize it with DOMPurify.'}`
    : 'dangerouslySetInnerHTML receives HTML of unknown origin. Sanitize it with DOMPurify unless it is trusted markup.';
  const fixes = !rawText && ts.isObjectLiteralExpression(obj) ? purifyFix(file, html) : [];
  ctx.report({ range: file.range(html), message, value, fixes });
}

function elementName(attr: ts.JsxAttribute): string | undefined {
  const el = attr.parent.parent;
  if (ts.isJsxSelfClosingElement(el) || ts.isJsxOpeningElement(el)) return el.tagName.getText();
  return undefined;
}

const PURIFY_MODULES = ['dompurify', 'isomorphic-dompurify'];

function purifyFix(file: JsFile, html: ts.Expression): Fix[] {
  const edits: TextEdit[] = [];
  let local = [...file.imports].find(([, q]) => PURIFY_MODULES.includes(q))?.[0];
  if (!local) {
    if (file.imports.has('DOMPurify') || hasLocal(file, 'DOMPurify')) return [];
    local = 'DOMPurify';
    edits.push(importEdit(file));
  }
  edits.push({ range: file.range(html), newText: `${local}.sanitize(${file.textOf(html)})` });
  return [{ title: `Sanitize the HTML with ${local}.sanitize`, edits, preferred: true }];
}

function hasLocal(file: JsFile, name: string): boolean {
  return file.flow.identifiersNamed(name).some((id) => file.declarationOf(id));
}

/** `import DOMPurify from 'dompurify';` after the imports (or `require` in a CommonJS file), after any directives. */
function importEdit(file: JsFile): TextEdit {
  const sf = file.sourceFile;
  let after: ts.Node | undefined;
  let esm = false;
  let cjs = false;
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s)) { after = s; esm = true; continue; }
    if (ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression) && !after) { after = s; continue; }
    if (ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => d.initializer
      && ts.isCallExpression(skipOuter(d.initializer)) && /^require\(/.test(file.textOf(skipOuter(d.initializer))))) {
      after = s; cjs = true; continue;
    }
    break;
  }
  const useRequire = cjs && !esm;
  const line = useRequire ? "const DOMPurify = require('dompurify');" : "import DOMPurify from 'dompurify';";
  if (!after) return { range: file.rangeOf(0, 0), newText: `${line}\n` };
  return { range: file.rangeOf(after.getEnd(), after.getEnd()), newText: `\n${line}` };
}
