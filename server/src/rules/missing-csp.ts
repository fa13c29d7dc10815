import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { insertFirstProperty, isConfigObject, isNextConfig, jsBool, jsPropName, jsRemoveMember, jsString, pyBool, pyLiteral, pyRemoveArgument, skipTestsJs, skipTestsPy } from './support/constants';

export default defineRule({
  meta: {
    id: 'missing-csp',
    title: 'Missing or weak Content-Security-Policy',
    description: 'A Content-Security-Policy stops injected scripts from running; without one, or with unsafe-inline/unsafe-eval/* script sources, any XSS slip runs with full power.',
    cwe: ['CWE-693', 'CWE-1021'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 4.3,
    languages: ['python', 'javascript'],
  },
  python: skipTestsPy({
    string: (node, ctx) => pythonPolicyString(node, ctx),
    assignment: (node, ctx) => pythonDjangoCsp(node, ctx),
    call: (node, ctx) => pythonTalisman(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.ObjectLiteralExpression]: (node: ts.ObjectLiteralExpression, ctx) => javascriptObject(node, ctx),
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptExpress(node, ctx),
    [ts.SyntaxKind.StringLiteral]: (node: ts.StringLiteral, ctx) => javascriptPolicyString(node, ctx),
    [ts.SyntaxKind.NoSubstitutionTemplateLiteral]: (node: ts.NoSubstitutionTemplateLiteral, ctx) => javascriptPolicyString(node, ctx),
  }),
});

/** A strict policy to start from; Next.js inline scripts then need a nonce from middleware. */
export const STARTING_POLICY = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/** What is weak about a list of script sources, or undefined when it holds. */
export function weakScriptSources(sources: string[]): string | undefined {
  const s = sources.map((x) => x.trim().toLowerCase()).filter(Boolean);
  const hasNonce = s.some((x) => /^'(nonce-|sha(256|384|512)-|strict-dynamic')/.test(x));
  if (s.includes("'unsafe-eval'")) return "`'unsafe-eval'`";
  if (s.includes("'unsafe-inline'") && !hasNonce) return "`'unsafe-inline'`";
  if (s.includes('*')) return '`*`';
  if (s.some((x) => x === 'http:' || x === 'https:' || x === 'data:') && !s.includes("'strict-dynamic'")) return 'a scheme-wide source';
  return undefined;
}

/** The script sources of a policy string (`script-src`, else `default-src`), or undefined for text that is no policy. */
export function policyScriptSources(policy: string): string[] | undefined {
  if (!/(^|;)\s*(default-src|script-src)\s/i.test(policy)) return undefined;
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), values);
  }
  return directives.get('script-src') ?? directives.get('default-src');
}

function weakPolicyMessage(what: string): string {
  return `The Content-Security-Policy allows ${what} for scripts, so injected scripts still run. Use nonces or hashes (with \`'strict-dynamic'\`) instead.`;
}

// ---- Python ----

function pythonPolicyString(node: Node, ctx: PyContext): void {
  const policy = pyLiteral(node);
  const sources = policy ? policyScriptSources(policy) : undefined;
  const weak = sources && weakScriptSources(sources);
  if (weak) ctx.report({ range: ctx.file.range(node), message: weakPolicyMessage(weak) });
}

/** django-csp: `CSP_SCRIPT_SRC = ("'self'", "'unsafe-inline'")` and `{"script-src": [...]}` in `CONTENT_SECURITY_POLICY`. */
function pythonDjangoCsp(node: Node, ctx: PyContext): void {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (left?.type !== 'identifier' || !right) return;
  if (left.text === 'CSP_SCRIPT_SRC' || left.text === 'CSP_DEFAULT_SRC' && !siblingAssigned(node, 'CSP_SCRIPT_SRC')) {
    const weak = weakScriptSources(pyStrings(right));
    if (weak) ctx.report({ range: ctx.file.range(node), message: weakPolicyMessage(weak) });
  }
}

function pyStrings(node: Node): string[] {
  if (node.type !== 'list' && node.type !== 'tuple' && node.type !== 'set') return [];
  return node.namedChildren.map((c) => pyLiteral(c)).filter((s): s is string => s !== undefined);
}

function siblingAssigned(assignment: Node, name: string): boolean {
  for (const stmt of assignment.parent?.parent?.namedChildren ?? []) {
    const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) return true;
  }
  return false;
}

