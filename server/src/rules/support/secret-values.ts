/**
 * What a secret looks like: documented token formats, private keys, connection strings with a
 * password, and values under secret-like names that are not placeholders, templates or hashes.
 * hardcoded-secret asks this about every literal, in code and in configuration files.
 */
import type { Severity } from '../../engine/types';
import { envName, nameWords } from './constants';

export interface Match { what: string; env: string; whole: boolean; severity: Severity }

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
// the body starts with a non-space: `(\s)+[...\s...]{64,}` would split a run of spaces quadratically many ways
const PRIVATE_KEY = /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|\s)+[A-Za-z0-9+/=:,-][A-Za-z0-9+/=:,\s\\-]{63,}/;
const CONNECTION = /^([a-z][a-z0-9+.-]*):\/\/([^:@/\s]*):([^@/\s]+)@([^/\s?#]+)/i;
const CONNECTION_SCHEMES = /^(postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps|mssql|sqlserver|oracle|ftp|sftp|smtp|smtps|ldap|ldaps|https?)$/i;

/** Words that make the last word of a binding name a secret. */
const SECRET_LAST = new Set(['password', 'passwd', 'pwd', 'passphrase', 'secret', 'token', 'apikey', 'credentials', 'credential']);
const KEY_PREFIX = new Set(['api', 'secret', 'access', 'private', 'signing', 'encryption', 'master', 'auth', 'hmac', 'jwt', 'client', 'app', 'license', 'session']);
/** Words in a name that say the value is a sample, a label or a setting about secrets rather than a secret. */
const NOT_SECRET_WORDS = new Set(['example', 'fake', 'dummy', 'test', 'mock', 'sample', 'placeholder', 'invalid', 'wrong', 'bad', 'default', 'name', 'field', 'label', 'type', 'prompt']);
const PLACEHOLDER = /changeme|change[_-]me|change[_-]?this|replace|your[_-]?|example|sample|dummy|placeholder|fake|test|mock|todo|fixme|xxx|\*\*\*|\.\.\.|redacted|insert|enter|secret|password|passwd|^(none|null|undefined|true|false|default|demo|admin|root|guest|postgres|pass|foo|bar|baz|qwerty|letmein|123456\d*)$/i;
/** Template and variable markers: `${X}`, `{{x}}`, `%(x)s`, `<your key>`, `$VAR`, `%VAR%`, `{name}`. */
export const TEMPLATE = /\$\{|\{\{|%\(\w+\)s|<[\w .-]+>|^\$[A-Z_][A-Z0-9_]*$|^%[A-Z_]+%$|^\{[\w.]*\}$/i;
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
