import { defineRule, type DockerfileContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { basename } from '../lang/shell/commands';
import { isDevOrTestImage } from './dockerfile-image';

/**
 * `sudo` in a `RUN`: the build already runs as the `USER` in effect, so `sudo` is only there
 * because the image's user may raise its privileges, which it keeps at run time.
 */
export default defineRule({
  meta: {
    id: 'sudo-in-container',
    title: '`sudo` used in a Dockerfile',
    description: '`sudo` in a `RUN` means the image\'s user can become root; anyone who gets code running in the container can too. Switch with `USER root` for the steps that need it and back to an unprivileged `USER`.',
    cwe: ['CWE-250'],
    owasp: OWASP.A05,
    severity: 'info',
    confidence: 'high',
    securitySeverity: 4.0,
    languages: ['dockerfile'],
  },
  dockerfile: (ctx) => check(ctx),
});

function check(ctx: DockerfileContext): void {
  const f = ctx.file;
  if (isDevOrTestImage(f.path)) return;
  for (const run of f.runs) {
    for (const c of run.commands) {
      const first = c.words[0];
      if (!first || first.dynamic || basename(first.value) !== 'sudo' || dropsPrivileges(c.words)) continue;
      ctx.report({
        range: f.rangeOf(first.start, first.end),
        message: '`sudo` in a `RUN`: steps that need root should run under `USER root`, and the image should not give its runtime user a way to become root.',
      });
    }
  }
}

/** `sudo -u app cmd`: run by root to become an unprivileged user, the opposite of the concern here. */
function dropsPrivileges(words: { value: string }[]): boolean {
  for (let k = 1; k < words.length && words[k].value.startsWith('-'); k++) {
    const v = words[k].value;
    const user = v === '-u' || v === '--user' ? words[k + 1]?.value : v.startsWith('--user=') ? v.slice(7) : v.startsWith('-u') && v.length > 2 ? v.slice(2) : undefined;
    if (user !== undefined) return user !== 'root' && user !== '#0' && user !== '0';
  }
  return false;
}
