import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type DockerfileContext, type JsContext, type KubeContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix } from '../engine/types';
import { CURL_VALUED, invocation, longFlags, shortFlag, type FlagMatch, type Invocation } from '../lang/shell/commands';
import type { SimpleCommand, Word } from '../lang/shell/words';
import { removePair } from '../lang/kube/edits';
import { boolOf } from '../lang/kube/values';
import { pairOf } from '../lang/kube/yaml';
import { jsBool, jsBoolValue, jsPropName, jsRemoveMember, jsRemoveStatement, jsString, pyBool, pyLiteral, pyRemoveArgument, skipTestsJs, skipTestsPy } from './support/constants';
import { fileFact } from '../engine/file-facts';

export default defineRule({
  meta: {
    id: 'tls-verification-disabled',
    title: 'TLS certificate verification disabled',
    description: 'Turning off certificate or host name checks lets anyone on the network path read and change the traffic.',
    cwe: ['CWE-295'],
    owasp: OWASP.A02,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 7.4,
    languages: ['python', 'javascript', 'dockerfile', 'yaml'],
  },
  python: skipTestsPy({
    call: (node, ctx) => pythonCall(node, ctx),
    attribute: (node, ctx) => pythonAttribute(node, ctx),
    assignment: (node, ctx) => pythonAssignment(node, ctx),
  }),
  javascript: skipTestsJs({
    [ts.SyntaxKind.PropertyAssignment]: (node: ts.PropertyAssignment, ctx) => javascriptProperty(node, ctx),
    [ts.SyntaxKind.BinaryExpression]: (node: ts.BinaryExpression, ctx) => javascriptAssignment(node, ctx),
  }),
  dockerfile: (ctx) => dockerfile(ctx),
  kubernetes: (ctx) => kubeconfig(ctx),
});

// ---- Python ----

const HTTP_CLIENTS = ['requests', 'httpx', 'aiohttp', 'urllib3'];
const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'send', 'stream',
  'Client', 'AsyncClient', 'Session', 'ClientSession', 'TCPConnector', 'ws_connect', 'urlopen']);

function pythonCall(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const name = f.callName(node);
  const method = node.childForFieldName('function')?.childForFieldName('attribute')?.text
    ?? (node.childForFieldName('function')?.type === 'identifier' ? node.childForFieldName('function')!.text : undefined);
  const fromClient = name !== undefined && HTTP_CLIENTS.some((m) => name === m || name.startsWith(m + '.'));
  // `session.get(url, verify=False)` on a session of unknown type, in a file that uses an HTTP client
  const onSession = name === undefined && method !== undefined && HTTP_METHODS.has(method)
    && HTTP_CLIENTS.some((m) => f.importsModule(m));
  if (!fromClient && !onSession) return;
  for (const kw of ['verify', 'verify_ssl', 'ssl']) {
    const arg = f.keywordArgument(node, kw);
    if (!arg || pyBool(f, arg) !== false) continue;
    if (kw === 'ssl' && !(name?.startsWith('aiohttp') || f.importsModule('aiohttp'))) continue;
    ctx.report({
      range: f.range(arg.parent!),
      message: `\`${kw}=False\` turns off TLS certificate verification: anyone on the network path can impersonate the server.`,
      fixes: [{ title: `Remove \`${kw}=False\` (verify certificates)`, edits: [pyRemoveArgument(f, arg.parent!)], preferred: true }],
    });
  }
  const certReqs = f.keywordArgument(node, 'cert_reqs');
  if (certReqs && pyLiteral(certReqs) === 'CERT_NONE') {
    ctx.report({
      range: f.range(certReqs),
      message: "`cert_reqs='CERT_NONE'` turns off TLS certificate verification.",
      fixes: [{ title: "Use `cert_reqs='CERT_REQUIRED'`", edits: [{ range: f.range(certReqs), newText: "'CERT_REQUIRED'" }], preferred: true }],
    });
  }
}

