import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Range } from '../engine/types';
import { jsBindingName, nameWords, pyBindingName, pyStringHead, subRange, skipTestsJs, skipTestsPy } from './support/constants';

export default defineRule({
  meta: {
    id: 'cleartext-http',
    title: 'Cleartext HTTP to a remote host',
    description: 'Requests over http:// can be read and changed by anyone on the network path, including credentials and session tokens they carry.',
    cwe: ['CWE-319'],
    owasp: OWASP.A02,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 5.9,
    languages: ['python', 'javascript'],
  },
  python: skipTestsPy({
    call: (node, ctx) => pythonCall(node, ctx),
    string: (node, ctx) => pythonConfig(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
    [ts.SyntaxKind.NewExpression]: (node: ts.NewExpression, ctx) => javascriptCall(node, ctx),
    [ts.SyntaxKind.StringLiteral]: (node: ts.StringLiteral, ctx) => javascriptConfig(node, ctx),
    [ts.SyntaxKind.NoSubstitutionTemplateLiteral]: (node: ts.NoSubstitutionTemplateLiteral, ctx) => javascriptConfig(node, ctx),
    [ts.SyntaxKind.TemplateExpression]: (node: ts.TemplateExpression, ctx) => javascriptConfig(node, ctx),
  }),
});

/**
 * The remote host of a cleartext URL, or undefined when the URL is https, local, a documentation
 * or test host, a private address, a single-label (internal) name, or not known.
 */
export function remoteCleartextHost(url: string): string | undefined {
  const m = /^(?:http|ws):\/\/(?:[^@/?#\s]*@)?(\[[^\]]*\]|[^:/?#\s]*)/i.exec(url);
  if (!m) return undefined;
  const host = m[1].toLowerCase().replace(/\.$/, '');
  if (!host || !host.includes('.') || /[{}%$<>*]/.test(host)) return undefined;
  if (host.startsWith('[')) return undefined; // IPv6 literals: loopback/link-local mostly; not judged
  if (/^(127\.|10\.|0\.0\.0\.0$|192\.168\.|169\.254\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host)) return undefined;
  if (/(^|\.)(localhost|local|test|example|invalid|internal|lan|home|corp|intranet|localdomain|svc|cluster\.local)$/.test(host)) return undefined;
  if (/(^|\.)(example\.(com|org|net)|localtest\.me|lvh\.me|nip\.io|xip\.io)$/.test(host)) return undefined;
  // namespace and schema identifiers that are never fetched
  if (/(^|\.)(w3\.org|xmlns\.com|purl\.org|schemas\.xmlsoap\.org|schemas\.microsoft\.com|schemas\.openxmlformats\.org|ns\.adobe\.com|json-schema\.org|xml\.org|openid\.net|docbook\.org|relaxng\.org|apache\.org\/xml|opengis\.net|ogc\.org|rdfs\.org|schema\.org)$/.test(host)) return undefined;
  return host;
}

const URL_WORDS = new Set(['url', 'uri', 'endpoint', 'host', 'server', 'base', 'api', 'webhook', 'callback', 'backend', 'service', 'proxy', 'broker', 'href', 'link']);
const DOC_WORDS = new Set(['doc', 'docs', 'documentation', 'help', 'homepage', 'home', 'license', 'readme', 'website', 'author', 'repository', 'repo', 'issues', 'bugs', 'example', 'namespace', 'ns', 'xmlns', 'schema', 'profile']);

/** Does a binding name say the value is an address the program talks to (and not a documentation link)? */
function isEndpointName(name: string | undefined): boolean {
  if (!name) return false;
  const words = nameWords(name);
  if (words.some((w) => DOC_WORDS.has(w))) return false;
  return words.some((w) => URL_WORDS.has(w) || w.endsWith('url') || w.endsWith('uri'));
}

// ---- Python ----

const PY_CLIENT_PREFIXES = ['requests.', 'httpx.', 'urllib.request.', 'urllib3.', 'aiohttp.', 'http.client.'];
const PY_FETCHERS = new Set(['urllib.request.urlopen', 'urllib.request.Request', 'urllib.request.urlretrieve']);
const PY_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'stream', 'ws_connect']);

function pythonCall(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const name = f.callName(node);
  let arg: Node | undefined;
  if (name && (PY_FETCHERS.has(name) || PY_CLIENT_PREFIXES.some((p) => name.startsWith(p)) && PY_METHODS.has(name.slice(name.lastIndexOf('.') + 1)))) {
    const method = name.slice(name.lastIndexOf('.') + 1);
    arg = f.keywordArgument(node, 'url') ?? f.argument(node, method === 'request' ? 1 : 0);
  }
  if (arg?.type === 'string') reportPython(arg, ctx);
}

function pythonConfig(node: Node, ctx: PyContext): void {
  // the text first (every string of the file comes here), the name it is bound to after
  const head = pyStringHead(node);
  if (head === undefined || !remoteCleartextHost(head)) return;
  if (!isEndpointName(pyBindingName(ctx.file, node)) || pyInDocumentation(node)) return;
  reportPython(node, ctx);
}

function reportPython(node: Node, ctx: PyContext): void {
  const head = pyStringHead(node);
  if (head === undefined || !remoteCleartextHost(head)) return;
  const quote = node.namedChildren[0];
  const offset = quote?.type === 'string_start' ? quote.text.length : 1;
  report(ctx.file.range(node), offset, head, ctx.report);
}

// ---- JavaScript / TypeScript ----

const JS_CLIENTS = ['axios', 'got', 'superagent', 'node-fetch', 'undici', 'ky', 'needle', 'request', 'http', 'https', 'cross-fetch', 'isomorphic-fetch'];

function javascriptCall(node: ts.CallExpression | ts.NewExpression, ctx: JsContext): void {
  const f = ctx.file;
  const callee = node.expression;
  const name = f.callName(node);
  let isFetch = false;
  if (ts.isIdentifier(callee) && (callee.text === 'fetch' || callee.text === 'WebSocket' || callee.text === 'EventSource') && !name) isFetch = true;
  else if (name && JS_CLIENTS.some((c) => name === c || name.startsWith(c + '.'))) isFetch = true;
  else if (name === 'ws' || name === 'ws.WebSocket') isFetch = true;
  if (!isFetch) return;
  const arg = node.arguments?.[0];
  if (arg && (ts.isStringLiteralLike(arg) || ts.isTemplateExpression(arg))) reportJs(arg, ctx);
}

function javascriptConfig(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression, ctx: JsContext): void {
  // the text first (every string literal of the file comes here), the name it is bound to after
  if (!remoteCleartextHost(ts.isTemplateExpression(node) ? node.head.text : node.text)) return;
  if (!isEndpointName(jsBindingName(node)) || jsInDocumentation(node)) return;
  reportJs(node, ctx);
}

function reportJs(node: ts.StringLiteralLike | ts.TemplateExpression, ctx: JsContext): void {
  const head = ts.isTemplateExpression(node) ? node.head.text : node.text;
  if (!remoteCleartextHost(head)) return;
  report(ctx.file.range(node), 1, head, ctx.report);
}

function report(range: Range, offset: number, url: string, sink: (r: import('../engine/rule').Report) => void): void {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  const secure = scheme === 'ws' ? 'wss' : 'https';
  const host = remoteCleartextHost(url)!;
  sink({
    range,
    message: `Cleartext \`${scheme}://\` to \`${host}\`: anyone on the network path can read and change this traffic. Use \`${secure}://\`.`,
    fixes: [{ title: `Use ${secure}://`, edits: [{ range: subRange(range, offset, offset + scheme.length), newText: secure }], preferred: true }],
  });
}

// ---- documentation objects ----

/** Keys of an API description whose URLs are links for readers and examples, never requests this program makes. */
const DOC_KEYS = new Set(['externalDocs', 'example', 'examples', 'termsOfService', 'contact', 'license', 'x-logo']);
/** Keys that mark the root of an OpenAPI/Swagger/AsyncAPI description: its `servers` document the API. */
const SPEC_ROOT_KEYS = new Set(['openapi', 'swagger', 'asyncapi']);
/** Names that hold an API description (swagger-jsdoc options, a spec object). */
const SPEC_NAME = /swagger|openapi|asyncapi|api_?spec|api_?docs?$/i;

/**
 * A string inside an API description object: under a documentation key (`externalDocs`, `example`...) or
 * anywhere in an object that is an OpenAPI/Swagger spec (it has an `openapi`/`swagger` key, or a variable
 * named like one holds it). Walks at most 40 enclosing nodes.
 */
function jsInDocumentation(node: ts.Node): boolean {
  let n: ts.Node | undefined = node.parent;
  for (let i = 0; n && i < 40; i++, n = n.parent) {
    if (ts.isPropertyAssignment(n)) {
      const key = jsKey(n.name);
      if (key && DOC_KEYS.has(key)) return true;
    } else if (ts.isObjectLiteralExpression(n)) {
      // `openapi: '3.0.0'`, `swagger: '2.0'` (a version string: `swagger: true` in an app's settings is not a spec)
      if (n.properties.some((p) => ts.isPropertyAssignment(p) && SPEC_ROOT_KEYS.has(jsKey(p.name) ?? '') && ts.isStringLiteralLike(p.initializer))) return true;
    } else if (ts.isVariableDeclaration(n)) {
      return ts.isIdentifier(n.name) && SPEC_NAME.test(n.name.text);
    } else if (ts.isBlock(n) || ts.isSourceFile(n) || ts.isFunctionLike(n)) {
      return false;
    }
  }
  return false;
}

function jsKey(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name) ? name.text : undefined;
}

/** The same for Python dictionaries (`SPEC = {"openapi": "3.0.0", "servers": [...]}`, `"externalDocs": {...}`). */
function pyInDocumentation(node: Node): boolean {
  let n: Node | null = node.parent;
  for (let i = 0; n && i < 40; i++, n = n.parent) {
    if (n.type === 'pair') {
      const key = pyStringHead(n.childForFieldName('key') ?? n);
      if (key && DOC_KEYS.has(key)) return true;
    } else if (n.type === 'dictionary') {
      if (n.namedChildren.some((p) => p?.type === 'pair' && SPEC_ROOT_KEYS.has(pyStringHead(p.childForFieldName('key') ?? p) ?? '')
        && p.childForFieldName('value')?.type === 'string')) return true;
    } else if (n.type === 'keyword_argument') {
      const key = n.childForFieldName('name')?.text;
      if (key && DOC_KEYS.has(key)) return true;
    } else if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      return left?.type === 'identifier' && SPEC_NAME.test(left.text);
    } else if (n.type === 'block' || n.type === 'module' || n.type === 'function_definition') {
      return false;
    }
  }
  return false;
}
