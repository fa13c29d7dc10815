import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { jsBool, jsPropName, jsString, pyBool, pyLiteral, pyTargetName, skipTestsJs, skipTestsPy } from './support/constants';

export default defineRule({
  meta: {
    id: 'cors-misconfiguration',
    title: 'CORS open to every origin',
    description: 'A CORS policy that accepts any origin together with credentials lets every web site read your users\' authenticated responses.',
    cwe: ['CWE-942', 'CWE-346'],
    owasp: OWASP.A05,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 7.1,
    languages: ['python', 'javascript'],
  },
  python: skipTestsPy({
    call: (node, ctx) => pythonCall(node, ctx),
    assignment: (node, ctx) => pythonAssignment(node, ctx),
    dictionary: (node, ctx) => pythonHeaderDict(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.ObjectLiteralExpression]: (node: ts.ObjectLiteralExpression, ctx) => javascriptObject(node, ctx),
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptSetHeader(node, ctx),
    [ts.SyntaxKind.ArrayLiteralExpression]: (node: ts.ArrayLiteralExpression, ctx) => javascriptHeaderList(node, ctx),
  }),
});

const ACAO = 'access-control-allow-origin';
const ACAC = 'access-control-allow-credentials';
const WILDCARD_CREDENTIALS = '`Access-Control-Allow-Origin: *` together with credentials: browsers refuse it, and the usual "fix" of reflecting the request origin opens every user\'s data to every site. List the trusted origins.';
const REFLECTS = 'The request\'s `Origin` is echoed into `Access-Control-Allow-Origin`: every web site is trusted. Compare the origin with an allow-list first.';

// ---- Python ----

function pythonCall(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const name = f.callName(node);
  if (name !== 'flask_cors.CORS' && name !== 'flask_cors.cross_origin') return;
  const creds = f.keywordArgument(node, 'supports_credentials');
  if (!creds || pyBool(f, creds) !== true) return;
  const origins = f.keywordArgument(node, 'origins');
  const resources = f.keywordArgument(node, 'resources');
  let open = false;
  if (origins) open = pyIsWildcard(origins);
  else if (resources?.type === 'dictionary') {
    open = resources.namedChildren.some((pair) => {
      const opts = pair?.childForFieldName('value');
      if (opts?.type !== 'dictionary') return false;
      const o = opts.namedChildren.find((p) => pyLiteral(p?.childForFieldName('key')) === 'origins');
      return !o || pyIsWildcard(o.childForFieldName('value'));
    });
  } else open = true; // flask-cors defaults to every origin
  if (!open) return;
  ctx.report({
    range: f.range(node),
    message: 'Flask-CORS with `supports_credentials=True` and every origin allowed: any web site can make credentialed requests and read the answers. Pass `origins=[...]` with the trusted origins.',
  });
}

function pyIsWildcard(node: Node | null | undefined): boolean {
  if (!node) return false;
  const s = pyLiteral(node);
  if (s !== undefined) return s === '*' || s === '.*' || s === 'r".*"';
  if (node.type === 'list' || node.type === 'tuple') return node.namedChildren.some((c) => pyLiteral(c) === '*');
  return false;
}

function pythonAssignment(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (!left || !right) return;
  if (left.type === 'identifier' && (left.text === 'CORS_ALLOW_ALL_ORIGINS' || left.text === 'CORS_ORIGIN_ALLOW_ALL')) {
    if (pyBool(f, right) !== true || node.parent?.parent?.type !== 'module') return;
    const credentials = siblingSetting(node, 'CORS_ALLOW_CREDENTIALS');
    ctx.report({
      range: f.range(node),
      severity: credentials ? 'error' : 'warning',
      message: credentials
        ? `\`${left.text} = True\` with \`CORS_ALLOW_CREDENTIALS = True\`: every web site can make credentialed requests and read the answers. List the trusted origins in \`CORS_ALLOWED_ORIGINS\`.`
        : `\`${left.text} = True\` lets every web site read the responses of this API. List the trusted origins in \`CORS_ALLOWED_ORIGINS\`.`,
    });
    return;
  }
  if (left.type === 'subscript' && pyTargetName(left)?.toLowerCase() === ACAO && pyReflectsOrigin(right) && !insidePyIf(node)) {
    ctx.report({ range: f.range(node), severity: 'warning', message: REFLECTS });
  }
}

/** `CORS_ALLOW_CREDENTIALS = True` among the module's top-level statements. */
function siblingSetting(assignment: Node, name: string): boolean {
  const module = assignment.parent?.parent;
  for (const stmt of module?.namedChildren ?? []) {
    const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name && a.childForFieldName('right')?.type === 'true') return true;
  }
  return false;
}

/** `request.headers.get("Origin")`, `request.headers["Origin"]`, `request.META["HTTP_ORIGIN"]`. */
function pyReflectsOrigin(node: Node): boolean {
  let key: string | undefined;
  if (node.type === 'subscript') key = pyLiteral(node.childForFieldName('subscript'));
  else if (node.type === 'call' && node.childForFieldName('function')?.childForFieldName('attribute')?.text === 'get') {
    key = pyLiteral(node.childForFieldName('arguments')?.namedChildren[0]);
  }
  return key !== undefined && /^(origin|http_origin)$/i.test(key);
}

function insidePyIf(node: Node): boolean {
  for (let n = node.parent; n && n.type !== 'function_definition' && n.type !== 'module'; n = n.parent) {
    if (n.type === 'if_statement' || n.type === 'conditional_expression') return true;
  }
  return false;
}

