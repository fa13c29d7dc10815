import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type ComposeContext, type DockerfileContext, type JsContext, type KubeContext, type PyContext } from '../engine/rule-types';
import { knownString, scalarText, type YNode } from '../lang/kube/yaml';
import { OWASP, type TextEdit } from '../engine/types';
import { insertFirstProperty, isConfigObject, isNextConfig, jsBool, jsPropName, pyBool, pyImportEdit, pyLiteral, pyRemoveArgument, pyTargetName, skipTestsJs, skipTestsPy } from './support/constants';

export default defineRule({
  meta: {
    id: 'debug-mode',
    title: 'Debug mode or stack traces exposed',
    description: 'Debug pages and stack traces show source code, settings and internals to whoever triggers an error; the Werkzeug debugger even runs code.',
    cwe: ['CWE-489', 'CWE-209'],
    owasp: OWASP.A05,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 5.3,
    languages: ['python', 'javascript', 'dockerfile', 'yaml'],
  },
  python: skipTestsPy({
    call: (node, ctx) => pythonCall(node, ctx),
    assignment: (node, ctx) => pythonAssignment(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
    [ts.SyntaxKind.ObjectLiteralExpression]: (node: ts.ObjectLiteralExpression, ctx) => nextConfig(node, ctx),
  }),
  dockerfile: (ctx) => dockerfileDebug(ctx),
  kubernetes: (ctx) => kubernetesEnv(ctx),
  compose: (ctx) => composeEnv(ctx),
});

// ---- Python ----

const WEB_FRAMEWORKS = ['flask', 'django', 'fastapi', 'starlette', 'tornado.web', 'aiohttp.web', 'bottle', 'falcon', 'pyramid', 'sanic', 'quart'];
/** Application constructors with a `debug` switch: aiohttp (debug logging, slow-callback warnings, asyncio debug), Starlette (tracebacks in responses), Tornado (autoreload and tracebacks). */
const PY_DEBUG_APPS = new Set(['aiohttp.web.Application', 'starlette.applications.Starlette', 'tornado.web.Application']);

function pyDebugApp(node: Node, name: string, ctx: PyContext): void {
  const f = ctx.file;
  const debug = f.keywordArgument(node, 'debug');
  if (!debug || pyBool(f, debug) !== true) return;
  const what = name.startsWith('aiohttp') ? 'aiohttp debug mode turns on asyncio debugging and verbose error reporting'
    : name.startsWith('starlette') ? 'Starlette debug mode sends tracebacks with source code to the client on errors'
      : 'Tornado debug mode sends tracebacks to the client and reloads code that changes on disk';
  ctx.report({
    range: f.range(debug.parent!),
    message: `\`debug=True\`: ${what}. Turn it on only from the environment in development.`,
    fixes: [{ title: 'Remove `debug=True`', edits: [pyRemoveArgument(f, debug.parent!)], preferred: true }],
  });
}

const PY_RESPONSES = /(^|\.)(jsonify|Response|HttpResponse|JsonResponse|HttpResponseServerError|make_response|JSONResponse|PlainTextResponse|HTMLResponse)$/;

function pythonCall(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const fn = node.childForFieldName('function');
  const name = f.callName(node);
  if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'run' && (f.importsModule('flask') || f.importsModule('flask_socketio'))) {
    const debug = f.keywordArgument(node, 'debug');
    if (!debug || pyBool(f, debug) !== true) return;
    const host = pyLiteral(f.keywordArgument(node, 'host'));
    const exposed = host === '0.0.0.0' || host === '::';
    ctx.report({
      range: f.range(debug.parent!),
      severity: exposed ? 'error' : 'warning',
      message: exposed
        ? '`debug=True` on a server bound to every interface: anyone on the network reaches the Werkzeug debugger, which runs arbitrary code.'
        : '`debug=True` turns on the Werkzeug debugger, which runs arbitrary code for whoever reaches an error page. Use `flask run --debug` during development instead.',
      fixes: [{ title: 'Remove `debug=True`', edits: [pyRemoveArgument(f, debug.parent!)], preferred: true }],
    });
    return;
  }
  if (name && PY_DEBUG_APPS.has(name)) {
    pyDebugApp(node, name, ctx);
    return;
  }
  if (name && /^traceback\.(format_exc|format_exception|format_tb|format_stack)$/.test(name) && reachesResponse(node, ctx)) {
    ctx.report({
      range: f.range(node),
      message: 'A stack trace is sent to the client: it shows file paths, code and library versions to an attacker. Log it and return a generic error.',
    });
  }
}

