import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type CloudContext, type ComposeContext, type DockerfileContext, type DotenvContext, type JsContext, type KubeContext, type PyContext } from '../engine/rule-types';
import type { PyFile } from '../lang/python/front';
import { OWASP, type Fix, type Range } from '../engine/types';
import { formatMatch, namedSecret, TEMPLATE, type Match } from './support/secret-values';
import { envName, isTestFile, jsBindingName, nameWords, pyBindingName, pyImportEdit, pyLiteral, skipTestsJs, skipTestsPy } from './support/constants';
import { isScalar, scalarText, type YNode } from '../lang/kube/yaml';
import { isPasswordName, jsIsBarePassword, jsFunctionName, pyClassName, pyFunctionName, pyIsBarePassword } from './support/auth';
import { propertyOf, skipOuter } from '../lang/javascript/front';

export default defineRule({
  meta: {
    id: 'hardcoded-secret',
    title: 'Hard-coded secret',
    description: 'Keys, tokens and passwords written into source code end up in every clone, backup and build of it; anyone who reads the code can use them.',
    cwe: ['CWE-798'],
    owasp: OWASP.A07,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 7.5,
    languages: ['python', 'javascript', 'dockerfile', 'dotenv', 'json', 'yaml', 'terraform'],
  },
  python: skipTestsPy({
    string: (node, ctx) => pythonString(node, ctx),
    // session and JWT secrets, credentials compared with literals (issue 12)
    assignment: (node, ctx) => pySecretAssignment(node, ctx),
    call: (node, ctx) => pySecretCall(node, ctx),
    pair: (node, ctx) => pySecretPair(node, ctx),
    comparison_operator: (node, ctx) => pyLiteralCredential(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.StringLiteral]: (node: ts.StringLiteral, ctx) => javascriptString(node, ctx),
    [ts.SyntaxKind.NoSubstitutionTemplateLiteral]: (node: ts.NoSubstitutionTemplateLiteral, ctx) => javascriptString(node, ctx),
    // session and JWT secrets, credentials compared with literals (issue 12)
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => jsSecretCall(node, ctx),
    [ts.SyntaxKind.NewExpression]: (node: ts.NewExpression, ctx) => jsSecretCall(node, ctx),
    [ts.SyntaxKind.BinaryExpression]: (node: ts.BinaryExpression, ctx) => jsSecretBinary(node, ctx),
  }),
  dockerfile: (ctx) => { dockerfileSecrets(ctx); dockerfileRunTokens(ctx); },
  dotenv: (ctx) => dotenvSecrets(ctx),
  cloud: (ctx) => cloudLiterals(ctx),
  kubernetes: (ctx) => kubernetesSecrets(ctx),
  compose: (ctx) => composeSecrets(ctx),
});

function message(m: Match): string {
  return `Hard-coded ${m.what}: anyone with the source can use it. Read it from the environment or a secret store, and rotate it.`;
}

// ---- Python ----

function pythonString(node: Node, ctx: PyContext): void {
  const value = pyLiteral(node);
  if (!value || value.length < 6) return;
  const parent = node.parent;
  if (parent?.type === 'expression_statement') return; // docstrings
  if (parent?.type === 'concatenated_string') return;
  const name = pyBindingName(ctx.file, node) ?? pyDefaultName(ctx.file, node);
  let m = formatMatch(value);
  if (!m && name) m = namedSecret(name, value);
  if (!m) return;
  const f = ctx.file;
  const env = name && m.whole ? envName(name) : m.env;
  const prefix = node.namedChildren[0]?.text ?? '';
  const fixes: Fix[] = m.whole && !/b/i.test(prefix)
    ? [{ title: `Read it from the environment (\`os.environ["${env}"]\`)`, edits: [{ range: f.range(node), newText: `os.environ["${env}"]` }, ...pyImportEdit(f, 'os')], preferred: true }]
    : [];
  ctx.report({ range: f.range(node), message: message(m), severity: m.severity, confidence: m.severity === 'error' ? 'high' : 'medium', fixes });
}

/** `def connect(password="...")` */
function pyDefaultName(file: PyFile, node: Node): string | undefined {
  const p = node.parent;
  if (p && (p.type === 'default_parameter' || p.type === 'typed_default_parameter') && p.childForFieldName('value')?.id === node.id) {
    return p.childForFieldName('name')?.text;
  }
  return undefined;
}

