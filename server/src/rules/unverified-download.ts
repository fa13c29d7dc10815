import { defineRule, type DockerfileContext, type ShellContext } from '../engine/rule-types';
import { OWASP, type Range } from '../engine/types';
import { download, invocation, pipelineBefore, type Invocation } from '../lang/shell/commands';
import type { SimpleCommand, Word } from '../lang/shell/words';

/**
 * Code fetched from the network and run (or added to an image) without checking its integrity:
 * `curl ... | sh`, `sh -c "$(curl ...)"`, `bash <(curl ...)`, a file downloaded and then run with
 * nothing verifying it in between, and `ADD https://...` without `--checksum`.
 */
export default defineRule({
  meta: {
    id: 'unverified-download',
    title: 'Code downloaded and run without an integrity check',
    description: 'A script or file fetched from the network and run (or added to an image) without a checksum or signature check runs whatever the server, a compromised mirror or a man in the middle sends.',
    cwe: ['CWE-494'],
    owasp: OWASP.A08,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 7.5,
    languages: ['dockerfile', 'shell'],
  },
  dockerfile: (ctx) => dockerfile(ctx),
  shell: (ctx) => scan(ctx.file.script.commands, ctx, 0),
});

/** Programs that run the code they read from standard input (or from a file operand). */
const INTERPRETERS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'fish', 'python', 'python2', 'python3', 'perl', 'ruby', 'node', 'php', 'pwsh', 'powershell', 'busybox']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh']);
/** Commands that check a file's integrity. */
const VERIFIERS = new Set(['sha256sum', 'sha512sum', 'sha384sum', 'sha224sum', 'sha1sum', 'shasum', 'md5sum', 'b2sum', 'cksum', 'gpg', 'gpg2', 'gpgv', 'cosign', 'minisign', 'signify', 'openssl', 'rpm', 'sigstore', 'slsa-verifier']);

type Ctx = DockerfileContext | ShellContext;

