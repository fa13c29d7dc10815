import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type TextEdit } from '../engine/types';
import { nameWords, pyImportEdit } from './support/constants';
import { jsFunctionName, pyClassName, pyFunctionName, pyModuleLogger, isTestCode } from './support/auth';

/**
 * `except: pass` / `except Exception: pass` and empty `catch {}` in authentication, authorization and crypto code:
 * a failed signature check, decryption or permission lookup disappears, and the code carries on as if it passed.
 */
export default defineRule({
  meta: {
    id: 'swallowed-exception',
    title: 'Exception swallowed in security code',
    description: 'A broad except/catch that does nothing hides failed verifications and attacks: the code goes on as if '
      + 'the check passed, and nobody is told. Fail closed and log.',
    cwe: ['CWE-390', 'CWE-778'],
    owasp: OWASP.A09,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 5.3,
    languages: ['python', 'javascript'],
  },
  python: {
    except_clause: (node, ctx) => pythonExcept(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CatchClause]: (node: ts.CatchClause, ctx) => javascriptCatch(node, ctx),
  },
});

/**
 * Function and class names that say the code makes a security decision. Nouns like `token` or `auth` alone are
 * not enough: `storeToken`, `resolveAuthUrl` and `authorizationErrorHandler` are plumbing around security, not checks.
 */
const SECURITY_WORDS = new Set(['authenticate', 'authorize', 'authz', 'authn',
  'login', 'logon', 'signin', 'password', 'passwd', 'verify', 'verification', 'signature', 'decrypt', 'decryption',
  'permission', 'permissions', 'perm', 'perms', 'csrf', 'otp', 'mfa', 'totp', 'credential', 'credentials', 'acl',
  'privilege', 'privileges', 'jwt', 'hmac']);

function isSecurityName(name: string | undefined): boolean {
  return !!name && nameWords(name).some((w) => SECURITY_WORDS.has(w));
}

/** Calls whose failure is a security decision: verifications, decryptions, credential and permission checks. */
const PY_SECURITY_CALLS = /^(jwt\.decode|jose\.jwt\.decode|jose\.jws\.verify|django\.core\.signing\.loads|django\.contrib\.auth\.authenticate|bcrypt\.checkpw|hmac\.compare_digest|rsa\.verify|rsa\.decrypt)$/;
const SECURITY_METHODS = /^(verify|verify_signature|verify_token|validate_token|decrypt|check_password|checkpw|authenticate|has_perm|has_perms|has_permission|check_permissions?|unsign|timingSafeEqual|compareSync|createDecipheriv|jwtVerify|compactVerify|flattenedVerify|generalVerify|jwtDecrypt|compactDecrypt|verifyIdToken|decode_token)$/;

/** Inside a loop body (within the same function): `for key in keys: try: return verify(t, key) except: pass`. */
function inLoop(node: Node | ts.Node, lang: 'python' | 'javascript'): boolean {
  if (lang === 'python') {
    for (let n = (node as Node).parent; n; n = n.parent) {
      if (n.type === 'for_statement' || n.type === 'while_statement') return true;
      if (n.type === 'function_definition') return false;
    }
    return false;
  }
  for (let n = (node as ts.Node).parent; n; n = n.parent) {
    if (ts.isIterationStatement(n, false)) return true;
    if (ts.isFunctionLike(n)) return false;
  }
  return false;
}

// ---- Python ----

