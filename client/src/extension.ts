/**
 * The VS Code client: starts the bundled language server, registers the commands, shows the
 * status shield. All analysis lives in the server (dist/server.js).
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { showRuleDocumentation } from './docs';
import { AnalysisNoteNotification, type AnalysisNoteParams } from './protocol';
import { WorkspaceScan } from './scan';
import { registerRoutesView, type RoutesView } from './routes';
import { StatusShield } from './status';

const LANGUAGES = [
  'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'vue', 'xml',
  'yaml', 'dockercompose', 'dockerfile', 'json', 'jsonc', 'terraform', 'dotenv', 'shellscript', 'pip-requirements', 'toml',
  // server-side templates (`html`: the server reads only HTML files under a template folder)
  'jinja-html', 'django-html', 'jinja', 'nunjucks', 'handlebars', 'mustache', 'pug', 'jade', 'ejs', 'html',
];

/**
 * Configuration and dependency files known by name: without an extension for their language VS Code
 * calls them plain text (`yarn.lock`, `.tf`, `.env`, `requirements.txt`), so they are matched by pattern too.
 */
const FILE_PATTERNS = [
  '**/*.vue', '**/*.tf', '**/{Dockerfile,Containerfile}', '**/{Dockerfile,Containerfile}.*', '**/*.{dockerfile,Dockerfile,containerfile}',
  '**/.env', '**/.env.*', '**/{requirements,constraints}*.{txt,in}', '**/{yarn.lock,poetry.lock,uv.lock,Pipfile.lock,pyproject.toml}',
  // server-side templates, whatever language extension (if any) names them
  '**/*.{ejs,hbs,handlebars,mustache,pug,jade,njk,nunjucks,swig,jinja,jinja2,j2,djhtml}',
];

let client: LanguageClient | undefined;

/** What `activate` returns: used by the integration tests and other extensions. */
export interface SecureHintsApi {
  client(): LanguageClient | undefined;
  shield: StatusShield;
  scan: WorkspaceScan;
  /** The Routes view (the workspace's route inventory). */
  routes: RoutesView;
  /** Resolves when the server answered `initialize`. */
  ready: Promise<void>;
  /** Milestones since activation started, in ms (for the activation-time measurement). */
  timings: { serverReadyMs?: number };
}

export function activate(context: vscode.ExtensionContext): SecureHintsApi {
  const activated = Date.now();
  const timings: SecureHintsApi['timings'] = {};
  const output = vscode.window.createOutputChannel('Secure Hints', { log: true });
  const shield = new StatusShield();
  const scan = new WorkspaceScan(() => client, output);
  const notedOnce = new Set<string>();
  context.subscriptions.push(output, shield, scan);
  const routes = registerRoutesView(context, () => client);

  const start = async (): Promise<void> => {
    client = createClient(context, output);
    client.onNotification(AnalysisNoteNotification, (p: AnalysisNoteParams) => {
      shield.setNotes(p.uri, p.notes);
      for (const note of p.notes) {
        const key = `${p.uri}\n${note}`;
        if (notedOnce.has(key)) continue;
        notedOnce.add(key);
        output.appendLine(`${vscode.Uri.parse(p.uri).fsPath}: ${note}`);
      }
    });
    await client.start();
    timings.serverReadyMs ??= Date.now() - activated;
    output.info(`server ready ${Date.now() - activated} ms after activation`);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('secureHints.scanWorkspace', () => scan.run()),
    vscode.commands.registerCommand('secureHints.exportSarif', (target?: vscode.Uri) => scan.exportSarif(target)),
    vscode.commands.registerCommand('secureHints.showRuleDocumentation', (arg?: unknown) => showRuleDocumentation(context.extensionUri, arg)),
    vscode.commands.registerCommand('secureHints.restartServer', async () => {
      if (client) await client.restart();
      else await start();
      output.appendLine('Server restarted.');
    }),
    vscode.commands.registerCommand('secureHints.openSample', () => openSample(context.extensionUri)),
    vscode.commands.registerCommand('secureHints.showOutput', () => output.show(true)),
  );

  const ready = start().catch((err: Error) => {
    output.appendLine(`The Secure Hints server failed to start: ${err.stack ?? err.message}`);
    throw err;
  });
  return { client: () => client, shield, scan, routes, ready, timings };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  // the languageclient appends --node-ipc and --clientProcessId to these arguments
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, args: ['lsp'] },
    debug: { module, transport: TransportKind.ipc, args: ['lsp'], options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // .vue files have the language id `vue` only with a Vue extension installed: match them by name too
    documentSelector: [
      ...LANGUAGES.flatMap((language) => [{ scheme: 'file', language }, { scheme: 'untitled', language }]),
      ...FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
    ],
    outputChannel: output,
    synchronize: {
      configurationSection: 'secureHints',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/.securehints.json'),
    },
    initializationOptions: { settings: vscode.workspace.getConfiguration('secureHints') },
    diagnosticCollectionName: 'secure-hints',
  };
  return new LanguageClient('secureHints', 'Secure Hints', serverOptions, clientOptions);
}

/** The walkthrough's first step: a small vulnerable file in a new editor, ready to be fixed. */
async function openSample(extensionUri: vscode.Uri): Promise<vscode.TextEditor> {
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'walkthrough', 'sample_app.py'));
  const doc = await vscode.workspace.openTextDocument({ language: 'python', content: Buffer.from(bytes).toString('utf8') });
  return vscode.window.showTextDocument(doc);
}