function pythonAttribute(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const q = f.qualifiedName(node);
  if (q === 'ssl._create_unverified_context') {
    const obj = node.childForFieldName('object')!;
    ctx.report({
      range: f.range(node),
      message: '`ssl._create_unverified_context` makes a TLS context that checks neither certificates nor host names.',
      fixes: [{ title: 'Use `ssl.create_default_context`', edits: [{ range: f.range(node), newText: `${obj.text}.create_default_context` }], preferred: true }],
    });
  } else if (q === 'ssl.CERT_NONE' && isSetting(node) && !isSelfDefault(node) && !inOptOutFunction(node, ctx)) {
    const obj = node.childForFieldName('object')!;
    ctx.report({
      range: f.range(node),
      message: '`ssl.CERT_NONE` accepts any certificate: anyone on the network path can impersonate the server.',
      fixes: [{ title: 'Use `ssl.CERT_REQUIRED`', edits: [{ range: f.range(node), newText: `${obj.text}.CERT_REQUIRED` }], preferred: true }],
    });
  }
}

/** Inside a function whose name says it builds an unverified context on purpose (`load_ssl_context_no_verify`). */
function inOptOutFunction(node: Node, ctx: PyContext): boolean {
  const fn = ctx.file.enclosingFunction(node);
  const name = fn?.childForFieldName('name')?.text ?? '';
  if (/no_?verify|unverified|insecure|disable_?(check|verif)/i.test(name)) return true;
  // `if not validate_certs:` / `if opts["cert_reqs"] == ssl.CERT_NONE:`: the opt-out a caller asked for
  for (let n: Node = node; n.parent && n.type !== 'function_definition'; n = n.parent) {
    const p = n.parent;
    const ifStmt = p.type === 'block' && p.parent?.type === 'if_statement' ? p.parent
      : (p.type === 'else_clause' || p.type === 'elif_clause') && p.parent?.type === 'if_statement' ? p.parent : undefined;
    const cond = ifStmt?.childForFieldName('condition');
    if (cond && [cond, ...cond.descendantsOfType(['identifier', 'string_content'])].some((c) => !!c && /verif|validat|cert|insecure|check_hostname/i.test(c.type === 'identifier' || c.type === 'string_content' ? c.text : ''))) return true;
  }
  return false;
}

/** Is the node the value of an assignment or of a keyword argument (not a comparison or a table)? */
function isSetting(node: Node): boolean {
  const p = node.parent;
  if (!p) return false;
  if (p.type === 'assignment') return p.childForFieldName('right')?.equals(node) ?? false;
  if (p.type === 'keyword_argument') return p.childForFieldName('value')?.equals(node) ?? false;
  return false;
}

/** A module that calls `match_hostname`/`check_hostname(...)` itself turns the context's check off on purpose. */
function matchesHostnamesItself(ctx: PyContext): boolean {
  return fileFact(ctx.file, 'tls-verification-disabled:own-hostname-check', (f) => f.tree.rootNode.descendantsOfType('call').some((c) => {
    const fn = c?.childForFieldName('function');
    const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
    return !!name && /^_?(match_hostname|check_hostname|verify_hostname)$/.test(name);
  }));
}

function isSelfDefault(node: Node): boolean {
  const p = node.parent;
  return p?.type === 'assignment' && p.childForFieldName('left')?.childForFieldName('object')?.text === 'self';
}

function pythonAssignment(node: Node, ctx: PyContext): void {
  const f = ctx.file;
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (left?.type !== 'attribute' || !right) return;
  const attr = left.childForFieldName('attribute')?.text;
  // `self.check_hostname = False` in a class: a context implementation setting its own defaults
  if (left.childForFieldName('object')?.text === 'self' || inOptOutFunction(node, ctx)) return;
  if (attr === 'check_hostname' && pyBool(f, right) === false && !matchesHostnamesItself(ctx)) {
    ctx.report({
      range: f.range(node),
      message: '`check_hostname = False` accepts a valid certificate for any host name: anyone with a certificate can impersonate the server.',
      fixes: [{ title: 'Check host names (`check_hostname = True`)', edits: [{ range: f.range(right), newText: 'True' }], preferred: true }],
    });
  } else if (attr === 'verify' && pyBool(f, right) === false && HTTP_CLIENTS.some((m) => f.importsModule(m))) {
    ctx.report({
      range: f.range(node),
      message: '`session.verify = False` turns off TLS certificate verification for every request of the session.',
      fixes: [{ title: 'Verify certificates (`verify = True`)', edits: [{ range: f.range(right), newText: 'True' }], preferred: true }],
    });
  }
}

// ---- JavaScript / TypeScript ----

