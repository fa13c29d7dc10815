import type { SinkClass } from '../../engine/types';
import { ALL_SINKS } from './values';

/**
 * What the Python data flow knows about libraries: sources, sanitizers and calls that pass data
 * through. Names are qualified (`flask.request`, `shlex.quote`); builtins by their bare name.
 */

/** Request objects: the Flask/Quart/Bottle globals and what handler parameters are bound to. */
export const REQUEST_GLOBALS = new Set(['flask.request', 'quart.request', 'bottle.request', 'sanic.request', 'werkzeug.local.request',
  'tornado.httputil.HTTPServerRequest']);
export const DJANGO_REQUEST = 'django.http.HttpRequest';
export const STARLETTE_REQUEST = 'starlette.requests.Request';
export const AIOHTTP_REQUEST = 'aiohttp.web.Request';
export const TORNADO_REQUEST = 'tornado.httputil.HTTPServerRequest';

export function isRequestObject(origin: string | undefined): boolean {
  if (!origin) return false;
  if (REQUEST_GLOBALS.has(origin)) return true;
  if (origin === 'urllib.request.Request') return false;
  return origin.endsWith('.Request') || origin.endsWith('HttpRequest') || origin.endsWith('.WebSocket');
}

/** Attributes of a request object that hold attacker-controlled data. */
export const REQUEST_ATTRIBUTES = new Set([
  // Flask / Werkzeug / Quart / Bottle
  'args', 'form', 'values', 'json', 'data', 'cookies', 'headers', 'files', 'view_args', 'stream',
  'path', 'full_path', 'url', 'base_url', 'query_string', 'environ', 'authorization', 'referrer', 'user_agent',
  'query', 'params', 'forms', 'match_info', 'content', 'rel_url',
  // Django / DRF
  'GET', 'POST', 'COOKIES', 'META', 'body', 'FILES', 'REQUEST', 'query_params', 'path_info',
  // Starlette / FastAPI
  'path_params', 'query_params', 'url',
  // Tornado's HTTPServerRequest
  'arguments', 'query_arguments', 'body_arguments', 'uri',
]);

/** Methods of a request object whose result is attacker-controlled. */
export const REQUEST_METHODS = new Set([
  'get_json', 'get_data', 'json', 'body', 'form', 'get_full_path', 'build_absolute_uri', 'read', 'readline',
  'readlines', 'text', 'post', 'stream', 'receive_text', 'receive_json', 'receive_bytes', 'iter_text',
]);

/**
 * Framework base classes whose subclasses handle requests: Tornado's RequestHandler (its `get_argument`
 * family and `self.request`) and aiohttp's class-based `web.View` (`self.request`).
 */
export const HANDLER_BASES: Record<string, 'tornado' | 'aiohttp'> = Object.assign(Object.create(null), {
  'tornado.web.RequestHandler': 'tornado', 'tornado.websocket.WebSocketHandler': 'tornado', 'aiohttp.web.View': 'aiohttp',
  'aiohttp.web_urldispatcher.View': 'aiohttp',
});

/** Tornado RequestHandler methods whose result is request data (signed cookies are the server's own). */
export const TORNADO_METHODS = new Set([
  'get_argument', 'get_arguments', 'get_query_argument', 'get_query_arguments', 'get_body_argument', 'get_body_arguments',
  'get_cookie', 'decode_argument', 'get_json_body',
]);

/**
 * Calls that register request handlers, by method name: aiohttp's router (`add_get(path, handler)`), the
 * route helpers (`web.get(path, handler)`), Starlette's `Route(path, endpoint)` and `add_route`.
 */
export const ROUTE_REGISTRATIONS = new Set(['add_get', 'add_post', 'add_put', 'add_patch', 'add_delete', 'add_head',
  'add_route', 'add_view', 'add_api_route', 'add_websocket_route']);
export const ROUTE_FUNCTIONS = new Set(['aiohttp.web.get', 'aiohttp.web.post', 'aiohttp.web.put', 'aiohttp.web.patch',
  'aiohttp.web.delete', 'aiohttp.web.head', 'aiohttp.web.route', 'aiohttp.web.view', 'starlette.routing.Route',
  'starlette.routing.WebSocketRoute']);
/** XML-RPC servers: functions and instances whose methods the network calls. */
export const RPC_REGISTRATIONS = new Set(['register_function', 'register_instance']);

/** Calls whose result is attacker-controlled, by qualified name. */
export const SOURCE_CALLS: Record<string, string> = {
  input: 'input()',
  raw_input: 'raw_input()',
};

/**
 * Build and release tooling (setup.py, noxfile.py, fabfile.py, dodo.py, scripts in `scripts/`, `tools/`,
 * `build/`): it runs with the developer's own command line and environment, so `sys.argv` and `os.environ`
 * there are no source (and not of unknown origin either).
 */
