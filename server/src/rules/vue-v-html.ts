import ts from 'typescript';
import type { DirectiveNode } from '@vue/compiler-dom';
import { defineRule, type VueContext } from '../engine/rule-types';
import { describeSource } from '../engine/rule';
import type { Fix, TextEdit, Value } from '../engine/types';
import { OWASP } from '../engine/types';
import { propertyOf, skipOuter, type JsFile } from '../lang/javascript/front';
import { SANITIZERS } from '../lang/javascript/sources';
import { VueFile } from '../lang/vue/front';

/**
 * Vue's `v-html="expr"` (and `:innerHTML="expr"`) renders HTML without escaping. Quiet on constant
 * strings, sanitizer calls and translations with constant arguments; an error when the expression is a
 * `<script setup>` variable that the data flow traces to an untrusted source; a warning otherwise.
 * Fixes: wrap it in `DOMPurify.sanitize(...)` (with the import in `<script setup>`), or render text with `v-text`.
 */
export default defineRule({
  meta: {
    id: 'vue-v-html',
    title: 'HTML rendered with v-html',
    description: 'v-html inserts HTML without escaping; HTML that is not constant or sanitized lets an attacker run script in the page.',
    cwe: ['CWE-79'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 6.1,
    languages: ['vue'],
  },
  vue: (ctx) => {
    for (const el of ctx.file.elements()) {
      for (const d of VueFile.directives(el)) check(d, ctx);
    }
  },
});

/** `innerHTML` bound as a DOM property does what v-html does. */
function rendersHtml(d: DirectiveNode): boolean {
  if (d.name === 'html') return true;
  if (d.name !== 'bind' || !d.arg || d.arg.type !== 4 || !d.arg.isStatic) return false;
  return d.arg.content === 'innerHTML' || d.arg.content === 'inner-html';
}

function check(d: DirectiveNode, ctx: VueContext): void {
  if (!rendersHtml(d) || !d.exp || d.exp.type !== 4 || d.exp.content.trim() === '') return;
  const file = ctx.file;
  const source = d.exp.loc.source;
  const expr = parseExpression(source);
  const script = file.script;
  let value: Value = { kind: 'unknown' };
  if (expr) {
    const known = (name: string) => !!script && scriptValue(script, name)?.kind === 'constant';
    if (isConstant(expr, known) || isSanitized(expr, script) || isTranslation(expr)) return;
    const traced = ts.isIdentifier(expr) && script ? scriptValue(script, expr.text) : undefined;
    if (traced?.kind === 'tainted' && !traced.cleared.includes('html')) value = traced;
    const route = value.kind === 'unknown' ? routePart(expr, script) : undefined;
    if (route) value = { kind: 'tainted', source: { description: route, line: d.loc.start.line - 1 }, path: [], cleared: [] };
  }
  const directive = d.rawName ?? `v-${d.name}`;
  const message = value.kind === 'tainted'
    ? `${describeSource(value)} reaches ${directive} through \`${source}\`: an attacker can run script in the page. Sanitize it with DOMPurify or render it as text with v-text.`
    : `${directive} renders HTML from \`${source}\`; if it can come from users it is XSS. Sanitize it with DOMPurify, or use v-text for plain text.`;
  const range = file.rangeOf(d.loc.start.offset, d.loc.end.offset);
  ctx.report({ range, message, value, fixes: fixes(file, d, directive) });
}

/** The expression of an attribute value, parsed on its own. Undefined when it does not parse. */
function parseExpression(text: string): ts.Expression | undefined {
  const sf = ts.createSourceFile('v-html.ts', `(${text}\n)`, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const diagnostics = (sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
  const first = sf.statements[0];
  if (diagnostics.length > 0 || sf.statements.length !== 1 || !ts.isExpressionStatement(first)) return undefined;
  return skipOuter(first.expression);
}

/** Literals, `const` script variables holding constants (`known`), and operations over them only: `'<b>Hi</b>'`, `` `<br>` ``, `a ? '<b>' : '<i>'` with literal branches, `{ n: 1 }`. */
function isConstant(e: ts.Expression, known: (name: string) => boolean = () => false): boolean {
  e = skipOuter(e);
  if (ts.isIdentifier(e)) return known(e.text);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isNumericLiteral(e)) return true;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return isConstant(e.left, known) && isConstant(e.right, known);
  if (ts.isConditionalExpression(e)) return isConstant(e.whenTrue, known) && isConstant(e.whenFalse, known);
  if (ts.isTemplateExpression(e)) return e.templateSpans.every((s) => isConstant(s.expression, known));
  if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return true;
  // translation parameters: `{ count: 0 }`
  if (ts.isObjectLiteralExpression(e)) return e.properties.every((p) => ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && isConstant(p.initializer, known));
  return false;
}

/** Sanitizer names known without an import: globals and Vue plugins' helpers (vue-dompurify-html, vue-sanitize). */
const VUE_SANITIZERS = new Set(['DOMPurify.sanitize', '$sanitize', 'sanitize', 'sanitizeHtml', 'sanitizeHTML', '$dompurify.sanitize']);

/** A call to an HTML sanitizer, resolved through the script's imports (`import clean from 'sanitize-html'`). */
function isSanitized(e: ts.Expression, script: JsFile | undefined): boolean {
  if (!ts.isCallExpression(e)) return false;
  const name = dottedName(e.expression);
  if (!name) return false;
  if (VUE_SANITIZERS.has(name)) return true;
  const [head, ...rest] = name.split('.');
  const imported = script?.imports.get(head);
  const qualified = imported ? [imported, ...rest].join('.') : name;
  return !!SANITIZERS[qualified]?.includes('html');
}

/** vue-i18n `$t('key')` with constant arguments: the app's own locale messages. */
function isTranslation(e: ts.Expression): boolean {
  if (!ts.isCallExpression(e)) return false;
  const name = dottedName(e.expression);
  if (!name || !['$t', 't', '$tc', 'tc', '$te', 'i18n.t', '$i18n.t'].includes(name)) return false;
  return e.arguments.length > 0 && e.arguments.every((a) => isConstant(a));
}

function dottedName(e: ts.Expression): string | undefined {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) {
    const left = dottedName(e.expression);
    return left ? `${left}.${e.name.text}` : undefined;
  }
  return undefined;
}

/** The parts of the URL that Vue Router hands to components. */
const ROUTE_PARTS = new Set(['query', 'params', 'hash', 'fullPath', 'path']);

/**
 * A part of the HTML that reads the current URL through Vue Router: `$route.query.q`, or `route.params.id`
 * where the script declares `const route = useRoute()`. Looks only where the value goes into the HTML
 * (concatenations, template spans, `||`/`??`, branches of a ternary), not at conditions.
 */
function routePart(e: ts.Expression, script: JsFile | undefined): string | undefined {
  e = skipOuter(e);
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    let head: ts.Expression = e;
    const chain: string[] = [];
    while (ts.isPropertyAccessExpression(head) || ts.isElementAccessExpression(head)) {
      chain.unshift(ts.isPropertyAccessExpression(head) ? head.name.text : '[]');
      head = skipOuter(head.expression);
    }
    if (ts.isIdentifier(head) && ROUTE_PARTS.has(chain[0]) && (head.text === '$route' || (script && isUseRoute(script, head.text)))) {
      return `${head.text}.${chain[0]}`;
    }
    return undefined;
  }
  if (ts.isBinaryExpression(e) && [ts.SyntaxKind.PlusToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(e.operatorToken.kind)) {
    return routePart(e.left, script) ?? routePart(e.right, script);
  }
  if (ts.isConditionalExpression(e)) return routePart(e.whenTrue, script) ?? routePart(e.whenFalse, script);
  if (ts.isTemplateExpression(e)) {
    for (const span of e.templateSpans) {
      const r = routePart(span.expression, script);
      if (r) return r;
    }
  }
  return undefined;
}

/** Vue Router's hook, imported or auto-imported (Nuxt); not other frameworks' `useRoute` (VitePress's route is a page). */
const ROUTE_HOOKS = new Set(['useRoute', 'vue-router.useRoute', '#app.useRoute', '#imports.useRoute', 'nuxt/app.useRoute']);

/** `const route = useRoute()` at the top of the script. */
function isUseRoute(script: JsFile, name: string): boolean {
  return script.sourceFile.statements.some((s) => ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => ts.isIdentifier(d.name)
    && d.name.text === name && !!d.initializer && ts.isCallExpression(d.initializer) && ROUTE_HOOKS.has(script.callName(d.initializer) ?? '')));
}