// ---- JavaScript / TypeScript ----

function javascriptString(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral, ctx: JsContext): void {
  const value = node.text;
  if (value.length < 6) return;
  const p = node.parent;
  if (ts.isImportDeclaration(p) || ts.isExportDeclaration(p) || ts.isExternalModuleReference(p) || ts.isLiteralTypeNode(p)) return;
  const name = jsBindingName(node);
  let m = formatMatch(value);
  if (!m && name) m = namedSecret(name, value);
  if (!m) return;
  const f = ctx.file;
  const env = name && m.whole ? envName(name) : m.env;
  const range: Range = f.range(node);
  const fixes: Fix[] = m.whole
    ? [{ title: `Read it from the environment (\`process.env.${env}\`)`, edits: [{ range, newText: `process.env.${env}` }], preferred: true }]
    : [];
  ctx.report({ range, message: message(m), severity: m.severity, confidence: m.severity === 'error' ? 'high' : 'medium', fixes });
}

// ---- Dockerfile and .env (configuration files) ----

/** `ENV`/`ARG` with a literal secret: it is recorded in the image's layers or history. */
function dockerfileSecrets(ctx: DockerfileContext): void {
  for (const v of ctx.file.variables) {
    if (v.value === undefined || v.dynamic || !v.valueRange || v.value.length < 6) continue;
    const m = formatMatch(v.value) ?? namedSecret(v.name, v.value);
    if (!m) continue;
    const where = v.kind === 'ENV'
      ? 'is stored in the image: anyone who can pull it reads it with `docker inspect`'
      : 'is recorded in the image history (`docker history`) of every image built with this default';
    ctx.report({
      range: v.valueRange,
      severity: m.severity,
      confidence: m.severity === 'error' ? 'high' : 'medium',
      message: `\`${v.kind} ${v.name}\` holds ${m.what.startsWith('a secret (') ? 'a secret' : m.what}, hard-coded: it ${where}. Pass it as a build secret (\`RUN --mount=type=secret,id=...\`) or at run time, and rotate it.`,
    });
  }
}

/** Tokens of a known format written into `RUN` commands (`git clone https://ghp_...@github.com/...`). */
function dockerfileRunTokens(ctx: DockerfileContext): void {
  const f = ctx.file;
  for (const run of f.runs) {
    for (const c of run.commands) {
      for (const w of [...c.assignments, ...c.words]) {
        if (w.value.length < 16) continue;
        const m = formatMatch(w.value);
        if (!m || m.what.startsWith('a connection string')) continue;
        ctx.report({
          range: f.rangeOf(w.start, w.end),
          severity: m.severity,
          confidence: 'high',
          message: `A \`RUN\` command holds ${m.what}: it is recorded in the image history (\`docker history\`). Pass it as a build secret (\`RUN --mount=type=secret,id=...\`), and rotate it.`,
        });
      }
    }
  }
}

/** Test settings files: named test credentials are expected there (token formats are still reported). */
const DOTENV_TEST = /(^|[\\/])\.env\.(test|testing|ci|e2e)$/i;

/** `.env` values: well-known token formats whatever the name, and secret-named keys with real-looking values. */
function dotenvSecrets(ctx: DotenvContext): void {
  const f = ctx.file;
  const testing = isTestFile(f.path) || DOTENV_TEST.test(f.path);
  for (const e of f.entries) {
    if (e.dynamic || e.value.length < 6) continue;
    const m = formatMatch(e.value) ?? (testing ? undefined : namedSecret(e.key, e.value));
    if (!m) continue;
    ctx.report({
      range: e.valueRange,
      severity: 'warning',
      confidence: 'medium',
      message: `\`${e.key}\` holds ${m.what.startsWith('a secret (') ? 'a secret' : m.what}: if this file is committed, everyone with the repository can use it. Keep \`.env\` files out of version control (\`.gitignore\`), commit a \`.env.example\` with placeholders, and rotate the value if it was pushed.`,
    });
  }
}

// ---- CloudFormation and Terraform ----

/**
 * Literal strings bound to names in templates: resource properties (`MasterUserPassword`,
 * `password`, provider `access_key`/`secret_key`), variable defaults, and the defaults of
 * CloudFormation parameters marked `NoEcho`, Terraform Secrets Manager secret values and SecureString
 * parameters (declared secret, so any real-looking value is one).
 * References (`!Ref`, `var.x`, `${...}`) are never literals.
 */