function javascriptProperty(node: ts.PropertyAssignment, ctx: JsContext): void {
  const f = ctx.file;
  const key = jsPropName(node.name);
  if (key === 'checkServerIdentity' && acceptsEveryHost(node.initializer) && ts.isObjectLiteralExpression(node.parent)) {
    ctx.report({
      range: f.range(node),
      message: 'A `checkServerIdentity` that returns nothing accepts a certificate for any host name: anyone with a certificate can impersonate the server.',
      fixes: [{ title: 'Remove it (use the default host name check)', edits: [jsRemoveMember(f, node)], preferred: true }],
    });
    return;
  }
  const off = (key === 'rejectUnauthorized' || key === 'strictSSL') && jsBoolValue(f, node.initializer) === false;
  if (!off || !ts.isObjectLiteralExpression(node.parent) || jsInOptOut(node)) return;
  ctx.report({
    range: f.range(node),
    message: `\`${key}: false\` turns off TLS certificate verification: anyone on the network path can impersonate the server.`,
    fixes: [{ title: `Remove \`${key}: false\` (verify certificates)`, edits: [jsRemoveMember(f, node)], preferred: true }],
  });
}

const OPT_OUT_WORDS = /verif|validat|cert|insecure|reject|unauthori[sz]ed|tls|ssl|strict|trust/i;

/**
 * Inside `if (options.tlsInsecure)`, `case 'no-verify':` or a function named like `insecureAgent`:
 * the opt-out a caller asked for, not a hard-coded one.
 */
function jsInOptOut(node: ts.Node): boolean {
  const mentions = (e: ts.Node): boolean => {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if ((ts.isIdentifier(n) || ts.isPrivateIdentifier(n) || ts.isStringLiteralLike(n)) && OPT_OUT_WORDS.test(n.text)) found = true;
      else ts.forEachChild(n, visit);
    };
    visit(e);
    return found;
  };
  for (let n: ts.Node = node; n.parent; n = n.parent) {
    const p = n.parent;
    if (ts.isIfStatement(p) && n !== p.expression && mentions(p.expression)) return true;
    if (ts.isConditionalExpression(p) && n !== p.condition && mentions(p.condition)) return true;
    if (ts.isCaseClause(p) && n !== p.expression && (mentions(p.expression) || mentions(p.parent.parent.expression))) return true;
    if (ts.isFunctionLike(p)) {
      const name = p.name && ts.isIdentifier(p.name) ? p.name.text
        : ts.isVariableDeclaration(p.parent) && ts.isIdentifier(p.parent.name) ? p.parent.name.text : '';
      return /insecure|no_?verify|unverified|allowInvalid/i.test(name);
    }
  }
  return false;
}

/** `() => undefined`, `() => {}`, `function () { return null; }` */
function acceptsEveryHost(e: ts.Expression): boolean {
  if (!ts.isArrowFunction(e) && !ts.isFunctionExpression(e)) return false;
  const body = e.body;
  if (ts.isBlock(body)) {
    if (body.statements.length === 0) return true;
    const only = body.statements.length === 1 ? body.statements[0] : undefined;
    return !!only && ts.isReturnStatement(only) && (!only.expression || isNothing(only.expression));
  }
  return isNothing(body);
}

function isNothing(e: ts.Expression): boolean {
  return e.kind === ts.SyntaxKind.NullKeyword || ts.isIdentifier(e) && e.text === 'undefined' || ts.isVoidExpression(e);
}