const REACTIVE_WRAPPERS = new Set(['ref', 'shallowRef', 'computed', 'reactive', 'readonly', 'toRef']);

/**
 * What a template name holds, when it is a top-level variable of the script: the data flow's value of
 * its initializer (or of the value a `ref(...)`/`computed(() => ...)` wraps). A `ref` can be assigned
 * later, so only a tainted value of one counts; a `const` of a plain value counts as it is.
 */
function scriptValue(script: JsFile, name: string): Value | undefined {
  for (const s of script.sourceFile.statements) {
    if (!ts.isVariableStatement(s)) continue;
    for (const decl of s.declarationList.declarations) {
      if (!ts.isIdentifier(decl.name) || decl.name.text !== name || !decl.initializer) continue;
      const init = skipOuter(decl.initializer);
      if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && REACTIVE_WRAPPERS.has(init.expression.text)) {
        const arg = init.arguments[0];
        if (!arg) return undefined;
        const inner = ts.isArrowFunction(arg) && !ts.isBlock(arg.body) ? arg.body : arg;
        const v = script.valueOf(inner);
        return v.kind === 'tainted' ? v : undefined;
      }
      const isConst = (s.declarationList.flags & ts.NodeFlags.Const) !== 0;
      const v = script.valueOf(init);
      return isConst || v.kind === 'tainted' ? v : undefined;
    }
  }
  return optionsData(script, name);
}

