import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Severity } from '../engine/types';
import type { Route } from '../engine/route-types';
import { skipOuter } from '../lang/javascript/front';
import { nameWords } from './support/constants';
import { AUTH_METHODS, JS_AUTH_CALLS, PY_AUTH_CALLS, isTestCode, pyMentionsPassword } from './support/auth';

/**
 * A public route that verifies a password with nothing limiting how often it can be tried: no rate-limit
 * decorator or middleware on the route, no default limits on the app in this file, no failed-attempt counter
 * or lockout in the handler. Routes come from the fronts' route model. A limiter the file knows of but that
 * could not be tied to the route makes the finding a hint.
 */
export default defineRule({
  meta: {
    id: 'login-without-rate-limit',
    title: 'Login without rate limiting or lockout',
    description: 'A login endpoint that accepts unlimited attempts lets attackers guess passwords and replay leaked '
      + 'credentials (credential stuffing) as fast as the server answers.',
    cwe: ['CWE-307'],
    owasp: OWASP.A07,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 5.3,
    languages: ['python', 'javascript'],
  },
  python: {
    module: (node, ctx) => pythonRoutes(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.SourceFile]: (_node: ts.SourceFile, ctx) => javascriptRoutes(ctx),
  },
});

/** Names of limiters, throttles, lockouts, CAPTCHAs and failed-attempt counters. */
const LIMIT_WORDS = new Set(['limiter', 'limiters', 'ratelimit', 'ratelimiter', 'ratelimited', 'throttle', 'throttled', 'throttling',
  'throttles', 'throttler', 'lockout', 'lockouts', 'locked', 'attempt', 'attempts', 'brute', 'bruteforce', 'captcha', 'recaptcha',
  'hcaptcha', 'turnstile', 'slowdown', 'backoff', 'axes', 'limits']);

function isLimitName(name: string): boolean {
  const w = nameWords(name);
  if (w.some((x) => LIMIT_WORDS.has(x))) return true;
  const joined = w.join('');
  return /ratelimit|slowdown|bruteforce|failedlogin|loginfail|failedattempt|failurecount|failcount/.test(joined)
    || (w.includes('rate') && (w.includes('limit') || w.includes('limited')))
    || (w.includes('failed') && (w.includes('login') || w.includes('logins') || w.includes('count')));
}

function message(route: Route, check: string, line: number, hint: boolean): string {
  const where = route.path ? `\`${route.path}\`` : `\`${route.handler}\``;
  return `${where} verifies a password (\`${check}\`, line ${line + 1}) with no rate limit or lockout on the route: attackers can guess `
    + 'passwords and replay leaked credentials without limit. '
    + (hint
      ? 'This file knows a rate limiter, but it could not be tied to this route: apply it to the route (or confirm an app-wide limit).'
      : 'Add a limiter (flask-limiter `@limiter.limit("5/minute")`, django-ratelimit, express-rate-limit, @nestjs/throttler) or lock the account after repeated failures.');
}

// ---- Python ----

const PY_LIMIT_MODULES = ['flask_limiter', 'slowapi', 'ratelimit', 'django_ratelimit', 'axes', 'limits', 'fastapi_limiter', 'flask_rate_limiter'];

interface Check { text: string; line: number }

/**
 * `pyPasswordCheck` by handler node: it reads only the handler's subtree and the file's imports, so while an
 * edited document's tree copy keeps the handler's node (`PTree.update`: same subtree, same text) and the
 * imports are the same, the last version's answer holds (its line is read from the call node, which moves
 * with the edit).
 */
const pyPasswordChecks = new WeakMap<Node, { imports: string; call: Node | undefined; text: string }>();
const importKeys = new WeakMap<object, string>();

function pyPasswordCheck(ctx: PyContext, def: Node): Check | undefined {
  const file = ctx.file;
  let imports = importKeys.get(file);
  if (imports === undefined) importKeys.set(file, imports = JSON.stringify([[...file.imports], file.starImports]));
  let hit = pyPasswordChecks.get(def);
  if (!hit || hit.imports !== imports) {
    const found = findPasswordCheck(ctx, def);
    pyPasswordChecks.set(def, hit = { imports, call: found?.call, text: found?.text ?? '' });
  }
  return hit.call ? { text: hit.text, line: hit.call.startPosition.row } : undefined;
}

