/**
 * Small readers shared by the JS/TS web rules (DOM XSS, reflected XSS, redirects, SSRF, paths,
 * NoSQL): how severe a data-flow finding is, which object is an HTTP response or a jQuery
 * collection, the constant a URL starts with, and edits that add an import.
 * They read the expression at the sink; data flow is always asked of `file.valueOf`.
 */
import ts from 'typescript';
import { describeSource, evidence } from '../../engine/rule';
import type { JsContext } from '../../engine/rule-types';
import type { Confidence, Fix, Severity, SinkClass, TextEdit, Value } from '../../engine/types';
import { skipOuter, type JsFile } from '../../lang/javascript/front';

/** How a rule grades evidence: severity for tainted and unknown values; `false` = no finding. */
export interface FlowPolicy {
  tainted?: Severity;
  unknown?: Severity | false;
  unknownConfidence?: Confidence;
}

/**
 * Reports `value` reaching a sink of class `sink` at `at`, graded by `policy`.
 * `message` receives the source description ("`req.query.q` (line 3)" or "a value of unknown origin").
 * Returns true when a finding was made.
 */
export function reportFlow(
  ctx: JsContext, at: ts.Node, value: Value, sink: SinkClass,
  message: (source: string) => string, policy: FlowPolicy = {}, fixes?: () => Fix[],
): boolean {
  const ev = evidence(value, sink);
  if (ev === 'safe') return false;
  if (ev === 'unknown' && policy.unknown === false) return false;
  const severity = ev === 'tainted' ? policy.tainted : policy.unknown || undefined;
  const confidence: Confidence | undefined = ev === 'tainted' ? 'high' : policy.unknownConfidence ?? (severity ? 'medium' : undefined);
  ctx.report({
    range: ctx.file.range(at),
    message: message(describeSource(value)),
    value,
    ...(severity ? { severity } : {}),
    ...(confidence ? { confidence } : {}),
    fixes: fixes ? fixes() : [],
  });
  return true;
}

/** `Data from X` / `A value of unknown origin` at the start of a sentence. */
export function capitalized(source: string): string {
  return source.charAt(0).toUpperCase() + source.slice(1);
}

/** The name of a member access: `x.innerHTML` and `x['innerHTML']` both give `innerHTML`. */
export function memberName(node: ts.Node): string | undefined {
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) return node.argumentExpression.text;
  return undefined;
}

/** The object of a member access or of a method call's callee. */
export function memberObject(node: ts.Node): ts.Expression | undefined {
  if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) return node.expression;
  return undefined;
}

/** The method name and receiver of `recv.method(...)`. */
export function methodCall(call: ts.CallExpression): { name: string; receiver: ts.Expression } | undefined {
  const callee = skipOuter(call.expression);
  const name = memberName(callee);
  const receiver = memberObject(callee);
  return name && receiver ? { name, receiver } : undefined;
}

/** The expression at the start of a chain of calls and member accesses: `res` in `res.status(200).type('html')`. */
export function chainRoot(expr: ts.Expression): ts.Expression {
  let e = skipOuter(expr);
  for (;;) {
    if (ts.isCallExpression(e)) e = skipOuter(e.expression);
    else if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = skipOuter(e.expression);
    else return e;
  }
}

/** The calls of a method chain below `expr`, innermost last: `[type('html'), status(200)]` for `res.status(200).type('html')`. */
export function chainCalls(expr: ts.Expression): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  let e = skipOuter(expr);
  for (;;) {
    if (ts.isCallExpression(e)) { out.push(e); e = skipOuter(e.expression); }
    else if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = skipOuter(e.expression);
    else return out;
  }
}

const RESPONSE_NAMES = new Set(['res', 'response', 'resp', 'reply']);

/**
 * Is `expr` an HTTP response object (Express, Node http, Fastify reply)? By the handler's usual
 * parameter names, also through chains such as `res.status(404)` and `ctx.res`.
 */
