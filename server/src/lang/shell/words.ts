import { WordScanner } from './scanner';
import type { Connector, ShellScript, SimpleCommand, TokenizeOptions, Word } from './types';

/**
 * A small, linear shell tokenizer: enough of POSIX sh to split a script into simple commands
 * (joined by pipes, `&&`, `||`, `;`, `&` and newlines) with their words, assignments and
 * redirections, each with offsets into the source. It is not an interpreter: quotes and escapes
 * are removed, expansions (`$X`, `${X}`, `$(...)`, backquotes) are kept as written and mark the
 * word dynamic, and command substitutions are tokenized again (a few levels deep) so rules can
 * see `sh -c "$(curl ...)"`. Compound commands (`if`, `for`, `while`, `case`, `{ }`, `( )`) are
 * read as the simple commands inside them. Every loop advances through the text: the cost is
 * linear in its length times the (bounded) nesting depth.
 */
export type { Connector, Redirect, ShellComment, ShellScript, SimpleCommand, TokenizeOptions, Word } from './types';

const MAX_DEPTH = 3;
const MAX_NESTING = 64;
const KEYWORDS = new Set(['if', 'then', 'elif', 'else', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'time', 'in']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
const OPERATORS = ['&&', '||', ';;&', ';;', ';&', '|&', ';', '|', '&'];
const REDIRECTS = ['&>>', '<<<', '<<-', '&>', '<<', '<>', '<&', '>>', '>&', '>|', '<', '>'];

export function tokenizeShell(text: string, start = 0, end = text.length, options: TokenizeOptions = {}): ShellScript {
  const out: ShellScript = { commands: [], comments: [], errors: [] };
  new Lexer(text, start, end, options, 0, out).run();
  return out;
}

class Lexer extends WordScanner {
  private cur: SimpleCommand;
  private pending: Connector = '';
  private heredocs: { delim: string; strip: boolean }[] = [];
  /** `for x in ...`, `case x in`: words skipped until the header ends. */
  private skip: 'none' | 'for' | 'case' | 'pattern' = 'none';
  private cases = 0;
  private nesting = 0;

  constructor(text: string, start: number, end: number, options: TokenizeOptions, depth: number, out: ShellScript) {
    super(text, start, end, options, depth, out);
    this.cur = this.fresh(start);
  }

  private fresh(at: number): SimpleCommand {
    return { assignments: [], words: [], redirects: [], connector: '', start: at, end: at };
  }

  run(): void {
    const t = this.text;
    while (this.i < this.end) {
      const c = t[this.i];
      if (c === ' ' || c === '\t' || c === '\r') { this.i++; continue; }
      if (this.continuation(this.i)) continue;
      if (c === '\n') {
        this.i++;
        this.finish('\n');
        if (this.heredocs.length > 0 && this.options.dockerEscape === undefined) this.skipHeredocs();
        continue;
      }
      if (c === '#') { this.comment(); continue; }
      const op = this.operatorAt(this.i);
      if (op) {
        this.i += op.length;
        if (this.skip === 'pattern') continue; // `a|b)`
        if (op === ';;' || op === ';&' || op === ';;&') {
          this.finish(';');
          if (this.cases > 0) this.skip = 'pattern';
        } else {
          this.finish(op as Connector);
        }
        continue;
      }
      if (c === '(' || c === ')') {
        this.i++;
        if (c === ')' && this.skip === 'pattern') { this.cur = this.fresh(this.i); this.skip = 'none'; continue; }
        if (this.skip === 'pattern') continue;
        // `( list )` subshells and `name()` definitions: the parentheses only group
        if (c === ')' || this.cur.words.length > 0) this.finish(';');
        continue;
      }
      const redirect = this.redirectAt(this.i);
      if (redirect) { this.readRedirect(redirect.op, redirect.length); continue; }
      const word = this.word();
      if (word) this.addWord(word);
    }
    this.finish('');
  }

  private comment(): void {
    const t = this.text;
    const start = this.i;
    let stop: number;
    if (this.options.dockerEscape !== undefined) {
      // the shell sees one joined line: the comment runs to the end of the instruction
      stop = this.end;
    } else {
      const nl = t.indexOf('\n', start);
      stop = nl < 0 || nl > this.end ? this.end : nl;
    }
    this.out.comments.push({ start, end: stop, text: t.slice(start + 1, stop).trimEnd() });
    this.i = stop;
  }

  private operatorAt(at: number): string | undefined {
    const t = this.text;
    const c = t[at];
    if (c !== '&' && c !== '|' && c !== ';') return undefined;
    if (c === '&' && t[at + 1] === '>') return undefined; // `&>` redirect
    for (const op of OPERATORS) if (t.startsWith(op, at)) return op;
    return undefined;
  }

  /** A redirection operator at `at`, with an optional file descriptor number before it (`2>&1`). */
  private redirectAt(at: number): { op: string; length: number } | undefined {
    const t = this.text;
    let j = at;
    while (j < this.end && j - at < 3 && t.charCodeAt(j) >= 48 && t.charCodeAt(j) <= 57) j++;
    if ((t[j] === '<' || t[j] === '>') && t[j + 1] === '(' && j === at) return undefined; // process substitution
    for (const op of REDIRECTS) {
      if (t.startsWith(op, j)) return j > at && op.startsWith('&') ? undefined : { op, length: j - at + op.length };
    }
    return undefined;
  }

  private readRedirect(op: string, length: number): void {
    const start = this.i;
    this.i += length;
    const t = this.text;
    while (this.i < this.end && (t[this.i] === ' ' || t[this.i] === '\t')) this.i++;
    let target: Word | undefined;
    if (this.i < this.end && t[this.i] !== '\n' && !this.operatorAt(this.i)) target = this.word();
    if ((op === '<<' || op === '<<-') && target) this.heredocs.push({ delim: target.value, strip: op === '<<-' });
    if (this.skip === 'none') this.cur.redirects.push({ op, target, start, end: target?.end ?? this.i });
    if (this.cur.words.length === 0 && this.cur.assignments.length === 0 && this.cur.redirects.length === 1) this.cur.start = start;
    this.cur.end = this.i;
  }

  private addWord(w: Word): void {
    const c = this.cur;
    if (this.skip === 'pattern') {
      if (!w.quoted && w.value === 'esac') { this.cases = Math.max(0, this.cases - 1); this.skip = 'none'; }
      return;
    }
    if (this.skip === 'for') { if (!w.quoted && w.value === 'do') this.skip = 'none'; return; }
    if (this.skip === 'case') { if (!w.quoted && w.value === 'in') this.skip = 'pattern'; return; }
    if (c.words.length === 0 && !w.quoted) {
      if (w.value === 'esac') { this.cases = Math.max(0, this.cases - 1); return; }
      if (c.assignments.length === 0 && c.redirects.length === 0) {
        if (KEYWORDS.has(w.value)) return;
        if (w.value === 'for' || w.value === 'select') { this.skip = 'for'; return; }
        if (w.value === 'case') { this.skip = 'case'; this.cases++; return; }
        if (w.value === 'function') return;
      }
      if (ASSIGNMENT.test(w.value)) {
        if (c.assignments.length === 0 && c.redirects.length === 0) c.start = w.start;
        c.assignments.push(w);
        c.end = w.end;
        return;
      }
    }
    if (c.words.length === 0 && c.assignments.length === 0 && c.redirects.length === 0) c.start = w.start;
    c.words.push(w);
    c.end = w.end;
  }

  private finish(op: Connector | ''): void {
    const c = this.cur;
    if (this.skip === 'for' && (op === '\n' || op === ';')) this.skip = 'none';
    if (c.words.length > 0 || c.assignments.length > 0 || c.redirects.length > 0) {
      c.connector = this.pending;
      this.out.commands.push(c);
      this.pending = op as Connector;
    } else if (op !== '' && !(op === '\n' && (this.pending === '|' || this.pending === '&&' || this.pending === '||' || this.pending === '|&'))) {
      // a newline after `|`, `&&` or `||` continues the pipeline or list
      this.pending = op as Connector;
    }
    this.cur = this.fresh(this.i);
  }

  private skipHeredocs(): void {
    const t = this.text;
    for (const h of this.heredocs) {
      for (;;) {
        if (this.i >= this.end) { this.out.errors.push({ offset: this.i, message: `unterminated here-document (\`${h.delim}\`)` }); break; }
        const nl = t.indexOf('\n', this.i);
        const stop = nl < 0 || nl >= this.end ? this.end : nl;
        let line = t.slice(this.i, stop).replace(/\r$/, '');
        if (h.strip) line = line.replace(/^\t+/, '');
        this.i = stop < this.end ? stop + 1 : this.end;
        if (line === h.delim) break;
      }
    }
    this.heredocs = [];
  }

  /** One word: quoted parts, escapes and expansions until an unquoted blank or operator. */

  /** Tokenizes a command substitution's text (up to MAX_DEPTH levels). */
  protected nested(from: number, to: number): SimpleCommand[] {
    if (this.depth >= MAX_DEPTH || ++this.nesting > MAX_NESTING || to <= from) return [];
    const inner: ShellScript = { commands: [], comments: [], errors: [] };
    new Lexer(this.text, from, to, this.options, this.depth + 1, inner).run();
    return inner.commands;
  }
}
