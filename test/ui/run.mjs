// Runs the UI test (test/ui/quick-fix.mjs); screenshots go to test-output/ui/. Exit 0 on success.
import { join } from 'node:path';
import { root } from '../vscode/vscode-server.mjs';
import { runQuickFixUi } from './quick-fix.mjs';

try {
  await runQuickFixUi({ shotsDir: process.env.SECURE_HINTS_SHOTS_DIR ?? join(root, 'test-output/ui') });
  console.log('UI test passed');
  process.exit(0);
} catch {
  process.exit(1);
}
