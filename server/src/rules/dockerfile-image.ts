import type { DockerfileContext } from '../engine/rule-types';
import type { Fix } from '../engine/types';
import type { DockerFile, DockerStage } from '../lang/dockerfile/front';
import { invocation } from '../lang/shell/commands';
import { isTestFile } from './support/constants';

/**
 * The Dockerfile detectors of three rules that span file types (`container-runs-as-root`,
 * `unpinned-image`, `ssh-port-exposed`): each rule file imports its detector from here, next to
 * its Kubernetes and compose detectors.
 */

// ---- container-runs-as-root ----

/** Base images known to set a non-root default user. */
const NON_ROOT_BASE = /nonroot|non-root|rootless/i;
const CHAINGUARD = /^cgr\.dev\/chainguard\//;

/** Dev container and test images: never deployed, and a root or sudo-enabled user is their point. */
export function isDevOrTestImage(path: string): boolean {
  return /(^|[\\/])\.devcontainer[\\/]/.test(path) || isTestFile(path);
}

export function dockerfileRunsAsRoot(ctx: DockerfileContext): void {
  const f = ctx.file;
  if (isDevOrTestImage(f.path)) return;
  const stage = f.finalStage;
  if (!stage) return;
  const effective = f.effectiveUser(stage);
  if (effective !== 'base') {
    const u = effective.user;
    if (!u || u.resolved === undefined || !isRoot(u.resolved)) return;
    ctx.report({
      range: u.instructionRange,
      message: `The image's last \`USER\` is \`${u.text}\`: the container runs as root, so a compromise of the process is a compromise of the container (and a step closer to the host). Switch to an unprivileged user before \`CMD\`/\`ENTRYPOINT\`.`,
      fixes: userFix(f, stage, true),
    });
    return;
  }
  const root = rootStage(stage);
  const base = root.from.resolved;
  if (base === undefined) return; // a base image named by a variable: its default user is not known
  if (NON_ROOT_BASE.test(base) || CHAINGUARD.test(base)) return;
  // only images known to default to root: a third-party base may set its own user (Jupyter's `jovyan`...)
  if (!defaultsToRoot(root.from.name ?? base)) return;
  ctx.report({
    range: stage.range,
    confidence: 'medium',
    message: `No \`USER\` in the final stage${stage.from.stage ? ' or the stages it builds on' : ''}: the container runs as the base image's default user, root for \`${truncate(base)}\`. Add an unprivileged \`USER\` before \`CMD\`/\`ENTRYPOINT\`.`,
    fixes: userFix(f, stage, false),
  });
}

/** Official library images (and the few registries) whose default user is root. */
const ROOT_REGISTRIES = /^(gcr\.io\/distroless\/|mcr\.microsoft\.com\/dotnet\/|registry\.access\.redhat\.com\/ubi\d+(\/ubi|\/ubi-minimal|\/ubi-micro|-minimal|-micro)?$|public\.ecr\.aws\/docker\/library\/|public\.ecr\.aws\/amazonlinux\/)/;
/** Library images that switch to their own user. */
const LIBRARY_NON_ROOT = new Set(['sonarqube', 'elasticsearch', 'kibana', 'logstash', 'solr', 'jenkins', 'jetty']);

function defaultsToRoot(name: string): boolean {
  if (name === 'scratch') return true;
  const library = name.replace(/^(docker\.io\/|index\.docker\.io\/)?(library\/)?/, '');
  if (!library.includes('/') && !name.includes('.') || /^(docker\.io\/|index\.docker\.io\/)(library\/)?[^/]+$/.test(name)) return !LIBRARY_NON_ROOT.has(library);
  return ROOT_REGISTRIES.test(name);
}

function rootStage(stage: DockerStage): DockerStage {
  let s = stage;
  for (let n = 0; s.from.stage && n < 100; n++) s = s.from.stage;
  return s;
}

function isRoot(user: string): boolean {
  const name = user.split(':')[0].trim();
  return name === 'root' || name === '0';
}

