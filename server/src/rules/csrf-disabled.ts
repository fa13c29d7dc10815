import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { propertyOf, skipOuter } from '../lang/javascript/front';
import { jsString, pyBool, pyLiteral } from './support/constants';
import { pyClassName, isTestCode } from './support/auth';

/**
 * CSRF protection turned off: Django `@csrf_exempt` on views that change state, a Django MIDDLEWARE without
 * CsrfViewMiddleware, Flask-WTF `WTF_CSRF_ENABLED = False`, and (hint) Express cookie sessions with no CSRF middleware.
 */
export default defineRule({
  meta: {
    id: 'csrf-disabled',
    title: 'CSRF protection disabled',
    description: 'Without CSRF protection, any site the user visits can submit forms to yours with their session cookie.',
    cwe: ['CWE-352'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 6.5,
    languages: ['python', 'javascript'],
  },
  python: {
    decorated_definition: (node, ctx) => pythonDecorated(node, ctx),
    call: (node, ctx) => pythonCall(node, ctx),
    assignment: (node, ctx) => pythonAssignment(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

const CSRF_EXEMPT = 'django.views.decorators.csrf.csrf_exempt';
/** Endpoints that other servers call: they cannot carry a CSRF token and authenticate by signature instead. */
const WEBHOOK = /(web_?hook|callback|_hook$|^hook|notify|notification|ipn|stripe|paypal|slack|github|twilio)/i;

// ---- Python ----

function isCsrfExempt(ctx: PyContext, expr: Node | null): boolean {
  if (!expr) return false;
  if (ctx.file.qualifiedName(expr) === CSRF_EXEMPT) return true;
  // @method_decorator(csrf_exempt, name="dispatch")
  return expr.type === 'call' && /method_decorator$/.test(ctx.file.callName(expr) ?? '')
    && ctx.file.qualifiedName(ctx.file.argument(expr, 0) ?? null) === CSRF_EXEMPT;
}

function pythonDecorated(node: Node, ctx: PyContext): void {
  if (isTestCode(ctx.file.path)) return;
  const def = node.childForFieldName('definition');
  if (!def) return;
  const decorator = node.namedChildren.find((d) => d?.type === 'decorator' && isCsrfExempt(ctx, d.namedChildren[0] ?? null));
  if (!decorator) return;
  const name = def.childForFieldName('name')?.text ?? '';
  if (WEBHOOK.test(name)) return;
  const changes = changesState(def);
  const lineStart = { line: decorator.startPosition.row, character: 0 };
  const nextLine = { line: decorator.endPosition.row + 1, character: 0 };
  ctx.report({
    range: ctx.file.range(decorator),
    message: `\`${name}\` is exempt from CSRF checks${changes ? ' and changes state (handles POST/PUT/PATCH/DELETE)' : ''}: `
      + 'another site can make a logged-in user call it. Remove `@csrf_exempt` and send the CSRF token (`{% csrf_token %}`, `X-CSRFToken` header).',
    severity: changes ? 'warning' : 'info',
    fixes: [{ title: 'Remove @csrf_exempt', edits: [{ range: { start: lineStart, end: nextLine }, newText: '' }] }],
  });
}

/**
 * The view handles a state-changing verb (reads POST data, compares the method to POST/PUT/PATCH/DELETE, or
 * (class) defines post/put/patch/delete) AND writes something there: the session, the database, files, mail.
 * Handling POST alone (a search form, a calculator, an echo) changes nothing another site could abuse.
 */
function changesState(def: Node): boolean {
  if (def.type === 'class_definition') {
    return def.descendantsOfType('function_definition').some((f) => !!f && /^(post|put|patch|delete)$/.test(f.childForFieldName('name')?.text ?? '') && writes(f));
  }
  return handlesWriteVerb(def) && writes(def);
}

function handlesWriteVerb(def: Node): boolean {
  for (const a of def.descendantsOfType('attribute')) {
    const attr = a?.childForFieldName('attribute')?.text;
    if (attr === 'POST' || attr === 'FILES') return true;
  }
  for (const s of def.descendantsOfType('string')) {
    if (s && /^(POST|PUT|PATCH|DELETE)$/.test(pyLiteral(s) ?? '') && s.parent?.type !== 'expression_statement') return true;
  }
  return false;
}

/** Methods that write wherever they are called (ORM objects, forms, files, storages, Mongo collections). */
const WRITE_METHODS = new Set([
  'save', 'create', 'delete', 'bulk_create', 'bulk_update', 'get_or_create', 'update_or_create', 'save_m2m', 'commit',
  'executemany', 'write', 'writelines', 'insert_one', 'insert_many', 'update_one', 'update_many', 'delete_one',
  'delete_many', 'replace_one', 'find_one_and_update', 'find_one_and_delete', 'put_object', 'upload_file',
  'upload_fileobj', 'set_password', 'set_expiry', 'cycle_key', 'flush', 'mkdir', 'unlink', 'rename', 'touch',
  'write_text', 'write_bytes', 'send', 'send_mail', 'send_mass_mail', 'delay', 'apply_async',
]);
/** Functions that write: sessions (login/logout), mail, the file system. */
const WRITE_FUNCTIONS = /^(login|logout|auth_login|auth_logout|update_session_auth_hash|send_mail|send_mass_mail|mail_admins|handle_uploaded_file|copyfileobj|copyfile|copy|copy2|move|rmtree|remove|unlink|rename|replace|makedirs|mkdir)$/;

/** Does this function body write to the session, a database, a file or send mail? (bounded by the tree size) */
function writes(def: Node): boolean {
  for (const c of def.descendantsOfType('call')) {
    const f = c?.childForFieldName('function');
    if (!f) continue;
    if (f.type === 'identifier') {
      if (WRITE_FUNCTIONS.test(f.text) && !/^(copy|replace|remove)$/.test(f.text)) return true; // copy.copy, str.replace
      if (f.text === 'open' && /[wax+]/.test(pyLiteral(c!.childForFieldName('arguments')?.namedChildren[1] ?? null) ?? '')) return true;
      continue;
    }
    if (f.type !== 'attribute') continue;
    const method = f.childForFieldName('attribute')?.text ?? '';
    const receiver = f.childForFieldName('object');
    if (WRITE_FUNCTIONS.test(method) && /^(os|shutil|os\.path)$/.test(receiver?.text ?? '')) return true;
    if (WRITE_METHODS.has(method)) return true;
    // a queryset's update (`Model.objects.filter(...).update(...)`), not a dict's
    if (method === 'update' && (receiver?.type === 'call' || /objects/.test(receiver?.text ?? ''))) return true;
    // cursor.execute: writes unless it is a literal SELECT
    if (method === 'execute' && !/^\s*(select|with)\b/i.test(pyLiteral(c!.childForFieldName('arguments')?.namedChildren[0] ?? null) ?? 'x')) return true;
    if (/(^|\.)session$/.test(receiver?.text ?? '') && /^(pop|clear|update|setdefault|__setitem__|__delitem__)$/.test(method)) return true;
  }
  // request.session["k"] = v, del request.session["k"], obj.field = v then nothing (no save: no write)
  for (const t of [...def.descendantsOfType('assignment'), ...def.descendantsOfType('augmented_assignment'), ...def.descendantsOfType('delete_statement')]) {
    const target = t?.type === 'delete_statement' ? t.namedChildren[0] : t?.childForFieldName('left');
    if (target?.type === 'subscript' && /(^|\.)session$/.test(target.childForFieldName('value')?.text ?? '')) return true;
  }
  return false;
}

/** `csrf_exempt(view)` in a URL conf. */
function pythonCall(node: Node, ctx: PyContext): void {
  const name = ctx.file.callName(node);
  if (name === CSRF_EXEMPT) {
    const view = ctx.file.argument(node, 0);
    if (!view || WEBHOOK.test(view.text) || isTestCode(ctx.file.path)) return;
    // only URL confs: frameworks wrap views in csrf_exempt to run their own check (DRF's APIView.as_view)
    const route = node.parent?.type === 'argument_list' ? node.parent.parent : undefined;
    if (!route || !/(^|\.)(path|re_path|url)$/.test(ctx.file.callName(route) ?? '')) return;
    ctx.report({
      range: ctx.file.range(node.childForFieldName('function')!),
      message: `\`${view.text}\` is exempt from CSRF checks: if it changes state, another site can make a logged-in user call it.`,
      severity: 'info',
    });
    return;
  }
  const f = node.childForFieldName('function');
  const method = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : undefined;
  if (method === 'update' || method === 'from_mapping') {
    for (const a of node.childForFieldName('arguments')?.namedChildren ?? []) {
      if (a?.type === 'keyword_argument') flaskSetting(a.childForFieldName('name')?.text, a.childForFieldName('value'), ctx);
    }
  }
}

function pythonAssignment(node: Node, ctx: PyContext): void {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (!left || !right) return;
  if (left.type === 'identifier' && !ctx.file.enclosingFunction(node)) {
    if (left.text === 'MIDDLEWARE') return djangoMiddleware(right, ctx);
    return flaskSetting(left.text, right, ctx);
  }
  if (left.type === 'subscript') flaskSetting(pyLiteral(left.childForFieldName('subscript')), right, ctx);
}

function isDevelopment(path: string, className: string | undefined): boolean {
  const base = path.replace(/\\/g, '/').split('/').pop() ?? '';
  return isTestCode(path) || /(test|dev|local|debug)/i.test(base) || /(test|dev|debug|local)/i.test(className ?? '');
}

function flaskSetting(name: string | undefined, value: Node | null, ctx: PyContext): void {
  if ((name !== 'WTF_CSRF_ENABLED' && name !== 'CSRF_ENABLED') || !value || pyBool(ctx.file, value) !== false) return;
  if (isDevelopment(ctx.file.path, pyClassName(value))) return;
  ctx.report({
    range: ctx.file.range(value),
    message: `\`${name} = False\` turns off Flask-WTF's CSRF protection for every form. Keep it on outside tests.`,
    fixes: [{ title: `Set ${name} to True`, edits: [{ range: ctx.file.range(value), newText: 'True' }] }],
  });
}

/** A Django MIDDLEWARE with sessions but without CsrfViewMiddleware. */
function djangoMiddleware(list: Node, ctx: PyContext): void {
  if (list.type !== 'list' && list.type !== 'tuple') return;
  const names = list.namedChildren.map((c) => (c ? pyLiteral(c) : undefined));
  if (!names.includes('django.contrib.sessions.middleware.SessionMiddleware')) return;
  if (names.some((n) => n?.endsWith('CsrfViewMiddleware'))) return;
  if (isDevelopment(ctx.file.path, undefined)) return;
  const session = list.namedChildren.find((c) => c && pyLiteral(c) === 'django.contrib.sessions.middleware.SessionMiddleware')!;
  const indent = session.startPosition.row === list.startPosition.row ? ' ' : `\n${' '.repeat(session.startPosition.column)}`;
  const at = ctx.file.range(session).end;
  ctx.report({
    range: ctx.file.range(session),
    message: 'MIDDLEWARE has sessions but no `CsrfViewMiddleware`: no form or POST view is protected against CSRF. Add `"django.middleware.csrf.CsrfViewMiddleware"`.',
    fixes: [{
      title: 'Add CsrfViewMiddleware',
      edits: [{ range: { start: at, end: at }, newText: `,${indent}"django.middleware.csrf.CsrfViewMiddleware"` }],
    }],
  });
}

// ---- JavaScript / TypeScript ----

const CSRF_MODULES = ['csurf', 'csrf-csrf', 'lusca', '@dr.pogodin/csurf', 'tiny-csrf', 'csrf-sync', 'csrf', '@fastify/csrf-protection', 'express-csrf-double-submit-cookie', 'next-csrf', '@edge-csrf/nextjs', 'edge-csrf'];

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const name = ctx.file.callName(node);
  if (name !== 'express-session' && name !== 'cookie-session') return;
  if (isTestCode(ctx.file.path) || CSRF_MODULES.some((m) => ctx.file.importsModule(m))) return;
  const arg = node.arguments[0] ? skipOuter(node.arguments[0]) : undefined;
  if (!arg || !ts.isObjectLiteralExpression(arg)) return;
  const cookie = name === 'express-session' ? propertyOf(arg, 'cookie') : arg;
  const sameSite = cookie && ts.isObjectLiteralExpression(skipOuter(cookie)) ? propertyOf(skipOuter(cookie), 'sameSite') : undefined;
  if (cookie && !ts.isObjectLiteralExpression(skipOuter(cookie))) return;
  const ss = sameSite ? jsString(ctx.file, sameSite)?.toLowerCase() : undefined;
  if (sameSite && (ss === 'strict' || ss === 'lax' || sameSite.kind === ts.SyntaxKind.TrueKeyword || !ss)) return;
  ctx.report({
    range: ctx.file.range(node.expression),
    message: `Cookie sessions (${name}) and no CSRF middleware in this file: state-changing routes can be triggered from other sites. `
      + "Add CSRF tokens (csrf-csrf, csrf-sync, lusca.csrf) or at least `sameSite: 'lax'` on the session cookie.",
    severity: 'info',
    confidence: 'low',
  });
}
