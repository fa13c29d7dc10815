/**
 * Which SQL driver a query goes to, and so which placeholder style its parameterized form takes: DB-API
 * drivers in Python (`?`, `%s`, `:name`) from the connection's origin, a parameter's annotation, a
 * `connect()` call or the only driver imported; JS/TS drivers from imports and declared types.
 */
import ts from 'typescript';
import type { JsContext } from '../../engine/rule-types';
import type { PyFile } from '../../lang/python/front';
import type { PNode as Node } from '../../lang/python/tree';
import { skipOuter } from '../../lang/javascript/front';
import { pyResolve } from '../../lang/python/options';

// ---- Python ----

export type PyStyle = 'qmark' | 'format' | 'named';

/** Placeholder style of a DB-API driver, from the qualified name of the call that made the connection. */
export function pyStyle(origin: string | undefined): PyStyle | undefined {
  if (!origin) return undefined;
  if (/^(sqlite3|aiosqlite|pysqlite2|sqlcipher3)\./.test(origin)) return 'qmark';
  if (/^(psycopg2?|pymysql|MySQLdb|mysql\.connector|django\.db|pgdb|aiomysql|aiopg)\./.test(origin)) return 'format';
  return undefined;
}

/** DB-API driver modules and their placeholder style. */
export const PY_DRIVER_MODULES = /^(sqlite3|aiosqlite|pysqlite2|sqlcipher3|psycopg2?|pymysql|MySQLdb|mysql\.connector|pgdb|aiomysql|aiopg)(\.|$)/;

/**
 * The placeholder style when the connection's origin is not known at the call: from the annotation of the
 * parameter the cursor comes from (`conn: sqlite3.Connection`), from the driver whose `connect()` the function,
 * else the file, calls (one driver only), else from the only DB-API driver the file imports.
 */
export function pyInferStyle(file: PyFile, call: Node, receiver: Node | null): PyStyle | undefined {
  let root: Node | null | undefined = receiver;
  for (let i = 0; root && i < 8; i++) {
    if (root.type === 'call') root = root.childForFieldName('function');
    else if (root.type === 'attribute') root = root.childForFieldName('object');
    else if (root.type === 'identifier') {
      const def: Node = pyResolve(file, root) ?? root;
      if (def.id !== root.id) { root = def; continue; }
      // `with conn.cursor() as cur:`
      const name: string = root.text;
      const bound: Node | null | undefined = (file.enclosingFunction(call) ?? file.tree.rootNode).descendantsOfType('as_pattern')
        .find((a) => a?.childForFieldName('alias')?.text === name && a.startIndex < call.startIndex);
      if (!bound?.namedChild(0)) break;
      root = bound.namedChild(0);
    } else break;
  }
  const fn = file.enclosingFunction(call);
  if (root?.type === 'identifier' && fn) {
    for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
      if (p?.type !== 'typed_parameter' && p?.type !== 'typed_default_parameter') continue;
      const name = p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
      if (name?.text !== root.text) continue;
      const type = p.childForFieldName('type');
      const inner = type?.namedChildren[0] ?? type;
      const q = inner?.type === 'string' ? (file.stringValue(inner) ?? '') : file.qualifiedName(inner) ?? inner?.text ?? '';
      return pyStyle(q.includes('.') ? q : undefined);
    }
  }
  const fromConnects = (scope: Node): PyStyle | undefined | null => {
    const styles = new Set<PyStyle>();
    let n = 0;
    for (const c of scope.descendantsOfType('call')) {
      if (!c || ++n > 5000) break;
      const q = file.callName(c);
      if (!q?.endsWith('.connect') || !PY_DRIVER_MODULES.test(q)) continue;
      const st = pyStyle(q);
      if (st) styles.add(st);
    }
    return styles.size === 1 ? [...styles][0] : styles.size > 1 ? null : undefined;
  };
  const inFn = fn ? fromConnects(fn) : undefined;
  if (inFn !== undefined) return inFn ?? undefined;
  const inFile = fromConnects(file.tree.rootNode);
  if (inFile !== undefined) return inFile ?? undefined;
  const imported = new Set<PyStyle>();
  for (const q of file.imports.values()) {
    if (!PY_DRIVER_MODULES.test(q)) continue;
    const st = pyStyle(q.includes('.') ? q : `${q}.`);
    if (st) imported.add(st);
  }
  return imported.size === 1 ? [...imported][0] : undefined;
}

