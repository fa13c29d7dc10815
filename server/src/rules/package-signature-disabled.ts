import { defineRule, type DockerfileContext } from '../engine/rule-types';
import { OWASP, type Fix } from '../engine/types';
import { invocation, longFlags, type FlagMatch } from '../lang/shell/commands';

/**
 * Package managers told to install packages whose signatures they could not check:
 * `apt-get --allow-unauthenticated`, `apk --allow-untrusted`, `yum/dnf --nogpgcheck`,
 * `rpm --nosignature`... A tampered mirror or a man in the middle then chooses what is installed.
 */
export default defineRule({
  meta: {
    id: 'package-signature-disabled',
    title: 'Package signature checks disabled',
    description: 'Installing packages without checking their signatures lets a compromised mirror or anyone on the network path replace them with their own code.',
    cwe: ['CWE-347', 'CWE-494'],
    owasp: OWASP.A08,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 7.5,
    languages: ['dockerfile'],
  },
  dockerfile: (ctx) => check(ctx),
});

const APT = ['--allow-unauthenticated', '--allow-insecure-repositories', '--force-yes'];
const FLAGS: Record<string, string[]> = {
  'apt-get': APT, apt: APT, aptitude: APT,
  apk: ['--allow-untrusted'],
  yum: ['--nogpgcheck'], dnf: ['--nogpgcheck'], microdnf: ['--nogpgcheck'], tdnf: ['--nogpgcheck'], 'yum-builddep': ['--nogpgcheck'],
  zypper: ['--no-gpg-checks'],
  rpm: ['--nosignature', '--nodigest', '--noverify'],
};
/** `-o APT::Get::AllowUnauthenticated=true`, `--setopt=gpgcheck=0`. */
const APT_OPTION = /^(APT::Get::AllowUnauthenticated|Acquire::AllowInsecureRepositories|Acquire::AllowDowngradeToInsecureRepositories)=(true|1|yes)$/i;
const SETOPT = /^([\w.*-]+\.)?(gpgcheck|repo_gpgcheck|localpkg_gpgcheck)=(0|false|no)$/i;

function check(ctx: DockerfileContext): void {
  const f = ctx.file;
  for (const run of f.runs) {
    for (const c of run.commands) {
      const inv = invocation(c);
      const flags = inv && FLAGS[inv.name];
      if (!inv || !flags) continue;
      for (const m of longFlags(inv.args, flags)) report(ctx, inv.name, m.word.value, m);
      if (inv.name === 'apt-get' || inv.name === 'apt' || inv.name === 'aptitude') {
        for (let k = 0; k < inv.args.length; k++) {
          const a = inv.args[k];
          const opt = a.value === '-o' || a.value === '--option' ? inv.args[k + 1] : a.value.startsWith('-o') && a.value.length > 2 ? a : undefined;
          const text = opt === a ? a.value.slice(2) : opt?.value;
          if (opt && text && APT_OPTION.test(text)) report(ctx, inv.name, text, { word: a, ...(opt !== a ? { valueWord: opt } : {}) });
        }
      } else if (inv.name !== 'apk' && inv.name !== 'rpm' && inv.name !== 'zypper') {
        for (const m of longFlags(inv.args, ['--setopt'], true)) {
          if (m.value !== undefined && SETOPT.test(m.value)) report(ctx, inv.name, `--setopt=${m.value}`, m);
        }
      }
    }
  }
}

function report(ctx: DockerfileContext, tool: string, what: string, m: FlagMatch): void {
  const f = ctx.file;
  const start = m.word.start;
  const end = (m.valueWord ?? m.word).end;
  const fixes: Fix[] = m.word.quoted || m.valueWord?.quoted
    ? []
    : [{ title: `Remove \`${what}\``, edits: [{ range: f.removalRange(start, end), newText: '' }], preferred: true, safe: false }];
  ctx.report({
    range: f.rangeOf(start, end),
    message: `\`${tool} ${what}\` installs packages without checking their signatures: a tampered mirror or a man in the middle chooses what gets installed. Import the repository's key instead.`,
    fixes,
  });
}
