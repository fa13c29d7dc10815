import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { levelRank, type Route } from '../engine/route-types';
import { recordName } from '../lang/javascript/route-body';
import { isTestCode } from './support/auth';

/**
 * A record fetched, changed or deleted by an identifier from the request, with nothing tying it to the
 * current user (no owner filter in the query, no ownership comparison, no permission call). Reported only
 * where it matters: sibling handlers scope the same model by user, or the handler writes, or the model's
 * name says it holds personal data. Admin-only routes are quiet.
 */
export default defineRule({
  meta: {
    id: 'insecure-direct-object-reference',
    title: 'Record fetched by id without an ownership check',
    description: 'A handler looks up a record by an id the client sends and never checks that it belongs to the current user: changing the id in the URL reads or changes someone else\'s data.',
    cwe: ['CWE-639'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 7.1,
    languages: ['python', 'javascript'],
  },
  python: { module: (_node, ctx) => python(ctx) },
  javascript: { [ts.SyntaxKind.SourceFile]: (_node: ts.SourceFile, ctx) => javascript(ctx) },
});

/** Words in a query or a check that tie a record to the current user. */
const OWNER = /(user|owner|tenant|account_?id|accountId|org_?id|orgId|organization|author|created_?by|createdBy|member|customer_?id|customerId|session|principal|current_?user|currentUser)/i;
/** Calls that authorize access to an object. */
const PERMISSION_CALL = /(permission|authoriz|authoris|can_?(view|edit|access|read|update|delete|modify)|can[A-Z]|ability|ownership|check_?owner|assert_?owner|checkOwner|assertOwner|has_?access|hasAccess|is_?owner|isOwner|ensure_?owner|ensureOwner|policy|guard)/i;
/** Models that hold personal or private data. */
const PERSONAL = /(invoice|order|account|document|message|payment|profile|address|card|transaction|bill|receipt|attachment|upload|conversation|chat|subscription|wallet|statement|contract|patient|prescription|booking|reservation|photo|draft|cart|purchase|bank|medical|credential|secret)/i;

/** `writes`: the handler deletes a record of this model (updates are often legitimate on shared records: likes, reports). */
interface Lookup { route: Route; model: string; idText: string; at: ReturnType<PyContext['file']['range']>; scoped: boolean; writes: boolean; checked: boolean }

function deletesModel(route: Route, model: string): boolean {
  const key = modelKey(model);
  return route.writes.some((w) => w.verb === 'deletes' && (!w.what || modelKey(w.what) === key));
}

function modelKey(name: string): string {
  return name.replace(/(Repository|Repo|Model|Service|Collection|Table)$/i, '').toLowerCase().replace(/(ies)$/, 'y').replace(/s$/, '');
}

function decide(lookups: Lookup[], report: (l: Lookup, why: string) => void): void {
  const scopedModels = new Set(lookups.filter((l) => l.scoped).map((l) => modelKey(l.model)));
  const seen = new Set<Route>();
  for (const l of lookups) {
    if (l.scoped || l.checked || seen.has(l.route) || !l.idText) continue;
    // only signed-in users' routes: an open route is missing-authorization's business, an admin route sees all records
    if (levelRank(l.route.level) !== 1 || l.route.publicByDesign) continue;
    const key = modelKey(l.model);
    const why = scopedModels.has(key) ? `other handlers in this file scope \`${l.model}\` by user`
      : l.writes ? 'the handler deletes it' : PERSONAL.test(l.model) ? `\`${l.model}\` records hold private data` : undefined;
    if (!why) continue;
    seen.add(l.route);
    report(l, why);
  }
}

function message(l: Lookup, why: string): string {
  return `\`${l.model}\` is looked up by \`${l.idText}\` from the request with no check that it belongs to the current user (${why}): `
    + 'changing the id reaches other users\' records. Filter by the owner (e.g. `user=request.user`, `where: { id, userId }`) or check ownership before use.';
}

// ---- Python ----

function python(ctx: PyContext): void {
  const file = ctx.file;
  // no ORM lookup anywhere in the file: nothing to judge (a cheap gate before walking every handler)
  if (!/\.objects\b|\.query\b|_or_404|session\.get\(|db\.get\(/.test(file.text)) return;
  const routes = file.routes();
  if (routes.length === 0 || isTestCode(file.path)) return;
  const lookups: Lookup[] = [];
  for (const route of routes) {
    const body = route.def.childForFieldName('body');
    if (!body) continue;
    let checked: boolean | undefined;
    let n = 0;
    for (const call of body.descendantsOfType('call')) {
      if (!call || ++n > 300) break;
      const l = pyLookup(ctx, call);
      if (l) lookups.push({ route, ...l, at: file.range(call), writes: deletesModel(route, l.model), checked: checked ??= pyChecksOwnership(body) });
    }
  }
  decide(lookups, (l, why) => ctx.report({ range: l.at, message: message(l, why) }));
}

/** `Invoice.query.get_or_404(id)`, `Invoice.objects.get(pk=pk)`, `get_object_or_404(Invoice, pk=pk)`, `db.session.get(Invoice, id)`. */
function pyLookup(ctx: PyContext, call: Node): { model: string; idText: string; scoped: boolean } | undefined {
  const file = ctx.file;
  const f = call.childForFieldName('function');
  if (!f) return undefined;
  const callee = f.type === 'attribute' ? f.childForFieldName('attribute')?.text ?? '' : f.type === 'identifier' ? f.text : '';
  if (!/^(get_or_404|get|first_or_404|filter_by|filter|get_object_or_404|get_list_or_404)$/.test(callee)) return undefined;
  const args = call.childForFieldName('arguments');
  const argText = args?.text ?? '';
  let model: string | undefined;
  let ids: Node[] = [];
  if (f.type === 'attribute') {
    const method = f.childForFieldName('attribute')?.text ?? '';
    const recv = f.childForFieldName('object');
    const recvText = recv?.text ?? '';
    if (/^(get_or_404|get|first_or_404|filter_by|filter|get_object_or_404)$/.test(method)) {
      const m = /^([A-Za-z_]\w*)\.(query|objects)\b/.exec(recvText);
      const sessionGet = /(^|\.)session$|^db$/.test(recvText) && /^(get|get_or_404)$/.test(method);
      if (m) {
        model = m[1];
        if (/\.filter_by|\.filter\(|\.exclude\(|_set\b/.test(recvText.slice(m[0].length)) && OWNER.test(recvText)) return { model, idText: '', scoped: true };
      } else if (sessionGet) {
        const first = file.argument(call, 0);
        model = first?.type === 'identifier' ? first.text : undefined;
        const id = file.argument(call, 1);
        if (id) ids = [id];
      } else if (OWNER.test(recvText) && /\.(objects|query)\b|_set\b|\.\w+s\b/.test(recvText)) {
        // current_user.invoices.filter(...), request.user.invoice_set.get(pk=pk): scoped by construction
        return undefined;
      }
      if (model && ids.length === 0) {
        if (method === 'get_or_404' || (method === 'get' && /\.query$/.test(recvText))) { const a = file.argument(call, 0); if (a) ids = [a]; }
        else ids = idKeywords(call);
      }
    }
  } else if (f.type === 'identifier' && /^(get_object_or_404|get_list_or_404)$/.test(f.text)) {
    const first = file.argument(call, 0);
    if (first?.type === 'identifier') model = first.text;
    else if (first?.type === 'attribute' || first?.type === 'call') {
      // request.user.invoices / Invoice.objects.filter(user=...)
      if (OWNER.test(first.text)) return model ? { model, idText: '', scoped: true } : undefined;
      const m = /^([A-Za-z_]\w*)\.objects\b/.exec(first.text);
      model = m?.[1];
    }
    ids = idKeywords(call);
  }
  // a model class (`Invoice`), not a variable holding some queryset (`ticket_qs`)
  if (!model || !/^[A-Z]/.test(model)) return undefined;
  const scoped = OWNER.test(argText);
  if (scoped) return { model, idText: '', scoped: true };
  const tainted = ids.find((i) => file.valueOf(i).kind === 'tainted');
  if (!tainted) return undefined;
  return { model, idText: tainted.text.slice(0, 40), scoped: false };
}

/** `pk=pk`, `id=id`, `uuid=...`, `slug=...` arguments of a lookup. */
function idKeywords(call: Node): Node[] {
  const out: Node[] = [];
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (a?.type !== 'keyword_argument') continue;
    const name = a.childForFieldName('name')?.text ?? '';
    const value = a.childForFieldName('value');
    if (value && /^(pk|id|uuid|slug|\w+_id|pk__exact|id__exact)$/.test(name) && !OWNER.test(name)) out.push(value);
  }
  return out;
}

/** The body compares something with the current user, or calls a permission check. */
function pyChecksOwnership(body: Node): boolean {
  let n = 0;
  for (const c of body.descendantsOfType(['comparison_operator', 'call'])) {
    if (!c || ++n > 500) break;
    if (c.type === 'comparison_operator' && /(current_user|request\.user|g\.user|user_id|owner|\buser\b)/.test(c.text)) return true;
    if (c.type === 'call' && PERMISSION_CALL.test(c.childForFieldName('function')?.text ?? '')) return true;
  }
  return false;
}

// ---- JavaScript / TypeScript ----

const JS_LOOKUPS = /^(findById|findByPk|findOne|findOneBy|findOneOrFail|findOneByOrFail|findUnique|findUniqueOrThrow|findFirst|findFirstOrThrow|findByIdAndUpdate|findByIdAndDelete|findByIdAndRemove|findOneAndUpdate|findOneAndDelete|findOneAndRemove|update|delete|destroy|deleteOne|updateOne|get)$/;

function javascript(ctx: JsContext): void {
  const file = ctx.file;
  const routes = file.routes();
  if (routes.length === 0 || isTestCode(file.path)) return;
  const lookups: Lookup[] = [];
  for (const route of routes) {
    const fn = route.fn;
    const body = fn && (fn as ts.FunctionLikeDeclaration).body;
    if (!fn || !body) continue;
    // asked once per handler, and only of handlers that look a record up
    let checked: boolean | undefined;
    // the body's first 5,000 nodes, in the order of a walk
    const { from, to } = file.subtree(body);
    for (let i = from; i < Math.min(to, from + 5000); i++) {
      if (file.kinds[i] !== ts.SyntaxKind.CallExpression) continue;
      const node = file.nodes[i] as ts.CallExpression;
      const l = jsLookup(ctx, node);
      if (l) lookups.push({ route, ...l, at: file.range(node), writes: deletesModel(route, l.model) || /^(delete|deleteOne|destroy|findByIdAndDelete|findByIdAndRemove|findOneAndDelete|findOneAndRemove)$/.test((node.expression as ts.PropertyAccessExpression).name.text), checked: checked ??= jsChecksOwnership(file, body) });
    }
  }
  decide(lookups, (l, why) => ctx.report({ range: l.at, message: message(l, why) }));
}

function jsLookup(ctx: JsContext, call: ts.CallExpression): { model: string; idText: string; scoped: boolean } | undefined {
  const file = ctx.file;
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !JS_LOOKUPS.test(callee.name.text)) return undefined;
  const method = callee.name.text;
  const model = recordName(callee.expression);
  if (!model || /^(req|res|request|response|ctx|map|cache|headers|params|query|searchParams|router|app|axios|http|fetch|client|api|this|formData|url|localStorage|sessionStorage|Object|Reflect|Map|Set|JSON|cookies)$/i.test(model)) return undefined;
  const first = call.arguments[0];
  if (!first) return undefined;
  const argText = call.arguments.map((a) => file.textOf(a)).join(', ');
  if (OWNER.test(argText) || OWNER.test(file.textOf(callee.expression))) return { model, idText: '', scoped: true };
  let ids: ts.Expression[] = [];
  if (ts.isObjectLiteralExpression(first)) ids = idProperties(first);
  else if (/^(findById|findByPk|findByIdAndUpdate|findByIdAndDelete|findByIdAndRemove|findOneOrFail|findOneBy|get)$/.test(method) || (method === 'findOne' && !ts.isObjectLiteralExpression(first))) {
    if (method === 'get' && !/^[A-Z]/.test(model)) return undefined;
    ids = [first];
  }
  const tainted = ids.find((e) => file.valueOf(e).kind === 'tainted');
  if (!tainted) return undefined;
  return { model, idText: file.textOf(tainted).slice(0, 40), scoped: false };
}

/** `{ where: { id } }`, `{ _id: id }`, `{ id: req.params.id }`. */
function idProperties(obj: ts.ObjectLiteralExpression, depth = 0): ts.Expression[] {
  const out: ts.Expression[] = [];
  for (const p of obj.properties) {
    const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : '';
    if (ts.isPropertyAssignment(p)) {
      if (name === 'where' && ts.isObjectLiteralExpression(p.initializer) && depth < 2) out.push(...idProperties(p.initializer, depth + 1));
      else if (/^(_id|id|uuid|slug|\w+Id)$/.test(name)) out.push(p.initializer);
    } else if (ts.isShorthandPropertyAssignment(p) && /^(_id|id|uuid|slug|\w+Id)$/.test(name)) out.push(p.name);
  }
  return out;
}

const EQUALITY = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);

function jsChecksOwnership(file: JsContext['file'], body: ts.Node): boolean {
  // the body's first 5,000 nodes, in the order of a walk
  const { from, to } = file.subtree(body);
  for (let i = from; i < Math.min(to, from + 5000); i++) {
    const kind = file.kinds[i];
    const node = file.nodes[i];
    if (kind === ts.SyntaxKind.BinaryExpression && EQUALITY.has((node as ts.BinaryExpression).operatorToken.kind)
      && /(req\.user|session|currentUser|user\.id|userId|owner|\buser\b|ctx\.state\.user)/.test(file.textOf(node))) return true;
    if (kind === ts.SyntaxKind.CallExpression && PERMISSION_CALL.test(file.textOf((node as ts.CallExpression).expression))) return true;
  }
  return false;
}
