import ts from 'typescript';
import { unitNodeOf, type Flow } from './dataflow';
import type { JsFile } from './front';
import {
  GRAPHQL_ROOTS, KOA_CTX, LAMBDA_EVENT, LIFECYCLE_EVENTS, MESSAGE_EVENT, NEXT_CTX, NEXT_HANDLERS, REQUEST, ROUTE_ARGS, ROUTE_METHODS,
  isRequestType,
} from './sources';
import { SAFE, UNKNOWN, contents, strip, tainted, type V } from './values';

/**
 * Which parameters of which functions are untrusted input: request handlers (Express, Koa, Fastify,
 * Next.js route handlers, pages and getServerSideProps, AWS Lambda), message and WebSocket handlers.
 */
type HandlerKind = 'route' | 'route-param' | 'next-route' | 'next-page' | 'message' | 'socket' | 'lambda' | 'loader'
  | 'resolver' | 'rpc' | 'soap';

const marker = (origin: string): V => ({ kind: 'unknown', origin });

export function paramSource(file: JsFile, fn: ts.SignatureDeclaration, i: number, p: ts.ParameterDeclaration): V | undefined {
  const name = ts.isIdentifier(p.name) ? p.name.text : undefined;
  const kind = handlerKind(file, fn);
  const n = fn.parameters.length;
  const named = (what: string) => tainted({ description: name ? `${name} (${what})` : what, line: file.line(p) });
  switch (kind) {
    case 'route': {
      const reqIndex = n >= 4 ? 1 : 0;
      if (i !== reqIndex) return undefined;
      if (name === 'ctx' || name === 'context' || typeText(p) === 'Context' || /Context\b/.test(typeText(p))) return marker(KOA_CTX);
      return marker(REQUEST);
    }
    case 'route-param':
      // router.param('id', (req, res, next, id) => ...)
      return i === 0 ? marker(REQUEST) : i === 3 ? tainted({ description: `${file.textOf(p.name)} (route parameter)`, line: file.line(p) }) : undefined;
    case 'next-route':
      return i === 0 ? marker(REQUEST) : i === 1 ? marker(NEXT_CTX) : undefined;
    case 'next-page':
      return i === 0 ? marker(NEXT_CTX) : undefined;
    case 'message':
      return i === 0 ? marker(MESSAGE_EVENT) : undefined;
    case 'socket':
      return i === 0 && !/^(cb|callback|ack|done|next)$/.test(name ?? '')
        ? tainted({ description: `${file.textOf(p.name)} (socket message)`, line: file.line(p) }) : undefined;
    case 'lambda':
      return i === 0 ? marker(LAMBDA_EVENT) : undefined;
    case 'loader':
      return i === 0 ? marker(ROUTE_ARGS) : undefined;
    case 'resolver':
      // (parent, args, context, info): the client's query chooses args
      return i === 1 ? named('GraphQL arguments') : undefined;
    case 'rpc':
      // xmlrpc server.on('method', (err, params, callback) => ...)
      return i === 1 ? named('XML-RPC parameters') : undefined;
    case 'soap':
      return i === 0 ? named('SOAP arguments') : undefined;
  }
  if (isRequestType(p.type)) return marker(REQUEST);
  // by name: `(req, res)`, `(request, reply)`, `(request, h)`, `(err, req, res, next)`: a request beside a
  // response. A lone `request`, or one beside other things, is an options object (MSAL, HTTP clients), and
  // so is one whose declared type is not a request type (`request: AuthorizationUrlRequest`).
  if ((name === 'req' || name === 'request') && untyped(p) && RESPONSE_NAME.test(paramName(fn.parameters[i + 1]) ?? '')
    && (i === 0 || (i === 1 && n >= 4))) return marker(REQUEST);
  return undefined;
}

const RESPONSE_NAME = /^(res|resp|response|reply|rep|h|ctx)$/;

