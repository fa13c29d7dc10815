import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { describeSource, evidence } from '../engine/rule';
import { skipOuter as jsSkipOuter, type JsFile } from '../lang/javascript/front';
import {
  capitalized, chainRoot, isResponseObject, leadingConstant, memberName, memberObject, methodCall, pinsDestination, reportFlow,
  startsWithPageUrl, fromPageAddress, type FlowPolicy,
} from './support/javascript-web';
import { fromLocalUser, fromOwnUrl, isTextPiece, pieces, pinnedUrl, sinkValue } from './support/python-sinks';

export default defineRule({
  meta: {
    id: 'open-redirect',
    title: 'Redirect to an untrusted URL',
    description: "Redirecting to a URL taken from the request lets attackers send users to a phishing site that looks like yours.",
    cwe: ['CWE-601'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 6.1,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => { if (ctx.file.mayHaveTaint()) pythonCall(node, ctx); },
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
    [ts.SyntaxKind.BinaryExpression]: (node: ts.BinaryExpression, ctx) => javascriptAssignment(node, ctx),
  },
});

// ---- Python ----

const PY_REDIRECTS: Record<string, string> = {
  'flask.redirect': 'location', 'werkzeug.utils.redirect': 'location', 'quart.redirect': 'location',
  'django.shortcuts.redirect': 'to', 'django.http.HttpResponseRedirect': 'redirect_to',
  'django.http.HttpResponsePermanentRedirect': 'redirect_to', 'django.http.response.HttpResponseRedirect': 'redirect_to',
  'fastapi.responses.RedirectResponse': 'url', 'starlette.responses.RedirectResponse': 'url',
};

const PY_SELF_URL = new Set(['path', 'path_info', 'full_path', 'url', 'base_url', 'get_full_path', 'get_full_path_info', 'build_absolute_uri']);

/** `request.get_full_path()`, `request.path + "?x=1"`: back to the URL that was requested (same site). */
function pySelfUrl(file: PyContext['file'], target: Node): boolean {
  const ps = pieces(file, target);
  let first: Node | undefined = target;
  if (ps) first = ps[0] && !isTextPiece(ps[0]) ? ps[0].node : undefined;
  if (first?.type === 'call' && (file.argument(first, 0) === undefined)) first = first.childForFieldName('function') ?? undefined;
  if (first?.type !== 'attribute') return false;
  const obj = first.childForFieldName('object');
  const attr = first.childForFieldName('attribute')?.text ?? '';
  return PY_SELF_URL.has(attr) && (obj?.text === 'request' || obj?.text === 'self.request' || file.qualifiedName(obj) === 'flask.request');
}

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  if (!name || !(name in PY_REDIRECTS)) return;
  const target = file.argument(node, 0, PY_REDIRECTS[name]);
  if (!target) return;
  const { value, ev } = sinkValue(file, target, 'redirect');
  // only request data is reported: url_for(...) and settings are of unknown origin but not attacker-chosen
  if (ev !== 'tainted' || fromLocalUser(value) || fromOwnUrl(value) || pinnedUrl(file, target, true) || pySelfUrl(file, target)) return;
  ctx.report({
    range: file.range(node),
    message: `${describeSource(value)} chooses where \`${name.split('.').pop()}\` sends the user: an attacker can link to your site and land victims on theirs. Check it with url_has_allowed_host_and_scheme (Django) or accept only relative paths.`,
    value,
  });
}

// ---- JavaScript / TypeScript ----

/** Server-side redirect functions by qualified name (after import resolution). */
const JS_REDIRECTS = new Set(['next/navigation.redirect', 'next/navigation.permanentRedirect', 'next/server.NextResponse.redirect',
  'Response.redirect', 'NextResponse.redirect']);

/** Server: tainted targets are errors, targets of unknown origin a hint. Browser: tainted only. */
const JS_SERVER: FlowPolicy = { unknown: 'hint', unknownConfidence: 'low' };
const JS_BROWSER: FlowPolicy = { unknown: false };

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const file = ctx.file;
  const name = file.callName(node) ?? (ts.isPropertyAccessExpression(jsSkipOuter(node.expression))
    && ts.isIdentifier((jsSkipOuter(node.expression) as ts.PropertyAccessExpression).expression)
    ? jsSkipOuter(node.expression).getText(file.sourceFile) : undefined);
  if (name && JS_REDIRECTS.has(name)) {
    if (node.arguments.length >= 1) jsTarget(ctx, node, node.arguments[0], `\`${name.replace(/^.*[/]/, '')}()\``, JS_SERVER);
    return;
  }
  const callee = jsSkipOuter(node.expression);
  // window.open(url), open(url)
  if ((ts.isIdentifier(callee) && callee.text === 'open' && !file.imports.has('open'))
    || (memberName(callee) === 'open' && jsIsWindow(memberObject(callee)!))) {
    if (node.arguments.length >= 1) jsTarget(ctx, node, node.arguments[0], '`window.open()`', JS_BROWSER);
    return;
  }
  const m = methodCall(node);
  if (!m) return;
  if ((m.name === 'assign' || m.name === 'replace') && jsIsLocation(m.receiver)) {
    if (node.arguments.length >= 1) jsTarget(ctx, node, node.arguments[0], `\`location.${m.name}()\``, JS_BROWSER);
    return;
  }
  if (m.name === 'redirect' && (isResponseObject(m.receiver) || jsIsKoaContext(m.receiver))) {
    // res.redirect([status,] url), reply.redirect(url[, status]), ctx.redirect(url[, alt])
    const target = node.arguments.find((a) => !ts.isNumericLiteral(jsSkipOuter(a)));
    if (target) jsTarget(ctx, node, target, '`redirect()`', jsOnRequest(target) ? JS_SERVER : JS_BROWSER);
  }
}