function cloudLiterals(ctx: CloudContext): void {
  const f = ctx.file;
  for (const lit of f.literals) {
    if (lit.value.length < 6) continue;
    let m = formatMatch(lit.value) ?? namedSecret(lit.name, lit.value);
    if (!m && lit.declared) m = namedSecret('password', lit.value);
    if (!m) continue;
    const where = lit.declared ?? `\`${lit.name}\``;
    const advice = f.format === 'terraform'
      ? 'Pass it in from a secret store (a sensitive variable set outside the code, `aws_secretsmanager_secret_version`, or `manage_master_user_password = true` for RDS), and rotate it.'
      : 'Use a dynamic reference (`{{resolve:secretsmanager:...}}`, `ManageMasterUserPassword: true` for RDS) or a parameter without a default, and rotate it.';
    ctx.report({
      range: f.rangeOf(lit),
      message: `Hard-coded ${m.what.replace(/^an? /, '')} in ${where}: anyone with the template can use it. ${advice}`,
      severity: m.severity,
      confidence: m.severity === 'error' ? 'high' : 'medium',
    });
  }
}

// ---- Kubernetes manifests and compose files ----

/** A literal secret in a variable or key called `name`: by its format, else by its name. */
function configSecret(name: string | undefined, value: string | undefined): Match | undefined {
  if (value === undefined || value.length < 6) return undefined;
  return formatMatch(value) ?? (name ? namedSecret(name, value) : undefined);
}

/** Container `env[].value` literals and ConfigMap `data` values that are secrets. */
function kubernetesSecrets(ctx: KubeContext): void {
  if (ctx.file.kind !== 'kubernetes') return;
  const file = ctx.file.yaml;
  for (const c of ctx.file.model.containers) {
    for (const e of c.env) {
      const m = configSecret(e.name, scalarText(e.value));
      if (!m || !e.value || !e.valuePair) continue;
      const secret = `${c.pod.object.name ?? c.name ?? 'app'}-secrets`;
      const key = (e.name ?? 'value').toLowerCase().replace(/_/g, '-');
      const edit = secretKeyRefEdit(ctx, e.valuePair.key, e.value, secret, key);
      ctx.report({
        range: file.range(e.value),
        message: `${message(m)} In Kubernetes, keep it in a Secret and use \`valueFrom.secretKeyRef\`.`,
        severity: m.severity,
        confidence: m.severity === 'error' ? 'high' : 'medium',
        fixes: edit ? [{ title: `Read it from a Secret (\`valueFrom.secretKeyRef\`; create Secret \`${secret}\` with key \`${key}\`)`, edits: [edit], preferred: true }] : [],
      });
    }
  }
  for (const { data } of ctx.file.model.configMaps) {
    for (const p of data.items) {
      if (!isScalar(p.key) || !isScalar(p.value)) continue;
      const m = configSecret(String(p.key.value), scalarText(p.value));
      if (!m) continue;
      ctx.report({
        range: file.range(p.value as YNode),
        message: `${message(m)} A ConfigMap is not for secrets: anyone who can read ConfigMaps reads it. Use a Secret.`,
        severity: m.severity,
        confidence: m.severity === 'error' ? 'high' : 'medium',
      });
    }
  }
}

/** `value: s3cr3t` → `valueFrom:` / `secretKeyRef:` / `name:` / `key:`, indented from the `value` key. */
function secretKeyRefEdit(ctx: KubeContext, keyNode: YNode, value: YNode, secret: string, key: string) {
  const file = ctx.file.yaml;
  if (!keyNode.range || !value.range) return undefined;
  const indent = ' '.repeat(file.position(keyNode.range[0]).character);
  const eol = file.eol;
  return {
    range: file.rangeOf(keyNode.range[0], value.range[1]),
    newText: `valueFrom:${eol}${indent}  secretKeyRef:${eol}${indent}    name: ${secret}${eol}${indent}    key: ${key}`,
  };
}

