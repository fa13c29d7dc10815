import ts from 'typescript';
import type { Node } from 'web-tree-sitter';
import { defineRule, type CloudContext, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix, type Range, type Severity } from '../engine/types';
import { envName, jsBindingName, nameWords, pyBindingName, pyImportEdit, pyLiteral, skipTestsJs, skipTestsPy } from './support/constants';

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
    languages: ['python', 'javascript', 'json', 'yaml', 'terraform'],
  },
  python: skipTestsPy({
    string: (node, ctx) => pythonString(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.StringLiteral]: (node: ts.StringLiteral, ctx) => javascriptString(node, ctx),
    [ts.SyntaxKind.NoSubstitutionTemplateLiteral]: (node: ts.NoSubstitutionTemplateLiteral, ctx) => javascriptString(node, ctx),
  }),
  cloud: (ctx) => cloudLiterals(ctx),
});

// ---- what a secret looks like ----

interface Match { what: string; env: string; whole: boolean; severity: Severity }

/** Documented token formats: [description, environment name, pattern]. */
const FORMATS: [string, string, RegExp][] = [
  ['an AWS access key id', 'AWS_ACCESS_KEY_ID', /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/],
  ['a GitHub token', 'GITHUB_TOKEN', /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b/],
  ['a GitHub token', 'GITHUB_TOKEN', /\bgithub_pat_[A-Za-z0-9_]{82}\b/],
  ['a Stripe live key', 'STRIPE_SECRET_KEY', /\b(?:sk|rk)_live_[A-Za-z0-9]{24,}\b/],
  ['a Slack token', 'SLACK_TOKEN', /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/],
  ['a Slack webhook URL', 'SLACK_WEBHOOK_URL', /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,}/],
  ['a Google API key', 'GOOGLE_API_KEY', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['an npm token', 'NPM_TOKEN', /\bnpm_[A-Za-z0-9]{36}\b/],
  ['a SendGrid API key', 'SENDGRID_API_KEY', /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/],
];
const PRIVATE_KEY = /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|\s)+[A-Za-z0-9+/=:,\s\\-]{64,}/;
const CONNECTION = /^([a-z][a-z0-9+.-]*):\/\/([^:@/\s]*):([^@/\s]+)@([^/\s?#]+)/i;
const CONNECTION_SCHEMES = /^(postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps|mssql|sqlserver|oracle|ftp|sftp|smtp|smtps|ldap|ldaps|https?)$/i;

/** Words that make the last word of a binding name a secret. */
const SECRET_LAST = new Set(['password', 'passwd', 'pwd', 'passphrase', 'secret', 'token', 'apikey', 'credentials', 'credential']);
const KEY_PREFIX = new Set(['api', 'secret', 'access', 'private', 'signing', 'encryption', 'master', 'auth', 'hmac', 'jwt', 'client', 'app', 'license', 'session']);
/** Words in a name that say the value is a sample, a label or a setting about secrets rather than a secret. */
const NOT_SECRET_WORDS = new Set(['example', 'fake', 'dummy', 'test', 'mock', 'sample', 'placeholder', 'invalid', 'wrong', 'bad', 'default', 'name', 'field', 'label', 'type', 'prompt']);
const PLACEHOLDER = /changeme|change[_-]me|change[_-]?this|replace|your[_-]?|example|sample|dummy|placeholder|fake|test|mock|todo|fixme|xxx|\*\*\*|\.\.\.|redacted|insert|enter|secret|password|passwd|^(none|null|undefined|true|false|default|demo|admin|root|guest|postgres|pass|foo|bar|baz|qwerty|letmein|123456\d*)$/i;
/** Template and variable markers: `${X}`, `{{x}}`, `%(x)s`, `<your key>`, `$VAR`, `%VAR%`, `{name}`. */
const TEMPLATE = /\$\{|\{\{|%\(\w+\)s|<[\w .-]+>|^\$[A-Z_][A-Z0-9_]*$|^%[A-Z_]+%$|^\{[\w.]*\}$/i;
const HASHED = /^(pbkdf2_|argon2|bcrypt|scrypt|sha1\$|md5\$|crypt\$|unsalted_|\$2[aby]?\$|\$argon2|\$pbkdf2|!)/;

export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

function isPlaceholder(v: string): boolean {
  return PLACEHOLDER.test(v) || TEMPLATE.test(v) || /\s/.test(v) || /^(.)\1+$/.test(v) || /^[A-Z][A-Z0-9_]+$/.test(v);
}

/** A secret recognised by its value alone. */
export function formatMatch(value: string): Match | undefined {
  for (const [what, env, re] of FORMATS) {
    const m = re.exec(value);
    if (m && !/EXAMPLE|XXXX|xxxx|0000000000/.test(m[0]) && entropy(m[0]) >= 3) {
      return { what, env, whole: m[0] === value, severity: 'error' };
    }
  }
  if (PRIVATE_KEY.test(value)) return { what: 'a private key', env: 'PRIVATE_KEY', whole: true, severity: 'error' };
  const c = CONNECTION.exec(value);
  if (c && CONNECTION_SCHEMES.test(c[1])) {
    const [, , user, password] = c;
    if (password !== user && password.length >= 4 && !isPlaceholder(password) && !/^[a-z]+$/.test(password)) {
      return { what: 'a connection string with a password', env: 'DATABASE_URL', whole: true, severity: 'warning' };
    }
  }
  return undefined;
}

/** A secret recognised by the name it is bound to (`SECRET_KEY = "..."`, `password: "..."`). */
export function namedSecret(name: string, value: string): Match | undefined {
  const words = nameWords(name);
  if (words.length === 0 || words.some((w) => NOT_SECRET_WORDS.has(w))) return undefined;
  const last = words[words.length - 1];
  const prev = words[words.length - 2];
  const isKey = last === 'key' && prev !== undefined && KEY_PREFIX.has(prev);
  if (!SECRET_LAST.has(last) && !isKey) return undefined;
  if (HASHED.test(value) || isPlaceholder(value) || value.includes('/') || value.includes('.') && /\.[a-z]{2,4}$/.test(value)) return undefined;
  const isPassword = ['password', 'passwd', 'pwd', 'passphrase'].includes(last);
  if (isPassword) {
    // a real password has something besides lower-case letters (else it is a field name or a word)
    // (`Passwort`, `Contraseña`: translations of the label)
    if (value.length < 6 || /^[a-z_-]+$/.test(value) || /^\p{Lu}?\p{Ll}+$/u.test(value)) return undefined;
  } else if (value.length < 12 || entropy(value) < 3 || /^[a-z_.-]+$/i.test(value)) {
    return undefined;
  }
  const framework = /^(secret_key|secretkey)$/i.test(words.join('_'));
  return { what: isPassword ? 'a password' : `a secret (\`${name}\`)`, env: envName(name), whole: true, severity: framework ? 'error' : 'warning' };
}

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
  const name = pyBindingName(node) ?? pyDefaultName(node);
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
function pyDefaultName(node: Node): string | undefined {
  const p = node.parent;
  if (p && (p.type === 'default_parameter' || p.type === 'typed_default_parameter') && p.childForFieldName('value')?.equals(node)) {
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