export function isResponseObject(expr: ts.Expression): boolean {
  const e = skipOuter(expr);
  if (ts.isIdentifier(e)) return RESPONSE_NAMES.has(e.text);
  if (ts.isPropertyAccessExpression(e)) {
    // ctx.res, this.res, context.response
    if (RESPONSE_NAMES.has(e.name.text) && (ts.isIdentifier(e.expression) || e.expression.kind === ts.SyntaxKind.ThisKeyword)) return true;
    return false;
  }
  if (ts.isCallExpression(e)) {
    const callee = skipOuter(e.expression);
    const name = memberName(callee);
    const recv = memberObject(callee);
    return !!name && !!recv && RESPONSE_CHAIN_METHODS.has(name) && isResponseObject(recv);
  }
  return false;
}

/** Express/Fastify response methods that return the response (chainable). */
const RESPONSE_CHAIN_METHODS = new Set(['status', 'type', 'set', 'header', 'cookie', 'clearCookie', 'append', 'vary',
  'code', 'headers', 'contentType', 'location', 'links', 'attachment', 'setHeader']);

/**
 * The content type a response chain or its earlier calls set literally, when known:
 * `res.type('json')`, `res.set('Content-Type', 'text/plain')`, `reply.header('content-type', ...)`.
 */
export function declaredContentType(file: JsFile, receiver: ts.Expression): string | undefined {
  for (const call of chainCalls(receiver)) {
    const m = methodCall(call);
    if (!m) continue;
    if ((m.name === 'type' || m.name === 'contentType') && call.arguments.length === 1) {
      const v = file.stringValue(call.arguments[0]);
      if (v !== undefined) return v;
    }
    if ((m.name === 'set' || m.name === 'header' || m.name === 'setHeader') && call.arguments.length >= 2) {
      const key = file.stringValue(call.arguments[0]);
      if (key && key.toLowerCase() === 'content-type') {
        const v = file.stringValue(call.arguments[1]);
        if (v !== undefined) return v;
      }
    }
  }
  return undefined;
}

/** True for content types a browser never renders as HTML. */
export function isNonHtmlType(type: string | undefined): boolean {
  if (type === undefined) return false;
  const t = type.toLowerCase().trim();
  if (/html|xml|svg/.test(t)) return false;
  return /^(json|text|txt|plain|csv|js|javascript|css|bin|png|jpe?g|gif|pdf|zip|application\/|text\/(plain|csv|css|javascript)|image\/|audio\/|video\/)/.test(t);
}

/**
 * Is `expr` a jQuery (or cheerio) collection? `$(…)`, `jQuery(…)` and chains on them, `$`-prefixed
 * variables (the jQuery naming habit), Backbone's `this.$el` / `this.$(…)`, values made by jquery/cheerio.
 */
