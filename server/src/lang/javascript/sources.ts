import ts from 'typescript';
import type { SinkClass } from '../../engine/types';
import { ALL_SINKS } from './values';

/** A lookup table without a prototype: `table['constructor']` is undefined, not Object. */
export function table<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/**
 * What the JS/TS front knows about the outside world: untrusted sources, sanitizers and
 * functions that pass data through. Tables only; the interpreter in dataflow.ts applies them.
 */

/** Marker origins of objects whose properties are untrusted (never shown as a constructor chain). */
export const REQUEST = '#request';
export const KOA_CTX = '#koa-context';
export const NEXT_CTX = '#next-context';
export const MESSAGE_EVENT = '#message-event';
export const LAMBDA_EVENT = '#lambda-event';
export const LOCATION = '#location';
export const DOCUMENT = '#document';
export const WINDOW = '#window';
export const PROCESS = '#process';
export const STORAGE = '#storage';
export const NEXT_ROUTER = '#next-router';
/** The argument of Remix/React Router `loader`/`action` and SvelteKit `load`: `{ request, params, url }`. */
export const ROUTE_ARGS = '#route-args';
/** multer's `req.file`: the client chose the name and the content; multer chose where it is stored. */
export const UPLOAD = '#upload';

/** Properties of a marker object that are untrusted; a string value is the marker of a nested object. */
export const UNTRUSTED_PROPS = table<Record<string, true | string>>({
  [REQUEST]: {
    params: true, query: true, body: true, headers: true, cookies: true, signedCookies: true, url: true,
    originalUrl: true, path: true, files: true, file: UPLOAD, rawBody: true, nextUrl: true, search: true,
    rawHeaders: true, hostname: true,
  },
  [KOA_CTX]: {
    request: REQUEST, req: REQUEST, query: true, params: true, querystring: true, headers: true, header: true,
    cookies: true, url: true, originalUrl: true, path: true, href: true, search: true, body: true,
  },
  [NEXT_CTX]: { params: true, searchParams: true, query: true, resolvedUrl: true, req: REQUEST },
  [MESSAGE_EVENT]: { data: true },
  [LAMBDA_EVENT]: {
    body: true, queryStringParameters: true, pathParameters: true, headers: true, multiValueQueryStringParameters: true,
    multiValueHeaders: true, rawQueryString: true, rawPath: true, cookies: true, path: true,
  },
  [LOCATION]: { href: true, hash: true, search: true, pathname: true },
  [DOCUMENT]: { URL: true, documentURI: true, baseURI: true, referrer: true, cookie: true, location: LOCATION },
  [WINDOW]: {
    name: true, location: LOCATION, document: DOCUMENT, localStorage: STORAGE, sessionStorage: STORAGE,
    process: PROCESS,
  },
  [PROCESS]: { argv: true },
  [STORAGE]: {},
  [NEXT_ROUTER]: { query: true, asPath: true },
  [ROUTE_ARGS]: { request: REQUEST, params: true, url: true },
  [UPLOAD]: { originalname: true, mimetype: true, fieldname: true, encoding: true, buffer: true, stream: true, name: true, data: true },
});

for (const k of Object.keys(UNTRUSTED_PROPS)) UNTRUSTED_PROPS[k] = table(UNTRUSTED_PROPS[k]);

/** Methods of a marker object whose result is untrusted. */
export const UNTRUSTED_METHODS: Record<string, Set<string>> = table({
  [REQUEST]: new Set(['get', 'header', 'param', 'json', 'text', 'formData', 'arrayBuffer', 'blob']),
  [KOA_CTX]: new Set(['get']),
  [STORAGE]: new Set(['getItem', 'key']),
  // next/headers: what `cookies()` and `headers()` give (their plain origins: rules match on them)
  'next/headers.headers()': new Set(['get']), 'next/headers.cookies()': new Set(['get', 'getAll']),
});

/**
 * Calls (qualified names after import resolution) whose result is untrusted: `true` for the value
 * itself, a marker for an object whose properties or methods are. React/Next.js hooks and helpers.
 */
