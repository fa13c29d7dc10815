import ts from 'typescript';
import type { Node } from 'web-tree-sitter';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
// Python helpers
import { describeSource } from '../engine/rule';
import { methodName, pinnedUrl, receiverOrigin, sinkValue } from './support/python-sinks';

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
    call: (node, ctx) => pythonCall(node, ctx),
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
    const origin = m ? receiverOrigin(file, node) : undefined;
    if (!m || !origin || !PY_HTTP_CLIENTS.test(origin)) return;
    if (PY_HTTP_VERBS.has(m)) url = file.argument(node, 0, 'url');
    else if (m === 'request' || m === 'stream') url = file.argument(node, 1, 'url');
  }
  if (!url) return;
  const { value, ev } = sinkValue(file, url, 'ssrf');
  if (ev !== 'tainted' || pinnedUrl(file, url, false)) return;
  ctx.report({
    range: file.range(node),
    message: `${describeSource(value)} chooses the URL this server fetches: an attacker can make it reach internal services or cloud metadata. Allow only known hosts.`,
    value,
    severity: 'warning',
    confidence: 'medium',
  });
}

// ---- JavaScript / TypeScript ----

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  void node; void ctx;
}
