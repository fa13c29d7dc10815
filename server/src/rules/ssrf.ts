import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { describeSource } from '../engine/rule';
import { fromLocalUser, methodName, pinnedUrl, receiverOrigin, sinkValue } from './support/python-sinks';
import { skipOuter as jsSkipOuter } from '../lang/javascript/front';
import { capitalized, fromCommandLine, leadingConstant, methodCall, pinsDestination, reportFlow } from './support/javascript-web';

export default defineRule({
  meta: {
    id: 'ssrf',
    title: 'Server-side request to an untrusted URL',
    description: "Fetching a URL taken from the request lets attackers make the server reach internal services.",
    cwe: ['CWE-918'],
    owasp: OWASP.A10,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 7.5,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => { if (ctx.file.mayHaveTaint()) pythonCall(node, ctx); },
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

// ---- Python ----

/** HTTP client calls: qualified name -> URL argument position and keyword. */
const PY_HTTP_CALLS: Record<string, [number, string]> = {
  'urllib.request.urlopen': [0, 'url'], 'urllib.request.Request': [0, 'url'], 'urllib.urlopen': [0, 'url'], 'urllib2.urlopen': [0, 'url'],
  'requests.request': [1, 'url'], 'httpx.request': [1, 'url'], 'httpx.stream': [1, 'url'],
  'aiohttp.request': [1, 'url'], 'urllib3.request': [1, 'url'],
};
const PY_HTTP_MODULES = ['requests', 'httpx'];
const PY_HTTP_VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);
/** Client objects whose methods fetch URLs. */
const PY_HTTP_CLIENTS = /^(requests\.(Session|session|sessions\.Session)|httpx\.(Client|AsyncClient)|aiohttp\.ClientSession|urllib3\.(PoolManager|poolmanager\.PoolManager))$/;

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  let url: Node | undefined;
  if (name && PY_HTTP_CALLS[name]) url = file.argument(node, PY_HTTP_CALLS[name][0], PY_HTTP_CALLS[name][1]);
  else if (name && PY_HTTP_MODULES.some((m) => name === `${m}.${name.split('.').pop()}` && PY_HTTP_VERBS.has(name.split('.').pop()!))) url = file.argument(node, 0, 'url');
  else if (!name) {
    const m = methodName(node);
    // the method name first: the receiver's origin asks the data flow
    const origin = m && (PY_HTTP_VERBS.has(m) || m === 'request' || m === 'stream') ? receiverOrigin(file, node) : undefined;
    if (!m || !origin || !PY_HTTP_CLIENTS.test(origin)) return;
    if (PY_HTTP_VERBS.has(m)) url = file.argument(node, 0, 'url');
    else if (m === 'request' || m === 'stream') url = file.argument(node, 1, 'url');
  }
  if (!url) return;
  const { value, ev } = sinkValue(file, url, 'ssrf');
  if (ev !== 'tainted' || fromLocalUser(value) || pinnedUrl(file, url, false)) return;
  ctx.report({
    range: file.range(node),
    message: `${describeSource(value)} chooses the URL this server fetches: an attacker can make it reach internal services or cloud metadata. Allow only known hosts.`,
    value,
    severity: 'warning',
    confidence: 'medium',
  });
}

// ---- JavaScript / TypeScript ----

/** HTTP clients by qualified name: the argument that holds the URL (or a config object with `url`/`host`). */
const JS_CLIENTS: Record<string, number> = {
  fetch: 0, 'node-fetch': 0, 'node-fetch.default': 0, 'cross-fetch': 0, 'isomorphic-fetch': 0, 'undici.fetch': 0,
  'undici.request': 0, 'undici.stream': 0, 'undici.pipeline': 0,
  axios: 0, 'axios.default': 0, 'axios.request': 0, got: 0, 'got.default': 0, request: 0, 'request-promise': 0,
  'request-promise-native': 0, superagent: 1, ky: 0, 'ky.default': 0, phin: 0, needle: 1, bent: -1,
  'http.get': 0, 'http.request': 0, 'https.get': 0, 'https.request': 0, 'http2.connect': 0,
};
/** Methods of HTTP client modules whose first argument is the URL: `axios.get(url)`, `got.post(url)`. */
const JS_CLIENT_MODULES = new Set(['axios', 'got', 'request', 'request-promise', 'request-promise-native', 'superagent', 'ky',
  'needle', 'node-fetch', 'undici']);
const JS_VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'request', 'stream', 'fetch']);
/** Config properties that choose where the request goes. */
const JS_URL_KEYS = new Set(['url', 'uri', 'baseURL', 'baseUrl', 'prefixUrl', 'host', 'hostname', 'origin']);

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const file = ctx.file;
  const callee = jsSkipOuter(node.expression);
  let name = file.callName(node);
  if (!name && ts.isIdentifier(callee) && callee.text === 'fetch') name = 'fetch';
  let index = name !== undefined && Object.hasOwn(JS_CLIENTS, name) ? JS_CLIENTS[name] : undefined;
  let pinnedBase = false;
  if (index === undefined && name) {
    const dot = name.lastIndexOf('.');
    const module = name.slice(0, dot).replace(/\.default$/, '');
    // needle(method, url) and needle.request(method, url), but needle.get(url) / needle.post(url, data)
    if (dot > 0 && JS_CLIENT_MODULES.has(module) && JS_VERBS.has(name.slice(dot + 1))) index = module === 'needle' && name.endsWith('.request') ? 1 : 0;
  }
  if (index === undefined) {
    // an axios instance made with a fixed baseURL: `api.get(path)` (an absolute path still overrides the base)
    const m = methodCall(node);
    const origin = m && JS_VERBS.has(m.name) && file.importsModule('axios') ? file.valueOf(m.receiver).origin : undefined;
    if (!origin || !/^axios(\.default)?\.create\(/.test(origin)) return;
    index = 0;
    // only a base URL pins the host: `axios.create()` or `axios.create({ timeout })` fetches whatever it is given
    pinnedBase = !!m && jsAxiosHasBase(file, m.receiver);
  }
  if (index < 0 || node.arguments.length <= index) return;
  const arg = jsSkipOuter(node.arguments[index]);
  const what = `\`${(name ?? file.textOf(callee)).replace(/\.default$/, '')}()\``;
  if (ts.isObjectLiteralExpression(arg)) {
    for (const p of arg.properties) {
      if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) continue;
      const key = ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name) ? p.name.text : undefined;
      if (!key || !JS_URL_KEYS.has(key)) continue;
      jsUrl(ctx, node, ts.isPropertyAssignment(p) ? p.initializer : p.name, what, pinnedBase);
    }
    return;
  }
  jsUrl(ctx, node, arg, what, pinnedBase);
}

