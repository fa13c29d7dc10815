import type { PNode as Node } from './tree';
import type { PyFile } from './front';
import { bodyChecks, callFacts } from './route-body';
import {
  isGuardName as guardWords, isSignupPath, levelFromName, levelOf, publicByDesign, type Framework, type Guard, type GuardInsertion, type Level, type Route,
} from '../../engine/route-types';

/**
 * The Python front's route model: Flask and FastAPI decorated handlers, Django function views, class-based
 * views with their mixins, and DRF views with their permission classes. Built once per file, on first use,
 * and only for files that import a web framework.
 */
export interface PyRoute extends Route {
  /** The handler's definition (a function, or a view class). */
  def: Node;
}

const FRAMEWORK_MODULES = ['flask', 'django', 'rest_framework', 'fastapi', 'starlette', 'quart', 'sanic'];

/** Guards every Python web framework has, by the last part of their name. */
const KNOWN_GUARDS: Record<string, Level> = Object.assign(Object.create(null), {
  login_required: 'authenticated', fresh_login_required: 'authenticated', jwt_required: 'authenticated',
  auth_required: 'authenticated', token_required: 'authenticated', requires_auth: 'authenticated',
  http_auth_required: 'authenticated', user_passes_test: 'authenticated', verify_jwt_in_request: 'authenticated',
  staff_member_required: { role: 'staff' }, superuser_required: { role: 'superuser' }, admin_required: { role: 'admin' },
  IsAuthenticated: 'authenticated', IsAuthenticatedOrReadOnly: 'authenticated', DjangoModelPermissions: { role: 'model permissions' },
  DjangoObjectPermissions: { role: 'object permissions' }, IsAdminUser: { role: 'admin' },
  LoginRequiredMixin: 'authenticated', UserPassesTestMixin: 'authenticated', AccessMixin: 'authenticated',
  StaffuserRequiredMixin: { role: 'staff' }, SuperuserRequiredMixin: { role: 'superuser' },
});
/** Guards whose first argument names the role or permission. */
const ROLE_GUARDS = /^(permission_required|roles_required|roles_accepted|permissions_required|has_role|role_required|requires_roles?|requires_permissions?|PermissionRequiredMixin)$/;
const PUBLIC_MARKERS = /^(login_not_required|AllowAny|public|public_route|no_auth|allow_anonymous|csrf_exempt_public)$/;

export function buildRoutes(file: PyFile, extraGuards: readonly string[] = []): PyRoute[] {
  if (!FRAMEWORK_MODULES.some((m) => file.importsModule(m))) return [];
  const ctx = new Builder(file, extraGuards);
  return ctx.build();
}

class Builder {
  private readonly routes: PyRoute[] = [];
  /** Group -> guards every route in it gets (Flask `before_request`, FastAPI router dependencies). */
  private readonly groupGuards = new Map<string, Guard[]>();
  private readonly fileGuards: Guard[] = [];
  private readonly extra: Set<string>;
  private readonly fastapi: boolean;
  private readonly django: boolean;
  private readonly viewsModule: boolean;
  /** Functions defined in the file that check auth in their bodies (decorators the project writes). */
  private readonly localGuards = new Set<string>();
  /** Blueprint variable -> its name (`bp = Blueprint("billing", ...)`). */
  private readonly groupNames = new Map<string, string>();

  constructor(private readonly file: PyFile, extra: readonly string[]) {
    this.extra = new Set(extra);
    this.fastapi = file.importsModule('fastapi') || file.importsModule('starlette');
    this.django = file.importsModule('django') || file.importsModule('rest_framework');
    this.viewsModule = /(^|[\\/])(views?|viewsets)(\.py$|[\\/])/.test(file.path);
  }

