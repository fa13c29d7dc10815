import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Severity, type Value } from '../engine/types';
import { skipOuter } from '../lang/javascript/front';
import { jsPropName, nameWords, pyBool, pyLiteral } from './support/constants';
import { isTestCode, jsFunctionName, pyFunctionName } from './support/auth';
import { fileFact } from '../engine/file-facts';

/**
 * An authorization decision taken from data the client sets: a role, an admin flag or permissions read from a
 * cookie, a header, the body or query, or an unverified JWT, tested in a condition that guards something
 * (`if`, a ternary, `&&`, a flag variable, the return of an `is_admin()` helper) or stored in the session or on
 * the current user as their role. The data flow says where the value comes from; names say it is a role.
 */
export default defineRule({
  meta: {
    id: 'client-controlled-authorization',
    title: 'Authorization decided by data the client controls',
    description: 'A role, admin flag or permission read from a cookie, header, request body or unverified token is '
      + 'whatever the client sends: anyone can set `role=admin` and pass the check.',
    cwe: ['CWE-565', 'CWE-807'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 8.1,
    languages: ['python', 'javascript'],
  },
  python: {
    if_statement: (node, ctx) => pyCondition(node.childForFieldName('condition'), ctx),
    elif_clause: (node, ctx) => pyCondition(node.childForFieldName('condition'), ctx),
    while_statement: (node, ctx) => pyCondition(node.childForFieldName('condition'), ctx),
    conditional_expression: (node, ctx) => pyCondition(node.namedChildren[1], ctx),
    assert_statement: (node, ctx) => pyCondition(node.namedChildren[0], ctx),
    assignment: (node, ctx) => pyAssignment(node, ctx),
    return_statement: (node, ctx) => pyReturn(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.IfStatement]: (node: ts.IfStatement, ctx) => jsCondition(node.expression, ctx),
    [ts.SyntaxKind.ConditionalExpression]: (node: ts.ConditionalExpression, ctx) => jsCondition(node.condition, ctx),
    [ts.SyntaxKind.ExpressionStatement]: (node: ts.ExpressionStatement, ctx) => jsExpressionStatement(node, ctx),
    [ts.SyntaxKind.SwitchStatement]: (node: ts.SwitchStatement, ctx) => jsSwitch(node, ctx),
    [ts.SyntaxKind.VariableDeclaration]: (node: ts.VariableDeclaration, ctx) => jsFlagDeclaration(node, ctx),
    [ts.SyntaxKind.ReturnStatement]: (node: ts.ReturnStatement, ctx) => jsReturn(node, ctx),
  },
});

// ---- names and sources ----

/** Words that make a name a role, a privilege flag or a permission set. */
const ROLE_WORDS = new Set(['role', 'roles', 'admin', 'admins', 'administrator', 'superuser', 'superadmin', 'sysadmin',
  'staff', 'permission', 'permissions', 'perm', 'perms', 'privilege', 'privileges', 'privileged', 'rights', 'accesslevel',
  'usertype', 'userrole', 'isadmin']);
/** Words that make a truthy value a grant by itself (`if is_admin:`, `if (req.cookies.loggedIn)`). */
const FLAG_WORDS = new Set(['admin', 'administrator', 'superuser', 'superadmin', 'staff', 'privileged', 'authenticated',
  'authorized', 'authorised', 'isadmin', 'loggedin']);
/** Words that say the value is about the interface, a filter or a token rather than who the user is. */
const NOT_ROLE_WORDS = new Set(['theme', 'tab', 'view', 'mode', 'lang', 'language', 'locale', 'layout', 'sidebar', 'menu',
  'color', 'colour', 'banner', 'dismissed', 'seen', 'filter', 'sort', 'order', 'page', 'search', 'query', 'email', 'url',
  'label', 'title', 'description', 'message', 'text', 'csrf', 'xsrf', 'token', 'nonce', 'name', 'names', 'icon', 'tour',
  'hint', 'tooltip', 'preview', 'panel', 'notice', 'notification', 'welcome', 'display', 'show', 'hide', 'open', 'collapsed',
  'expanded', 'cache', 'contact', 'invite', 'invitation', 'requested', 'new']);

function words(name: string): string[] {
  const w = nameWords(name);
  // `loggedIn`, `logged_in`, `access_level`, `user_type`: two words that name one thing
  for (let i = 0; i + 1 < w.length; i++) {
    const pair = w[i] + w[i + 1];
    if (pair === 'loggedin' || pair === 'accesslevel' || pair === 'usertype' || pair === 'userrole' || pair === 'isadmin') w.push(pair);
  }
  return w;
}

function isRoleName(name: string): boolean {
  const w = words(name);
  return w.some((x) => ROLE_WORDS.has(x) || FLAG_WORDS.has(x)) && !w.some((x) => NOT_ROLE_WORDS.has(x));
}

function isFlagName(name: string): boolean {
  const w = words(name);
  return w.some((x) => FLAG_WORDS.has(x)) && !w.some((x) => NOT_ROLE_WORDS.has(x));
}

function isAdminName(name: string): boolean {
  return words(name).some((x) => /^(admin|admins|administrator|superuser|superadmin|sysadmin|isadmin|staff)$/.test(x));
}

/** The keys a source description names: `request.cookies.get('role')` -> role; `req.body.isAdmin` -> isAdmin. */
function descriptionNames(description: string): string[] {
  const d = description.slice(0, 200);
  const out: string[] = [];
  for (const m of d.matchAll(/['"]([^'"]{1,60})['"]/g)) out.push(m[1]);
  const last = /([A-Za-z_$][\w$]*)\s*$/.exec(d);
  if (last) out.push(last[1]);
  return out;
}

type Origin = 'cookie' | 'header' | 'body' | 'query' | 'URL' | 'token' | 'request';

/** Which part of the request a source description names. */
function originOf(description: string): Origin {
  if (/cookie|COOKIES/i.test(description)) return 'cookie';
  if (/headers?\b|header\(|\.get\(['"]x-|META|authorization/i.test(description)) return 'header';
  if (/\b(body|form|json|get_json|data|POST|files)\b/.test(description)) return 'body';
  if (/\b(args|query|GET|query_params|searchParams|values)\b/.test(description)) return 'query';
  if (/\bparams\b|URL parameter|path_params|view_args/.test(description)) return 'URL';
  return 'request';
}

const ORIGIN_TEXT: Record<Origin, string> = {
  cookie: 'a cookie the client sets',
  header: 'a request header the client sets',
  body: 'the request body the client sends',
  query: 'the query string the client sends',
  URL: 'the URL the client requests',
  token: 'a JWT whose signature is not checked',
  request: 'request data the client controls',
};

interface ClientValue { description: string; origin: Origin; names: string[] }

/** API Gateway authorizer claims and other values the platform sets after verifying the caller. */
const PLATFORM_SET = /requestContext|authorizer|identity\b|claims/;
/**
 * FastAPI parameters the data flow cannot see are dependencies (`current_user: CurrentUser`, an `Annotated` alias
 * from another module): a parameter named for the signed-in user is the server's answer, not the client's.
 */
const INJECTED_USER = /^(request|URL) parameter (current_?user|user|me|principal|account|identity|auth|admin|superuser|token_data|claims|session)$/i;

function clientValue(value: Value, names: string[], text: string, unverifiedToken: string | undefined): ClientValue | undefined {
  if (value.kind === 'tainted') {
    const d = value.source.description;
    if (PLATFORM_SET.test(d) || PLATFORM_SET.test(text) || INJECTED_USER.test(d)) return undefined;
    return { description: d, origin: originOf(d), names: [...names, ...descriptionNames(d)] };
  }
  if (unverifiedToken) return { description: unverifiedToken, origin: 'token', names };
  return undefined;
}

/** What a test of a client value reveals: a role compared to constants, or a privilege flag tested for truth. */
interface Decision { at: ClientValue; literal?: string; truthy: boolean }

function qualifies(d: Decision): boolean {
  if (d.truthy) return d.at.names.some(isFlagName);
  return d.at.names.some(isRoleName);
}

function severityOf(d: Decision): Severity {
  // a gateway may set and strip a header: the evidence is weaker than for a cookie or the body
  if (d.at.origin === 'header') return 'warning';
  const admin = d.at.names.some(isAdminName) || (!!d.literal && /^(admin|administrator|superuser|superadmin|root|staff|owner)$/i.test(d.literal));
  const grantsRole = !d.truthy && !!d.literal && d.at.names.some((n) => isRoleName(n) && words(n).some((x) => ROLE_WORDS.has(x)));
  return admin || grantsRole ? 'error' : 'warning';
}

function message(d: Decision, how: string): string {
  const what = `\`${d.at.description}\``;
  const gateway = d.at.origin === 'header' ? ' (unless a gateway you control sets it and strips it from client requests)' : '';
  return `${how} ${what}, ${ORIGIN_TEXT[d.at.origin]}${gateway}: anyone can send the value that passes. `
    + 'Take roles and permissions from the server-side session or the verified user (a verified token, the user record), never from the request.';
}

// ---- Python ----

/** The condition's parts under `not`, `and`, `or` and parentheses. */
function pyAtoms(cond: Node | null | undefined, out: Node[], depth = 0): Node[] {
  if (!cond || depth > 20 || out.length > 20) return out;
  switch (cond.type) {
    case 'parenthesized_expression': return pyAtoms(cond.namedChildren[0], out, depth + 1);
    case 'not_operator': return pyAtoms(cond.childForFieldName('argument'), out, depth + 1);
    case 'boolean_operator':
      pyAtoms(cond.childForFieldName('left'), out, depth + 1);
      return pyAtoms(cond.childForFieldName('right'), out, depth + 1);
    default: out.push(cond); return out;
  }
}

function pyIsConstant(ctx: PyContext, n: Node): boolean {
  if (/^(string|integer|float|true|false|none|concatenated_string)$/.test(n.type)) return n.type !== 'string' || pyLiteral(n) !== undefined;
  if (n.type === 'list' || n.type === 'tuple' || n.type === 'set') return n.namedChildren.length > 0 && n.namedChildren.every((c) => !!c && pyIsConstant(ctx, c));
  if (n.type === 'identifier' || n.type === 'attribute') return ctx.file.valueOf(n).kind === 'constant';
  return false;
}

function pyConstantText(ctx: PyContext, n: Node): string | undefined {
  const lit = pyLiteral(n);
  if (lit !== undefined) return lit;
  if (n.type === 'true' || n.type === 'integer') return n.text;
  if (n.type === 'list' || n.type === 'tuple' || n.type === 'set') return n.namedChildren.map((c) => (c ? pyConstantText(ctx, c) : '')).find((t) => t) ?? undefined;
  const v = ctx.file.valueOf(n);
  return v.kind === 'constant' ? v.value : undefined;
}

/** The names an expression is read under: `data['role']` -> role, `request.cookies.get('admin')` -> admin. */
function pyNames(n: Node, depth = 0): string[] {
  if (depth > 6) return [];
  switch (n.type) {
    case 'identifier': return [n.text];
    case 'attribute': return [n.childForFieldName('attribute')?.text ?? ''];
    case 'subscript': {
      const key = pyLiteral(n.childForFieldName('subscript'));
      return key ? [key] : pyNames(n.childForFieldName('value')!, depth + 1);
    }
    case 'call': {
      const f = n.childForFieldName('function');
      const method = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : undefined;
      const first = n.childForFieldName('arguments')?.namedChildren[0];
      if (method && /^(get|getlist|pop)$/.test(method) && first) {
        const key = pyLiteral(first);
        if (key) return [key];
      }
      // request.cookies.get('role', '').lower(), str(x), bool(x); any other method's result is not the value it was called on
      if (f?.type === 'attribute' && method && PY_STRING_METHODS.has(method)) return pyNames(f.childForFieldName('object')!, depth + 1);
      if (f?.type === 'identifier' && /^(str|int|bool)$/.test(f.text) && first) return pyNames(first, depth + 1);
      return [];
    }
    case 'parenthesized_expression': return n.namedChildren[0] ? pyNames(n.namedChildren[0], depth + 1) : [];
    default: return [];
  }
}

/** Is this value read from a token decoded without verifying it? Names the decode when it is. */
function pyUnverifiedToken(ctx: PyContext, n: Node, value: Value): string | undefined {
  const origin = value.origin ?? '';
  if (/^jose\.jwt\.get_unverified_claims\(\)/.test(origin)) return 'jose.jwt.get_unverified_claims(...)';
  if (!/^(jwt|jose\.jwt)\.decode\(\)/.test(origin)) return undefined;
  const fn = ctx.file.enclosingFunction(n);
  if (!fn) return undefined;
  const decodes = fn.descendantsOfType('call').filter((c): c is Node => !!c && /^(jwt|jose\.jwt)\.decode$/.test(ctx.file.callName(c) ?? ''));
  if (decodes.length === 0 || !decodes.every((c) => pyDecodeIsUnverified(ctx, c))) return undefined;
  return 'jwt.decode(..., verify_signature=False)';
}

function pyDecodeIsUnverified(ctx: PyContext, call: Node): boolean {
  const verify = ctx.file.keywordArgument(call, 'verify');
  if (verify && pyBool(ctx.file, verify) === false) return true;
  const options = ctx.file.keywordArgument(call, 'options');
  return options?.type === 'dictionary' && options.namedChildren.some((p) => p?.type === 'pair'
    && pyLiteral(p.childForFieldName('key')) === 'verify_signature' && pyBool(ctx.file, p.childForFieldName('value')) === false);
}

const PY_STRING_METHODS = new Set(['lower', 'upper', 'strip', 'lstrip', 'rstrip', 'casefold', 'title', 'split', 'decode']);

/** A call whose result is the value read (`.get('role')`, `.lower()`, `str(x)`), not the answer of some other method. */
function pyReadsValue(n: Node): boolean {
  if (n.type !== 'call') return true;
  const f = n.childForFieldName('function');
  const method = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text ?? '' : '';
  if (f?.type === 'identifier') return /^(str|int|bool)$/.test(f.text);
  return /^(get|getlist|pop|get_json|json)$/.test(method) || PY_STRING_METHODS.has(method);
}

function pyClient(ctx: PyContext, n: Node): ClientValue | undefined {
  if (pyIsConstant(ctx, n) || !pyReadsValue(n)) return undefined;
  const names = pyNames(n);
  const v = ctx.file.valueOf(n);
  return clientValue(v, names, n.text, v.kind === 'tainted' ? undefined : pyUnverifiedToken(ctx, n, v));
}

/** A test of a client value inside a condition: a comparison with constants, `in`, or a truth test. */
function pyDecision(ctx: PyContext, atom: Node): Decision | undefined {
  if (atom.type === 'comparison_operator') {
    const ops = atom.namedChildren.filter((c): c is Node => !!c);
    if (ops.length !== 2) return undefined;
    const [a, b] = ops;
    const op = atom.children.filter((c) => c && !c.isNamed).map((c) => c!.text).join(' ');
    if (!/^(==|!=|in|not in|is|is not)$/.test(op)) return undefined;
    for (const [x, y] of [[a, b], [b, a]]) {
      if (!pyIsConstant(ctx, y)) continue;
      const at = pyClient(ctx, x);
      if (at) return { at, literal: pyConstantText(ctx, y), truthy: false };
    }
    return undefined;
  }
  if (atom.type === 'call' || atom.type === 'subscript' || atom.type === 'attribute' || atom.type === 'identifier') {
    const at = pyClient(ctx, atom);
    return at ? { at, truthy: true } : undefined;
  }
  return undefined;
}

const PY_WEB_MODULES = ['flask', 'django', 'rest_framework', 'fastapi', 'starlette', 'quart', 'sanic', 'bottle', 'aiohttp',
  'tornado', 'falcon', 'pyramid', 'litestar', 'jwt', 'jose', 'werkzeug'];

/** Only files of a web framework (or that decode tokens) can read a request: skip the data flow elsewhere. */
function pyReady(ctx: PyContext): boolean {
  return fileFact(ctx.file, 'client-controlled-authorization:py-web', (file) => !isTestCode(file.path) && (PY_WEB_MODULES.some((m) => file.importsModule(m))
    || file.tree.rootNode.namedChildren.some((c) => c?.type === 'function_definition' && /^(lambda_handler|handler)$/.test(c.childForFieldName('name')?.text ?? '')))
    // every finding is a tainted value or a token decoded without verification (pyUnverifiedToken)
    && (file.mayHaveTaint() || file.identifiers().has('jwt') || file.identifiers().has('jose')));
}

/** Calls that ask the server whether the user may act: the client value only chose which question to ask. */
const SERVER_CHECK = /perm|permission|can_|^can[A-Z]|authori[sz]e|has_?role|hasRole|is_?allowed|isAllowed|check_?access|checkAccess/;

/** `if user_perm == "move_to": return page.permissions_for_user(user).can_move_to(page)`: a mode, not a grant. */
function pyBranchChecksServer(cond: Node): boolean {
  const owner = cond.parent;
  const body = owner?.childForFieldName('consequence') ?? owner?.childForFieldName('body');
  if (!body || (owner?.type !== 'if_statement' && owner?.type !== 'elif_clause')) return false;
  return body.descendantsOfType('call').slice(0, 200).some((c) => {
    const f = c?.childForFieldName('function');
    const name = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : f?.text;
    return !!name && SERVER_CHECK.test(name);
  });
}

function pyCondition(cond: Node | null | undefined, ctx: PyContext): void {
  if (!cond || !pyReady(ctx) || pyBranchChecksServer(cond)) return;
  for (const atom of pyAtoms(cond, [])) {
    const d = pyDecision(ctx, atom);
    if (d && qualifies(d)) {
      ctx.report({ range: ctx.file.range(atom), message: message(d, 'Access decided by'), severity: severityOf(d) });
    }
  }
}

const PY_PRINCIPALS = /^(flask\.session|flask_login\.current_user|flask\.g)$/;

/** `session['role'] = request.form['role']`, `is_admin = request.cookies.get('admin') == '1'`, `current_user.role = ...`. */
function pyAssignment(node: Node, ctx: PyContext): void {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (!left || !right || !pyReady(ctx)) return;
  if (left.type === 'identifier' && isFlagName(left.text) && right.type === 'comparison_operator') {
    const d = pyDecision(ctx, right);
    if (d && qualifies(d)) ctx.report({ range: ctx.file.range(right), message: message(d, `\`${left.text}\` is decided by`), severity: severityOf(d) });
    return;
  }
  const target = left.type === 'subscript' ? left.childForFieldName('value') : left.type === 'attribute' ? left.childForFieldName('object') : undefined;
  const key = left.type === 'subscript' ? pyLiteral(left.childForFieldName('subscript')) : left.type === 'attribute' ? left.childForFieldName('attribute')?.text : undefined;
  if (!target || !key || !isRoleName(key)) return;
  const q = ctx.file.qualifiedName(target);
  const djangoSession = target.type === 'attribute' && target.childForFieldName('attribute')?.text === 'session'
    && /^(request|self\.request)$/.test(target.childForFieldName('object')?.text ?? '');
  if (!(q && PY_PRINCIPALS.test(q)) && !djangoSession && !/^(request\.user|self\.request\.user)$/.test(target.text)) return;
  const at = pyClient(ctx, right);
  if (!at) return;
  const d: Decision = { at: { ...at, names: [key, ...at.names] }, truthy: false, literal: 'role' };
  ctx.report({ range: ctx.file.range(node), message: message(d, `The user's \`${key}\` is stored from`), severity: at.origin === 'header' ? 'warning' : 'error' });
}

/** `def is_admin(): return request.cookies.get('admin') == '1'` */
function pyReturn(node: Node, ctx: PyContext): void {
  const value = node.namedChildren[0];
  if (!value || !pyReady(ctx)) return;
  const name = pyFunctionName(node);
  if (!name || !isDecisionFunction(name)) return;
  for (const atom of pyAtoms(value, [])) {
    if (atom.type !== 'comparison_operator') continue;
    const d = pyDecision(ctx, atom);
    if (d && qualifies(d)) ctx.report({ range: ctx.file.range(atom), message: message(d, `\`${name}()\` decides by`), severity: severityOf(d) });
  }
}

/** `is_admin`, `hasRole`, `can_edit`, `check_permission`, `isAuthorized`: functions whose answer is an access decision. */
function isDecisionFunction(name: string): boolean {
  const w = nameWords(name);
  return (w[0] === 'is' || w[0] === 'has' || w[0] === 'check' || w[0] === 'can' || w[0] === 'require' || w[0] === 'ensure')
    && (isRoleName(name) || w.includes('authorized') || w.includes('allowed'));
}

// ---- JavaScript / TypeScript ----

function jsAtoms(cond: ts.Expression, out: ts.Expression[], depth = 0): ts.Expression[] {
  if (depth > 20 || out.length > 20) return out;
  const e = skipOuter(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return jsAtoms(e.operand, out, depth + 1);
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken
    || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    jsAtoms(e.left, out, depth + 1);
    return jsAtoms(e.right, out, depth + 1);
  }
  out.push(e);
  return out;
}

function jsIsConstant(ctx: JsContext, e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (ts.isStringLiteralLike(x) || ts.isNumericLiteral(x) || x.kind === ts.SyntaxKind.TrueKeyword
    || x.kind === ts.SyntaxKind.FalseKeyword || x.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isArrayLiteralExpression(x)) return x.elements.length > 0 && x.elements.every((el) => jsIsConstant(ctx, el));
  if (ts.isIdentifier(x) && x.text === 'undefined') return true;
  if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) return ctx.file.valueOf(x).kind === 'constant';
  return false;
}

function jsConstantText(ctx: JsContext, e: ts.Expression): string | undefined {
  const x = skipOuter(e);
  if (ts.isArrayLiteralExpression(x)) return x.elements.map((el) => jsConstantText(ctx, el)).find((t) => t);
  if (x.kind === ts.SyntaxKind.TrueKeyword) return 'true';
  const v = ctx.file.valueOf(x);
  return v.kind === 'constant' ? v.value : undefined;
}

/** The names an expression is read under: `req.cookies.role` -> role, `req.header('X-Role')` -> X-Role. */
function jsNames(e: ts.Expression, depth = 0): string[] {
  if (depth > 6) return [];
  const x = skipOuter(e);
  if (ts.isIdentifier(x)) return [x.text];
  if (ts.isPropertyAccessExpression(x)) return [x.name.text];
  if (ts.isElementAccessExpression(x)) {
    const key = jsPropName(x.argumentExpression);
    return key ? [key] : jsNames(x.expression, depth + 1);
  }
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression)) {
    const first = x.arguments[0];
    if (/^(get|header|cookie|param)$/.test(x.expression.name.text) && first && ts.isStringLiteralLike(first)) return [first.text];
    return JS_STRING_METHODS.has(x.expression.name.text) ? jsNames(x.expression.expression, depth + 1) : [];
  }
  if (ts.isBinaryExpression(x) && (x.operatorToken.kind === ts.SyntaxKind.BarBarToken || x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
    return jsNames(x.left, depth + 1);
  }
  return [];
}

const JS_UNVERIFIED = /^(jsonwebtoken\.decode|jose\.decodeJwt|jwt-decode|jwt-decode\.jwtDecode|jwt-decode\.default)\(\)/;
const JS_VERIFY = /^(jsonwebtoken\.verify|jose\.jwtVerify|express-jwt|passport\.authenticate)/;

/** A value read from `jwt.decode(...)` (jsonwebtoken does not verify) in a function that never verifies a token. */
function jsUnverifiedToken(ctx: JsContext, e: ts.Expression, value: Value): string | undefined {
  const origin = value.origin ?? '';
  if (!JS_UNVERIFIED.test(origin)) return undefined;
  const fn = ctx.file.enclosingFunction(e);
  if (!fn || functionCalls(ctx, fn, JS_VERIFY)) return undefined;
  return `${origin.slice(0, origin.indexOf('('))}(...)`;
}

function functionCalls(ctx: JsContext, fn: ts.Node, names: RegExp): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && names.test(ctx.file.callName(n) ?? '')) { found = true; return; }
    n.forEachChild(visit);
  };
  visit(fn);
  return found;
}

