import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Value } from '../engine/types';
import { skipOuter } from '../lang/javascript/front';
import { jsNumber, jsString, pyInt, pyLiteral, pyString } from './support/constants';
import {
  isGenericName, isPasswordContextName, jsIsBarePassword, type NameContext, jsMentionsPassword, jsNameContext, pyClassName, pyIsBarePassword,
  isTestCode, pyMentionsPassword, pyNameContext,
} from './support/auth';

/**
 * Passwords stored with a fast hash (MD5, SHA-1, SHA-2) or a slow one set too fast (bcrypt cost < 10, PBKDF2
 * below OWASP 2023's iteration counts), and Django PASSWORD_HASHERS led by a weak hasher.
 */
export default defineRule({
  meta: {
    id: 'weak-password-hash',
    title: 'Password hashed with a fast or weakened hash',
    description: 'MD5, SHA-1 and SHA-2 are built to be fast: a leaked table of such password hashes is cracked in hours. '
      + 'Store passwords with argon2, scrypt, bcrypt or PBKDF2 at current work factors.',
    cwe: ['CWE-916', 'CWE-328', 'CWE-759'],
    owasp: OWASP.A02,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 7.5,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
    assignment: (node, ctx) => pythonAssignment(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

/** OWASP Password Storage Cheat Sheet (2023) minimum PBKDF2 iterations per digest. */
const PBKDF2_MIN: Record<string, number> = { sha1: 1_300_000, sha256: 600_000, sha512: 210_000 };
const BCRYPT_MIN = 10;
const BCRYPT_FIX = 12;

const PY_SNIPPET = 'Use a password hash: `hashlib.scrypt(pw, salt=os.urandom(16), n=2**14, r=8, p=1)`, '
  + "argon2-cffi's `PasswordHasher().hash(pw)`, `bcrypt.hashpw(pw, bcrypt.gensalt())` or Django's `make_password(pw)`.";
const JS_SNIPPET = 'Use a password hash: `crypto.scrypt(pw, salt, 64, cb)` with a random 16-byte salt, '
  + "`argon2.hash(pw)` (argon2) or `bcrypt.hash(pw, 12)`.";

const WEAK_DJANGO_HASHERS = /\.(MD5PasswordHasher|SHA1PasswordHasher|UnsaltedMD5PasswordHasher|UnsaltedSHA1PasswordHasher|CryptPasswordHasher)$/;

// ---- Python ----

const PY_FAST = /^hashlib\.(md5|sha1|sha224|sha256|sha384|sha512|sha3_\d+|blake2[bs]|new)$/;

function pythonCall(node: Node, ctx: PyContext): void {
  if (isTestCode(ctx.file.path)) return;
  const name = ctx.file.callName(node) ?? hashUpdate(node, ctx);
  if (!name) return;
  if (PY_FAST.test(name)) return pythonFastHash(node, name, ctx);
  if (name.endsWith('.update')) return pythonFastHash(node, name.slice(0, -'.update'.length), ctx);
  if (name === 'hashlib.pbkdf2_hmac') {
    // a constant password is a self-test or feature probe (`pbkdf2_hmac("sha1", b"p", b"s", 1)`)
    if (ctx.file.valueOf(ctx.file.argument(node, 1, 'password') ?? null).kind === 'constant') return;
    return pbkdf2(ctx.file.argument(node, 3, 'iterations'), pyString(ctx.file, ctx.file.argument(node, 0, 'hash_name')), ctx, 'py');
  }
  if (name.endsWith('.PBKDF2HMAC') && name.startsWith('cryptography.')) {
    const alg = ctx.file.argument(node, 0, 'algorithm');
    const algName = alg?.type === 'call' ? ctx.file.callName(alg)?.split('.').pop()?.toLowerCase() : undefined;
    return pbkdf2(ctx.file.argument(node, 3, 'iterations'), algName, ctx, 'py');
  }
  if (name === 'bcrypt.gensalt') return bcryptRounds(ctx.file.argument(node, 0, 'rounds'), ctx, 'py');
  if (/^passlib\.hash\.bcrypt(_sha256)?\.using$/.test(name)) return bcryptRounds(ctx.file.keywordArgument(node, 'rounds'), ctx, 'py');
}

/** `h.update(pw)` where `h = hashlib.md5()`: named after the hash that made `h`. */
function hashUpdate(node: Node, ctx: PyContext): string | undefined {
  const f = node.childForFieldName('function');
  if (f?.type !== 'attribute' || f.childForFieldName('attribute')?.text !== 'update') return undefined;
  // a `hashlib.*()` origin needs the name hashlib in the file (`dict.update` is everywhere)
  if (!ctx.file.identifiers().has('hashlib')) return undefined;
  const origin = ctx.file.valueOf(f.childForFieldName('object')).origin;
  const m = origin ? /^(hashlib\.\w+)\(\)$/.exec(origin) : null;
  return m && PY_FAST.test(m[1]) && m[1] !== 'hashlib.new' ? `${m[1]}.update` : undefined;
}

function pythonFastHash(node: Node, name: string, ctx: PyContext): void {
  let algo = name.slice('hashlib.'.length);
  let data = ctx.file.argument(node, 0, 'string') ?? ctx.file.keywordArgument(node, 'data');
  if (algo === 'new') {
    algo = pyString(ctx.file, ctx.file.argument(node, 0, 'name'))?.toLowerCase() ?? 'new';
    data = ctx.file.argument(node, 1, 'data') ?? ctx.file.keywordArgument(node, 'string');
  }
  const named = namesPasswordHash(pyNameContext(ctx.file, node));
  if (!(data && pyMentionsPassword(data)) && !named) return;
  if (ctx.file.keywordArgument(node, 'usedforsecurity')) return;
  const unsalted = !!data && pyIsBarePassword(data);
  const value = data ? ctx.file.valueOf(data) : undefined;
  ctx.report({
    range: ctx.file.range(node.childForFieldName('function')!),
    message: `A password is hashed with \`${algo}\`${unsalted ? ' and no salt' : ''}: fast hashes are brute-forced offline. ${PY_SNIPPET}`,
    ...(value?.kind === 'tainted' ? { value } : {}),
  });
}

/** `PASSWORD_HASHERS = [...]` led by MD5/SHA-1/unsalted/crypt; `iterations = 1000` in a PBKDF2 hasher subclass. */
function pythonAssignment(node: Node, ctx: PyContext): void {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (left?.type !== 'identifier' || !right || ctx.file.enclosingFunction(node) || isTestCode(ctx.file.path)) return;
  if (/test/i.test(ctx.file.path.split(/[\\/]/).pop() ?? '')) return; // test settings use MD5 on purpose: speed
  if (left.text === 'PASSWORD_HASHERS' && (right.type === 'list' || right.type === 'tuple')) {
    if (/test/i.test(pyClassName(node) ?? '')) return;
    const first = right.namedChildren.find((c) => c && c.type !== 'comment');
    const hasher = first ? pyLiteral(first) : undefined;
    if (!first || !hasher || !WEAK_DJANGO_HASHERS.test(hasher)) return;
    const strong = '"django.contrib.auth.hashers.PBKDF2PasswordHasher"';
    const sep = right.startPosition.row === first.startPosition.row ? ', ' : `,\n${' '.repeat(first.startPosition.column)}`;
    ctx.report({
      range: ctx.file.range(first),
      message: `New passwords are stored with \`${hasher.split('.').pop()}\`, a fast or unsalted hash. `
        + 'Put `Argon2PasswordHasher`, `ScryptPasswordHasher` or `PBKDF2PasswordHasher` first; keep the weak one after it so old hashes still verify and are upgraded at login.',
      fixes: [{
        title: 'Put PBKDF2PasswordHasher first',
        edits: [{ range: { start: ctx.file.range(first).start, end: ctx.file.range(first).start }, newText: strong + sep }],
        safe: true,
      }],
    });
    return;
  }
  if (left.text === 'iterations') {
    const cls = node.parent?.parent?.parent; // assignment < expression_statement < block < class
    if (cls?.type !== 'class_definition') return;
    const bases = cls.childForFieldName('superclasses')?.text ?? '';
    const m = /PBKDF2(SHA1)?PasswordHasher/.exec(bases);
    if (m) pbkdf2(right, m[1] ? 'sha1' : 'sha256', ctx, 'py');
  }
}

/** `password_hash = md5(...)`, or `def hash_password(...)` returning it or keeping it in a generic name. */
function namesPasswordHash(c: NameContext): boolean {
  if (isPasswordContextName(c.receiver)) return true;
  const generic = c.receiver === undefined || isGenericName(c.receiver) || /^(hash|hashed|digest|hexdigest|hex|h|m|hasher|md5|sha1?)$/i.test(c.receiver);
  return generic && isPasswordContextName(c.functionName);
}

// ---- shared work-factor checks ----

type Ctx = PyContext | JsContext;

function pbkdf2(iterNode: Node | ts.Node | undefined, digest: string | undefined, ctx: Ctx, lang: 'py' | 'js'): void {
  if (!iterNode) return;
  const n = lang === 'py' ? pyInt((ctx as PyContext).file, iterNode as Node) : jsNumber((ctx as JsContext).file, iterNode as ts.Node);
  const d = (digest ?? 'sha256').toLowerCase().replace('-', '');
  const min = PBKDF2_MIN[d];
  if (n === undefined || !min || n >= min) return;
  const range = lang === 'py' ? (ctx as PyContext).file.range(iterNode as Node) : (ctx as JsContext).file.range(iterNode as ts.Node);
  ctx.report({
    range,
    message: `PBKDF2-${d.toUpperCase()} with ${n.toLocaleString('en-US')} iterations: OWASP (2023) asks for at least ${min.toLocaleString('en-US')}. `
      + 'Raise it (store the count with each hash so old hashes still verify), or move to argon2/scrypt.',
    severity: n * 6 < min ? 'warning' : 'info',
    fixes: [{ title: `Use ${min.toLocaleString('en-US')} iterations`, edits: [{ range, newText: min.toString().replace(/\B(?=(\d{3})+$)/g, '_') }] }],
  });
}

function bcryptRounds(roundsNode: Node | ts.Node | undefined, ctx: Ctx, lang: 'py' | 'js'): void {
  if (!roundsNode) return;
  const n = lang === 'py' ? pyInt((ctx as PyContext).file, roundsNode as Node) : jsNumber((ctx as JsContext).file, roundsNode as ts.Node);
  if (n === undefined || n >= BCRYPT_MIN) return;
  const range = lang === 'py' ? (ctx as PyContext).file.range(roundsNode as Node) : (ctx as JsContext).file.range(roundsNode as ts.Node);
  ctx.report({
    range,
    message: `bcrypt with cost ${n}: each extra unit doubles the attacker's work; use at least ${BCRYPT_MIN} (12 is common). Hashes keep their own cost, so existing ones still verify.`,
    // a bcrypt hash records its cost: raising it keeps every stored hash verifiable
    fixes: [{ title: `Use cost ${BCRYPT_FIX}`, edits: [{ range, newText: String(BCRYPT_FIX) }], safe: true }],
  });
}

// ---- JavaScript / TypeScript ----

const JS_HASH_FUNCTIONS = /^(md5|blueimp-md5|js-md5|sha1|js-sha1|js-sha256|js-sha512|crypto-js\/(md5|sha1|sha256|sha512|sha3)|crypto-js\.(MD5|SHA1|SHA256|SHA512|SHA3)|js-sha256\.sha256|js-sha512\.sha512|js-sha1\.sha1)$/;

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  if (isTestCode(ctx.file.path)) return;
  const name = ctx.file.callName(node);
  const m = name && /^(bcrypt|bcryptjs)\.(hash|hashSync|genSalt|genSaltSync)$/.exec(name);
  if (m) {
    const idx = m[2].startsWith('genSalt') ? 0 : 1;
    const arg = node.arguments[idx];
    if (arg && !ts.isStringLiteralLike(arg)) bcryptRounds(arg, ctx, 'js');
    return;
  }
  if (name === 'crypto.pbkdf2' || name === 'crypto.pbkdf2Sync') {
    return pbkdf2(node.arguments[2], jsString(ctx.file, node.arguments[4]), ctx, 'js');
  }
  let algo: string | undefined;
  let data: ts.Expression | undefined;
  const callee = node.expression;
  if (name && JS_HASH_FUNCTIONS.test(name)) {
    algo = name.split(/[./]/).pop()!.replace(/^(blueimp|js)-/, '');
    data = node.arguments[0];
  } else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'update') {
    const inner = skipOuter(callee.expression);
    if (!ts.isCallExpression(inner) || ctx.file.callName(inner) !== 'crypto.createHash') return;
    algo = jsString(ctx.file, inner.arguments[0])?.toLowerCase();
    if (!algo || /^(scrypt|argon)/.test(algo)) return;
    data = node.arguments[0];
  } else {
    return;
  }
  const named = namesPasswordHash(jsNameContext(node));
  if (!(data && jsMentionsPassword(data)) && !named) return;
  const unsalted = !!data && jsIsBarePassword(data);
  const value: Value | undefined = data ? ctx.file.valueOf(data) : undefined;
  ctx.report({
    range: ctx.file.range(node.expression),
    message: `A password is hashed with \`${algo}\`${unsalted ? ' and no salt' : ''}: fast hashes are brute-forced offline. ${JS_SNIPPET}`,
    ...(value?.kind === 'tainted' ? { value } : {}),
  });
}