// ---- JavaScript / TypeScript ----

export type JsDriver = 'pg' | 'mysql' | 'sqlite' | 'better-sqlite3' | 'sequelize' | 'knex' | 'typeorm' | 'prisma' | 'mssql' | 'oracle' | 'postgres' | 'pg-promise';

export const JS_DRIVERS: [RegExp, JsDriver][] = [
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
export const JS_SQL_METHODS: Record<JsDriver, string[]> = {
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
export const JS_RAW_METHODS = new Set(['$queryRawUnsafe', '$executeRawUnsafe', 'whereRaw', 'orWhereRaw', 'andWhereRaw',
  'havingRaw', 'orHavingRaw', 'joinRaw', 'orderByRaw', 'groupByRaw', 'fromRaw', 'selectRaw', 'onRaw']);

/** Generic names that are SQL only when the text looks like SQL (the database object is not known). */
export const JS_GENERIC_METHODS = new Set(['query', 'execute', 'raw', 'unsafe', 'run', 'all', 'get', 'exec', 'prepare', 'each']);

export const JS_CANDIDATE_METHODS = new Set([...Object.values(JS_SQL_METHODS).flat(), ...JS_RAW_METHODS, ...JS_GENERIC_METHODS]);

const jsImportsMemo = new WeakMap<object, boolean>();

/** Does the file import a database driver at all (else no receiver can be one we know)? */
export function jsImportsDriver(file: JsContext['file']): boolean {
  let v = jsImportsMemo.get(file);
  if (v === undefined) jsImportsMemo.set(file, v = [...file.imports.values()].some((q) => jsDriver(q) !== undefined));
  return v;
}

export function jsDriver(name: string | undefined): JsDriver | undefined {
  if (!name) return undefined;
  for (const [re, d] of JS_DRIVERS) if (re.test(name)) return d;
  return undefined;
}

/**
 * The driver a receiver's declared type names: a parameter (`pool: Pool`), a class property (`this.db` with
 * `private db: Database.Database`) or a variable with a type annotation, the type imported from a driver.
 */
export function jsDriverFromType(file: JsContext['file'], receiver: ts.Expression): JsDriver | undefined {
  let r = skipOuter(receiver);
  for (let i = 0; i < 6 && (ts.isCallExpression(r) || (ts.isPropertyAccessExpression(r) && r.expression.kind !== ts.SyntaxKind.ThisKeyword)); i++) {
    r = skipOuter(r.expression);
  }
  let type: ts.TypeNode | undefined;
  if (ts.isIdentifier(r)) {
    const decl = file.declarationOf(r)?.parent;
    if (decl && (ts.isParameter(decl) || ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl))) type = decl.type;
  } else if (ts.isPropertyAccessExpression(r) && r.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const cls = ts.findAncestor(r, ts.isClassLike);
    for (const m of cls?.members ?? []) {
      if ((ts.isPropertyDeclaration(m) && m.name.getText(file.sourceFile) === r.name.text) && m.type) type = m.type;
      if (ts.isConstructorDeclaration(m)) {
        for (const p of m.parameters) if (ts.isIdentifier(p.name) && p.name.text === r.name.text && p.type && p.modifiers?.length) type = p.type;
      }
    }
  }
  if (!type || !ts.isTypeReferenceNode(type)) return undefined;
  const name = type.typeName;
  const q = ts.isIdentifier(name) ? file.imports.get(name.text)
    : ts.isIdentifier(name.left) && file.imports.get(name.left.text) ? `${file.imports.get(name.left.text)}.${name.right.text}` : undefined;
  return jsDriver(q);
}
