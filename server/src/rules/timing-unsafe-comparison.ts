import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix, type Value } from '../engine/types';
import { describeSource } from '../engine/rule';
import { skipOuter } from '../lang/javascript/front';
import { isSecretName } from './support/auth';
import { nameWords } from './support/constants';
import { ensureDefaultImport } from './support/javascript-web';
import { importModule } from './support/python-sinks';

/**
 * `===` on a secret (a signature, HMAC, token, API key) stops at the first differing character, so the
 * response time tells an attacker how much of a guess was right. Reported when request data meets a
 * value named like a secret, or two secrets are compared in a file that computes HMACs or digests.
 */
export default defineRule({
  meta: {
    id: 'timing-unsafe-comparison',
    title: 'Secret compared with a timing-unsafe operator',
    description: '`===` on a signature, token or key returns as soon as a character differs; the timing reveals how much of a guess was right.',
    cwe: ['CWE-208'],
    owasp: OWASP.A02,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 5.9,
    languages: ['python', 'javascript'],
  },
  python: {
    comparison_operator: (node, ctx) => pythonComparison(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.BinaryExpression]: (node: ts.BinaryExpression, ctx) => javascriptBinary(node, ctx),
  },
});

const EQUALITY = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);

/** Words of a computed or transmitted proof that isSecretName does not know. */
const PROOF_WORDS = new Set(['signature', 'signatures', 'sig', 'hmac', 'digest', 'mac']);
const HASH_QUALIFIERS = new Set(['password', 'passwd', 'pw', 'pass', 'token', 'secret', 'key', 'api', 'otp', 'code', 'pin']);

/** The name a compared expression goes by: `sig`, `user.apiKey`, `req.headers['x-signature']`, `req.get('X-Hub-Signature')`, `hmac.digest('hex')`. */
function nameOf(e: ts.Expression): string | undefined {
  e = skipOuter(e);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) return e.argumentExpression.text;
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
    const method = e.expression.name.text;
    if (method === 'digest') return 'digest';
    if (/^(get|header|getHeader)$/.test(method) && e.arguments.length === 1 && ts.isStringLiteralLike(e.arguments[0])) return e.arguments[0].text;
    if (/^(toString|trim|toLowerCase|toUpperCase)$/.test(method)) return nameOf(e.expression.expression);
  }
  return undefined;
}

function isSecretLike(name: string | undefined): boolean {
  if (!name) return false;
  const words = nameWords(name);
  if (words.some((w) => /^(length|len|size|count|type|kind|name|id|ids|url|uri|expiry|expires|exp|at|time|date|version|alg|algorithm|header|format|encoding|prefix|scheme)$/.test(w))) return false;
  // a CSRF token belongs to the requester's own session: timing it teaches an attacker nothing they lack
  if (words.some((w) => w === 'csrf' || w === 'xsrf')) return false;
  if (words.some((w) => PROOF_WORDS.has(w))) return true;
  if (words.some((w) => w === 'hash' || w === 'hashed') && words.some((w) => HASH_QUALIFIERS.has(w))) return true;
  return isSecretName(name);
}

/** Constants, `undefined`, `null`, booleans, numbers, `typeof x`, lengths: nothing secret to leak. */
function isTrivial(e: ts.Expression, ctx: JsContext): boolean {
  e = skipOuter(e);
  switch (e.kind) {
    case ts.SyntaxKind.NullKeyword: case ts.SyntaxKind.TrueKeyword: case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NumericLiteral: case ts.SyntaxKind.BigIntLiteral: case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral: case ts.SyntaxKind.TypeOfExpression: case ts.SyntaxKind.VoidExpression:
    case ts.SyntaxKind.PrefixUnaryExpression:
      return true;
  }
  if (ts.isIdentifier(e) && /^(undefined|NaN|Infinity)$/.test(e.text)) return true;
  if (ts.isPropertyAccessExpression(e) && /^(length|size|byteLength)$/.test(e.name.text)) return true;
  const v = ctx.file.valueOf(e);
  return v.kind === 'constant' || (v.kind === 'unknown' && !!v.cleared?.includes('sql') && !!v.cleared?.includes('html'));
}