export function isJQueryObject(file: JsFile, expr: ts.Expression): boolean {
  const e = skipOuter(expr);
  if (ts.isCallExpression(e)) {
    const callee = skipOuter(e.expression);
    if (ts.isIdentifier(callee)) {
      if (callee.text === '$' || callee.text === 'jQuery') return true;
      const q = file.qualifiedName(callee);
      return !!q && JQUERY_MODULES.test(q);
    }
    // this.$('.x'), $el.find('.x'), $('.x').children()
    const recv = memberObject(callee);
    const name = memberName(callee);
    if (recv && name === '$') return true;
    if (recv && name && JQUERY_TRAVERSAL.has(name)) return isJQueryObject(file, recv);
    return false;
  }
  if (ts.isIdentifier(e)) {
    if (e.text.length > 1 && e.text.startsWith('$')) return true;
    const origin = file.valueOf(e).origin;
    return !!origin && /jquery|cheerio|^\$\(|^jQuery\(/.test(origin);
  }
  if (ts.isPropertyAccessExpression(e)) return e.name.text.length > 1 && e.name.text.startsWith('$');
  return false;
}

const JQUERY_MODULES = /^(jquery|cheerio|zepto)(\.|$)/;
const JQUERY_TRAVERSAL = new Set(['find', 'children', 'parent', 'parents', 'closest', 'first', 'last', 'eq', 'filter',
  'not', 'next', 'prev', 'siblings', 'add', 'addClass', 'removeClass', 'toggleClass', 'attr', 'css', 'show', 'hide',
  'empty', 'end', 'contents', 'clone', 'wrap', 'load']);

/** Constant text of a string piece: a literal, or what the data flow folds an expression to. */
export function constText(file: JsFile, node: ts.Expression): string | undefined {
  const e = skipOuter(node);
  if (ts.isStringLiteralLike(e)) return e.text;
  return file.stringValue(e);
}

/**
 * The constant text a string expression starts with (`'/users/' + id` gives `/users/`), when known;
 * a variable is followed to its single definition by the front (`stringParts`).
 */
export function leadingConstant(file: JsFile, node: ts.Expression): string | undefined {
  const e = skipOuter(node);
  // new URL('/login', base): a same-site path or an absolute URL decides the destination whatever the base
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'URL' && e.arguments?.length) {
    const first = leadingConstant(file, e.arguments[0]);
    return first !== undefined && (pinsDestination(first) || e.arguments.length === 1) ? first : undefined;
  }
  const parts = file.stringParts(node);
  if (!parts) return constText(file, node);
  let out = '';
  for (const p of parts) {
    if (p.text === undefined) break;
    out += p.text;
  }
  return out;
}

/**
 * A constant prefix that pins where a URL points: a same-site path (`/users/`, not `//` or `/\`)
 * or a scheme, host and the `/`, `?` or `#` that ends the host.
 */
export function pinsDestination(prefix: string | undefined): boolean {
  if (!prefix) return false;
  if (/^\/[^/\\]/.test(prefix)) return true;
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]+[/?#]/i.test(prefix);
}

/** Does the expression build HTML text: a template or concatenation whose constant parts hold a tag? */
export function buildsHtml(file: JsFile, node: ts.Expression, depth = 0): boolean {
  const e = skipOuter(node);
  if (depth > 4) return false;
  const tag = /<[a-zA-Z!/]/;
  if (ts.isNoSubstitutionTemplateLiteral(e) || ts.isStringLiteral(e)) return tag.test(e.text);
  if (ts.isConditionalExpression(e)) return buildsHtml(file, e.whenTrue, depth + 1) || buildsHtml(file, e.whenFalse, depth + 1);
  const parts = file.stringParts(e);
  if (!parts) return false;
  if (parts.some((p) => p.text !== undefined && tag.test(p.text))) return true;
  return parts.some((p) => p.expr !== undefined && p.text === undefined && p.expr !== e && buildsHtml(file, p.expr, depth + 1));
}

/** Does the expression build a string (a template with substitutions or a `+` with a string piece)? */
export function buildsString(file: JsFile, node: ts.Expression): boolean {
  const e = skipOuter(node);
  if (ts.isTemplateExpression(e)) return true;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return constText(file, e.left) !== undefined || constText(file, e.right) !== undefined
      || buildsString(file, e.left) || buildsString(file, e.right);
  }
  return false;
}

/** A function literal (`function () {}`, `() => x`): jQuery's `.html(fn)` form and the like. */
export function isFunctionLiteral(node: ts.Node): boolean {
  const e = skipOuter(node as ts.Expression);
  return ts.isFunctionExpression(e) || ts.isArrowFunction(e);
}

// ---- imports in fixes ----

/** The local name a module's default export is bound to in the file (`import DOMPurify from 'dompurify'`). */
export function importedAs(file: JsFile, modules: string[]): string | undefined {
  for (const [local, q] of file.imports) if (modules.includes(q)) return local;
  return undefined;
}

/**
 * The edits that make `name` refer to `module`'s default export, and the name to use.
 * ES modules get an `import`, CommonJS files a `require`; a plain browser script gets no edit
 * (the library must be loaded by a `<script>` tag) and `global` is set.
 */
