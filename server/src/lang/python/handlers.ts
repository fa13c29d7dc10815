import type { PNode as Node } from './tree';
import type { PyFile } from './front';
import { decoratorsOf, type Param } from './scopes';
import {
  AIOHTTP_REQUEST, DJANGO_REQUEST, HANDLER_BASES, INJECTED_ANNOTATIONS, ROUTE_FUNCTIONS, ROUTE_REGISTRATIONS, RPC_REGISTRATIONS,
  SAFE_ANNOTATIONS, STARLETTE_REQUEST,
} from './sources';
import { ALL_SINKS, clear, tainted, unknown, UNKNOWN, type PV } from './values';

/**
 * Parameters that a web framework fills from the request: Flask route variables, FastAPI/Starlette
 * route parameters, Django view arguments after `request`, AWS Lambda events. Undefined when the
 * function is not a handler.
 */
export function handlerParams(file: PyFile, fn: Node, params: Param[], calledLocally = false): Map<string, PV> | undefined {
  const line = fn.startPosition.row;
  const out = new Map<string, PV>();
  const source = (p: Param, what: string): PV => {
    const t = tainted({ description: `${what} ${p.name}`, line: p.node.startPosition.row });
    return safeAnnotation(file, p) ? clear(t, ALL_SINKS) : t;
  };
  const route = routeDecorator(file, fn);
  const fastapi = file.importsModule('fastapi') || file.importsModule('starlette') || file.importsModule('litestar');
  if (route) {
    const flaskVars = new Map<string, string>();
    for (const m of route.path.matchAll(/<(?:([a-zA-Z_]+)(?:\([^)]*\))?:)?([a-zA-Z_]\w*)>/g)) flaskVars.set(m[2], m[1] ?? 'string');
    for (const p of params) {
      const ann = annotationName(file, p);
      if (ann && isRequestType(ann)) { out.set(p.name, unknown(ann.includes('.') ? ann : STARLETTE_REQUEST)); continue; }
      if (ann && INJECTED_ANNOTATIONS.test(ann)) { out.set(p.name, UNKNOWN); continue; }
      if (p.default && /^(Depends|Security|fastapi\.Depends)\b/.test(p.default.text)) { out.set(p.name, UNKNOWN); continue; }
      if (flaskVars.has(p.name)) {
        const conv = flaskVars.get(p.name)!;
        const t = tainted({ description: `URL parameter ${p.name}`, line: p.node.startPosition.row });
        out.set(p.name, /^(int|float|uuid)$/.test(conv) ? clear(t, ALL_SINKS) : t);
        continue;
      }
      if (fastapi || route.fastapiStyle) out.set(p.name, source(p, 'request parameter'));
      else if (p.name === 'request' || p.name === 'req') out.set(p.name, unknown(STARLETTE_REQUEST));
      else out.set(p.name, UNKNOWN);
    }
    return out;
  }
  const service = serviceParams(file, fn, params, source);
  if (service) return service;
  // Django views (function-based and class-based methods), DRF, aiohttp: a `request` first parameter
  const first = params[0];
  // a function the file itself calls is a helper: its parameters join the values at its call sites
  if (first && !calledLocally) {
    const ann = annotationName(file, first);
    const django = file.importsModule('django') || file.importsModule('rest_framework');
    const asgi = !django && (file.importsModule('aiohttp') || file.importsModule('starlette'));
    const registered = asgi && registeredHandlers(file).routes.has(fn.childForFieldName('name')?.text ?? '');
    const isReq = ann ? isRequestType(ann) : ((first.name === 'request' && (django || asgi)) || registered);
    if (isReq && asgi && !ann) {
      // aiohttp and Starlette handlers take the request alone
      out.set(first.name, unknown(file.importsModule('aiohttp') ? AIOHTTP_REQUEST : STARLETTE_REQUEST));
      for (const p of params.slice(1)) out.set(p.name, UNKNOWN);
      return out;
    }
    if (isReq) {
      out.set(first.name, unknown(ann && ann.includes('.') ? ann : DJANGO_REQUEST));
      // Only a view's other arguments come from the URL; `login(request, user)`, middleware and
      // helpers that take the request are called by code with values of its own.
      const fromUrl = looksLikeView(file, fn);
      for (const p of params.slice(1)) out.set(p.name, fromUrl ? source(p, 'URL parameter') : UNKNOWN);
      return out;
    }
  }
  // AWS Lambda
  const name = fn.childForFieldName('name')?.text ?? '';
  if (/^(lambda_handler|handler)$/.test(name) && params.length === 2 && /^(event|evt)$/.test(params[0].name)) {
    out.set(params[0].name, tainted({ description: `Lambda ${params[0].name}`, line }, true));
    out.set(params[1].name, UNKNOWN);
    return out;
  }
  return undefined;
}