/** Compose `environment:` literals, in the map and the list form. */
function composeSecrets(ctx: ComposeContext): void {
  const file = ctx.file.yaml;
  for (const s of ctx.file.services) {
    for (const e of s.environment()) {
      const m = configSecret(e.name, e.value);
      if (!m) continue;
      ctx.report({
        range: file.range(e.node),
        message: `${message(m)} Pass it with an \`env_file\` kept out of version control, or compose \`secrets\`.`,
        severity: m.severity,
        confidence: m.severity === 'error' ? 'high' : 'medium',
      });
    }
  }
}

// ---- session and JWT secrets, credentials compared with literals (issue 12) ----
// What the heuristics above drop (short values, words, spaces, well-known defaults) is still a secret in the
// places a framework signs sessions or tokens with; and a login that compares the password with a literal has a
// password in its source. Values the string visitor above already reports are left to it.

type SecretKind = 'session' | 'jwt';

/** Setting names a framework reads its session or token signing secret from. */
const SESSION_SECRET_NAMES = /^(secret_key|wtf_csrf_secret_key|session_secret|session_secret_key|secret_key_base|cookie_secret)$/i;
const JWT_SECRET_NAMES = /^(jwt_secret_key|jwt_secret)$/i;
/** Values from tutorials, docs and project generators: anyone can forge cookies or tokens signed with them. */
const WELL_KNOWN = /^(keyboard cat|changeme|change[ _-]?me|change[ _-]?this|secret|secretkey|secret[ _-]key|my[ _-]?secret([ _-]key)?|super[ _-]?secret([ _-]key)?|your[ _-]secret([ _-]key)?|password|dev|development|default|test|s3cr3t|shh+|you-will-never-guess|hard to guess string|secret-key)$|^django-insecure-/i;
/** Settings modules and classes for development or tests. */
const DEV_SETTINGS_FILE = /^((dev|develop|development|local|test|tests|testing|debug)(_settings)?|settings_(dev|local|test|testing))\.py$/i;

interface Resolved { value: string; literal: boolean; name?: string }

function secretKindOf(name: string): SecretKind | undefined {
  if (JWT_SECRET_NAMES.test(name)) return 'jwt';
  return SESSION_SECRET_NAMES.test(name) ? 'session' : undefined;
}

/** Would the string visitor above report this value already (format, or a secret-looking value under a secret name)? */
function alreadyReported(value: string, name: string | undefined): boolean {
  if (value.length < 6) return false;
  return !!formatMatch(value) || (!!name && !!namedSecret(name, value));
}

function secretMessage(kind: SecretKind, value: string): string {
  const shown = /^django-insecure-/i.test(value) ? '`django-insecure-…`' : `\`${value}\``;
  const known = WELL_KNOWN.test(value) ? ` (${shown}, a well-known default)` : '';
  const what = kind === 'jwt' ? 'JWT signing secret' : 'session signing secret';
  const forge = kind === 'jwt' ? 'tokens' : 'session cookies';
  return `Hard-coded ${what}${known}: anyone who reads the code can forge ${forge} and act as any user. Read it from the environment or a secret store, and rotate it.`;
}

function usableSecret(value: string): boolean {
  return value.trim() !== '' && !TEMPLATE.test(value) && !/^(None|True|False|null|undefined|-?\d+)$/.test(value);
}

// Python

function pyResolve(ctx: PyContext, n: Node): Resolved | undefined {
  if (n.type === 'string' || n.type === 'concatenated_string') {
    const v = pyLiteral(n);
    return v === undefined ? undefined : { value: v, literal: true, name: pyBindingName(ctx.file, n) };
  }
  if (n.type === 'identifier' || n.type === 'attribute') {
    const v = ctx.file.valueOf(n);
    if (v.kind !== 'constant' || v.value === undefined) return undefined;
    return { value: v.value, literal: false, name: n.type === 'identifier' ? n.text : n.childForFieldName('attribute')?.text };
  }
  return undefined;
}

/** `except OSError: SECRETS = {...}`: a fallback for when the real secret cannot be read. */
function pyInExcept(n: Node): boolean {
  for (let p = n.parent; p && p.type !== 'function_definition' && p.type !== 'module'; p = p.parent) if (p.type === 'except_clause') return true;
  return false;
}

