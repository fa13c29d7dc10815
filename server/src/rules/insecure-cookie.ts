import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type TextEdit } from '../engine/types';
import { propertyOf, skipOuter } from '../lang/javascript/front';
import { jsBoolValue, jsString, nameWords, pyBool, pyLiteral, pyString } from './support/constants';
import { jsOptions, jsSubOptions, type JsOptions } from '../lang/javascript/options';
import { pyCallOptions, type PyOption } from '../lang/python/options';
import { isSecretName, pyClassName, isTestCode } from './support/auth';

export default defineRule({
  meta: {
    id: 'insecure-cookie',
    title: 'Cookie without Secure, HttpOnly or SameSite',
    description: "Cookies without Secure travel in cleartext, without HttpOnly are readable by script, and without SameSite ride along cross-site requests.",
    cwe: ['CWE-614', 'CWE-1004'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 5.3,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
    assignment: (node, ctx) => pythonAssignment(node, ctx),
    module: (node, ctx) => djangoSettingsWithoutSecureCookies(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

// ---- shared ----

/** Cookie names that carry a session, an identity or a credential. */
function isSessionCookieName(name: string | undefined): boolean {
  if (!name) return true; // unknown name: assume it matters
  const words = nameWords(name);
  return words.some((w) => /^(session|sess|sessionid|sid|token|auth|jwt|remember|login|csrf|xsrf|csrftoken|access|refresh|identity|credentials?|user|uid|connect)$/.test(w))
    || isSecretName(name);
}

const SETTINGS: Record<string, { bad: 'False' | 'None'; good: string; what: string }> = {
  SESSION_COOKIE_SECURE: { bad: 'False', good: 'True', what: 'the session cookie travels over plain HTTP' },
  SESSION_COOKIE_HTTPONLY: { bad: 'False', good: 'True', what: 'scripts can read the session cookie' },
  SESSION_COOKIE_SAMESITE: { bad: 'None', good: '"Lax"', what: 'the session cookie rides along cross-site requests' },
  CSRF_COOKIE_SECURE: { bad: 'False', good: 'True', what: 'the CSRF cookie travels over plain HTTP' },
  CSRF_COOKIE_SAMESITE: { bad: 'None', good: '"Lax"', what: 'the CSRF cookie rides along cross-site requests' },
  REMEMBER_COOKIE_SECURE: { bad: 'False', good: 'True', what: 'the remember-me cookie travels over plain HTTP' },
  REMEMBER_COOKIE_HTTPONLY: { bad: 'False', good: 'True', what: 'scripts can read the remember-me cookie' },
};

/** Settings files and classes meant for development or tests, where plain HTTP is expected. */
function isDevelopmentSettings(path: string, className: string | undefined): boolean {
  const base = path.replace(/\\/g, '/').split('/').pop() ?? '';
  if (/^(global_settings|(dev|develop|development|local|test|tests|testing|debug)(_settings)?|settings_(dev|local|test|testing))\.py$/i.test(base)) return true;
  return !!className && /(test|dev|debug|local)/i.test(className);
}

// ---- Python ----

function pythonCall(node: Node, ctx: PyContext): void {
  if (pySessionStorage(node, ctx)) return;
  const f = node.childForFieldName('function');
  if (f?.type !== 'attribute') return;
  const method = f.childForFieldName('attribute')?.text;
  if (method === 'update' || method === 'from_mapping') {
    for (const a of node.childForFieldName('arguments')?.namedChildren ?? []) {
      if (a?.type === 'keyword_argument') pythonSetting(a.childForFieldName('name')?.text, a.childForFieldName('value'), ctx);
    }
    return;
  }
  if (method !== 'set_cookie' && method !== 'set_signed_cookie') return;
  const receiver = f.childForFieldName('object');
  if (!receiver || /client/i.test(receiver.text) || isTestCode(ctx.file.path)) return;
  const args = node.childForFieldName('arguments');
  const list = (args?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'comment');
  if (list.some((a) => a.type === 'list_splat')) return;
  // keyword arguments and `**options` dictionaries the file builds: one model (open when a part is unknown)
  const opts = pyCallOptions(ctx.file, node);
  const keyNode = ctx.file.argument(node, 0, 'key') ?? opts.keys.get('key')?.value;
  if (!keyNode) return;
  const keyName = pyString(ctx.file, keyNode) ?? pyTargetNameOf(keyNode);
  // CookieJar.set_cookie(cookie) takes one Cookie object: the response API takes a name and a value
  if (list.length < 2 && keyNode.type !== 'string') return;
  // deleting a cookie (max_age=0, expires=0 or in 1970, an empty or None value) sends no value worth protecting
  if (pyDeletesCookie(node, opts, ctx)) return;
  const missing: string[] = [];
  const edits: TextEdit[] = [];
  const off: string[] = [];
  const check = (kw: string, good: string, isBad: (v: Node) => boolean) => {
    const e = opts.keys.get(kw);
    if (!e) { if (!opts.open) missing.push(`${kw}=${good}`); return; }
    if (isBad(e.value)) { off.push(`${kw}=${e.value.text.slice(0, 20)}`); missing.push(`${kw}=${good}`); edits.push({ range: ctx.file.range(e.value), newText: good }); }
  };
  const secure = opts.keys.get('secure');
  check('secure', 'True', (v) => pyBool(ctx.file, v) === false);
  check('httponly', 'True', (v) => pyBool(ctx.file, v) === false);
  // `samesite=None` leaves the attribute out; `samesite="None"` without `secure=True` is refused or sent cross-site
  check('samesite', '"Lax"', (v) => v.type === 'none'
    || (/^none$/i.test(pyString(ctx.file, v) ?? '') && !(secure && pyBool(ctx.file, secure.value) === true)));
  if (missing.length === 0) return;
  const switchedOff = off.length > 0;
  // a constant preference (`lang=en`, `theme=dark`) under a name that carries nothing secret has nothing to
  // steal; an explicit `secure=False`/`httponly=False`/`samesite=None` is a warning whatever the cookie is called
  const valueNode = ctx.file.argument(node, 1, 'value') ?? opts.keys.get('value')?.value;
  if (!switchedOff && !isSessionCookieName(keyName) && pyString(ctx.file, valueNode) !== undefined) return;
  const toAdd = missing.filter((m) => !opts.keys.has(m.split('=')[0]));
  const last = list[list.length - 1];
  if (toAdd.length) {
    // keywords after a `**splat` are fine in a call; never add one the splat may already carry
    if (opts.open) toAdd.length = 0;
    else edits.push({ range: { start: ctx.file.range(last).end, end: ctx.file.range(last).end }, newText: `, ${toAdd.join(', ')}` });
  }
  // an explicit switch is a warning whatever the cookie is called, unless it holds a constant preference
  const constantValue = !isSessionCookieName(keyName) && pyString(ctx.file, valueNode) !== undefined;
  const important = (switchedOff && !constantValue) || (isSessionCookieName(keyName) && missing.some((m) => !m.startsWith('samesite')));
  ctx.report({
    range: ctx.file.range(f.childForFieldName('attribute')!),
    message: `Cookie ${keyName ? `\`${keyName}\` ` : ''}is set ${switchedOff ? `with ${off.join(', ')}` : `without ${missing.map((m) => m.split('=')[0]).join(', ')}`}. `
      + 'Add `secure=True` (HTTPS only), `httponly=True` (no script access) and `samesite="Lax"`.',
    severity: important ? 'warning' : 'info',
    fixes: edits.length ? [{ title: `Add ${missing.join(', ')}`, edits, preferred: true }] : [],
  });
}

/** `set_cookie(name, '', expires=0)`, `max_age=0`, an expiry in 1970, a `None` value: the cookie is being deleted. */
function pyDeletesCookie(node: Node, opts: { keys: Map<string, PyOption> }, ctx: PyContext): boolean {
  const maxAge = opts.keys.get('max_age')?.value;
  if (maxAge && /^(0|-\d+|timedelta\((seconds=)?0\))$/.test(maxAge.text)) return true;
  const expires = opts.keys.get('expires')?.value;
  if (expires && (expires.text === '0' || /1970/.test(pyString(ctx.file, expires) ?? expires.text.slice(0, 200)))) return true;
  const value = ctx.file.argument(node, 1, 'value') ?? opts.keys.get('value')?.value;
  return value?.type === 'none' || pyString(ctx.file, value) === '';
}

function pyTargetNameOf(node: Node): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text;
  return undefined;
}

/** `SESSION_COOKIE_SECURE = False`, `app.config["SESSION_COOKIE_SECURE"] = False`. */
function pythonAssignment(node: Node, ctx: PyContext): void {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (!left || !right) return;
  let name: string | undefined;
  if (left.type === 'identifier') {
    // a setting is a module or class attribute, not a local variable
    if (ctx.file.enclosingFunction(node)) return;
    name = left.text;
  } else if (left.type === 'subscript') {
    name = pyLiteral(left.childForFieldName('subscript'));
  }
  pythonSetting(name, right, ctx);
}

function pythonSetting(name: string | undefined, value: Node | null, ctx: PyContext): void {
  const setting = name ? SETTINGS[name] : undefined;
  if (!setting || !value) return;
  const bad = setting.bad === 'False' ? pyBool(ctx.file, value) === false : value.type === 'none';
  if (!bad || isTestCode(ctx.file.path) || isDevelopmentSettings(ctx.file.path, pyClassName(value))) return;
  ctx.report({
    range: ctx.file.range(value),
    message: `\`${name} = ${setting.bad}\`: ${setting.what}. Set it to ${setting.good} (serve the site over HTTPS).`,
    fixes: [{ title: `Set ${name} to ${setting.good}`, edits: [{ range: ctx.file.range(value), newText: setting.good }] }],
  });
}

/**
 * A Django `settings.py` (it defines INSTALLED_APPS and MIDDLEWARE) that never sets SESSION_COOKIE_SECURE or
 * CSRF_COOKIE_SECURE: both default to False. Only the single-file layout: split settings (base.py + prod.py)
 * usually set them in the production module, which this rule cannot see from base.py.
 */
function djangoSettingsWithoutSecureCookies(root: Node, ctx: PyContext): void {
  const base = ctx.file.path.replace(/\\/g, '/').split('/').pop();
  if (base !== 'settings.py' || isTestCode(ctx.file.path)) return;
  const names = new Map<string, Node>();
  for (const stmt of root.namedChildren) {
    const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    const left = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
    if (left?.type === 'identifier') names.set(left.text, left);
  }
  const anchor = names.get('MIDDLEWARE');
  if (!anchor || !names.has('INSTALLED_APPS')) return;
  const missing = ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE'].filter((n) => !names.has(n));
  if (missing.length === 0) return;
  const end = root.endPosition;
  const at = { line: end.column === 0 ? end.row : end.row + 1, character: 0 };
  const prefix = end.column === 0 ? '' : '\n';
  ctx.report({
    range: ctx.file.range(anchor),
    message: `This Django settings module never sets ${missing.join(' or ')}; both default to False, so the cookies also travel over plain HTTP. Set them to True for production.`,
    severity: 'info',
    confidence: 'medium',
    fixes: [{ title: `Add ${missing.map((m) => `${m} = True`).join(', ')}`, edits: [{ range: { start: at, end: at }, newText: prefix + missing.map((m) => `${m} = True\n`).join('') }] }],
  });
}

// ---- JavaScript / TypeScript ----

interface CookieFlags { httpOnly: boolean; secure: boolean; sameSite: boolean }

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const name = ctx.file.callName(node);
  if (name === 'express-session' || name === 'cookie-session') return sessionMiddleware(node, name, ctx);
  const callee = node.expression;
  if (!ts.isPropertyAccessExpression(callee) || isTestCode(ctx.file.path)) return;
  const method = callee.name.text;
  if (method === 'cookie' && isResponse(callee.expression) && node.arguments.length >= 2 && node.arguments.length <= 3) {
    // Express res.cookie(name, value, options): httpOnly, secure and sameSite all default to off
    return cookieCall(node, node.arguments[0], node.arguments[2], node.arguments[1], ctx);
  }
  if (method === 'set' && isCookieStore(callee.expression, ctx)) {
    // Next.js cookies().set(name, value, options) or .set({ name, value, ...options })
    const [a0, a1, a2] = node.arguments;
    if (node.arguments.length === 1 && a0 && ts.isObjectLiteralExpression(a0)) {
      return cookieCall(node, propertyOf(a0, 'name'), a0, a0, ctx);
    }
    if (node.arguments.length >= 2) return cookieCall(node, a0, a2, a1, ctx);
  }
}

/** `res`, `response`, `reply`, `ctx.res`: the receiver of Express's `res.cookie`. */
function isResponse(expr: ts.Expression): boolean {
  const e = skipOuter(expr);
  const last = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : '';
  return /^(res|resp|response|reply|\w+Response)$/.test(last);
}

/** `cookies()` from next/headers (awaited or not), a store it returned, or `response.cookies`. */
function isCookieStore(expr: ts.Expression, ctx: JsContext): boolean {
  const e = skipOuter(expr);
  if (ts.isCallExpression(e)) return ctx.file.callName(e) === 'next/headers.cookies';
  // the data flow is asked only in files that import Next.js (it is costly, and `x.set()` is everywhere)
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'cookies') {
    const recv = skipOuter(e.expression);
    if (isResponse(recv)) return true;
    return ctx.file.importsModule('next/server') && (ctx.file.valueOf(recv).origin ?? '').startsWith('next/server.NextResponse');
  }
  if (ts.isIdentifier(e)) return ctx.file.importsModule('next/headers') && (ctx.file.valueOf(e).origin ?? '').startsWith('next/headers.cookies');
  return false;
}

function cookieCall(node: ts.CallExpression, nameNode: ts.Expression | undefined, options: ts.Expression | undefined,
  after: ts.Expression, ctx: JsContext): void {
  const cookieName = nameNode ? (jsString(ctx.file, nameNode) ?? jsLastName(nameNode)) : undefined;
  const model = options ? jsOptions(ctx.file, options) : undefined;
  if (options && !model) return; // options built elsewhere: unknown
  const opts = model?.literal;
  const valueNode = after === options ? model?.keys.get('value')?.value : after;
  if (jsDeletesCookie(valueNode, model, ctx)) return;
  const problems = flagProblems(model, { httpOnly: false, secure: false, sameSite: false }, ctx);
  if (problems.missing.length === 0) return;
  // a constant preference (`lang=en`) under a name that carries nothing secret has nothing to steal; an
  // explicit `secure: false`/`httpOnly: false` is reported whatever the cookie is called or holds
  if (!problems.switchedOff && !isSessionCookieName(cookieName) && valueNode
    && jsString(ctx.file, skipOuter(valueNode)) !== undefined) return;
  // an explicit switch is a warning whatever the cookie is called, unless it holds a constant preference
  const constantValue = !isSessionCookieName(cookieName) && !!valueNode && jsString(ctx.file, skipOuter(valueNode)) !== undefined;
  const important = (problems.switchedOff && !constantValue)
    || (isSessionCookieName(cookieName) && problems.missing.some((m) => m !== 'sameSite'));
  const edits = opts || model ? problems.edits : [{
    range: { start: ctx.file.range(after).end, end: ctx.file.range(after).end },
    newText: `, { ${problems.missing.map(flagText).join(', ')} }`,
  }];
  ctx.report({
    range: ctx.file.range(node.expression),
    message: `Cookie ${cookieName ? `\`${cookieName}\` ` : ''}is set ${problems.switchedOff ? 'with' : 'without'} ${problems.switchedOff ? problems.offText.join(', ') : problems.missing.join(', ')}. `
      + "Add `httpOnly: true` (no script access), `secure: true` (HTTPS only) and `sameSite: 'lax'`.",
    severity: important ? 'warning' : 'info',
    fixes: edits.length ? [{ title: `Add ${problems.missing.map(flagText).join(', ')}`, edits, preferred: true }] : [],
  });
}

/** `res.cookie(name, '', { expires: new Date(0) })`, `maxAge: 0`, a null/undefined/empty value: a deletion. */
function jsDeletesCookie(value: ts.Expression | undefined, opts: JsOptions | undefined, ctx: JsContext): boolean {
  const v = value ? skipOuter(value) : undefined;
  if (v && (v.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(v) && v.text === 'undefined') || jsString(ctx.file, v) === '')) return true;
  if (!opts) return false;
  const maxAge = (opts.keys.get('maxAge') ?? opts.keys.get('expires'))?.value;
  const m = maxAge ? skipOuter(maxAge) : undefined;
  if (m && ts.isNumericLiteral(m) && Number(m.text) === 0) return true;
  if (m && ts.isPrefixUnaryExpression(m) && m.operator === ts.SyntaxKind.MinusToken) return true;
  const expires = opts.keys.get('expires')?.value;
  const e = expires ? skipOuter(expires) : undefined;
  if (e && ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Date' && e.arguments?.length === 1) {
    const a = skipOuter(e.arguments[0]);
    if (ts.isNumericLiteral(a) && Number(a.text) === 0) return true;
    if (/1970/.test(jsString(ctx.file, a) ?? '')) return true;
  }
  return false;
}

function jsLastName(e: ts.Expression): string | undefined {
  const x = skipOuter(e);
  return ts.isIdentifier(x) ? x.text : ts.isPropertyAccessExpression(x) ? x.name.text : undefined;
}

function flagText(flag: string): string {
  return flag === 'sameSite' ? "sameSite: 'lax'" : `${flag}: true`;
}

/**
 * Which flags an options object lacks or turns off, given which are on by default; and the edits adding them.
 * Flags an open object (an unknown spread or base) does not list are unknown: only explicit switches count there.
 */
function flagProblems(opts: JsOptions | undefined, onByDefault: CookieFlags, ctx: JsContext): { missing: string[]; edits: TextEdit[]; switchedOff: boolean; offText: string[] } {
  const missing: string[] = [];
  const edits: TextEdit[] = [];
  const toAdd: string[] = [];
  const offText: string[] = [];
  for (const flag of ['httpOnly', 'secure', 'sameSite'] as const) {
    const entry = opts?.keys.get(flag);
    const v = entry ? skipOuter(entry.value) : undefined;
    if (!v) {
      if (!onByDefault[flag] && !opts?.open) { missing.push(flag); toAdd.push(flagText(flag)); }
      continue;
    }
    const none = flag === 'sameSite' && /^none$/i.test(jsString(ctx.file, v) ?? '');
    const secureOn = opts?.keys.get('secure') && jsBoolValue(ctx.file, skipOuter(opts.keys.get('secure')!.value)) !== false;
    const off = flag === 'sameSite' ? (jsBoolValue(ctx.file, v) === false || (none && !secureOn)) : jsBoolValue(ctx.file, v) === false;
    if (off) {
      missing.push(flag);
      offText.push(flag === 'sameSite' ? (none ? "sameSite: 'none'" : 'sameSite: false') : `${flag}: false`);
      edits.push({ range: ctx.file.range(v), newText: flag === 'sameSite' ? "'lax'" : 'true' });
    }
  }
  const switchedOff = edits.length > 0; // so far only the edits turning an explicit `false`/'none' back on
  if (opts?.literal && toAdd.length) edits.push(...jsAddProperties(ctx, opts.literal, toAdd));
  return { missing, edits, switchedOff, offText };
}

/** Inserts `key: value` members at the end of an object literal, on new lines when it spans lines. */
function jsAddProperties(ctx: JsContext, obj: ts.ObjectLiteralExpression, members: string[]): TextEdit[] {
  const sf = ctx.file.sourceFile;
  if (obj.properties.length === 0) return [{ range: ctx.file.range(obj), newText: `{ ${members.join(', ')} }` }];
  const last = obj.properties[obj.properties.length - 1];
  const at = ctx.file.range(last).end;
  const multiline = ctx.file.line(obj) !== sf.getLineAndCharacterOfPosition(obj.getEnd()).line;
  if (!multiline) return [{ range: { start: at, end: at }, newText: `, ${members.join(', ')}` }];
  const lineStart = ctx.file.text.lastIndexOf('\n', last.getStart(sf) - 1) + 1;
  const indent = /^[ \t]*/.exec(ctx.file.text.slice(lineStart))![0];
  return [{ range: { start: at, end: at }, newText: members.map((m) => `,\n${indent}${m}`).join('') }];
}

/** express-session({ cookie: {...} }) and cookie-session({ ... }): secure and sameSite are off by default. */
function sessionMiddleware(node: ts.CallExpression, name: string, ctx: JsContext): void {
  if (isTestCode(ctx.file.path)) return;
  const arg = jsOptions(ctx.file, node.arguments[0]);
  if (!arg) return;
  let opts: JsOptions | undefined = arg;
  if (name === 'express-session') {
    const cookie = arg.keys.get('cookie');
    opts = jsSubOptions(ctx.file, arg, 'cookie');
    if (cookie && !opts) return;
    // an unknown spread may carry a cookie object
    if (!cookie && arg.open) opts = { keys: new Map(), open: true };
  }
  const problems = flagProblems(opts, { httpOnly: true, secure: false, sameSite: false }, ctx);
  if (problems.missing.length === 0) return;
  let edits = problems.edits;
  if (!opts && arg.literal) edits = jsAddProperties(ctx, arg.literal, [`cookie: { ${problems.missing.map(flagText).join(', ')} }`]);
  ctx.report({
    range: ctx.file.range(node.expression),
    message: `${name} cookie without ${problems.missing.join(', ')}: `
      + (problems.missing.includes('secure') ? 'the session cookie travels over plain HTTP. ' : 'the session cookie is exposed. ')
      + `Set ${problems.missing.map((m) => '`' + flagText(m) + '`').join(', ')}${name === 'express-session' ? ' in `cookie`' : ''} (behind a proxy, also \`app.set('trust proxy', 1)\`).`,
    severity: problems.switchedOff || problems.missing.some((m) => m !== 'sameSite') ? 'warning' : 'info',
    fixes: edits.length ? [{ title: `Add ${problems.missing.map(flagText).join(', ')}`, edits, preferred: true }] : [],
  });
}

/** aiohttp_session storages: their keyword arguments set the session cookie's flags (`httponly` defaults to True, `secure` to None). */
const PY_SESSION_STORAGES = /^aiohttp_session\.(cookie_storage\.)?(EncryptedCookieStorage|SimpleCookieStorage)$|^aiohttp_session\.(nacl_storage\.NaClCookieStorage|redis_storage\.RedisStorage|memcached_storage\.MemcachedStorage)$/;

function pySessionStorage(node: Node, ctx: PyContext): boolean {
  const file = ctx.file;
  if (!file.importsModule('aiohttp_session')) return false;
  const name = file.callName(node);
  if (!name || !PY_SESSION_STORAGES.test(name)) return false;
  if (isTestCode(file.path)) return true;
  for (const [kw, what] of [['secure', 'the session cookie travels over plain HTTP'], ['httponly', 'scripts can read the session cookie']]) {
    const v = file.keywordArgument(node, kw);
    if (!v || pyBool(file, v) !== false) continue;
    ctx.report({
      range: file.range(v),
      message: `\`${kw}=False\` on the aiohttp_session storage: ${what}. Set it to True (serve the site over HTTPS).`,
      fixes: [{ title: `Set ${kw} to True`, edits: [{ range: file.range(v), newText: 'True' }], preferred: true }],
    });
  }
  const samesite = file.keywordArgument(node, 'samesite');
  if (samesite && samesite.type === 'string' && /^(['"])none\1$/i.test(samesite.text)) {
    ctx.report({ range: file.range(samesite), message: '`samesite="None"` on the aiohttp_session storage: the session cookie rides along cross-site requests. Use "Lax" or "Strict".' });
  }
  return true;
}
