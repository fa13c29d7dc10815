import ts from 'typescript';
import { evidence } from '../engine/rule';
import { defineRule, type JsContext } from '../engine/rule-types';
import { OWASP, type Fix } from '../engine/types';
import { skipOuter, type JsFile } from '../lang/javascript/front';
import {
  buildsHtml, capitalized, domPurifyFix, isFunctionLiteral, isJQueryObject, leadingConstant, memberName, memberObject,
  methodCall, reportFlow, startsWithPageUrl, fromPageAddress,
} from './support/javascript-web';

/**
 * DOM-based XSS: non-constant strings written into HTML sinks in the browser (`innerHTML`,
 * `insertAdjacentHTML`, `document.write`, jQuery `.html()`...), and data-made `javascript:` URLs
 * in `href`/`src`. React's `dangerouslySetInnerHTML` has its own rule.
 */
export default defineRule({
  meta: {
    id: 'dom-xss',
    title: 'Untrusted HTML written into the page',
    description: 'Writing a non-constant string into an HTML sink (innerHTML, document.write, jQuery .html()) or a data-made URL into href/src lets attackers run script in the page.',
    cwe: ['CWE-79'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 6.1,
    languages: ['javascript'],
  },
  javascript: {
    [ts.SyntaxKind.BinaryExpression]: (node: ts.BinaryExpression, ctx) => assignment(node, ctx),
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => call(node, ctx),
    [ts.SyntaxKind.JsxAttribute]: (node: ts.JsxAttribute, ctx) => jsxAttribute(node, ctx),
  },
});

// ---- JavaScript / TypeScript ----

/** Properties whose assigned string is parsed as HTML. */
const HTML_PROPERTIES = new Set(['innerHTML', 'outerHTML', 'srcdoc']);
/** Properties whose assigned string is a URL that may run script (`javascript:`). */
const URL_PROPERTIES = new Set(['href', 'src', 'action', 'formAction']);
/** Values of unknown origin in HTML sinks: a low-confidence hint (library code is full of them). */
const UNKNOWN_HINT = { unknown: 'hint', unknownConfidence: 'low' } as const;

/** jQuery methods that parse a string argument as HTML. */
const JQUERY_INSERT = new Set(['append', 'prepend', 'after', 'before', 'replaceWith', 'wrap', 'wrapAll', 'wrapInner']);

function assignment(node: ts.BinaryExpression, ctx: JsContext): void {
  const op = node.operatorToken.kind;
  if (op !== ts.SyntaxKind.EqualsToken && op !== ts.SyntaxKind.PlusEqualsToken) return;
  const left = skipOuter(node.left);
  const prop = memberName(left);
  if (!prop) return;
  const file = ctx.file;
  if (HTML_PROPERTIES.has(prop)) {
    if (copiesMarkup(node.right) || inInertDocument(file, memberObject(left))) return;
    const value = file.valueOf(node.right);
    reportFlow(ctx, node, value, 'html', (src) => `${capitalized(src)} is written to \`${prop}\`, which parses it as HTML.`, UNKNOWN_HINT,
      () => htmlAssignmentFixes(file, left, prop, node.right, op === ts.SyntaxKind.EqualsToken));
    return;
  }
  if (URL_PROPERTIES.has(prop) && op === ts.SyntaxKind.EqualsToken) {
    const object = memberObject(left);
    if (!object || isLocation(object)) return; // navigation: the open-redirect rule's concern
    urlSink(ctx, node, node.right, `\`${prop}\``, object);
  }
}

function call(node: ts.CallExpression, ctx: JsContext): void {
  const file = ctx.file;
  const callee = skipOuter(node.expression);
  // $(html) / jQuery(html): a string from the request is parsed as HTML
  if (ts.isIdentifier(callee) && (callee.text === '$' || callee.text === 'jQuery') && node.arguments.length >= 1) {
    const arg = node.arguments[0];
    if (isFunctionLiteral(arg)) return;
    reportFlow(ctx, node, file.valueOf(arg), 'html', (src) => `${capitalized(src)} is passed to \`${callee.text}()\`, which parses HTML strings.`,
      buildsHtml(file, arg) ? UNKNOWN_HINT : { unknown: false }, () => [domPurifyFix(file, arg)]);
    return;
  }
  const m = methodCall(node);
  if (!m) return;
  const args = node.arguments;
  switch (m.name) {
    case 'insertAdjacentHTML': {
      if (args.length < 2) return;
      const value = file.valueOf(args[1]);
      reportFlow(ctx, node, value, 'html', (src) => `${capitalized(src)} is inserted with \`insertAdjacentHTML\`, which parses it as HTML.`, UNKNOWN_HINT,
        () => {
          const fixes: Fix[] = [];
          if (!buildsHtml(file, args[1])) {
            fixes.push({ title: 'Insert it as plain text (insertAdjacentText)', edits: [{ range: file.range(callee.kind === ts.SyntaxKind.PropertyAccessExpression ? (callee as ts.PropertyAccessExpression).name : callee), newText: 'insertAdjacentText' }], preferred: true });
          }
          fixes.push(domPurifyFix(file, args[1], fixes.length === 0));
          return fixes;
        });
      return;
    }
    case 'write':
    case 'writeln': {
      if (!isDocument(m.receiver)) return;
      for (const arg of args) {
        if (reportFlow(ctx, node, file.valueOf(arg), 'html', (src) => `${capitalized(src)} is written with \`document.${m.name}\`, which parses it as HTML.`, UNKNOWN_HINT,
          () => [domPurifyFix(file, arg)])) return;
      }
      return;
    }
    case 'setHTMLUnsafe':
    case 'parseHTMLUnsafe':
    case 'createContextualFragment': {
      if (args.length < 1) return;
      reportFlow(ctx, node, file.valueOf(args[0]), 'html', (src) => `${capitalized(src)} is parsed as HTML by \`${m.name}\`.`, UNKNOWN_HINT,
        () => [domPurifyFix(file, args[0])]);
      return;
    }
    case 'setAttribute': {
      if (args.length < 2) return;
      const name = file.stringValue(args[0])?.toLowerCase();
      if (name === undefined) return;
      if (name === 'srcdoc') {
        reportFlow(ctx, node, file.valueOf(args[1]), 'html', (src) => `${capitalized(src)} becomes the HTML of an iframe (\`srcdoc\`).`, UNKNOWN_HINT);
      } else if (/^on[a-z]+$/.test(name)) {
        reportFlow(ctx, node, file.valueOf(args[1]), 'code', (src) => `${capitalized(src)} becomes the \`${name}\` event handler, which runs as script.`, UNKNOWN_HINT);
      } else if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data'].includes(name)) {
        urlSink(ctx, node, args[1], `the \`${name}\` attribute`);
      }
      return;
    }
    case 'html': {
      if (args.length < 1 || isFunctionLiteral(args[0]) || !isJQueryObject(file, m.receiver)) return;
      if (copiesMarkup(args[0])) return;
      reportFlow(ctx, node, file.valueOf(args[0]), 'html', (src) => `${capitalized(src)} is set as HTML with jQuery \`.html()\`.`, UNKNOWN_HINT,
        () => {
          const fixes: Fix[] = [];
          const name = (callee as ts.PropertyAccessExpression).name;
          if (ts.isPropertyAccessExpression(callee) && !buildsHtml(file, args[0])) {
            fixes.push({ title: 'Set it as plain text (.text())', edits: [{ range: file.range(name), newText: 'text' }], preferred: true });
          }
          fixes.push(domPurifyFix(file, args[0], fixes.length === 0));
          return fixes;
        });
      return;
    }
    default:
      if (!JQUERY_INSERT.has(m.name) || !isJQueryObject(file, m.receiver)) return;
      for (const arg of args) {
        if (isFunctionLiteral(arg)) continue;
        // elements and jQuery objects are inserted as nodes: only strings that build HTML, or request data, count
        if (reportFlow(ctx, node, file.valueOf(arg), 'html', (src) => `${capitalized(src)} is inserted as HTML with jQuery \`.${m.name}()\`.`,
          buildsHtml(file, arg) ? UNKNOWN_HINT : { unknown: false }, () => [domPurifyFix(file, arg)])) return;
      }
  }
}

