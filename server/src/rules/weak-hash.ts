import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { nameWords, pyString } from './support/constants';
import { destinationText, jsDestination, pyDestination } from './support/value-destinations';
import { jsString } from './support/constants';
import { contextName, isPasswordContextName, jsNameContext, isSecretName, pyClassName, pyMentionsPassword, pyNameContext, isTestCode } from './support/auth';

/**
 * MD5 and SHA-1 in Python. For a digest that protects nothing (checksum, cache key, ETag) the fix states it with
 * `usedforsecurity=False`, which also keeps the code running on FIPS systems; for a digest named like a signature
 * or token, the advice is SHA-256 or HMAC. Passwords are weak-password-hash's concern.
 */
export default defineRule({
  meta: {
    id: 'weak-hash',
    title: 'MD5 or SHA-1 digest',
    description: 'MD5 and SHA-1 collide: they must not protect integrity or authenticity. Mark non-security digests '
      + '(checksums, cache keys, ETags) with usedforsecurity=False; use SHA-256 or HMAC for security.',
    cwe: ['CWE-328', 'CWE-327'],
    owasp: OWASP.A02,
    severity: 'hint',
    confidence: 'medium',
    securitySeverity: 5.3,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

/** Names of values that authenticate or protect something. */
const SECURITY_WORDS = /^(signature|sig|signed|sign|mac|hmac|verify|verification|auth|authenticate|integrity|tamper|nonce|token|secret|otp|csrf|credential|credentials|crypt|encrypt|decrypt|cipher|kdf|derive)$/;

/** Identifier and attribute names read by an expression (`app.secret + url` -> secret, url, app). */
function namesIn(node: Node): string[] {
  const out: string[] = [];
  for (const n of [node, ...node.descendantsOfType(['identifier', 'attribute'])]) {
    if (!n) continue;
    if (n.type === 'identifier' && n.parent?.type !== 'attribute' && n.parent?.type !== 'keyword_argument') out.push(n.text);
    if (n.type === 'attribute') {
      const isCallee = n.parent?.type === 'call' && n.parent.childForFieldName('function')?.equals(n);
      if (!isCallee) out.push(n.childForFieldName('attribute')!.text);
    }
  }
  return out;
}

function pythonCall(node: Node, ctx: PyContext): void {
  const name = ctx.file.callName(node);
  if (!name || !/^hashlib\.(md5|sha1|new)$/.test(name) || isTestCode(ctx.file.path)) return;
  let algo = name.slice('hashlib.'.length);
  let data = ctx.file.argument(node, 0, 'string');
  if (algo === 'new') {
    algo = pyString(ctx.file, ctx.file.argument(node, 0, 'name'))?.toLowerCase() ?? '';
    if (algo !== 'md5' && algo !== 'sha1') return;
    data = ctx.file.argument(node, 1, 'data');
  }
  const flag = ctx.file.keywordArgument(node, 'usedforsecurity');
  if (flag) return; // the author decided
  const c = pyNameContext(ctx.file, node);
  // a password: weak-password-hash reports it
  if ((data && pyMentionsPassword(data)) || isPasswordContextName(c.receiver) || (!c.receiver && isPasswordContextName(c.functionName))) return;
  const where = contextName(c);
  const securityName = (n: string | undefined) => !!n && (isSecretName(n) || nameWords(n).some((w) => SECURITY_WORDS.test(w)));
  // a digest of a secret (`md5(app.secret + url)`) or inside crypt/signing code is a security use
  const secretInput = data ? namesIn(data).find((n) => isSecretName(n)) : undefined;
  // receivers like `hasher` say nothing; the function or class implementing a crypt or hasher does
  const codeName = (n: string | undefined) => securityName(n) || /hasher|crypt/i.test(n ?? '');
  const named = securityName(where) || codeName(c.functionName) || codeName(pyClassName(node)) || !!secretInput;
  // whatever it is called: a digest that becomes a cookie, a session entry, a link, or is compared, guards something
  const dest = named ? undefined : pyDestination(ctx.file, node);
  const security = named || !!dest;
  const args = node.childForFieldName('arguments')!;
  const last = args.namedChildren.filter((a) => a && a.type !== 'comment').pop();
  const insertAt = last ? ctx.file.range(last).end : { line: args.startPosition.row, character: args.startPosition.column + 1 };
  const edits = [{ range: { start: insertAt, end: insertAt }, newText: `${last ? ', ' : ''}usedforsecurity=False` }];
  if (security) {
    const callee = node.childForFieldName('function')!;
    ctx.report({
      range: ctx.file.range(callee),
      message: `\`${algo}\` ${dest ? `makes a digest that becomes ${destinationText(dest)}` : secretInput ? `digests \`${secretInput}\`` : `makes \`${where ?? pyClassName(node)}\``}, which looks security-relevant: ${algo.toUpperCase()} collisions are practical. Use \`hashlib.sha256\`, or \`hmac.new(key, msg, "sha256")\` to authenticate data.`,
      severity: 'warning',
      fixes: callee.type === 'attribute' && algo === name.slice(8) ? [{ title: 'Use hashlib.sha256', edits: [{ range: ctx.file.range(callee), newText: `${callee.text.replace(/(md5|sha1)$/, 'sha256')}` }] }] : [],
    });
    return;
  }
  ctx.report({
    range: ctx.file.range(node.childForFieldName('function')!),
    message: `\`${algo}\` is broken for security. If this digest only identifies data (checksum, cache key, ETag), say so with \`usedforsecurity=False\`; otherwise use \`hashlib.sha256\`.`,
    fixes: [{ title: 'Mark as a non-security digest (usedforsecurity=False)', edits, preferred: true, safe: true }],
  });
}

// ---- JavaScript / TypeScript ----

/**
 * `crypto.createHash('md5' | 'sha1')` whose digest becomes a cookie, a session entry or a link, or is compared:
 * a warning. Other JS digests (ETags, cache keys) are left alone; passwords are weak-password-hash's concern.
 */
function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const f = ctx.file;
  if (f.callName(node) !== 'crypto.createHash' || isTestCode(f.path)) return;
  const algo = jsString(f, node.arguments[0])?.toLowerCase();
  if (algo !== 'md5' && algo !== 'sha1') return;
  const c = jsNameContext(node);
  if (isPasswordContextName(c.receiver) || isPasswordContextName(c.functionName)) return;
  // the digest: the end of `createHash(...).update(x).digest(...)`
  let end: ts.Expression = node;
  for (let i = 0; i < 8; i++) {
    const p = end.parent;
    if (!ts.isPropertyAccessExpression(p) || !ts.isCallExpression(p.parent) || p.parent.expression !== p) break;
    if (p.name.text === 'update' && p.parent.arguments.some((a) => /password|passwd|pwd/i.test(f.textOf(a)))) return;
    end = p.parent;
  }
  const dest = jsDestination(f, end);
  if (!dest) return;
  const arg = node.arguments[0];
  ctx.report({
    range: f.range(node.expression),
    message: `\`${algo}\` makes a digest that becomes ${destinationText(dest)}: ${algo.toUpperCase()} collisions are practical. Use \`crypto.createHmac('sha256', key)\` to authenticate data, or \`sha256\`.`,
    severity: 'warning',
    fixes: ts.isStringLiteral(arg) ? [{ title: 'Use sha256', edits: [{ range: f.range(arg), newText: `'sha256'` }] }] : [],
  });
}