const HTTP_METHODS = /^(get|post|put|patch|delete|head|options|dispatch|list|create|retrieve|update|partial_update|destroy)$/;
const VIEW_DECORATORS = /(^|\.)(api_view|action|require_http_methods|require_GET|require_POST|require_safe|login_required|permission_required|csrf_exempt|never_cache|cache_page|staff_member_required)$/;

/** A Django/DRF view: in a views module, a class-based view's HTTP method, or wearing a view decorator. */
function looksLikeView(file: PyFile, fn: Node): boolean {
  const inClass = fn.parent?.type === 'block' && fn.parent.parent?.type === 'class_definition'
    || fn.parent?.type === 'decorated_definition' && fn.parent.parent?.type === 'block' && fn.parent.parent.parent?.type === 'class_definition';
  const name = fn.childForFieldName('name')?.text ?? '';
  if (inClass && HTTP_METHODS.test(name)) return true;
  // a class-based view dispatches only to its HTTP-method handlers: other methods (`__init__(self, request,
  // exc_type, exc_value, tb)` of an exception reporter in views/debug.py) are called by code, whatever the file
  if (!inClass && /(^|[\/])(views?|viewsets|api)(\.py$|[\/])/.test(file.path)) return true;
  return decoratorsOf(fn).some((d) => {
    const expr = d.namedChildren[0];
    const callee = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
    return !!callee && VIEW_DECORATORS.test(callee.text);
  });
}

function isRequestType(ann: string): boolean {
  return /(^|\.)(Request|HttpRequest|WSGIRequest|ASGIRequest|WebSocket)$/.test(ann) && ann !== 'urllib.request.Request';
}

function annotationName(file: PyFile, p: Param): string | undefined {
  const a = p.annotation;
  if (!a) return undefined;
  const inner = a.type === 'type' ? a.namedChildren[0] : a;
  if (!inner) return undefined;
  if (inner.type === 'identifier' || inner.type === 'attribute') return file.qualifiedName(inner) ?? inner.text;
  if (inner.type === 'generic_type' || inner.type === 'subscript') {
    // Annotated[int, Query()], Optional[int]
    const base = inner.namedChildren[0];
    const args = inner.namedChildren[1];
    const first = args?.namedChildren[0]?.type === 'type' ? args.namedChildren[0]?.namedChildren[0] : args?.namedChildren[0];
    if (base && /^(Annotated|Optional|typing\.Annotated|typing\.Optional)$/.test(base.text) && first) {
      return file.qualifiedName(first) ?? first.text;
    }
  }
  return inner.text;
}

