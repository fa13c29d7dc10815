import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type PyContext } from '../engine/rule-types';
import { OWASP, type TextEdit } from '../engine/types';
import { hasSplat, importName, isFalseKeyword } from './support/python-sinks';

export default defineRule({
  meta: {
    id: 'jinja-autoescape-disabled',
    title: 'Jinja2 environment without autoescaping',
    description: "jinja2.Environment does not escape variables unless autoescape is set: any value rendered into an HTML template is raw HTML (XSS).",
    cwe: ['CWE-79', 'CWE-116'],
    owasp: OWASP.A03,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 6.1,
    languages: ['python'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
});

// ---- Python ----

const WEB_MODULES = ['flask', 'django', 'starlette', 'fastapi', 'aiohttp', 'bottle', 'tornado.web', 'pyramid', 'quart', 'sanic', 'falcon', 'werkzeug'];
const ENVIRONMENTS = new Set(['jinja2.Environment', 'jinja2.environment.Environment', 'jinja2.sandbox.SandboxedEnvironment']);

/** Setups that escape by default and pass `autoescape` on to their Jinja2 environment: only an explicit False counts. */
const ESCAPING_SETUPS = new Set(['aiohttp_jinja2.setup']);

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  if (name && ESCAPING_SETUPS.has(name)) { escapingSetup(node, name, ctx); return; }
  if (!name || !ENVIRONMENTS.has(name) || hasSplat(node)) return;
  const kw = file.keywordArgument(node, 'autoescape');
  if (kw && !isFalseKeyword(file, node, 'autoescape')) return; // True, select_autoescape(...), or a setting
  const fn = node.childForFieldName('function');
  const obj = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
  const imp = obj && file.qualifiedName(obj) === 'jinja2' ? { local: `${obj.text}.select_autoescape`, edits: [] as TextEdit[] } : importName(file, 'jinja2', 'select_autoescape');
  const edits: TextEdit[] = [...imp.edits];
  if (kw) edits.push({ range: file.range(kw), newText: `${imp.local}()` });
  else {
    const args = node.childForFieldName('arguments');
    const close = args?.lastChild;
    if (!args || close?.text !== ')') return;
    const at = file.range(close).start;
    const hasArgs = args.namedChildren.some((a) => a && a.type !== 'comment');
    const trailingComma = args.children[args.childCount - 2]?.text === ',';
    edits.push({ range: { start: at, end: at }, newText: `${hasArgs && !trailingComma ? ', ' : trailingComma ? ' ' : ''}autoescape=${imp.local}()` });
  }
  // Jinja in a web application renders HTML; in tools (docs, config, code generators) it renders text
  const web = WEB_MODULES.some((m) => file.importsModule(m));
  ctx.report({
    range: file.range(node),
    ...(web ? {} : { severity: 'hint' as const, confidence: 'low' as const }),
    message: kw
      ? 'autoescape=False: values rendered by this Jinja2 environment are not escaped, so request data in an HTML template becomes markup (XSS).'
      : 'This Jinja2 environment does not escape values (autoescape defaults to False): request data in an HTML template becomes markup (XSS).',
    fixes: [{ title: 'Escape HTML and XML templates: autoescape=select_autoescape()', edits, preferred: true }],
  });
}

/** `aiohttp_jinja2.setup(app, autoescape=False)`: every template of the application writes its values as markup. */
function escapingSetup(node: Node, name: string, ctx: PyContext): void {
  const file = ctx.file;
  const kw = file.keywordArgument(node, 'autoescape');
  if (!kw || !isFalseKeyword(file, node, 'autoescape')) return;
  ctx.report({
    range: file.range(node),
    message: `\`${name}(..., autoescape=False)\` turns off HTML escaping for every template of this application: request data rendered into any of them becomes markup (XSS). `
      + 'Keep the default (escaping on) and mark the few trusted values with `Markup` or `|safe`.',
    fixes: [{ title: 'Escape HTML: autoescape=True', edits: [{ range: file.range(kw), newText: 'True' }], preferred: true }],
  });
}