  build(): PyRoute[] {
    const root = this.file.tree.rootNode;
    const defs = root.descendantsOfType('function_definition');
    for (const fn of defs) if (fn && this.checksAuth(fn)) this.localGuards.add(fn.childForFieldName('name')?.text ?? '');
    this.routerGuards(root);
    for (const fn of defs) if (fn) this.functionRoute(fn);
    if (this.django) for (const cls of root.descendantsOfType('class_definition')) if (cls) this.classRoute(cls);
    for (const r of this.routes) {
      r.guards.push(...(this.groupGuards.get(r.group) ?? []), ...this.fileGuards);
      r.group = this.groupNames.get(r.group) ?? r.group;
      r.level = levelOf(r.guards);
    }
    return this.routes;
  }

  /** A function whose body ends the request for the wrong user (a project's own `admin_required`). */
  private checksAuth(fn: Node): boolean {
    const name = fn.childForFieldName('name')?.text ?? '';
    if (!guardWords(name)) return false;
    const scope = fn.descendantsOfType('function_definition').filter((f) => f && f.id !== fn.id);
    return [fn, ...scope].some((f) => f && bodyChecks(this.file, f).length > 0);
  }

  /** `router = APIRouter(dependencies=[Depends(auth)])`, `app.include_router(r, dependencies=...)`, `@bp.before_request`. */
  private routerGuards(root: Node): void {
    // each loop looks for a callee that spells a name: a file without the name has none (no walk per edit)
    const text = this.file.text;
    const assignments = text.includes('Blueprint') || text.includes('APIRouter') || text.includes('FastAPI') ? root.descendantsOfType('assignment') : [];
    for (const a of assignments) {
      const right = a?.childForFieldName('right');
      const left = a?.childForFieldName('left');
      if (!a || right?.type !== 'call' || left?.type !== 'identifier') continue;
      const callee = right.childForFieldName('function')?.text ?? '';
      if (/(^|\.)Blueprint$/.test(callee)) {
        const name = this.file.argument(right, 0, 'name');
        if (name?.type === 'string' && stringText(name)) this.groupNames.set(left.text, stringText(name));
      }
      if (!/(^|\.)(APIRouter|FastAPI)$/.test(callee)) continue;
      const deps = this.dependencyGuards(this.file.keywordArgument(right, 'dependencies'), 'global');
      if (deps.length) {
        if (/FastAPI$/.test(callee)) this.fileGuards.push(...deps);
        else this.addGroupGuards(left.text, deps);
      }
    }
    // every call of the file: the tree's own list (no copy), and the method name compared without slicing it out
    for (const call of text.includes('include_router') ? this.file.tree.ofType('call') : []) {
      const f = call?.childForFieldName('function');
      const attr = f?.type === 'attribute' ? f.childForFieldName('attribute') : null;
      if (!call || !attr || attr.endIndex - attr.startIndex !== 'include_router'.length || attr.text !== 'include_router') continue;
      const router = this.file.argument(call, 0);
      const deps = this.dependencyGuards(this.file.keywordArgument(call, 'dependencies'), 'global');
      if (router?.type === 'identifier' && deps.length) this.addGroupGuards(router.text, deps);
    }
  }

  private addGroupGuards(group: string, guards: Guard[]): void {
    const list = this.groupGuards.get(group) ?? [];
    list.push(...guards);
    this.groupGuards.set(group, list);
  }

  /** `[Depends(get_current_user), Security(check, scopes=[...])]`: the ones whose callee is a guard. */
  private dependencyGuards(list: Node | undefined, kind: Guard['kind']): Guard[] {
    const out: Guard[] = [];
    if (!list || (list.type !== 'list' && list.type !== 'tuple')) return out;
    for (const d of list.namedChildren) {
      const g = d?.type === 'call' ? this.dependencyGuard(d, kind) : undefined;
      if (g) out.push(g);
    }
    return out;
  }

  private dependencyGuard(call: Node, kind: Guard['kind']): Guard | undefined {
    if (!/(^|\.)(Depends|Security)$/.test(call.childForFieldName('function')?.text ?? '')) return undefined;
    const target = this.file.argument(call, 0, 'dependency');
    const name = target ? (target.type === 'call' ? target.childForFieldName('function')?.text : target.text) : undefined;
    if (!name || !this.isGuardName(name)) return undefined;
    return { name, kind, level: levelFromName(name, target?.type === 'call' ? stringArg(target) : undefined), text: call.text, range: this.file.range(call) };
  }

