/**
 * The route model: one shape for every web framework the fronts know (Flask, Django, DRF, FastAPI, Express,
 * Koa, NestJS, Next.js). Built lazily by the language fronts (`PyFile.routes()`, `JsFile.routes()`), read by
 * the access-control rules and by the route inventory (`secure-hints routes`, the editor's Routes view).
 * Plain data with positions: no syntax nodes, so the shells can print and send it.
 */
import type { Position, Range } from './types';

/** Who may call a route: anyone, any signed-in user, or users with a role or permission. */
export type Level = 'public' | 'authenticated' | { role: string };

export type GuardKind = 'decorator' | 'middleware' | 'dependency' | 'body-check' | 'global';

export interface Guard {
  /** The guard's name as the code spells it: `login_required`, `requireAuth`, `IsAuthenticated`, `auth()`. */
  name: string;
  kind: GuardKind;
  level: Level;
  /** The expression as written (`permission_required("billing.change")`, `passport.authenticate('jwt')`): what a fix copies. */
  text: string;
  /** Where the guard is written (absent for guards inherited from a router or a settings default). */
  range?: Range;
}

/** What a handler writes: `deletes` `invoice`. */
export interface Write { verb: 'creates' | 'updates' | 'deletes' | 'saves' | 'writes'; what?: string; line: number }

export type Framework = 'flask' | 'django' | 'drf' | 'fastapi' | 'express' | 'koa' | 'nestjs' | 'nextjs';

/** Where a rule that adds a guard would write it, and how (decided by the front, which knows the syntax). */
export interface GuardInsertion {
  /** The kind of sibling guard this place takes (a decorator, a middleware argument, a dependency). */
  accepts: GuardKind;
  /** Insert at this position... */
  at: Position;
  /** ...the guard text wrapped in these (`    @` + guard + `\n`; guard + `, `). */
  before: string;
  after: string;
}

export interface Route {
  /** The path as written (`/invoices/<int:id>`, `/users/:id`, `/api/items/[id]`); '' when not known. */
  path: string;
  /** Upper-case HTTP methods; `['*']` when any method reaches the handler (Django function views). */
  methods: string[];
  /** The handler's name (`delete_invoice`, `InvoiceViewSet.destroy`, `POST`, `<anonymous>`). */
  handler: string;
  /** The handler's whole range, and the range a finding about the route points at (its name or path). */
  range: Range;
  nameRange: Range;
  framework: Framework;
  /** Blueprint, router variable, controller or view class, or the file: the routes compared as siblings. */
  group: string;
  guards: Guard[];
  level: Level;
  /** The handler changes stored state (ORM writes, deletes, commits). */
  writes: Write[];
  /** The front sees the handler's body (false for handlers imported from another module). */
  bodyVisible?: boolean;
  /** The body calls something whose name says it changes things (`create_user`, `this.projects.remove`, `send`). */
  callsMutator?: boolean;
  /** Why the route is public on purpose (login, signup, webhook, health check, an explicit public marker). */
  publicByDesign?: string;
  /** How a guard could be added (absent when the front cannot tell without guessing). */
  insertion?: GuardInsertion;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The handler writes, or an unsafe HTTP method reaches it and its body (when the front sees it) calls
 * something that changes things: a POST that only validates a form and renders a preview changes nothing.
 */
export function changesState(route: Route): boolean {
  if (route.writes.length > 0) return true;
  if (!route.methods.some((m) => UNSAFE.has(m))) return false;
  return !route.bodyVisible || !!route.callsMutator;
}

/** Call names that say they change something. */
export const MUTATOR_NAME = /(create|update|delete|remove|save|insert|replace|destroy|add|set[A-Z_]|put|patch|write|commit|assign|follow|favou?rite|like|star|archive|ban|purge|publish|send|charge|pay|transfer|upload|import|reset|revoke|grant|invite|register|subscribe|enable|disable|toggle|move|rename|merge|approve|reject|cancel|lock|mark|store|persist|upsert|clear|flush|execute|exec|run|trigger|process|apply|increment|decrement|push|pop|post)/i;


/** public 0, authenticated 1, a role 2. */
export function levelRank(level: Level): number {
  return level === 'public' ? 0 : level === 'authenticated' ? 1 : 2;
}

export function levelText(level: Level): string {
  return typeof level === 'string' ? level : `role:${level.role}`;
}

/** The highest level of a route's guards. */
export function levelOf(guards: Guard[]): Level {
  let best: Level = 'public';
  for (const g of guards) if (levelRank(g.level) > levelRank(best)) best = g.level;
  return best;
}

/** Words that make a guard's name a role (`admin_required`, `ensureAdmin`, `IsAdminUser`). */
const ROLE_WORDS = /(admin|superuser|staff|owner|moderator|manager)/i;

/** The level a guard's name implies: `admin_required` is a role, `login_required` is authentication. */
export function levelFromName(name: string, argument?: string): Level {
  const m = ROLE_WORDS.exec(name);
  if (m) return { role: m[1].toLowerCase() };
  if (argument && /(permission|role|perm|group|scope)/i.test(name)) return { role: argument };
  return 'authenticated';
}

/** Names that say a function authenticates or authorizes (for guards the project defines itself). */
const GUARD_WORDS = /(auth|login|logged_?in|loggedIn|permission|perms?_?required|role|admin|jwt|staff|superuser|signed_?in|signedIn|protect|guard|require_?user|requireUser|ensure_?user|ensureUser|current_?user|currentUser|access_?required|token_?required|verify_?token|verifyToken|api_?key)/i;
const NOT_GUARD = /(author(?!i[sz])|oauth_?callback|unauth|no_?auth|skip_?auth|optional|csrf|xsrf|cors)/i;

export function isGuardName(name: string): boolean {
  return GUARD_WORDS.test(name) && !NOT_GUARD.test(name);
}

/** Path segments and handler-name words that are public on purpose. */
const PUBLIC_SEGMENT = /^(unsubscribe|reset|login|log-in|signin|sign-in|logout|signout|sign-out|signup|sign-up|register|registration|password-reset|reset-password|forgot-password|forgot|recover|verify-email|confirm-email|activate|webhook|webhooks|hook|hooks|callback|callbacks|oauth|oauth2|sso|saml|health|healthz|healthcheck|ping|status|ready|readiness|liveness|metrics|robots\.txt|sitemap\.xml|favicon\.ico|csrf|public|auth|token|refresh)$/i;
const PUBLIC_NAME = /(^|_)(unsubscribe|login|logout|signin|signout|signup|register|registration|password_reset|reset_password|forgot_password|webhook|callback|oauth|sso|health|healthcheck|healthz|liveness|readiness)(_|$)/;

/** Why a route is public by design, from its path and handler name; undefined when nothing says so. */
export function publicByDesign(path: string, handler: string): string | undefined {
  for (const seg of path.toLowerCase().split(/[/.]/)) {
    const s = seg.replace(/_/g, '-');
    if (PUBLIC_SEGMENT.test(s)) return `\`${seg}\` endpoint`;
  }
  const snake = handler.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/sign_(in|up|out)/g, 'sign$1')
    .replace(/log_(in|out)/g, 'log$1');
  const m = PUBLIC_NAME.exec(snake);
  return m ? `\`${m[2]}\` handler` : undefined;
}

/** `POST /users`, `POST /api/accounts/`: creating an account on the collection is signup, public on purpose. */
export function isSignupPath(path: string, methods: string[]): boolean {
  return methods.includes('POST') && /\/(users|accounts|members|registrations)\/?$/i.test(path);
}
