import ts from 'typescript';
import type { Node } from 'web-tree-sitter';
import { defineRule, type ComposeContext, type JsContext, type KubeContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix, type Range, type Severity } from '../engine/types';
import { isScalar, scalarText, type YNode } from '../lang/kube/yaml';
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
    languages: ['python', 'javascript', 'yaml'],
  },
  python: skipTestsPy({
    string: (node, ctx) => pythonString(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.StringLiteral]: (node: ts.StringLiteral, ctx) => javascriptString(node, ctx),
    [ts.SyntaxKind.NoSubstitutionTemplateLiteral]: (node: ts.NoSubstitutionTemplateLiteral, ctx) => javascriptString(node, ctx),
  }),
  kubernetes: (ctx) => kubernetesSecrets(ctx),
  compose: (ctx) => composeSecrets(ctx),
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