function safeAnnotation(file: PyFile, p: Param): boolean {
  const name = annotationName(file, p);
  if (!name) return false;
  if (SAFE_ANNOTATIONS.has(name)) return true;
  const short = name.split('.').pop() ?? name;
  return SAFE_ANNOTATIONS.has(short) || /^(int|float|bool)\s*\|\s*None$/.test(name) || /^Literal\[/.test(name);
}

interface Route { path: string; fastapiStyle: boolean }

export const ROUTE_METHODS = /^(route|get|post|put|delete|patch|head|options|api_route|websocket|view_functions)$/;

/** `@app.route('/x/<name>')`, `@bp.get('/x')`, `@router.post("/items/{id}")`. */
function routeDecorator(file: PyFile, fn: Node): Route | undefined {
  for (const d of decoratorsOf(fn)) {
    const call = d.namedChildren.find((c) => c?.type === 'call');
    const callee = call?.childForFieldName('function');
    if (!call || callee?.type !== 'attribute') continue;
    const method = callee.childForFieldName('attribute')?.text ?? '';
    if (!ROUTE_METHODS.test(method)) continue;
    const arg = call.childForFieldName('arguments')?.namedChildren.find((a) => a.type === 'string' || (a.type === 'keyword_argument' && /^(path|rule)$/.test(a.childForFieldName('name')?.text ?? '')));
    const str = arg?.type === 'keyword_argument' ? arg.childForFieldName('value') : arg;
    if (!str || str.type !== 'string') continue;
    const path = str.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
    if (path !== '' && !path.startsWith('/')) continue;
    return { path, fastapiStyle: /\{[^}]+\}/.test(path) && method !== 'route' };
  }
  return undefined;
}

// ---- handlers registered by calls, class-based handlers, RPC and GraphQL ----

interface Registrations {
  /** Functions registered as HTTP handlers: `app.router.add_get('/', handle)`, `Route('/', home)`. */
  routes: Set<string>;
  /** Functions and classes whose methods an XML-RPC server exposes. */
  rpcFunctions: Set<string>;
  rpcClasses: Set<string>;
}

const registrations = new WeakMap<PyFile, Registrations>();

/** The file's handler registrations, gathered once (only in files that import a framework that registers by call). */
export function registeredHandlers(file: PyFile): Registrations {
  let r = registrations.get(file);
  if (r) return r;
  r = { routes: new Set(), rpcFunctions: new Set(), rpcClasses: new Set() };
  registrations.set(file, r);
  if (!file.importsModule('aiohttp') && !file.importsModule('starlette') && !file.importsModule('xmlrpc')
    && !file.importsModule('SimpleXMLRPCServer')) return r;
  let seen = 0;
  for (const call of file.tree.ofType('call')) {
    if (!call || ++seen > 20000) break;
    const fn = call.childForFieldName('function');
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text ?? '' : '';
    const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => !!a && a.type !== 'comment' && a.type !== 'keyword_argument') ?? [];
    const handlerKw = call.childForFieldName('arguments')?.namedChildren.find((a) => a?.type === 'keyword_argument'
      && /^(handler|endpoint)$/.test(a.childForFieldName('name')?.text ?? ''))?.childForFieldName('value');
    if (ROUTE_REGISTRATIONS.has(method) || ROUTE_FUNCTIONS.has(file.qualifiedName(fn) ?? '')) {
      const h = handlerKw ?? args[args.length - 1];
      if (h?.type === 'identifier') r.routes.add(h.text);
    } else if (RPC_REGISTRATIONS.has(method)) {
      const h = args[0];
      if (method === 'register_function' && h?.type === 'identifier') r.rpcFunctions.add(h.text);
      const cls = h?.type === 'call' ? h.childForFieldName('function') : undefined;
      if (method === 'register_instance' && cls?.type === 'identifier') r.rpcClasses.add(cls.text);
    }
  }
  return r;
}

/** The class a method is defined in. */
function classOf(fn: Node): Node | undefined {
  let p = fn.parent;
  if (p?.type === 'decorated_definition') p = p.parent;
  return p?.type === 'block' && p.parent?.type === 'class_definition' ? p.parent : undefined;
}

const baseKinds = new WeakMap<PyFile, Map<number, 'tornado' | 'aiohttp' | 'graphene' | null>>();