export function ensureDefaultImport(file: JsFile, module: string, name: string, aliases: string[] = [], server = false): { name: string; edits: TextEdit[]; global: boolean } {
  const existing = importedAs(file, [module, ...aliases]);
  if (existing) return { name: existing, edits: [], global: false };
  const stmts = file.sourceFile.statements;
  let lastImport: ts.Statement | undefined;
  let lastRequire: ts.Statement | undefined;
  for (const s of stmts) {
    if (ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s)) lastImport = s;
    else if (ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => d.initializer && isRequireCall(d.initializer))) lastRequire = s;
  }
  const esm = !!lastImport || /\.(m?ts|tsx|mjs)$/i.test(file.path) || stmts.some((s) => ts.isExportDeclaration(s) || ts.isExportAssignment(s)
    || (ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)));
  const line = esm ? `import ${name} from '${module}';\n` : `const ${name} = require('${module}');\n`;
  const after = esm ? lastImport : lastRequire;
  if (!esm && !lastRequire && !server) return { name, edits: [], global: true };
  let at: number;
  if (after) {
    at = lineEndAfter(file.text, after.getEnd());
  } else {
    // after a leading 'use strict' / 'use client' directive, else at the top (below a shebang)
    const first = stmts[0];
    if (first && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression)) at = lineEndAfter(file.text, first.getEnd());
    else at = file.text.startsWith('#!') ? lineEndAfter(file.text, 0) : 0;
  }
  return { name, edits: [{ range: file.rangeOf(at, at), newText: line }], global: false };
}

function lineEndAfter(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl < 0 ? text.length : nl + 1;
}

function isRequireCall(e: ts.Expression): boolean {
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x)) x = skipOuter(x.expression);
  return ts.isCallExpression(x) && ts.isIdentifier(x.expression) && x.expression.text === 'require';
}

/** Wraps `node` in `fn(...)`. */
export function wrapEdit(file: JsFile, node: ts.Node, fn: string): TextEdit {
  return { range: file.range(node), newText: `${fn}(${file.textOf(node)})` };
}

/** A DOMPurify fix for an HTML sink: `DOMPurify.sanitize(value)`, importing DOMPurify where the file has imports. */
export function domPurifyFix(file: JsFile, value: ts.Expression, preferred = false): Fix {
  const imp = ensureDefaultImport(file, 'dompurify', 'DOMPurify', ['isomorphic-dompurify']);
  return {
    title: imp.global ? 'Sanitize the HTML with DOMPurify (load DOMPurify on the page)' : 'Sanitize the HTML with DOMPurify',
    edits: [wrapEdit(file, value, `${imp.name}.sanitize`), ...imp.edits],
    ...(preferred ? { preferred: true } : {}),
  };
}

/**
 * Content type set on `res` by a statement before `at` in the same block: `res.writeHead(200, {'Content-Type': ...})`,
 * `res.setHeader('Content-Type', ...)`, `res.type('json')`, Koa's `ctx.type = 'json'`.
 */
export function contentTypeSetBefore(file: JsFile, at: ts.Node, receiver: ts.Expression): string | undefined {
  const root = chainRoot(receiver);
  const name = ts.isIdentifier(root) ? root.text : undefined;
  if (!name) return undefined;
  let stmt: ts.Node = at;
  while (stmt.parent && !ts.isBlock(stmt.parent) && !ts.isSourceFile(stmt.parent)) stmt = stmt.parent;
  const block = stmt.parent as ts.Block | undefined;
  if (!block) return undefined;
  let found: string | undefined;
  for (const s of block.statements) {
    if (s === stmt) break;
    if (!ts.isExpressionStatement(s)) continue;
    const e = skipOuter(s.expression);
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const l = skipOuter(e.left);
      if ((memberName(l) === 'type' || memberName(l) === 'contentType') && ts.isIdentifier(chainRoot(l)) && (chainRoot(l) as ts.Identifier).text === name) {
        found = file.stringValue(e.right) ?? found;
      }
      continue;
    }
    if (!ts.isCallExpression(e)) continue;
    if (!(ts.isIdentifier(chainRoot(e)) && (chainRoot(e) as ts.Identifier).text === name)) continue;
    const t = declaredContentType(file, e) ?? writeHeadType(file, e);
    if (t !== undefined) found = t;
  }
  return found;
}