/** JSX: `<iframe srcDoc={html}>`, `<a href={url}>` made from request data. */
function jsxAttribute(node: ts.JsxAttribute, ctx: JsContext): void {
  const init = node.initializer;
  if (!init || !ts.isJsxExpression(init) || !init.expression) return;
  const name = ts.isIdentifier(node.name) ? node.name.text : undefined;
  if (!name) return;
  const file = ctx.file;
  if (name === 'srcDoc') {
    reportFlow(ctx, node, file.valueOf(init.expression), 'html', (src) => `${capitalized(src)} becomes the HTML of an iframe (\`srcDoc\`).`, UNKNOWN_HINT);
    return;
  }
  if (URL_PROPERTIES.has(name) || name === 'data' || name === 'xlinkHref') {
    const tag = (node.parent.parent as ts.JsxOpeningLikeElement).tagName;
    // components (<Link href>) and plain elements alike end in an <a href>; `src` only runs script in frames and scripts
    if (name === 'src' && !(ts.isIdentifier(tag) && /^(iframe|frame|embed|script)$/.test(tag.text))) return;
    urlSink(ctx, node, init.expression, `\`${name}\``);
  }
}

/** A URL sink: only request data counts (a `javascript:` URL), and a constant prefix that fixes the scheme clears it. */
function urlSink(ctx: JsContext, at: ts.Node, expr: ts.Expression, what: string, element?: ts.Expression): void {
  const file = ctx.file;
  const value = file.valueOf(expr);
  // only request data is reported: the cheap data-flow answer first, the finer checks after
  if (evidence(value, 'url') !== 'tainted' || fromPageAddress(value, true)) return;
  if (fixesScheme(leadingConstant(file, expr)) || startsWithPageUrl(file, expr, 0)) return;
  if (element && !mayBeElement(file, element)) return;
  reportFlow(ctx, at, value, 'url', (src) => `${capitalized(src)} becomes the URL of ${what}: a \`javascript:\` URL would run script.`,
    { unknown: false });
}

