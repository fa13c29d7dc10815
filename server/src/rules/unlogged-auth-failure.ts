import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type TextEdit } from '../engine/types';
import { nameWords, pyImportEdit } from './support/constants';
import {
  AUTH_METHODS, JS_AUTH_CALLS, PY_AUTH_CALLS, jsIsLogCall, pyIsLogCall, pyModuleLogger, isTestCode,
} from './support/auth';

/**
 * A login handler whose failure branch returns without logging: brute force and credential stuffing go unseen.
 * The fix inserts a warning with the user name (when the code names it) and the client address, never the password.
 */
export default defineRule({
  meta: {
    id: 'unlogged-auth-failure',
    title: 'Failed login not logged',
    description: 'Failed logins are the first sign of password guessing and credential stuffing; if nothing logs them, nobody can notice or block the attack.',
    cwe: ['CWE-778', 'CWE-223'],
    owasp: OWASP.A09,
    severity: 'info',
    confidence: 'medium',
    securitySeverity: 3.7,
    languages: ['python', 'javascript'],
  },
  python: {
    if_statement: (node, ctx) => pythonIf(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.IfStatement]: (node: ts.IfStatement, ctx) => javascriptIf(node, ctx),
  },
});

/** Handlers: named for logging in, or taking the request. */
const HANDLER_WORDS = new Set(['login', 'signin', 'logon', 'authenticate', 'auth', 'authorize', 'session', 'sessions', 'token', 'credentials']);

type Polarity = 'success' | 'failure' | undefined;

// ---- Python ----

function pyAuthCall(node: Node, ctx: PyContext): Node | undefined {
  if (node.type !== 'call') return undefined;
  const q = ctx.file.callName(node);
  if (q && PY_AUTH_CALLS.test(q)) return node;
  const f = node.childForFieldName('function');
  const m = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : undefined;
  return m && AUTH_METHODS.test(m) && m !== 'authenticate' ? node : undefined;
}

/** True when the condition is true on success (`user`, `check(...)`, `user is not None`), false on failure. */
function pyPolarity(cond: Node, ctx: PyContext, found: Node[]): Polarity {
  switch (cond.type) {
    case 'parenthesized_expression': return pyPolarity(cond.namedChildren[0]!, ctx, found);
    case 'not_operator': return flip(pyPolarity(cond.childForFieldName('argument')!, ctx, found));
    case 'call': { const c = pyAuthCall(cond, ctx); if (c) found.push(c); return c ? 'success' : undefined; }
    case 'identifier': {
      const origin = ctx.file.valueOf(cond).origin ?? '';
      if (PY_AUTH_CALLS.test(origin.replace(/\(\)$/, ''))) { found.push(cond); return 'success'; }
      return undefined;
    }
    case 'comparison_operator': {
      const [a, b] = cond.namedChildren;
      const op = cond.children.filter((c) => c && !c.isNamed).map((c) => c!.text).join(' ');
      if (!a || b?.type !== 'none') return undefined;
      const p = pyPolarity(a, ctx, found);
      if (!p) return undefined;
      return /^(is not|!=)$/.test(op) ? p : flip(p);
    }
    case 'boolean_operator': {
      const parts = [cond.childForFieldName('left')!, cond.childForFieldName('right')!].map((c) => pyPolarity(c, ctx, found));
      const op = cond.childForFieldName('operator')?.text ?? cond.children[1]?.text;
      // `user is None or not ok`: failure when any part fails; `user and ok`: success when all succeed
      if (op === 'or' && parts.includes('failure') && !parts.includes('success')) return 'failure';
      if (op === 'and' && parts.includes('success') && !parts.includes('failure')) return 'success';
      return undefined;
    }
    default: return undefined;
  }
}

function flip(p: Polarity): Polarity {
  return p === 'success' ? 'failure' : p === 'failure' ? 'success' : undefined;
}

