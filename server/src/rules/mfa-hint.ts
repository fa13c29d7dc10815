import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { isTestCode } from './support/auth';


/**
 * Informational, off by default: where the code logs users in with a password, a pointer to adding a second
 * factor. One note per file at most, none when the file already uses an MFA library.
 */
export default defineRule({
  meta: {
    id: 'mfa-hint',
    title: 'Password login without a second factor',
    description: 'Passwords get phished, guessed and reused. A second factor (TOTP, WebAuthn/passkeys) stops most account takeovers.',
    cwe: ['CWE-308'],
    owasp: OWASP.A07,
    severity: 'info',
    confidence: 'low',
    securitySeverity: 3.1,
    languages: ['python', 'javascript'],
    defaultOff: true,
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
    [ts.SyntaxKind.NewExpression]: (node: ts.NewExpression, ctx) => javascriptCall(node, ctx),
  },
});

/** One note per file. */
const noted = new WeakSet<object>();

const PY_LOGINS: Record<string, string> = {
  'django.contrib.auth.login': 'Django `login()`',
  'flask_login.login_user': 'Flask-Login `login_user()`',
  'flask_login.utils.login_user': 'Flask-Login `login_user()`',
};
const PY_MFA = ['django_otp', 'two_factor', 'pyotp', 'allauth.mfa', 'webauthn', 'fido2', 'duo_client', 'duo_universal', 'flask_security', 'trench', 'mfa'];

const JS_LOGINS: Record<string, string> = {
  'next-auth/providers/credentials': 'NextAuth `CredentialsProvider`',
  '@auth/core/providers/credentials': 'Auth.js `Credentials`',
  'next-auth/providers/credentials.default': 'NextAuth `CredentialsProvider`',
  'passport-local.Strategy': 'passport-local `LocalStrategy`',
  'passport-local': 'passport-local `Strategy`',
};
const JS_MFA = ['otplib', 'speakeasy', '@simplewebauthn/server', '@simplewebauthn/browser', 'otpauth', 'node-2fa', '2fa-util', 'passport-totp', '@otplib/core'];

const MESSAGE = (what: string) => `${what} logs users in with a password alone. Consider a second factor (TOTP, WebAuthn/passkeys), at least for administrators. (Informational: mfa-hint is off by default.)`;

function pythonCall(node: Node, ctx: PyContext): void {
  if (noted.has(ctx.file)) return;
  const what = PY_LOGINS[ctx.file.callName(node) ?? ''];
  if (!what || isTestCode(ctx.file.path) || PY_MFA.some((m) => ctx.file.importsModule(m))) return;
  noted.add(ctx.file);
  ctx.report({ range: ctx.file.range(node.childForFieldName('function')!), message: MESSAGE(what) });
}

function javascriptCall(node: ts.CallExpression | ts.NewExpression, ctx: JsContext): void {
  if (noted.has(ctx.file)) return;
  const what = JS_LOGINS[ctx.file.callName(node) ?? ''];
  if (!what || isTestCode(ctx.file.path) || JS_MFA.some((m) => ctx.file.importsModule(m))) return;
  noted.add(ctx.file);
  ctx.report({ range: ctx.file.range(node.expression), message: MESSAGE(what) });
}