const JS_STRING_METHODS = new Set(['toLowerCase', 'toUpperCase', 'trim', 'toString', 'split', 'valueOf']);

/** A call whose result is the value read (`req.get('X-Role')`, `.toLowerCase()`), not the answer of some other method. */
function jsReadsValue(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (!ts.isCallExpression(x)) return true;
  if (ts.isIdentifier(x.expression)) return /^(String|Boolean|Number|JSON)$/.test(x.expression.text);
  return ts.isPropertyAccessExpression(x.expression)
    && (/^(get|header|cookie|param|parse)$/.test(x.expression.name.text) || JS_STRING_METHODS.has(x.expression.name.text));
}

function jsClient(ctx: JsContext, e: ts.Expression): ClientValue | undefined {
  if (jsIsConstant(ctx, e) || !jsReadsValue(e)) return undefined;
  const names = jsNames(e);
  const v = ctx.file.valueOf(e);
  return clientValue(v, names, ctx.file.textOf(e), v.kind === 'tainted' ? undefined : jsUnverifiedToken(ctx, e, v));
}

const EQUALITY = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);

function jsDecision(ctx: JsContext, atom: ts.Expression): Decision | undefined {
  if (ts.isBinaryExpression(atom)) {
    if (!EQUALITY.has(atom.operatorToken.kind)) return undefined;
    for (const [x, y] of [[atom.left, atom.right], [atom.right, atom.left]]) {
      if (!jsIsConstant(ctx, y)) continue;
      const at = jsClient(ctx, x);
      if (at) return { at, literal: jsConstantText(ctx, y), truthy: false };
    }
    return undefined;
  }
  if (ts.isCallExpression(atom) && ts.isPropertyAccessExpression(atom.expression) && atom.arguments.length === 1
    && /^(includes|indexOf|has)$/.test(atom.expression.name.text)) {
    // ['admin', 'owner'].includes(role) / roles.includes('admin')
    const recv = atom.expression.expression;
    const arg = atom.arguments[0];
    if (jsIsConstant(ctx, recv)) {
      const at = jsClient(ctx, arg);
      return at ? { at, literal: jsConstantText(ctx, recv), truthy: false } : undefined;
    }
    if (jsIsConstant(ctx, arg)) {
      const at = jsClient(ctx, recv);
      return at ? { at, literal: jsConstantText(ctx, arg), truthy: false } : undefined;
    }
    return undefined;
  }
  if (ts.isIdentifier(atom) || ts.isPropertyAccessExpression(atom) || ts.isElementAccessExpression(atom) || ts.isCallExpression(atom)) {
    const at = jsClient(ctx, atom);
    return at ? { at, truthy: true } : undefined;
  }
  return undefined;
}

