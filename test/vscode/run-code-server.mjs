// Runs the mocha suite in test/vscode/suite INSIDE the real VS Code extension host, served by the
// VS Code server of the code-server npm package, with Debian's Chromium as the workbench.
// Usage: node test/vscode/run-code-server.mjs   (after `npm run build`)
// Exit code: the suite's (0 = all passed). On failure it prints the server log and saves a
// screenshot to test-output/vscode-failure.png.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, log, root, scratch, startServer, workbenchUrl } from './vscode-server.mjs';

const TIMEOUT_MS = Number(process.env.SECURE_HINTS_VSCODE_TIMEOUT_MS ?? 15 * 60_000);

async function main() {
  const tmp = scratch('vscode-suite', join(root, 'test/vscode/workspace'));
  let server;
  let browser;
  let code = 1;
  try {
    server = await startServer(tmp.dir);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const exit = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (c) => { resolve(Number(c)); }));
    page.on('console', (msg) => {
      const text = msg.text();
      const suite = /\[suite\] ?(.*)$/s.exec(text);
      if (suite) console.log(suite[1]);
      else if (process.env.DEBUG_CONSOLE) console.log(`[page ${msg.type()}] ${text}`);
      // workbench errors about this extension may explain a failure
      else if (msg.type() === 'error' && /secure.?hints/i.test(text)) console.log(`[page error] ${text.split('\n').slice(0, 6).join('\n')}`);
    });
    page.on('pageerror', (err) => console.log(`[page exception] ${err.message}`));
    const url = workbenchUrl(server, tmp.workspace, {
      extensionDevelopmentPath: snapshotExtension(tmp.dir),
      extensionTestsPath: join(root, 'test/vscode/suite/index.js'),
    });
    log(`opening ${url}`);
    await page.goto(url);
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS); });
    const result = await Promise.race([exit, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      log(`the suite did not finish in ${TIMEOUT_MS / 1000} s`);
      await saveScreenshot(page);
      code = 1;
    } else {
      code = result;
      if (code !== 0) await saveScreenshot(page);
    }
    log(`suite finished with exit code ${code}`);
  } catch (err) {
    log(`runner error: ${err.stack ?? err}`);
    code = 1;
  } finally {
    await browser?.close().catch(() => {});
    if (code !== 0 && server) {
      log('last lines of the VS Code server log:');
      console.log(server.logLines.slice(-60).join('\n'));
      printExtensionLog(tmp.dir);
    }
    await server?.stop();
    if (code === 0 && !process.env.SECURE_HINTS_KEEP_TMP) tmp.cleanup();
    else log(`scratch folder kept: ${tmp.dir}`);
  }
  process.exit(code);
}

/**
 * A copy of the built extension (manifest, bundles, docs, snippets...) for this run, so a rebuild
 * of dist/ during the run cannot pull the files from under it.
 */
function snapshotExtension(dir) {
  const ext = join(dir, 'extension');
  for (const item of ['package.json', 'dist', 'docs', 'snippets', 'walkthrough', 'images', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    if (existsSync(join(root, item))) cpSync(join(root, item), join(ext, item), { recursive: true, filter: (src) => !src.endsWith('.map') });
  }
  log(`extension snapshot: ${ext}`);
  return ext;
}

/** The extension's output channel ("Secure Hints" log): the language server's errors and notes. */
function printExtensionLog(dir) {
  const found = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name === 'Secure Hints.log') found.push(join(d, e.name));
    }
  };
  try { walk(join(dir, 'user-data', 'logs')); } catch { /* no logs */ }
  for (const f of found) {
    log(`last lines of ${f}:`);
    console.log(readFileSync(f, 'utf8').split('\n').slice(-40).join('\n'));
  }
}

async function saveScreenshot(page) {
  try {
    mkdirSync(join(root, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-output/vscode-failure.png') });
    log('screenshot: test-output/vscode-failure.png');
  } catch { /* page gone */ }
}

main();