/** Is the node (part of) a returned value or of a response object's arguments, within its function? */
function reachesResponse(node: Node, ctx: PyContext): boolean {
  if (insidePyDebugGuard(node)) return false;
  for (let n = node.parent; n && n.type !== 'function_definition' && n.type !== 'module'; n = n.parent) {
    if (n.type === 'return_statement') return WEB_FRAMEWORKS.some((m) => ctx.file.importsModule(m));
    if (n.type === 'call' && PY_RESPONSES.test(ctx.file.callName(n) ?? n.childForFieldName('function')?.text ?? '')) return true;
    if (n.type === 'expression_statement' || n.type === 'assignment') return false;
  }
  return false;
}

/** `x if settings.DEBUG else y`, `if app.debug: ...` around the node, within its function. */
function insidePyDebugGuard(node: Node): boolean {
  const mentionsDebug = (cond: Node | null | undefined) => !!cond
    && [cond, ...cond.descendantsOfType(['identifier'])].some((n) => !!n && /^(DEBUG|debug|is_debug|testing|TESTING)$/.test(n.text));
  for (let n: Node = node; n.parent && n.type !== 'function_definition'; n = n.parent) {
    const p = n.parent;
    if (p.type === 'conditional_expression' && p.namedChildren[0]?.equals(n) && mentionsDebug(p.namedChildren[1])) return true;
    if (p.type === 'block' && p.parent?.type === 'if_statement' && mentionsDebug(p.parent.childForFieldName('condition'))) return true;
  }
  return false;
}

function pythonAssignment(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (!left || !right) return;
  const name = pyTargetName(left);
  // the target first: the value asks the data flow
  const django = left.type === 'identifier' && name === 'DEBUG' && node.parent?.parent?.type === 'module';
  const flask = !django && (left.type === 'attribute' && name === 'debug' || left.type === 'subscript' && name === 'DEBUG') && f.importsModule('flask');
  if (!django && !flask) return;
  if (pyBool(f, right) !== true) return;
  if (django) {
    if (!allowsAnyHost(node)) return;
    const edits: TextEdit[] = [{ range: f.range(right), newText: 'os.environ.get("DJANGO_DEBUG") == "1"' }, ...pyImportEdit(f, 'os')];
    ctx.report({
      range: f.range(node),
      message: '`DEBUG = True` with `ALLOWED_HOSTS = ["*"]`: any host name serves the debug pages, which show settings, SQL and source code. Turn debug on only from the environment in development.',
      fixes: [{ title: 'Read DEBUG from the environment (`DJANGO_DEBUG=1`)', edits, preferred: true }],
    });
  } else {
    ctx.report({
      range: f.range(node),
      message: 'Flask debug mode turns on the Werkzeug debugger, which runs arbitrary code for whoever reaches an error page. Use `flask run --debug` during development instead.',
    });
  }
}

function allowsAnyHost(debug: Node): boolean {
  for (const stmt of debug.parent?.parent?.namedChildren ?? []) {
    const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (a?.type !== 'assignment' || a.childForFieldName('left')?.text !== 'ALLOWED_HOSTS') continue;
    const v = a.childForFieldName('right');
    if ((v?.type === 'list' || v?.type === 'tuple') && v.namedChildren.some((c) => pyLiteral(c) === '*')) return true;
  }
  return false;
}

// ---- JavaScript / TypeScript ----

const JS_SENDERS = new Set(['send', 'json', 'end', 'write', 'render', 'jsonp']);
const JS_RESPONSE_OBJECTS = /^(res|response|reply|resp|NextResponse|Response)$/;

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const f = ctx.file;
  const name = f.callName(node);
  if (name === 'errorhandler' && ts.isCallExpression(node.parent) && ts.isPropertyAccessExpression(node.parent.expression)
    && node.parent.expression.name.text === 'use' && !insideEnvGuard(node)) {
    ctx.report({
      range: f.range(node),
      message: '`errorhandler()` sends full stack traces and error details to the client: use it only when `NODE_ENV` is `development`.',
    });
    return;
  }
  const callee = node.expression;
  if (!ts.isPropertyAccessExpression(callee) || !JS_SENDERS.has(callee.name.text)) return;
  if (!JS_RESPONSE_OBJECTS.test(rootName(callee.expression) ?? '')) return;
  for (const a of node.arguments) {
    const stack = findStack(a, 0);
    if (stack && !insideEnvGuard(stack)) {
      ctx.report({
        range: f.range(stack),
        message: 'A stack trace is sent to the client: it shows file paths, code and library versions to an attacker. Log it and return a generic error.',
      });
    }
  }
}