/** `from_mapping(SECRET_KEY="dev")` followed by `from_pyfile(...)`: the literal is a fallback the configuration replaces. */
function pyOverriddenLater(ctx: PyContext, n: Node): boolean {
  const fn = ctx.file.enclosingFunction(n);
  const scope = fn ?? ctx.file.tree.rootNode;
  return scope.descendantsOfType('call').some((c) => {
    if (!c || c.startIndex < n.endIndex || ctx.file.enclosingFunction(c)?.id !== fn?.id) return false;
    const f = c.childForFieldName('function');
    return f?.type === 'attribute' && /^from_(pyfile|envvar|prefixed_env|object|file|json)$/.test(f.childForFieldName('attribute')?.text ?? '');
  });
}

function pyCheckSecret(ctx: PyContext, valueNode: Node | null | undefined, kind: SecretKind): void {
  if (!valueNode) return;
  const base = ctx.file.path.replace(/\\/g, '/').split('/').pop() ?? '';
  if (DEV_SETTINGS_FILE.test(base) || /(test|dev|debug|local)/i.test(pyClassName(valueNode) ?? '')) return;
  const r = pyResolve(ctx, valueNode);
  if (!r || !usableSecret(r.value) || alreadyReported(r.value, r.name)) return;
  if (pyOverriddenLater(ctx, valueNode) || pyInExcept(valueNode)) return;
  const env = kind === 'jwt' ? 'JWT_SECRET_KEY' : 'SECRET_KEY';
  const fixes: Fix[] = r.literal && !/^[a-z]*b/i.test(valueNode.namedChildren[0]?.text ?? '')
    ? [{ title: `Read it from the environment (\`os.environ["${env}"]\`)`, edits: [{ range: ctx.file.range(valueNode), newText: `os.environ["${env}"]` }, ...pyImportEdit(ctx.file, 'os')] }]
    : [];
  ctx.report({ range: ctx.file.range(valueNode), message: secretMessage(kind, r.value), severity: WELL_KNOWN.test(r.value) ? 'error' : 'warning', confidence: 'high', fixes });
}

/** `app.secret_key = ...`, `app.config["SECRET_KEY"] = ...`, `SECRET_KEY = ...` (module or class level). */
function pySecretAssignment(node: Node, ctx: PyContext): void {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (!left || !right) return;
  let kind: SecretKind | undefined;
  if (left.type === 'attribute') kind = left.childForFieldName('attribute')?.text === 'secret_key' ? 'session' : undefined;
  else if (left.type === 'subscript') kind = secretKindOf(pyLiteral(left.childForFieldName('subscript')) ?? '');
  else if (left.type === 'identifier' && /^[A-Z_]+$/.test(left.text) && !ctx.file.enclosingFunction(node)) kind = secretKindOf(left.text);
  if (kind) pyCheckSecret(ctx, right, kind);
}

/** `config.update(SECRET_KEY=...)`, `SessionMiddleware(app, secret_key=...)`, `jwt.encode(p, KEY)` with a constant `KEY`. */
function pySecretCall(node: Node, ctx: PyContext): void {
  const args = node.childForFieldName('arguments');
  for (const a of args?.namedChildren ?? []) {
    if (a?.type !== 'keyword_argument') continue;
    const kind = secretKindOf(a.childForFieldName('name')?.text ?? '');
    if (kind) pyCheckSecret(ctx, a.childForFieldName('value'), kind);
  }
  const name = ctx.file.callName(node);
  if (name && /^(jwt|jose\.jwt)\.(encode|decode)$/.test(name)) {
    // a literal key is insecure-jwt's finding; a constant bound to a name is this rule's
    const key = ctx.file.argument(node, 1, 'key');
    if (key && (key.type === 'identifier' || key.type === 'attribute')) pyCheckSecret(ctx, key, 'jwt');
  } else if (name && /^itsdangerous\.(URLSafe)?(Timed)?Serializer$/.test(name)) {
    pyCheckSecret(ctx, ctx.file.argument(node, 0, 'secret_key'), 'session');
  }
}

/** `{"SECRET_KEY": ...}` */
function pySecretPair(node: Node, ctx: PyContext): void {
  // a dict key is a setting only when spelled as one (`{"SECRET_KEY": ...}`), not `{"secret_key": ...}` of some API
  const key = pyLiteral(node.childForFieldName('key')) ?? '';
  const kind = /^[A-Z_]+$/.test(key) ? secretKindOf(key) : undefined;
  if (kind) pyCheckSecret(ctx, node.childForFieldName('value'), kind);
}

