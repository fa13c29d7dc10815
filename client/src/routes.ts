import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { RoutesRequest, type RouteItem, type RoutesParams, type RoutesResult } from './protocol';

/**
 * The Routes view: every web route of the workspace (Flask, Django, FastAPI, Express, Koa, NestJS, Next.js)
 * with its methods, protection level and guards, grouped by file; routes the access-control rules question
 * carry a warning icon and the rule's message. The server builds the inventory (`secureHints/routes`, the
 * same listing as `secure-hints routes`); the view only draws it and opens the handler on click.
 */
type Node = { kind: 'file'; uri: string; routes: RouteItem[] } | { kind: 'route'; route: RouteItem } | { kind: 'detail'; text: string; route: RouteItem };

export class RoutesView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private routes: RouteItem[] | undefined;
  private loading: Promise<RouteItem[]> | undefined;

  constructor(private readonly getClient: () => LanguageClient | undefined) {}

  /** Re-reads the inventory from the server. Returns it (for tests). */
  async refresh(): Promise<RouteItem[]> {
    this.routes = undefined;
    this.loading = undefined;
    const routes = await this.load();
    this.changed.fire(undefined);
    return routes;
  }

  private load(): Promise<RouteItem[]> {
    if (this.routes) return Promise.resolve(this.routes);
    return this.loading ??= (async () => {
      const client = this.getClient();
      const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.toString());
      if (!client || folders.length === 0) return [];
      const params: RoutesParams = { folders };
      const result = await client.sendRequest<RoutesResult>(RoutesRequest, params);
      this.routes = result.routes;
      return this.routes;
    })().finally(() => { this.loading = undefined; });
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const routes = await this.load();
      const byFile = new Map<string, RouteItem[]>();
      for (const r of routes) byFile.set(r.uri, [...(byFile.get(r.uri) ?? []), r]);
      return [...byFile].map(([uri, list]) => ({ kind: 'file', uri, routes: list }));
    }
    if (node.kind === 'file') return node.routes.map((route) => ({ kind: 'route', route }));
    if (node.kind === 'route') {
      const r = node.route;
      return [
        ...r.questions.map((q) => ({ kind: 'detail' as const, text: `${q.ruleId}: ${q.message}`, route: r })),
        ...r.guards.map((g) => ({ kind: 'detail' as const, text: g, route: r })),
      ];
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(vscode.Uri.parse(node.uri), vscode.TreeItemCollapsibleState.Expanded);
      const questioned = node.routes.filter((r) => r.questions.length).length;
      item.description = `${node.routes.length} route${node.routes.length === 1 ? '' : 's'}${questioned ? `, ${questioned} questioned` : ''}`;
      return item;
    }
    const r = node.route;
    const open: vscode.Command = {
      command: 'vscode.open', title: 'Open handler',
      arguments: [vscode.Uri.parse(r.uri), { selection: new vscode.Range(r.range.start.line, r.range.start.character, r.range.end.line, r.range.end.character) }],
    };
    if (node.kind === 'detail') {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.tooltip = node.text;
      item.command = open;
      return item;
    }
    const label = `${r.methods.join(',')} ${r.path || r.handler}`;
    const hasDetails = r.questions.length + r.guards.length > 0;
    const item = new vscode.TreeItem(label, hasDetails ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = r.publicByDesign && r.level === 'public' ? `public (${r.publicByDesign})` : r.level;
    item.tooltip = new vscode.MarkdownString(`**${label}** — \`${r.handler}\` (${r.framework}, ${r.group})\n\nLevel: ${r.level}${r.questions.map((q) => `\n\n⚠ ${q.message}`).join('')}`);
    item.iconPath = new vscode.ThemeIcon(r.questions.length ? 'warning' : r.level === 'public' ? 'unlock' : 'lock');
    item.contextValue = r.questions.length ? 'questionedRoute' : 'route';
    item.command = open;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Registers the view `secureHints.routes` and the command `secureHints.refreshRoutes`. */
export function registerRoutesView(context: vscode.ExtensionContext, getClient: () => LanguageClient | undefined): RoutesView {
  const view = new RoutesView(getClient);
  context.subscriptions.push(view);
  try {
    // the view is declared in package.json (`contributes.views.explorer`); activation must not fail without it
    context.subscriptions.push(vscode.window.registerTreeDataProvider('secureHints.routes', view));
  } catch {
    // no such view in this build: the commands still answer with the inventory
  }
  context.subscriptions.push(
    vscode.commands.registerCommand('secureHints.refreshRoutes', () => view.refresh()),
    vscode.commands.registerCommand('secureHints.showRoutes', async () => {
      await vscode.commands.executeCommand('secureHints.routes.focus');
      return view.refresh();
    }),
  );
  return view;
}
