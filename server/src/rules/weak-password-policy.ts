import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Range } from '../engine/types';
import { jsPropName, pyInt, pyLiteral } from './support/constants';
import { isPasswordName, jsNameContext, pyNameContext, isTestCode } from './support/auth';

/**
 * Password rules too weak to stop guessing: Django AUTH_PASSWORD_VALIDATORS empty or without a length check,
 * minimum lengths below 8 in validators, form fields and zod/joi/yup/class-validator schemas.
 */
export default defineRule({
  meta: {
    id: 'weak-password-policy',
    title: 'Weak password policy',
    description: 'Short passwords fall to online guessing and offline cracking. NIST SP 800-63B asks for at least 8 characters (15 without MFA).',
    cwe: ['CWE-521'],
    owasp: OWASP.A07,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 5.3,
    languages: ['python', 'javascript'],
  },
  python: {
    assignment: (node, ctx) => pythonAssignment(node, ctx),
    call: (node, ctx) => pythonCall(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

const MIN = 8;
const LENGTH_VALIDATOR = 'django.contrib.auth.password_validation.MinimumLengthValidator';
const DEFAULT_VALIDATORS = ['UserAttributeSimilarityValidator', 'MinimumLengthValidator', 'CommonPasswordValidator', 'NumericPasswordValidator'];

function tooShort(range: Range, n: number, what: string): { range: Range; message: string; fixes: { title: string; edits: { range: Range; newText: string }[] }[] } {
  return {
    range,
    message: `${what} accepts passwords of ${n} character${n === 1 ? '' : 's'}: require at least ${MIN} (NIST SP 800-63B), and check them against common-password lists.`,
    fixes: [{ title: `Require ${MIN} characters`, edits: [{ range, newText: String(MIN) }] }],
  };
}

function isSettingsForTests(path: string): boolean {
  // Django's own global_settings.py holds the defaults that startproject's settings.py overrides
  return isTestCode(path) || /(test|^global_settings\.py$)/i.test(path.replace(/\\/g, '/').split('/').pop() ?? '');
}

// ---- Python ----

function pythonAssignment(node: Node, ctx: PyContext): void {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (left?.type !== 'identifier' || left.text !== 'AUTH_PASSWORD_VALIDATORS' || !right || ctx.file.enclosingFunction(node)) return;
  if (right.type !== 'list' && right.type !== 'tuple') return;
  if (isSettingsForTests(ctx.file.path)) return;
  const items = right.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (items.length === 0) {
    const indent = ' '.repeat(4);
    const list = DEFAULT_VALIDATORS.map((v) => `${indent}{"NAME": "django.contrib.auth.password_validation.${v}"},`).join('\n');
    ctx.report({
      range: ctx.file.range(right),
      message: '`AUTH_PASSWORD_VALIDATORS` is empty: any password, even "1", is accepted. Enable Django\'s validators (at least MinimumLengthValidator and CommonPasswordValidator).',
      fixes: [{ title: "Enable Django's default password validators", edits: [{ range: ctx.file.range(right), newText: `[\n${list}\n]` }] }],
    });
    return;
  }
  const names = items.map((d) => (d.type === 'dictionary' ? nameOf(d) : undefined));
  if (names.some((n) => n === undefined)) return; // built elsewhere: unknown
  const i = names.findIndex((n) => n!.endsWith('MinimumLengthValidator'));
  if (i < 0) {
    const first = items[0];
    const sep = first.startPosition.row === right.startPosition.row ? ' ' : `\n${' '.repeat(first.startPosition.column)}`;
    const at = ctx.file.range(first).start;
    ctx.report({
      range: ctx.file.range(left),
      message: '`AUTH_PASSWORD_VALIDATORS` has no MinimumLengthValidator: passwords of any length are accepted.',
      fixes: [{ title: 'Add MinimumLengthValidator', edits: [{ range: { start: at, end: at }, newText: `{"NAME": "${LENGTH_VALIDATOR}"},${sep}` }] }],
    });
    return;
  }
  // {"NAME": "...MinimumLengthValidator", "OPTIONS": {"min_length": 6}}
  const options = items[i].namedChildren.find((p) => p?.type === 'pair' && pyLiteral(p.childForFieldName('key')) === 'OPTIONS')?.childForFieldName('value');
  const minPair = options?.type === 'dictionary'
    ? options.namedChildren.find((p) => p?.type === 'pair' && pyLiteral(p.childForFieldName('key')) === 'min_length') : undefined;
  const minNode = minPair?.childForFieldName('value');
  const n = minNode ? pyInt(ctx.file, minNode) : undefined;
  if (minNode && n !== undefined && n < MIN) ctx.report(tooShort(ctx.file.range(minNode), n, 'MinimumLengthValidator'));
}

/** `{"NAME": "...MinimumLengthValidator", "OPTIONS": {...}}` -> its NAME. */
function nameOf(dict: Node): string | undefined {
  for (const p of dict.namedChildren) {
    if (p?.type === 'pair' && pyLiteral(p.childForFieldName('key')) === 'NAME') return pyLiteral(p.childForFieldName('value'));
  }
  return undefined;
}

function pythonCall(node: Node, ctx: PyContext): void {
  const minNode = ctx.file.keywordArgument(node, 'min_length');
  if (minNode) {
    const n = pyInt(ctx.file, minNode);
    if (n === undefined || n >= MIN || isTestCode(ctx.file.path)) return;
    const name = ctx.file.callName(node) ?? '';
    const widget = ctx.file.keywordArgument(node, 'widget');
    const passwordField = name.endsWith('MinimumLengthValidator') || isPasswordName(pyNameContext(ctx.file, node).receiver)
      || (!!widget && /PasswordInput/.test(widget.text));
    if (passwordField) ctx.report(tooShort(ctx.file.range(minNode), n, name.endsWith('MinimumLengthValidator') ? 'MinimumLengthValidator' : 'This password field'));
  }
}

// ---- JavaScript / TypeScript ----

const SCHEMA_MODULES = /^(zod|joi|@hapi\/joi|yup|valibot|superstruct)(\.|$)/;

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const callee = node.expression;
  const arg = node.arguments[0];
  if (!arg || !ts.isNumericLiteral(arg)) return;
  const n = Number(arg.text);
  if (n >= MIN || isTestCode(ctx.file.path)) return;
  // class-validator: @MinLength(6) password: string
  if (ctx.file.callName(node) === 'class-validator.MinLength') {
    const prop = node.parent?.parent;
    if (ts.isDecorator(node.parent) && prop && ts.isPropertyDeclaration(prop) && isPasswordName(jsPropName(prop.name))) {
      ctx.report(tooShort(ctx.file.range(arg), n, '`@MinLength`'));
    }
    return;
  }
  if (!ts.isPropertyAccessExpression(callee) || (callee.name.text !== 'min' && callee.name.text !== 'minLength')) return;
  // the chain must start at a schema library: z.string().min(6), Joi.string().min(6), yup.string().min(6)
  let root: ts.Expression = callee.expression;
  while (ts.isCallExpression(root) || ts.isPropertyAccessExpression(root)) {
    if (ts.isCallExpression(root) && SCHEMA_MODULES.test(ctx.file.callName(root) ?? '')) break;
    root = root.expression;
  }
  if (!ts.isCallExpression(root)) return;
  if (!isPasswordName(jsNameContext(node).receiver)) return;
  ctx.report(tooShort(ctx.file.range(arg), n, 'This password schema'));
}
