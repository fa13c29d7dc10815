import ts from 'typescript';
import { defineRule, type JsContext } from '../engine/rule-types';
import { OWASP, type Fix } from '../engine/types';
import { propertyOf, skipOuter } from '../lang/javascript/front';
import { jsPropName, nameWords } from './support/constants';
import { AUTH_METHODS, JS_AUTH_CALLS, isTestCode, jsIsBarePassword } from './support/auth';

/**
 * Express/Koa logins that put the user on the session without a new session id (`req.session.regenerate`), so a
 * session id an attacker planted before the login becomes a logged-in session; and express-session /
 * cookie-session configured without an expiry. The secret (hardcoded-secret) and the cookie flags
 * (insecure-cookie) are other rules' findings. Django's `login()` and Flask's signed-cookie sessions rotate or
 * carry no server-side id: nothing to report in Python.
 */
export default defineRule({
  meta: {
    id: 'session-fixation',
    title: 'Session not regenerated at login',
    description: 'A login that keeps the session id it was given lets an attacker who planted that id (a link, a '
      + 'subdomain cookie) ride the victim\'s session once they log in.',
    cwe: ['CWE-384', 'CWE-613'],
    owasp: OWASP.A07,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 6.5,
    languages: ['javascript'],
  },
  javascript: {
    [ts.SyntaxKind.BinaryExpression]: (node: ts.BinaryExpression, ctx) => sessionAssignment(node, ctx),
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => sessionConfig(node, ctx),
  },
});

/** Session keys that say who is logged in. */
const IDENTITY_WORDS = new Set(['user', 'userid', 'uid', 'account', 'accountid', 'logged', 'loggedin', 'authenticated',
  'auth', 'email', 'username', 'member', 'customer', 'admin', 'principal', 'identity', 'profile', 'login', 'passport']);

function isIdentityKey(key: string): boolean {
  const w = nameWords(key);
  return w.some((x) => IDENTITY_WORDS.has(x)) || IDENTITY_WORDS.has(w.join(''));
}

const SESSION_OBJECT = /^(req|request|ctx|context)\.session$/;

/** `req.session.user = user` after the password was checked, without `req.session.regenerate(...)`. */
function sessionAssignment(node: ts.BinaryExpression, ctx: JsContext): void {
  if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const left = skipOuter(node.left);
  if (!ts.isPropertyAccessExpression(left) && !ts.isElementAccessExpression(left)) return;
  const sessionText = ctx.file.textOf(left.expression);
  if (!SESSION_OBJECT.test(sessionText)) return;
  const key = ts.isPropertyAccessExpression(left) ? left.name.text : jsPropName(left.argumentExpression);
  if (!key || !isIdentityKey(key) || isTestCode(ctx.file.path)) return;
  // cookie-session keeps the whole session in the signed cookie: there is no server-side id to fix
  if (ctx.file.importsModule('cookie-session')) return;
  const outer = handlerOf(ctx, node, sessionText.slice(0, sessionText.indexOf('.')));
  if (!outer || !verifiesBefore(ctx, outer, node)) return;
  if (rotates(ctx, outer, sessionText)) return;
  const koa = sessionText.startsWith('ctx') || sessionText.startsWith('context');
  const fix = regenerateFix(ctx, node, outer, sessionText);
  ctx.report({
    range: ctx.file.range(node),
    message: koa
      ? `The user is put on \`${sessionText}\` without a new session: with a server-side store, a session id planted before the login stays valid after it. Regenerate the session (koa-session: \`ctx.regenerateSession()\`) before storing the user.`
      : `The user is put on \`${sessionText}\` without \`${sessionText}.regenerate()\`: a session id an attacker planted before the login becomes a logged-in session. Regenerate the session, then store the user.`,
    // koa-session keeps sessions in the cookie unless a store is configured, which another file usually does
    severity: koa ? 'info' : 'warning',
    fixes: fix ? [fix] : [],
  });
}

/** The handler a node is in: the function declaring `req`/`ctx`, through callbacks (`bcrypt.compare(pw, h, (err, ok) => {...})`). */
function handlerOf(ctx: JsContext, node: ts.Node, owner: string): ts.SignatureDeclaration | undefined {
  let fn = ctx.file.enclosingFunction(node);
  for (let i = 0; fn && i < 6; i++) {
    if (fn.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === owner)) return fn;
    fn = ctx.file.enclosingFunction(fn);
  }
  return undefined;
}

/** A password check before the node in the handler: bcrypt/argon2, a `checkPassword`-style method, or `password === x`. */
function verifiesBefore(ctx: JsContext, fn: ts.Node, node: ts.Node): boolean {
  const end = node.getStart(ctx.file.sourceFile);
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || n.getStart(ctx.file.sourceFile) >= end) return;
    if (ts.isCallExpression(n)) {
      const q = ctx.file.callName(n);
      const callee = n.expression;
      if ((q && JS_AUTH_CALLS.test(q)) || (ts.isPropertyAccessExpression(callee) && AUTH_METHODS.test(callee.name.text)
        && (callee.name.text !== 'authenticate' || n.arguments.some((a) => jsIsBarePassword(skipOuter(a)))))) { found = true; return; }
    }
    if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken || n.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken)
      && jsIsBarePassword(skipOuter(n.left)) && jsIsBarePassword(skipOuter(n.right))) { found = true; return; }
    n.forEachChild(visit);
  };
  visit(fn);
  return found;
}

