import ts from 'typescript';
import type { JsFile } from './front';
import { isGuardName, levelFromName, MUTATOR_NAME, type Guard, type Level, type Write } from '../../engine/route-types';

/**
 * What a JS/TS handler's body says about access control: checks that end the request for the wrong user
 * (`if (!req.user) return res.sendStatus(401)`, `if (!session) redirect('/login')`, `throw new
 * UnauthorizedException()`), guard calls (`await requireUser()`, `auth.protect()`), and the writes it makes.
 */

const WHO = /([Aa]ccess|CurrentUser|[Aa]uthoriz|req\.user|request\.user|session|currentUser|\buser\b|isAuthenticated|isAdmin|is_admin|\brole\b|\.roles?\b|userId|auth|token|permission|owner|ctx\.state\.user)/;
const ROLE = /(isAdmin|is_admin|\brole\b|\.roles?\b|admin|permission|superuser|staff)/i;
const DENIAL = /(\b40[13]\b|Unauthori[sz]ed|Forbidden|redirect\([^)]*(login|signin|sign-in|auth)|notFound\(|unauthorized\(|forbidden\(|NotAuthenticated|AccessDenied|ensureLoggedIn)/i;

/*
 * The answers below depend on a handler's text only (positions excepted: those are read from the nodes at
 * each use), so they are kept per handler node across the versions of an edited document: TypeScript's
 * incremental parse hands back the same node objects, moved, for code the edit did not touch.
 */
type BodyCheck = Omit<Guard, 'range'> & { node: ts.Node };
const bodyChecksMemo = new WeakMap<ts.Node, BodyCheck[]>();
const mutatorMemo = new WeakMap<ts.Node, boolean>();
const accountMemo = new WeakMap<ts.Node, boolean>();
const writesMemo = new WeakMap<ts.Node, (Omit<Write, 'line'> & { node: ts.Node })[]>();

/** The handler's own statements (top level, bounded), with the body-check guards they make. */
export function bodyChecks(file: JsFile, fn: ts.SignatureDeclaration): Guard[] {
  let found = bodyChecksMemo.get(fn);
  if (!found) {
    found = [];
    const body = (fn as ts.FunctionLikeDeclaration).body;
    const statements = body && ts.isBlock(body) ? body.statements : [];
    let n = 0;
    for (const stmt of statements) {
      if (++n > 60) break;
      scanStatement(file, stmt, found, 0);
    }
    bodyChecksMemo.set(fn, found);
  }
  return found.map((g) => ({ name: g.name, kind: g.kind, level: g.level, text: g.text, range: file.range(g.node) }));
}

function scanStatement(file: JsFile, stmt: ts.Statement, out: BodyCheck[], depth: number): void {
  if (ts.isIfStatement(stmt)) {
    const cond = file.textOf(stmt.expression);
    if (WHO.test(cond) && endsRequest(file, stmt.thenStatement)) {
      const level = conditionLevel(cond);
      if (!level) return;
      out.push({ name: cond.slice(0, 60), kind: 'body-check', level, text: cond, node: stmt.expression });
    }
    return;
  }
  if (ts.isTryStatement(stmt) && depth < 2) {
    for (const s of stmt.tryBlock.statements.slice(0, 30)) scanStatement(file, s, out, depth + 1);
    return;
  }
  // `await requireUser()`, `const user = await requireAdmin(req)`, `await auth.protect()`, `authorize(req, 'admin')`
  let expr: ts.Expression | undefined;
  if (ts.isExpressionStatement(stmt)) expr = stmt.expression;
  else if (ts.isVariableStatement(stmt)) expr = stmt.declarationList.declarations[0]?.initializer;
  while (expr && ts.isAwaitExpression(expr)) expr = expr.expression;
  if (expr && ts.isCallExpression(expr)) {
    const name = file.textOf(expr.expression);
    if (/(^|\.)(require|ensure|assert|check|verify|authorize|authorise|protect|guard)\w*$/i.test(name) && (isGuardName(name) || /protect$/.test(name))) {
      const arg = expr.arguments.find(ts.isStringLiteralLike)?.text;
      out.push({ name, kind: 'body-check', level: levelFromName(name, arg), text: file.textOf(expr), node: expr });
    }
  }
}

/** As in the Python front: ownership tests authenticate; a negated role test grants the role; a test that denies a role grants nothing. */
function conditionLevel(cond: string): Level | undefined {
  if (/(owner|userId|user_id|authorId|author|createdBy)\w*\s*(!==?|===?)|(!==?|===?)\s*[\w.]*(owner|userId|user_id|authorId|createdBy)/.test(cond)) return 'authenticated';
  if (!ROLE.test(cond)) return 'authenticated';
  if (!/!|\bnot\b|=== *false|== *null|=== *undefined/.test(cond)) return undefined;
  return levelFromName(/superuser/i.test(cond) ? 'superuser' : /staff/i.test(cond) ? 'staff' : 'admin');
}

/** The handler creates an account (`createUser(...)`, `User.register(...)`, `signUp(...)`): public on purpose. */
export function createsAccount(file: JsFile, fn: ts.Node): boolean {
  let found = accountMemo.get(fn);
  if (found === undefined) accountMemo.set(fn, found = callsCreateAccount(file, fn));
  return found;
}

function callsCreateAccount(file: JsFile, fn: ts.Node): boolean {
  // fn's descendants, the first 3,000 in the order of a walk
  const { from, to } = file.subtree(fn);
  for (let i = from + 1; i < Math.min(to, from + 1 + 3000); i++) {
    if (file.kinds[i] !== ts.SyntaxKind.CallExpression) continue;
    if (/(^|\.)(createUser|registerUser|signUp|signup|register|createAccount)$/.test(file.textOf((file.nodes[i] as ts.CallExpression).expression))) return true;
  }
  return false;
}

/** The branch returns or throws a denial: a 401/403, a redirect to the login page, `Unauthorized`/`Forbidden`. */
function endsRequest(file: JsFile, s: ts.Statement): boolean {
  const stmts = ts.isBlock(s) ? s.statements.slice(0, 20) : [s];
  for (const st of stmts) {
    if (ts.isReturnStatement(st) || ts.isThrowStatement(st) || ts.isExpressionStatement(st)) {
      const t = file.textOf(st);
      if (DENIAL.test(t)) return true;
    }
  }
  return false;
}

const WRITE_METHODS: Record<string, Write['verb']> = Object.assign(Object.create(null), {
  save: 'saves', create: 'creates', createMany: 'creates', insert: 'creates', insertOne: 'creates', insertMany: 'creates',
  bulkCreate: 'creates', update: 'updates', updateOne: 'updates', updateMany: 'updates', upsert: 'updates',
  findByIdAndUpdate: 'updates', findOneAndUpdate: 'updates', findOneAndReplace: 'updates', replaceOne: 'updates',
  delete: 'deletes', deleteOne: 'deletes', deleteMany: 'deletes', destroy: 'deletes', remove: 'deletes',
  findByIdAndDelete: 'deletes', findByIdAndRemove: 'deletes', findOneAndDelete: 'deletes', findOneAndRemove: 'deletes',
  softDelete: 'deletes', increment: 'updates', decrement: 'updates',
});
/** Receivers whose `delete`/`update`/`create` are not stored records: maps, sets, caches, headers, crypto, the DOM. */
const NOT_RECORDS = /^(map|set|cache|headers|params|searchParams|url|hash|hmac|cipher|decipher|crypto|document|element|el|node|list|array|arr|items|keys|weakMap|store|localStorage|sessionStorage|cookies|res|response|req|request|ctx|history|router|formData|object|Object|Reflect|console|fs|path|queue|state|this)$/i;

/** Writes in a handler: ORM/ODM saves, creates, updates and deletes (Mongoose, Sequelize, Prisma, TypeORM, Knex). */
export function writesOf(file: JsFile, fn: ts.Node): Write[] {
  let found = writesMemo.get(fn);
  if (!found) writesMemo.set(fn, found = writeCalls(file, fn));
  return found.map((w) => ({ verb: w.verb, what: w.what, line: file.line(w.node) }));
}

function writeCalls(file: JsFile, fn: ts.Node): (Omit<Write, 'line'> & { node: ts.Node })[] {
  const out: (Omit<Write, 'line'> & { node: ts.Node })[] = [];
  // fn's descendants, the first 5,000 in the order of a walk (nested callbacks inside the handler,
  // `.then(doc => doc.save())`, count; nested handler definitions do too)
  const { from, to } = file.subtree(fn);
  for (let i = from + 1; i < Math.min(to, from + 1 + 5000) && out.length <= 20; i++) {
    if (file.kinds[i] !== ts.SyntaxKind.CallExpression) continue;
    const node = file.nodes[i] as ts.CallExpression;
    if (ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const verb = WRITE_METHODS[method];
      if (verb) {
        const recv = node.expression.expression;
        const what = recordName(recv);
        if (!(what && NOT_RECORDS.test(what)) && !(method === 'update' && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0]))
          && !(method === 'create' && /^(Object|document|crypto|React|ts|URL)$/.test(what ?? ''))) {
          out.push({ verb, what, node });
        }
      }
    }
  }
  return out;
}

/** `invoice` for `invoice.save()`, `Invoice` for `Invoice.findByIdAndDelete(id)`, `invoice` for `prisma.invoice.delete(...)`. */
export function recordName(recv: ts.Expression): string | undefined {
  let e: ts.Expression = recv;
  for (let i = 0; i < 6; i++) {
    while (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    if (ts.isIdentifier(e)) return e.text;
    if (ts.isPropertyAccessExpression(e)) {
      // prisma.invoice, db.invoices, this.invoiceRepository, models.Invoice
      return e.name.text;
    }
    if (ts.isCallExpression(e)) {
      // getRepository(Invoice), db('invoices').where(...), knex('invoices')
      const a = e.arguments[0];
      if (a && ts.isIdentifier(a) && /^[A-Z]/.test(a.text)) return a.text;
      if (a && ts.isStringLiteralLike(a) && ts.isIdentifier(e.expression)) return a.text;
      if (ts.isPropertyAccessExpression(e.expression)) { e = e.expression.expression; continue; }
      return undefined;
    }
    return undefined;
  }
  return undefined;
}

/** The body calls something whose name says it changes things (bounded walk). */
export function callsMutator(file: JsFile, fn: ts.Node): boolean {
  let found = mutatorMemo.get(fn);
  if (found === undefined) mutatorMemo.set(fn, found = callsMutatorName(file, fn));
  return found;
}

function callsMutatorName(file: JsFile, fn: ts.Node): boolean {
  // fn's descendants, the first 5,000 in the order of a walk
  const { from, to } = file.subtree(fn);
  for (let i = from + 1; i < Math.min(to, from + 1 + 5000); i++) {
    if (file.kinds[i] !== ts.SyntaxKind.CallExpression) continue;
    const e = (file.nodes[i] as ts.CallExpression).expression;
    const name = ts.isPropertyAccessExpression(e) ? e.name.text : ts.isIdentifier(e) ? e.text : '';
    if (name && MUTATOR_NAME.test(name) && !/^(json|send|sendStatus|setHeader|set|status|redirect|render|end|write|push)$/.test(name)) return true;
  }
  return false;
}