function jsReportAtoms(cond: ts.Expression, ctx: JsContext, how: string, comparisonsOnly = false): void {
  for (const atom of jsAtoms(cond, [])) {
    if (comparisonsOnly && !ts.isBinaryExpression(atom) && !ts.isCallExpression(atom)) continue;
    const d = jsDecision(ctx, atom);
    if (d && qualifies(d) && !(comparisonsOnly && d.truthy)) {
      ctx.report({ range: ctx.file.range(atom), message: message(d, how), severity: severityOf(d) });
    }
  }
}

function jsReady(ctx: JsContext): boolean {
  return !isTestCode(ctx.file.path) && ctx.file.mayHaveServerTaint();
}

function jsBranchChecksServer(cond: ts.Expression): boolean {
  const owner = cond.parent;
  if (!ts.isIfStatement(owner) || owner.expression !== cond) return false;
  let found = false;
  let n = 0;
  const visit = (x: ts.Node): void => {
    if (found || ++n > 2000) return;
    if (ts.isCallExpression(x)) {
      const callee = x.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      if (SERVER_CHECK.test(name)) { found = true; return; }
    }
    x.forEachChild(visit);
  };
  visit(owner.thenStatement);
  return found;
}

function jsCondition(cond: ts.Expression, ctx: JsContext): void {
  if (!jsReady(ctx) || jsBranchChecksServer(cond)) return;
  jsReportAtoms(cond, ctx, 'Access decided by');
}

