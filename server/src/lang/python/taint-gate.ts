import type { PyFile } from './front';
import { ROUTE_METHODS } from './handlers';
import { parseParams } from './scopes';
import { HANDLER_BASES, isRequestObject, REQUEST_GLOBALS, ROUTE_FUNCTIONS, SOURCE_CALLS, SOURCE_NAMES } from './sources';

/** Frameworks whose handlers get request data by registration or base class, not by a source name (handlers.ts). */
const HANDLER_MODULES = ['aiohttp', 'starlette', 'tornado', 'xmlrpc', 'SimpleXMLRPCServer', 'graphene', 'strawberry', 'ariadne', 'spyne'];

/**
 * The names `SOURCE_CALLS[name]` or `SOURCE_NAMES[name]` answers for, as a set: a property read per identifier
 * with arbitrary names was the gate's main cost. The tables are plain objects, so the names of
 * `Object.prototype` (`constructor`, `toString`...) answer too; kept, so that the gate says what it said.
 */
let SOURCE_KEYS: Set<string> | undefined;

function sourceKeys(): Set<string> {
  const keys = new Set([...Object.keys(SOURCE_CALLS), ...Object.keys(SOURCE_NAMES)]);
  for (const table of [SOURCE_CALLS, SOURCE_NAMES]) {
    for (let proto = Object.getPrototypeOf(table); proto; proto = Object.getPrototypeOf(proto)) {
      for (const k of Object.getOwnPropertyNames(proto)) if ((table as Record<string, unknown>)[k] !== undefined) keys.add(k);
    }
  }
  return keys;
}

/**
 * False when nothing in the file can produce a tainted value, so rules that report only tainted data
 * can skip the data flow (as the JS front's `mayHaveTaint`). Conservative: every way the Python data
 * flow creates taint starts from one of the places below; keep this in step with `lookup`,
 * `evalAttribute`, `evalCall` and `methodCall` (expressions.ts) and `handlerParams` (handlers.ts).
 * - a source imported (`sys.argv`, `flask.request`, a module holding one) or a builtin source (`input`);
 * - a request object: a name ending in `Request`/`WebSocket` (a class, an annotation, an attribute);
 * - a handler's parameters: a route decorator, a Django view's `request`, an AWS Lambda handler;
 * - a framework that registers handlers by call or base class (aiohttp, Starlette, Tornado, XML-RPC, GraphQL).
 */
export function mayHaveTaint(file: PyFile): boolean {
  const identifiers = file.identifiers();
  const keys = SOURCE_KEYS ??= sourceKeys();
  for (const name of identifiers) {
    if (keys.has(name)) return true;
    if (name.endsWith('Request') || name.endsWith('WebSocket')) return true;
  }
  if (HANDLER_MODULES.some((m) => file.importsModule(m))) return true;
  const sources = [...Object.keys(HANDLER_BASES), ...ROUTE_FUNCTIONS, ...Object.keys(SOURCE_NAMES), ...Object.keys(SOURCE_CALLS), ...REQUEST_GLOBALS];
  for (const q of [...file.imports.values(), ...file.starImports]) {
    if (isRequestObject(q)) return true;
    for (const s of sources) {
      if (s === q || q.startsWith(s + '.')) return true;
      // `import sys` then `sys.argv`: the module of a source, and the source's last name in the file
      if (s.startsWith(q + '.') && identifiers.has(s.slice(s.lastIndexOf('.') + 1))) return true;
    }
  }
  // route decorators: `@app.route('/x')`, `@router.get('/x')` (handlerParams binds their parameters)
  for (const d of file.tree.ofType('decorator')) {
    const call = d.namedChildren.find((c) => c.type === 'call');
    const callee = call?.childForFieldName('function');
    if (callee?.type === 'attribute' && ROUTE_METHODS.test(callee.childForFieldName('attribute')?.text ?? '')) return true;
  }
  const django = file.importsModule('django') || file.importsModule('rest_framework');
  for (const fn of file.tree.ofType('function_definition')) {
    const name = fn.childForFieldName('name')?.text ?? '';
    if (name === 'lambda_handler' || name === 'handler') return true;
    if (django && identifiers.has('request')) {
      const params = parseParams(fn);
      if (params[0]?.name === 'request' || params[1]?.name === 'request') return true;
    }
  }
  return false;
}