function javascriptBinary(node: ts.BinaryExpression, ctx: JsContext): void {
  if (!EQUALITY.has(node.operatorToken.kind)) return;
  const { left, right } = node;
  // the names first: they are cheap, and most comparisons name no secret (the data flow is not)
  const ln = nameOf(left), rn = nameOf(right);
  const ls = isSecretLike(ln), rs = isSecretLike(rn);
  if (!ls && !rs) return;
  // a timing attack needs a server answering requests: without network input only the two-secrets case is left
  const proof = (n: string | undefined) => !!n && nameWords(n).some((w) => PROOF_WORDS.has(w));
  const twoSecrets = ls && rs && (proof(ln) || proof(rn)) && ctx.file.importsModule('crypto');
  if (!twoSecrets && !ctx.file.mayHaveServerTaint()) return;
  if (isTrivial(left, ctx) || isTrivial(right, ctx)) return;
  const file = ctx.file;
  const lv = file.valueOf(left), rv = file.valueOf(right);
  // a user comparing two of their own inputs (`password === confirmPassword`) learns nothing
  if (lv.kind === 'tainted' && rv.kind === 'tainted') return;
  const sent: Value | undefined = lv.kind === 'tainted' ? lv : rv.kind === 'tainted' ? rv : undefined;
  let message: string;
  if (sent) {
    const other = sent === lv ? right : left;
    const otherText = file.textOf(other).length <= 40 ? file.textOf(other) : (sent === lv ? rn : ln) ?? 'a secret';
    message = `${describeSource(sent)} is compared with \`${otherText}\` by \`${node.operatorToken.getText(file.sourceFile)}\`, which stops at the first differing character: `
      + 'response times reveal how much of a guess is right. Compare with `crypto.timingSafeEqual` (after checking the lengths).';
  } else {
    // two secrets of unknown origin: only signatures and digests, where the file computes them (webhook checks)
    if (!twoSecrets) return;
    message = `\`${ln}\` and \`${rn}\` look like secrets and are compared by \`${node.operatorToken.getText(file.sourceFile)}\`, which stops at the first differing character. `
      + 'If one of them comes from a request, compare with `crypto.timingSafeEqual` (after checking the lengths).';
  }
  ctx.report({ range: file.range(node), message, severity: sent ? 'warning' : 'hint', confidence: sent ? 'medium' : 'low', ...(sent ? { value: sent } : {}), fixes: fix(node, ctx) });
}

/** `a === b` -> a constant-time comparison of both as UTF-8 buffers, lengths first (timingSafeEqual throws on a mismatch). */
function fix(node: ts.BinaryExpression, ctx: JsContext): Fix[] {
  const file = ctx.file;
  // the operands are evaluated twice: only side-effect-free ones
  const plain = (e: ts.Expression): boolean => {
    e = skipOuter(e);
    return ts.isIdentifier(e) || (ts.isPropertyAccessExpression(e) && plain(e.expression))
      || (ts.isElementAccessExpression(e) && plain(e.expression) && (ts.isStringLiteralLike(e.argumentExpression) || ts.isNumericLiteral(e.argumentExpression)));
  };
  if (!plain(node.left) || !plain(node.right)) return [];
  const imp = ensureDefaultImport(file, 'node:crypto', 'crypto', ['crypto'], true);
  const a = `Buffer.from(String(${file.textOf(node.left)}))`, b = `Buffer.from(String(${file.textOf(node.right)}))`;
  const test = `${a}.length === ${b}.length && ${imp.name}.timingSafeEqual(${a}, ${b})`;
  const negated = node.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsEqualsToken || node.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsToken;
  const p = node.parent;
  const bare = !negated && ((ts.isIfStatement(p) && p.expression === node) || ts.isReturnStatement(p) || ts.isParenthesizedExpression(p)
    || (ts.isVariableDeclaration(p) && p.initializer === node));
  return [{
    title: 'Compare in constant time with crypto.timingSafeEqual',
    edits: [{ range: file.range(node), newText: bare ? test : negated ? `!(${test})` : `(${test})` }, ...imp.edits],
    preferred: true,
  }];
}

// ---- Python ----

