import ts from 'typescript';
import type { JsFile } from './front';

/**
 * Rewrites a query built with a template literal or `+` into placeholders plus a list of values,
 * keeping the program's meaning: a quoted `'${name}'` loses its quotes, `LIKE '%${t}%'` becomes
 * `LIKE ?` with the value `` `%${t}%` ``. Gives up (undefined) when a non-constant part is not in a
 * value position (a table or column name, a fragment of SQL).
 */
export type PlaceholderStyle = 'dollar' | 'question' | 'colon-number' | 'named' | 'tagged';

export interface Parameterized {
  /** Source text of the new query expression (or, for `tagged`, of the template including backticks). */
  query: string;
  /** Source texts of the values, in placeholder order. */
  values: string[];
  /** For `named`: the placeholder names, parallel to `values`. */
  names: string[];
}

type Seg = { text: string } | { expr: ts.Expression; keep: boolean };

export function segmentsOf(file: JsFile, e: ts.Expression): Seg[] | undefined {
  if (ts.isTemplateExpression(e)) {
    const out: Seg[] = [{ text: e.head.text }];
    for (const span of e.templateSpans) {
      out.push({ expr: span.expression, keep: isConstant(file, span.expression) });
      out.push({ text: span.literal.text });
    }
    return out;
  }
  if (ts.isNoSubstitutionTemplateLiteral(e) || ts.isStringLiteral(e)) return [{ text: e.text }];
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const out: Seg[] = [];
    const flat = (x: ts.Expression): boolean => {
      while (ts.isParenthesizedExpression(x)) x = x.expression;
      if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken) return flat(x.left) && flat(x.right);
      if (ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x)) { out.push({ text: x.text }); return true; }
      if (ts.isTemplateExpression(x)) { out.push(...segmentsOf(file, x)!); return true; }
      out.push({ expr: x, keep: isConstant(file, x) });
      return true;
    };
    if (!flat(e)) return undefined;
    // the first operand must be a string, or `+` may be an addition
    if (!('text' in out[0]) && !('text' in (out[1] ?? {}))) return undefined;
    return out;
  }
  return undefined;
}

function isConstant(file: JsFile, e: ts.Expression): boolean {
  return file.valueOf(e).kind === 'constant';
}

