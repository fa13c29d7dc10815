import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { jsNumber, jsPropName, jsString, pyInt, pyLiteral, skipTestsJs, skipTestsPy } from './support/constants';

export default defineRule({
  meta: {
    id: 'weak-cipher',
    title: 'Broken or misused encryption',
    description: 'DES, 3DES, RC4 and Blowfish are broken or too small, ECB mode leaks patterns, a fixed IV repeats ciphertexts, and RSA keys under 2048 bits can be factored.',
    cwe: ['CWE-327', 'CWE-326', 'CWE-329'],
    owasp: OWASP.A02,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 7.5,
    languages: ['python', 'javascript'],
  },
  python: skipTestsPy({
    call: (node, ctx) => pythonCall(node, ctx),
    import_statement: (node, ctx) => pythonImport(node, ctx),
    import_from_statement: (node, ctx) => pythonImport(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
    [ts.SyntaxKind.PropertyAccessExpression]: (node: ts.PropertyAccessExpression, ctx) => javascriptMember(node, ctx),
    [ts.SyntaxKind.PropertyAssignment]: (node: ts.PropertyAssignment, ctx) => javascriptModulus(node, ctx),
  }),
});

const MIN_RSA_BITS = 2048;
const BROKEN_CIPHER = /^(des|des3|tripledes|arc4|rc4|arc2|rc2|blowfish|cast|cast5|idea|seed|xor)$/i;

// ---- Python ----

/** `Crypto.Cipher.DES.new` / `Cryptodome.Cipher.ARC4.new` -> `DES` / `ARC4`. */
function pycryptoCipher(name: string): string | undefined {
  const m = /^(?:Crypto|Cryptodome)\.Cipher\.([A-Za-z0-9]+)\.new$/.exec(name);
  return m?.[1];
}

function pythonCall(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const name = f.callName(node);
  if (!name) return;
  const pyc = pycryptoCipher(name);
  if (pyc) {
    if (BROKEN_CIPHER.test(pyc)) {
      ctx.report({ range: f.range(node), message: `${pyc} is a broken cipher: use AES-GCM or ChaCha20-Poly1305.` });
      return;
    }
    const mode = f.argument(node, 1, 'mode');
    const modeName = mode ? f.qualifiedName(mode) ?? mode.text : undefined;
    if (modeName?.endsWith('MODE_ECB')) {
      ctx.report({ range: f.range(mode!), message: 'ECB mode encrypts equal blocks to equal ciphertext and leaks the structure of the data: use GCM (`MODE_GCM`).' });
    }
    const iv = f.keywordArgument(node, 'iv') ?? f.keywordArgument(node, 'nonce') ?? (modeName && !modeName.endsWith('MODE_ECB') ? f.argument(node, 2) : undefined);
    if (iv && isConstantBytes(f, iv)) staticIv(f.range(iv), ctx);
    return;
  }
  const m = /^cryptography\.hazmat\.primitives\.ciphers\.(algorithms|modes)\.([A-Za-z0-9]+)$/.exec(name)
    ?? /^cryptography\.hazmat\.decrepit\.ciphers\.(algorithms)\.([A-Za-z0-9]+)$/.exec(name);
  if (m) {
    const [, kind, cls] = m;
    if (kind === 'algorithms' && /^(TripleDES|Blowfish|ARC4|CAST5|IDEA|SEED)$/.test(cls)) {
      ctx.report({ range: f.range(node), message: `${cls} is a broken or legacy cipher: use AES-GCM (\`AESGCM\`) or ChaCha20-Poly1305.` });
    } else if (kind === 'modes' && cls === 'ECB' && !isKeyWrap(node, ctx)) {
      ctx.report({ range: f.range(node), message: 'ECB mode encrypts equal blocks to equal ciphertext and leaks the structure of the data: use GCM.' });
    } else if (kind === 'modes' && /^(CBC|CTR|OFB|CFB|CFB8|GCM)$/.test(cls) && isCipherArgument(node, ctx)) {
      const iv = f.argument(node, 0, cls === 'CTR' ? 'nonce' : cls === 'GCM' ? 'initialization_vector' : 'initialization_vector');
      if (iv && isConstantBytes(f, iv)) staticIv(f.range(iv), ctx);
    }
    return;
  }
  if (/^cryptography\.hazmat\.primitives\.asymmetric\.(rsa|dsa)\.generate_private_key$/.test(name)
    || /^(Crypto|Cryptodome)\.PublicKey\.(RSA|DSA)\.generate$/.test(name)) {
    const size = f.argument(node, name.endsWith('generate') ? 0 : 1, name.endsWith('generate') ? 'bits' : 'key_size');
    const bits = pyInt(f, size);
    if (size && bits !== undefined && bits < MIN_RSA_BITS) weakKey(f.range(size), bits, size.type === 'integer', ctx);
  }
}

/** `Cipher(algorithms.AES(k), modes.CBC(iv))`: the mode encrypts (and is not, say, probed for support). */
function isCipherArgument(mode: Node, ctx: PyContext): boolean {
  const call = mode.parent?.parent;
  return call?.type === 'call' && /(^|\.)Cipher$/.test(ctx.file.callName(call) ?? '');
}

/** AES key wrap (RFC 3394) is built on single-block ECB: `Cipher(AES(wrapping_key), ECB())`. */
function isKeyWrap(mode: Node, ctx: PyContext): boolean {
  const call = mode.parent?.parent;
  const algorithm = call?.type === 'call' ? ctx.file.argument(call, 0) : undefined;
  const key = algorithm?.type === 'call' ? ctx.file.argument(algorithm, 0)?.text ?? '' : '';
  const fn = ctx.file.enclosingFunction(mode)?.childForFieldName('name')?.text ?? '';
  return /wrap|kek/i.test(key) || /wrap/i.test(fn);
}

function isConstantBytes(f: PyContext['file'], node: Node): boolean {
  if (pyLiteral(node) !== undefined) return true;
  // b"\x00" * 16
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '*') {
    return pyLiteral(node.childForFieldName('left')) !== undefined;
  }
  return node.type === 'identifier' && f.valueOf(node).kind === 'constant' && f.stringValue(node) !== undefined;
}