/** `tornado` for a RequestHandler subclass, `aiohttp` for a `web.View`, `graphene` for a graphene type (bases of this file only). */
export function frameworkClass(file: PyFile, cls: Node, depth = 0): 'tornado' | 'aiohttp' | 'graphene' | undefined {
  let m = baseKinds.get(file);
  if (!m) baseKinds.set(file, m = new Map());
  const known = m.get(cls.id);
  if (known !== undefined) return known ?? undefined;
  m.set(cls.id, null);
  let kind: 'tornado' | 'aiohttp' | 'graphene' | undefined;
  for (const b of cls.childForFieldName('superclasses')?.namedChildren ?? []) {
    if (!b || (b.type !== 'identifier' && b.type !== 'attribute')) continue;
    const q = file.qualifiedName(b) ?? '';
    kind = HANDLER_BASES[q] ?? (/^graphene\.(ObjectType|Mutation)$/.test(q) ? 'graphene' : undefined);
    // a base class of the same file: `class BaseHandler(RequestHandler)`, then `class H(BaseHandler)`
    if (!kind && b.type === 'identifier' && depth < 5) {
      const top = file.tree.rootNode.namedChildren;
      const local = top.map((c) => (c.type === 'decorated_definition' ? c.childForFieldName('definition') : c))
        .find((c) => c?.type === 'class_definition' && c.childForFieldName('name')?.text === b.text);
      if (local && local.id !== cls.id) kind = frameworkClass(file, local, depth + 1);
    }
    if (kind) break;
  }
  m.set(cls.id, kind ?? null);
  return kind;
}

const TORNADO_VERBS = /^(get|post|put|patch|delete|head|options|open|on_message)$/;
const STRAWBERRY = /^strawberry\.(field|mutation|subscription)$|^strawberry_django\.(field|mutation)$/;
const ARIADNE_FIELDS = /^(field|set_field)$/;

/**
 * Parameters the network fills outside URL routing: Tornado handler methods (path arguments), XML-RPC
 * functions and instance methods, GraphQL resolvers (Strawberry fields, Graphene `resolve_*` and
 * `mutate`, Ariadne `@query.field`). `info` and `root`/`parent` are the framework's.
 */
function serviceParams(file: PyFile, fn: Node, params: Param[], source: (p: Param, what: string) => PV): Map<string, PV> | undefined {
  const name = fn.childForFieldName('name')?.text ?? '';
  const cls = classOf(fn);
  const out = new Map<string, PV>();
  const taintAll = (what: string, skip: (p: Param, i: number) => boolean) => {
    params.forEach((p, i) => out.set(p.name, skip(p, i) ? UNKNOWN : source(p, what)));
    return out;
  };
  const framework = cls ? frameworkClass(file, cls) : undefined;
  if (framework === 'tornado' && TORNADO_VERBS.test(name)) {
    // `get(self, ident)` with `(r"/h/(\w+)", H)`: the URL pattern's groups; `on_message(self, message)`: the peer's
    return taintAll(name === 'on_message' ? 'WebSocket message' : 'URL parameter', () => false);
  }
  const isInfo = (p: Param) => p.name === 'info' || /(^|\.)(Info|GraphQLResolveInfo|ResolveInfo)(\[|$)/.test(p.annotation?.text ?? '');
  if (file.importsModule('strawberry') && decoratorsOf(fn).some((d) => STRAWBERRY.test(decoratorName(file, d)))) {
    return taintAll('GraphQL argument', (p) => isInfo(p) || p.name === 'root' || p.name === 'parent');
  }
  if ((framework === 'graphene' || (cls && file.importsModule('graphene'))) && (/^resolve_\w+$/.test(name) || name === 'mutate')) {
    // graphene resolvers are static: (root, info, **args)
    return taintAll('GraphQL argument', (p, i) => isInfo(p) || i === 0 && /^(root|parent|self|_|obj|instance)$/.test(p.name));
  }
  if (file.importsModule('ariadne') && decoratorsOf(fn).some((d) => ARIADNE_FIELDS.test(decoratorName(file, d).split('.').pop() ?? ''))) {
    return taintAll('GraphQL argument', (p, i) => isInfo(p) || i === 0);
  }
  const rpc = registeredHandlers(file);
  if ((!cls && rpc.rpcFunctions.has(name)) || (cls && rpc.rpcClasses.has(cls.childForFieldName('name')?.text ?? '') && !name.startsWith('_'))) {
    return taintAll('XML-RPC parameter', () => false);
  }
  return undefined;
}

function decoratorName(file: PyFile, d: Node): string {
  const expr = d.namedChildren[0];
  const callee = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
  if (!callee) return '';
  return file.qualifiedName(callee) ?? callee.text;
}
