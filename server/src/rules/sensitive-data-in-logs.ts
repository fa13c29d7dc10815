import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type TextEdit } from '../engine/types';
import { jsPropName, nameWords, pyLiteral, skipTestsJs, skipTestsPy } from './support/constants';

export default defineRule({
  meta: {
    id: 'sensitive-data-in-logs',
    title: 'Secret or personal data written to logs',
    description: 'Logs are kept for long, copied to many systems and read by many people: passwords, tokens, card numbers and whole request bodies do not belong there.',
    cwe: ['CWE-532'],
    owasp: OWASP.A09,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 5.5,
    languages: ['python', 'javascript'],
  },
  python: skipTestsPy({
    call: (node, ctx) => pythonCall(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  }),
});

const SECRET_LAST = new Set(['password', 'passwd', 'pwd', 'passphrase', 'secret', 'token', 'apikey', 'cvv', 'cvc', 'ssn',
  'cardnumber', 'creditcard', 'authorization', 'credentials']);
const SECRET_PAIRS = new Set(['api key', 'secret key', 'private key', 'access key', 'signing key', 'card number', 'credit card', 'card num', 'account number']);
/** `next_token`, `page_token`: pagination cursors, not secrets. */
const HARMLESS_PREFIX = new Set(['page', 'next', 'prev', 'continuation', 'cursor', 'sync', 'csrf', 'xsrf', 'lexer', 'parser', 'current', 'last', 'end', 'start', 'type']);

const TOKEN_PREFIX = new Set(['access', 'refresh', 'auth', 'id', 'bearer', 'api', 'session', 'reset', 'jwt', 'oauth', 'github', 'slack', 'verification', 'invite', 'magic', 'login', 'user', 'secret', 'private', 'personal', 'service', 'app', 'client']);

/** What a name says the value is, when it is a secret or personal datum. */
export function sensitiveName(name: string): string | undefined {
  const words = nameWords(name);
  const last = words[words.length - 1];
  const prev = words[words.length - 2];
  if (!last) return undefined;
  if (prev && SECRET_PAIRS.has(`${prev} ${last}`)) return `${prev} ${last}`;
  // a bare `token` is often a lexer token or a cursor: only auth-flavoured tokens count
  if (last === 'token') return !prev || TOKEN_PREFIX.has(prev) ? last : undefined;
  if (SECRET_LAST.has(last) && !(prev && HARMLESS_PREFIX.has(prev))) return last;
  return undefined;
}

const BODY_OBJECTS = new Set(['request', 'req']);
const PY_BODY_ATTRS = new Set(['body', 'data', 'json', 'form', 'POST', 'values', 'get_json']);
const JS_BODY_ATTRS = new Set(['body']);

/** Modules whose presence says a bare `token` is an auth token (and not a lexer or DI token). */
const AUTH_MODULES = ['jwt', 'jose', 'jsonwebtoken', 'passport', 'next-auth', '@auth/core', 'oauth', 'simple-oauth2', 'oauthlib', 'authlib',
  'rest_framework.authtoken', 'rest_framework_simplejwt', 'django.contrib.auth', 'flask_login', 'flask_jwt_extended', 'itsdangerous', 'requests_oauthlib', 'express-session'];

/** A bare `token` counts only in a file that does authentication. */
function tokenCounts(name: string, what: string, file: { importsModule(m: string): boolean }): boolean {
  if (what !== 'token' || nameWords(name).length > 1) return true;
  return AUTH_MODULES.some((m) => file.importsModule(m));
}

// ---- Python ----

const PY_LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'critical', 'exception', 'log', 'fatal']);

function isPyLogger(f: PyContext['file'], call: Node): boolean {
  const fn = call.childForFieldName('function');
  if (!fn) return false;
  if (fn.type === 'identifier') return fn.text === 'print' && !f.imports.has('print');
  if (fn.type !== 'attribute') return false;
  const method = fn.childForFieldName('attribute')?.text ?? '';
  if (!PY_LOG_METHODS.has(method)) return false;
  const name = f.callName(call);
  if (name?.startsWith('logging.')) return true;
  const recv = fn.childForFieldName('object');
  const recvName = recv?.type === 'identifier' ? recv.text : recv?.type === 'attribute' ? recv.childForFieldName('attribute')?.text : undefined;
  if (recvName && /^_*(log|logger)$/i.test(recvName) || recvName && /logger$/i.test(recvName)) return true;
  return recv ? f.valueOf(recv).origin === 'logging.getLogger()' : false;
}