function writeHeadType(file: JsFile, call: ts.CallExpression): string | undefined {
  const m = methodCall(call);
  // res.writeHead(200, { ... }), Express res.set({ ... }) / res.header({ ... })
  if (!m || !(m.name === 'writeHead' || m.name === 'set' || m.name === 'header')) return undefined;
  for (const arg of call.arguments) {
    const obj = skipOuter(arg);
    if (!ts.isObjectLiteralExpression(obj)) continue;
    for (const p of obj.properties) {
      if (!ts.isPropertyAssignment(p)) continue;
      const key = ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name) ? p.name.text : undefined;
      if (key && key.toLowerCase() === 'content-type') return file.stringValue(p.initializer);
    }
  }
  return undefined;
}

/**
 * `location.href.replace(/^http:/, 'https:')`, `document.URL + '#top'`: the page's own URL starts
 * with its http(s) scheme, so no data after it can make a `javascript:` URL.
 */
export function startsWithPageUrl(file: JsFile, expr: ts.Expression, depth: number): boolean {
  if (depth > 3) return false;
  const e = skipOuter(expr);
  if (ts.isIdentifier(e)) {
    const def = file.definitionOf(e);
    return !!def && startsWithPageUrl(file, def, depth + 1);
  }
  if (ts.isCallExpression(e)) {
    const name = memberName(skipOuter(e.expression));
    const recv = memberObject(skipOuter(e.expression));
    if (!recv) return false;
    // a prefix of the page URL: slice(0, i), substring(0, i)
    const fromStart = (name === 'slice' || name === 'substring' || name === 'substr') && e.arguments[0] && skipOuter(e.arguments[0]).getText() === '0';
    return (fromStart || name === 'replace' || name === 'replaceAll' || name === 'concat' || name === 'toString') && startsWithPageUrl(file, recv, depth + 1);
  }
  // location.href.split('#')[0]
  if (ts.isElementAccessExpression(e) && skipOuter(e.argumentExpression).getText() === '0') {
    const inner = skipOuter(e.expression);
    return ts.isCallExpression(inner) && memberName(skipOuter(inner.expression)) === 'split' && startsWithPageUrl(file, memberObject(skipOuter(inner.expression))!, depth + 1);
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return startsWithPageUrl(file, e.left, depth + 1);
  if (ts.isTemplateExpression(e)) return e.head.text === '' && startsWithPageUrl(file, e.templateSpans[0].expression, depth + 1);
  if (!ts.isPropertyAccessExpression(e)) return false;
  const text = file.textOf(e).replace(/\s+/g, '');
  return /^((window|self|globalThis|top|parent)\.)?(document\.)?location\.(href|origin)$/.test(text)
    || /^((window|self)\.)?document\.(URL|documentURI|baseURI)$/.test(text);
}


/**
 * Data whose only source is the page's own address (`location.href`, `document.URL`...): it starts
 * with the page's http(s) scheme and host, so it can be neither a `javascript:` URL nor another site.
 * `withReferrer` adds `document.referrer` (another page's address: http(s), but any site).
 */
export function fromPageAddress(value: Value, withReferrer = false): boolean {
  if (value.kind !== 'tainted') return false;
  const d = value.source.description.replace(/\s+/g, '');
  if (withReferrer && /^((window|self)\.)?document\.referrer$/.test(d)) return true;
  return /^((window|self|globalThis|top|parent)\.)?(document\.)?location\.href$/.test(d)
    || /^((window|self)\.)?document\.(URL|documentURI|baseURI)$/.test(d);
}

/**
 * Data from the command line (`process.argv`): the person running a CLI chooses its files and URLs,
 * so paths and fetched URLs from it are not an attack (command injection is another matter).
 */
export function fromCommandLine(value: Value): boolean {
  return value.kind === 'tainted' && /^((globalThis|window)\.)?process\.argv\b/.test(value.source.description.replace(/\s+/g, ''));
}