export const SOURCE_CALLS: Record<string, true | string> = table({
  'next/navigation.useSearchParams': true, 'next/navigation.useParams': true, 'next/navigation.usePathname': true,
  'next/router.useRouter': NEXT_ROUTER, 'next/compat/router.useRouter': NEXT_ROUTER,
  'next/headers.headers': 'next/headers.headers()', 'next/headers.cookies': 'next/headers.cookies()',
  'react-router.useParams': true, 'react-router.useSearchParams': true, 'react-router.useLocation': LOCATION,
  'react-router-dom.useParams': true, 'react-router-dom.useSearchParams': true, 'react-router-dom.useLocation': LOCATION,
  '@remix-run/react.useParams': true, '@remix-run/react.useSearchParams': true, '@remix-run/react.useLocation': LOCATION,
});

/** Modules of `SOURCE_CALLS`: a file importing none of them gets no taint from a call. */
export const SOURCE_MODULES = [...new Set(Object.keys(SOURCE_CALLS).map((k) => k.slice(0, k.lastIndexOf('.'))))];

/**
 * Build tooling: task runners (Gruntfile, gulpfile), bundler and tool configs (webpack, vite, rollup, esbuild...)
 * and scripts kept in `scripts/`, `tools/`, `build/` or `tasks/` for npm scripts. They run on the developer's
 * machine or CI with the developer's own environment and command line: `process` there is not an attacker.
 */
export function isBuildTooling(path: string): boolean {
  const p = path.replace(/\\/g, '/');
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (!/\.[cm]?[jt]s$/i.test(base)) return false;
  if (/^(gruntfile|gulpfile)(\.babel)?\.[cm]?[jt]s$/i.test(base)) return true;
  if (/^(webpack|vite|vitest|rollup|esbuild|tsup|rspack|rsbuild|parcel|snowpack|postcss|babel|tailwind|karma|craco|metro|svelte|astro)\.[\w.-]*\.?[cm]?[jt]s$/i.test(base)
    && (/\.config\.[cm]?[jt]s$/i.test(base) || /^(webpack|rollup|esbuild|vite)\./i.test(base))) return true;
  // a script folder: the file sits in it or one folder below
  return /(^|\/)(scripts|tools|build|tasks)\/([^/]+\/)?[^/]+$/i.test(p);
}

/** Browser and Node globals that are (or hold) untrusted data. */
export const GLOBALS: Record<string, string> = table({
  location: LOCATION, document: DOCUMENT, window: WINDOW, self: WINDOW, globalThis: WINDOW, top: WINDOW,
  parent: WINDOW, process: PROCESS, localStorage: STORAGE, sessionStorage: STORAGE,
});

const URLISH: SinkClass[] = ['url', 'redirect', 'ssrf', 'header', 'log'];
const HTML: SinkClass[] = ['html'];