/** Function names of login code, and of code that checks a new password rather than logging in with one. */
const LOGIN_WORDS = new Set(['login', 'signin', 'logon', 'log', 'sign', 'auth', 'authenticate', 'authorize', 'authorise',
  'credentials', 'verify', 'check', 'basic', 'password', 'admin']);
const NOT_LOGIN_WORDS = new Set(['register', 'signup', 'change', 'reset', 'new', 'confirm', 'validate', 'validator', 'strength',
  'policy', 'strong', 'weak', 'rules', 'complexity', 'update', 'set', 'create']);

/** A password-like literal: not empty, not a mask (`********`), not a template. */
function credentialLiteral(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '' && !/^(.)\1*$/.test(value) && !TEMPLATE.test(value);
}

function loginCode(fnName: string | undefined, passwordTainted: boolean): boolean {
  const w = fnName ? nameWords(fnName) : [];
  if (w.some((x) => NOT_LOGIN_WORDS.has(x))) return false;
  return passwordTainted || w.some((x) => LOGIN_WORDS.has(x));
}

function credentialMessage(value: string): string {
  return `The login compares the password with a literal (\`${value.length > 24 ? value.slice(0, 20) + '…' : value}\`): `
    + 'anyone who reads the code can log in, and it cannot be changed without a release. Check a hash stored outside the code (the user table, a secret store).';
}

/** `if username == 'admin' and password == 'letmein':` in login code. */
function pyLiteralCredential(node: Node, ctx: PyContext): void {
  const ops = node.namedChildren.filter((c): c is Node => !!c);
  if (ops.length !== 2) return;
  const op = node.children.filter((c) => c && !c.isNamed).map((c) => c!.text).join(' ');
  if (op !== '==' && op !== '!=') return;
  for (const [pw, other] of [[ops[0], ops[1]], [ops[1], ops[0]]]) {
    if (!pyIsBarePassword(pw)) continue;
    const r = pyResolve(ctx, other);
    if (!r || !credentialLiteral(r.value) || (!r.literal && alreadyReported(r.value, r.name))) continue;
    if (!r.literal && r.name && !isPasswordName(r.name) && !/secret|pass|pwd/i.test(r.name)) continue;
    if (!loginCode(pyFunctionName(node), ctx.file.valueOf(pw).kind === 'tainted')) continue;
    ctx.report({ range: ctx.file.range(other), message: credentialMessage(r.value), severity: 'error', confidence: 'high' });
    return;
  }
}

// JavaScript / TypeScript

function jsResolve(ctx: JsContext, e: ts.Expression): Resolved | undefined {
  const x = skipOuter(e);
  if (ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x)) return { value: x.text, literal: true, name: jsBindingName(x) };
  if (ts.isIdentifier(x)) {
    const v = ctx.file.literalText(x);
    return v === undefined ? undefined : { value: v, literal: false, name: x.text };
  }
  return undefined;
}

function jsCheckSecret(ctx: JsContext, value: ts.Expression | undefined, kind: SecretKind, fixable = true): void {
  if (!value) return;
  const x = skipOuter(value);
  if (ts.isArrayLiteralExpression(x)) {
    // one environment variable cannot stand for several rotation keys: no fix then
    for (const el of x.elements) if (!ts.isSpreadElement(el)) jsCheckSecret(ctx, el, kind, x.elements.length === 1);
    return;
  }
  const r = jsResolve(ctx, x);
  if (!r || !usableSecret(r.value) || alreadyReported(r.value, r.name)) return;
  const env = `process.env.${kind === 'jwt' ? 'JWT_SECRET' : 'SESSION_SECRET'}${/\.[cm]?tsx?$/.test(ctx.file.path) ? '!' : ''}`;
  const fixes: Fix[] = r.literal && fixable ? [{ title: `Read it from ${env}`, edits: [{ range: ctx.file.range(x), newText: env }] }] : [];
  ctx.report({ range: ctx.file.range(x), message: secretMessage(kind, r.value), severity: WELL_KNOWN.test(r.value) ? 'error' : 'warning', confidence: 'high', fixes });
}

