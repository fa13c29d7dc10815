import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type PyContext } from '../engine/rule-types';
import { describeSource } from '../engine/rule';
import { OWASP, type Fix, type TextEdit } from '../engine/types';
import { isTextPiece, methodName, pieces, pyQuote, receiverOrigin, sinkValue } from './support/python-sinks';

export default defineRule({
  meta: {
    id: 'template-injection',
    title: 'Template source built from untrusted input (SSTI)',
    description: 'Template engines run the expressions in a template. Request data in the template text lets an attacker run code on the server; pass it as a template variable instead.',
    cwe: ['CWE-1336', 'CWE-94'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 9.8,
    languages: ['python'],
  },
  python: {
    call: (node, ctx) => { if (ctx.file.mayHaveTaint()) pythonCall(node, ctx); },
  },
});

// ---- Python ----

/** Calls that compile their first argument as a template: qualified name -> keyword of that argument. */
const TEMPLATE_CALLS: Record<string, string> = {
  'flask.render_template_string': 'source', 'flask.templating.render_template_string': 'source',
  'jinja2.Template': 'source', 'jinja2.environment.Template': 'source',
  'django.template.Template': 'template_string', 'mako.template.Template': 'text', 'tornado.template.Template': 'template_string',
};

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  let source: Node | undefined;
  if (name && TEMPLATE_CALLS[name]) source = file.argument(node, 0, TEMPLATE_CALLS[name]);
  else if (!name && methodName(node) === 'from_string') {
    // env.from_string(...), app.jinja_env.from_string(...), engines["django"].from_string(...)
    const origin = receiverOrigin(file, node);
    const receiver = node.childForFieldName('function')?.childForFieldName('object');
    // an environment the data flow cannot see (a module global) counts when the file uses jinja2
    const jinja = origin === 'jinja2.Environment' || origin === 'jinja2.environment.Environment' ||
      (!origin && file.importsModule('jinja2')) ||
      (receiver?.type === 'attribute' && receiver.childForFieldName('attribute')?.text === 'jinja_env');
    const django = receiver?.type === 'subscript' && file.qualifiedName(receiver.childForFieldName('value')) === 'django.template.engines';
    if (!jinja && !django) return;
    source = file.argument(node, 0, 'source');
  }
  if (!source) return;
  const { value, ev } = sinkValue(file, source, 'template');
  if (ev !== 'tainted') return;
  ctx.report({
    range: file.range(node),
    message: `${describeSource(value)} becomes part of a template's source: \`{{ ... }}\` in it runs on the server (server-side template injection). Keep the template constant and pass the value as a variable.`,
    value,
    fixes: name?.endsWith('render_template_string') ? variableFix(node, source, ctx) : [],
  });
}

/** `render_template_string(f"<p>{name}</p>")` -> `render_template_string("<p>{{ name }}</p>", name=name)`. */
function variableFix(call: Node, source: Node, ctx: PyContext): Fix[] {
  const file = ctx.file;
  const ps = pieces(file, source);
  const args = call.childForFieldName('arguments');
  const close = args?.lastChild;
  if (!ps || !args || close?.text !== ')') return [];
  const taken = new Set<string>();
  for (const a of args.namedChildren) if (a?.type === 'keyword_argument') taken.add(a.childForFieldName('name')?.text ?? '');
  const byText = new Map<string, string>();
  const kwargs: string[] = [];
  let template = '';
  for (const p of ps) {
    if (isTextPiece(p)) { template += p.text; continue; }
    if (p.format) return [];
    let v = byText.get(p.node.text);
    if (!v) {
      const base = variableName(p.node);
      v = base;
      for (let i = 2; taken.has(v) || !/^[A-Za-z_]\w*$/.test(v); i++) v = `${base}${i}`;
      taken.add(v);
      byText.set(p.node.text, v);
      kwargs.push(`${v}=${p.node.text}`);
    }
    template += `{{ ${v} }}`;
  }
  const at = file.range(close).start;
  const trailingComma = args.children[args.childCount - 2]?.text === ',';
  const edits: TextEdit[] = [
    { range: file.range(source), newText: pyQuote(template) },
    { range: { start: at, end: at }, newText: `${trailingComma ? ' ' : ', '}${kwargs.join(', ')}` },
  ];
  return [{ title: 'Pass the values as template variables', edits, preferred: true, safe: true }];
}

/** A readable template variable name for an expression: `name`, `request.args["q"]` -> `q`. */
function variableName(n: Node): string {
  if (n.type === 'identifier') return n.text;
  if (n.type === 'attribute') return n.childForFieldName('attribute')?.text ?? 'value';
  const key = n.type === 'subscript' ? n.childForFieldName('subscript')
    : n.type === 'call' && methodName(n) === 'get' ? n.childForFieldName('arguments')?.namedChildren[0] : undefined;
  const text = key?.type === 'string' ? key.text.replace(/^[a-zA-Z]*['"]+|['"]+$/g, '') : '';
  return /^[A-Za-z_]\w*$/.test(text) ? text : 'value';
}