/** Global functions and qualified names (after import resolution) that sanitize: what they clear. */
export const SANITIZERS: Record<string, SinkClass[]> = table({
  // a string cannot be an object that smuggles query operators
  String: ['nosql'], parseInt: ALL_SINKS, parseFloat: ALL_SINKS, Number: ALL_SINKS, Boolean: ALL_SINKS, BigInt: ALL_SINKS,
  isNaN: ALL_SINKS, isFinite: ALL_SINKS, 'Number.parseInt': ALL_SINKS, 'Number.parseFloat': ALL_SINKS,
  'Number.isInteger': ALL_SINKS, 'Number.isFinite': ALL_SINKS, 'Number.isNaN': ALL_SINKS, 'Number.isSafeInteger': ALL_SINKS,
  'Date.parse': ALL_SINKS, 'Date.UTC': ALL_SINKS, 'Array.isArray': ALL_SINKS, 'Math.max': ALL_SINKS, 'Math.min': ALL_SINKS,
  'Math.floor': ALL_SINKS, 'Math.ceil': ALL_SINKS, 'Math.round': ALL_SINKS, 'Math.trunc': ALL_SINKS, 'Math.abs': ALL_SINKS,
  'Math.sign': ALL_SINKS, 'Math.pow': ALL_SINKS, 'Math.sqrt': ALL_SINKS, 'Math.log': ALL_SINKS, 'Math.clz32': ALL_SINKS,
  // the legacy global escape() also encodes quotes and < > & (to %XX): no markup survives it
  encodeURIComponent: URLISH, encodeURI: ['log', 'header'], escape: [...URLISH, 'html'],
  'html-entities.encode': HTML, 'html-entities.escape': HTML, striptags: HTML, 'lodash-es.escape': HTML,
  'xml-escape': ['html', 'xml'], xmlescape: ['html', 'xml'],
  'DOMPurify.sanitize': HTML, 'dompurify.sanitize': HTML, 'isomorphic-dompurify.sanitize': HTML, 'sanitize-html': HTML,
  'escape-html': HTML, 'he.encode': HTML, 'he.escape': HTML, xss: HTML, 'xss.filterXSS': HTML, filterXSS: HTML,
  'lodash.escape': HTML, 'lodash/escape': HTML, 'lodash.escape.default': HTML, 'underscore.escape': HTML, '_.escape': HTML,
  'validator.escape': HTML, 'html-escaper.escape': HTML, 'entities.encode': HTML, 'entities.encodeHTML': HTML,
  'entities.escape': HTML, 'entities.escapeUTF8': HTML, 'escape-goat.htmlEscape': HTML, 'xss-filters.inHTMLData': HTML,
  'path.basename': ['path'], 'path.posix.basename': ['path'], 'path.win32.basename': ['path'], 'sanitize-filename': ['path'],
  'mysql.escape': ['sql'], 'mysql.escapeId': ['sql'], 'mysql2.escape': ['sql'], 'mysql2.escapeId': ['sql'],
  'sqlstring.escape': ['sql'], 'sqlstring.escapeId': ['sql'], 'pg-format': ['sql'], 'pg-format.literal': ['sql'],
  'pg-format.ident': ['sql'], 'pg-escape': ['sql'], 'pg-escape.literal': ['sql'], 'pg-escape.ident': ['sql'],
  'shell-quote.quote': ['command'], 'shell-escape': ['command'], 'shescape.quote': ['command'], 'shescape.escape': ['command'],
  'shescape.quoteAll': ['command'], 'mongo-sanitize': ['nosql'], 'express-mongo-sanitize.sanitize': ['nosql'],
  'escape-string-regexp': ['regex'], 'lodash.escapeRegExp': ['regex'], 'lodash/escapeRegExp': ['regex'], '_.escapeRegExp': ['regex'],
  'lodash.escaperegexp': ['regex'], 'underscore.escapeRegExp': ['regex'], 'escape-regexp': ['regex'], 'regexp.escape': ['regex'],
  'RegExp.escape': ['regex'], 'validator.toInt': ALL_SINKS, 'validator.toFloat': ALL_SINKS, 'validator.toBoolean': ALL_SINKS, 'validator.toDate': ALL_SINKS,
});

/** Methods that sanitize whatever object they are called on (`connection.escape(x)`). */
export const SANITIZING_METHODS: Record<string, SinkClass[]> = table({
  escape: ['sql'], escapeId: ['sql'], escapeLiteral: ['sql'], escapeIdentifier: ['sql'],
});

/** Functions whose result carries their arguments (taint passes through). Value: argument index, or -1 for all. */
export const PASS_THROUGH: Record<string, number> = table({
  decodeURIComponent: 0, decodeURI: 0, unescape: 0, atob: 0, btoa: 0, structuredClone: 0,
  'JSON.parse': 0, 'JSON.stringify': 0, 'Object.assign': -1, 'Object.keys': 0, 'Object.values': 0, 'Object.entries': 0,
  'Object.fromEntries': 0, 'Object.freeze': 0, 'Array.from': 0, 'Array.of': -1, 'Buffer.from': 0, 'Promise.resolve': 0,
  'String.raw': -1, 'path.join': -1, 'path.resolve': -1, 'path.normalize': 0, 'path.relative': -1, 'path.posix.join': -1,
  'path.posix.resolve': -1, 'path.posix.normalize': 0, 'url.parse': 0, 'url.format': 0, 'querystring.parse': 0,
  'querystring.unescape': 0, 'qs.parse': 0, 'util.format': -1, 'util.inspect': 0, 'buffer.Buffer.from': 0,
  'lodash.trim': 0, 'lodash.toLower': 0, 'lodash.toUpper': 0, 'lodash.get': 0, 'lodash.pick': 0, 'lodash.merge': -1,
});

