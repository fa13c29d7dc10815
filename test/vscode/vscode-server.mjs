// Starts the real VS Code server (shipped in the code-server npm package, installed by
// scripts/setup-vscode-server.sh) and Debian's Chromium, for the extension-host suite and the UI
// test. The server runs in its own process group, killed as a whole when done: extension hosts and
// language servers live under it.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export const root = dirname(dirname(dirname(new URL(import.meta.url).pathname)));
const cache = process.env.SECURE_HINTS_VSCODE_CACHE ?? join(root, '.cache/vscode-server');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

export function log(...args) {
  console.log(`[vscode ${new Date().toISOString().slice(11, 19)}]`, ...args);
}

/**
 * The environment for the install: this process's without what npm adds when it runs a script
 * (`npm test` runs mocha, which runs this): `npm_*` variables (code-server's postinstall reads the node
 * version from npm_config_user_agent, which names the outer npm's node) and node_modules/.bin and
 * node-gyp-bin entries on PATH. The setup script cleans its environment the same way (clean-npm-env.sh).
 */
export function installEnv(env = process.env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) if (!/^npm_/i.test(k) && v !== undefined) out[k] = v;
  const pathKey = Object.keys(out).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  out[pathKey] = (out[pathKey] ?? '').split(':').filter((p) => p && !/\/(node_modules\/\.bin|node-gyp-bin)\/*$/.test(p)).join(':');
  return out;
}

/** Installs the server on first use (cached afterwards) and returns the node and server paths. */
export function serverPaths() {
  const paths = join(cache, 'paths.json');
  if (!existsSync(paths)) {
    const r = spawnSync(join(root, 'scripts/setup-vscode-server.sh'), { stdio: 'inherit', env: installEnv() });
    if (r.status !== 0) throw new Error('scripts/setup-vscode-server.sh failed');
  }
  return JSON.parse(readFileSync(paths, 'utf8'));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * A scratch folder under .tmp/: a copy of `workspaceTemplate` as the workspace, and the server's
 * data folders.
 */
export function scratch(name, workspaceTemplate) {
  const base = join(root, '.tmp');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `${name}-`));
  const workspace = join(dir, 'workspace');
  if (workspaceTemplate) cpSync(workspaceTemplate, workspace, { recursive: true });
  else mkdirSync(workspace);
  for (const d of ['server-data', 'user-data', 'extensions']) mkdirSync(join(dir, d));
  return { dir, workspace, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts the VS Code server; resolves when it listens. `stop()` kills its whole process group. */
export async function startServer(dir) {
  const { node, serverMain } = serverPaths();
  const port = await freePort();
  const args = [
    serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token',
    '--accept-server-license-terms', '--telemetry-level', 'off', '--enable-smoke-test-driver',
    '--server-data-dir', join(dir, 'server-data'), '--user-data-dir', join(dir, 'user-data'),
    '--extensions-dir', join(dir, 'extensions'), '--reconnection-grace-time', '5',
  ];
  log(`starting VS Code server on port ${port}`);
  // detached: the child calls setsid(), so it leads a new process group we can kill as a whole
  const child = spawn(node, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VSCODE_AGENT_FOLDER: join(dir, 'server-data') } });
  const lines = [];
  const keep = (chunk) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(line);
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (lines.some((l) => l.includes(`listening on ${port}`) || l.includes(`:${port}`))) break;
    if (child.exitCode !== null) throw new Error(`VS Code server exited early:\n${lines.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`VS Code server did not start in 120 s:\n${lines.join('\n')}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/version`);
      if (res.status < 500) break;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 300));
  }
  log(`VS Code server ready (pid ${child.pid})`);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const signal of ['SIGTERM', 'SIGKILL']) {
      try { process.kill(-child.pid, signal); } catch { /* group gone */ }
      const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 3000))]);
      if (done && signal === 'SIGKILL') break;
      if (done) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* group gone */ } break; }
    }
    log('VS Code server stopped');
  };
  return { port, url: `http://127.0.0.1:${port}`, logLines: lines, stop };
}

/** Installs a packaged extension (.vsix) into the scratch folder's extensions directory, as a user would. */
export function installVsix(dir, vsix) {
  const { node, serverMain } = serverPaths();
  const r = spawnSync(node, [serverMain, '--accept-server-license-terms', '--server-data-dir', join(dir, 'server-data'),
    '--user-data-dir', join(dir, 'user-data'), '--extensions-dir', join(dir, 'extensions'), '--install-extension', vsix], { encoding: 'utf8', timeout: 180_000 });
  log(`install ${vsix}: ${(r.stdout + r.stderr).trim().split('\n').slice(-2).join(' / ')}`);
  if (r.status !== 0) throw new Error(`installing ${vsix} failed (exit ${r.status})`);
}

/** Launches Debian's Chromium through playwright-core. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`${executablePath} not found: apt-get install chromium`);
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

/** The workbench URL that opens `folder` (and optionally runs an extension under development and its tests). */
export function workbenchUrl(server, folder, { extensionDevelopmentPath, extensionTestsPath } = {}) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  let url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
  if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}