  private isGuardName(name: string): boolean {
    const last = name.split('.').pop() ?? name;
    return last in KNOWN_GUARDS || ROLE_GUARDS.test(last) || this.extra.has(last) || this.extra.has(name)
      || this.localGuards.has(last) || guardWords(last);
  }

  private functionRoute(fn: Node): void {
    const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
    const decorators = decorated ? decorated.namedChildren.filter((d): d is Node => d?.type === 'decorator') : [];
    const name = fn.childForFieldName('name')?.text ?? '';
    const route = decorators.map((d) => this.routeDecorator(d)).find((r) => r);
    // Flask `@bp.before_request` hooks that check auth guard every route of their blueprint (of the app: all)
    for (const d of decorators) {
      const expr = d.namedChildren[0];
      if (expr?.type === 'attribute' && expr.childForFieldName('attribute')?.text === 'before_request') {
        const checks = bodyChecks(this.file, fn);
        if (checks.length) {
          const g: Guard = { name, kind: 'global', level: levelOf(checks), text: name, range: this.file.range(expr) };
          const owner = expr.childForFieldName('object')?.text ?? '';
          if (/^(app|application)$/.test(owner)) this.fileGuards.push(g); else this.addGroupGuards(owner, [g]);
        }
      }
    }
    let framework: Framework;
    let path = '';
    let methods: string[];
    let group: string;
    let insertion: GuardInsertion | undefined;
    const guards: Guard[] = [];
    let publicMarker: string | undefined;
    if (route) {
      framework = this.fastapi ? 'fastapi' : 'flask';
      ({ path, methods, group } = route);
      guards.push(...route.guards);
      if (framework === 'fastapi') {
        guards.push(...this.parameterGuards(fn));
        const args = route.call.childForFieldName('arguments');
        if (args && !this.file.keywordArgument(route.call, 'dependencies')) {
          const close = args.lastChild;
          const at = close?.type === ')' ? { line: close.startPosition.row, character: close.startPosition.column } : undefined;
          if (at) insertion = { accepts: 'dependency', at, before: args.namedChildCount ? ', dependencies=[' : 'dependencies=[', after: ']' };
        }
      }
    } else {
      // Django function views: a `request` first parameter, in a views module or wearing a view decorator
      if (!this.django || this.inClass(fn)) return;
      const first = fn.childForFieldName('parameters')?.namedChildren[0];
      const firstName = first?.type === 'identifier' ? first.text : first?.childForFieldName('name')?.text ?? first?.namedChildren[0]?.text;
      if (firstName !== 'request') return;
      // `_helper(request)`, and functions taking model instances (`form(request, channel: Channel)`), are called by views
      if (name.startsWith('_')) return;
      for (const p of fn.childForFieldName('parameters')?.namedChildren.slice(1) ?? []) {
        const ann = p?.childForFieldName('type')?.text;
        if (ann && !/^(str|int|uuid\.UUID|UUID|slug|Optional\[(str|int)\]|(str|int) \| None)$/.test(ann)) return;
      }
      const viewDecorated = decorators.some((d) => /(api_view|require_http_methods|require_GET|require_POST|require_safe|login_required|permission_required)/.test(d.text));
      if (!this.viewsModule && !viewDecorated) return;
      if (fn.parent?.type !== 'module' && decorated?.parent?.type !== 'module') return;
      framework = decorators.some((d) => /api_view/.test(d.text)) ? 'drf' : 'django';
      methods = djangoMethods(decorators);
      // `if request.method == "POST":` in a view that takes any method: it handles POST
      if (methods[0] === '*' && fn.descendantsOfType('comparison_operator').some((c) => !!c && /request\.method/.test(c.text) && /["'](POST|PUT|PATCH|DELETE)["']/.test(c.text))) {
        methods = ['GET', 'POST'];
      }
      group = this.fileGroup();
    }
    for (const d of decorators) {
      const g = this.decoratorGuard(d);
      if (g === 'public') publicMarker = 'marked public';
      else if (g) guards.push(g);
    }
    guards.push(...bodyChecks(this.file, fn));
    if (!insertion && (framework === 'flask' || framework === 'django')) {
      const indent = ' '.repeat(fn.startPosition.column);
      insertion = { accepts: 'decorator', at: { line: fn.startPosition.row, character: 0 }, before: `${indent}@`, after: '\n' };
    }
    const nameNode = fn.childForFieldName('name') ?? fn;
    const traits = callFacts(fn);
    if (!publicMarker && traits.signsIn) publicMarker = 'signs the user in';
    // Django `@csrf_exempt` without a guard: an endpoint for other servers and machine clients (pings, callbacks)
    if (!publicMarker && guards.length === 0 && decorators.some((d) => /(^|\.)csrf_exempt$/.test(d.namedChildren[0]?.text ?? ''))) publicMarker = 'CSRF-exempt endpoint for other servers';
    // a secret in the URL authenticates the caller (`/ping/<ping_key>/<slug>`, `/confirm/<token>`)
    if (!publicMarker && (/<(?:\w+:)?\w*(key|token|secret|signature|signed)\w*>|\{\w*(key|token|secret|signature)\w*\}/i.test(path)
      || (!route && (fn.childForFieldName('parameters')?.namedChildren ?? []).slice(1).some((p) => /(^|_)(key|token|secret|signature|signed)(_|$)|^signed_/.test(p?.childForFieldName('name')?.text ?? p?.text ?? ''))))) {
      publicMarker = 'authenticated by a secret in the URL';
    }
    if (!publicMarker && traits.verifiesSignature) publicMarker = 'verifies a signed link or payload';
    this.routes.push({
      bodyVisible: true, callsMutator: traits.callsMutator,
      path, methods, handler: name, range: this.file.range(decorated ?? fn), nameRange: this.file.range(nameNode), framework, group,
      guards, level: 'public', writes: traits.writes, insertion, def: fn,
      publicByDesign: publicMarker ?? publicByDesign(path, name) ?? (isSignupPath(path, methods) || (methods.includes('POST') && traits.createsAccount) ? 'creates an account (signup)' : undefined),
    });
  }

  private fileGroup(): string {
    const base = this.file.path.replace(/\\/g, '/').split('/');
    const last = (base.pop() ?? '').replace(/\.py$/, '');
    return last === '__init__' || last === 'views' ? `${base.pop() ?? ''}${last === 'views' ? '.views' : ''}` : last;
  }

  private inClass(fn: Node): boolean {
    const p = fn.parent?.type === 'decorated_definition' ? fn.parent.parent : fn.parent;
    return p?.type === 'block' && p.parent?.type === 'class_definition';
  }

  /** `@app.route('/x', methods=['POST'])`, `@bp.delete('/x')`, `@router.post('/x', dependencies=[...])`. */
  private routeDecorator(d: Node): { path: string; methods: string[]; group: string; guards: Guard[]; call: Node } | undefined {
    const call = d.namedChildren[0];
    const callee = call?.type === 'call' ? call.childForFieldName('function') : undefined;
    if (!call || callee?.type !== 'attribute') return undefined;
    const verb = callee.childForFieldName('attribute')?.text ?? '';
    if (!/^(route|get|post|put|patch|delete|api_route)$/.test(verb)) return undefined;
    const pathNode = this.file.argument(call, 0, verb === 'route' ? 'rule' : 'path');
    if (pathNode?.type !== 'string') return undefined;
    const path = stringText(pathNode);
    if (path !== '' && !path.startsWith('/')) return undefined;
    let methods = verb === 'route' || verb === 'api_route' ? ['GET'] : [verb.toUpperCase()];
    const listed = this.file.keywordArgument(call, 'methods');
    if (listed && (listed.type === 'list' || listed.type === 'tuple' || listed.type === 'set')) {
      const ms = listed.namedChildren.filter((c) => c?.type === 'string').map((c) => stringText(c!).toUpperCase());
      if (ms.length) methods = ms;
    }
    const group = callee.childForFieldName('object')?.text ?? 'app';
    const guards = this.dependencyGuards(this.file.keywordArgument(call, 'dependencies'), 'dependency');
    return { path, methods, group, guards, call };
  }

  /** FastAPI `user: User = Depends(get_current_user)`, `user: Annotated[User, Depends(get_current_user)]`. */
  private parameterGuards(fn: Node): Guard[] {
    const out: Guard[] = [];
    for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
      if (!p) continue;
      let found = false;
      for (const call of p.descendantsOfType('call')) {
        const g = call ? this.dependencyGuard(call, 'dependency') : undefined;
        if (g) { out.push(g); found = true; break; }
      }
      // `current_user: CurrentUser` where `CurrentUser = Annotated[User, Depends(get_current_user)]` lives in deps.py
      const ann = p.childForFieldName('type');
      const annName = ann?.text.split('.').pop() ?? '';
      if (!found && ann && /^[A-Z]\w*$/.test(annName) && (guardWords(annName) || /User$/.test(annName) && /^(Current|Active|Authenticated|Auth|Session|Logged|Verified)/.test(annName))) {
        out.push({ name: annName, kind: 'dependency', level: levelFromName(annName), text: '', range: this.file.range(ann) });
      }
    }
    return out;
  }

  /** A decorator that authenticates or authorizes; 'public' for an explicit public marker. */
  private decoratorGuard(d: Node): Guard | 'public' | undefined {
    const expr = d.namedChildren[0];
    if (!expr) return undefined;
    const callee = expr.type === 'call' ? expr.childForFieldName('function') : expr;
    if (!callee || (callee.type !== 'identifier' && callee.type !== 'attribute')) return undefined;
    const name = callee.text;
    const last = name.split('.').pop() ?? name;
    if (PUBLIC_MARKERS.test(last)) return 'public';
    if (last === 'permission_classes' && expr.type === 'call') {
      const list = this.file.argument(expr, 0);
      return this.permissionClasses(list, 'decorator', d);
    }
    if (/^(route|get|post|put|patch|delete|api_route|before_request|api_view|require_http_methods|require_GET|require_POST|require_safe|csrf_exempt|cache_page|never_cache|vary_on_cookie|method_decorator)$/.test(last)) {
      if (last === 'method_decorator' && expr.type === 'call') {
        const inner = this.file.argument(expr, 0);
        const n = inner?.type === 'call' ? inner.childForFieldName('function')?.text : inner?.text;
        if (n && this.isGuardName(n)) return { name: n, kind: 'decorator', level: guardLevel(n, inner), text: expr.text, range: this.file.range(d) };
      }
      return undefined;
    }
    if (!this.isGuardName(name)) return undefined;
    return { name, kind: 'decorator', level: guardLevel(name, expr.type === 'call' ? expr : undefined), text: d.text.slice(1).trim(), range: this.file.range(d) };
  }

  /** DRF `permission_classes = [IsAuthenticated]` (also `(IsAdminUser,)`, `[IsAuthenticated & IsOwner]`). */
  private permissionClasses(list: Node | undefined, kind: Guard['kind'], at: Node): Guard | 'public' | undefined {
    if (!list || (list.type !== 'list' && list.type !== 'tuple')) return undefined;
    const names = list.descendantsOfType(['identifier', 'attribute']).map((n) => n?.text ?? '').filter((t) => t && !t.includes('.') || /\.[A-Z]\w*$/.test(t));
    if (names.length === 0) return undefined;
    if (names.every((n) => /(^|\.)AllowAny$/.test(n))) return 'public';
    let level: Level = 'public';
    for (const n of names) {
      const last = n.split('.').pop()!;
      const l = KNOWN_GUARDS[last] ?? (/ReadOnly$/.test(last) ? undefined : (guardWords(last) || /^(Is|Has|Can)[A-Z]/.test(last) ? levelFromName(last) : undefined));
      if (l && (level === 'public' || typeof l !== 'string')) level = l;
    }
    if (level === 'public') return undefined;
    return { name: names.join(', '), kind, level, text: list.text, range: this.file.range(at) };
  }

  /** Django class-based views (with mixins) and DRF APIView/ViewSet classes: one route per class. */
  private classRoute(cls: Node): void {
    const bases = cls.childForFieldName('superclasses')?.namedChildren.filter((b): b is Node => !!b && b.type !== 'keyword_argument') ?? [];
    const baseNames = bases.map((b) => b.text.split('.').pop() ?? b.text);
    const drf = baseNames.some((b) => /(APIView|ViewSet|GenericAPIView|ListAPIView|CreateAPIView|RetrieveAPIView|UpdateAPIView|DestroyAPIView|ListCreateAPIView|RetrieveUpdateAPIView|RetrieveDestroyAPIView|RetrieveUpdateDestroyAPIView)$/.test(b));
    const cbv = baseNames.some((b) => /^(View|TemplateView|FormView|CreateView|UpdateView|DeleteView|DetailView|ListView|RedirectView|ProcessFormView|BaseFormView|BaseCreateView|BaseUpdateView|BaseDeleteView|ArchiveIndexView)$/.test(b));
    if (!drf && !cbv) return;
    const body = cls.childForFieldName('body');
    const methods = new Set<string>();
    const guards: Guard[] = [];
    let publicMarker: string | undefined;
    let permissionSet = false;
    const defs: Node[] = [];
    for (const stmt of body?.namedChildren ?? []) {
      if (!stmt) continue;
      const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
      if (def?.type === 'function_definition') {
        defs.push(def);
        const m = HANDLER_METHODS[def.childForFieldName('name')?.text ?? ''];
        if (m) methods.add(m);
        const n = def.childForFieldName('name')?.text ?? '';
        if (/^(dispatch|get|post|put|patch|delete|initial|check_permissions|get_queryset|perform_create|perform_update|perform_destroy)$/.test(n)) {
          guards.push(...bodyChecks(this.file, def));
        }
        if (n === 'get_permissions') permissionSet = true;
        // `@method_decorator(login_required)` on `dispatch`
        if (stmt.type === 'decorated_definition' && /^(dispatch|get|post|put|patch|delete)$/.test(n)) {
          for (const d of stmt.namedChildren) {
            const g = d?.type === 'decorator' ? this.decoratorGuard(d) : undefined;
            if (g && g !== 'public') guards.push(g);
          }
        }
      } else if (stmt.type === 'expression_statement' && stmt.namedChildren[0]?.type === 'assignment') {
        const a = stmt.namedChildren[0]!;
        const left = a.childForFieldName('left')?.text;
        if (left === 'permission_classes') {
          permissionSet = true;
          const g = this.permissionClasses(a.childForFieldName('right') ?? undefined, 'decorator', a);
          if (g === 'public') publicMarker = 'AllowAny'; else if (g) guards.push(g);
        } else if (left === 'permission_required') {
          const v = a.childForFieldName('right');
          guards.push({ name: 'permission_required', kind: 'decorator', level: { role: v?.type === 'string' ? stringText(v) : 'permission' }, text: a.text, range: this.file.range(a) });
        }
      }
    }
    for (const [i, b] of baseNames.entries()) {
      if (PUBLIC_MARKERS.test(b)) { publicMarker = 'marked public'; continue; }
      const known = KNOWN_GUARDS[b];
      if (known || ROLE_GUARDS.test(b) || (/Mixin$/.test(b) && (guardWords(b.replace(/Mixin$/, '')) || this.extra.has(b)))) {
        guards.push({ name: b, kind: 'decorator', level: known ?? levelFromName(b), text: bases[i].text, range: this.file.range(bases[i]) });
      }
    }
    for (const d of decoratorsOfClass(cls)) {
      const g = this.decoratorGuard(d);
      if (g === 'public') publicMarker = 'marked public'; else if (g) guards.push(g);
    }
    if (baseNames.some((b) => /^(ModelViewSet|ViewSet|GenericViewSet)$/.test(b)) && methods.size === 0) ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].forEach((m) => methods.add(m));
    for (const b of baseNames) for (const m of GENERIC_METHODS[b] ?? []) methods.add(m);
    if (methods.size === 0) methods.add('GET');
    if (drf && !permissionSet && guards.length === 0 && !publicMarker) {
      // DRF falls back to the project's DEFAULT_PERMISSION_CLASSES, which this file cannot see
      guards.push({ name: 'DEFAULT_PERMISSION_CLASSES', kind: 'global', level: 'public', text: '' });
    }
    const name = cls.childForFieldName('name')?.text ?? '';
    const writes = defs.flatMap((d) => callFacts(d).writes);
    this.routes.push({
      bodyVisible: true, callsMutator: defs.some((d) => callFacts(d).callsMutator) || baseNames.some((b) => /(Create|Update|Delete|Form|ViewSet)/.test(b)),
      path: '', methods: [...methods], handler: name, range: this.file.range(cls.parent?.type === 'decorated_definition' ? cls.parent : cls),
      nameRange: this.file.range(cls.childForFieldName('name') ?? cls), framework: drf ? 'drf' : 'django', group: this.fileGroup(),
      guards, level: 'public', writes, publicByDesign: publicMarker ?? publicByDesign('', name.replace(/(View|ViewSet|APIView)$/, '')), def: cls,
    });
  }
}

