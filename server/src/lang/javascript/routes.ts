import ts from 'typescript';
import type { JsFile } from './front';
import { bodyChecks, callsMutator, createsAccount, writesOf } from './route-body';
import {
  isGuardName, isSignupPath, levelFromName, levelOf, publicByDesign, type Framework, type Guard, type GuardInsertion, type Level, type Route,
} from '../../engine/route-types';

/**
 * The JS/TS front's route model: Express and Koa routers (middleware chains, `router.use(guard)` before a
 * route, `app.use('/x', guard, router)`), NestJS controllers (`@UseGuards`, `@Public()`), Next.js App Router
 * route handlers and server actions, and Next.js API routes. Built once per file, on first use.
 */
export interface JsRoute extends Route {
  /** The handler function, when the file defines it. */
  fn?: ts.SignatureDeclaration;
  /** Express/Koa: the call that registers the route (`app.get('/x', auth, handler)`). */
  call?: ts.CallExpression;
}

const SERVER_MODULES = ['express', 'koa', '@koa/router', 'koa-router', '@nestjs/common', 'next', 'next/server', 'fastify', 'hono'];
const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all']);
const HTTP_CLIENTS = /^(axios|got|superagent|request|needle|http|https|node-fetch|undici|ky|supertest)$/;
/** Middleware every Node framework has, by name. */
const KNOWN_GUARDS = /^(passport\.authenticate|ensureLoggedIn|ensureAuthenticated|isAuthenticated|isLoggedIn|requiresAuth|requireAuth|expressjwt|expressJwt|jwt|checkJwt|authenticate|authorize|auth|protect|requireUser|requireLogin|loggedIn|verifyToken|authMiddleware)$/;
const NEST_PUBLIC = /^(Public|AllowAnonymous|SkipAuth|IsPublic|NoAuth|Anonymous|PublicRoute)$/;

export function buildRoutes(file: JsFile, extraGuards: readonly string[] = []): JsRoute[] {
  const path = file.path.replace(/\\/g, '/');
  const nextRoute = /(^|\/)app\/(.*\/)?route\.[cm]?[jt]sx?$/.test(path);
  const nextApi = /(^|\/)pages\/api\/.+\.[cm]?[jt]sx?$/.test(path);
  const useServer = hasDirective(file.sourceFile, 'use server');
  // a routes module that receives the app (`module.exports = (app, passport) => { app.get(...) }`) imports no framework
  const routesModule = /(^|\/)(routes?|router|routing)(\/[^/]+|\.[cm]?[jt]s)$/i.test(path);
  if (!nextRoute && !nextApi && !useServer && !routesModule && !SERVER_MODULES.some((m) => file.importsModule(m))) return [];
  const b = new Builder(file, new Set(extraGuards));
  if (nextRoute || nextApi || useServer) b.next(path, nextRoute, nextApi, useServer);
  else {
    b.routers();
    if (file.importsModule('@nestjs/common')) b.nest();
  }
  return b.finish();
}

function hasDirective(sf: ts.SourceFile, directive: string): boolean {
  for (const s of sf.statements) {
    if (!ts.isExpressionStatement(s) || !ts.isStringLiteral(s.expression)) return false;
    if (s.expression.text === directive) return true;
  }
  return false;
}

class Builder {
  private readonly routes: JsRoute[] = [];
  private readonly groupGuards = new Map<string, Guard[]>();
  private readonly functions = new Map<string, ts.SignatureDeclaration>();
  /** Variables holding routers or apps (`express.Router()`, `new Router()`, `express()`). */
  private readonly routerVars = new Set<string>();
  private readonly framework: Framework;

  constructor(private readonly file: JsFile, private readonly extra: Set<string>) {
    this.framework = file.importsModule('koa') || file.importsModule('@koa/router') || file.importsModule('koa-router') ? 'koa' : 'express';
    const parts = routingParts(file);
    // function declarations first, then variables holding functions (a variable wins over a declaration)
    for (const p of parts) for (const [name, f] of p.functions) this.functions.set(name, f);
    for (const p of parts) {
      for (const [name, f] of p.variables) this.functions.set(name, f);
      for (const name of p.routerVars) this.routerVars.add(name);
    }
    this.calls = parts.flatMap((p) => p.calls);
  }