function pythonHeaderDict(node: Node, ctx: PyContext): void {
  let origin: Node | undefined;
  let credentials = false;
  for (const pair of node.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const key = pyLiteral(pair.childForFieldName('key'))?.toLowerCase();
    const value = pyLiteral(pair.childForFieldName('value'));
    if (key === ACAO && value === '*') origin = pair;
    if (key === ACAC && value?.toLowerCase() === 'true') credentials = true;
  }
  if (origin && credentials) ctx.report({ range: ctx.file.range(origin), severity: 'warning', message: WILDCARD_CREDENTIALS });
}

// ---- JavaScript / TypeScript ----

/** `cors({ origin: true, credentials: true })`, socket.io / fastify / Apollo options of the same shape. */
function javascriptObject(node: ts.ObjectLiteralExpression, ctx: JsContext): void {
  const f = ctx.file;
  let origin: ts.PropertyAssignment | undefined;
  let credentials = false;
  let acao: ts.PropertyAssignment | undefined;
  let acac = false;
  for (const p of node.properties) {
    if (!ts.isPropertyAssignment(p)) continue;
    const key = jsPropName(p.name);
    if (key === 'origin') origin = p;
    if (key === 'credentials' && jsBool(p.initializer) === true) credentials = true;
    if (key?.toLowerCase() === ACAO && jsString(f, p.initializer) === '*') acao = p;
    if (key?.toLowerCase() === ACAC && jsString(f, p.initializer)?.toLowerCase() === 'true') acac = true;
  }
  if (acao && acac) ctx.report({ range: f.range(acao), severity: 'warning', message: WILDCARD_CREDENTIALS });
  if (!origin || !credentials) return;
  const v = origin.initializer;
  if (jsBool(v) === true || ts.isRegularExpressionLiteral(v) && /^\/\.\*?\/$|^\/\.\+\/$/.test(v.text) || allowsEverything(v)) {
    ctx.report({
      range: f.range(origin),
      message: 'CORS reflects every origin (`origin: true` or an accept-all callback) together with `credentials: true`: any web site can make credentialed requests and read the answers. List the trusted origins.',
    });
  } else if (jsString(f, v) === '*') {
    ctx.report({ range: f.range(origin), severity: 'warning', message: WILDCARD_CREDENTIALS });
  }
}

/** `(origin, cb) => cb(null, true)`: an origin callback that accepts everything. */
function allowsEverything(node: ts.Expression): boolean {
  if (!ts.isArrowFunction(node) && !ts.isFunctionExpression(node)) return false;
  const cbParam = node.parameters[1];
  if (!cbParam || !ts.isIdentifier(cbParam.name)) return false;
  const cb = cbParam.name.text;
  const body = node.body;
  const statements = ts.isBlock(body) ? body.statements : [ts.factory.createExpressionStatement(body as ts.Expression)];
  if (statements.length !== 1) return false;
  const s = statements[0];
  const e = ts.isExpressionStatement(s) ? s.expression : ts.isReturnStatement(s) ? s.expression : undefined;
  return !!e && ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === cb
    && e.arguments.length === 2 && e.arguments[1].kind === ts.SyntaxKind.TrueKeyword;
}

/** `res.setHeader('Access-Control-Allow-Origin', req.headers.origin)` outside an allow-list check. */
function javascriptSetHeader(node: ts.CallExpression, ctx: JsContext): void {
  const callee = node.expression;
  if (!ts.isPropertyAccessExpression(callee) || !/^(setHeader|header|set|append)$/.test(callee.name.text)) return;
  // the value's shape first (cheap); the header name may need the data flow (`map.set(k, v)` is everywhere)
  if (!node.arguments[1] || !jsReflectsOrigin(node.arguments[1])) return;
  const key = jsString(ctx.file, node.arguments[0])?.toLowerCase();
  if (key !== ACAO) return;
  for (let n: ts.Node = node.parent; n && !ts.isFunctionLike(n); n = n.parent) {
    if (ts.isIfStatement(n) || ts.isConditionalExpression(n)) return;
  }
  ctx.report({ range: ctx.file.range(node), severity: 'warning', message: REFLECTS });
}

function jsReflectsOrigin(node: ts.Expression): boolean {
  if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || node.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    return jsReflectsOrigin(node.left);
  }
  if (ts.isNonNullExpression(node) || ts.isAsExpression(node) || ts.isParenthesizedExpression(node)) return jsReflectsOrigin(node.expression);
  if (ts.isPropertyAccessExpression(node)) return node.name.text === 'origin' && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'headers';
  if (ts.isElementAccessExpression(node)) return /^origin$/i.test(jsPropName(node.argumentExpression) ?? '');
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && /^(get|header)$/.test(node.expression.name.text)) {
    const a = node.arguments[0];
    return !!a && ts.isStringLiteralLike(a) && /^origin$/i.test(a.text);
  }
  return false;
}

/** Next.js `headers()`: `[{ key: 'Access-Control-Allow-Origin', value: '*' }, { key: 'Access-Control-Allow-Credentials', value: 'true' }]`. */
function javascriptHeaderList(node: ts.ArrayLiteralExpression, ctx: JsContext): void {
  let origin: ts.Node | undefined;
  let credentials = false;
  for (const e of node.elements) {
    if (!ts.isObjectLiteralExpression(e)) continue;
    let key: string | undefined;
    let value: string | undefined;
    for (const p of e.properties) {
      if (!ts.isPropertyAssignment(p)) continue;
      if (jsPropName(p.name) === 'key') key = jsString(ctx.file, p.initializer)?.toLowerCase();
      if (jsPropName(p.name) === 'value') value = jsString(ctx.file, p.initializer);
    }
    if (key === ACAO && value === '*') origin = e;
    if (key === ACAC && value?.toLowerCase() === 'true') credentials = true;
  }
  if (origin && credentials) ctx.report({ range: ctx.file.range(origin), severity: 'warning', message: WILDCARD_CREDENTIALS });
}