const HANDLER_METHODS: Record<string, string> = Object.assign(Object.create(null), {
  get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE', list: 'GET', retrieve: 'GET', create: 'POST',
  update: 'PUT', partial_update: 'PATCH', destroy: 'DELETE', form_valid: 'POST',
});
const GENERIC_METHODS: Record<string, string[]> = Object.assign(Object.create(null), {
  CreateView: ['GET', 'POST'], UpdateView: ['GET', 'POST'], DeleteView: ['GET', 'POST'], FormView: ['GET', 'POST'],
  CreateAPIView: ['POST'], UpdateAPIView: ['PUT', 'PATCH'], DestroyAPIView: ['DELETE'], ListCreateAPIView: ['GET', 'POST'],
  RetrieveUpdateAPIView: ['GET', 'PUT', 'PATCH'], RetrieveDestroyAPIView: ['GET', 'DELETE'],
  RetrieveUpdateDestroyAPIView: ['GET', 'PUT', 'PATCH', 'DELETE'], ListAPIView: ['GET'], RetrieveAPIView: ['GET'],
});

function decoratorsOfClass(cls: Node): Node[] {
  const p = cls.parent;
  return p?.type === 'decorated_definition' ? p.namedChildren.filter((d): d is Node => d?.type === 'decorator') : [];
}

