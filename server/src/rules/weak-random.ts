import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix, type TextEdit } from '../engine/types';
import { pyImportEdit } from './support/constants';
import { destinationText, jsDestination, pyDestination, type Destination } from './support/value-destinations';
import { contextName, jsNameContext, namedAsSecret, pyNameContext, isDevTooling, isTestCode } from './support/auth';

export default defineRule({
  meta: {
    id: 'weak-random',
    title: 'Predictable randomness for secrets',
    description: "Math.random and Python's random module are predictable; tokens, passwords and keys made from them can be guessed.",
    cwe: ['CWE-338'],
    owasp: OWASP.A02,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 5.9,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

/** Where a random value guards access whatever it is called (a dice roll compared to 6 guards nothing). */
const GUARDING = new Set<Destination>(['cookie', 'session', 'url']);

// ---- Python ----

/** Every function of the `random` module that draws from its shared Mersenne Twister. */
const PY_RANDOM = new Set(['random', 'randint', 'randrange', 'choice', 'choices', 'sample', 'shuffle', 'uniform',
  'getrandbits', 'randbytes', 'triangular', 'betavariate', 'binomialvariate', 'expovariate', 'gammavariate', 'gauss',
  'lognormvariate', 'normalvariate', 'vonmisesvariate', 'paretovariate', 'weibullvariate']);

function pythonCall(node: Node, ctx: PyContext): void {
  const name = ctx.file.callName(node);
  if (!name || !name.startsWith('random.') || !PY_RANDOM.has(name.slice(7))) return;
  if (isTestCode(ctx.file.path) || isDevTooling(ctx.file.path)) return;
  const c = pyNameContext(ctx.file, node);
  if (c.functionName?.startsWith('test')) return;
  // a value named as a secret, or one that becomes a cookie, a session entry or a link, whatever it is called
  const dest = namedAsSecret(c) ? undefined : pyDestination(ctx.file, node);
  if (!namedAsSecret(c) && !(dest && GUARDING.has(dest))) return;
  const fn = name.slice(7);
  const replacement = pythonReplacement(node, fn, ctx);
  ctx.report({
    range: ctx.file.range(node),
    message: `\`random.${fn}\` is predictable (Mersenne Twister) but makes ${dest ? `a value that becomes ${destinationText(dest)}` : `\`${contextName(c)}\`, which looks like a secret`}. `
      + `Use the \`secrets\` module (${replacement.text}).`,
    fixes: [{
      title: `Use ${replacement.text}`,
      edits: [...pyImportEdit(ctx.file, 'secrets'), ...replacement.edits],
      preferred: true,
      safe: true,
    }],
  });
}

/** The faithful `secrets` counterpart of a `random` call: same arguments, same distribution. */
function pythonReplacement(node: Node, fn: string, ctx: PyContext): { text: string; edits: TextEdit[] } {
  const callee = node.childForFieldName('function')!;
  const args = node.childForFieldName('arguments');
  const positional = (args?.namedChildren ?? []).filter((a) => a && a.type !== 'comment');
  const only = positional.length === 1 && positional[0]!.type !== 'keyword_argument' ? positional[0]! : undefined;
  const swap = (to: string) => ({ text: `\`${to}\``, edits: [{ range: ctx.file.range(callee), newText: to }] });
  if (fn === 'choice' && only) return swap('secrets.choice');
  if (fn === 'randrange' && only) return swap('secrets.randbelow');
  if (fn === 'getrandbits' && only) return swap('secrets.randbits');
  if (fn === 'randbytes' && only) return swap('secrets.token_bytes');
  if (fn === 'randint' && positional.length === 2 && positional[0]!.type === 'integer' && positional[0]!.text === '0'
    && positional[1]!.type === 'integer') {
    // randint(0, n) draws from 0..n inclusive: randbelow(n + 1)
    const n = Number(positional[1]!.text.replace(/_/g, ''));
    if (Number.isSafeInteger(n)) {
      return { text: '`secrets.randbelow`', edits: [{ range: ctx.file.range(node), newText: `secrets.randbelow(${n + 1})` }] };
    }
  }
  return swap(`secrets.SystemRandom().${fn}`);
}

// ---- JavaScript / TypeScript ----

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const callee = node.expression;
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'pseudoRandomBytes') {
    pseudoRandomBytes(node, callee, ctx);
    return;
  }
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'random' || !ts.isIdentifier(callee.expression)
    || callee.expression.text !== 'Math' || node.arguments.length > 0) return;
  if (isTestCode(ctx.file.path) || isDevTooling(ctx.file.path)) return;
  const c = jsNameContext(node);
  if (/^(test|it|describe)$/.test(c.functionName ?? '')) return;
  const dest = namedAsSecret(c) ? undefined : jsDestination(ctx.file, node);
  if (!namedAsSecret(c) && !(dest && GUARDING.has(dest))) return;
  const drop = 'crypto.getRandomValues(new Uint32Array(1))[0] / 2 ** 32';
  const fixes: Fix[] = [{
    title: 'Use crypto.getRandomValues (same range as Math.random)',
    edits: [{ range: ctx.file.range(node), newText: needsParens(node) ? `(${drop})` : drop }],
    preferred: true,
    safe: true,
  }];
  const chain = toStringChain(node);
  if (chain) {
    fixes.push({ title: 'Use crypto.randomUUID()', edits: [{ range: ctx.file.range(chain), newText: 'crypto.randomUUID()' }] });
  }
  ctx.report({
    range: ctx.file.range(node),
    message: `\`Math.random()\` is predictable but makes ${dest ? `a value that becomes ${destinationText(dest)}` : `\`${contextName(c)}\`, which looks like a secret`}. `
      + 'Use `crypto.getRandomValues`, `crypto.randomUUID()` or Node\'s `crypto.randomBytes`.',
    fixes,
  });
}

/** `crypto.pseudoRandomBytes(n)`: deprecated (DEP0115), not guaranteed unpredictable on the Node versions that differ. */
function pseudoRandomBytes(node: ts.CallExpression, callee: ts.PropertyAccessExpression, ctx: JsContext): void {
  const q = ctx.file.callName(node);
  if (q !== 'crypto.pseudoRandomBytes' && q !== 'crypto.default.pseudoRandomBytes') return;
  // a warning where the bytes become a secret (by name, as for Math.random), a deprecation hint elsewhere
  const secret = namedAsSecret(jsNameContext(node));
  ctx.report({
    range: ctx.file.range(callee.name),
    ...(secret ? {} : { severity: 'hint' as const }),
    message: '`crypto.pseudoRandomBytes` is deprecated (DEP0115) and was not guaranteed to be unpredictable. Use `crypto.randomBytes` (same arguments).',
    fixes: [{ title: 'Use crypto.randomBytes', edits: [{ range: ctx.file.range(callee.name), newText: 'randomBytes' }], preferred: true, safe: true }],
  });
}

/** Does the drop-in `a / 2 ** 32` need parentheses where `Math.random()` stood? */
function needsParens(node: ts.Node): boolean {
  const p = node.parent;
  if (ts.isBinaryExpression(p)) {
    const op = p.operatorToken.kind;
    if (op === ts.SyntaxKind.AsteriskAsteriskToken) return true;
    if ((op === ts.SyntaxKind.SlashToken || op === ts.SyntaxKind.PercentToken) && p.right === node) return true;
    return false;
  }
  return ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p) || ts.isCallExpression(p)
    || ts.isPrefixUnaryExpression(p) || ts.isTypeOfExpression(p) || ts.isAwaitExpression(p) || ts.isNewExpression(p);
}

/** `Math.random().toString(36)` with an optional `.slice(2)`/`.substring(2, 10)`/`.substr(2)`: a random id string. */
function toStringChain(node: ts.CallExpression): ts.Expression | undefined {
  const p = node.parent;
  if (!ts.isPropertyAccessExpression(p) || p.name.text !== 'toString' || !ts.isCallExpression(p.parent)) return undefined;
  let chain: ts.Expression = p.parent;
  const q = chain.parent;
  if (ts.isPropertyAccessExpression(q) && /^(slice|substring|substr)$/.test(q.name.text) && ts.isCallExpression(q.parent)) {
    chain = q.parent;
  }
  return chain;
}