function pythonIf(node: Node, ctx: PyContext): void {
  const cond = node.childForFieldName('condition');
  if (!cond || isTestCode(ctx.file.path)) return;
  // the enclosing handler first: the condition's polarity asks the data flow
  const fn = node.parent ? enclosingDef(node) : undefined;
  if (!fn || !isHandler(fn.childForFieldName('name')?.text, paramNames(fn))) return;
  const found: Node[] = [];
  const polarity = pyPolarity(cond, ctx, found);
  if (!polarity) return;
  // the failure branch: the if body, the else body, or (no else) what follows the if
  let branch: Node[] = [];
  if (polarity === 'failure') branch = blockStatements(node.childForFieldName('consequence'));
  else {
    const alt = node.childForFieldName('alternative') ?? node.namedChildren.find((c) => c?.type === 'else_clause' || c?.type === 'elif_clause');
    if (alt?.type === 'elif_clause') return;
    if (alt) branch = blockStatements(alt.childForFieldName('body') ?? alt.namedChildren.find((c) => c?.type === 'block') ?? null);
    else {
      // `if user: login(); return ok` followed by the failure path, only when the success path returns
      const body = blockStatements(node.childForFieldName('consequence'));
      if (!body.some((s) => s.type === 'return_statement')) return;
      for (let s = node.nextNamedSibling; s; s = s.nextNamedSibling) {
        if (s.type === 'comment') continue;
        branch.push(s);
        if (s.type === 'return_statement') break;
      }
    }
  }
  const ret = branch.find((s) => s.type === 'return_statement');
  if (!ret) return;
  if (branch.some((s) => logsOrRaises(s, ctx))) return;
  const first = branch[0];
  const indent = ' '.repeat(first.startPosition.column);
  const logger = pyModuleLogger(ctx.file);
  const params = paramNames(fn);
  const authenticate = found.find((c) => c.type === 'call' && /authenticate$/.test(ctx.file.callName(c) ?? ''));
  const userArg = authenticate ? (ctx.file.keywordArgument(authenticate, 'username') ?? ctx.file.keywordArgument(authenticate, 'email')) : undefined;
  const user = userArg?.text ?? params.find((p) => /^(username|user_name|email|login)$/.test(p));
  const addr = !params.includes('request') && !ctx.file.importsModule('flask') ? undefined
    : ctx.file.importsModule('flask') && !ctx.file.importsModule('django') ? 'request.remote_addr' : 'request.META.get("REMOTE_ADDR")';
  const fmt = ['"Failed login', user ? ' for %r' : '', addr ? ' from %s' : '', '"'].join('');
  const args = [fmt, ...(user ? [user] : []), ...(addr ? [addr] : [])].join(', ');
  const at = { line: first.startPosition.row, character: first.startPosition.column };
  const edits: TextEdit[] = [
    { range: { start: at, end: at }, newText: `${logger ?? 'logging.getLogger(__name__)'}.warning(${args})\n${indent}` },
    ...(logger ? [] : pyImportEdit(ctx.file, 'logging')),
  ];
  ctx.report({
    range: ctx.file.range(ret),
    message: 'This failed login returns without being logged: password guessing goes unnoticed. Log a warning with the user name and client address (never the password).',
    fixes: [{ title: 'Log the failed login', edits, safe: true }],
  });
}

function enclosingDef(node: Node): Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'function_definition') return n;
  return undefined;
}

function paramNames(fn: Node): string[] {
  const out: string[] = [];
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!p) continue;
    const id = p.type === 'identifier' ? p : p.namedChildren.find((c) => c?.type === 'identifier');
    if (id) out.push(id.text);
  }
  return out;
}

function isHandler(name: string | undefined, params: string[]): boolean {
  if (name && nameWords(name).some((w) => HANDLER_WORDS.has(w))) return true;
  return params.includes('request') || params.includes('req');
}

