import ts from 'typescript';
import { defineRule, type JsContext } from '../engine/rule-types';
import { OWASP, type Fix } from '../engine/types';
import { skipOuter, type JsFile } from '../lang/javascript/front';
import { domPurifyFix, leadingConstant, methodCall, pinsDestination, reportFlow, capitalized } from './support/javascript-web';

/**
 * Angular's `DomSanitizer.bypassSecurityTrust*` marks a value as safe, switching off Angular's own
 * sanitizing for that binding: with a non-constant value, whatever the value holds runs in the page.
 */
export default defineRule({
  meta: {
    id: 'angular-bypass-security-trust',
    title: "Angular's sanitizer bypassed for a non-constant value",
    description: "bypassSecurityTrustHtml/Script/Style/Url/ResourceUrl turn off Angular's XSS protection for the value; with data that is not constant, attackers can run script in the page.",
    cwe: ['CWE-79'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 6.1,
    languages: ['javascript'],
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => call(node, ctx),
  },
});

// ---- JavaScript / TypeScript ----

const BYPASS = /^bypassSecurityTrust(Html|Script|Style|Url|ResourceUrl)$/;

function call(node: ts.CallExpression, ctx: JsContext): void {
  const m = methodCall(node);
  const kind = m && BYPASS.exec(m.name)?.[1];
  if (!kind || node.arguments.length < 1) return;
  const file = ctx.file;
  const arg = node.arguments[0];
  if (sanitizedByAngular(file, arg)) return;
  const value = file.valueOf(arg);
  // 'https://www.youtube.com/embed/' + id: the origin is fixed, only the path varies
  const pinned = (kind === 'Url' || kind === 'ResourceUrl') && pinsDestination(leadingConstant(file, arg)) && !/^\//.test(leadingConstant(file, arg) ?? '');
  reportFlow(ctx, node, value, kind === 'Html' ? 'html' : kind === 'Url' || kind === 'ResourceUrl' ? 'url' : 'code',
    (src) => `${capitalized(src)} is trusted with \`${m!.name}\`, which turns off Angular's sanitizing for it.`,
    pinned ? { tainted: 'warning', unknown: 'hint', unknownConfidence: 'low' } : {},
    () => {
      const fixes: Fix[] = [];
      if (kind === 'Html') fixes.push({ ...domPurifyFix(file, arg, true), title: 'Sanitize the HTML with DOMPurify before trusting it' });
      return fixes;
    });
}

/** `sanitizer.sanitize(SecurityContext.HTML, value)`, in place or in a variable: Angular's own sanitizing. */
function sanitizedByAngular(file: JsFile, arg: ts.Expression): boolean {
  let e = skipOuter(arg);
  if (ts.isIdentifier(e)) e = skipOuter(file.definitionOf(e) ?? e);
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    e = skipOuter(e.left);
  }
  if (!ts.isCallExpression(e) || e.arguments.length < 2) return false;
  const m = methodCall(e);
  return m?.name === 'sanitize' && /(^|\.)SecurityContext\.(HTML|STYLE|URL|RESOURCE_URL|SCRIPT)$/.test(file.textOf(e.arguments[0]));
}