/** The first password check in a handler: Django `authenticate`, werkzeug/bcrypt/passlib/argon2, `user.check_password(...)`. */
function findPasswordCheck(ctx: PyContext, def: Node): { text: string; call: Node } | undefined {
  let n = 0;
  for (const c of def.descendantsOfType('call')) {
    if (!c || ++n > 500) break;
    const q = ctx.file.callName(c);
    const f = c.childForFieldName('function');
    const name = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : f?.type === 'identifier' ? f.text : undefined;
    const args = (c.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a);
    const passesPassword = args.some((a) => pyMentionsPassword(a.type === 'keyword_argument' ? a.childForFieldName('value') ?? a : a));
    // Django's authenticate() also logs in by token or magic link: only with a password is it a password check
    const hit = (q && PY_AUTH_CALLS.test(q) && (!/authenticate$/.test(q) || passesPassword))
      || (name && AUTH_METHODS.test(name) && (name !== 'authenticate' || passesPassword))
      || (name === 'verify' && passesPassword && /(argon2|passlib|CryptContext|PasswordHasher|pwd_context|hasher)/i.test(f?.text ?? ''));
    if (hit) return { text: f?.text ?? 'check', call: c };
  }
  return undefined;
}

/** Decorators, a DRF `throttle_classes`, or counters in the handler that limit attempts. */
function pyLimited(ctx: PyContext, def: Node): boolean {
  const decorated: Node[] = [];
  for (let n: Node | null = def; n && decorated.length < 6; n = n.parent) {
    if (n.type === 'decorated_definition') decorated.push(n);
    if (n.type === 'module') break;
  }
  for (const d of decorated) {
    for (const dec of d.namedChildren) if (dec?.type === 'decorator' && isLimitText(dec.text)) return true;
  }
  // the handler's class (DRF throttle_classes) and the handler's own names
  const cls = def.type === 'class_definition' ? def : enclosingClass(def);
  const scopes = cls ? [cls, def] : [def];
  let n = 0;
  for (const s of scopes) {
    for (const id of s.descendantsOfType(['identifier', 'attribute'])) {
      if (!id || ++n > 3000) return false;
      const name = id.type === 'attribute' ? id.childForFieldName('attribute')?.text : id.text;
      if (name && isLimitName(name)) return true;
    }
  }
  return false;
}

function isLimitText(text: string): boolean {
  return /limit|throttl|brute|axes|lockout/i.test(text.slice(0, 200));
}

function enclosingClass(n: Node): Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'class_definition') return p;
  return undefined;
}

/** `Limiter(app, default_limits=[...])`, slowapi's middleware: every route of the app is limited. */
function pyAppLimited(ctx: PyContext, root: Node): { limited: boolean; known: boolean } {
  let known = PY_LIMIT_MODULES.some((m) => ctx.file.importsModule(m))
    || root.descendantsOfType('decorator').some((d) => !!d && isLimitText(d.text));
  let n = 0;
  for (const c of root.descendantsOfType('call')) {
    if (!c || ++n > 5000) break;
    const q = ctx.file.callName(c) ?? '';
    if (/(^|\.)Limiter$/.test(q) || /^flask_limiter\./.test(q)) {
      known = true;
      if (ctx.file.keywordArgument(c, 'default_limits') || ctx.file.keywordArgument(c, 'application_limits')) return { limited: true, known };
    }
    const args = c.childForFieldName('arguments')?.namedChildren ?? [];
    if (args.some((a) => a?.text === 'SlowAPIMiddleware')) return { limited: true, known: true };
  }
  return { limited: false, known };
}

function pythonRoutes(root: Node, ctx: PyContext): void {
  if (isTestCode(ctx.file.path)) return;
  const routes = ctx.file.routes().filter(isOpen);
  if (routes.length === 0) return;
  let app: { limited: boolean; known: boolean } | undefined;
  for (const r of routes) {
    const check = pyPasswordCheck(ctx, r.def);
    if (!check || pyLimited(ctx, r.def)) continue;
    app ??= pyAppLimited(ctx, root);
    if (app.limited) return;
    report(ctx, r, check, app.known);
  }
}