/** Methods that return a number or a boolean whatever the receiver holds. */
export const SAFE_METHODS = new Set([
  'indexOf', 'lastIndexOf', 'includes', 'startsWith', 'endsWith', 'test', 'has', 'charCodeAt', 'codePointAt',
  'localeCompare', 'search', 'every', 'some', 'findIndex', 'findLastIndex', 'getTime', 'toFixed', 'isArray',
  'hasOwnProperty', 'isInteger', 'isSafeInteger',
]);

/** Methods that give a string whatever the receiver held: the result cannot carry NoSQL operators. */
export const STRING_RESULT_METHODS = new Set([
  'toString', 'toLowerCase', 'toUpperCase', 'toLocaleLowerCase', 'toLocaleUpperCase', 'trim', 'trimStart', 'trimEnd',
  'trimLeft', 'trimRight', 'substring', 'substr', 'padStart', 'padEnd', 'replace', 'replaceAll', 'normalize', 'charAt',
  'repeat', 'join',
]);

/** Pure string/array methods: over constants they give constants. */
export const PURE_METHODS = new Set([
  'toUpperCase', 'toLowerCase', 'toLocaleUpperCase', 'toLocaleLowerCase', 'trim', 'trimStart', 'trimEnd', 'concat',
  'slice', 'substring', 'substr', 'repeat', 'padStart', 'padEnd', 'join', 'split', 'replace', 'replaceAll', 'at',
  'charAt', 'normalize', 'toString', 'valueOf', 'filter', 'sort', 'reverse', 'flat', 'fill', 'keys', 'values',
  'entries', 'find', 'findLast', 'pop', 'shift', 'toSorted', 'toReversed', 'with', 'get', 'getAll', 'trimLeft', 'trimRight',
]);

/** validator.js checks and what a passing check proves. */
export const VALIDATOR_CHECKS: Record<string, SinkClass[]> = table({});
for (const name of ['isInt', 'isFloat', 'isNumeric', 'isDecimal', 'isUUID', 'isMongoId', 'isAlphanumeric', 'isAlpha',
  'isHexadecimal', 'isBoolean', 'isIn', 'isPort', 'isHash', 'isISO8601', 'isDate', 'isIP', 'isFQDN', 'isMD5',
  'isHexColor', 'isOctal', 'isBase32', 'isSlug', 'isLength', 'isMACAddress', 'isCurrency', 'isPostalCode']) {
  VALIDATOR_CHECKS[name] = name === 'isLength' ? [] : ALL_SINKS;
}
VALIDATOR_CHECKS.isEmail = ['command', 'path', 'html', 'code'];
VALIDATOR_CHECKS.isURL = ['command', 'code', 'sql'];
VALIDATOR_CHECKS.isJSON = [];

const NUMERIC_TYPES = new Set([ts.SyntaxKind.NumberKeyword, ts.SyntaxKind.BooleanKeyword, ts.SyntaxKind.BigIntKeyword]);

/** A type annotation that cannot hold an injection: number, boolean, bigint, literal unions, arrays of those. */
export function isInertType(type: ts.TypeNode | undefined, depth = 0): boolean {
  if (!type) return false;
  if (NUMERIC_TYPES.has(type.kind)) return true;
  if (ts.isTypeReferenceNode(type)) {
    const ref = ts.isIdentifier(type.typeName) ? type.typeName.text : '';
    // Array<number>, ReadonlyArray<boolean>, Set<number>; a Date prints as a date
    if (ref === 'Date' && !type.typeArguments) return true;
    if (['Array', 'ReadonlyArray', 'Set', 'ReadonlySet'].includes(ref)) return type.typeArguments?.length === 1 && isInertType(type.typeArguments[0], depth + 1);
    // type Id = number; enum Sort { Asc = 'asc' } (declared in the same file)
    const name = ts.isIdentifier(type.typeName) ? type.typeName.text
      : ts.isIdentifier(type.typeName.left) ? type.typeName.left.text : undefined; // Sort.Asc
    const decl = depth < 3 && name ? localType(type, name) : undefined;
    if (decl && ts.isEnumDeclaration(decl)) return true;
    return !!decl && ts.isTypeAliasDeclaration(decl) && ts.isIdentifier(type.typeName) && isInertType(decl.type, depth + 1);
  }
  if (ts.isLiteralTypeNode(type)) return true;
  if (ts.isUnionTypeNode(type)) return type.types.every((t) => isInertType(t) || t.kind === ts.SyntaxKind.UndefinedKeyword
    || (ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
  if (ts.isArrayTypeNode(type)) return isInertType(type.elementType);
  if (ts.isParenthesizedTypeNode(type)) return isInertType(type.type);
  return false;
}

/**
 * Properties a type declares as number/boolean: `{ id: number }`, or a local `interface Q { id: number }` /
 * `type Q = { id: number }`. Reads of these properties cannot carry an injection.
 */
export function inertFields(type: ts.TypeNode | undefined): string[] {
  if (!type) return [];
  let members: ts.NodeArray<ts.TypeElement> | undefined;
  if (ts.isTypeLiteralNode(type)) members = type.members;
  else if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && !type.typeArguments) {
    const decl = localType(type, type.typeName.text);
    if (decl && ts.isInterfaceDeclaration(decl)) members = decl.members;
    else if (decl && ts.isTypeAliasDeclaration(decl) && ts.isTypeLiteralNode(decl.type)) members = decl.type.members;
  }
  const out: string[] = [];
  for (const m of members ?? []) {
    if (ts.isPropertySignature(m) && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) && isInertType(m.type)) out.push(m.name.text);
  }
  return out;
}

