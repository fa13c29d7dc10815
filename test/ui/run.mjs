// Runs the UI test (test/ui/quick-fix.mjs) against the packaged extension: packs the current build
// into a .vsix with vsce (what `npm run package` ships), installs it into a fresh VS Code server
// and drives the workbench. Screenshots go to test-output/ui/. Exit 0 on success.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { log, root } from '../vscode/vscode-server.mjs';
import { runQuickFixUi } from './quick-fix.mjs';

try {
  let vsix;
  if (process.env.SECURE_HINTS_UI_FROM_SOURCE !== '1') {
    mkdirSync(join(root, '.tmp'), { recursive: true });
    vsix = join(root, `.tmp/ui-test-${process.pid}.vsix`);
    const r = spawnSync(join(root, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--out', vsix], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`vsce package failed:\n${r.stdout}\n${r.stderr}`);
    log(r.stdout.trim().split('\n').pop());
  }
  try {
    await runQuickFixUi({ shotsDir: process.env.SECURE_HINTS_SHOTS_DIR ?? join(root, 'test-output/ui'), vsix });
  } finally {
    if (vsix) rmSync(vsix, { force: true });
  }
  console.log('UI test passed');
  process.exit(0);
} catch (err) {
  console.log(`UI test failed: ${err.message ?? err}`);
  process.exit(1);
}
