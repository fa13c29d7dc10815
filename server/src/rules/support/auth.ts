/**
 * Name readers shared by the authentication, session and logging rules (issue 6): is a name about a
 * secret or a password, which name receives a value, which function a node is in, is a call a log call.
 * They read the syntax around the node a rule points at (its parents); they never search source text.
 */
import ts from 'typescript';
import type { PNode as Node } from '../../lang/python/tree';
import type { PyFile } from '../../lang/python/front';
import type { JsFile } from '../../lang/javascript/front';
import { isTestFile, jsPropName, nameWords, pyLiteral } from './constants';
import { isBuildTooling } from '../../lang/javascript/sources';
import { isPyBuildTooling } from '../../lang/python/sources';

// ---- name classes ----

const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'passcode', 'pw', 'pass', 'pword']);

/** `password`, `new_pwd`, `userPassword`, `passphrase`. */
export function isPasswordName(name: string | undefined): boolean {
  if (!name) return false;
  const words = nameWords(name);
  if (words.some((w) => NOT_PASSWORD_WORDS.has(w))) return false;
  // not `secret`: hashing a high-entropy secret (a key, a CSRF token with a server secret) is fine
  return words.some((w) => PASSWORD_WORDS.has(w) || /^(new|old|user|raw|plain)?(password|passwd|passphrase)s?$/.test(w));
}

/** `password_reset_token`, `password_hash`, `min_password_length`: about a password, but not one. */
const NOT_PASSWORD_WORDS = new Set(['token', 'tokens', 'reset', 'hash', 'hashed', 'hasher', 'hashers', 'digest', 'salt',
  'key', 'keys', 'url', 'link', 'field', 'fields', 'policy', 'length', 'len', 'min', 'max', 'validator', 'validators',
  'template', 'view', 'form', 'label', 'help', 'changed', 'expiry', 'expires', 'date', 'time', 'required', 'mode',
  'strength', 'prompt', 'file', 'path', 'manager', 'context', 'enabled', 'auth', 'protected', 'type', 'name', 'id']);

/** `hash_password`, `password_hash`, `hashed_pw`, `check_password`: a function or variable about password hashing. */
export function isPasswordContextName(name: string | undefined): boolean {
  if (!name) return false;
  const words = nameWords(name);
  if (!words.some((w) => PASSWORD_WORDS.has(w) || /password|passwd|passphrase/.test(w))) return false;
  return !words.some((w) => /^(token|tokens|reset|key|keys|url|link|field|fields|policy|length|len|min|max|validators?|template|view|form|label|help|expiry|expires|strength|prompt|file|path|mode|salt)$/.test(w));
}

/** Words that make a random or hashed value a secret. */
const SECRET_WORDS = new Set([
  'token', 'tokens', 'secret', 'secrets', 'salt', 'nonce', 'otp', 'totp', 'hotp', 'csrf', 'xsrf', 'credential',
  'credentials', 'apikey', 'passcode', 'sessionid', 'sid', 'sessid', 'pin', 'captcha', 'jwt', 'hmac', 'iv', 'cnonce',
]);
const KEY_QUALIFIERS = new Set(['api', 'secret', 'private', 'signing', 'sign', 'encryption', 'encrypt', 'crypto',
  'session', 'access', 'auth', 'hmac', 'aes', 'master', 'license', 'activation', 'recovery', 'reset', 'cipher']);
const CODE_QUALIFIERS = new Set(['verification', 'verify', 'reset', 'confirm', 'confirmation', 'activation', 'activate',
  'auth', 'otp', 'invite', 'invitation', 'sms', 'mfa', '2fa', 'twofa', 'login', 'security', 'access', 'recovery', 'magic', 'one', 'backup']);