function pythonCall(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  if (!isPyLogger(f, node)) return;
  const args = node.childForFieldName('arguments');
  for (const a of args?.namedChildren ?? []) {
    if (!a) continue;
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name')?.text;
      const v = a.childForFieldName('value');
      if (k === 'extra' || k === 'exc_info' || k === 'stack_info' || k === 'stacklevel') { if (k === 'extra' && v) pyScan(v, ctx, 0); continue; }
      if (k === 'sep' || k === 'end' || k === 'file' || k === 'flush') continue;
      if (v) pyScan(v, ctx, 0);
      continue;
    }
    pyScan(a, ctx, 0);
  }
}

function pyScan(node: Node, ctx: PyContext, depth: number): void {
  if (depth > 6) return;
  const f = ctx.file;
  switch (node.type) {
    case 'identifier': {
      const what = sensitiveName(node.text);
      if (what && tokenCounts(node.text, what, f)) pyReport(node, what, ctx);
      return;
    }
    case 'attribute': {
      const obj = node.childForFieldName('object');
      const attr = node.childForFieldName('attribute')?.text ?? '';
      if (obj?.type === 'identifier' && BODY_OBJECTS.has(obj.text) && PY_BODY_ATTRS.has(attr)) { pyReport(node, 'the whole request body', ctx); return; }
      const what = sensitiveName(attr);
      if (what && f.qualifiedName(node) === undefined && tokenCounts(attr, what, f)) pyReport(node, what, ctx);
      return;
    }
    case 'subscript': {
      const key = pyLiteral(node.childForFieldName('subscript'));
      const what = key ? sensitiveName(key) : undefined;
      if (what) pyReport(node, what, ctx);
      return;
    }
    case 'string':
      for (const c of node.namedChildren) {
        if (c?.type === 'interpolation') {
          const e = c.childForFieldName('expression') ?? c.namedChildren[0];
          if (e) pyScan(e, ctx, depth + 1);
        }
      }
      return;
    case 'binary_operator':
    case 'parenthesized_expression':
    case 'tuple': case 'list': case 'set':
    case 'conditional_expression':
      for (const c of node.namedChildren) if (c) pyScan(c, ctx, depth + 1);
      return;
    case 'dictionary':
      for (const pair of node.namedChildren) {
        if (pair?.type !== 'pair') continue;
        const key = pyLiteral(pair.childForFieldName('key'));
        const value = pair.childForFieldName('value');
        if (!value) continue;
        const what = key ? sensitiveName(key) : undefined;
        if (what && value.type !== 'string') pyReport(value, what, ctx);
        else pyScan(value, ctx, depth + 1);
      }
      return;
    case 'call': {
      const fn = node.childForFieldName('function');
      // str(x), repr(x), "...".format(x), json.dumps(x) pass the value through
      const through = fn?.type === 'identifier' && (fn.text === 'str' || fn.text === 'repr')
        || fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format'
        || f.callName(node) === 'json.dumps';
      if (!through) return;
      for (const a of node.childForFieldName('arguments')?.namedChildren ?? []) {
        if (!a) continue;
        pyScan(a.type === 'keyword_argument' ? a.childForFieldName('value') ?? a : a, ctx, depth + 1);
      }
      return;
    }
    default:
      return;
  }
}

