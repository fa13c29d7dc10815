import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { evidence, describeSource } from '../engine/rule';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix, type Value } from '../engine/types';
import { pyLiteral } from './support/constants';
import { jsIsLogCall, pyIsLogCall, isDevTooling, isTestCode } from './support/auth';

/**
 * Attacker-controlled text written to a log unescaped (CWE-117): a line break in it forges log entries, and control
 * characters can attack the terminal or the log viewer. Hint-level: only tainted values are reported.
 */
export default defineRule({
  meta: {
    id: 'log-injection',
    title: 'User input written to the log unescaped',
    description: 'Request data logged as-is lets an attacker add fake lines to the log (a newline in the value) and hide their tracks.',
    cwe: ['CWE-117'],
    owasp: OWASP.A09,
    severity: 'info',
    confidence: 'medium',
    securitySeverity: 3.5,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => { if (ctx.file.mayHaveTaint()) pythonCall(node, ctx); },
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

const MESSAGE = (v: Value) => `${describeSource(v)} is written to the log unescaped: a line break in it forges log entries. `
  + 'Log it with `repr()`/`!r` (Python) or `JSON.stringify` (JS), or strip `\\r\\n`.';

// ---- Python ----

function pythonCall(node: Node, ctx: PyContext): void {
  if (!pyIsLogCall(ctx.file, node) || isTestCode(ctx.file.path) || isDevTooling(ctx.file.path)) return;
  const args = (node.childForFieldName('arguments')?.namedChildren ?? [])
    .filter((a): a is Node => !!a && a.type !== 'keyword_argument' && a.type !== 'comment');
  // `log.info("%r %d", a, b)`: placeholders that escape (`%r`) or only take numbers (flags and width share
  // no character and the key is bounded: `[-#0 +]*\d*` is quadratic over a run of zeros)
  const format = args[0]?.type === 'string' ? pyLiteral(args[0]) : undefined;
  const conversions = format ? [...format.replace(/%%/g, '').matchAll(/%(?:\([^)]{0,256}\))?[-#0 +]*(?:[1-9]\d*)?(?:\.\d+)?([a-zA-Z])/g)].map((m) => m[1]) : [];
  for (const [i, a] of args.entries()) {
    if (a.type.endsWith('splat')) continue;
    if (i > 0 && format !== undefined && /^[rdifuxXoeEgGc]$/.test(conversions[i - 1] ?? '')) continue;
    if (a.type === 'call' && /^(repr|int|float|len|ascii)$/.test(a.childForFieldName('function')?.text ?? '')) continue;
    const v = ctx.file.valueOf(a);
    if (evidence(v, 'log') !== 'tainted') continue;
    const holes = a.type === 'string' ? a.namedChildren.filter((c): c is Node => c?.type === 'interpolation') : [];
    const rawHoles = holes.filter((c) => !c.namedChildren.some((k) => k?.type === 'type_conversion' && /r|a/.test(k.text))
      && evidence(ctx.file.valueOf(c.namedChildren[0]!), 'log') === 'tainted');
    if (a.type === 'string' && rawHoles.length === 0 && holes.length > 0) continue;
    const fixes: Fix[] = [];
    if (a.type === 'string') {
      // f"...{x}..." -> f"...{x!r}...": only the tainted holes without a conversion or format spec
      const edits = a.namedChildren.filter((c): c is Node => c?.type === 'interpolation'
        && !c.namedChildren.some((k) => k?.type === 'type_conversion' || k?.type === 'format_specifier')
        && evidence(ctx.file.valueOf(c.namedChildren[0]!), 'log') === 'tainted')
        .map((c) => { const end = ctx.file.range(c.namedChildren[0]!).end; return { range: { start: end, end }, newText: '!r' }; });
      if (edits.length) fixes.push({ title: 'Log the value with !r (escapes line breaks)', edits });
    } else {
      fixes.push({ title: 'Log repr() of the value (escapes line breaks)', edits: [{ range: ctx.file.range(a), newText: `repr(${a.text})` }] });
    }
    ctx.report({ range: ctx.file.range(a), message: MESSAGE(v), severity: 'info', confidence: 'medium', fixes });
    return;
  }
}

// ---- JavaScript / TypeScript ----

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  if (!jsIsLogCall(ctx.file, node) || isTestCode(ctx.file.path) || isDevTooling(ctx.file.path)
    // a browser's console is no log file, the command line is the user's own: only network input forges log lines
    || !ctx.file.mayHaveServerTaint()) return;
  for (const [i, a] of node.arguments.entries()) {
    if (ts.isSpreadElement(a) || isEscaped(a)) continue;
    // a bare value after the message is the logger's to format: report text built into the message line
    if (i > 0 && !ts.isTemplateExpression(a) && !(ts.isBinaryExpression(a) && a.operatorToken.kind === ts.SyntaxKind.PlusToken)) continue;
    const v = ctx.file.valueOf(a);
    if (evidence(v, 'log') !== 'tainted' || !canBreakLines(v)) continue;
    if (ts.isTemplateExpression(a) && a.templateSpans.every((s) => isEscaped(s.expression)
      || evidence(ctx.file.valueOf(s.expression), 'log') !== 'tainted' || !canBreakLines(ctx.file.valueOf(s.expression)))) continue;
    // objects are serialised by the logger (escaped); strings and templates are written as they are
    if (ts.isObjectLiteralExpression(a) || isParsedRequestObject(a, v)) continue;
    const fixes: Fix[] = [];
    if (ts.isTemplateExpression(a)) {
      const edits = a.templateSpans.filter((s) => !isEscaped(s.expression) && evidence(ctx.file.valueOf(s.expression), 'log') === 'tainted'
        && canBreakLines(ctx.file.valueOf(s.expression)))
        .map((s) => ({ range: ctx.file.range(s.expression), newText: `JSON.stringify(${ctx.file.textOf(s.expression)})` }));
      if (edits.length) fixes.push({ title: 'Log the value with JSON.stringify (escapes line breaks)', edits });
    } else {
      fixes.push({ title: 'Log JSON.stringify of the value (escapes line breaks)', edits: [{ range: ctx.file.range(a), newText: `JSON.stringify(${ctx.file.textOf(a)})` }] });
    }
    ctx.report({ range: ctx.file.range(a), message: MESSAGE(v), severity: 'info', confidence: 'medium', fixes });
    return;
  }
}

/** `JSON.stringify(x)`, `encodeURIComponent(x)`, `Number(x)`: nothing that breaks a log line gets through. */
function isEscaped(e: ts.Expression): boolean {
  if (!ts.isCallExpression(e)) return false;
  const c = e.expression;
  const name = ts.isPropertyAccessExpression(c) ? `${ts.isIdentifier(c.expression) ? c.expression.text : ''}.${c.name.text}` : ts.isIdentifier(c) ? c.text : '';
  return /^(JSON\.stringify|encodeURIComponent|encodeURI|Number|parseInt|parseFloat|util\.inspect)$/.test(name);
}

/**
 * Node's HTTP parser rejects CR, LF and other control characters in the request target, so the raw `req.url`
 * cannot break a log line; in the browser the "log" is the user's own console. (The JS front marks neither.)
 */
function canBreakLines(v: Value): boolean {
  if (v.kind !== 'tainted') return false;
  const d = v.source.description;
  // the URL sliced or split (`req.url.slice(n).split('@')`) still holds no line break; decoded, it may
  if (/^(req|request|ctx\.req|ctx\.request)\??\.(url|originalUrl|baseUrl)\b/.test(d) && !/decode|unescape|atob|Buffer|parse|query|searchParams|URL\b/.test(d)) return false;
  // the command line is written by whoever runs the program: their own log, not a forged one
  if (/^process\.argv\b/.test(d)) return false;
  return !/^(window\.)?(location|document)\b/.test(d);
}

/** `req.query`, `req.params`, `req.headers`, `req.cookies`: always objects, which loggers and `console` print escaped. */
function isParsedRequestObject(e: ts.Expression, v: Value): boolean {
  return ts.isPropertyAccessExpression(e) && ['query', 'params', 'headers', 'cookies', 'signedCookies'].includes(e.name.text)
    && v.kind === 'tainted' && v.path.length === 0;
}