/** `location = url`, `location.href = url`, `window.location.href = url`. */
function javascriptAssignment(node: ts.BinaryExpression, ctx: JsContext): void {
  if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const left = jsSkipOuter(node.left);
  const isTarget = jsIsLocation(left) || (memberName(left) === 'href' && jsIsLocation(memberObject(left)!));
  if (!isTarget) return;
  jsTarget(ctx, node, node.right, '`location`', JS_BROWSER);
}

function jsTarget(ctx: JsContext, at: ts.Node, target: ts.Expression, where: string, policy: FlowPolicy): void {
  const file = ctx.file;
  // '/users/' + id, `https://example.com/${path}`: the destination site is fixed
  const prefix = leadingConstant(file, target);
  if (pinsDestination(prefix)) return;
  // relative: `./callback?${params}`, `../list/`, `?page=`: the same site
  if (prefix && /^(\.\.?\/|[?#]|[\w.~-]+[/?#])/.test(prefix)) return;
  // 'https://' + req.headers.host + req.url: the request's own host (HTTPS upgrades), not a link's choice
  if (jsOwnHost(file, target)) return;
  // location.href.replace('/-/', '/#/'): the page's own address
  if (startsWithPageUrl(file, target, 0)) return;
  // urlRoot + '/login?next=' + location.pathname: the untrusted part only fills the query or the fragment
  if (onlyAfterQuery(file, target)) return;
  const value = file.valueOf(target);
  if (fromPageAddress(value)) return;
  reportFlow(ctx, at, value, 'redirect',
    (src) => `${capitalized(src)} decides where ${where} sends the user: a crafted link can send them to any site. Allow only relative paths or known hosts.`,
    policy);
}

/**
 * Data kept on the request (`req.session.returnTo`, `ctx.state.next`): of unknown origin, but often
 * stored from an earlier request's parameters. Other unknown targets (configured URLs) stay quiet.
 */
function jsOnRequest(target: ts.Expression): boolean {
  let e = jsSkipOuter(target);
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) e = jsSkipOuter(e.left);
  if (!ts.isPropertyAccessExpression(e) && !ts.isElementAccessExpression(e)) return false;
  const root = chainRoot(e);
  return ts.isIdentifier(root) && ['req', 'request', 'ctx', 'context'].includes(root.text);
}

/** Is every tainted piece of the URL after a constant `?` or `#`, with nothing tainted before it? */
function onlyAfterQuery(file: JsFile, target: ts.Expression): boolean {
  const parts = file.stringParts(target);
  if (!parts) return false;
  for (const p of parts) {
    if (p.text !== undefined) {
      if (/[?#]/.test(p.text)) return true;
      continue;
    }
    if (!p.expr || evidence(p.value ?? file.valueOf(p.expr), 'redirect') === 'tainted') return false;
  }
  return false;
}

/** A URL made of a scheme, the request's own Host header and anything after it. */
function jsOwnHost(file: JsFile, target: ts.Expression): boolean {
  const parts = file.stringParts(target);
  if (!parts) return false;
  for (const p of parts) {
    if (p.text !== undefined && p.expr === undefined) {
      if (/^([a-z][a-z0-9+.-]*:)?\/*$/i.test(p.text)) continue;
      return false;
    }
    const text = p.expr ? file.textOf(p.expr).replace(/\s+/g, '') : '';
    if (/\.protocol$/.test(text)) continue;
    if (p.text !== undefined) { if (/^([a-z][a-z0-9+.-]*:)?\/*$/i.test(p.text)) continue; return false; }
    if (/\.(query|body|params|cookies)\b/.test(text)) return false; // req.query.host is the link's choice
    return /(\.headers\.host|\.headers\[['"]host['"]\]|\.hostname|\.host|\.(get|header)\(['"]host['"]\))$/i.test(text);
  }
  return false;
}

function jsIsWindow(e: ts.Expression): boolean {
  const x = jsSkipOuter(e);
  return ts.isIdentifier(x) && ['window', 'self', 'globalThis', 'top', 'parent'].includes(x.text);
}

function jsIsLocation(e: ts.Expression | undefined): boolean {
  if (!e) return false;
  const x = jsSkipOuter(e);
  if (ts.isIdentifier(x)) return x.text === 'location';
  if (!ts.isPropertyAccessExpression(x) || x.name.text !== 'location') return false;
  const o = jsSkipOuter(x.expression);
  return ts.isIdentifier(o) && ['window', 'self', 'globalThis', 'top', 'parent', 'document'].includes(o.text);
}

function jsIsKoaContext(e: ts.Expression): boolean {
  const x = jsSkipOuter(e);
  return ts.isIdentifier(x) && (x.text === 'ctx' || x.text === 'context');
}
