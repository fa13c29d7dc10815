import { defineRule, type TemplateContext } from '../engine/rule-types';
import type { RenderCall, RenderValue } from '../engine/render-types';
import { OWASP, type Fix, type Step } from '../engine/types';
import { SYNTAX_NAMES, type TemplateOutput } from '../lang/template/front';
import { isTestCode } from './support/auth';

/**
 * A template output written without HTML escaping (`|safe`, `{% autoescape false %}`, `<%- %>`, `{{{ }}}`,
 * `!=`, `!{}`), joined with the render calls that fill the template: request data is an error at the template
 * line, a value of unknown origin a warning, a constant nothing.
 */
export default defineRule({
  meta: {
    id: 'template-unescaped-output',
    title: 'Template output written without HTML escaping',
    description: 'A server-side template writes a value as raw HTML (`|safe`, `<%- %>`, `{{{ }}}`, `!=`): when the render call fills it from request data, that is cross-site scripting.',
    cwe: ['CWE-79', 'CWE-116'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 6.1,
    languages: ['template'],
  },
  template: (ctx) => check(ctx),
});

/** Request data a Jinja/Django template reads itself (`request.args.q`, `request.GET.q`). */
const REQUEST_MEMBERS = new Set([
  'args', 'form', 'values', 'cookies', 'headers', 'GET', 'POST', 'COOKIES', 'META', 'data', 'json', 'query_string',
  'path', 'full_path', 'url', 'query_params', 'query', 'body', 'params',
]);

/**
 * Form and model metadata the developer writes in code (`field.help_text|safe` is how Django's own admin
 * renders the links in password help texts): raw output of it is no user input.
 */
const DEVELOPER_TEXT = /\.(help_text|verbose_name|verbose_name_plural)$/;

interface Verdict { value: RenderValue; render?: RenderCall; name?: string }

const RANK = { constant: 0, unknown: 1, tainted: 2 };

function check(ctx: TemplateContext): void {
  const file = ctx.file;
  // a test that renders a template with fixtures says nothing about what the application puts in it
  const known = file.renders?.filter((r) => !isTestCode(r.file));
  const renders = known && known.length > 0 ? known : undefined;
  // `{% autoescape off %}` is how Django writes plain-text emails (`password_reset_email.html`)
  const plainTextMail = /mail|\.txt$/i.test(file.path.slice(Math.max(file.path.lastIndexOf('/'), file.path.lastIndexOf('\\')) + 1));
  for (const out of file.outputs) {
    if (out.quiet || out.roots.length === 0) continue;
    if (plainTextMail && out.how === '{% autoescape false %}') continue;
    if (DEVELOPER_TEXT.test(out.expr.trim())) continue;
    // an escaped output of a value the render call wrapped in Markup()/mark_safe()/SafeString is raw too
    const markup = !out.raw && renders ? out.roots.filter((r) => renders.some((c) => c.vars[r.name]?.markup)) : [];
    if (!out.raw && markup.length === 0) continue;
    const roots = out.raw ? out.roots : markup;
    const shown = `\`${clip(file.text.slice(out.start, out.end))}\``;
    const how = out.raw ? `writes \`${clip(out.expr)}\` without HTML escaping (${out.how})` : `writes \`${clip(out.expr)}\`, which the render call wraps in a safe-markup type, without escaping`;
    const range = file.rangeOf(out.start, out.end);
    const fixes = escapeFix(out, ctx);
    const request = file.syntax === 'jinja' ? roots.find((r) => r.name === 'request' && r.member && REQUEST_MEMBERS.has(r.member)) : undefined;
    if (request) {
      ctx.report({
        range, severity: 'error', confidence: 'high', fixes,
        message: `${shown} ${how}, and it reads request data (\`request.${request.member}\`) in the template: cross-site scripting. Drop the raw marker so the value is escaped.`,
      });
      continue;
    }
    if (!renders) {
      ctx.report({
        range, severity: 'warning', confidence: 'low', fixes,
        message: `${shown} ${how}. No render call of this template is known here, so where the value comes from is unknown: `
          + 'if it can hold user input, this is cross-site scripting. Escape it, or make sure the code that renders the template passes only trusted markup.',
      });
      continue;
    }
    const verdict = worstVerdict(out, roots, renders);
    if (verdict.value.level === 'constant') continue;
    const at = verdict.render ? `\`${verdict.render.call}\` (${where(verdict.render, file.path)})` : 'the render call';
    if (verdict.value.level === 'tainted' && verdict.render) {
      const path: Step[] = [...(verdict.value.path ?? []), { description: verdict.render.call, line: verdict.render.line, file: verdict.render.file }];
      ctx.report({
        range, severity: 'error', confidence: 'high', fixes, dataPath: path,
        message: `${shown} ${how}, and ${at} fills \`${verdict.name}\` from request data: cross-site scripting. `
          + `Drop the raw marker so ${SYNTAX_NAMES[file.syntax]} escapes the value, or escape it in the code before rendering.`,
      });
      continue;
    }
    const passed = verdict.name !== undefined;
    ctx.report({
      range, severity: 'warning', confidence: passed ? 'medium' : 'low', fixes,
      message: `${shown} ${how}; ${passed ? `${at} fills \`${verdict.name}\` with a value of unknown origin` : `\`${roots[0].name}\` is not passed by ${at} (a template global, a macro parameter or a context processor)`}. `
        + 'If it can hold user input this is cross-site scripting: escape it, or sanitize it before rendering.',
    });
  }
}

/** The worst value any known render call puts in any variable the output reads. */
function worstVerdict(out: TemplateOutput, roots: TemplateOutput['roots'], renders: RenderCall[]): Verdict {
  let best: Verdict | undefined;
  for (const rc of renders) {
    for (const r of roots) {
      let v: Verdict | undefined;
      const passed = rc.vars[r.name];
      if (passed) v = { value: passed, render: rc, name: r.name };
      else if (out.section?.length) {
        for (const s of out.section) if (rc.vars[s.name]) v = pick(v, { value: rc.vars[s.name], render: rc, name: s.name });
      }
      if (!v && rc.rest) v = { value: rc.rest, render: rc, name: r.name };
      v ??= { value: { level: 'unknown' }, render: rc };
      best = pick(best, v);
    }
  }
  return best ?? { value: { level: 'unknown' } };
}

function pick(a: Verdict | undefined, b: Verdict): Verdict {
  if (!a) return b;
  const ra = RANK[a.value.level];
  const rb = RANK[b.value.level];
  // among unknowns, a variable the call passes says more than one it does not
  if (rb > ra || (rb === ra && a.name === undefined && b.name !== undefined)) return b;
  return a;
}

/** `app.py:12`, the code file relative to the template's project (the common folder dropped). */
function where(rc: RenderCall, templatePath: string): string {
  const a = rc.file.replace(/\\/g, '/').split('/');
  const b = templatePath.replace(/\\/g, '/').split('/');
  let k = 0;
  while (k < a.length - 1 && k < b.length - 1 && a[k] === b[k]) k++;
  return `${a.slice(k).join('/')}:${rc.line + 1}`;
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

function escapeFix(out: TemplateOutput, ctx: TemplateContext): Fix[] {
  if (!out.raw || !out.escape) return [];
  const file = ctx.file;
  const title = out.how === '{% autoescape false %}' ? 'Escape this output (`|e`)' : `Escape this output (drop ${out.how})`;
  return [{ title, edits: out.escape.map((e) => ({ range: file.rangeOf(e.start, e.end), newText: e.text })), preferred: true }];
}