/** `res` in `res.status(500).json`. */
function rootName(e: ts.Expression): string | undefined {
  while (ts.isCallExpression(e) || ts.isPropertyAccessExpression(e)) e = e.expression;
  return ts.isIdentifier(e) ? e.text : undefined;
}

function findStack(node: ts.Node, depth: number): ts.Node | undefined {
  if (depth > 4) return undefined;
  if (ts.isPropertyAccessExpression(node) && node.name.text === 'stack') return node;
  if (ts.isObjectLiteralExpression(node)) {
    for (const p of node.properties) {
      const found = ts.isPropertyAssignment(p) ? findStack(p.initializer, depth + 1) : undefined;
      if (found) return found;
    }
  }
  if (ts.isTemplateExpression(node)) for (const s of node.templateSpans) { const x = findStack(s.expression, depth + 1); if (x) return x; }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return findStack(node.left, depth + 1) ?? findStack(node.right, depth + 1);
  if (ts.isConditionalExpression(node)) return findStack(node.whenTrue, depth + 1) ?? findStack(node.whenFalse, depth + 1);
  return undefined;
}

/** Inside `if (process.env.NODE_ENV === 'development')`, `isDev ? … : …` or similar, within the function. */
function insideEnvGuard(node: ts.Node): boolean {
  for (let n: ts.Node = node; n.parent && !ts.isSourceFile(n); n = n.parent) {
    const p = n.parent;
    if (ts.isIfStatement(p) && p.thenStatement === n && mentionsEnv(p.expression)) return true;
    if (ts.isConditionalExpression(p) && p.whenTrue === n && mentionsEnv(p.condition)) return true;
    if (ts.isBinaryExpression(p) && p.right === n && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && mentionsEnv(p.left)) return true;
  }
  return false;
}

function mentionsEnv(e: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && /^(NODE_ENV|DEBUG|debug|dev|isDev|isDevelopment|isProd|isProduction|IS_DEV|IS_PRODUCTION)$/.test(n.text)) found = true;
    else if (ts.isStringLiteralLike(n) && /^(env|development)$/.test(n.text)) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(e);
  return found;
}

/** Next.js leaves `X-Powered-By: Next.js` on unless `poweredByHeader: false`. */
function nextConfig(node: ts.ObjectLiteralExpression, ctx: JsContext): void {
  const f = ctx.file;
  if (!isNextConfig(f.path) || !isConfigObject(node)) return;
  const prop = node.properties.find((p) => jsPropName(p.name) === 'poweredByHeader');
  if (prop && !(ts.isPropertyAssignment(prop) && jsBool(prop.initializer) === true)) return;
  const fixes = [];
  if (prop && ts.isPropertyAssignment(prop)) {
    fixes.push({ title: 'Set `poweredByHeader: false`', edits: [{ range: f.range(prop.initializer), newText: 'false' }], preferred: true, safe: true });
  } else {
    fixes.push({ title: 'Add `poweredByHeader: false`', edits: [insertFirstProperty(f, node, 'poweredByHeader: false')], preferred: true, safe: true });
  }
  ctx.report({
    range: prop ? f.range(prop) : f.rangeOf(node.getStart(f.sourceFile), node.getStart(f.sourceFile) + 1),
    severity: 'hint',
    message: 'Next.js sends `X-Powered-By: Next.js` unless `poweredByHeader: false`: it tells attackers which exploits to try.',
    fixes,
  });
}

// ---- Dockerfiles, Kubernetes manifests and compose files: debug switches in the environment ----