const reportedPyCrypto = new WeakSet<object>();

function pythonImport(node: Node, ctx: PyContext): void {
  const module = node.type === 'import_from_statement'
    ? node.childForFieldName('module_name')?.text
    : node.namedChildren.map((c) => (c?.type === 'aliased_import' ? c.childForFieldName('name')?.text : c?.text)).find((t) => t?.split('.')[0] === 'Crypto');
  if (!module || module.split('.')[0] !== 'Crypto') return;
  if (reportedPyCrypto.has(ctx.file)) return; // once per file
  reportedPyCrypto.add(ctx.file);
  ctx.report({
    range: ctx.file.range(node),
    severity: 'hint',
    confidence: 'low',
    message: 'The `Crypto` package is PyCrypto (unmaintained since 2013, known vulnerabilities) unless pycryptodome provides it: make sure pycryptodome is installed, or use `cryptography` or `Cryptodome` (pycryptodomex).',
  });
}

// ---- JavaScript / TypeScript ----

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const f = ctx.file;
  const name = f.callName(node);
  if (!name) return;
  const fn = name.slice(name.lastIndexOf('.') + 1);
  const mod = name.slice(0, name.indexOf('.') === -1 ? name.length : name.indexOf('.'));
  if (mod === 'crypto' && (fn === 'createCipher' || fn === 'createDecipher')) {
    ctx.report({
      range: f.range(node.expression),
      message: `\`crypto.${fn}\` derives the key with a single MD5 pass and uses no IV (removed in Node 22): use \`crypto.${fn}iv\` with a key from \`scrypt\` and a random IV from \`randomBytes\`.`,
    });
    return;
  }
  if (mod === 'crypto' && (fn === 'createCipheriv' || fn === 'createDecipheriv')) {
    const alg = jsString(f, node.arguments[0])?.toLowerCase();
    if (alg && /^(des|des-|des3|rc4|rc2|bf-|bf$|blowfish|cast|idea|seed)/.test(alg)) {
      ctx.report({ range: f.range(node.arguments[0]), message: `\`${alg}\` is a broken cipher: use \`aes-256-gcm\` or \`chacha20-poly1305\`.` });
    } else if (alg && /-ecb$/.test(alg)) {
      ctx.report({ range: f.range(node.arguments[0]), message: `\`${alg}\` uses ECB mode, which leaks the structure of the data: use \`aes-256-gcm\`.` });
    }
    const iv = node.arguments[2];
    // AES key wrap (RFC 3394) uses the fixed IV A6A6A6A6A6A6A6A6 by definition
    if (fn === 'createCipheriv' && iv && !/-ecb$/.test(alg ?? '') && !/-wrap/.test(alg ?? '') && !inJsKeyWrap(node) && isConstantBuffer(f, iv)) staticIv(f.range(iv), ctx);
    return;
  }
  if (mod === 'crypto' && (fn === 'generateKeyPair' || fn === 'generateKeyPairSync')) {
    const type = jsString(f, node.arguments[0]);
    const opts = node.arguments[1];
    if ((type === 'rsa' || type === 'dsa' || type === 'rsa-pss') && opts && ts.isObjectLiteralExpression(opts)) checkModulus(opts, ctx);
    return;
  }
  if (mod === 'crypto-js' && /^crypto-js\.(DES|TripleDES|RC4|RC4Drop|Rabbit)\.(encrypt|decrypt)$/.test(name)) {
    ctx.report({ range: f.range(node.expression), message: `${name.split('.')[1]} is a broken or weak cipher: use AES-GCM through the Web Crypto API or Node's crypto.` });
  }
}