const VALUE_BEFORE = /(?:=|<|>|<>|!=|\bLIKE|\bILIKE|\bLIMIT|\bOFFSET|\bBETWEEN\s+\S+\s+AND|\bBETWEEN)\s*$/i;
const LIST_OPEN = /\b(?:IN|VALUES)\s*\(\s*$/i;

export function parameterize(file: JsFile, e: ts.Expression, style: PlaceholderStyle, first = 1): Parameterized | undefined {
  const segs = segmentsOf(file, e);
  if (!segs || !segs.some((s) => 'expr' in s && !s.keep)) return undefined;
  const pieces: ({ lit: string } | { code: string })[] = [];
  const values: string[] = [];
  const names: string[] = [];
  const lit = (s: string) => {
    const last = pieces[pieces.length - 1];
    if (last && 'lit' in last) last.lit += s; else pieces.push({ lit: s });
  };
  const litBefore = (): string => {
    const last = pieces[pieces.length - 1];
    return last && 'lit' in last ? last.lit : '';
  };
  const allLit = (): string => pieces.map((p) => ('lit' in p ? p.lit : 'x')).join('');
  const placeholder = (valueCode: string, expr: ts.Expression | undefined) => {
    const n = first + values.length;
    values.push(valueCode);
    if (style === 'named') {
      let name = expr && ts.isIdentifier(expr) ? expr.text : expr && ts.isPropertyAccessExpression(expr) ? expr.name.text : `p${n}`;
      while (names.includes(name)) name = `${name}${n}`;
      names.push(name);
      lit(`:${name}`);
    } else if (style === 'tagged') pieces.push({ code: valueCode });
    else lit(style === 'dollar' ? `$${n}` : style === 'colon-number' ? `:${n}` : '?');
  };
  const text = (code: string) => code;

  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if ('text' in s) { lit(s.text); continue; }
    if (s.keep) { pieces.push({ code: text(file.textOf(s.expr)) }); continue; }
    // a list joined into the text (`IN (${ids.join(',')})`) is several values, not one parameter
    if (isJoin(s.expr)) return undefined;
    const before = litBefore();
    const quotes = (allLit().match(/'/g) ?? []).length;
    if (quotes % 2 === 1) {
      // inside a quoted SQL string: the whole literal becomes one placeholder
      const open = before.lastIndexOf("'");
      if (open < 0) return undefined;
      const prefix = before.slice(open + 1);
      (pieces[pieces.length - 1] as { lit: string }).lit = before.slice(0, open);
      const inner: ({ t: string } | { x: ts.Expression })[] = [];
      if (prefix) inner.push({ t: prefix });
      inner.push({ x: s.expr });
      let j = i + 1;
      let closed = false;
      for (; j < segs.length; j++) {
        const n = segs[j];
        if ('text' in n) {
          const q = n.text.indexOf("'");
          if (q >= 0) {
            if (n.text[q + 1] === "'") return undefined; // an escaped quote: leave it to a human
            if (q > 0) inner.push({ t: n.text.slice(0, q) });
            segs[j] = { text: n.text.slice(q + 1) };
            closed = true;
            break;
          }
          inner.push({ t: n.text });
        } else {
          if (isJoin(n.expr)) return undefined;
          inner.push({ x: n.expr });
        }
      }
      if (!closed || /["\\]$/.test(before.slice(0, open))) return undefined;
      const single = inner.length === 1 && 'x' in inner[0] ? inner[0].x : undefined;
      const code = single ? file.textOf(single)
        : '`' + inner.map((p) => ('t' in p ? escapeTemplate(p.t) : '${' + file.textOf(p.x) + '}')).join('') + '`';
      placeholder(code, single);
      i = j - 1;
      continue;
    }
    // trimEnd, endsWith: `\s+$`-style patterns are quadratic on a long run of spaces
    const trimmed = before.trimEnd();
    const next = segs[i + 1];
    const after = next && 'text' in next ? next.text : next ? 'x' : '';
    const inList = LIST_OPEN.test(trimmed + ' ') || (trimmed.endsWith(',') && insideList(allLit()));
    if (!(VALUE_BEFORE.test(trimmed) || inList) || /^[\w"`.$]/.test(after)) return undefined;
    if (trimmed.endsWith('"') || trimmed.endsWith('`')) return undefined;
    placeholder(file.textOf(s.expr), s.expr);
  }
  const hasCode = pieces.some((p) => 'code' in p);
  let query: string;
  if (hasCode || style === 'tagged') {
    query = '`' + pieces.map((p) => ('lit' in p ? escapeTemplate(p.lit) : '${' + p.code + '}')).join('') + '`';
  } else {
    const all = pieces.map((p) => (p as { lit: string }).lit).join('');
    query = !all.includes("'") && !all.includes('\n') ? `'${all.replace(/\\/g, '\\\\')}'`
      : '`' + escapeTemplate(all) + '`';
  }
  return { query, values, names };
}

/**
 * Does a value spliced between `before` and `after` sit where SQL expects a value (a comparison operand,
 * a quoted string, LIMIT/OFFSET, an IN or VALUES list) rather than an identifier or a fragment of SQL?
 */
export function inValuePosition(before: string, after: string): boolean {
  if (((before.match(/'/g) ?? []).length % 2) === 1) return true;
  const trimmed = before.trimEnd();
  if (/["`]$/.test(trimmed)) return false;
  if (/^[\w"`.$]/.test(after)) return false;
  return VALUE_BEFORE.test(trimmed) || LIST_OPEN.test(trimmed + ' ') || (/,$/.test(trimmed) && insideList(trimmed));
}

function isJoin(e: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'join';
}

/** Is the end of `sql` inside an unclosed `IN (` or `VALUES (` list? */
function insideList(sql: string): boolean {
  let depth = 0;
  for (let i = sql.length - 1; i >= 0; i--) {
    const c = sql[i];
    if (c === ')') depth++;
    else if (c === '(') {
      if (depth === 0) return LIST_OPEN.test(sql.slice(0, i + 1));
      depth--;
    }
  }
  return false;
}

export function escapeTemplate(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

/** The constant text a query starts with, for recognising SQL behind an unknown database object. */
export function leadingText(file: JsFile, e: ts.Expression): string {
  const segs = segmentsOf(file, e);
  if (!segs) return file.stringValue(e) ?? '';
  let out = '';
  for (const s of segs) {
    if ('text' in s) out += s.text;
    else if (s.keep) out += file.stringValue(s.expr) ?? ' x ';
    else out += ' ? ';
  }
  return out;
}

const SQL_START = /^\(?\s*(?:SELECT\s|INSERT\s+INTO\s|UPDATE\s+\S+\s+SET\s|DELETE\s+FROM\s|WITH\s+\w+\s+AS\s*\(|CREATE\s+(?:TABLE|INDEX|VIEW|UNIQUE|TEMP)|DROP\s+(?:TABLE|INDEX|VIEW)|ALTER\s+TABLE|REPLACE\s+INTO|MERGE\s+INTO|TRUNCATE\s|EXEC(?:UTE)?\s|CALL\s|PRAGMA\s|GRANT\s|SHOW\s|DESCRIBE\s)/i;

export function looksLikeSql(text: string): boolean {
  // `Select a file from...` is prose: SQL keywords are written in one case
  // trimmed first: `^\s*\(?\s*` is quadratic on a long run of spaces that does not match
  const t = text.trimStart();
  const word = /^\(?\s*([A-Za-z]+)/.exec(t)?.[1] ?? '';
  if (word !== word.toUpperCase() && word !== word.toLowerCase()) return false;
  return SQL_START.test(t) && (!/^\(?\s*SELECT\s/i.test(t) || /\bFROM\b|\bSELECT\s+\d|\bSELECT\s+\w+\s*\(/i.test(t));
}