function jsUrl(ctx: JsContext, at: ts.Node, url: ts.Expression, what: string, pinnedBase: boolean): void {
  const file = ctx.file;
  const pinned = pinnedBase || pinsDestination(leadingConstant(file, url));
  const value = file.valueOf(url);
  if (fromCommandLine(value)) return; // a CLI fetches the URLs its user names
  reportFlow(ctx, at, value, 'ssrf',
    (src) => pinned
      ? `${capitalized(src)} is part of the path ${what} requests; the host is fixed, but check that the value cannot add \`../\`, \`?\` or \`#\`.`
      : `${capitalized(src)} decides which URL the server requests with ${what}: attackers can reach internal services (localhost, cloud metadata). Check the host against an allow-list.`,
    { tainted: pinned ? 'hint' : 'warning', unknown: false });
}

/** `api` bound to `axios.create({ baseURL: ... })` (a config whose base URL is given, literally or not). */
function jsAxiosHasBase(file: JsContext['file'], receiver: ts.Expression): boolean {
  let e = jsSkipOuter(receiver);
  if (ts.isIdentifier(e)) e = jsSkipOuter(file.definitionOf(e) ?? e);
  if (!ts.isCallExpression(e)) return true; // made elsewhere: keep the old reading (a fixed base)
  const config = e.arguments[0] ? jsSkipOuter(e.arguments[0]) : undefined;
  if (!config) return false;
  if (!ts.isObjectLiteralExpression(config)) return true;
  return config.properties.some((p) => ts.isSpreadAssignment(p) || (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name)) && /^base(URL|Url)$/.test(p.name.text)));
}