/** Words that make a value about a secret something else: its length, a delay, a count. */
const NOT_SECRET_WORDS = new Set(['length', 'len', 'size', 'count', 'num', 'index', 'idx', 'delay', 'timeout', 'interval',
  'jitter', 'retry', 'retries', 'backoff', 'ttl', 'expiry', 'expires', 'color', 'colour', 'width', 'height', 'offset',
  'position', 'duration', 'sleep', 'wait', 'limit', 'max', 'min', 'probability', 'chance', 'weight', 'weights', 'sample',
  'type', 'types', 'name', 'names', 'field', 'fields', 'label', 'placeholder', 'usage', 'budget', 'total', 'cost', 'price']);

/** Is this name about a secret value: a token, password, key, session id, OTP, nonce or salt? */
export function isSecretName(name: string | undefined): boolean {
  if (!name) return false;
  const words = nameWords(name);
  if (words.some((w) => NOT_SECRET_WORDS.has(w))) return false;
  if (isPasswordName(name)) return true;
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  const has = (set: Set<string>) => words.some((w) => set.has(w));
  if ((words.includes('key') || words.includes('keys')) && has(KEY_QUALIFIERS)) return true;
  if ((words.includes('code') || words.includes('codes')) && has(CODE_QUALIFIERS)) return true;
  if (words.includes('session') && words.some((w) => w === 'id' || w === 'key' || w === 'token')) return true;
  return false;
}

/** Names a builder gives its result before returning it: they say nothing, the function's name does. */
const GENERIC_NAMES = new Set(['result', 'res', 'ret', 'retval', 'rv', 'out', 'output', 'value', 'val', 'v', 's', 'str',
  'string', 'text', 'chars', 'r', 'x', 'buf', 'data', 'random', 'rand', 'rnd', 'random_string', 'randomstring',
  'random_str', 'generated', 'parts', 'tmp', 'temp', 'code', 'b', 'bits']);

export function isGenericName(name: string): boolean {
  return GENERIC_NAMES.has(name.toLowerCase());
}

/** How the surroundings name a value: the variable or property receiving it, or the function returning it. */
export interface NameContext {
  /** The name receiving the value, when there is one. */
  receiver?: string;
  /** The function the value is returned from or computed in. */
  functionName?: string;
  /** Names of calls the value passed through as an argument (`set_password(v)`). */
  calls: string[];
}

/** Is the value named as a secret by what receives it, or (receiver generic or absent) by its function? */
export function namedAsSecret(c: NameContext): boolean {
  if (c.receiver !== undefined && !isGenericName(c.receiver)) return isSecretName(c.receiver);
  if (c.calls.some((n) => isSecretName(n))) return true;
  return isSecretName(c.functionName);
}

/** The name that names the context: receiver, else the first call, else the function. */
export function contextName(c: NameContext): string | undefined {
  if (c.receiver !== undefined && !isGenericName(c.receiver)) return c.receiver;
  return c.calls.find((n) => isSecretName(n)) ?? c.functionName;
}

// ---- password checks ----

/** Functions that check credentials, by qualified name (Python) or method name (both). */
export const PY_AUTH_CALLS = /^(django\.contrib\.auth\.authenticate|django\.contrib\.auth\.hashers\.check_password|werkzeug\.security\.check_password_hash|werkzeug\.check_password_hash|bcrypt\.checkpw|flask_bcrypt\.check_password_hash)$/;
export const AUTH_METHODS = /^(check_password|verify_password|check_password_hash|checkpw|authenticate|comparePassword|validPassword|verifyPassword|checkPassword|isValidPassword|isPasswordValid|matchPassword|validatePassword)$/;
export const JS_AUTH_CALLS = /^(bcrypt|bcryptjs)\.(compare|compareSync)$|^argon2\.verify$/;

// ---- Python ----

const PY_STOP = /(_statement|_definition|^block$|^module$|^decorator$|^lambda$|^if_clause$)/;
const PY_GENERIC_CALLS = new Set(['join', 'str', 'format', 'hex', 'encode', 'decode', 'int', 'float', 'bytes', 'list',
  'tuple', 'sorted', 'hexdigest', 'digest', 'upper', 'lower', 'strip', 'replace', 'append', 'extend', 'add', 'zfill']);