function untyped(p: ts.ParameterDeclaration): boolean {
  return !p.type || p.type.kind === ts.SyntaxKind.AnyKeyword || p.type.kind === ts.SyntaxKind.UnknownKeyword;
}

function paramName(p: ts.ParameterDeclaration | undefined): string | undefined {
  return p && ts.isIdentifier(p.name) ? p.name.text : undefined;
}

function typeText(p: ts.ParameterDeclaration): string {
  const t = p.type;
  if (!t || !ts.isTypeReferenceNode(t)) return '';
  return ts.isIdentifier(t.typeName) ? t.typeName.text : t.typeName.right.text;
}

// per file, then per function node: an incremental parse hands the same node objects to the next version's file
const memo = new WeakMap<JsFile, WeakMap<ts.Node, HandlerKind | null>>();

function handlerKind(file: JsFile, fn: ts.SignatureDeclaration): HandlerKind | undefined {
  let ofFile = memo.get(file);
  if (!ofFile) memo.set(file, ofFile = new WeakMap());
  let k = ofFile.get(fn);
  if (k === undefined) ofFile.set(fn, k = computeKind(file, fn) ?? null);
  return k ?? undefined;
}

function computeKind(file: JsFile, fn: ts.SignatureDeclaration): HandlerKind | undefined {
  let p: ts.Node = fn.parent;
  const service = serviceKind(file, fn);
  if (service) return service;
  // passed to a call: app.get('/x', fn), app.get('/x', wrap(fn)), el.addEventListener('message', fn), ws.on('message', fn)
  if (ts.isCallExpression(p) && p.arguments.includes(fn as unknown as ts.Expression)) {
    let call = p;
    if (!isRouteCall(file, call) && call.arguments.length === 1 && ts.isCallExpression(call.parent)
      && call.parent.arguments.includes(call) && isRouteCall(file, call.parent)) call = call.parent;
    if (isRouteCall(file, call)) return 'route';
    if (isParamCall(file, call, fn)) return 'route-param';
    const event = call.arguments[0] && ts.isStringLiteralLike(call.arguments[0]) ? call.arguments[0].text : undefined;
    const callee = call.expression;
    if (event && ts.isPropertyAccessExpression(callee) && call.arguments[1] === fn) {
      const method = callee.name.text;
      const recv = file.textOf(callee.expression);
      if (method === 'addEventListener' && event === 'message') return 'message';
      if (method === 'on' && fn.parameters.length >= 2 && isXmlRpcServer(file, callee.expression)) return 'rpc';
      if ((method === 'on' || method === 'once' || method === 'addListener') && !LIFECYCLE_EVENTS.has(event)
        && /(socket|^ws|Ws|WS|client|conn|peer)/i.test(recv) && !/^process$/.test(recv)) return 'socket';
    }
    return undefined;
  }
  // el.onmessage = fn; exports.handler = fn; onmessage = fn (a worker's global scope)
  if (ts.isBinaryExpression(p) && p.right === fn && ts.isIdentifier(p.left) && p.left.text === 'onmessage') return 'message';
  if (ts.isBinaryExpression(p) && p.right === fn && ts.isPropertyAccessExpression(p.left)) {
    if (p.left.name.text === 'onmessage') return 'message';
    const target = file.textOf(p.left);
    if (target === 'exports.handler' || target === 'module.exports.handler') return 'lambda';
    return undefined;
  }
  let name: string | undefined;
  let exported = false;
  let isDefault = false;
  if (ts.isFunctionDeclaration(fn)) {
    name = fn.name?.text;
    const mods = ts.getModifiers(fn) ?? [];
    exported = mods.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    isDefault = mods.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  } else if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) {
    name = p.name.text;
    const stmt = p.parent.parent;
    exported = ts.isVariableStatement(stmt) && !!ts.getModifiers(stmt)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  } else if (ts.isExportAssignment(p)) {
    exported = true;
    isDefault = true;
  }
  if (!exported) return undefined;
  if (name && NEXT_HANDLERS.has(name)) return 'next-route';
  if (name === 'getServerSideProps' || name === 'generateMetadata') return 'next-page';
  if (name === 'handler' && fn.parameters[0] && ts.isIdentifier(fn.parameters[0].name) && fn.parameters[0].name.text === 'event') return 'lambda';
  if (isDefault && /(^|[\\/])app[\\/](?:.*[\\/])?(page|layout)\.[jt]sx?$/.test(file.path)) return 'next-page';
  if (name && isLoader(file, fn, name)) return 'loader';
  return undefined;
}