/** `isAdmin && deleteAll()` as a statement; `req.session.role = req.body.role`. */
function jsExpressionStatement(node: ts.ExpressionStatement, ctx: JsContext): void {
  const e = skipOuter(node.expression);
  if (!ts.isBinaryExpression(e) || !jsReady(ctx)) return;
  if (e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) {
    jsReportAtoms(e.left, ctx, 'Access decided by');
    return;
  }
  if (e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const left = skipOuter(e.left);
  if (!ts.isPropertyAccessExpression(left) && !ts.isElementAccessExpression(left)) return;
  const target = ctx.file.textOf(left.expression);
  if (!/^(req|request|ctx|context)\.(session|user|state\.user)(\.user)?$/.test(target)) return;
  const key = ts.isPropertyAccessExpression(left) ? left.name.text : jsPropName(left.argumentExpression);
  const right = skipOuter(e.right);
  if (key && isRoleName(key)) return jsStore(ctx, key, right, e);
  // req.session.user = { id, role: req.body.role }
  if (ts.isObjectLiteralExpression(right)) {
    for (const p of right.properties) {
      const k = p.name ? jsPropName(p.name) : undefined;
      if (!k || !isRoleName(k)) continue;
      if (ts.isPropertyAssignment(p)) jsStore(ctx, k, p.initializer, p);
      else if (ts.isShorthandPropertyAssignment(p)) jsStore(ctx, k, p.name, p);
    }
  }
}

function jsStore(ctx: JsContext, key: string, value: ts.Expression, at: ts.Node): void {
  const c = jsClient(ctx, value);
  if (!c) return;
  const d: Decision = { at: { ...c, names: [key, ...c.names] }, truthy: false, literal: 'role' };
  ctx.report({ range: ctx.file.range(at), message: message(d, `The user's \`${key}\` is stored from`), severity: c.origin === 'header' ? 'warning' : 'error' });
}

/** `switch (req.cookies.role) { case 'admin': ... }` */
function jsSwitch(node: ts.SwitchStatement, ctx: JsContext): void {
  if (!jsReady(ctx)) return;
  const cases = node.caseBlock.clauses.filter((c): c is ts.CaseClause => ts.isCaseClause(c));
  if (cases.length === 0 || !cases.every((c) => jsIsConstant(ctx, c.expression))) return;
  const at = jsClient(ctx, node.expression);
  if (!at) return;
  const d: Decision = { at, truthy: false, literal: jsConstantText(ctx, cases[0].expression) };
  if (qualifies(d)) ctx.report({ range: ctx.file.range(node.expression), message: message(d, 'Access decided by'), severity: severityOf(d) });
}

/** `const isAdmin = req.cookies.role === 'admin'` */
function jsFlagDeclaration(node: ts.VariableDeclaration, ctx: JsContext): void {
  if (!ts.isIdentifier(node.name) || !node.initializer || !isFlagName(node.name.text) || !jsReady(ctx)) return;
  jsReportAtoms(node.initializer, ctx, `\`${node.name.text}\` is decided by`, true);
}

/** `function isAdmin(req) { return req.cookies.role === 'admin'; }` */
function jsReturn(node: ts.ReturnStatement, ctx: JsContext): void {
  if (!node.expression) return;
  const name = jsFunctionName(node);
  if (!name || !isDecisionFunction(name) || !jsReady(ctx)) return;
  jsReportAtoms(node.expression, ctx, `\`${name}()\` decides by`, true);
}
