import ts from 'typescript';
import { defineRule, type JsContext } from '../engine/rule-types';
import { OWASP, type Fix } from '../engine/types';
import { propertyOf, skipOuter } from '../lang/javascript/front';

/**
 * A JavaScript template engine told not to escape HTML: every `{{value}}` of every template then writes
 * markup as is, and one value from a user is stored XSS. The JS counterpart of jinja-autoescape-disabled.
 */
export default defineRule({
  meta: {
    id: 'template-escaping-disabled',
    title: 'HTML escaping of a template engine turned off',
    description: 'Turning off a template engine\'s HTML escaping (Mustache, Handlebars, EJS, Nunjucks, Swig, Eta, Select2) writes every interpolated value as markup: cross-site scripting.',
    cwe: ['CWE-79', 'CWE-116'],
    owasp: OWASP.A03,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 6.1,
    languages: ['javascript'],
  },
  javascript: {
    [ts.SyntaxKind.BinaryExpression]: (node: ts.BinaryExpression, ctx) => assignment(node, ctx),
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => call(node, ctx),
    [ts.SyntaxKind.NewExpression]: (node: ts.NewExpression, ctx) => call(node, ctx),
    [ts.SyntaxKind.PropertyAssignment]: (node: ts.PropertyAssignment, ctx) => select2Option(node, ctx),
  },
});

/** Escape functions that can be replaced: qualified name -> engine, for the message. */
const ESCAPERS: Record<string, string> = Object.assign(Object.create(null), {
  'mustache.escape': 'Mustache', 'mustache.default.escape': 'Mustache', 'handlebars.Utils.escapeExpression': 'Handlebars',
  'handlebars.escapeExpression': 'Handlebars', 'ejs.escapeXML': 'EJS',
});

/** Calls whose options can turn escaping off: qualified name -> [option, the value that turns it off]. */
const OPTIONS: Record<string, [string, 'true' | 'false' | 'identity']> = Object.assign(Object.create(null), {
  'handlebars.compile': ['noEscape', 'true'], 'handlebars.precompile': ['noEscape', 'true'],
  'handlebars.default.compile': ['noEscape', 'true'],
  'ejs.render': ['escape', 'identity'], 'ejs.compile': ['escape', 'identity'], 'ejs.renderFile': ['escape', 'identity'],
  'ejs.default.render': ['escape', 'identity'], 'ejs.default.compile': ['escape', 'identity'],
  'nunjucks.configure': ['autoescape', 'false'], 'nunjucks.Environment': ['autoescape', 'false'],
  'nunjucks.default.configure': ['autoescape', 'false'],
  'swig.setDefaults': ['autoescape', 'false'], 'swig.Swig': ['autoescape', 'false'], 'swig.compile': ['autoescape', 'false'],
  'swig.render': ['autoescape', 'false'], 'swig.compileFile': ['autoescape', 'false'], 'swig.renderFile': ['autoescape', 'false'],
  'eta.Eta': ['autoEscape', 'false'], 'eta.configure': ['autoEscape', 'false'], 'eta.renderString': ['autoEscape', 'false'],
});

/** `(t) => t`, `function (s) { return s; }`, `String`, `_.identity`: an escape that escapes nothing. */
function isIdentity(e: ts.Expression | undefined, ctx: JsContext): boolean {
  if (!e) return false;
  e = skipOuter(e);
  if (ts.isIdentifier(e) && e.text === 'String' && !ctx.file.declarationOf(e)) return true;
  const q = ctx.file.qualifiedName(e);
  if (q === 'lodash.identity' || q === 'underscore.identity' || q === 'ramda.identity') return true;
  if (!ts.isArrowFunction(e) && !ts.isFunctionExpression(e)) return false;
  const p = e.parameters[0];
  if (!p || !ts.isIdentifier(p.name)) return false;
  let body: ts.Node = e.body;
  if (ts.isBlock(body)) {
    if (body.statements.length !== 1) return false;
    const only = body.statements[0];
    if (!ts.isReturnStatement(only) || !only.expression) return false;
    body = only.expression;
  }
  body = skipOuter(body as ts.Expression);
  if (ts.isCallExpression(body) && ts.isIdentifier(body.expression) && body.expression.text === 'String' && body.arguments.length === 1) body = skipOuter(body.arguments[0]);
  return ts.isIdentifier(body) && body.text === p.name.text;
}