/**
 * Callable without signing in. A login's own failure branch (`if user is None or not check_password(...): return 401`)
 * reads as a body-check guard to the route model: it is the login, not a guard in front of it.
 */
function isOpen(r: Route): boolean {
  return r.guards.every((g) => (g.kind === 'body-check' && /password|passwd|pwd|checkpw|compare|verify|authenticate|\bnot user\b|user is None|!user\b/i.test(g.text))
    // NestJS `LocalAuthGuard` / passport's local strategy: the password check itself; a limiter named `loginLimiter`
    || /Local\w*Guard|AuthGuard\(['"]local/.test(g.text) || isLimitName(g.name));
}

function report(ctx: PyContext | JsContext, r: Route, check: Check, hint: boolean, severity?: Severity): void {
  ctx.report({
    range: r.nameRange,
    message: message(r, check.text, check.line, hint),
    severity: severity ?? (hint ? 'info' : 'warning'),
  });
}

// ---- JavaScript / TypeScript ----

const JS_LIMIT_MODULES = ['express-rate-limit', 'rate-limiter-flexible', 'express-slow-down', 'express-brute', 'koa-ratelimit',
  '@fastify/rate-limit', '@nestjs/throttler', '@upstash/ratelimit', 'express-limiter'];

function jsIsLimiter(ctx: JsContext, e: ts.Expression): boolean {
  const x = skipOuter(e);
  const callee = ts.isCallExpression(x) ? x.expression : x;
  const text = ctx.file.textOf(callee).slice(0, 200);
  if (isLimitName(text.replace(/\W+/g, '_')) || /limit|throttl|brute|slowDown/i.test(text)) return true;
  const q = ts.isCallExpression(x) ? ctx.file.callName(x) : ctx.file.qualifiedName(x);
  if (q && JS_LIMIT_MODULES.some((m) => q === m || q.startsWith(m + '.'))) return true;
  if (ts.isIdentifier(x)) {
    const origin = ctx.file.valueOf(x).origin ?? '';
    return JS_LIMIT_MODULES.some((m) => origin.startsWith(m));
  }
  return false;
}

/**
 * The node of the password check in a route's call, by the call: a walk's answer depends on the call's text
 * and the file's imports only, so it is kept across the versions of an edited document (TypeScript's
 * incremental parse hands back the same node objects for code an edit did not touch).
 */
const passwordChecks = new WeakMap<ts.Node, { imports: string; at: ts.Node | null }>();

/** The first password check in a handler, or `passport.authenticate('local')` in the route's chain. */
function jsPasswordCheck(ctx: JsContext, roots: ts.Node[]): Check | undefined {
  if (roots.length !== 1) return jsPasswordCheckAt(ctx, roots);
  const imports = ctx.file.importsKey;
  let known = passwordChecks.get(roots[0]);
  if (!known || known.imports !== imports) {
    const check = jsPasswordCheckAt(ctx, roots);
    passwordChecks.set(roots[0], known = { imports, at: check?.node ?? null });
  }
  if (!known.at) return undefined;
  const at = known.at;
  const shown = ts.isDecorator(at) ? at.expression : (at as ts.CallExpression).expression;
  return { text: ctx.file.textOf(shown).slice(0, 60), line: ctx.file.line(at) };
}

function jsPasswordCheckAt(ctx: JsContext, roots: ts.Node[]): (Check & { node: ts.Node }) | undefined {
  const { nodes, kinds } = ctx.file;
  // the nodes a walk of the roots would visit, in its order, up to 5,000 of them
  let n = 0;
  for (const root of roots) {
    const { from, to } = ctx.file.subtree(root);
    for (let i = from; i < to; i++) {
      if (++n > 5000) return undefined;
      const kind = kinds[i];
      if (kind === ts.SyntaxKind.CallExpression) {
        const node = nodes[i] as ts.CallExpression;
        const q = ctx.file.callName(node) ?? '';
        const callee = node.expression;
        const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
        const first = node.arguments[0];
        const local = q === 'passport.authenticate'
          || (ts.isPropertyAccessExpression(callee) && callee.name.text === 'authenticate' && /^passport\.authenticate$/.test(ctx.file.textOf(callee)));
        if ((local && first && ts.isStringLiteralLike(first) && /local|login|password/i.test(first.text))
          || JS_AUTH_CALLS.test(q)
          || (AUTH_METHODS.test(method) && method !== 'authenticate')
          || (method === 'verify' && /argon2/.test(q))) {
          return { text: ctx.file.textOf(callee).slice(0, 60), line: ctx.file.line(node), node };
        }
      } else if (kind === ts.SyntaxKind.Decorator) {
        // NestJS `@UseGuards(LocalAuthGuard)`: the password is checked by the local strategy
        const node = nodes[i] as ts.Decorator;
        if (/^UseGuards\(.*Local/.test(ctx.file.textOf(node.expression))) {
          return { text: ctx.file.textOf(node.expression).slice(0, 60), line: ctx.file.line(node), node };
        }
      }
    }
  }
  return undefined;
}

/** Limiter names or counters in the handler and its chain (route middleware, decorators, `limiter.consume(ip)`). */
function jsLimited(ctx: JsContext, roots: ts.Node[]): boolean {
  const { nodes, kinds } = ctx.file;
  let n = 0;
  for (const root of roots) {
    const { from, to } = ctx.file.subtree(root);
    for (let i = from; i < to; i++) {
      if (++n > 5000) return false;
      const kind = kinds[i];
      if (kind === ts.SyntaxKind.Identifier && isLimitName((nodes[i] as ts.Identifier).text)) return true;
      if (kind === ts.SyntaxKind.Decorator && /Throttl/.test(ctx.file.textOf((nodes[i] as ts.Decorator).expression))) return true;
    }
  }
  return false;
}

interface JsApp { limitedGroups: Map<string, string[]>; known: boolean }

/** `app.use(limiter)` / `router.use('/login', limiter)`: the groups (and path prefixes) a limiter covers. */
function jsAppLimits(ctx: JsContext): JsApp {
  const limitedGroups = new Map<string, string[]>();
  let known = JS_LIMIT_MODULES.some((m) => ctx.file.importsModule(m));
  for (const node of ctx.file.nodesOfKind(ts.SyntaxKind.CallExpression)) {
    const call = node as ts.CallExpression;
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'use') continue;
    const args = [...call.arguments];
    const path = args[0] && ts.isStringLiteralLike(args[0]) ? args[0].text : '';
    const rest = path ? args.slice(1) : args;
    if (!rest.some((a) => jsIsLimiter(ctx, a))) continue;
    known = true;
    const group = ctx.file.textOf(callee.expression);
    limitedGroups.set(group, [...(limitedGroups.get(group) ?? []), path]);
  }
  return { limitedGroups, known };
}

function javascriptRoutes(ctx: JsContext): void {
  if (isTestCode(ctx.file.path)) return;
  const routes = ctx.file.routes().filter(isOpen);
  if (routes.length === 0) return;
  let app: JsApp | undefined;
  for (const r of routes) {
    // the route's own syntax: its call with the path (Express/Koa: middleware chain and handler), or its
    // method (NestJS) or function
    const own = (r.call && r.call.arguments.length >= 2 ? r.call : undefined) ?? r.fn;
    if (!own) continue;
    // the handler, when it is not inside the route's call already (a walk of the call sees it)
    const nodes: ts.Node[] = [own, ...(r.fn && r.fn !== own && !isInside(r.fn, own) ? [r.fn] : [])];
    if (ts.isMethodDeclaration(own) && ts.isClassDeclaration(own.parent)) nodes.push(...(ts.getDecorators(own.parent) ?? []));
    const check = jsPasswordCheck(ctx, nodes);
    if (!check || jsLimited(ctx, nodes)) continue;
    app ??= jsAppLimits(ctx);
    if (app.limitedGroups.has(r.group) && app.limitedGroups.get(r.group)!.some((p) => p === '' || p === '/' || r.path.startsWith(p))) continue;
    if ([...app.limitedGroups.entries()].some(([g, ps]) => g !== r.group && /^(app|server|application)$/.test(g) && ps.includes(''))) continue;
    // NestJS registers its throttler globally in a module file this one cannot see
    const hint = app.known || r.framework === 'nestjs';
    report(ctx, r, check, hint);
  }
}

function isInside(node: ts.Node, outer: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (p === outer) return true;
  return false;
}

