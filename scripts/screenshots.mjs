// Regenerates the README's and the marketplace page's screenshots (images/screenshots/*.png) by
// running the UI test against the real VS Code server. Never edit the images by hand.
// Usage: npm run build && node scripts/screenshots.mjs
import { join } from 'node:path';
import { root } from '../test/vscode/vscode-server.mjs';
import { runQuickFixUi } from '../test/ui/quick-fix.mjs';

const shotsDir = join(root, 'images/screenshots');
await runQuickFixUi({ shotsDir });
console.log(`screenshots written to ${shotsDir}`);