function javascriptAssignment(node: ts.BinaryExpression, ctx: JsContext): void {
  if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const f = ctx.file;
  const left = node.left;
  const name = ts.isPropertyAccessExpression(left) ? left.name.text
    : ts.isElementAccessExpression(left) ? jsPropName(left.argumentExpression) : undefined;
  if (name === 'NODE_TLS_REJECT_UNAUTHORIZED') {
    const envObj = (left as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression;
    const isEnv = ts.isPropertyAccessExpression(envObj) && envObj.name.text === 'env';
    const v = jsString(f, node.right) ?? (ts.isNumericLiteral(node.right) ? node.right.text : undefined);
    if (!isEnv || v !== '0') return;
    const stmt = node.parent;
    ctx.report({
      range: f.range(node),
      message: '`NODE_TLS_REJECT_UNAUTHORIZED = 0` turns off TLS certificate verification for every connection of the process.',
      fixes: ts.isExpressionStatement(stmt)
        ? [{ title: 'Remove the override (verify certificates)', edits: [jsRemoveStatement(f, stmt)], preferred: true }] : [],
    });
  } else if (name === 'rejectUnauthorized' && jsBool(node.right) === false && !jsInOptOut(node)) {
    ctx.report({
      range: f.range(node),
      message: '`rejectUnauthorized = false` turns off TLS certificate verification.',
      fixes: [{ title: 'Verify certificates (`true`)', edits: [{ range: f.range(node.right), newText: 'true' }], preferred: true }],
    });
  }
}

// ---- Dockerfile: build commands and environment ----

/** Environment switches that turn verification off: name -> does this value turn it off? */
const TLS_ENV: Record<string, (v: string) => boolean> = {
  NODE_TLS_REJECT_UNAUTHORIZED: (v) => v === '0',
  PYTHONHTTPSVERIFY: (v) => v === '0',
  // git only asks whether the variable is set
  GIT_SSL_NO_VERIFY: (v) => v !== '',
  PIP_TRUSTED_HOST: (v) => v !== '',
  NPM_CONFIG_STRICT_SSL: (v) => /^(false|0|no)$/i.test(v),
  YARN_ENABLE_STRICT_SSL: (v) => /^(false|0)$/i.test(v),
};

function dockerfile(ctx: DockerfileContext): void {
  const f = ctx.file;
  for (const v of f.variables) {
    const off = TLS_ENV[v.name.toUpperCase()];
    if (!off || v.value === undefined || v.dynamic || !off(v.value)) continue;
    const line: Fix[] = v.alone
      ? [{ title: `Remove \`${v.kind} ${v.name}\``, edits: [{ range: f.rangeOf(f.offset({ line: v.instructionRange.start.line, character: 0 }), f.offset({ line: v.instructionRange.start.line + 1, character: 0 })), newText: '' }], preferred: true }]
      : [];
    ctx.report({
      range: v.range,
      message: `\`${v.kind} ${v.name}=${v.value}\` turns off TLS certificate verification for ${v.kind === 'ENV' ? 'the build steps after it and the running container' : 'the build steps after it'}: anyone on the network path can impersonate the servers.`,
      fixes: line,
    });
  }
  for (const run of f.runs) for (const c of run.commands) tlsCommand(ctx, c);
}

function tlsCommand(ctx: DockerfileContext, c: SimpleCommand): void {
  const f = ctx.file;
  for (const a of c.assignments) {
    const eq = a.value.indexOf('=');
    const off = TLS_ENV[a.value.slice(0, eq).toUpperCase()];
    if (!off || a.dynamic || !off(a.value.slice(eq + 1))) continue;
    ctx.report({
      range: f.rangeOf(a.start, a.end),
      message: `\`${a.value}\` turns off TLS certificate verification for this command: anyone on the network path can impersonate the server.`,
      fixes: c.words.length > 0 && !a.quoted ? [removeFix(ctx, a, a, a.value)] : [],
    });
  }
  const inv = invocation(c);
  if (!inv) return;
  if (inv.name === 'export') {
    for (const a of inv.args) {
      const eq = a.value.indexOf('=');
      const off = eq > 0 ? TLS_ENV[a.value.slice(0, eq).toUpperCase()] : undefined;
      if (off && !a.dynamic && off(a.value.slice(eq + 1))) {
        ctx.report({ range: f.rangeOf(a.start, a.end), message: `\`export ${a.value}\` turns off TLS certificate verification for the rest of this step.` });
      }
    }
    return;
  }
  const flags: { m: FlagMatch; what: string }[] = [];
  if (inv.name === 'curl') {
    const k = shortFlag(inv.args, 'k', CURL_VALUED);
    if (k) flags.push({ m: k, what: '-k' });
    for (const m of longFlags(inv.args, ['--insecure', '--proxy-insecure'])) flags.push({ m, what: m.word.value });
  } else if (inv.name === 'wget') {
    for (const m of longFlags(inv.args, ['--no-check-certificate'])) flags.push({ m, what: m.word.value });
  } else if (pipArgs(inv)) {
    for (const m of longFlags(pipArgs(inv)!, ['--trusted-host', '--allow-insecure-host'], true)) flags.push({ m, what: `${m.word.value.split('=')[0]} ${m.value ?? ''}`.trim() });
  } else if (inv.name === 'npm' || inv.name === 'yarn' || inv.name === 'pnpm') {
    for (const m of longFlags(inv.args, ['--strict-ssl'])) if (m.value === 'false') flags.push({ m, what: m.word.value });
    if (configSets(inv, /^(strict-ssl|enableStrictSsl)$/i, /^(false|0)$/i)) {
      ctx.report({ range: f.rangeOf(c.start, c.end), message: `\`${inv.name} config set strict-ssl false\` turns off TLS certificate verification for every later install: a man in the middle can serve any package.` });
    }
  } else if (inv.name === 'git') {
    gitSslVerify(ctx, inv, c);
  }
  for (const { m, what } of flags) {
    ctx.report({
      range: f.rangeOf(m.word.start, (m.valueWord ?? m.word).end),
      message: `\`${inv.name} ${what}\` turns off TLS certificate verification: anyone on the network path can serve their own files into the image.`,
      fixes: m.word.quoted || m.valueWord?.quoted ? [] : [m.letter !== undefined && m.word.value.length > 2
        ? { title: `Remove \`${what}\``, edits: [{ range: f.rangeOf(m.word.start + m.letter, m.word.start + m.letter + 1), newText: '' }], preferred: true }
        : removeFix(ctx, m.word, m.valueWord ?? m.word, what)],
    });
  }
}

function removeFix(ctx: DockerfileContext, first: Word, last: Word, what: string): Fix {
  return { title: `Remove \`${what}\``, edits: [{ range: ctx.file.removalRange(first.start, last.end), newText: '' }], preferred: true };
}

/** The arguments of `pip`, `pip3`, `python -m pip`, `uv pip`: undefined for other programs. */
function pipArgs(inv: Invocation): Word[] | undefined {
  if (/^pip[\d.]*$/.test(inv.name)) return inv.args;
  if (/^python[\d.]*$/.test(inv.name) && inv.args[0]?.value === '-m' && /^pip[\d.]*$/.test(inv.args[1]?.value ?? '')) return inv.args.slice(2);
  if (inv.name === 'uv') return inv.args;
  return undefined;
}

/** `npm config set strict-ssl false`, `npm set strict-ssl=false`. */
function configSets(inv: Invocation, key: RegExp, value: RegExp): boolean {
  const v = inv.args.map((a) => a.value).filter((x) => !x.startsWith('-'));
  const at = v[0] === 'config' && v[1] === 'set' ? 2 : v[0] === 'set' ? 1 : -1;
  if (at < 0 || v[at] === undefined) return false;
  const [k, inline] = v[at].split('=');
  return key.test(k) && value.test(inline ?? v[at + 1] ?? '');
}

/** `git config [--global] http.sslVerify false`, `git -c http.sslVerify=false clone ...`. */
function gitSslVerify(ctx: DockerfileContext, inv: Invocation, c: SimpleCommand): void {
  const v = inv.args.map((a) => a.value);
  const off = (x: string | undefined) => /^(false|no|off|0)$/i.test(x ?? '');
  const key = (x: string) => /^http(\..*)?\.sslverify$/i.test(x);
  for (let k = 0; k < v.length; k++) {
    if (v[k] === '-c' && v[k + 1]) {
      const [name, value] = v[k + 1].split('=');
      if (key(name) && off(value)) ctx.report({ range: ctx.file.rangeOf(inv.args[k].start, inv.args[k + 1].end), message: `\`git -c ${v[k + 1]}\` turns off TLS certificate verification for this Git command.` });
    }
  }
  const ci = v.indexOf('config');
  if (ci >= 0) {
    const rest = v.slice(ci + 1).filter((x) => !x.startsWith('-'));
    if (rest[0] && key(rest[0]) && off(rest[1])) {
      ctx.report({ range: ctx.file.rangeOf(c.start, c.end), message: `\`git config ${rest[0]} ${rest[1]}\` turns off TLS certificate verification for every later Git command.` });
    }
  }
}

// ---- kubeconfig ----

/** `insecure-skip-tls-verify: true` on a kubeconfig cluster: the API server's certificate is not checked. */
function kubeconfig(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const c of ctx.file.clusters()) {
    const pair = pairOf(c.doc, c.map, 'insecure-skip-tls-verify');
    if (!pair?.value || boolOf(pair.value) !== true) continue;
    const edit = removePair(file, pair);
    ctx.report({
      range: file.range(pair.value),
      message: `kubeconfig cluster \`${c.name ?? '?'}\` skips TLS verification: anyone on the network path can impersonate the API server and capture the credentials sent to it. Set \`certificate-authority\` (or \`-data\`) instead.`,
      fixes: edit ? [{ title: 'Remove `insecure-skip-tls-verify: true`', edits: [edit], preferred: true }] : [],
    });
  }
}