/**
 * Remix / React Router `loader` and `action` (`{ request, params }`), SvelteKit `load` in `+page.server.ts`
 * and friends (`{ url, params, request }`). The names are common, so the file must look like a route module.
 */
function isLoader(file: JsFile, fn: ts.SignatureDeclaration, name: string): boolean {
  if (name === 'load') return /(^|[\\/])\+(page|layout)(\.server)?\.[jt]s$/.test(file.path);
  if (!['loader', 'action', 'clientLoader', 'clientAction'].includes(name)) return false;
  const p = fn.parameters[0];
  if (!p) return false;
  if (p.type && /(Loader|Action)(Function)?Args\b/.test(file.textOf(p.type))) return true;
  return file.importsModule('@remix-run/node') || file.importsModule('@remix-run/react') || file.importsModule('@remix-run/cloudflare')
    || file.importsModule('react-router') || /(^|[\\/])routes[\\/]/.test(file.path);
}

// ---- GraphQL resolvers, SOAP services, XML-RPC servers ----

/** The object literal a function is a member of (`{ f: () => ... }`, `{ f() {} }`) and the member's name. */
function memberOf(fn: ts.SignatureDeclaration): { obj: ts.ObjectLiteralExpression; key: string } | undefined {
  const prop = ts.isMethodDeclaration(fn) ? fn : ts.isPropertyAssignment(fn.parent) && fn.parent.initializer === (fn as ts.Node) ? fn.parent : undefined;
  if (!prop || !ts.isObjectLiteralExpression(prop.parent)) return undefined;
  const key = ts.isIdentifier(prop.name) || ts.isStringLiteralLike(prop.name) ? prop.name.text : undefined;
  return key ? { obj: prop.parent, key } : undefined;
}

/** The key an object literal is the value of: `Query` in `{ Query: { ... } }`. */
function keyOf(obj: ts.ObjectLiteralExpression): { key: string; parent: ts.ObjectLiteralExpression } | undefined {
  const pa = obj.parent;
  if (!ts.isPropertyAssignment(pa) || !ts.isObjectLiteralExpression(pa.parent)) return undefined;
  const key = ts.isIdentifier(pa.name) || ts.isStringLiteralLike(pa.name) ? pa.name.text : undefined;
  return key ? { key, parent: pa.parent } : undefined;
}

/**
 * GraphQL resolvers (an Apollo-style resolver map's `Query`/`Mutation`/`Subscription` members, a graphql-js
 * field's `resolve`) and SOAP service methods (`soap.listen(server, path, { Svc: { Port: { op(args) } } })`).
 */
function serviceKind(file: JsFile, fn: ts.SignatureDeclaration): HandlerKind | undefined {
  const m = memberOf(fn);
  if (!m || fn.parameters.length === 0) return undefined;
  const outer = keyOf(m.obj);
  if (outer && GRAPHQL_ROOTS.has(outer.key) && fn.parameters.length >= 2) return 'resolver';
  if (m.key === 'resolve' && fn.parameters.length >= 2 && (file.importsModule('graphql') || m.obj.properties.some((q) => q.name && ts.isIdentifier(q.name) && q.name.text === 'type'))) return 'resolver';
  // soap: service -> port -> operation, three object levels, the top one handed to soap.listen
  const port = outer && keyOf(outer.parent);
  if (port && file.importsModule('soap') && isSoapService(file, port.parent)) return 'soap';
  return undefined;
}