function dockerfile(ctx: DockerfileContext): void {
  const f = ctx.file;
  for (const run of f.runs) scan(run.commands, ctx, 0);
  for (const c of f.copies) {
    if (c.keyword !== 'ADD' || c.flags.some((fl) => fl.name.toLowerCase() === 'checksum')) continue;
    for (const s of c.sources) {
      if (s.dynamic || !/^https?:\/\//i.test(s.value) || isGitSource(s.value)) continue;
      ctx.report({
        range: s.range,
        message: `\`ADD ${s.value}\` downloads a file into the image without checking it: pin its digest with \`ADD --checksum=sha256:...\`, or download it in a \`RUN\` and verify it with \`sha256sum -c\`.`,
      });
    }
  }
}

/** `https://github.com/org/repo.git#ref`, `git@host:org/repo`: a Git source, which BuildKit clones. */
function isGitSource(url: string): boolean {
  return /\.git(#|$)/i.test(url) || /^git@/.test(url);
}

function scan(commands: SimpleCommand[], ctx: Ctx, depth: number): void {
  for (let i = 0; i < commands.length; i++) {
    const inv = invocation(commands[i]);
    if (inv) {
      pipedIntoInterpreter(commands, i, inv, ctx);
      substitutedIntoInterpreter(inv, ctx);
      downloadedThenRun(commands, i, inv, ctx);
    }
    if (depth < 3) for (const w of commands[i].words) for (const sub of w.subs) scan(sub, ctx, depth + 1);
  }
}

/** The interpreter reads its program from standard input (no script file operand, no `-c`). */
function readsStdin(inv: Invocation): boolean {
  if (!INTERPRETERS.has(inv.name)) return false;
  const args = inv.args;
  for (let k = 0; k < args.length; k++) {
    const v = args[k].value;
    if ((v === '-o' || v === '+o') && SHELLS.has(inv.name)) { k++; continue; }
    if (v === '-c' || v === '-e' || v === '-m' || (inv.name === 'busybox' && k === 0 && !INTERPRETERS.has(v))) return false;
    if (v === '-' || v === '/dev/stdin' || v === '-s') return true;
    if (v === '--') return args[k + 1] === undefined || args[k + 1].value === '-' || inv.name === 'bash' || inv.name === 'sh';
    if (!v.startsWith('-')) return inv.name === 'busybox' && k === 0 ? true : false;
  }
  return true;
}

function stdoutDownload(cmd: SimpleCommand): Invocation | undefined {
  const inv = invocation(cmd);
  if (!inv) return undefined;
  const d = download(inv);
  return d?.output === '-' ? inv : undefined;
}

function urlOf(inv: Invocation): string {
  const url = inv.args.find((a) => /^(https?|ftp):\/\//i.test(a.value));
  return url ? ` \`${url.value.length > 80 ? url.value.slice(0, 77) + '...' : url.value}\`` : '';
}

function pipedIntoInterpreter(commands: SimpleCommand[], i: number, inv: Invocation, ctx: Ctx): void {
  if (commands[i].connector !== '|' && commands[i].connector !== '|&') return;
  if (!readsStdin(inv)) return;
  const source = pipelineBefore(commands, i).map(stdoutDownload).find((x) => x);
  if (!source) return;
  ctx.report({
    range: span(ctx, source.command.start, commands[i].end),
    message: `\`${source.name}${urlOf(source)} | ${inv.name}\` runs whatever the server sends, unchecked. Download the script to a file, verify its checksum or signature, then run it.`,
  });
}

/** `sh -c "$(curl ...)"`, `eval "$(curl ...)"`, `bash <(curl ...)`, `. <(curl ...)`. */
function substitutedIntoInterpreter(inv: Invocation, ctx: Ctx): void {
  const runs = inv.name === 'eval' || inv.name === 'source' || inv.name === '.' || INTERPRETERS.has(inv.name);
  if (!runs) return;
  let candidates: Word[];
  if (inv.name === 'eval') candidates = inv.args;
  else if (inv.name === 'source' || inv.name === '.') candidates = inv.args.slice(0, 1);
  else {
    const c = inv.args.findIndex((a) => a.value === '-c' || a.value === '-e');
    const script = c >= 0 ? inv.args[c + 1] : inv.args.find((a) => !a.value.startsWith('-') || a.value.startsWith('<('));
    candidates = script ? [script] : [];
  }
  for (const w of candidates) {
    for (const sub of w.subs) {
      const source = sub.map(stdoutDownload).find((x) => x);
      if (!source) continue;
      ctx.report({
        range: span(ctx, inv.command.start, inv.command.end),
        message: `\`${inv.name}\` runs the output of \`${source.name}\`${urlOf(source)} unchecked. Download the script to a file, verify its checksum or signature, then run it.`,
      });
      return;
    }
  }
}

/** `curl -o install.sh URL && sh install.sh` with no checksum or signature check in between. */
function downloadedThenRun(commands: SimpleCommand[], i: number, inv: Invocation, ctx: Ctx): void {
  const d = download(inv);
  const file = d?.output;
  if (!d || !file || file === '-' || inv.command.words.some((w) => w.dynamic && w.value.includes(file))) return;
  const same = (v: string) => v === file || v === `./${file}` || `./${v}` === file;
  for (let j = i + 1; j < commands.length && j < i + 50; j++) {
    const next = invocation(commands[j]);
    if (!next) continue;
    if (VERIFIERS.has(next.name) || commands[j].words.some((w) => VERIFIERS.has(w.value))) return;
    const operand = INTERPRETERS.has(next.name) ? next.args.find((a) => !a.value.startsWith('-')) : undefined;
    const runsFile = (same(next.nameWord.value) && next.nameWord.value.includes('/')) || (operand !== undefined && !operand.dynamic && same(operand.value));
    if (!runsFile) continue;
    ctx.report({
      range: span(ctx, commands[j].start, commands[j].end),
      severity: 'warning',
      confidence: 'medium',
      message: `\`${file}\` is downloaded by \`${inv.name}\`${urlOf(inv)} and run without a checksum or signature check. Verify it (\`sha256sum -c\`, \`gpg --verify\`) before running it.`,
    });
    return;
  }
}

function span(ctx: Ctx, start: number, end: number): Range {
  return ctx.file.rangeOf(start, end);
}