  /** The file's calls of a method named `use` or an HTTP verb (`app.get(...)`, `router.use(...)`), in document order. */
  private readonly calls: ts.CallExpression[];

  finish(): JsRoute[] {
    for (const r of this.routes) {
      r.guards.push(...(this.groupGuards.get(r.group) ?? []));
      r.level = levelOf(r.guards);
    }
    return this.routes;
  }

  /** A middleware argument that authenticates or authorizes, as a guard. */
  private middlewareGuard(arg: ts.Expression, kind: Guard['kind']): Guard | undefined {
    const callee = ts.isCallExpression(arg) ? arg.expression : arg;
    if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee)) return undefined;
    const name = this.file.textOf(callee);
    const last = ts.isPropertyAccessExpression(callee) ? callee.name.text : name;
    const local = this.functions.get(name);
    const known = KNOWN_GUARDS.test(name) || KNOWN_GUARDS.test(last) || this.extra.has(name) || this.extra.has(last)
      || isGuardName(name) || (local !== undefined && bodyChecks(this.file, local).length > 0 && local.parameters.length >= 3);
    if (!known) return undefined;
    // passport.authenticate('local') is the login itself, not a guard in front of something
    if (/passport\.authenticate$/.test(name) && ts.isCallExpression(arg) && ts.isStringLiteralLike(arg.arguments[0]) && arg.arguments[0].text === 'local') return undefined;
    const strArg = ts.isCallExpression(arg) ? arg.arguments.find(ts.isStringLiteralLike)?.text : undefined;
    const level: Level = /passport\.authenticate$|^(expressjwt|expressJwt|jwt)$/.test(name) ? 'authenticated' : levelFromName(name, strArg);
    return { name, kind, level, text: this.file.textOf(arg), range: this.file.range(arg) };
  }

  private addGroupGuards(group: string, guards: Guard[]): void {
    const list = this.groupGuards.get(group) ?? [];
    list.push(...guards);
    this.groupGuards.set(group, list);
  }

  /** Express/Koa: `app.get('/x', mw, handler)`, `router.route('/x').post(...)`, `router.use(guard)`, `app.use('/p', guard, router)`. */
  routers(): void {
    /** Guards `router.use(guard)` installed so far, per router (order matters: only routes after it). */
    const installed = new Map<string, Guard[]>();
    for (const call of this.calls) {
      const callee = call.expression as ts.PropertyAccessExpression;
      const verb = callee.name.text;
      let recv = callee.expression;
      let path: string | undefined;
      let args = [...call.arguments];
      if (ts.isCallExpression(recv) && ts.isPropertyAccessExpression(recv.expression) && recv.expression.name.text === 'route') {
        // router.route('/x').get(...).post(...)
        const first = recv.arguments[0];
        path = first && ts.isStringLiteralLike(first) ? first.text : '';
        recv = recv.expression.expression;
        while (ts.isCallExpression(recv) && ts.isPropertyAccessExpression(recv.expression) && recv.expression.name.text === 'route') recv = recv.expression.expression;
      } else if (ts.isCallExpression(recv) && ts.isPropertyAccessExpression(recv.expression) && VERBS.has(recv.expression.name.text)) {
        continue;
      }
      if (!ts.isIdentifier(recv) && !ts.isPropertyAccessExpression(recv)) continue;
      const group = this.file.textOf(recv);
      const q = this.file.qualifiedName(recv);
      if (q && HTTP_CLIENTS.test(q.split('.')[0]) || HTTP_CLIENTS.test(group)) continue;
      if (path === undefined) {
        const first = args[0];
        if (first && (ts.isStringLiteralLike(first) || ts.isArrayLiteralExpression(first) || ts.isRegularExpressionLiteral(first))) {
          path = ts.isStringLiteralLike(first) ? first.text : this.file.textOf(first);
          args = args.slice(1);
        } else if (verb !== 'use') continue;
      }
      if (verb === 'use') {
        // app.use(guard) / router.use(guard): routes registered after it on this router; app.use('/p', guard, router)
        const mounted = args.filter((a) => ts.isIdentifier(a) && this.routerVars.has(a.text));
        const guards = args.filter((a) => !mounted.includes(a)).map((a) => this.middlewareGuard(a, 'middleware')).filter((g): g is Guard => !!g);
        if (guards.length === 0) continue;
        if (mounted.length) for (const m of mounted) this.addGroupGuards((m as ts.Identifier).text, guards.map((g) => ({ ...g, kind: 'global' as const })));
        else if (path === undefined || path === '/' || path === '') installed.set(group, [...(installed.get(group) ?? []), ...guards.map((g) => ({ ...g, kind: 'global' as const }))]);
        else installed.set(`${group} ${path}`, [...(installed.get(`${group} ${path}`) ?? []), ...guards.map((g) => ({ ...g, kind: 'global' as const }))]);
        continue;
      }
      if (args.length === 0 || path === undefined) continue;
      const handlerArg = args[args.length - 1];
      const middleware = args.slice(0, -1);
      const fn = this.functionOf(handlerArg);
      if (!fn && !ts.isIdentifier(handlerArg) && !ts.isPropertyAccessExpression(handlerArg) && !ts.isCallExpression(handlerArg)) continue;
      const guards: Guard[] = [];
      for (const m of middleware) {
        const list = ts.isArrayLiteralExpression(m) ? [...m.elements] : [m];
        for (const e of list) { const g = this.middlewareGuard(e, 'middleware'); if (g) guards.push(g); }
      }
      guards.push(...(installed.get(group) ?? []));
      for (const [key, gs] of installed) if (key.startsWith(`${group} /`) && path.startsWith(key.slice(group.length + 1))) guards.push(...gs);
      if (ts.isCallExpression(handlerArg)) { const g = this.middlewareGuard(handlerArg, 'middleware'); if (g) guards.push(g); }
      if (fn) guards.push(...bodyChecks(this.file, fn));
      const handler = fn && (ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name ? fn.name.text
        : ts.isIdentifier(handlerArg) || ts.isPropertyAccessExpression(handlerArg) ? this.file.textOf(handlerArg) : '<anonymous>';
      const at = this.file.range(handlerArg).start;
      const insertion: GuardInsertion = { accepts: 'middleware', at, before: '', after: ', ' };
      this.routes.push({
        bodyVisible: !!fn, callsMutator: !!fn && callsMutator(this.file, fn),
        path, methods: verb === 'all' ? ['*'] : [verb === 'del' ? 'DELETE' : verb.toUpperCase()], handler,
        range: this.file.range(call), nameRange: this.file.range(call.arguments[0] ?? callee.name), framework: this.framework, group,
        guards, level: 'public', writes: fn ? writesOf(this.file, fn) : [], insertion, fn, call,
        publicByDesign: publicByDesign(path, handler) ?? (verb === 'post' && (isSignupPath(path, ['POST']) || (fn && createsAccount(this.file, fn))) ? 'creates an account (signup)' : undefined),
      });
    }
  }

  private functionOf(e: ts.Expression): ts.SignatureDeclaration | undefined {
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return e;
    if (ts.isIdentifier(e)) return this.functions.get(e.text);
    // asyncHandler(async (req, res) => ...), catchAsync(fn)
    if (ts.isCallExpression(e) && e.arguments.length >= 1) {
      const inner = e.arguments[e.arguments.length - 1];
      if (ts.isArrowFunction(inner) || ts.isFunctionExpression(inner)) return inner;
    }
    return undefined;
  }

  /** NestJS controllers: `@Controller('x')` classes, `@Get/@Post/...` methods, `@UseGuards`, `@Roles`, `@Public()`. */
  nest(): void {
    let publicMarkers = false;
    const controllers: ts.ClassDeclaration[] = [];
    for (const n of this.file.nodesOfKind(ts.SyntaxKind.ClassDeclaration)) {
      const cls = n as ts.ClassDeclaration;
      if (decorators(cls).some((d) => decoratorName(d) === 'Controller')) controllers.push(cls);
    }
    for (const cls of controllers) for (const m of cls.members) if (decorators(m).some((d) => NEST_PUBLIC.test(decoratorName(d)))) publicMarkers = true;
    for (const cls of controllers) {
      const ctrl = decorators(cls).find((d) => decoratorName(d) === 'Controller')!;
      const prefix = decoratorString(ctrl) ?? '';
      const classGuards = this.nestGuards(decorators(cls));
      const classPublic = decorators(cls).some((d) => NEST_PUBLIC.test(decoratorName(d)));
      const group = cls.name?.text ?? 'controller';
      for (const m of cls.members) {
        if (!ts.isMethodDeclaration(m)) continue;
        const ds = decorators(m);
        const verbDec = ds.find((d) => /^(Get|Post|Put|Patch|Delete|All)$/.test(decoratorName(d)));
        if (!verbDec) continue;
        const verb = decoratorName(verbDec).toUpperCase();
        const sub = decoratorString(verbDec) ?? '';
        const path = `/${[prefix, sub].filter((s) => s).join('/')}`.replace(/\/+/g, '/');
        const guards = [...classGuards, ...this.nestGuards(ds), ...bodyChecks(this.file, m)];
        const isPublic = classPublic || ds.some((d) => NEST_PUBLIC.test(decoratorName(d)));
        if (publicMarkers && !isPublic) guards.push({ name: 'global guard (APP_GUARD, implied by @Public() markers)', kind: 'global', level: 'authenticated', text: '' });
        const handler = ts.isIdentifier(m.name) ? `${group}.${m.name.text}` : group;
        const first = ds[0];
        const line = this.file.sourceFile.getLineAndCharacterOfPosition(first.getStart(this.file.sourceFile));
        const indent = ' '.repeat(line.character);
        this.routes.push({
          bodyVisible: true, callsMutator: callsMutator(this.file, m),
          path, methods: verb === 'ALL' ? ['*'] : [verb], handler, range: this.file.range(m), nameRange: this.file.range(m.name),
          framework: 'nestjs', group, guards, level: 'public', writes: writesOf(this.file, m),
          publicByDesign: isPublic ? 'marked @Public()' : publicByDesign(path, ts.isIdentifier(m.name) ? m.name.text : ''),
          insertion: { accepts: 'decorator', at: { line: line.line, character: 0 }, before: `${indent}@UseGuards(`, after: ')\n' }, fn: m,
        });
      }
    }
  }

  private nestGuards(ds: readonly ts.Decorator[]): Guard[] {
    const out: Guard[] = [];
    let role: string | undefined;
    for (const d of ds) {
      const name = decoratorName(d);
      if (/^(Roles|Role|RequireRoles|HasRoles|Permissions|RequirePermissions)$/.test(name)) role = decoratorString(d) ?? 'role';
    }
    for (const d of ds) {
      const name = decoratorName(d);
      if (name === 'UseGuards' && ts.isCallExpression(d.expression)) {
        for (const a of d.expression.arguments) {
          const text = this.file.textOf(a);
          const level: Level = role && /role|permission/i.test(text) ? { role } : levelFromName(text.replace(/AuthGuard|JwtAuthGuard/g, ''), role);
          out.push({ name: text, kind: 'decorator', level: /Throttler/.test(text) ? 'public' : level, text, range: this.file.range(a) });
        }
      } else if (/^(Auth|Authenticated|Authorize|RequireAuth|ApiAuth)$/.test(name) || (this.extra.has(name))) {
        out.push({ name: `@${name}`, kind: 'decorator', level: role ? { role } : 'authenticated', text: this.file.textOf(d.expression), range: this.file.range(d) });
      }
    }
    return out.filter((g) => !/Throttler/.test(g.name));
  }

  /** Next.js App Router route handlers, server actions and API routes (pages/api). */
  next(path: string, nextRoute: boolean, nextApi: boolean, useServer: boolean): void {
    const urlPath = nextRoute ? urlOf(path.replace(/^.*?(^|\/)app\//, '/').replace(/\/route\.[cm]?[jt]sx?$/, ''))
      : nextApi ? urlOf(path.replace(/^.*?(^|\/)pages\//, '/').replace(/(\/index)?\.[cm]?[jt]sx?$/, '')) : '';
    const group = nextRoute || nextApi ? urlPath || '/' : path.split('/').pop() ?? path;
    for (const stmt of this.file.sourceFile.statements) {
      const exported = (ts.getModifiers(stmt as ts.HasModifiers) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      const isDefault = (ts.getModifiers(stmt as ts.HasModifiers) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      const entries: [string, ts.Node, ts.Expression | ts.SignatureDeclaration][] = [];
      if (ts.isFunctionDeclaration(stmt) && exported && stmt.name) entries.push([isDefault ? 'default' : stmt.name.text, stmt.name, stmt]);
      else if (ts.isFunctionDeclaration(stmt) && exported && isDefault) entries.push(['default', stmt, stmt]);
      else if (ts.isVariableStatement(stmt) && exported) {
        for (const d of stmt.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer) entries.push([d.name.text, d.name, d.initializer]);
      } else if (ts.isExportAssignment(stmt) && !stmt.isExportEquals) entries.push(['default', stmt, stmt.expression]);
      for (const [name, nameNode, value] of entries) {
        let methods: string[];
        if (nextRoute) {
          if (!/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(name)) continue;
          methods = [name];
        } else if (nextApi) {
          if (name !== 'default') continue;
          methods = ['*'];
        } else {
          methods = ['POST'];
        }
        const guards: Guard[] = [];
        let fnNode: ts.Node = value;
        // export default withAuth(handler), export const POST = withApiAuthRequired(async (req) => ...)
        while (ts.isCallExpression(fnNode as ts.Expression)) {
          const call = fnNode as ts.CallExpression;
          const g = this.middlewareGuard(call, 'middleware');
          if (g) guards.push({ ...g, text: this.file.textOf(call.expression) });
          const inner = call.arguments[call.arguments.length - 1];
          if (!inner) break;
          fnNode = ts.isIdentifier(inner) ? this.functions.get(inner.text) ?? inner : inner;
        }
        if (ts.isIdentifier(fnNode as ts.Expression)) fnNode = this.functions.get((fnNode as ts.Identifier).text) ?? fnNode;
        const fn = ts.isFunctionLike(fnNode) ? fnNode as ts.SignatureDeclaration : undefined;
        if (!fn) continue;
        if (!nextRoute && !nextApi && !(fn as ts.FunctionLikeDeclaration).modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) continue;
        guards.push(...bodyChecks(this.file, fn));
        if (nextApi) methods = apiMethods(this.file, fn);
        const handler = name;
        this.routes.push({
          bodyVisible: true, callsMutator: callsMutator(this.file, fn),
          path: urlPath, methods, handler, range: this.file.range(stmt), nameRange: this.file.range(nameNode), framework: 'nextjs', group,
          guards, level: 'public', writes: writesOf(this.file, fn), publicByDesign: publicByDesign(urlPath, nextRoute || nextApi ? '' : handler), fn,
        });
      }
    }
  }
}

/** `app/(shop)/api/items/[id]` → `/api/items/[id]` (route groups and parallel-route slots are not in the URL). */
function urlOf(p: string): string {
  return p.split('/').filter((s) => s && !/^\(.*\)$/.test(s) && !s.startsWith('@')).map((s) => `/${s}`).join('') || '/';
}

/** The methods an API route compares `req.method` with (any, when it does not look). */
function apiMethods(file: JsFile, fn: ts.SignatureDeclaration): string[] {
  const out = new Set<string>();
  let n = 0;
  const visit = (node: ts.Node): void => {
    if (++n > 3000) return;
    if (ts.isStringLiteralLike(node) && /^(GET|POST|PUT|PATCH|DELETE)$/.test(node.text)) {
      const p = node.parent;
      if ((ts.isBinaryExpression(p) && /method/.test(file.textOf(p))) || ts.isCaseClause(p)) out.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return out.size ? [...out] : ['*'];
}

function decorators(node: ts.Node): readonly ts.Decorator[] {
  return ts.canHaveDecorators(node) ? ts.getDecorators(node) ?? [] : [];
}

function decoratorName(d: ts.Decorator): string {
  const e = ts.isCallExpression(d.expression) ? d.expression.expression : d.expression;
  return ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : '';
}

function decoratorString(d: ts.Decorator): string | undefined {
  if (!ts.isCallExpression(d.expression)) return undefined;
  const a = d.expression.arguments[0];
  if (a && ts.isStringLiteralLike(a)) return a.text;
  if (a && ts.isObjectLiteralExpression(a)) {
    for (const p of a.properties) if (ts.isPropertyAssignment(p) && p.name.getText() === 'path' && ts.isStringLiteralLike(p.initializer)) return p.initializer.text;
  }
  return undefined;
}

/** What the route model reads from one top-level statement, in document order (see `routingParts`). */
interface RoutingPart {
  /** Named function declarations. */
  functions: [string, ts.SignatureDeclaration][];
  /** Variables initialized with an arrow function or function expression. */
  variables: [string, ts.SignatureDeclaration][];
  /** Variables holding routers or apps (`express.Router()`, `new Router()`, `express()`). */
  routerVars: string[];
  /** Calls of a method named `use` or an HTTP verb. */
  calls: ts.CallExpression[];
}

/**
 * `RoutingPart` per top-level statement node, across the versions of an edited document: TypeScript's
 * `updateSourceFile` reuses a statement the edit is outside of whole (the same objects, the same text), so
 * the route model of an edited file reads again only the statements that were parsed again.
 */
const routingMemo = new WeakMap<ts.Node, RoutingPart>();

function routingParts(file: JsFile): RoutingPart[] {
  const { nodes, kinds, ends } = file;
  return file.sourceFile.statements.map((st) => {
    let part = routingMemo.get(st);
    if (!part) {
      const from = (st as { id?: number }).id!;
      routingMemo.set(st, part = routingPart(file, nodes, kinds, from, ends[from]));
    }
    return part;
  });
}

function routingPart(file: JsFile, nodes: readonly ts.Node[], kinds: Uint16Array, from: number, to: number): RoutingPart {
  const part: RoutingPart = { functions: [], variables: [], routerVars: [], calls: [] };
  for (let i = from; i < to; i++) {
    switch (kinds[i]) {
      case ts.SyntaxKind.FunctionDeclaration: {
        const f = nodes[i] as ts.FunctionDeclaration;
        if (f.name) part.functions.push([f.name.text, f]);
        break;
      }
      case ts.SyntaxKind.VariableDeclaration: {
        const v = nodes[i] as ts.VariableDeclaration;
        if (ts.isIdentifier(v.name) && v.initializer && (ts.isArrowFunction(v.initializer) || ts.isFunctionExpression(v.initializer))) {
          part.variables.push([v.name.text, v.initializer]);
        }
        const init = v.initializer;
        if (ts.isIdentifier(v.name) && init && (ts.isCallExpression(init) || ts.isNewExpression(init))) {
          const callee = file.textOf(init.expression);
          if (/(^|\.)(Router|express|Koa|koa|KoaRouter)$/.test(callee) || (ts.isCallExpression(init) && /^require$/.test(callee) && /rout/i.test(file.textOf(init)))) part.routerVars.push(v.name.text);
        }
        break;
      }
      case ts.SyntaxKind.CallExpression: {
        const call = nodes[i] as ts.CallExpression;
        const callee = call.expression;
        if (!ts.isPropertyAccessExpression(callee)) break;
        const verb = callee.name.text;
        if (verb === 'use' || VERBS.has(verb)) part.calls.push(call);
        break;
      }
    }
  }
  return part;
}