const TRUE = /^(1|true|yes|on)$/i;
/** Explicit debug switches, by variable name: [does this value turn debugging on?, what it turns on]. */
const DEBUG_SWITCHES: Record<string, [RegExp, string]> = {
  FLASK_DEBUG: [TRUE, 'Flask\'s debug mode and the Werkzeug debugger, which runs code for whoever reaches an error page'],
  FLASK_ENV: [/^development$/i, 'Flask\'s debug mode (before Flask 2.3) and the Werkzeug debugger, which runs code for whoever reaches an error page'],
  DJANGO_DEBUG: [TRUE, 'Django\'s debug pages, which show settings, code and SQL to whoever triggers an error'],
  WERKZEUG_DEBUG_PIN: [/^off$/i, 'the Werkzeug debugger without its PIN: anyone reaching an error page runs code'],
  APP_DEBUG: [TRUE, 'detailed error pages (Laravel and others), which show environment variables (secrets included) and code'],
  NODE_OPTIONS: [/(^|\s)--inspect(-brk)?(=|\s|$)/, 'the Node.js inspector, which runs code for whoever connects to it'],
  GIN_MODE: [/^debug$/i, 'Gin\'s debug mode'],
  XDEBUG_MODE: [/(^|,)\s*debug/i, 'Xdebug step debugging'],
  ASPNETCORE_DETAILEDERRORS: [TRUE, 'detailed ASP.NET Core error pages'],
};
/** A bare `DEBUG` switch counts for sure only for an image that is recognisably a Python web app. */
const PYTHON_IMAGE = /(^|[/:_-])(python|django|flask|gunicorn|uvicorn)/i;

/**
 * What a variable turns on, if it is a debug switch that is on. A bare `DEBUG=true` is one with high
 * confidence on a Python image, with medium confidence on an image of unknown kind (`image` undefined).
 */
function debugSwitch(name: string | undefined, value: string | undefined, image: string | undefined, unknownImage: boolean): { what: string; confidence: 'high' | 'medium' } | undefined {
  if (name === undefined || value === undefined) return undefined;
  const known = DEBUG_SWITCHES[name.toUpperCase()];
  if (known) return known[0].test(value.trim()) ? { what: known[1], confidence: 'high' } : undefined;
  if (name.toUpperCase() === 'DEBUG' && TRUE.test(value.trim())) {
    const what = 'the framework\'s debug mode (Django, Flask and Starlette read `DEBUG`), which shows settings and code on error pages';
    if (image !== undefined && PYTHON_IMAGE.test(image)) return { what, confidence: 'high' };
    if (image === undefined && unknownImage) return { what, confidence: 'medium' };
  }
  return undefined;
}

function dockerfileDebug(ctx: DockerfileContext): void {
  const f = ctx.file;
  // only the stages that make up the final image matter at run time
  const chain = new Set(f.finalChain);
  for (const v of f.variables) {
    if (v.kind !== 'ENV' || !v.stage || !chain.has(v.stage) || v.value === undefined || v.dynamic) continue;
    const on = debugSwitch(v.name, v.value, undefined, true);
    if (!on) continue;
    ctx.report({
      range: v.range,
      confidence: on.confidence,
      message: `\`ENV ${v.name}=${v.value}\` turns on ${on.what}, in every container started from this image. Set it only in development (\`docker run -e\`, a compose override).`,
    });
  }
}

function kubernetesEnv(ctx: KubeContext): void {
  if (ctx.file.kind !== 'kubernetes') return;
  const file = ctx.file.yaml;
  for (const c of ctx.file.model.containers) {
    for (const e of c.env) {
      const on = debugSwitch(e.name, scalarText(e.value), knownString(c.image), false);
      if (on && e.value) ctx.report({ range: file.range(e.value), message: `\`${e.name}\` in container \`${c.name ?? '?'}\` turns on ${on.what}. Keep it out of deployed manifests.` });
    }
  }
}

/** `docker-compose.dev.yml`, `compose.override.yaml`...: development setups, where debugging is the point. */
const DEV_COMPOSE = /(^|[./_-])(dev|develop|development|local|override|debug|test)([./_-]|$)/i;

function composeEnv(ctx: ComposeContext): void {
  const file = ctx.file.yaml;
  const name = file.path.slice(Math.max(file.path.lastIndexOf('/'), file.path.lastIndexOf('\\')) + 1);
  const severity = DEV_COMPOSE.test(name) ? 'info' as const : undefined;
  for (const s of ctx.file.services) {
    const image = knownString(s.value('image'));
    for (const e of s.environment()) {
      const on = debugSwitch(e.name, e.value, image, false);
      if (on) ctx.report({ range: file.range(e.node as YNode), ...(severity ? { severity } : {}), message: `\`${e.name}\` in service \`${s.name}\` turns on ${on.what}. Keep it out of deployed configuration.` });
    }
  }
}