/** The name context of a Python expression: walks up through enclosing expressions to the binding. */
export function pyNameContext(file: PyFile, node: Node): NameContext {
  const calls: string[] = [];
  let n = node;
  for (let p = n.parent; p; n = p, p = p.parent) {
    switch (p.type) {
      case 'assignment': case 'augmented_assignment': {
        if (!p.childForFieldName('right')?.equals(n)) return { calls, functionName: pyFunctionName(p) };
        return { receiver: pyTargetName(p.childForFieldName('left')), calls, functionName: pyFunctionName(p) };
      }
      case 'keyword_argument':
        return { receiver: p.childForFieldName('name')?.text, calls, functionName: pyFunctionName(p) };
      case 'pair':
        return { receiver: pyLiteral(p.childForFieldName('key')), calls, functionName: pyFunctionName(p) };
      case 'return_statement':
        return { calls, functionName: pyFunctionName(p) };
      case 'call': {
        if (p.childForFieldName('arguments')?.equals(n) || n.parent?.type === 'argument_list') {
          const f = p.childForFieldName('function');
          const name = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : f?.text;
          if (name && !PY_GENERIC_CALLS.has(name)) calls.push(name);
        }
        break;
      }
      default:
        if (PY_STOP.test(p.type)) return { calls, functionName: pyFunctionName(p) };
    }
  }
  return { calls };
}

function pyTargetName(target: Node | null): string | undefined {
  if (!target) return undefined;
  if (target.type === 'identifier') return target.text;
  if (target.type === 'attribute') return target.childForFieldName('attribute')?.text;
  if (target.type === 'subscript') return pyLiteral(target.childForFieldName('subscript'));
  return undefined;
}

/** The name of the innermost function around a node (`name` of its `def`). */
export function pyFunctionName(node: Node): string | undefined {
  for (let n: Node | null = node; n; n = n.parent) {
    if (n.type === 'function_definition') return n.childForFieldName('name')?.text;
  }
  return undefined;
}

/** The name of the innermost class around a node. */
export function pyClassName(node: Node): string | undefined {
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (n.type === 'class_definition') return n.childForFieldName('name')?.text;
  }
  return undefined;
}

const LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'fatal', 'log']);

/** `logging.info(...)`, `logger.warning(...)`, `app.logger.error(...)`, `self.log.info(...)`. */
export function pyIsLogCall(file: PyFile, call: Node): boolean {
  const name = file.callName(call);
  if (name?.startsWith('logging.') && LOG_METHODS.has(name.slice(8))) return true;
  const f = call.childForFieldName('function');
  if (f?.type !== 'attribute') return false;
  const method = f.childForFieldName('attribute')?.text ?? '';
  if (!LOG_METHODS.has(method)) return false;
  const receiver = f.childForFieldName('object');
  if (!receiver) return false;
  const origin = file.valueOf(receiver).origin;
  if (origin?.startsWith('logging.getLogger') || origin?.startsWith('structlog.')) return true;
  const last = receiver.type === 'attribute' ? receiver.childForFieldName('attribute')?.text : receiver.text;
  return !!last && /^_*(log|logger|LOG|LOGGER|logging|log_?\w*|\w*_?logger|\w*_log)$/i.test(last);
}

// ---- JavaScript / TypeScript ----

/** The name context of a JS/TS expression: walks up through enclosing expressions to the binding. */
export function jsNameContext(node: ts.Node): NameContext {
  const calls: string[] = [];
  let n: ts.Node = node;
  for (let p = n.parent; p; n = p, p = p.parent) {
    if (ts.isVariableDeclaration(p)) {
      return p.initializer === n ? { receiver: ts.isIdentifier(p.name) ? p.name.text : undefined, calls, functionName: jsFunctionName(p) } : { calls };
    }
    if (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) {
      return { receiver: jsPropName(p.name), calls, functionName: jsFunctionName(p) };
    }
    if (ts.isBinaryExpression(p) && p.right === n && isAssignmentOperator(p.operatorToken.kind)) {
      return { receiver: jsTargetName(p.left), calls, functionName: jsFunctionName(p) };
    }
    if (ts.isJsxAttribute(p)) return { receiver: p.name.getText(), calls, functionName: jsFunctionName(p) };
    if (ts.isParameter(p)) return { receiver: ts.isIdentifier(p.name) ? p.name.text : undefined, calls };
    if (ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === n)) {
      return { calls, functionName: jsFunctionName(ts.isArrowFunction(p) ? n : p) };
    }
    if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.expression !== n) {
      const callee = p.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
      if (name && !JS_GENERIC_CALLS.has(name)) calls.push(name);
      continue;
    }
    if (ts.isStatement(p) || ts.isFunctionLike(p) || ts.isSourceFile(p) || ts.isBlock(p)) {
      return { calls, functionName: jsFunctionName(p) };
    }
  }
  return { calls };
}