/** Flask-Talisman with the policy switched off. */
function pythonTalisman(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  if (f.callName(node) !== 'flask_talisman.Talisman') return;
  const csp = f.keywordArgument(node, 'content_security_policy');
  if (!csp || !(csp.type === 'none' || pyBool(f, csp) === false)) return;
  ctx.report({
    range: f.range(csp.parent!),
    message: '`content_security_policy=None` switches off Talisman\'s Content-Security-Policy: injected scripts run unhindered.',
    fixes: [{ title: "Keep Talisman's default policy", edits: [pyRemoveArgument(f, csp.parent!)], preferred: true }],
  });
}

// ---- JavaScript / TypeScript ----

function javascriptPolicyString(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral, ctx: JsContext): void {
  const sources = policyScriptSources(node.text);
  const weak = sources && weakScriptSources(sources);
  if (weak) ctx.report({ range: ctx.file.range(node), message: weakPolicyMessage(weak) });
}

function javascriptObject(node: ts.ObjectLiteralExpression, ctx: JsContext): void {
  const f = ctx.file;
  // helmet({ contentSecurityPolicy: false })
  const cspOff = node.properties.find((p) => jsPropName(p.name) === 'contentSecurityPolicy');
  if (cspOff && ts.isPropertyAssignment(cspOff) && jsBool(cspOff.initializer) === false) {
    ctx.report({
      range: f.range(cspOff),
      message: '`contentSecurityPolicy: false` switches off helmet\'s Content-Security-Policy: injected scripts run unhindered.',
      fixes: [{ title: "Keep helmet's default policy", edits: [jsRemoveMember(f, cspOff)], preferred: true }],
    });
  }
  // helmet directives: { scriptSrc: ["'self'", "'unsafe-inline'"] }
  const script = node.properties.find((p) => /^(scriptSrc|script-src)$/.test(jsPropName(p.name) ?? ''));
  const dflt = node.properties.find((p) => /^(defaultSrc|default-src)$/.test(jsPropName(p.name) ?? ''));
  const chosen = script ?? dflt;
  if (chosen && ts.isPropertyAssignment(chosen) && ts.isArrayLiteralExpression(chosen.initializer)) {
    const sources = chosen.initializer.elements.map((e) => jsString(f, e)).filter((s): s is string => s !== undefined);
    const weak = weakScriptSources(sources);
    if (weak) ctx.report({ range: f.range(chosen), message: weakPolicyMessage(weak) });
  }
  if (isNextConfig(f.path) && isConfigObject(node)) nextConfig(node, ctx);
}

function nextConfig(node: ts.ObjectLiteralExpression, ctx: JsContext): void {
  const f = ctx.file;
  const output = node.properties.find((p) => jsPropName(p.name) === 'output');
  if (output && ts.isPropertyAssignment(output) && jsString(f, output.initializer) === 'export') return; // static export: no headers()
  const headers = node.properties.find((p) => jsPropName(p.name) === 'headers');
  const at = f.rangeOf(node.getStart(f.sourceFile), node.getStart(f.sourceFile) + 1);
  if (!headers) {
    const method = `async headers() {\n    return [{ source: '/(.*)', headers: [{ key: 'Content-Security-Policy', value: "${STARTING_POLICY}" }] }];\n  }`;
    ctx.report({
      range: at,
      severity: 'hint',
      message: 'This Next.js config sets no Content-Security-Policy header (if middleware sets one, ignore this): a CSP limits what an XSS slip can do.',
      fixes: [{ title: 'Add a strict Content-Security-Policy in headers() (review: inline scripts need a nonce)', edits: [insertFirstProperty(f, node, method)], preferred: true }],
    });
    return;
  }
  if (!mentionsCsp(headers)) {
    ctx.report({
      range: f.range(headers.name ?? headers),
      severity: 'hint',
      message: '`headers()` sets no Content-Security-Policy (if middleware sets one, ignore this): a CSP limits what an XSS slip can do.',
    });
  }
}

function mentionsCsp(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isStringLiteralLike(n) && /^content-security-policy(-report-only)?$/i.test(n.text)) found = true;
    else if (ts.isIdentifier(n) && /csp|contentsecuritypolicy/i.test(n.text)) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** `app.listen(...)` of an Express app, in a file that never uses helmet (the entry file, where middleware goes). */
function javascriptExpress(node: ts.CallExpression, ctx: JsContext): void {
  const f = ctx.file;
  const callee = node.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'listen' || !ts.isIdentifier(callee.expression)) return;
  if (!f.importsModule('express') || f.importsModule('helmet') || f.importsModule('lusca')) return;
  const origin = f.valueOf(callee.expression).origin;
  if (origin !== undefined && origin !== 'express()') return;
  ctx.report({
    range: f.range(node),
    severity: 'hint',
    confidence: 'low',
    message: 'This Express app starts without security headers: `app.use(helmet())` adds a Content-Security-Policy and the other defaults (if another module does it, ignore this).',
  });
}