/** Session middleware, cookie signing and token libraries, by qualified name: where their secret goes. */
const JS_SESSION_CALLS = /^(express-session|cookie-session|koa-session|koa-generic-session|@fastify\/session|@fastify\/secure-session|fastify-session|next-auth|iron-session\.getIronSession|iron-session\.sealData)$/;

function jsOptionsSecret(ctx: JsContext, opts: ts.Expression | undefined, kind: SecretKind, keys: string[]): void {
  const o = opts ? skipOuter(opts) : undefined;
  if (!o || !ts.isObjectLiteralExpression(o)) return;
  for (const k of keys) jsCheckSecret(ctx, propertyOf(o, k), kind);
}

function jsSecretCall(node: ts.CallExpression | ts.NewExpression, ctx: JsContext): void {
  const name = ctx.file.callName(node) ?? '';
  const args = node.arguments ?? [];
  if (JS_SESSION_CALLS.test(name)) {
    return jsOptionsSecret(ctx, name === 'iron-session.getIronSession' ? args[2] : name === 'iron-session.sealData' ? args[1] : args[0], 'session', ['secret', 'keys', 'password']);
  }
  if (name === 'cookie-parser') return jsCheckSecret(ctx, args[0], 'session');
  if (/^(express-jwt|express-jwt\.expressjwt|koa-jwt|@nestjs\/jwt\.JwtModule\.register)$/.test(name)) return jsOptionsSecret(ctx, args[0], 'jwt', ['secret']);
  if (/^jsonwebtoken\.(sign|verify)$/.test(name)) {
    // a literal is insecure-jwt's finding; a constant bound to a name is this rule's
    const key = args[1] ? skipOuter(args[1]) : undefined;
    if (key && ts.isIdentifier(key)) jsCheckSecret(ctx, key, 'jwt');
    return;
  }
  // fastify.register(fastifySession, { secret }), passport-jwt `new Strategy({ secretOrKey })` and NestJS `super({ secretOrKey })`
  const callee = node.expression;
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'register' && args.length >= 2) {
    const plugin = ctx.file.qualifiedName(args[0]) ?? '';
    if (/^@fastify\/(session|secure-session|cookie)$/.test(plugin)) return jsOptionsSecret(ctx, args[1], 'session', ['secret', 'key']);
    if (plugin === '@fastify/jwt') return jsOptionsSecret(ctx, args[1], 'jwt', ['secret']);
  }
  const first = args[0] ? skipOuter(args[0]) : undefined;
  if (first && ts.isObjectLiteralExpression(first) && (name === 'passport-jwt.Strategy' || callee.kind === ts.SyntaxKind.SuperKeyword)) {
    jsOptionsSecret(ctx, first, 'jwt', ['secretOrKey']);
  }
}

/** Koa `app.keys = [...]`, and `password === 'hunter2'` in login code. */
function jsSecretBinary(node: ts.BinaryExpression, ctx: JsContext): void {
  const op = node.operatorToken.kind;
  if (op === ts.SyntaxKind.EqualsToken) {
    const left = skipOuter(node.left);
    if (ts.isPropertyAccessExpression(left) && left.name.text === 'keys' && ts.isArrayLiteralExpression(skipOuter(node.right))
      && (ctx.file.valueOf(left.expression).origin ?? '').startsWith('koa')) jsCheckSecret(ctx, node.right, 'session');
    return;
  }
  if (op !== ts.SyntaxKind.EqualsEqualsEqualsToken && op !== ts.SyntaxKind.EqualsEqualsToken
    && op !== ts.SyntaxKind.ExclamationEqualsEqualsToken && op !== ts.SyntaxKind.ExclamationEqualsToken) return;
  for (const [pw, other] of [[node.left, node.right], [node.right, node.left]]) {
    if (!jsIsBarePassword(skipOuter(pw))) continue;
    const r = jsResolve(ctx, other);
    if (!r || !credentialLiteral(r.value) || (!r.literal && alreadyReported(r.value, r.name))) continue;
    if (!r.literal && r.name && !isPasswordName(r.name) && !/secret|pass|pwd/i.test(r.name)) continue;
    if (!loginCode(jsFunctionName(node), ctx.file.mayHaveServerTaint() && ctx.file.valueOf(pw).kind === 'tainted')) continue;
    ctx.report({ range: ctx.file.range(skipOuter(other)), message: credentialMessage(r.value), severity: 'error', confidence: 'high' });
    return;
  }
}