/**
 * Options API: what `data()` returns under the name (`export default { data() { return { msg } } }`, also
 * inside `defineComponent(...)`). Methods may assign it later, so only a tainted value counts.
 */
function optionsData(script: JsFile, name: string): Value | undefined {
  const exported = script.sourceFile.statements.find(ts.isExportAssignment);
  if (!exported) return undefined;
  let options = skipOuter(exported.expression);
  if (ts.isCallExpression(options) && options.arguments.length > 0) options = skipOuter(options.arguments[0]);
  if (!ts.isObjectLiteralExpression(options)) return undefined;
  const data = options.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'data');
  const fn = data && ts.isMethodDeclaration(data) ? data
    : data && ts.isPropertyAssignment(data) && (ts.isFunctionExpression(data.initializer) || ts.isArrowFunction(data.initializer)) ? data.initializer : undefined;
  if (!fn?.body) return undefined;
  const returned = ts.isBlock(fn.body)
    ? fn.body.statements.filter(ts.isReturnStatement).map((r) => r.expression)
    : [fn.body];
  for (const r of returned) {
    const prop = r && propertyOf(skipOuter(r), name);
    if (!prop) continue;
    const v = script.valueOf(prop);
    if (v.kind === 'tainted') return v;
  }
  return undefined;
}

const PURIFY_MODULES = ['dompurify', 'isomorphic-dompurify'];

function fixes(file: VueFile, d: DirectiveNode, directive: string): Fix[] {
  const out: Fix[] = [];
  const purify = purifyFix(file, d);
  if (purify) out.push(purify);
  const nameStart = d.loc.start.offset;
  const textName = directive.startsWith('v-html') ? 'v-text' : directive.replace(/innerHTML|inner-html/, 'textContent');
  out.push({
    title: `Render it as text with ${textName}`,
    edits: [{ range: file.rangeOf(nameStart, nameStart + directive.length), newText: textName }],
  });
  return out;
}

/** `DOMPurify.sanitize(expr)`, importing DOMPurify in `<script setup>` (whose imports the template sees). */
function purifyFix(file: VueFile, d: DirectiveNode): Fix | undefined {
  const setup = file.scripts.find((b) => b.setup);
  const script = file.script;
  if (!setup || !script || !d.exp) return undefined;
  const edits: TextEdit[] = [];
  let local = [...script.imports].find(([, q]) => PURIFY_MODULES.includes(q))?.[0];
  if (!local) {
    if (script.imports.has('DOMPurify') || script.flow.identifiersNamed('DOMPurify').some((id) => script.declarationOf(id))) return undefined;
    local = 'DOMPurify';
    const imports = script.sourceFile.statements.filter((s) => ts.isImportDeclaration(s) && s.getStart(script.sourceFile) >= setup.start && s.end <= setup.end);
    const last = imports[imports.length - 1];
    edits.push(last
      ? { range: file.rangeOf(last.end, last.end), newText: "\nimport DOMPurify from 'dompurify';" }
      : file.mapScriptEdit({ range: file.rangeOf(0, 0), newText: "import DOMPurify from 'dompurify';\n" }));
  }
  const exp = d.exp.loc;
  edits.push({ range: file.rangeOf(exp.start.offset, exp.end.offset), newText: `${local}.sanitize(${exp.source})` });
  return { title: `Sanitize the HTML with ${local}.sanitize`, edits, preferred: true };
}