/** `@require_POST` → POST; `@require_http_methods(["GET", "POST"])`; `@api_view(['POST'])`; otherwise any method. */
function djangoMethods(decorators: Node[]): string[] {
  for (const d of decorators) {
    const t = d.text;
    if (/require_POST\b/.test(t)) return ['POST'];
    if (/require_(GET|safe)\b/.test(t)) return ['GET'];
    if (/(require_http_methods|api_view)\s*\(/.test(t)) {
      const ms = d.descendantsOfType('string').map((s) => (s ? stringText(s).toUpperCase() : '')).filter((m) => /^[A-Z]+$/.test(m));
      return ms.length ? ms : ['GET'];
    }
    if (/api_view\b/.test(t)) return ['GET'];
  }
  return ['*'];
}

function guardLevel(name: string, call: Node | undefined): Level {
  const last = name.split('.').pop() ?? name;
  if (KNOWN_GUARDS[last]) {
    if (last === 'user_passes_test' && call && /superuser/.test(call.text)) return { role: 'superuser' };
    if (last === 'user_passes_test' && call && /is_staff/.test(call.text)) return { role: 'staff' };
    return KNOWN_GUARDS[last];
  }
  const arg = call ? stringArg(call) : undefined;
  if (ROLE_GUARDS.test(last)) return { role: arg ?? 'permission' };
  return levelFromName(last, arg);
}

function stringArg(call: Node): string | undefined {
  const s = call.childForFieldName('arguments')?.namedChildren.find((a) => a?.type === 'string');
  return s ? stringText(s) : undefined;
}

function stringText(s: Node): string {
  return s.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
}