export function isPyBuildTooling(path: string): boolean {
  const p = path.replace(/\\/g, '/');
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (/^(setup|noxfile|fabfile|dodo|pavement)\.py$/.test(base)) return true;
  return /\.py$/.test(base) && /(^|\/)(scripts|tools|build)\/([^/]+\/)?[^/]+$/i.test(p);
}

/** Environment reads that are the developer's own in build tooling. */
export const ENVIRONMENT_READS = new Set(['os.environ', 'os.getenv', 'os.environ.get', 'os.getenvb', 'os.environb']);

/** Attributes that are sources by themselves (`sys.argv`). */
export const SOURCE_NAMES: Record<string, string> = {
  'sys.argv': 'sys.argv',
  'sys.orig_argv': 'sys.orig_argv',
};

/** Sanitizers: the sink classes their result is safe for. */
export const SANITIZERS: Record<string, SinkClass[]> = {
  int: ALL_SINKS, float: ALL_SINKS, bool: ALL_SINKS, complex: ALL_SINKS, len: ALL_SINKS, ord: ALL_SINKS,
  hash: ALL_SINKS, abs: ALL_SINKS, round: ALL_SINKS, isinstance: ALL_SINKS, callable: ALL_SINKS,
  'uuid.UUID': ALL_SINKS, 'decimal.Decimal': ALL_SINKS, 'fractions.Fraction': ALL_SINKS,
  'math.floor': ALL_SINKS, 'math.ceil': ALL_SINKS, 'ipaddress.ip_address': ALL_SINKS,
  'datetime.date.fromisoformat': ALL_SINKS, 'datetime.datetime.fromisoformat': ALL_SINKS,
  'datetime.datetime.strptime': ALL_SINKS,
  'shlex.quote': ['command'], 'pipes.quote': ['command'], 'shlex.join': ['command'],
  're.escape': ['regex'], 'regex.escape': ['regex'],
  'html.escape': ['html'], 'cgi.escape': ['html'], 'markupsafe.escape': ['html'], 'flask.escape': ['html'],
  'jinja2.escape': ['html'], 'markupsafe.Markup.escape': ['html'], 'bleach.clean': ['html'],
  'django.utils.html.escape': ['html'], 'django.utils.html.conditional_escape': ['html'],
  'xml.sax.saxutils.escape': ['html', 'xml'], 'nh3.clean': ['html'],
  'os.path.basename': ['path'], 'posixpath.basename': ['path'], 'ntpath.basename': ['path'],
  'werkzeug.utils.secure_filename': ['path'], 'werkzeug.secure_filename': ['path'],
  'django.utils.text.get_valid_filename': ['path'],
  'urllib.parse.quote': ['url'], 'urllib.parse.quote_plus': ['url'], 'urllib.parse.urlencode': ['url'],
  'urllib.quote': ['url'], 'urllib.quote_plus': ['url'], 'urllib.urlencode': ['url'],
  'pymysql.converters.escape_string': ['sql'], 'pymysql.escape_string': ['sql'], 'MySQLdb.escape_string': ['sql'],
  'psycopg2.extensions.quote_ident': ['sql'], 'psycopg.sql.Identifier': ['sql'], 'psycopg2.sql.Identifier': ['sql'],
  'psycopg.sql.Literal': ['sql'], 'psycopg2.sql.Literal': ['sql'],
  'ldap3.utils.conv.escape_filter_chars': ['ldap'], 'ldap.filter.escape_filter_chars': ['ldap'],
  'ldap.dn.escape_dn_chars': ['ldap'],
};

/** Calls whose result carries their arguments' data (the join of the arguments). */
export const PASS_THROUGH = new Set([
  'str', 'repr', 'ascii', 'bytes', 'bytearray', 'list', 'tuple', 'set', 'frozenset', 'dict', 'sorted',
  'reversed', 'min', 'max', 'next', 'iter', 'format', 'filter', 'map', 'sum', 'memoryview',
  'os.path.join', 'os.path.normpath', 'os.path.abspath', 'os.path.realpath', 'os.path.expanduser',
  'os.path.dirname', 'os.path.splitext', 'os.path.split', 'os.fspath', 'os.fsencode', 'os.fsdecode',
  'posixpath.join', 'posixpath.normpath', 'pathlib.Path', 'pathlib.PurePath', 'pathlib.PosixPath',
  'urllib.parse.unquote', 'urllib.parse.unquote_plus', 'urllib.parse.urljoin', 'urllib.parse.urlparse',
  'urllib.parse.urlsplit', 'urllib.parse.parse_qs', 'urllib.parse.parse_qsl', 'urllib.unquote',
  'base64.b64decode', 'base64.b64encode', 'base64.urlsafe_b64decode', 'base64.urlsafe_b64encode',
  'base64.b32decode', 'base64.b16decode', 'base64.decodebytes', 'binascii.unhexlify', 'binascii.a2b_base64',
  'codecs.decode', 'codecs.encode', 'json.loads', 'json.dumps', 'json.load', 'textwrap.dedent', 'textwrap.indent',
  'copy.copy', 'copy.deepcopy', 'string.Template', 'typing.cast', 'html.unescape', 'unicodedata.normalize',
  'collections.OrderedDict', 'collections.defaultdict', 'collections.deque', 'itertools.chain', 'functools.reduce',
  'markupsafe.Markup', 'flask.Markup',
]);