/** The name a compared Python expression goes by: `sig`, `user.api_key`, `request.headers["X-Signature"]`, `.get("X-Signature")`, `.hexdigest()`. */
function pyNameOf(e: Node): string | undefined {
  if (e.type === 'parenthesized_expression' && e.namedChildCount === 1) return pyNameOf(e.namedChild(0)!);
  if (e.type === 'identifier') return e.text;
  if (e.type === 'attribute') return e.childForFieldName('attribute')?.text;
  if (e.type === 'subscript') {
    const key = e.childForFieldName('subscript');
    return key?.type === 'string' ? key.namedChildren.find((c) => c?.type === 'string_content')?.text : undefined;
  }
  if (e.type === 'call') {
    const fn = e.childForFieldName('function');
    if (fn?.type !== 'attribute') return undefined;
    const method = fn.childForFieldName('attribute')?.text ?? '';
    if (method === 'digest' || method === 'hexdigest') return 'digest';
    const args = e.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
    if (method === 'get' && args[0]?.type === 'string') return args[0].namedChildren.find((c) => c?.type === 'string_content')?.text;
    if (/^(strip|lower|upper|decode|encode)$/.test(method)) return pyNameOf(fn.childForFieldName('object')!);
  }
  return undefined;
}

function pyTrivial(e: Node, ctx: PyContext): boolean {
  if (/^(none|true|false|integer|float|string|concatenated_string)$/.test(e.type)) return true;
  if (e.type === 'call') {
    const fn = e.childForFieldName('function');
    if (fn?.type === 'identifier' && /^(len|type|int|bool|isinstance)$/.test(fn.text)) return true;
  }
  const v = ctx.file.valueOf(e);
  return v.kind === 'constant' || (v.kind === 'unknown' && !!v.cleared?.includes('sql') && !!v.cleared?.includes('html'));
}

function pythonComparison(node: Node, ctx: PyContext): void {
  const parts = node.namedChildren.filter((c) => c && c.type !== 'comment') as Node[];
  const ops = node.children.filter((c) => c && !c.isNamed) as Node[];
  if (parts.length !== 2 || ops.length !== 1 || (ops[0].type !== '==' && ops[0].type !== '!=')) return;
  const [left, right] = parts;
  const ln = pyNameOf(left), rn = pyNameOf(right);
  const ls = isSecretLike(ln), rs = isSecretLike(rn);
  if (!ls && !rs) return;
  const file = ctx.file;
  const proof = (n: string | undefined) => !!n && nameWords(n).some((w) => PROOF_WORDS.has(w));
  const twoSecrets = ls && rs && (proof(ln) || proof(rn)) && file.importsModule('hmac');
  if (pyTrivial(left, ctx) || pyTrivial(right, ctx)) return;
  const lv = file.valueOf(left), rv = file.valueOf(right);
  if (lv.kind === 'tainted' && rv.kind === 'tainted') return;
  const sent: Value | undefined = lv.kind === 'tainted' ? lv : rv.kind === 'tainted' ? rv : undefined;
  if (!sent && !twoSecrets) return;
  const other = sent === lv ? right : left;
  const message = sent
    ? `${describeSource(sent)} is compared with \`${other.text.length <= 40 ? other.text : 'a secret'}\` by \`${ops[0].type}\`, which stops at the first differing character: `
      + 'response times reveal how much of a guess is right. Compare with `hmac.compare_digest`.'
    : `\`${ln}\` and \`${rn}\` look like secrets and are compared by \`${ops[0].type}\`, which stops at the first differing character. `
      + 'If one of them comes from a request, compare with `hmac.compare_digest`.';
  const hmac = importModule(file, 'hmac');
  const call = `${hmac.local}.compare_digest(${left.text}, ${right.text})`;
  ctx.report({
    range: file.range(node), message, severity: sent ? 'warning' : 'hint', confidence: sent ? 'medium' : 'low', ...(sent ? { value: sent } : {}),
    fixes: [{ title: 'Compare in constant time with hmac.compare_digest', edits: [{ range: file.range(node), newText: ops[0].type === '!=' ? `not ${call}` : call }, ...hmac.edits], preferred: true }],
  });
}