function truncate(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** Options of `useradd`/`adduser` that take a value. */
const USER_OPTIONS = new Set(['-u', '-g', '-G', '-d', '-s', '-c', '-k', '-e', '-f', '-K', '-p', '-R', '-P', '-b', '-h', '--uid', '--gid', '--groups',
  '--home', '--home-dir', '--shell', '--comment', '--gecos', '--ingroup', '--skel', '--password', '--root', '--prefix', '--base-dir', '--key', '--firstuid', '--lastuid', '--add_extra_groups']);

/** The last user the final image's stages create with `useradd`/`adduser`, or a well-known one of the base. */
function knownUser(f: DockerFile, stage: DockerStage): string | undefined {
  const chain = new Set(f.finalChain);
  let found: string | undefined;
  for (const run of f.runs) {
    if (!run.stage || !chain.has(run.stage)) continue;
    for (const c of run.commands) {
      const inv = invocation(c);
      if (!inv || (inv.name !== 'useradd' && inv.name !== 'adduser')) continue;
      const operands: string[] = [];
      for (let k = 0; k < inv.args.length; k++) {
        const a = inv.args[k];
        if (a.value.startsWith('-')) { if (USER_OPTIONS.has(a.value)) k++; continue; }
        if (a.dynamic) { operands.push(''); continue; }
        operands.push(a.value);
      }
      if (operands.length === 1 && /^[a-z_][a-z0-9_-]{0,31}$/.test(operands[0])) found = operands[0];
    }
  }
  if (found) return found;
  const base = rootStage(stage).from.name;
  if (base && /^(docker\.io\/)?(library\/)?node$/.test(base)) return 'node';
  return undefined;
}

function userFix(f: DockerFile, stage: DockerStage, explicitRoot: boolean): Fix[] {
  const user = knownUser(f, stage);
  const start = stage.instructions.find((i) => i.getKeyword() === 'CMD' || i.getKeyword() === 'ENTRYPOINT');
  let at: { line: number; character: number };
  let prefix = '';
  if (start) {
    at = { line: start.getRange().start.line, character: 0 };
  } else {
    at = f.position(f.text.length);
    if (!f.text.endsWith('\n')) prefix = '\n';
  }
  const newText = `${prefix}USER ${user ?? '10001'}\n`;
  return [{
    title: user
      ? `Run as \`${user}\` (\`USER ${user}\` before ${start ? `\`${start.getKeyword()}\`` : 'the end'}; review file permissions)`
      : `Run as UID 10001 (review: the files the process needs must be readable by that user${explicitRoot ? '' : ''})`,
    edits: [{ range: { start: at, end: at }, newText }],
    preferred: true,
    safe: false,
  }];
}

// ---- unpinned-image ----

export function dockerfileUnpinnedImage(ctx: DockerfileContext): void {
  for (const stage of ctx.file.stages) {
    const from = stage.from;
    if (from.stage || from.resolved === undefined || from.digest) continue;
    if (from.resolved.toLowerCase() === 'scratch') continue;
    if (from.tag !== undefined && from.tag !== 'latest') continue;
    ctx.report({
      range: from.range,
      message: from.tag === 'latest'
        ? `\`${truncate(from.resolved)}\` uses the \`latest\` tag: every build may get a different image. Pin a version tag (and a digest, \`@sha256:...\`, for reproducible builds).`
        : `\`${truncate(from.resolved)}\` has no tag, so it means \`latest\`: every build may get a different image. Pin a version tag (and a digest, \`@sha256:...\`, for reproducible builds).`,
    });
  }
}

// ---- ssh-port-exposed ----

export function dockerfileSshPort(ctx: DockerfileContext): void {
  const chain = new Set(ctx.file.finalChain);
  for (const p of ctx.file.ports) {
    if (!chain.has(p.stage)) continue;
    const range = /^(\d{1,5})-(\d{1,5})(\/(tcp|udp|sctp))?$/i.exec(p.value);
    const has22 = p.port === 22 || (range !== null && Number(range[1]) <= 22 && Number(range[2]) >= 22);
    if (!has22 || /\/(udp|sctp)$/i.test(p.value)) continue;
    ctx.report({
      range: p.range,
      message: '`EXPOSE 22`: the image runs an SSH server. Containers are reached with `docker exec`/`kubectl exec`; an SSH daemon adds keys to manage and a login service to attack.',
    });
  }
}
