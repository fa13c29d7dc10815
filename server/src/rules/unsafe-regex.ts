import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Range, type Value } from '../engine/types';
import type { Report } from '../engine/rule';
import { describeSource } from '../engine/rule';
import { skipOuter } from '../lang/javascript/front';
import { isTestCode } from './support/auth';
import { catastrophicGroup, parseRegex, type Danger } from './support/regex-syntax';

/**
 * Regular expressions with catastrophic backtracking (ReDoS): a repeat inside a repeat over the same
 * characters (`(a+)+`, `(\w*)*`), or repeated alternatives that match the same text (`(a|a)*`). Decided
 * by reading the constant pattern's syntax, never by matching the source text.
 */
export default defineRule({
  meta: {
    id: 'unsafe-regex',
    title: 'Regular expression with catastrophic backtracking',
    description: 'A repeat nested in a repeat over the same characters makes the regex engine try exponentially many ways on a non-matching input (ReDoS).',
    cwe: ['CWE-1333'],
    owasp: OWASP.A04,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 5.3,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.RegularExpressionLiteral]: (node: ts.RegularExpressionLiteral, ctx) => literal(node, ctx),
    [ts.SyntaxKind.NewExpression]: (node: ts.NewExpression, ctx) => constructed(node, ctx),
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => constructed(node, ctx),
  },
});

function literal(node: ts.RegularExpressionLiteral, ctx: JsContext): void {
  if (isTestCode(ctx.file.path)) return;
  const m = /^\/(.*)\/([a-z]*)$/s.exec(node.text);
  if (!m) return;
  const danger = check(m[1], m[2]);
  if (!danger) return;
  const start = node.getStart(ctx.file.sourceFile) + 1;
  report(node, m[1], danger, ctx.file.rangeOf(start + danger.start, start + danger.end), ctx);
}

function constructed(node: ts.NewExpression | ts.CallExpression, ctx: JsContext): void {
  const arg = node.arguments?.[0];
  if (!arg || !(ts.isNewExpression(node) || ts.isIdentifier(node.expression))) return;
  if (ctx.file.resolvedCallName(node) !== 'RegExp' || isTestCode(ctx.file.path)) return;
  // constant text only, read without the data flow (new RegExp(x) is everywhere in library code)
  const pattern = ctx.file.literalText(arg);
  if (pattern === undefined) return;
  const flagsArg = node.arguments![1];
  const flags = flagsArg ? ctx.file.literalText(flagsArg) : '';
  if (flags === undefined) return;
  const danger = check(pattern, flags);
  if (danger) report(node, pattern, danger, ctx.file.range(arg), ctx);
}

function check(pattern: string, flags: string, dialect: 'js' | 'python' = 'js'): Danger | undefined {
  const tree = parseRegex(pattern, flags, dialect);
  return tree && catastrophicGroup(tree);
}

function report(node: ts.Expression, pattern: string, danger: Danger, range: Range, ctx: JsContext): void {
  const input = matchedInput(node, ctx);
  reportWith(pattern, danger, range, input && ctx.file.valueOf(input), ctx.report);
}

function reportWith(pattern: string, danger: Danger, range: Range, v: Value | undefined, report: (r: Report) => void): void {
  const group = pattern.slice(danger.start, danger.end);
  const why = danger.kind === 'nested'
    ? `\`${group}\` repeats a repeat over the same characters`
    : `\`${group}\` repeats alternatives that can match the same text`;
  const advice = 'Make the inner part unambiguous (e.g. `(a+)+` -> `a+`, `(\\w|\\d)*` -> `\\w*`), bound the input length, or use a linear-time engine (re2).';
  const ctx = { report };
  if (v?.kind === 'constant') {
    ctx.report({ range, severity: 'hint', confidence: 'low', message: `${why}: it backtracks exponentially on long non-matching text, though here it only reads a constant. ${advice}` });
    return;
  }
  if (v?.kind === 'tainted') {
    ctx.report({ range, value: v, message: `${why}, and it reads ${describeSource(v)}: a long non-matching input makes it backtrack for minutes (ReDoS). ${advice}` });
    return;
  }
  ctx.report({ range, message: `${why}: on a long non-matching input the engine tries exponentially many ways before failing (ReDoS). ${advice}` });
}

// ---- Python ----

/** `re` functions: the index of the string argument (-1: none, a compiled pattern) and of `flags`. */
const PY_REGEX: Record<string, [number, number]> = Object.assign(Object.create(null), {
  compile: [-1, 1], match: [1, 2], search: [1, 2], fullmatch: [1, 2], findall: [1, 2], finditer: [1, 2],
  split: [1, 3], sub: [2, 4], subn: [2, 4],
});

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  const dot = name?.lastIndexOf('.') ?? -1;
  // only `re`: the `regex` module has atomic groups and possessive quantifiers this reader does not know
  if (!name || name.slice(0, dot) !== 're') return;
  const where = PY_REGEX[name.slice(dot + 1)];
  if (!where || isTestCode(file.path)) return;
  const arg = file.argument(node, 0, 'pattern');
  const pattern = arg && file.stringValue(arg);
  if (pattern === undefined || !arg) return;
  const flags = pyFlags(file.argument(node, where[1], 'flags'), ctx);
  if (flags === undefined) return;
  // fullmatch must reach the end: as if the pattern ended with `$`
  const read = name.endsWith('.fullmatch') ? `(?:${pattern})$` : pattern;
  const danger = check(read, flags, 'python');
  if (!danger) return;
  const input = where[0] >= 0 ? file.argument(node, where[0], 'string') : undefined;
  reportWith(read, danger, file.range(arg), input ? file.valueOf(input) : undefined, ctx.report);
}

/** `re.I | re.S` -> 'is'; undefined for VERBOSE (whitespace and comments change the pattern) or unknown flags. */
function pyFlags(node: Node | undefined, ctx: PyContext): string | undefined {
  if (!node) return '';
  if (node.type === 'binary_operator') {
    const l = pyFlags(node.childForFieldName('left') ?? undefined, ctx);
    const r = pyFlags(node.childForFieldName('right') ?? undefined, ctx);
    return l === undefined || r === undefined ? undefined : l + r;
  }
  if (node.type === 'integer' && node.text === '0') return '';
  const q = ctx.file.qualifiedName(node);
  if (!q || !q.startsWith('re.')) return undefined;
  const f = q.slice(3);
  if (f === 'I' || f === 'IGNORECASE') return 'i';
  if (f === 'S' || f === 'DOTALL') return 's';
  if (f === 'X' || f === 'VERBOSE') return undefined;
  return '';
}

/** The text a regex is applied to right where it is written: `re.test(x)`, `re.exec(x)`, `x.match(re)`, `x.replace(re, ...)`. */
function matchedInput(node: ts.Expression, ctx: JsContext): ts.Expression | undefined {
  let n: ts.Node = node;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isPropertyAccessExpression(p) && p.expression === n && /^(test|exec)$/.test(p.name.text)
    && ts.isCallExpression(p.parent) && p.parent.expression === p) return p.parent.arguments[0];
  if (ts.isCallExpression(p) && p.arguments[0] === n) {
    const callee = skipOuter(p.expression);
    if (ts.isPropertyAccessExpression(callee) && /^(match|matchAll|replace|replaceAll|split|search)$/.test(callee.name.text)
      && !ctx.file.callName(p)) return callee.expression;
  }
  return undefined;
}
