import ts from 'typescript';
import type { PNode as Node } from '../../lang/python/tree';
import type { PyFile } from '../../lang/python/front';
import type { JsFile } from '../../lang/javascript/front';
import { skipOuter } from '../../lang/javascript/front';

/**
 * Where a generated value ends up, whatever it is called: a cookie, a session entry, a URL (a reset or
 * confirmation link), or an equality check (a token or digest compared later). Used by weak-random and
 * weak-hash to tell a value that protects something from a checksum or a dice roll. The value is followed
 * through expressions that keep it (string building, `.hexdigest()`, `str()`) and through local variables
 * of the same function (two hops at most).
 */
export type Destination = 'cookie' | 'session' | 'url' | 'comparison';

const MAX_HOPS = 2;
/** A link that grants something (a password reset, a confirmation, a login): an avatar or asset URL does not. */
const GRANTING_LINK = /reset|confirm|verif|activat|invit|magic|login|signin|unsubscribe|password|token|auth|otp|[?&](key|sig|code)=/i;

function isLink(text: string): boolean {
  const t = text.slice(0, 300);
  return /^[rfbuRFBU]*['"`]{0,3}(https?:\/\/|\/)/.test(t) && GRANTING_LINK.test(t);
}
const MAX_REFS = 100;

// ---- Python ----

const PY_KEEPS = new Set(['binary_operator', 'parenthesized_expression', 'interpolation', 'string', 'concatenated_string',
  'argument_list', 'attribute', 'call', 'subscript', 'conditional_expression', 'keyword_argument', 'format_expression']);
const PY_DROPS = new Set(['len', 'bool', 'isinstance', 'hasattr', 'type', 'id', 'hash', 'print', 'range', 'enumerate', 'sleep', 'seed']);
const PY_COOKIE_METHODS = new Set(['set_cookie', 'set_signed_cookie']);

/** The first security destination a Python expression's value reaches, or undefined. */
export function pyDestination(file: PyFile, node: Node, hops = 0): Destination | undefined {
  let n = node;
  let arg: Node | undefined;
  for (let p = n.parent; p; n = p, p = p.parent) {
    if (p.type === 'argument_list') arg = n;
    if (p.type === 'string' && isLink(p.text)) return 'url';
    if (p.type === 'binary_operator') {
      // `"https://.../reset?t=" + token`, `"/confirm/%s" % token`
      const left = p.childForFieldName('left');
      if (left?.type === 'string' && !left.equals(n) && isLink(left.text)) return 'url';
    }
    if (p.type === 'comparison_operator') {
      const ops = p.children.filter((c) => !!c && !c.isNamed).map((c) => c!.text);
      // a token checked against another value; `x % 5 == 0` or `n == 6` compares a number, not a secret
      const numeric = p.namedChildren.some((c) => c?.type === 'integer' || c?.type === 'float');
      if (!numeric && ops.some((o) => o === '==' || o === '!=')) return 'comparison';
      return undefined;
    }
    if (p.type === 'call') {
      const f = p.childForFieldName('function');
      if (f && f.equals(n)) continue; // `x.hexdigest()`: the receiver's value
      const method = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : f?.text;
      if (method && PY_DROPS.has(method)) return undefined; // `len(token)`: the result no longer carries the value
      const q = file.callName(p) ?? '';
      if (method && PY_COOKIE_METHODS.has(method) && arg && isCookieValueArg(p, arg)) return 'cookie';
      if (q === 'hmac.compare_digest' || q === 'secrets.compare_digest') return 'comparison';
      continue;
    }
    if (p.type === 'assignment' || p.type === 'augmented_assignment') {
      if (!p.childForFieldName('right')?.equals(n)) return undefined;
      const left = p.childForFieldName('left');
      if (left?.type === 'subscript' && /(^|\.)session$/.test(left.childForFieldName('value')?.text ?? '')) return 'session';
      if (left?.type === 'identifier' && hops < MAX_HOPS) return pyLocalUses(file, left, hops + 1);
      return undefined;
    }
    if (!PY_KEEPS.has(p.type)) return undefined;
  }
  return undefined;
}

/** `resp.set_cookie(name, value)`: the value (second positional or `value=`), not the name. */
function isCookieValueArg(call: Node, n: Node): boolean {
  if (n.type === 'keyword_argument') return n.childForFieldName('name')?.text === 'value';
  const args = call.childForFieldName('arguments');
  if (!args || !n.parent?.equals(args)) return false;
  const positional = args.namedChildren.filter((a) => a && a.type !== 'comment' && a.type !== 'keyword_argument');
  return !!positional[1] && positional[1].equals(n);
}

function pyLocalUses(file: PyFile, target: Node, hops: number): Destination | undefined {
  let scope: Node | null = target.parent;
  while (scope && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
  if (!scope) return undefined;
  let seen = 0;
  for (const id of scope.descendantsOfType('identifier')) {
    if (!id || id.text !== target.text || id.startIndex <= target.startIndex) continue;
    if (++seen > MAX_REFS) break;
    if (id.parent?.type === 'attribute' && !id.parent.childForFieldName('object')?.equals(id)) continue;
    if (id.parent?.type === 'keyword_argument' && id.parent.childForFieldName('name')?.equals(id)) continue;
    const d = pyDestination(file, id, hops);
    if (d) return d;
  }
  return undefined;
}

// ---- JavaScript / TypeScript ----

/** The first security destination a JS/TS expression's value reaches, or undefined. */
export function jsDestination(file: JsFile, node: ts.Node, hops = 0): Destination | undefined {
  let n: ts.Node = node;
  for (let p = n.parent; p; n = p, p = p.parent) {
    if (ts.isTemplateSpan(p) || ts.isTemplateExpression(p)) {
      const t = ts.isTemplateExpression(p) ? p : p.parent;
      if (ts.isTemplateExpression(t) && isLink(file.textOf(t))) return 'url';
      continue;
    }
    if (ts.isBinaryExpression(p)) {
      const op = p.operatorToken.kind;
      if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken
        || op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) {
        const other = skipOuter(p.left === n ? p.right : p.left);
        return ts.isNumericLiteral(other) ? undefined : 'comparison';
      }
      if (op === ts.SyntaxKind.PlusToken) {
        const l = skipOuter(p.left);
        if (ts.isStringLiteralLike(l) && isLink(`'${l.text}`)) return 'url';
        continue;
      }
      if (op === ts.SyntaxKind.EqualsToken && p.right === n) {
        const left = skipOuter(p.left);
        if ((ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) && /(^|\.)session$/.test(file.textOf(left.expression))) return 'session';
        if (ts.isIdentifier(left) && hops < MAX_HOPS) return jsLocalUses(file, left, hops + 1);
        return undefined;
      }
      // arithmetic keeps the value (`Math.floor(Math.random() * 1e6)`); other comparisons and logic do not
      if (op === ts.SyntaxKind.AsteriskToken || op === ts.SyntaxKind.MinusToken || op === ts.SyntaxKind.SlashToken
        || op === ts.SyntaxKind.PercentToken || op === ts.SyntaxKind.BarToken) continue;
      return undefined;
    }
    if (ts.isCallExpression(p)) {
      if (p.expression === n) continue; // `x.toString(36)`: the receiver's value
      const callee = skipOuter(p.expression);
      const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      if (method === 'cookie' && p.arguments[1] === n) return 'cookie';
      if (method === 'timingSafeEqual') return 'comparison';
      continue;
    }
    if (ts.isVariableDeclaration(p)) {
      if (p.initializer === n && ts.isIdentifier(p.name) && hops < MAX_HOPS) return jsLocalUses(file, p.name, hops + 1);
      return undefined;
    }
    if (ts.isPropertyAccessExpression(p) && p.name.text === 'length') return undefined;
    if (ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p) || ts.isParenthesizedExpression(p)
      || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isAwaitExpression(p)) continue;
    return undefined;
  }
  return undefined;
}

function jsLocalUses(file: JsFile, id: ts.Identifier, hops: number): Destination | undefined {
  let seen = 0;
  for (const ref of file.references(id)) {
    if (++seen > MAX_REFS) break;
    if (ref.getStart(file.sourceFile) <= id.getStart(file.sourceFile)) continue;
    const d = jsDestination(file, ref, hops);
    if (d) return d;
  }
  return undefined;
}

export function destinationText(d: Destination): string {
  return d === 'cookie' ? 'a cookie' : d === 'session' ? 'a session entry' : d === 'url' ? 'a URL (a link that grants access)' : 'an equality check (it guards access)';
}