/** The qualified name, or for the browser globals `Mustache.x` / `Handlebars.x` (loaded by a script tag) their module's name. */
function engineName(q: string | undefined, e: ts.Expression, ctx: JsContext): string | undefined {
  if (q) return q;
  let base = skipOuter(e);
  const parts: string[] = [];
  while (ts.isPropertyAccessExpression(base)) { parts.unshift(base.name.text); base = skipOuter(base.expression); }
  if (!ts.isIdentifier(base) || !/^(Mustache|Handlebars|nunjucks|ejs|swig)$/.test(base.text) || ctx.file.declarationOf(base)) return undefined;
  return [base.text.toLowerCase(), ...parts].join('.');
}

function turnsOff(value: ts.Expression | undefined, how: 'true' | 'false' | 'identity', ctx: JsContext): boolean {
  if (!value) return false;
  const v = skipOuter(value);
  if (how === 'identity') return isIdentity(v, ctx);
  return v.kind === (how === 'true' ? ts.SyntaxKind.TrueKeyword : ts.SyntaxKind.FalseKeyword);
}

function assignment(node: ts.BinaryExpression, ctx: JsContext): void {
  if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(node.left)) return;
  const file = ctx.file;
  const q = engineName(file.qualifiedName(node.left), node.left, ctx);
  const engine = q ? ESCAPERS[q] : undefined;
  if (engine && isIdentity(node.right, ctx)) {
    ctx.report({
      range: file.range(node),
      message: `\`${file.textOf(node.left)}\` is replaced by a function that returns its input: ${engine} then writes every \`{{value}}\` as HTML. `
        + 'Keep the escape, and mark the few trusted values with the triple-brace `{{{raw}}}` form instead.',
    });
    return;
  }
  // Select2 and similar widgets: `options.escapeMarkup = false`
  if (node.left.name.text === 'escapeMarkup' && (turnsOff(node.right, 'false', ctx) || isIdentity(node.right, ctx))) {
    ctx.report({ range: file.range(node), message: escapeMarkupMessage() });
  }
}

function escapeMarkupMessage(): string {
  return '`escapeMarkup` that returns its input (or `false`) writes option labels and search results as HTML: any label a user can set becomes script. '
    + 'Keep the default escape and build trusted markup with `templateResult` returning DOM nodes.';
}

function select2Option(node: ts.PropertyAssignment, ctx: JsContext): void {
  const name = node.name;
  if (!(ts.isIdentifier(name) || ts.isStringLiteral(name)) || name.text !== 'escapeMarkup') return;
  if (!turnsOff(node.initializer, 'false', ctx) && !isIdentity(node.initializer, ctx)) return;
  ctx.report({ range: ctx.file.range(node), message: escapeMarkupMessage() });
}

function call(node: ts.CallExpression | ts.NewExpression, ctx: JsContext): void {
  const file = ctx.file;
  const q = engineName(file.callName(node), node.expression, ctx);
  const option = q ? OPTIONS[q] : undefined;
  if (!option) return;
  const [prop, how] = option;
  for (const arg of node.arguments ?? []) {
    const obj = skipOuter(arg);
    if (!ts.isObjectLiteralExpression(obj)) continue;
    const value = propertyOf(obj, prop);
    if (!turnsOff(value, how, ctx)) continue;
    const assignmentNode = value!.parent;
    const engine = q!.split('.')[0];
    ctx.report({
      range: file.range(assignmentNode),
      message: `\`${prop}\` ${how === 'identity' ? 'set to a function that returns its input' : `set to ${how}`} turns off HTML escaping in ${engine}: `
        + 'every interpolated value of these templates is written as markup (cross-site scripting when one comes from a user). '
        + 'Keep escaping on and write trusted HTML with the raw form (`{{{x}}}`, `<%- x %>`, `| safe`) where it is needed.',
      fixes: fix(value!, how, ctx),
    });
  }
}

/** Turn escaping back on: `noEscape: false`, `autoescape: true`, or drop the identity `escape` option. */
function fix(value: ts.Expression, how: 'true' | 'false' | 'identity', ctx: JsContext): Fix[] {
  const file = ctx.file;
  if (how === 'identity') {
    const prop = value.parent;
    const list = (prop.parent as ts.ObjectLiteralExpression).properties;
    const i = list.indexOf(prop as ts.ObjectLiteralElementLike);
    // remove the property with its separating comma
    const start = i > 0 ? list[i - 1].end : prop.getStart(file.sourceFile);
    const end = i > 0 ? prop.end : (list[i + 1] ? list[i + 1].getStart(file.sourceFile) : prop.end);
    return [{ title: 'Remove the escape option (use EJS\'s HTML escape)', edits: [{ range: file.rangeOf(start, end), newText: '' }] }];
  }
  return [{
    title: 'Turn HTML escaping back on',
    edits: [{ range: file.range(value), newText: how === 'true' ? 'false' : 'true' }],
  }];
}
