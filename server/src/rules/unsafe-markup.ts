import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type PyContext } from '../engine/rule-types';
import { describeSource, evidence } from '../engine/rule';
import { OWASP, type Fix, type TextEdit, type Value } from '../engine/types';
import { importName, isTextPiece, pieces, pyQuote, sinkValue } from './support/python-sinks';

export default defineRule({
  meta: {
    id: 'unsafe-markup',
    title: 'Untrusted text marked as safe HTML',
    description: 'Markup(), mark_safe() and the format string of format_html() switch autoescaping off for their text. Text built from request data there is raw HTML in the page (XSS).',
    cwe: ['CWE-79'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 6.1,
    languages: ['python'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
});

// ---- Python ----

const MARKUP = new Set(['markupsafe.Markup', 'flask.Markup', 'jinja2.Markup', 'jinja2.utils.Markup']);
const MARK_SAFE = new Set(['django.utils.safestring.mark_safe', 'django.utils.safestring.SafeString', 'django.utils.safestring.SafeText']);
const FORMAT_HTML = 'django.utils.html.format_html';

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  if (!name || !(MARKUP.has(name) || MARK_SAFE.has(name) || name === FORMAT_HTML)) return;
  const text = file.argument(node, 0);
  if (!text) return;
  const ps = pieces(file, text);
  let value: Value;
  if (name === FORMAT_HTML) {
    // format_html escapes its arguments; only a format string built from values is a misuse
    if (!ps) return;
    const worst = ps.filter((p) => !isTextPiece(p)).map((p) => file.valueOf((p as { node: Node }).node))
      .find((v) => evidence(v, 'html') === 'tainted') ??
      ps.filter((p) => !isTextPiece(p)).map((p) => file.valueOf((p as { node: Node }).node)).find((v) => evidence(v, 'html') === 'unknown');
    if (!worst) return;
    value = worst;
  } else {
    const sv = sinkValue(file, text, 'html');
    // unknown text passed whole (mark_safe(render_to_string(...))) is the normal use; only text formatted here is reported
    // (a name holding joined, already rendered HTML - mark_safe("".join(bits)) - is the normal use too)
    if (sv.ev === 'safe' || (sv.ev === 'unknown' && !ps)) return;
    value = sv.value;
  }
  const short = name.split('.').pop();
  // Markup()/mark_safe() of values the program built itself is common and usually fine: a hint
  const hint = value.kind === 'unknown' && name !== FORMAT_HTML;
  ctx.report({
    range: file.range(node),
    message: value.kind === 'tainted'
      ? `${describeSource(value)} is formatted into HTML that \`${short}\` marks as safe: it is not escaped, so script in it runs in the page.`
      : `Values are formatted into HTML that \`${short}\` marks as safe: they are not escaped. Let the framework escape them with ${MARK_SAFE.has(name) || name === FORMAT_HTML ? 'format_html("...{}...", value)' : 'Markup("...{}...").format(value)'}.`,
    value,
    ...(hint ? { severity: 'hint' as const, confidence: 'low' as const } : {}),
    fixes: ps ? formatFix(node, text, name, ctx) : [],
  });
}

/** `Markup(f"<b>{x}</b>")` -> `Markup("<b>{}</b>").format(x)`; `mark_safe(...)`/`format_html(...)` -> `format_html("<b>{}</b>", x)`. */
function formatFix(call: Node, text: Node, name: string, ctx: PyContext): Fix[] {
  const file = ctx.file;
  const ps = pieces(file, text);
  if (!ps || file.argument(call, 1) || call.childForFieldName('arguments')?.namedChildren.some((a) => a?.type === 'keyword_argument')) {
    if (name !== FORMAT_HTML) return [];
  }
  if (!ps) return [];
  let fmt = '';
  const values: string[] = [];
  for (const p of ps) {
    if (isTextPiece(p)) fmt += p.text.replace(/[{}]/g, (b) => b + b);
    else if (p.format && p.format !== 'd') return [];
    else { fmt += '{}'; values.push(p.node.text); }
  }
  const fn = call.childForFieldName('function')!;
  const edits: TextEdit[] = [];
  if (MARKUP.has(name)) {
    edits.push({ range: file.range(call), newText: `${fn.text}(${pyQuote(fmt)}).format(${values.join(', ')})` });
  } else {
    if (name === FORMAT_HTML && (file.argument(call, 1) || (call.childForFieldName('arguments')?.namedChildren.length ?? 0) > 1)) return [];
    const imp = name === FORMAT_HTML ? { local: fn.text, edits: [] } : importName(file, 'django.utils.html', 'format_html');
    edits.push(...imp.edits, { range: file.range(call), newText: `${imp.local}(${[pyQuote(fmt), ...values].join(', ')})` });
  }
  return [{ title: 'Escape the values: format them into the constant HTML', edits, preferred: true, safe: true }];
}
