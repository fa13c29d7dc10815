// A UI test that drives the real VS Code workbench in Chromium the way a person would: open a
// file, see the squiggle, the hover and the Problems entry, press Ctrl+. , pick the fix, see the
// squiggle go. Saves a screenshot at each step into `shotsDir`.
import assert from 'node:assert';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installVsix, launchChromium, log, root, scratch, startServer, workbenchUrl } from '../vscode/vscode-server.mjs';

const SAMPLE = join(root, 'walkthrough/sample_app.py');
const FILE = 'users.py';

/** `vsix`: install this package first (as a user would) instead of loading the extension from the source tree. */
export async function runQuickFixUi({ shotsDir, vsix }) {
  mkdirSync(shotsDir, { recursive: true });
  const tmp = scratch('vscode-ui');
  mkdirSync(join(tmp.workspace, '.vscode'));
  writeFileSync(join(tmp.workspace, '.vscode/settings.json'), JSON.stringify({
    'files.autoSave': 'off', 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false,
    'editor.minimap.enabled': false, 'window.commandCenter': false, 'chat.commandCenter.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden', 'editor.fontSize': 15, 'chat.disableAIFeatures': true, 'git.enabled': false, 'git.autoRepositoryDetection': false,
    // a loaded CI machine must not push the file into analyze-on-save mode
    'secureHints.timeBudgetMs': 30000,
  }, null, 2));
  copyFileSync(SAMPLE, join(tmp.workspace, FILE));
  let server;
  let browser;
  let page;
  let ok = false;
  const shot = async (name) => {
    await page.screenshot({ path: join(shotsDir, `${name}.png`) });
    log(`screenshot ${name}.png`);
  };
  try {
    if (vsix) installVsix(tmp.dir, vsix);
    server = await startServer(tmp.dir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(workbenchUrl(server, tmp.workspace, vsix ? {} : { extensionDevelopmentPath: root }));
    await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
    await dismissDialogs(page);

    log(`opening ${FILE} from the Explorer`);
    const entry = page.locator(`.explorer-folders-view .monaco-list-row:has-text("${FILE}")`).first();
    await entry.waitFor({ state: 'visible', timeout: 60_000 });
    await entry.click();
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 60_000 });
    await closeSideBars(page);

    log('waiting for the squiggle');
    const squiggle = page.locator('.monaco-editor .squiggly-error').first();
    await squiggle.waitFor({ state: 'visible', timeout: 120_000 });
    await page.waitForSelector('[id="secure-hints.secure-hints.secureHints.status"], .statusbar-item:has-text("")', { timeout: 10_000 }).catch(() => {});
    await shot('finding');

    log('hovering the finding');
    const box = await squiggle.boundingBox();
    const at = { x: box.x + Math.min(box.width / 2, 60), y: box.y + box.height / 2 - 4 };
    await page.mouse.move(at.x - 20, at.y);
    await page.mouse.move(at.x, at.y, { steps: 5 });
    const hover = page.locator('.monaco-hover:visible').first();
    await hover.waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForFunction(() => /CWE-89/.test(document.querySelector('.monaco-hover')?.textContent ?? ''), null, { timeout: 30_000 });
    await shot('hover');
    await page.keyboard.press('Escape');
    await page.mouse.move(5, 5);

    log('opening the Problems panel');
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel .monaco-list-row:has-text("sql-injection")').first();
    await problem.waitFor({ state: 'visible', timeout: 30_000 });
    await shot('problems');

    log('quick fix: click into the squiggle, press Ctrl+.');
    const menu = page.locator('.action-widget').first();
    // a person presses again when nothing shows up; the code action request may be slow on a loaded machine
    for (let attempt = 1; ; attempt++) {
      await page.mouse.click(at.x, at.y);
      await page.keyboard.press('Control+.');
      try {
        await menu.waitFor({ state: 'visible', timeout: 30_000 });
        break;
      } catch (err) {
        if (attempt === 4) throw err;
        log(`no quick fix menu yet (attempt ${attempt}); pressing Ctrl+. again`);
        await page.keyboard.press('Escape');
      }
    }
    const items = await page.locator('.action-widget .monaco-list-row.action').allTextContents();
    log(`quick fix menu: ${items.join(' | ')}`);
    await shot('quick-fix-menu');
    const fix = page.locator('.action-widget .monaco-list-row.action', { hasText: /query parameters|parameterized/i }).first();
    assert.ok(await fix.count(), `a query-parameter fix in the menu: ${items.join(' | ')}`);
    await fix.click();
    await page.keyboard.press('Control+S');

    log('waiting for the squiggle to go');
    await page.waitForSelector('.monaco-editor .squiggly-error', { state: 'detached', timeout: 60_000 });
    const text = await page.locator('.monaco-editor .view-lines').first().textContent();
    assert.match(text.replace(/\u00a0/g, ' '), /WHERE name = \?/, 'the query now has a placeholder');
    await page.locator('.markers-panel .monaco-list-row:has-text("sql-injection")').first().waitFor({ state: 'detached', timeout: 30_000 });
    await shot('fixed');
    ok = true;
  } catch (err) {
    log(`UI test failed: ${err.stack ?? err}`);
    mkdirSync(join(root, 'test-output'), { recursive: true });
    if (page) await page.screenshot({ path: join(root, 'test-output/ui-failure.png') }).catch(() => {});
    log('screenshot: test-output/ui-failure.png');
    if (server) console.log(server.logLines.slice(-40).join('\n'));
    throw err;
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (ok) tmp.cleanup();
  }
}

/** The workbench may greet with a trust prompt or notifications; a person would close them. */
async function dismissDialogs(page) {
  await page.waitForTimeout(1500);
  const trust = page.locator('.monaco-dialog-box button:has-text("Yes, I trust")');
  if (await trust.count()) await trust.first().click();
  for (const close of await page.locator('.notifications-toasts .codicon-notifications-clear, .notification-toast .codicon-close').all()) {
    await close.click().catch(() => {});
  }
}

/** Hides the side bars (Explorer, Chat) so the screenshot shows the editor and the panel. */
async function closeSideBars(page) {
  await page.keyboard.press('Control+B');
  const aux = page.locator('.part.auxiliarybar:visible');
  if (await aux.count()) await page.keyboard.press('Control+Alt+B');
}