function pyReport(node: Node, what: string, ctx: PyContext): void {
  const f = ctx.file;
  const p = node.parent;
  // inside an f-string `{password}` becomes `***`; elsewhere the expression becomes "***"
  const edit: TextEdit = p?.type === 'interpolation'
    ? { range: f.range(p), newText: '***' }
    : { range: f.range(node), newText: '"***"' };
  ctx.report({
    range: f.range(node),
    message: `${what === 'the whole request body' ? 'The whole request body' : `\`${node.text}\` (a ${what})`} is written to the log: logs outlive requests and reach many readers. Drop it or mask it.`,
    fixes: [{ title: 'Mask the value in the log line', edits: [edit], preferred: true }],
  });
}

// ---- JavaScript / TypeScript ----

const JS_LOG_METHODS = new Set(['log', 'info', 'warn', 'error', 'debug', 'trace', 'fatal', 'verbose', 'silly']);

function isJsLogger(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !JS_LOG_METHODS.has(callee.name.text)) return false;
  const recv = callee.expression;
  const recvName = ts.isIdentifier(recv) ? recv.text : ts.isPropertyAccessExpression(recv) ? recv.name.text : undefined;
  return !!recvName && (recvName === 'console' || /^_*(log|logger)$/i.test(recvName) || /logger$/i.test(recvName));
}

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  if (!isJsLogger(node)) return;
  for (const a of node.arguments) jsScan(a, ctx, 0);
}

function jsScan(node: ts.Node, ctx: JsContext, depth: number): void {
  if (depth > 6) return;
  if (ts.isIdentifier(node)) {
    const what = sensitiveName(node.text);
    if (what && tokenCounts(node.text, what, ctx.file)) jsReport(node, what, ctx);
  } else if (ts.isPropertyAccessExpression(node)) {
    const obj = node.expression;
    if (ts.isIdentifier(obj) && BODY_OBJECTS.has(obj.text) && JS_BODY_ATTRS.has(node.name.text)) { jsReport(node, 'the whole request body', ctx); return; }
    const what = sensitiveName(node.name.text);
    if (what && !(ts.isIdentifier(obj) && obj.text === 'process') && tokenCounts(node.name.text, what, ctx.file)) jsReport(node, what, ctx);
  } else if (ts.isElementAccessExpression(node)) {
    const key = ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression.text : undefined;
    const what = key ? sensitiveName(key) : undefined;
    if (what) jsReport(node, what, ctx);
  } else if (ts.isTemplateExpression(node)) {
    for (const span of node.templateSpans) jsScan(span.expression, ctx, depth + 1);
  } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    jsScan(node.left, ctx, depth + 1);
    jsScan(node.right, ctx, depth + 1);
  } else if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node)) {
    jsScan(node.expression, ctx, depth + 1);
  } else if (ts.isConditionalExpression(node)) {
    jsScan(node.whenTrue, ctx, depth + 1);
    jsScan(node.whenFalse, ctx, depth + 1);
  } else if (ts.isArrayLiteralExpression(node)) {
    for (const e of node.elements) jsScan(e, ctx, depth + 1);
  } else if (ts.isObjectLiteralExpression(node)) {
    for (const p of node.properties) {
      if (ts.isShorthandPropertyAssignment(p)) {
        const what = sensitiveName(p.name.text);
        if (what) jsReport(p, what, ctx);
      } else if (ts.isPropertyAssignment(p)) {
        const what = sensitiveName(jsPropName(p.name) ?? '');
        if (what && !ts.isStringLiteralLike(p.initializer)) jsReport(p.initializer, what, ctx);
        else jsScan(p.initializer, ctx, depth + 1);
      } else if (ts.isSpreadAssignment(p)) {
        jsScan(p.expression, ctx, depth + 1);
      }
    }
  } else if (ts.isCallExpression(node)) {
    // String(x), JSON.stringify(x) pass the value through
    const c = node.expression;
    const through = ts.isIdentifier(c) && c.text === 'String'
      || ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === 'JSON' && c.name.text === 'stringify';
    if (through && node.arguments[0]) jsScan(node.arguments[0], ctx, depth + 1);
  }
}

function jsReport(node: ts.Node, what: string, ctx: JsContext): void {
  const f = ctx.file;
  let edit: TextEdit;
  const p = node.parent;
  if (ts.isShorthandPropertyAssignment(node)) edit = { range: f.range(node), newText: `${node.name.text}: '***'` };
  else if (ts.isTemplateSpan(p) && p.expression === node) {
    // `${password}` -> `***`: from the `${` to the `}`
    const start = f.text.lastIndexOf('${', node.getStart(f.sourceFile));
    const end = f.text.indexOf('}', node.getEnd()) + 1;
    edit = { range: f.rangeOf(start, end), newText: '***' };
  } else edit = { range: f.range(node), newText: "'***'" };
  const label = ts.isShorthandPropertyAssignment(node) ? node.name.text : f.textOf(node);
  ctx.report({
    range: f.range(node),
    message: `${what === 'the whole request body' ? 'The whole request body' : `\`${label}\` (a ${what})`} is written to the log: logs outlive requests and reach many readers. Drop it or mask it.`,
    fixes: [{ title: 'Mask the value in the log line', edits: [edit], preferred: true }],
  });
}