function pythonExcept(node: Node, ctx: PyContext): void {
  const value = node.childForFieldName('value') ?? node.namedChildren.find((c) => c && c.type !== 'block' && c.type !== 'comment') ?? null;
  const type = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
  if (type && !(type.type === 'identifier' && /^(Exception|BaseException)$/.test(type.text))) return;
  const block = node.namedChildren.find((c) => c?.type === 'block');
  const stmts = block?.namedChildren.filter((c) => !!c) ?? [];
  if (stmts.length !== 1 || stmts.some((s) => s!.type === 'comment')) return;
  const only = stmts[0]!;
  if (!(only.type === 'pass_statement' || (only.type === 'expression_statement' && only.namedChildren[0]?.type === 'ellipsis'))) return;
  if (isTestCode(ctx.file.path)) return;
  const tryBody = node.parent?.type === 'try_statement' ? node.parent.childForFieldName('body') : null;
  const call = tryBody ? securityCallPy(tryBody, ctx) : undefined;
  const fn = pyFunctionName(node);
  const named = isSecurityName(fn) || isSecurityName(pyClassName(node));
  if (!call && !named) return;
  if (inLoop(node, 'python')) return; // trying the next key or candidate: the loop decides
  const logger = pyModuleLogger(ctx.file);
  const edits: TextEdit[] = [
    { range: ctx.file.range(only), newText: `${logger ?? 'logging.getLogger(__name__)'}.exception("ignored error${fn ? ` in ${fn}` : ''}")` },
    ...(logger ? [] : pyImportEdit(ctx.file, 'logging')),
  ];
  ctx.report({
    range: { start: ctx.file.range(node).start, end: ctx.file.range(value ?? node.child(0)!).end },
    message: `\`${type ? type.text : 'except'}: pass\`${call ? ` swallows a failure of \`${call}\`` : ' in security code'}: a failed check goes unnoticed and the code carries on. `
      + 'Catch the specific exception, fail closed (deny, return None, re-raise) and log it.',
    severity: call ? 'warning' : 'info',
    fixes: [{ title: 'Log the exception', edits, safe: true }],
  });
}

/** The first security-relevant call in a try body, by qualified name or method name. */
function securityCallPy(body: Node, ctx: PyContext): string | undefined {
  for (const c of body.descendantsOfType('call')) {
    if (!c) continue;
    const q = ctx.file.callName(c);
    if (q && PY_SECURITY_CALLS.test(q)) return q;
    const f = c.childForFieldName('function');
    const m = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : f?.text;
    if (m && SECURITY_METHODS.test(m)) return f!.text;
  }
  return undefined;
}

// ---- JavaScript / TypeScript ----

const JS_SECURITY_CALLS = /^(jsonwebtoken\.verify|crypto\.verify|crypto\.timingSafeEqual|crypto\.createDecipheriv|bcrypt\.compare|bcryptjs\.compare|argon2\.verify)$/;

function javascriptCatch(node: ts.CatchClause, ctx: JsContext): void {
  if (node.block.statements.length > 0) return;
  // a comment inside says someone decided: `catch { /* not JSON */ }`
  const inner = ctx.file.text.slice(node.block.getStart(ctx.file.sourceFile) + 1, node.block.getEnd() - 1);
  if (inner.trim() !== '') return;
  if (isTestCode(ctx.file.path)) return;
  const tryStmt = node.parent as ts.TryStatement;
  let call: string | undefined;
  const visit = (n: ts.Node): void => {
    if (call) return;
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const q = ctx.file.callName(n);
      const callee = n.expression;
      const m = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
      if ((q && JS_SECURITY_CALLS.test(q)) || (m && SECURITY_METHODS.test(m))) { call = ctx.file.textOf(callee); return; }
    }
    ts.forEachChild(n, visit);
  };
  visit(tryStmt.tryBlock);
  const fn = jsFunctionName(tryStmt);
  if (!call && !isSecurityName(fn)) return;
  if (inLoop(tryStmt, 'javascript')) return; // trying the next key or candidate: the loop decides
  ctx.report({
    range: ctx.file.rangeOf(node.getStart(ctx.file.sourceFile), node.getStart(ctx.file.sourceFile) + 'catch'.length),
    message: `Empty \`catch\`${call ? ` swallows a failure of \`${call}\`` : ' in security code'}: a failed check goes unnoticed and the code carries on. Fail closed (deny, rethrow) and log the error.`,
    severity: call ? 'warning' : 'info',
  });
}