type TypeDecl = ts.InterfaceDeclaration | ts.TypeAliasDeclaration | ts.EnumDeclaration;
const typeDecls = new WeakMap<ts.SourceFile, Map<string, TypeDecl>>();

/** A top-level interface, type alias or enum of the file by name. */
function localType(at: ts.Node, name: string): TypeDecl | undefined {
  const sf = at.getSourceFile();
  if (!sf) return undefined;
  let m = typeDecls.get(sf);
  if (!m) {
    m = new Map();
    for (const s of sf.statements) {
      if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s)) m.set(s.name.text, s);
    }
    typeDecls.set(sf, m);
  }
  return m.get(name);
}

const REQUEST_TYPE = /^(?:[\w$]+\.)?(?:Request|NextRequest|NextApiRequest|FastifyRequest|IncomingMessage|ExpressRequest|HttpRequest)$/;

/** `Request`, `express.Request`, `NextApiRequest`... (type arguments ignored). */
export function isRequestType(type: ts.TypeNode | undefined): boolean {
  if (!type || !ts.isTypeReferenceNode(type)) return false;
  const name = ts.isIdentifier(type.typeName) ? type.typeName.text
    : `${entityText(type.typeName.left)}.${type.typeName.right.text}`;
  return REQUEST_TYPE.test(name);
}

function entityText(e: ts.EntityName): string {
  return ts.isIdentifier(e) ? e.text : `${entityText(e.left)}.${e.right.text}`;
}

/** HTTP verbs and routing methods whose function arguments are request handlers. */
export const ROUTE_METHODS = new Set([
  'get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'use', 'head', 'options', 'route', 'any',
]);

/** Next.js App Router route handler names. */
export const NEXT_HANDLERS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** NestJS parameter decorators: the parameter is request data. */
export const NEST_DECORATORS: Record<string, 'tainted' | 'request'> = table({
  Query: 'tainted', Param: 'tainted', Body: 'tainted', Headers: 'tainted', Cookies: 'tainted', Req: 'request',
  Request: 'request', RawBody: 'tainted', UploadedFile: 'tainted', UploadedFiles: 'tainted', Ip: 'tainted',
  HostParam: 'tainted',
  // GraphQL resolver arguments: type-graphql `@Arg('x')` / `@Args()`, @nestjs/graphql `@Args()`
  Arg: 'tainted', Args: 'tainted',
});

/** Root operation types of a GraphQL resolver map: `{ Query: { user: (parent, args) => ... } }`. */
export const GRAPHQL_ROOTS = new Set(['Query', 'Mutation', 'Subscription']);

/** Event names of sockets that carry peer data. */
export const LIFECYCLE_EVENTS = new Set(['connection', 'connect', 'disconnect', 'close', 'open', 'error', 'end',
  'listening', 'upgrade', 'headers', 'ping', 'pong', 'drain', 'finish', 'exit', 'timeout', 'ready']);
