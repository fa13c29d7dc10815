import { defineRule, type DockerfileContext } from '../engine/rule-types';
import { OWASP, type Confidence } from '../engine/types';

/**
 * `COPY`/`ADD` of files that hold credentials (`.env`, SSH and TLS private keys, `.npmrc`,
 * `.netrc`, cloud credentials): they stay in the image layer, readable by anyone who can pull the
 * image, even when a later step deletes them.
 */
export default defineRule({
  meta: {
    id: 'secret-file-in-image',
    title: 'Credentials file copied into the image',
    description: 'A key or credentials file copied into an image stays in its layers for anyone who can pull it, even if a later step deletes it. Use a build secret (`RUN --mount=type=secret`) or mount it at run time.',
    cwe: ['CWE-538'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 6.5,
    languages: ['dockerfile'],
  },
  dockerfile: (ctx) => check(ctx),
});

interface Kind { what: string; confidence: Confidence }

/** Base names of credentials files. */
const NAMES: Record<string, Kind> = {
  '.env': { what: 'an environment file with the application\'s secrets', confidence: 'high' },
  id_rsa: { what: 'an SSH private key', confidence: 'high' },
  id_dsa: { what: 'an SSH private key', confidence: 'high' },
  id_ecdsa: { what: 'an SSH private key', confidence: 'high' },
  id_ed25519: { what: 'an SSH private key', confidence: 'high' },
  '.npmrc': { what: 'npm settings, which often hold a registry token', confidence: 'medium' },
  '.pypirc': { what: 'PyPI upload credentials', confidence: 'high' },
  '.netrc': { what: 'login credentials (`.netrc`)', confidence: 'high' },
  '.git-credentials': { what: 'Git credentials', confidence: 'high' },
  '.pgpass': { what: 'PostgreSQL passwords', confidence: 'high' },
  '.htpasswd': { what: 'password hashes', confidence: 'medium' },
  'credentials.json': { what: 'a credentials file', confidence: 'medium' },
  'service-account.json': { what: 'a cloud service account key', confidence: 'high' },
};
/** Paths by their last two segments. */
const PATHS: Record<string, Kind> = {
  '.aws/credentials': { what: 'AWS credentials', confidence: 'high' },
  '.docker/config.json': { what: 'Docker registry credentials', confidence: 'high' },
  '.kube/config': { what: 'Kubernetes cluster credentials', confidence: 'high' },
  '.ssh': { what: 'an SSH directory with private keys', confidence: 'high' },
  '.aws': { what: 'AWS credentials', confidence: 'high' },
  '.gnupg': { what: 'a GnuPG keyring', confidence: 'high' },
};
const KEY_FILE = /(^|[._-])(priv(ate)?[._-]?key|privkey|key)\.pem$|\.(key|p12|pfx|jks|keystore|ppk)$/i;
/** Names of public keys (repository signing keys, `*.pub.key`): not secrets. */
const PUBLIC_KEY = /pub|gpg|pgp|sign|release|repo|keyring|archive|trust|\.asc/i;
const ENV_VARIANT = /^\.env\.(?!(example|sample|template|dist|defaults?|schema|test|ci)$)[\w.-]+$/i;

function classify(path: string): Kind | undefined {
  const p = path.replace(/\/+$/, '').replace(/^\.\//, '');
  const segments = p.split('/');
  const base = segments[segments.length - 1];
  if (NAMES[base]) return NAMES[base];
  const lastTwo = segments.slice(-2).join('/');
  if (PATHS[lastTwo]) return PATHS[lastTwo];
  if (PATHS[base]) return PATHS[base];
  if (ENV_VARIANT.test(base)) return NAMES['.env'];
  if (KEY_FILE.test(base) && !/[*?[]/.test(base) && !PUBLIC_KEY.test(base)) return { what: 'a private key', confidence: 'medium' };
  return undefined;
}

function check(ctx: DockerfileContext): void {
  for (const c of ctx.file.copies) {
    for (const s of c.sources) {
      if (s.dynamic || /^[a-z]+:\/\//i.test(s.value)) continue;
      const kind = classify(s.value);
      if (!kind) continue;
      ctx.report({
        range: s.range,
        confidence: kind.confidence,
        message: `\`${c.keyword} ${s.value}\` puts ${kind.what} into the image, where anyone who can pull it can read it (deleting it in a later step does not remove it from the layer). Use a build secret (\`RUN --mount=type=secret\`) or mount it at run time, and list it in \`.dockerignore\`.`,
      });
    }
  }
}