const JS_GENERIC_CALLS = new Set(['String', 'Number', 'parseInt', 'parseFloat', 'toString', 'floor', 'round', 'ceil',
  'abs', 'join', 'push', 'concat', 'slice', 'substring', 'substr', 'padStart', 'padEnd', 'toUpperCase', 'toLowerCase',
  'replace', 'charAt', 'from', 'map', 'toFixed', 'trunc']);

function isAssignmentOperator(k: ts.SyntaxKind): boolean {
  return k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment;
}

function jsTargetName(left: ts.Expression): string | undefined {
  if (ts.isIdentifier(left)) return left.text;
  if (ts.isPropertyAccessExpression(left)) return left.name.text;
  if (ts.isElementAccessExpression(left)) return jsPropName(left.argumentExpression);
  return undefined;
}

/** The name of the innermost function around a node: its declared name, or the variable/property holding it. */
export function jsFunctionName(node: ts.Node): string | undefined {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if (!ts.isFunctionLike(n)) continue;
    if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) && n.name) {
      return jsPropName(n.name);
    }
    const p = n.parent;
    if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
    if (p && (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))) return jsPropName(p.name);
    return undefined;
  }
  return undefined;
}

const JS_LOG_METHODS = new Set(['log', 'info', 'warn', 'warning', 'error', 'debug', 'trace', 'fatal', 'critical', 'notice', 'audit']);

/** `console.warn(...)`, `logger.info(...)`, `req.log.error(...)`, `this.logger.warn(...)`. */
export function jsIsLogCall(file: JsFile, call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !JS_LOG_METHODS.has(callee.name.text)) return false;
  const recv = callee.expression;
  const last = ts.isIdentifier(recv) ? recv.text : ts.isPropertyAccessExpression(recv) ? recv.name.text : undefined;
  if (!last) return false;
  void file;
  return /^(console|_*log|_*logger|logging|audit|\w*Logger|\w*_logger|\w*Log)$/i.test(last);
}

// ---- password-like data ----

/** Does a Python expression read a password: a password-named variable, attribute, key or `.get("password")`? */
export function pyMentionsPassword(node: Node): boolean {
  switch (node.type) {
    case 'identifier': return isPasswordName(node.text);
    case 'attribute': {
      const attr = node.childForFieldName('attribute')?.text;
      if (isPasswordName(attr)) return true;
      return pyMentionsPassword(node.childForFieldName('object')!);
    }
    case 'subscript': {
      const key = node.childForFieldName('subscript');
      if (key && isPasswordName(pyLiteral(key))) return true;
      return pyMentionsPassword(node.childForFieldName('value')!);
    }
    case 'call': {
      const f = node.childForFieldName('function');
      const method = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : undefined;
      const args = node.childForFieldName('arguments');
      if (method === 'get' || method === 'getlist') {
        const first = args?.namedChildren[0];
        if (first && isPasswordName(pyLiteral(first))) return true;
      }
      if (f?.type === 'attribute' && pyMentionsPassword(f.childForFieldName('object')!)) return true;
      // str(password), password.encode(), bytes(password, "utf-8")
      if (f?.type === 'identifier' && /^(str|bytes|bytearray)$/.test(f.text)) {
        return (args?.namedChildren ?? []).some((a) => !!a && a.type !== 'keyword_argument' && pyMentionsPassword(a));
      }
      return false;
    }
    case 'binary_operator': case 'parenthesized_expression': case 'concatenated_string':
      return node.namedChildren.some((c) => !!c && pyMentionsPassword(c));
    case 'string':
      return node.namedChildren.some((c) => c?.type === 'interpolation' && pyMentionsPassword(c.namedChildren[0]!));
    default: return false;
  }
}