function blockStatements(block: Node | null): Node[] {
  return (block?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
}

/** A log call, an audit/signal call, or a raise anywhere in the statement. */
function logsOrRaises(stmt: Node, ctx: PyContext): boolean {
  if (stmt.type === 'raise_statement' || stmt.descendantsOfType('raise_statement').length > 0) return true;
  for (const c of [stmt, ...stmt.descendantsOfType('call')]) {
    if (!c || c.type !== 'call') continue;
    if (pyIsLogCall(ctx.file, c)) return true;
    const f = c.childForFieldName('function');
    const name = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : f?.text;
    if (name && /^(log|audit|record|track|notify|report|send)|_log$|login_failed|(^|_)fail/i.test(name)) return true;
    if (f?.type === 'identifier' && f.text === 'print') return true;
  }
  return false;
}

// ---- JavaScript / TypeScript ----

function jsAuthCall(node: ts.Expression, ctx: JsContext): boolean {
  const e = skip(node);
  if (!ts.isCallExpression(e)) return false;
  const q = ctx.file.callName(e);
  if (q && JS_AUTH_CALLS.test(q)) return true;
  const callee = e.expression;
  return ts.isPropertyAccessExpression(callee) && AUTH_METHODS.test(callee.name.text) && callee.name.text !== 'authenticate';
}

function skip(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
}

function jsPolarity(cond: ts.Expression, ctx: JsContext): Polarity {
  const e = skip(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return flip(jsPolarity(e.operand, ctx));
  if (jsAuthCall(e, ctx)) return 'success';
  // `const ok = await bcrypt.compare(...)`: only files that import a password library need the data flow
  if (ts.isIdentifier(e) && ['bcrypt', 'bcryptjs', 'argon2'].some((m) => ctx.file.importsModule(m))) {
    const origin = ctx.file.valueOf(e).origin ?? '';
    return JS_AUTH_CALLS.test(origin.replace(/\(\)$/, '')) ? 'success' : undefined;
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const parts = [jsPolarity(e.left, ctx), jsPolarity(e.right, ctx)];
    if (op === ts.SyntaxKind.BarBarToken && parts.includes('failure') && !parts.includes('success')) return 'failure';
    if (op === ts.SyntaxKind.AmpersandAmpersandToken && parts.includes('success') && !parts.includes('failure')) return 'success';
  }
  return undefined;
}

function javascriptIf(node: ts.IfStatement, ctx: JsContext): void {
  if (isTestCode(ctx.file.path)) return;
  const polarity = jsPolarity(node.expression, ctx);
  if (!polarity) return;
  const branch = polarity === 'failure' ? node.thenStatement : node.elseStatement;
  if (!branch) return;
  const stmts = ts.isBlock(branch) ? [...branch.statements] : [branch];
  if (!stmts.some((s) => ts.isReturnStatement(s))) return;
  let logged = false;
  const visit = (n: ts.Node): void => {
    if (logged) return;
    if (ts.isThrowStatement(n)) { logged = true; return; }
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      if (jsIsLogCall(ctx.file, n) || /^(log|audit|record|track|report)|Log$|LoginFail|Failed/i.test(name)) { logged = true; return; }
    }
    ts.forEachChild(n, visit);
  };
  stmts.forEach(visit);
  if (logged) return;
  const fn = ctx.file.enclosingFunction(node);
  const params = (fn?.parameters ?? []).map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
  const req = params.find((p) => p === 'req' || p === 'request');
  const call = req === 'req' ? "console.warn('Failed login from %s', req.ip);" : "console.warn('Failed login');";
  const first = stmts[0];
  const sf = ctx.file.sourceFile;
  const lineStart = ctx.file.text.lastIndexOf('\n', first.getStart(sf) - 1) + 1;
  const indent = /^[ \t]*/.exec(ctx.file.text.slice(lineStart))![0];
  const at = ctx.file.range(first).start;
  const edits: TextEdit[] = ts.isBlock(branch)
    ? [{ range: { start: at, end: at }, newText: `${call}\n${indent}` }]
    : [{ range: ctx.file.range(branch), newText: `{ ${call} ${ctx.file.textOf(branch)} }` }];
  ctx.report({
    range: ctx.file.range(stmts.find((s) => ts.isReturnStatement(s))!),
    message: 'This failed login returns without being logged: password guessing goes unnoticed. Log a warning with the user name and client address (never the password).',
    fixes: [{ title: 'Log the failed login', edits, safe: true }],
  });
}
