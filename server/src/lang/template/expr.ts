/**
 * Small readers over one already-extracted template expression (the text between two delimiters, bounded
 * by the tag): its top-level filter list and the variables it reads. Linear scans, no regular expressions
 * over the template.
 */

/** A variable an output reads: `user` in `user.name`, with the member read from it (`args` in `request.args.q`). */
export interface Root { name: string; member?: string }

const IDENT_START = /[A-Za-z_$]/;
const IDENT = /[\w$]/;

/** Words that are not variables in Jinja, Django, Nunjucks, JavaScript or Handlebars expressions. */
const KEYWORDS = new Set([
  'and', 'or', 'not', 'in', 'is', 'if', 'else', 'elif', 'true', 'false', 'none', 'True', 'False', 'None', 'null',
  'undefined', 'typeof', 'new', 'instanceof', 'void', 'this', 'loop', 'super', 'self', 'caller', 'varargs', 'kwargs',
  'function', 'return', 'var', 'let', 'const', 'of', 'as', 'with', 'forloop', 'block', 'locals',
]);

/** Skips a quoted string starting at `i` (on its quote); returns the index after the closing quote. */
export function skipString(text: string, i: number, end = text.length): number {
  const q = text[i];
  for (let j = i + 1; j < end; j++) {
    if (text[j] === '\\') { j++; continue; }
    if (text[j] === q) return j + 1;
  }
  return end;
}

/** Splits at a separator character outside strings and brackets (`a|safe|e`, `x || y` is kept whole for `|`). */
export function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') { i = skipString(text, i) - 1; continue; }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === sep && depth === 0) {
      // `||` is JavaScript's or, not a filter
      if (sep === '|' && (text[i + 1] === '|' || text[i - 1] === '|')) continue;
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** A filter's name: `safe` in ` safe `, `default` in `default:"x"` or `default('x')`. */
export function filterName(part: string): string {
  const t = part.trim();
  let i = 0;
  while (i < t.length && IDENT.test(t[i])) i++;
  return t.slice(0, i);
}

/**
 * The variables an expression reads: identifiers not after a dot, not called as functions, not keywords,
 * outside strings. `url_for('x')` reads nothing; `user.name ~ x` reads `user` and `x`.
 */
export function rootsOf(expr: string): Root[] {
  const out: Root[] = [];
  const n = expr.length;
  for (let i = 0; i < n;) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === '`') { i = skipString(expr, i); continue; }
    if (!IDENT_START.test(c)) { i++; continue; }
    let j = i + 1;
    while (j < n && IDENT.test(expr[j])) j++;
    const name = expr.slice(i, j);
    let before = i - 1;
    while (before >= 0 && expr[before] === ' ') before--;
    let after = j;
    while (after < n && expr[after] === ' ') after++;
    const afterDot = before >= 0 && expr[before] === '.';
    const called = expr[after] === '(';
    // `key=value` in a call or a Handlebars hash: the key is not a variable
    const keyword = expr[after] === '=' && expr[after + 1] !== '=';
    if (!afterDot && !called && !keyword && !KEYWORDS.has(name) && !/^\d/.test(name)) {
      let member: string | undefined;
      if (expr[after] === '.') {
        let k = after + 1;
        while (k < n && IDENT.test(expr[k])) k++;
        member = expr.slice(after + 1, k) || undefined;
      }
      if (!out.some((r) => r.name === name)) out.push({ name, ...(member ? { member } : {}) });
    }
    i = j;
  }
  return out;
}

/** The first word of a tag (`autoescape` in `autoescape false`), and the rest. */
export function firstWord(text: string): [string, string] {
  const t = text.trim();
  let i = 0;
  while (i < t.length && /[\w-]/.test(t[i])) i++;
  return [t.slice(0, i), t.slice(i).trim()];
}