/** `str` methods: the result carries the receiver and the arguments. Constant operands fold when listed in FOLDABLE. */
export const STRING_METHODS = new Set([
  'strip', 'lstrip', 'rstrip', 'lower', 'upper', 'title', 'capitalize', 'casefold', 'swapcase', 'replace',
  'format', 'format_map', 'join', 'encode', 'decode', 'split', 'rsplit', 'splitlines', 'partition', 'rpartition',
  'zfill', 'ljust', 'rjust', 'center', 'expandtabs', 'removeprefix', 'removesuffix', 'translate', 'copy',
  'keys', 'values', 'items', 'get', 'getlist', 'pop', 'popitem', 'setdefault', 'to_dict', 'dict', 'lists',
  'substitute', 'safe_substitute', 'read', 'readline', 'readlines', 'group', 'groups', 'groupdict', 'hex',
]);

/** Methods whose result is a number or a bool whatever the receiver holds. */
export const SAFE_RESULT_METHODS = new Set([
  'startswith', 'endswith', 'isdigit', 'isalnum', 'isalpha', 'isnumeric', 'isdecimal', 'isidentifier',
  'islower', 'isupper', 'isspace', 'istitle', 'isascii', 'isprintable', 'count', 'find', 'rfind', 'index',
  'rindex', '__len__', '__contains__', 'is_valid', 'exists', 'is_file', 'is_dir', 'has_key',
]);

/** Methods that store their arguments in the receiver (list/dict/set mutation). */
export const MUTATORS = new Set(['append', 'extend', 'insert', 'update', 'add', 'setdefault', 'appendleft', 'extendleft']);

/** Calls after which the rest of a block does not run. */
export const TERMINATORS = new Set(['sys.exit', 'exit', 'quit', 'os._exit', 'flask.abort', 'werkzeug.exceptions.abort', 'abort']);

/** Whole-value checks that make a name safe inside `if check(x):` (regex-free validation). */
export const VALIDATING_METHODS = new Set(['isdigit', 'isalnum', 'isalpha', 'isnumeric', 'isdecimal', 'isidentifier']);

/** Type annotations that the framework converts to a safe value before the handler runs. */
export const SAFE_ANNOTATIONS = new Set([
  'int', 'float', 'bool', 'complex', 'uuid.UUID', 'UUID', 'datetime.date', 'datetime.datetime', 'date',
  'datetime', 'decimal.Decimal', 'Decimal', 'pydantic.conint', 'conint', 'pydantic.PositiveInt', 'PositiveInt',
  'time', 'timedelta', 'datetime.time', 'datetime.timedelta',
]);

/** Handler parameters that the framework injects (not request data). */
export const INJECTED_ANNOTATIONS = /(^|\.)(Session|AsyncSession|BackgroundTasks|Response|HTTPConnection|SecurityScopes|Connection|Engine|Depends|Security)$/;

// bracket lookups by qualified name must not find `constructor` or `toString`
for (const table of [SOURCE_CALLS, SOURCE_NAMES, SANITIZERS]) Object.setPrototypeOf(table, null);

/** Module attributes that are constants. */
export const CONSTANT_NAMES: Record<string, string> = Object.assign(Object.create(null), {
  'os.sep': '/', 'os.path.sep': '/', 'os.pathsep': ':', 'os.linesep': '\n', 'os.curdir': '.', 'os.pardir': '..',
  'os.extsep': '.', 'os.altsep': '', 'os.devnull': '/dev/null', 'os.name': 'posix',
  'string.ascii_letters': 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  'string.ascii_lowercase': 'abcdefghijklmnopqrstuvwxyz', 'string.ascii_uppercase': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  'string.digits': '0123456789', 'string.hexdigits': '0123456789abcdefABCDEF', 'string.octdigits': '01234567',
  'string.punctuation': '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', 'string.whitespace': ' \t\n\r\x0b\x0c',
});