/** Only a password, nothing else mixed in (no salt, no pepper): `password.encode()`, `request.form["pwd"]`. */
export function pyIsBarePassword(node: Node): boolean {
  if (node.type === 'binary_operator' || node.type === 'string' || node.type === 'concatenated_string') return false;
  if (node.type === 'parenthesized_expression') return pyIsBarePassword(node.namedChildren[0]!);
  return pyMentionsPassword(node);
}

/** Does a JS expression read a password: `password`, `req.body.password`, `body['pwd']`, `user.password + salt`? */
export function jsMentionsPassword(node: ts.Node): boolean {
  if (ts.isIdentifier(node)) return isPasswordName(node.text);
  if (ts.isPropertyAccessExpression(node)) return isPasswordName(node.name.text) || jsMentionsPassword(node.expression);
  if (ts.isElementAccessExpression(node)) return isPasswordName(jsPropName(node.argumentExpression)) || jsMentionsPassword(node.expression);
  if (ts.isBinaryExpression(node)) return jsMentionsPassword(node.left) || jsMentionsPassword(node.right);
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node)) return jsMentionsPassword(node.expression);
  if (ts.isTemplateExpression(node)) return node.templateSpans.some((s) => jsMentionsPassword(s.expression));
  if (ts.isCallExpression(node)) {
    const c = node.expression;
    if (ts.isIdentifier(c) && /^(String|Buffer)$/.test(c.text)) return node.arguments.some((a) => jsMentionsPassword(a));
    if (ts.isPropertyAccessExpression(c) && /^(from|toString|trim|normalize)$/.test(c.name.text)) {
      return jsMentionsPassword(c.expression) || node.arguments.some((a) => jsMentionsPassword(a));
    }
  }
  return false;
}

export function jsIsBarePassword(node: ts.Node): boolean {
  if (ts.isBinaryExpression(node) || ts.isTemplateExpression(node)) return false;
  if (ts.isParenthesizedExpression(node)) return jsIsBarePassword(node.expression);
  return jsMentionsPassword(node);
}

/** `logger = logging.getLogger(...)` at module level: the name to log with. */
export function pyModuleLogger(file: PyFile): string | undefined {
  for (const stmt of file.tree.rootNode.namedChildren) {
    const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type === 'identifier' && right?.type === 'call' && file.callName(right) === 'logging.getLogger') return left.text;
  }
  return undefined;
}

/**
 * Test code: test files by both ecosystems' conventions, and modules of a `test` package (`django/test/client.py`).
 * A `test/fixtures/` folder holds sample code to analyze, not tests.
 */
export function isTestCode(path: string): boolean {
  // asked for every call of a file by several rules: remember the last path's answer
  if (path !== lastTestPath) {
    lastTestPath = path;
    lastIsTestCode = isTestFile(path) || /(^|\/)(test\/(?!fixtures\/)|test[-_]?utils\/|test[-_]?helpers\/)/i.test(path.replace(/\\/g, '/'));
  }
  return lastIsTestCode;
}

let lastTestPath: string | undefined;
let lastIsTestCode = false;

/**
 * Development-only tooling (`next/dist/server/dev/`, `src/dev/`) and build tooling (Gruntfile, webpack/vite
 * configs, setup.py, noxfile.py, `scripts/`: see the fronts' isBuildTooling/isPyBuildTooling): it never runs in production.
 */
export function isDevTooling(path: string): boolean {
  return /(^|\/)dev\//.test(path.replace(/\\/g, '/')) || isBuildTooling(path) || isPyBuildTooling(path);
}