function isSoapService(file: JsFile, services: ts.ObjectLiteralExpression): boolean {
  let e: ts.Node = services;
  // const service = { ... }; soap.listen(server, '/wsdl', service, xml)
  if (ts.isVariableDeclaration(e.parent) && ts.isIdentifier(e.parent.name)) {
    const name = e.parent.name.text;
    for (const c of file.nodesOfKind(ts.SyntaxKind.CallExpression)) {
      const call = c as ts.CallExpression;
      if (file.callName(call) === 'soap.listen' && call.arguments.some((a) => ts.isIdentifier(a) && a.text === name)) return true;
    }
    return false;
  }
  e = e.parent;
  return ts.isCallExpression(e) && file.callName(e) === 'soap.listen';
}

/** `xmlrpc.createServer(...)` (or a name bound to one). */
function isXmlRpcServer(file: JsFile, recv: ts.Expression): boolean {
  if (!file.importsModule('xmlrpc')) return false;
  let e: ts.Node = recv;
  if (ts.isIdentifier(e)) {
    const d = file.declarationOf(e);
    const init = d && ts.isVariableDeclaration(d.parent) ? d.parent.initializer : undefined;
    if (!init) return false;
    e = init;
  }
  return ts.isCallExpression(e) && /^xmlrpc\.create(Secure)?Server$/.test(file.callName(e) ?? '');
}

/** HTTP clients whose `get(url, callback)` hands the callback a response, not a request. */
const HTTP_CLIENTS = new Set(['http', 'https', 'http2', 'axios', 'got', 'needle', 'request', 'superagent', 'node-fetch', 'undici', 'follow-redirects']);

function isRouteCall(file: JsFile, call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !ROUTE_METHODS.has(callee.name.text)) return false;
  const client = file.qualifiedName(callee.expression);
  if (client && HTTP_CLIENTS.has(client.split('.')[0])) return false;
  const first = call.arguments[0];
  if (!first) return false;
  if (callee.name.text === 'use') return true;
  if (call.arguments.length >= 2) {
    return ts.isStringLiteralLike(first) || ts.isRegularExpressionLiteral(first) || ts.isTemplateExpression(first)
      || ts.isArrayLiteralExpression(first) || ts.isIdentifier(first) || ts.isPropertyAccessExpression(first);
  }
  // router.route('/x').get(fn)
  return ts.isCallExpression(callee.expression) && ts.isPropertyAccessExpression(callee.expression.expression)
    && callee.expression.expression.name.text === 'route';
}

/** Express `router.param('id', (req, res, next, id) => ...)`. */
function isParamCall(file: JsFile, call: ts.CallExpression, fn: ts.SignatureDeclaration): boolean {
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'param' && call.arguments.length === 2
    && call.arguments[1] === (fn as unknown as ts.Expression) && ts.isStringLiteralLike(call.arguments[0]) && fn.parameters.length === 4;
}

const ARRAY_CALLBACKS = new Set(['forEach', 'map', 'filter', 'some', 'every', 'find', 'findIndex', 'flatMap', 'findLast']);

/** `items.forEach(item => ...)`: the callback's first parameter holds the collection's elements. */
export function callbackParam(flow: Flow, fn: ts.SignatureDeclaration, i: number): V | undefined {
  const call = fn.parent;
  if (!ts.isCallExpression(call) || call.arguments[0] !== (fn as unknown as ts.Expression)) return undefined;
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (ARRAY_CALLBACKS.has(method)) {
    if (i === 1) return SAFE;
    if (i !== 0) return undefined;
    if (flow.inProgress(unitNodeOf(call))) return UNKNOWN;
    return strip(contents(flow.valueOf(callee.expression)));
  }
  if (method === 'then' && i === 0) {
    if (flow.inProgress(unitNodeOf(call))) return UNKNOWN;
    return strip(flow.valueOf(callee.expression));
  }
  return undefined;
}