function inJsKeyWrap(node: ts.Node): boolean {
  for (let n: ts.Node = node; n.parent; n = n.parent) {
    const p = n.parent;
    if (!ts.isFunctionLike(p)) continue;
    const name = p.name && ts.isIdentifier(p.name) ? p.name.text
      : ts.isVariableDeclaration(p.parent) && ts.isIdentifier(p.parent.name) ? p.parent.name.text : '';
    return /wrap/i.test(name);
  }
  return false;
}

function isConstantBuffer(f: JsContext['file'], node: ts.Expression): boolean {
  if (ts.isStringLiteralLike(node)) return true;
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression)
    && node.expression.expression.text === 'Buffer') {
    const m = node.expression.name.text;
    if (m === 'alloc') return node.arguments.length === 1 || isConstantArg(f, node.arguments[1]);
    if (m === 'from') return isConstantArg(f, node.arguments[0]);
  }
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && /^(Uint8Array|Buffer)$/.test(node.expression.text)) {
    const a = node.arguments?.[0];
    return !!a && (ts.isNumericLiteral(a) || ts.isArrayLiteralExpression(a) && a.elements.every((e) => ts.isNumericLiteral(e)));
  }
  return false;
}

function isConstantArg(f: JsContext['file'], node: ts.Expression | undefined): boolean {
  if (!node) return false;
  if (ts.isStringLiteralLike(node) || ts.isNumericLiteral(node)) return true;
  if (ts.isArrayLiteralExpression(node)) return node.elements.every((e) => ts.isNumericLiteral(e));
  return f.stringValue(node) !== undefined;
}

function javascriptMember(node: ts.PropertyAccessExpression, ctx: JsContext): void {
  // CryptoJS.mode.ECB
  if (node.name.text !== 'ECB') return;
  const q = ctx.file.qualifiedName(node);
  if (q === 'crypto-js.mode.ECB' || q === 'crypto-js/mode-ecb') {
    ctx.report({ range: ctx.file.range(node), message: 'ECB mode encrypts equal blocks to equal ciphertext and leaks the structure of the data: use an authenticated mode (AES-GCM).' });
  }
}

/** Web Crypto `{ name: 'RSA-OAEP', modulusLength: 1024 }` and key-pair options. */
function javascriptModulus(node: ts.PropertyAssignment, ctx: JsContext): void {
  if (jsPropName(node.name) !== 'modulusLength') return;
  const obj = node.parent;
  if (!ts.isObjectLiteralExpression(obj)) return;
  // generateKeyPair options are handled with their call (they name the algorithm there)
  const call = obj.parent;
  if (ts.isCallExpression(call) && /\.generateKeyPair(Sync)?$/.test(ctx.file.callName(call) ?? '')) return;
  checkModulus(obj, ctx);
}

function checkModulus(obj: ts.ObjectLiteralExpression, ctx: JsContext): void {
  for (const p of obj.properties) {
    if (!ts.isPropertyAssignment(p) || jsPropName(p.name) !== 'modulusLength') continue;
    const bits = jsNumber(ctx.file, p.initializer);
    if (bits !== undefined && bits < MIN_RSA_BITS) weakKey(ctx.file.range(p.initializer), bits, ts.isNumericLiteral(p.initializer), ctx);
  }
}

// ---- shared ----

function weakKey(range: import('../engine/types').Range, bits: number, literal: boolean, ctx: { report: PyContext['report'] }): void {
  ctx.report({
    range,
    message: `A ${bits}-bit key can be factored or brute-forced: use at least ${MIN_RSA_BITS} bits (3072 for use beyond 2030).`,
    fixes: literal ? [{ title: `Use a ${MIN_RSA_BITS}-bit key`, edits: [{ range, newText: String(MIN_RSA_BITS) }], preferred: true }] : [],
  });
}

function staticIv(range: import('../engine/types').Range, ctx: { report: PyContext['report'] }): void {
  ctx.report({
    range,
    severity: 'warning',
    message: 'A fixed IV or nonce makes equal plaintexts encrypt to equal ciphertexts (and breaks GCM/CTR entirely): generate a random one per message and store it with the ciphertext.',
  });
}
