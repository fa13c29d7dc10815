// Runs the same extension-host suite (test/vscode/suite) in a desktop VS Code downloaded by
// @vscode/test-electron: for machines that can reach Microsoft's update server (this repository's
// CI cannot; it uses run-code-server.mjs). Usage: npm run build && node test/vscode/run-electron.mjs
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { root } from './vscode-server.mjs';

const workspace = join(mkdtempSync(join(tmpdir(), 'secure-hints-electron-')), 'workspace');
cpSync(join(root, 'test/vscode/workspace'), workspace, { recursive: true });
try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? '1.139.1',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'test/vscode/suite/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--skip-welcome', '--skip-release-notes', '--disable-workspace-trust'],
  });
} catch (err) {
  console.error(`VS Code tests failed: ${err}`);
  process.exit(1);
}
