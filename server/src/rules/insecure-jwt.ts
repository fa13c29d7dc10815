import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix } from '../engine/types';
import { propertyOf, skipOuter } from '../lang/javascript/front';
import { jsBoolValue, jsString, pyBool, pyImportEdit, pyLiteral, pyRemoveArgument } from './support/constants';
import { isTestCode, jsFunctionName } from './support/auth';
import { jsOptions, jsResolve } from '../lang/javascript/options';
import { pyCallOptions, pyOptions, pyResolve } from '../lang/python/options';
import { fileFact } from '../engine/file-facts';

/**
 * JSON Web Tokens accepted without a verified signature, with the `none` algorithm, signed with a secret written
 * in the code, or (hint) issued without an expiry. PyJWT / python-jose in Python, jsonwebtoken in JS/TS.
 */
export default defineRule({
  meta: {
    id: 'insecure-jwt',
    title: 'JWT not verified, unsigned or signed with a hard-coded secret',
    description: 'A token whose signature is not checked (decode without verify, verification off, alg "none") can be '
      + 'forged by anyone; a signing secret in the source lets anyone who reads it mint tokens.',
    cwe: ['CWE-347', 'CWE-798', 'CWE-613'],
    owasp: OWASP.A07,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 8.1,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

/** A PEM public key may be published: only secrets count. */
function isSecretLiteral(value: string | undefined): value is string {
  return value !== undefined && value.length > 0 && !/-----BEGIN (RSA |EC )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(value);
}

// ---- Python ----

function pythonCall(node: Node, ctx: PyContext): void {
  const name = ctx.file.callName(node);
  if (name !== 'jwt.decode' && name !== 'jose.jwt.decode' && name !== 'jwt.encode' && name !== 'jose.jwt.encode') return;
  if (isTestCode(ctx.file.path)) return;
  const f = ctx.file;
  const callee = f.range(node.childForFieldName('function')!);
  const keyNode = f.argument(node, 1, 'key');
  const keyIsLiteral = !!keyNode && keyNode.type === 'string' && isSecretLiteral(pyLiteral(keyNode));
  if (name.endsWith('.encode')) {
    const alg = pyLiteral(f.argument(node, 2, 'algorithm'));
    if (alg?.toLowerCase() === 'none') {
      ctx.report({ range: callee, message: 'Token signed with algorithm "none": it carries no signature and anyone can forge one. Use HS256 with a secret from the environment, or RS256/ES256.' });
    }
    if (keyIsLiteral) hardCodedPy(keyNode!, ctx);
    const payload = f.argument(node, 0, 'payload');
    if (payload?.type === 'dictionary' && !payload.namedChildren.some((p) => p?.type === 'pair' && pyLiteral(p.childForFieldName('key')) === 'exp')
      && !payload.namedChildren.some((p) => p?.type === 'dictionary_splat')) {
      ctx.report({ range: callee, message: 'Token issued without an `exp` claim never expires: a stolen token works forever. Add `"exp": datetime.now(tz=timezone.utc) + timedelta(minutes=15)`.', severity: 'info', confidence: 'medium' });
    }
    return;
  }
  // decode
  const call = pyCallOptions(f, node);
  const verify = call.keys.get('verify');
  const options = call.keys.get('options') ? pyOptions(f, call.keys.get('options')!.value) : undefined;
  const off = options?.keys.get('verify_signature');
  const offOption = off && pyBool(f, pyResolve(f, off.value) ?? off.value) === false ? off.at : undefined;
  if (verify && pyBool(f, pyResolve(f, verify.value) ?? verify.value) === false) {
    const kw = verify.at;
    const inPlace = verify.inCall && kw.type === 'keyword_argument';
    ctx.report({
      range: f.range(kw),
      message: '`verify=False`: the token\'s signature is not checked, so anyone can forge one. Remove it and pass `algorithms=[...]`.',
      fixes: !inPlace ? [] : f.keywordArgument(node, 'algorithms')
        ? [{ title: 'Verify the signature (remove verify=False)', edits: [pyRemoveArgument(f, kw)] }]
        : [{ title: 'Verify the signature with algorithms=["HS256"]', edits: [{ range: f.range(kw), newText: 'algorithms=["HS256"]' }] }],
    });
    return;
  }
  if (offOption) {
    ctx.report({
      range: f.range(offOption),
      message: '`verify_signature: False`: the claims are read without checking the signature. Use this only to pick a key, then decode again with verification.',
      severity: 'warning',
    });
    return;
  }
  const algEntry = call.keys.get('algorithms');
  const algorithms = algEntry ? pyResolve(f, algEntry.value) ?? algEntry.value : undefined;
  if (!algEntry && !call.open) {
    const at = f.range(node.childForFieldName('arguments')!).end;
    const insert = { line: at.line, character: at.character - 1 };
    ctx.report({
      range: callee,
      message: '`jwt.decode` without `algorithms=`: the token picks its own algorithm (old PyJWT and python-jose accept "none" or key confusion). Pass the one you sign with, e.g. `algorithms=["HS256"]`.',
      severity: 'warning',
      fixes: [{ title: 'Pass algorithms=["HS256"]', edits: [{ range: { start: insert, end: insert }, newText: ', algorithms=["HS256"]' }] }],
    });
  } else if (algorithms && (algorithms.type === 'list' || algorithms.type === 'tuple')
    && algorithms.namedChildren.some((a) => pyLiteral(a)?.toLowerCase() === 'none')) {
    ctx.report({ range: f.range(algEntry!.inCall && algEntry!.value === algorithms ? algorithms : algEntry!.at), message: '`algorithms` accepts "none": a token without a signature is accepted. Remove "none".' });
  }
  if (keyIsLiteral) hardCodedPy(keyNode!, ctx);
}

function hardCodedPy(keyNode: Node, ctx: PyContext): void {
  ctx.report({
    range: ctx.file.range(keyNode),
    message: 'JWT secret written in the code: anyone who reads it can mint valid tokens. Read it from the environment and rotate it.',
    severity: 'warning',
    fixes: [{ title: 'Read it from os.environ["JWT_SECRET"]', edits: [{ range: ctx.file.range(keyNode), newText: 'os.environ["JWT_SECRET"]' }, ...pyImportEdit(ctx.file, 'os')] }],
  });
}

// ---- JavaScript / TypeScript ----

/** Files that call jsonwebtoken's verify somewhere: there, decode is a peek at the header, not the check. */
function fileVerifies(ctx: JsContext): boolean {
  return fileFact(ctx.file, 'insecure-jwt:verifies', (file) => {
    let v = false;
    const visit = (n: ts.Node): void => {
      if (v) return;
      if (ts.isCallExpression(n) && /^jsonwebtoken\.verify$/.test(file.callName(n) ?? '')) { v = true; return; }
      ts.forEachChild(n, visit);
    };
    visit(file.sourceFile);
    return v;
  });
}

/** A string, or a name that says secret/key/certificate: what a verification key looks like. */
function looksLikeKey(f: JsContext['file'], e: ts.Expression): boolean {
  if (ts.isStringLiteralLike(e)) return true;
  const name = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression) ? e.argumentExpression.text : '';
  if (/secret|key|cert|pem/i.test(name)) return true;
  return jsString(f, e) !== undefined;
}

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const name = ctx.file.callName(node);
  if (!name?.startsWith('jsonwebtoken.')) return;
  const fn = name.slice('jsonwebtoken.'.length);
  if (fn !== 'decode' && fn !== 'verify' && fn !== 'sign') return;
  if (isTestCode(ctx.file.path)) return;
  const f = ctx.file;
  const callee = f.range(node.expression);
  if (fn === 'decode') {
    // `jwt.decode(token, secret)`: decode takes no key, so the author meant verify; the signature is never checked
    const second = node.arguments[1] ? skipOuter(node.arguments[1]) : undefined;
    if (second && !jsOptions(f, second) && !ts.isFunctionLike(second) && looksLikeKey(f, second)) {
      ctx.report({
        range: callee,
        message: '`jwt.decode(token, key)` ignores the key: decode never checks the signature, so a forged token is accepted. Use `jwt.verify(token, key, { algorithms: [...] })`.',
        severity: 'warning',
      });
      return;
    }
    // only where a verification belongs: a request handler or middleware, or an auth-named function
    const owner = ctx.file.enclosingFunction(node);
    const params = (owner?.parameters ?? []).map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
    const ownerName = owner ? jsFunctionName(node) : undefined;
    const checks = params.some((p) => /^(req|request|ctx|event)$/.test(p))
      || /(auth|verify|session|current_?user|getuser|middleware|protect|guard|login)/i.test(ownerName ?? '');
    if (checks && !fileVerifies(ctx)) {
      ctx.report({
        range: callee,
        message: '`jwt.decode` does not check the signature, and this file never calls `jwt.verify`: a forged token is accepted. Use `jwt.verify(token, secret, { algorithms: [...] })`.',
        severity: 'warning',
      });
    }
    return;
  }
  const key = node.arguments[1] ? skipOuter(node.arguments[1]) : undefined;
  if (key && (ts.isStringLiteral(key) || ts.isNoSubstitutionTemplateLiteral(key)) && isSecretLiteral(key.text)) {
    const env = f.path.endsWith('.ts') || f.path.endsWith('.tsx') ? 'process.env.JWT_SECRET!' : 'process.env.JWT_SECRET';
    ctx.report({
      range: f.range(key),
      message: 'JWT secret written in the code: anyone who reads it can mint valid tokens. Read it from the environment and rotate it.',
      severity: 'warning',
      fixes: [{ title: `Read it from ${env}`, edits: [{ range: f.range(key), newText: env }] }],
    });
  }
  const optArg = node.arguments[2] ? skipOuter(node.arguments[2]) : undefined;
  const model = optArg && !ts.isFunctionLike(optArg) ? jsOptions(f, optArg) : undefined;
  if (optArg && !model && !ts.isFunctionLike(optArg)) return; // options built elsewhere: unknown
  const opts = model?.literal;
  if (fn === 'verify') {
    const algsEntry = model?.keys.get('algorithms');
    const algs = algsEntry ? jsResolve(f, algsEntry.value) : undefined;
    if (algs && ts.isArrayLiteralExpression(algs) && algs.elements.some((e) => jsString(f, e)?.toLowerCase() === 'none')) {
      ctx.report({ range: f.range(algsEntry!.value === algs ? algs : algsEntry!.at), message: '`algorithms` accepts "none": a token without a signature is accepted. Remove "none".' });
    } else if (!algsEntry && !model?.open && key && !ts.isFunctionLike(key)) {
      ctx.report({
        range: callee,
        message: '`jwt.verify` without `algorithms`: pin the algorithm you sign with, e.g. `{ algorithms: [\'HS256\'] }`, so a token cannot choose it.',
        severity: 'info',
        confidence: 'medium',
      });
    }
    const ignore = model?.keys.get('ignoreExpiration');
    if (ignore && jsBoolValue(f, skipOuter(ignore.value)) === true) {
      ctx.report({ range: f.range(ignore.at), message: '`ignoreExpiration: true` accepts expired tokens forever.', severity: 'warning' });
    }
    return;
  }
  // sign
  const algEntry = model?.keys.get('algorithm');
  const alg = algEntry?.value;
  if (alg && jsString(f, skipOuter(alg))?.toLowerCase() === 'none') {
    ctx.report({ range: f.range(algEntry!.member ? alg : algEntry!.at), message: 'Token signed with algorithm "none": it carries no signature and anyone can forge one.' });
  }
  const payload = node.arguments[0] ? skipOuter(node.arguments[0]) : undefined;
  const hasExp = payload && ts.isObjectLiteralExpression(payload)
    && (!!propertyOf(payload, 'exp') || payload.properties.some((p) => ts.isSpreadAssignment(p)));
  if (payload && ts.isObjectLiteralExpression(payload) && !hasExp && !model?.keys.has('expiresIn')
    && !model?.open && !(optArg && model && optArg !== opts)) {
    const fixes: Fix[] = [];
    if (opts) {
      const at = opts.properties.length ? f.range(opts.properties[opts.properties.length - 1]).end : undefined;
      if (at) fixes.push({ title: "Add expiresIn: '15m'", edits: [{ range: { start: at, end: at }, newText: ", expiresIn: '15m'" }] });
    } else if (node.arguments.length === 2) {
      const at = f.range(node.arguments[1]).end;
      fixes.push({ title: "Add { expiresIn: '15m' }", edits: [{ range: { start: at, end: at }, newText: ", { expiresIn: '15m' }" }] });
    }
    ctx.report({
      range: callee,
      message: 'Token issued without `expiresIn` (or an `exp` claim) never expires: a stolen token works forever.',
      severity: 'info',
      confidence: 'medium',
      fixes,
    });
  }
}
