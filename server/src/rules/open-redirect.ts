import ts from 'typescript';
import type { Node } from 'web-tree-sitter';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
// Python helpers
import { describeSource } from '../engine/rule';
import { pinnedUrl, sinkValue } from './support/python-sinks';

export default defineRule({
  meta: {
    id: 'open-redirect',
    title: 'Redirect to an untrusted URL',
    description: "Redirecting to a URL taken from the request lets attackers send users to a phishing site that looks like yours.",
    cwe: ['CWE-601'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 6.1,
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

const PY_REDIRECTS: Record<string, string> = {
  'flask.redirect': 'location', 'werkzeug.utils.redirect': 'location', 'quart.redirect': 'location',
  'django.shortcuts.redirect': 'to', 'django.http.HttpResponseRedirect': 'redirect_to',
  'django.http.HttpResponsePermanentRedirect': 'redirect_to', 'django.http.response.HttpResponseRedirect': 'redirect_to',
  'fastapi.responses.RedirectResponse': 'url', 'starlette.responses.RedirectResponse': 'url',
};

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  if (!name || !(name in PY_REDIRECTS)) return;
  const target = file.argument(node, 0, PY_REDIRECTS[name]);
  if (!target) return;
  const { value, ev } = sinkValue(file, target, 'redirect');
  // only request data is reported: url_for(...) and settings are of unknown origin but not attacker-chosen
  if (ev !== 'tainted' || pinnedUrl(file, target, true)) return;
  ctx.report({
    range: file.range(node),
    message: `${describeSource(value)} chooses where \`${name.split('.').pop()}\` sends the user: an attacker can link to your site and land victims on theirs. Check it with url_has_allowed_host_and_scheme (Django) or accept only relative paths.`,
    value,
  });
}

// ---- JavaScript / TypeScript ----

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  void node; void ctx;
}