/** `req.session.regenerate(...)`, passport's `req.login()` (regenerates since 0.6), `ctx.regenerateSession()`, `req.session = null`. */
function rotates(ctx: JsContext, fn: ts.Node, sessionText: string): boolean {
  const owner = sessionText.slice(0, sessionText.indexOf('.'));
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const m = n.expression.name.text;
      const recv = ctx.file.textOf(n.expression.expression);
      if ((m === 'regenerate' && recv === sessionText) || ((m === 'login' || m === 'logIn') && recv === owner)
        || (m === 'regenerateSession' && recv === owner)) { found = true; return; }
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ctx.file.textOf(n.left) === sessionText
      && skipOuter(n.right).kind === ts.SyntaxKind.NullKeyword) { found = true; return; }
    n.forEachChild(visit);
  };
  visit(fn);
  return found;
}

/**
 * Moves the assignment and the rest of its block into `req.session.regenerate((err) => { ... })`, when that block is
 * the handler's own body, nothing after it awaits, nothing before it writes the session (regenerate drops it), and the
 * handler has a `next` to pass the error to.
 */
function regenerateFix(ctx: JsContext, node: ts.BinaryExpression, fn: ts.SignatureDeclaration, sessionText: string): Fix | undefined {
  const stmt = node.parent;
  const body = (fn as ts.FunctionLikeDeclaration).body;
  if (!ts.isExpressionStatement(stmt) || !body || !ts.isBlock(body) || stmt.parent !== body) return undefined;
  const next = fn.parameters[2] && ts.isIdentifier(fn.parameters[2].name) ? fn.parameters[2].name.text : undefined;
  if (!next || sessionText.startsWith('ctx') || sessionText.startsWith('context')) return undefined;
  const i = body.statements.indexOf(stmt);
  const moved = body.statements.slice(i);
  const before = body.statements.slice(0, i);
  let blocked = false;
  const awaits = (n: ts.Node): void => {
    if (blocked) return;
    if (ts.isAwaitExpression(n) || ts.isYieldExpression(n)) { blocked = true; return; }
    if (ts.isFunctionLike(n)) return;
    n.forEachChild(awaits);
  };
  moved.forEach(awaits);
  const writesSession = (n: ts.Node): void => {
    if (blocked) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ctx.file.textOf(n.left).startsWith(sessionText + '.')) { blocked = true; return; }
    n.forEachChild(writesSession);
  };
  before.forEach(writesSession);
  if (blocked) return undefined;
  const text = ctx.file.text;
  const sf = ctx.file.sourceFile;
  const start = stmt.getStart(sf);
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const indent = text.slice(lineStart, start);
  if (indent.trim() !== '') return undefined;
  const fnLineStart = text.lastIndexOf('\n', fn.getStart(sf) - 1) + 1;
  const fnIndent = /^[ \t]*/.exec(text.slice(fnLineStart))![0];
  const unit = indent.startsWith(fnIndent) && indent.length > fnIndent.length ? indent.slice(fnIndent.length) : '  ';
  const last = moved[moved.length - 1];
  const end = last.getEnd();
  const inner = text.slice(lineStart, end).split('\n').map((l) => (l.trim() === '' ? l : unit + l)).join('\n');
  const newText = `${indent}${sessionText}.regenerate((err) => {\n${indent}${unit}if (err) return ${next}(err);\n${inner}\n${indent}});`;
  return { title: `Regenerate the session before storing the user (\`${sessionText}.regenerate\`)`, edits: [{ range: ctx.file.rangeOf(lineStart, end), newText }] };
}

/** express-session / cookie-session without `maxAge` or `expires`: the login never times out while the browser is open. */
function sessionConfig(node: ts.CallExpression, ctx: JsContext): void {
  const name = ctx.file.callName(node);
  if (name !== 'express-session' && name !== 'cookie-session') return;
  if (isTestCode(ctx.file.path)) return;
  const arg = node.arguments[0] ? skipOuter(node.arguments[0]) : undefined;
  if (!arg || !ts.isObjectLiteralExpression(arg) || arg.properties.some((p) => ts.isSpreadAssignment(p))) return;
  let opts: ts.ObjectLiteralExpression | undefined = arg;
  if (name === 'express-session') {
    const cookie = propertyOf(arg, 'cookie');
    const c = cookie ? skipOuter(cookie) : undefined;
    if (c && !ts.isObjectLiteralExpression(c)) return; // built elsewhere: unknown
    if (c?.properties.some((p) => ts.isSpreadAssignment(p))) return;
    opts = c;
  }
  if (opts && (propertyOf(opts, 'maxAge') || propertyOf(opts, 'expires'))) return;
  ctx.report({
    range: ctx.file.range(node.expression),
    message: `${name} without ${name === 'express-session' ? '`cookie.maxAge`' : '`maxAge`'} or \`expires\`: a login lasts as long as the browser stays open, `
      + 'and a stolen session cookie as long as the store keeps it. Set a lifetime that fits the application (e.g. hours for a back office).',
    severity: 'info',
    confidence: 'medium',
  });
}
