import ts from 'typescript';
import type { Node } from 'web-tree-sitter';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import type { Fix, TextEdit, Value } from '../engine/types';
import { describeSource, evidence } from '../engine/rule';
import { skipOuter } from '../lang/javascript/front';
import { leadingText, looksLikeSql, parameterize, type Parameterized } from '../lang/javascript/parameterize';

export default defineRule({
  meta: {
    id: 'sql-injection',
    title: 'SQL built from strings',
    description: "A query assembled from strings with non-constant parts lets an attacker change the query. Pass values as parameters instead.",
    cwe: ['CWE-89'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 9.8,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

// ---- Python ----

function pythonCall(node: Node, ctx: PyContext): void {
  void node; void ctx;
}

// ---- JavaScript / TypeScript ----

type JsDriver = 'pg' | 'mysql' | 'sqlite' | 'better-sqlite3' | 'sequelize' | 'knex' | 'typeorm' | 'prisma' | 'mssql' | 'oracle' | 'postgres' | 'pg-promise';

const JS_DRIVERS: [RegExp, JsDriver][] = [
  [/^(?:pg|pg-pool|@vercel\/postgres|@neondatabase\/serverless)\b/, 'pg'],
  [/^pg-promise\b/, 'pg-promise'],
  [/^(?:mysql2?(?:\/promise)?|mariadb)\b/, 'mysql'],
  [/^better-sqlite3\b/, 'better-sqlite3'],
  [/^(?:sqlite3|sqlite)\b/, 'sqlite'],
  [/^sequelize\b/, 'sequelize'],
  [/^knex\b/, 'knex'],
  [/^typeorm\b/, 'typeorm'],
  [/^@prisma\/client\b/, 'prisma'],
  [/^mssql\b/, 'mssql'],
  [/^oracledb\b/, 'oracle'],
  [/^postgres\b/, 'postgres'],
];

/** Methods that take SQL text as their first argument, per driver. */
const JS_SQL_METHODS: Record<JsDriver, string[]> = {
  pg: ['query'],
  'pg-promise': ['query', 'any', 'none', 'one', 'many', 'oneOrNone', 'manyOrNone', 'result', 'multi', 'each', 'map'],
  mysql: ['query', 'execute'],
  sqlite: ['run', 'all', 'get', 'each', 'exec', 'prepare'],
  'better-sqlite3': ['prepare', 'exec'],
  sequelize: ['query', 'literal'],
  knex: ['raw'],
  typeorm: ['query', 'where', 'andWhere', 'orWhere', 'having', 'andHaving', 'orHaving'],
  prisma: [],
  mssql: ['query', 'batch'],
  oracle: ['execute', 'executeMany'],
  postgres: ['unsafe'],
};

/** Method names that mean raw SQL whatever object they are called on. */
const JS_RAW_METHODS = new Set(['$queryRawUnsafe', '$executeRawUnsafe', 'whereRaw', 'orWhereRaw', 'andWhereRaw',
  'havingRaw', 'orHavingRaw', 'joinRaw', 'orderByRaw', 'groupByRaw', 'fromRaw', 'selectRaw', 'onRaw']);

/** Generic names that are SQL only when the text looks like SQL (the database object is not known). */
const JS_GENERIC_METHODS = new Set(['query', 'execute', 'raw', 'unsafe', 'run', 'all', 'get', 'exec', 'prepare', 'each']);

function jsDriver(name: string | undefined): JsDriver | undefined {
  if (!name) return undefined;
  for (const [re, d] of JS_DRIVERS) if (re.test(name)) return d;
  return undefined;
}

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const file = ctx.file;
  const callee = skipOuter(node.expression);
  const arg = node.arguments[0];
  if (!arg || ts.isSpreadElement(arg)) return;
  let method: string | undefined;
  let driver: JsDriver | undefined;
  if (ts.isPropertyAccessExpression(callee)) {
    method = callee.name.text;
    driver = jsDriver(file.callName(node)) ?? jsDriver(file.valueOf(callee.expression).origin);
  } else if (ts.isIdentifier(callee)) {
    // import { literal } from 'sequelize'
    const q = file.callName(node);
    driver = jsDriver(q);
    method = q?.slice(q.lastIndexOf('.') + 1);
  }
  if (!method) return;
  let known = false;
  if (JS_RAW_METHODS.has(method)) known = true;
  else if (driver && JS_SQL_METHODS[driver].includes(method)) {
    known = driver !== 'typeorm' || method === 'query' || file.valueOf(ts.isPropertyAccessExpression(callee) ? callee.expression : callee).origin?.includes('createQueryBuilder()') === true;
  } else if (driver || !JS_GENERIC_METHODS.has(method)) return;
  const query = skipOuter(arg);
  const value = file.valueOf(query);
  if (evidence(value, 'sql') === 'safe') return;
  const parts = file.stringParts(query);
  if (!known) {
    // an unknown object: only a query that visibly is SQL, built from strings
    if (!parts || !looksLikeSql(leadingText(file, definitionOrSelf(file, query)))) return;
  }
  let reached: Value | undefined;
  if (parts) {
    for (const p of parts) {
      if (!p.expr || !p.value || evidence(p.value, 'sql') === 'safe') continue;
      if (!reached || (p.value.kind === 'tainted' && reached.kind !== 'tainted')) reached = p.value;
    }
    if (!reached) return;
  } else if (file.isBuilt(query) || value.kind === 'tainted') {
    reached = value;
  } else return;
  const what = known || driver ? 'this SQL query' : 'this query';
  const message = reached.kind === 'tainted'
    ? `${describeSource(reached)} reaches ${what}, built from strings. Pass it as a query parameter instead.`
    : `${what[0].toUpperCase()}${what.slice(1)} is built from strings with a value of unknown origin. Pass values as query parameters instead.`;
  ctx.report({ range: file.range(arg), message, value: reached, fixes: jsSqlFixes(node, method, driver, query, ctx) });
}

function definitionOrSelf(file: JsContext['file'], e: ts.Expression): ts.Expression {
  return ts.isIdentifier(e) ? file.definitionOf(e) ?? e : e;
}

function jsSqlFixes(call: ts.CallExpression, method: string, driver: JsDriver | undefined, query: ts.Expression, ctx: JsContext): Fix[] {
  const file = ctx.file;
  // where the query text is written: in the call, or in the one declaration that only this call reads
  let built = query;
  if (ts.isIdentifier(query)) {
    const def = file.definitionOf(query);
    if (!def || !ts.isVariableDeclaration(def.parent) || def.parent.initializer !== def) return [];
    if (file.references(query).length !== 1) return [];
    built = skipOuter(def);
  }
  const args = call.arguments;
  const edits: TextEdit[] = [];
  const afterArg0 = (text: string): TextEdit => ({ range: file.rangeOf(args[0].getEnd(), args[0].getEnd()), newText: text });
  const listArgOk = args.length === 1 || (args.length === 2 && isFunctionArg(args[1]));

  if (method === '$queryRawUnsafe' || method === '$executeRawUnsafe') {
    if (args.length !== 1 || built !== query) return [];
    const p = parameterize(file, built, 'tagged');
    if (!p) return [];
    const callee = call.expression as ts.PropertyAccessExpression;
    const tag = `${file.textOf(callee.expression)}.${method.replace('Unsafe', '')}`;
    edits.push({ range: file.range(call), newText: `${tag}${p.query}` });
    return [{ title: `Use the tagged ${method.replace('Unsafe', '')}\`...\` form (values become parameters)`, edits, preferred: true, safe: true }];
  }
  let p: Parameterized | undefined;
  let title = 'Pass the values as query parameters';
  if (driver === 'pg' || driver === 'pg-promise' || driver === 'postgres') {
    if (!listArgOk || driver === 'postgres') return [];
    p = parameterize(file, built, 'dollar');
    if (p) edits.push(afterArg0(`, [${p.values.join(', ')}]`));
  } else if (driver === 'mysql' || driver === 'sqlite' || (driver === 'knex' && method === 'raw') || (JS_RAW_METHODS.has(method) && method.endsWith('Raw'))) {
    if (!listArgOk) return [];
    if (driver === 'sqlite' && method === 'prepare') return [];
    p = parameterize(file, built, 'question');
    if (p) edits.push(afterArg0(`, [${p.values.join(', ')}]`));
  } else if (driver === 'better-sqlite3' && method === 'prepare') {
    // db.prepare(sql).get()  ->  db.prepare('... ?').get(value)
    const outer = call.parent;
    if (!ts.isPropertyAccessExpression(outer) || !ts.isCallExpression(outer.parent) || outer.parent.expression !== outer
      || outer.parent.arguments.length !== 0 || !['get', 'all', 'run', 'iterate'].includes(outer.name.text)) return [];
    p = parameterize(file, built, 'question');
    const runCall = outer.parent;
    if (p) edits.push({ range: file.rangeOf(runCall.getEnd() - 1, runCall.getEnd() - 1), newText: p.values.join(', ') });
  } else if (driver === 'sequelize' && method === 'query') {
    p = parameterize(file, built, 'question');
    if (!p) return [];
    const opts = args[1];
    if (!opts) edits.push(afterArg0(`, { replacements: [${p.values.join(', ')}] }`));
    else if (ts.isObjectLiteralExpression(opts) && !opts.properties.some((x) => x.name && ['replacements', 'bind'].includes(file.textOf(x.name)))) {
      const open = opts.getStart(file.sourceFile) + 1;
      edits.push({ range: file.rangeOf(open, open), newText: ` replacements: [${p.values.join(', ')}],` });
    } else return [];
    title = 'Pass the values as Sequelize replacements';
  } else if (driver === 'typeorm' && method !== 'query') {
    if (args.length !== 1) return [];
    p = parameterize(file, built, 'named');
    if (p) edits.push(afterArg0(`, { ${p.names.map((n, i) => (n === p!.values[i] ? n : `${n}: ${p!.values[i]}`)).join(', ')} }`));
    title = 'Use named parameters (:name) with a parameters object';
  } else return [];
  if (!p) return [];
  edits.unshift({ range: file.range(built), newText: p.query });
  return [{ title, edits, preferred: true, safe: true }];
}

function isFunctionArg(e: ts.Expression): boolean {
  return ts.isArrowFunction(e) || ts.isFunctionExpression(e) || ts.isIdentifier(e) && /^(cb|callback|done|next)$/.test(e.text);
}
