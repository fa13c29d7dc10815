import * as vscode from 'vscode';

/**
 * `Secure Hints: Show Rule Documentation`: opens a rule's docs page, shipped inside the extension
 * (works offline), in the Markdown preview. The argument may be a rule id, a docs URL ending in
 * `<id>.md`, or `{ ruleId }`; without one, the rule is picked from a list (the rule under the
 * cursor first).
 */
export async function showRuleDocumentation(extensionUri: vscode.Uri, arg?: unknown): Promise<vscode.Uri | undefined> {
  const docsDir = vscode.Uri.joinPath(extensionUri, 'docs', 'rules');
  let ruleId = ruleIdOf(arg) ?? ruleUnderCursor();
  if (!ruleId) {
    const pages = await listRules(docsDir);
    const pick = await vscode.window.showQuickPick(pages, { placeHolder: 'Secure Hints rule', matchOnDescription: true });
    ruleId = pick?.label;
  }
  if (!ruleId) return undefined;
  const page = vscode.Uri.joinPath(docsDir, `${ruleId}.md`);
  try {
    await vscode.workspace.fs.stat(page);
  } catch {
    void vscode.window.showWarningMessage(`Secure Hints: no documentation for rule "${ruleId}".`);
    return undefined;
  }
  await vscode.commands.executeCommand('markdown.showPreview', page);
  return page;
}

function ruleIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return /([a-z0-9-]+)(?:\.md)?(?:#.*)?$/.exec(arg)?.[1];
  if (arg && typeof arg === 'object' && typeof (arg as { ruleId?: unknown }).ruleId === 'string') return (arg as { ruleId: string }).ruleId;
  return undefined;
}

function ruleUnderCursor(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const at = editor.selection.active;
  const diag = vscode.languages.getDiagnostics(editor.document.uri)
    .find((d) => d.source === 'secure-hints' && d.range.contains(at));
  const code = diag?.code;
  return typeof code === 'object' ? String(code.value) : code === undefined ? undefined : String(code);
}

async function listRules(docsDir: vscode.Uri): Promise<vscode.QuickPickItem[]> {
  let entries: [string, vscode.FileType][] = [];
  try {
    entries = await vscode.workspace.fs.readDirectory(docsDir);
  } catch {
    return [];
  }
  const items: vscode.QuickPickItem[] = [];
  for (const [name] of entries.sort()) {
    if (!name.endsWith('.md')) continue;
    const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(docsDir, name))).toString('utf8');
    const title = /^#\s+(.+)$/m.exec(text)?.[1];
    items.push({ label: name.slice(0, -3), description: title });
  }
  return items;
}
