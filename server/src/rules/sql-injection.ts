import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import type { Fix, TextEdit, Value } from '../engine/types';
import { describeSource, evidence } from '../engine/rule';
import { skipOuter } from '../lang/javascript/front';
import { inValuePosition, leadingText, looksLikeSql, parameterize, type Parameterized } from '../lang/javascript/parameterize';
import { JS_CANDIDATE_METHODS, JS_GENERIC_METHODS, JS_RAW_METHODS, JS_SQL_METHODS, jsDriver, jsDriverFromType, jsImportsDriver, pyInferStyle, pyStyle, type JsDriver, type PyStyle } from './support/sql-drivers';
import { pythonLiteral } from '../lang/python/strings';
import type { PyFile } from '../lang/python/front';

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

const PY_SQL_WORDS = /\b(select|insert|update|delete|create|drop|alter|pragma|replace|truncate|merge|grant|values|where|from|into|order\s+by|group\s+by|limit)\b/i;

interface PySink { query: Node; kind: 'execute' | 'text' | 'raw' | 'rawsql' | 'pandas' | 'extra'; style?: PyStyle; known: boolean; fixable: boolean; hasParams?: boolean }

/** True when some non-constant part of a query sits where a value goes: in quotes, after `=`, `LIKE`, `LIMIT`... */
function pyValueHole(template: string): boolean {
  // statements that take no parameters: DDL, session settings, PL/SQL blocks
  if (/^\s*(create|alter|drop|grant|revoke|pragma|set|truncate|comment|declare|begin|use|show|analyze|vacuum|reindex|savepoint|release|rollback|lock)\b/i.test(template)) return false;
  let quotes = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === "'") quotes++;
    if (c !== '\u0000') continue;
    if (quotes % 2 === 1) return true;
    if (/(=|<|>|\blike|\bilike|\bin\s*\(|\bvalues\s*\(|\blimit|\boffset|\bbetween|\bthen|\belse|\bagainst\s*\()\s*$/i.test(template.slice(Math.max(0, i - 20), i))) return true;
  }
  return false;
}

function pySink(node: Node, file: PyFile): PySink | undefined {
  const q = file.callName(node);
  const fn = node.childForFieldName('function');
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  const arg0 = (kw: string) => file.argument(node, 0, kw);
  if (q && /^sqlalchemy(\.sql)?(\.expression)?\.text$/.test(q)) {
    const query = arg0('text');
    return query && { query, kind: 'text', style: 'named', known: true, fixable: !file.keywordArgument(node, 'text') };
  }
  if (q && /^django\.db\.models(\.expressions)?\.RawSQL$/.test(q)) {
    const query = arg0('sql');
    return query && { query, kind: 'rawsql', style: 'format', known: true, hasParams: !!file.argument(node, 1, 'params'), fixable: !file.argument(node, 1, 'params') };
  }
  if (q && /^pandas\.(io\.sql\.)?read_sql(_query)?$/.test(q)) {
    const query = arg0('sql');
    const con = file.argument(node, 1, 'con');
    const style = con ? pyStyle(file.valueOf(con).origin) : undefined;
    return query && { query, kind: 'pandas', style, known: true, fixable: !file.keywordArgument(node, 'params') && !file.keywordArgument(node, 'sql') };
  }
  if (!method || fn?.type !== 'attribute') return undefined;
  const receiver = fn.childForFieldName('object');
  if (/^(execute|executemany|executescript|mogrify|exec_driver_sql)$/.test(method)) {
    const query = file.argument(node, 0, 'operation') ?? file.keywordArgument(node, 'sql') ?? file.keywordArgument(node, 'query') ?? file.keywordArgument(node, 'statement');
    const origin = receiver ? file.valueOf(receiver).origin : undefined;
    const style = pyStyle(origin) ?? pyInferStyle(file, node, receiver);
    const known = !!style || /sqlalchemy|sqlite|psycopg|mysql|django\.db|databases\.|asyncpg/i.test(origin ?? '');
    const onlyQuery = (node.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment').length ?? 0) === 1;
    const hasParams = !!file.argument(node, 1, 'parameters') || !!file.keywordArgument(node, 'params') || !!file.keywordArgument(node, 'args') || !!file.keywordArgument(node, 'vars');
    return query && { query, kind: 'execute', style, known, hasParams, fixable: method === 'execute' && onlyQuery && query.id === file.argument(node, 0)?.id };
  }
  if (!file.importsModule('django')) return undefined;
  const managerLike = receiver?.type === 'attribute' && receiver.childForFieldName('attribute')?.text === 'objects';
  if (method === 'raw' && (managerLike || /objects|Manager|QuerySet/.test(file.valueOf(receiver ?? null).origin ?? ''))) {
    const query = arg0('raw_query');
    return query && { query, kind: 'raw', style: 'format', known: true, hasParams: !!file.argument(node, 1, 'params'), fixable: !file.argument(node, 1, 'params') && query.id === file.argument(node, 0)?.id };
  }
  if (method === 'extra') return { query: node, kind: 'extra', known: true, fixable: false };
  return undefined;
}

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const sink = pySink(node, file);
  if (!sink) return;
  if (sink.kind === 'extra') {
    for (const name of ['where', 'select', 'tables', 'order_by']) {
      const arg = file.keywordArgument(node, name);
      for (const el of arg?.type === 'list' || arg?.type === 'tuple' ? arg.namedChildren : arg?.type === 'dictionary' ? arg.namedChildren.map((p) => p?.childForFieldName('value')) : []) {
        if (el) pyReport(el, ctx, { ...sink, query: el }, false);
      }
    }
    return;
  }
  pyReport(sink.query, ctx, sink, true);
}

function pyReport(query: Node, ctx: PyContext, sink: PySink, withFix: boolean): void {
  const file = ctx.file;
  const value = file.valueOf(query) as Value & { built?: boolean; template?: string };
  const ev = evidence(value, 'sql');
  if (ev === 'safe') return;
  if (ev === 'unknown') {
    if (!value.built) return; // a query passed in whole: the caller decides
    // values already go as parameters: what is spliced in is an identifier or a clause
    if (sink.hasParams) return;
    // unknown parts only where no parameter can go (table and column names, whole clauses)
    if (!pyValueHole(value.template ?? '')) return;
  }
  const sqlLike = value.template !== undefined && PY_SQL_WORDS.test(value.template.replace(/\u0000/g, ' '));
  if (!sink.known && !(value.built && sqlLike)) return;
  const message = ev === 'tainted'
    ? `${describeSource(value)} reaches this SQL query; pass it as a query parameter instead of building the SQL text.`
    : 'This SQL query is built from a value of unknown origin; pass values as query parameters instead of building the SQL text.';
  const fix = withFix && sink.fixable ? pyParameterize(file, ctx, query, sink) : undefined;
  ctx.report({ range: file.range(query), message, value, fixes: fix ? [fix] : [] });
}

type Segment = { text: string } | { placeholder: string; value: string };

/** Rewrites a query built with an f-string, `%`, `.format()` or `+` at the sink into a parameterized one. */
function pyParameterize(file: PyFile, ctx: PyContext, query: Node, sink: PySink): Fix | undefined {
  const style = sink.style;
  const call = query.parent?.parent;
  if (!style || !call) return undefined;
  const t = file.stringTemplate(query);
  if (!t) return undefined;
  const segs: Segment[] = [];
  const names = new Set<string>();
  let exact = true;
  const sqlSoFar = () => segs.map((s) => ('text' in s ? s.text : '?')).join('');
  for (let i = 0; i < t.parts.length; i++) {
    const p = t.parts[i];
    if (p.kind === 'text') { segs.push({ text: p.text }); continue; }
    const v = file.valueOf(p.node);
    if (v.kind === 'constant' && v.value !== undefined && !p.formatted) { segs.push({ text: v.value }); continue; }
    if (p.formatted) return undefined;
    const prev = segs[segs.length - 1];
    const next = t.parts[i + 1];
    const prevText = prev && 'text' in prev ? prev.text : '';
    const nextText = next?.kind === 'text' ? next.text : '';
    const open = /'(%?)$/.exec(prevText);
    const close = /^(%?)'/.exec(nextText);
    let valueText = p.node.text;
    if (open && close) {
      const before = prevText.slice(0, open.index);
      const head = sqlSoFar();
      if (countQuotes(head.slice(0, head.length - prevText.length) + before) % 2 !== 0) return undefined;
      (prev as { text: string }).text = before;
      t.parts[i + 1] = { kind: 'text', text: nextText.slice(close[0].length) };
      if (open[1] || close[1]) {
        const q = !valueText.includes('"') ? '"' : !valueText.includes("'") ? "'" : undefined;
        if (!q || valueText.includes('\n')) return undefined;
        valueText = `f${q}${open[1]}{${valueText}}${close[1]}${q}`;
      }
    } else {
      if (open || close || countQuotes(sqlSoFar()) % 2 !== 0) return undefined;
      // a value that carries SQL syntax of its own (quotes it added) is not one parameter
      if (/['"]/.test((v as { template?: string }).template ?? '')) return undefined;
      if (/(\b(from|join|into|update|table|by|as|in\s*\()|[.`"\[\w])\s*$/i.test(prevText) || /^\s*[.`"\]\w]/.test(nextText)) return undefined;
      exact = false;
    }
    let placeholder = style === 'qmark' ? '?' : '%s';
    if (style === 'named') {
      const base = paramName(p.node);
      let name = base;
      for (let k = 2; names.has(name); k++) name = `${base}_${k}`;
      names.add(name);
      placeholder = `:${name}`;
    }
    segs.push({ placeholder, value: valueText });
  }
  const values = segs.filter((s): s is { placeholder: string; value: string } => 'placeholder' in s);
  if (values.length === 0) return undefined;
  const sql = segs.map((s) => ('text' in s ? (style === 'format' ? s.text.replace(/%/g, '%%') : s.text) : s.placeholder)).join('');
  const literal = pythonLiteral(sql, t.quote);
  const edits: TextEdit[] = [];
  const tuple = `(${values.map((v) => v.value).join(', ')}${values.length === 1 ? ',' : ''})`;
  const range = file.range(query);
  if (sink.kind === 'execute' || sink.kind === 'rawsql') edits.push({ range, newText: `${literal}, ${tuple}` });
  else if (sink.kind === 'raw') edits.push({ range, newText: `${literal}, [${values.map((v) => v.value).join(', ')}]` });
  else if (sink.kind === 'pandas') {
    edits.push({ range, newText: literal });
    const args = call.type === 'call' ? call.childForFieldName('arguments') : query.parent;
    if (!args) return undefined;
    const end = file.range(args).end;
    const at = { line: end.line, character: end.character - 1 };
    edits.push({ range: { start: at, end: at }, newText: `, params=${tuple}` });
  } else if (sink.kind === 'text') {
    edits.push({ range, newText: literal });
    const textCall = query.parent?.parent;
    if (!textCall) return undefined;
    const end = file.range(textCall).end;
    const binds = values.map((v) => `${v.placeholder.slice(1)}=${v.value}`).join(', ');
    edits.push({ range: { start: end, end }, newText: `.bindparams(${binds})` });
  }
  void ctx;
  const shown = style === 'qmark' ? '?' : style === 'format' ? '%s' : ':name';
  return { title: `Pass the values as query parameters (${shown})`, edits, preferred: true, ...(exact ? { safe: true } : {}) };
}

function countQuotes(s: string): number {
  let n = 0;
  for (const c of s) if (c === "'") n++;
  return n;
}

function paramName(n: Node): string {
  let name = 'param';
  if (n.type === 'identifier') name = n.text;
  else if (n.type === 'attribute') name = n.childForFieldName('attribute')?.text ?? name;
  else if (n.type === 'subscript' || n.type === 'call') {
    const key = n.type === 'subscript' ? n.childForFieldName('subscript') : n.childForFieldName('arguments')?.namedChildren[0];
    const text = key?.type === 'string' ? key.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('') : '';
    if (/^\w+$/.test(text)) name = text;
  }
  name = name.replace(/\W/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `p_${name}`;
}

// ---- JavaScript / TypeScript ----

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const file = ctx.file;
  const callee = skipOuter(node.expression);
  const arg = node.arguments[0];
  if (!arg || ts.isSpreadElement(arg)) return;
  let method: string | undefined;
  let driver: JsDriver | undefined;
  if (ts.isPropertyAccessExpression(callee)) {
    method = callee.name.text;
    // evaluating the receiver analyses its function: only for method names that can run SQL,
    // given something that can be a string built from pieces
    if (!JS_CANDIDATE_METHODS.has(method) || !jsStringLike(arg)) return;
    driver = jsDriver(file.callName(node));
    if (!driver && !JS_RAW_METHODS.has(method) && !jsImportsDriver(file) && !file.hasSqlText(looksLikeSql)) return;
    if (!driver && (jsImportsDriver(file) || method.startsWith('where') || method.endsWith('Where') || method.includes('aving'))) {
      driver = jsDriver(file.valueOf(callee.expression).origin);
    }
    // a pool or database handed in with a type (`pool: Pool` from pg, `db: Database` from better-sqlite3)
    if (!driver) driver = jsDriverFromType(file, callee.expression);
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
  // whereRaw(documentOn('p', 'd')) with `const documentOn = (a, b) => \`${a}.${col} = ${b}.${col}\``: the text it returns
  const returned = value.kind === 'tainted' ? undefined : jsReturnedText(file, definitionOrSelf(file, query));
  const parts = file.stringParts(query) ?? (returned && file.stringParts(returned));
  if (!known) {
    // an unknown object: only a query that visibly is SQL, built from strings
    if (!parts || !looksLikeSql(leadingText(file, definitionOrSelf(file, query)))) return;
  }
  let reached: Value | undefined;
  if (parts) {
    let before = '';
    parts.forEach((p, i) => {
      const text = p.text !== undefined ? p.text : ' x ';
      if (p.text === undefined && p.expr && p.value && evidence(p.value, 'sql') !== 'safe') {
        // an identifier or SQL fragment of unknown origin is how query builders work; a value is how injection happens
        const after = parts[i + 1]?.text ?? '';
        if (p.value.kind === 'tainted' || inValuePosition(before, after)) {
          if (!reached || (p.value.kind === 'tainted' && reached.kind !== 'tainted')) reached = p.value;
        }
      }
      before += text;
    });
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

/** Syntactically a string that may be built from pieces (not a literal, function, object or number). */
function jsStringLike(arg: ts.Expression): boolean {
  const e = skipOuter(arg);
  return ts.isTemplateExpression(e) || ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)
    || ts.isCallExpression(e) || ts.isConditionalExpression(e)
    || (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.PlusToken
      || e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken));
}

/** The template or concatenation a call to a same-file one-expression function returns. */
function jsReturnedText(file: JsContext['file'], e: ts.Expression): ts.Expression | undefined {
  const call = skipOuter(e);
  if (!ts.isCallExpression(call) || !ts.isIdentifier(skipOuter(call.expression))) return undefined;
  const id = skipOuter(call.expression) as ts.Identifier;
  const fn: ts.Node | undefined = file.definitionOf(id) ?? file.declarationOf(id)?.parent;
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) || ts.isFunctionDeclaration(fn)) || !fn.body) return undefined;
  let body: ts.Node = fn.body;
  if (ts.isBlock(body)) {
    const only = body.statements.length === 1 ? body.statements[0] : undefined;
    if (!only || !ts.isReturnStatement(only) || !only.expression) return undefined;
    body = only.expression;
  }
  const r = skipOuter(body as ts.Expression);
  return ts.isTemplateExpression(r) || (ts.isBinaryExpression(r) && r.operatorToken.kind === ts.SyntaxKind.PlusToken) ? r : undefined;
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
