import type { PNode as Node } from './tree';
import type { PyFile } from './front';
import { decoratorsOf, type Param } from './scopes';
import { DJANGO_REQUEST, INJECTED_ANNOTATIONS, SAFE_ANNOTATIONS, STARLETTE_REQUEST } from './sources';
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
  // Django views (function-based and class-based methods), DRF, aiohttp: a `request` first parameter
  const first = params[0];
  // a function the file itself calls is a helper: its parameters join the values at its call sites
  if (first && !calledLocally) {
    const ann = annotationName(file, first);
    const django = file.importsModule('django') || file.importsModule('rest_framework');
    const isReq = ann ? isRequestType(ann) : (first.name === 'request' && django);
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
  if (/(^|[\/])(views?|viewsets|api)(\.py$|[\/])/.test(file.path)) return true;
  const inClass = fn.parent?.type === 'block' && fn.parent.parent?.type === 'class_definition'
    || fn.parent?.type === 'decorated_definition' && fn.parent.parent?.type === 'block' && fn.parent.parent.parent?.type === 'class_definition';
  const name = fn.childForFieldName('name')?.text ?? '';
  if (inClass && HTTP_METHODS.test(name)) return true;
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