/** A constant start that no data can turn into a `javascript:`, `vbscript:` or `data:` URL. */
function fixesScheme(prefix: string | undefined): boolean {
  if (!prefix) return false;
  // browsers drop leading control characters and spaces, and tabs or newlines inside the scheme
  const p = prefix.replace(/[\u0000-\u0020]/g, '').toLowerCase();
  if (!p) return false;
  return !['javascript:', 'vbscript:', 'data:'].some((s) => s.startsWith(p) || p.startsWith(s));
}

/** Could the object be a DOM element? Not when it was made otherwise (`new Url()`, `{}`, `url.parse(...)`). */
function mayBeElement(file: JsFile, object: ts.Expression): boolean {
  const DOMISH = /document|Element|querySelector|getElementBy|closest|parent|child|sibling|frames|\$\(|jQuery|jquery|cheerio|window|ref|current|Image|Audio|Option/i;
  const e = skipOuter(object);
  const def = ts.isIdentifier(e) ? file.definitionOf(e) : undefined;
  if (def && !madeAsElement(file, def, DOMISH)) return false;
  const v = file.valueOf(object);
  if (v.kind === 'constant') return false;
  if (!v.origin) return true;
  return DOMISH.test(v.origin);
}

/** False when the defining expression certainly makes something else: `{}`, `new Url()`, `url.parse(x)`, `c ? new Url() : {}`. */
function madeAsElement(file: JsFile, def: ts.Expression, domish: RegExp): boolean {
  const d = skipOuter(def);
  if (ts.isConditionalExpression(d)) return madeAsElement(file, d.whenTrue, domish) || madeAsElement(file, d.whenFalse, domish);
  if (ts.isObjectLiteralExpression(d) || ts.isArrayLiteralExpression(d)) return false;
  if (ts.isNewExpression(d)) return domish.test(file.textOf(d.expression));
  if (ts.isCallExpression(d)) {
    const q = file.callName(d);
    if (q && !domish.test(q)) return false;
  }
  return true;
}

/** `a.innerHTML = b.innerHTML`: markup copied from the page is not new markup. */
function copiesMarkup(expr: ts.Expression): boolean {
  let e = skipOuter(expr);
  // block.innerHTML.replace(/\t/g, '  '): the page's markup, rewritten
  while (ts.isCallExpression(e) && ['replace', 'replaceAll', 'trim', 'trimStart', 'trimEnd'].includes(memberName(skipOuter(e.expression)) ?? '')) {
    e = skipOuter(memberObject(skipOuter(e.expression))!);
  }
  const name = memberName(e);
  return name === 'innerHTML' || name === 'outerHTML';
}

/**
 * `doc.body.innerHTML = x` where `doc` came from `createHTMLDocument()`, `createDocument()` or
 * `DOMParser.parseFromString()`: a document without a window runs no script and loads nothing
 * (how sanitizers parse dirty markup).
 */
function inInertDocument(file: JsFile, object: ts.Expression | undefined): boolean {
  let e = object && skipOuter(object);
  while (e && ['documentElement', 'body', 'head'].includes(memberName(e) ?? '')) e = skipOuter(memberObject(e)!);
  if (e && ts.isIdentifier(e)) e = skipOuter(file.definitionOf(e) ?? e);
  if (!e || !ts.isCallExpression(e)) return false;
  return ['createHTMLDocument', 'createDocument', 'parseFromString'].includes(memberName(skipOuter(e.expression)) ?? '');
}

function isDocument(expr: ts.Expression): boolean {
  const e = skipOuter(expr);
  if (ts.isIdentifier(e)) return e.text === 'document';
  return ts.isPropertyAccessExpression(e) && e.name.text === 'document' && ts.isIdentifier(e.expression)
    && ['window', 'self', 'globalThis', 'top', 'parent'].includes(e.expression.text);
}

function isLocation(expr: ts.Expression): boolean {
  const e = skipOuter(expr);
  if (ts.isIdentifier(e)) return e.text === 'location';
  return ts.isPropertyAccessExpression(e) && e.name.text === 'location';
}

function htmlAssignmentFixes(file: JsFile, left: ts.Expression, prop: string, right: ts.Expression, plainAssign: boolean): Fix[] {
  if (prop === 'srcdoc') return [];
  const fixes: Fix[] = [];
  if (prop === 'innerHTML' && plainAssign && !buildsHtml(file, right)) {
    const nameNode = ts.isPropertyAccessExpression(left) ? left.name : (left as ts.ElementAccessExpression).argumentExpression;
    const newText = ts.isPropertyAccessExpression(left) ? 'textContent' : `'textContent'`;
    fixes.push({ title: 'Show it as plain text (textContent)', edits: [{ range: file.range(nameNode), newText }], preferred: true });
  }
  fixes.push(domPurifyFix(file, right, fixes.length === 0));
  return fixes;
}

