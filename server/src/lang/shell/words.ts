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

export interface Word {
  /** The word after quote removal; expansions are kept as written. */
  value: string;
  /** Offsets of the word as written (quotes included) in the source text. */
  start: number;
  end: number;
  quoted: boolean;
  /** Holds a parameter expansion or a command substitution: its value is not known. */
  dynamic: boolean;
  /** Command and process substitutions inside the word, each tokenized. */
  subs: SimpleCommand[][];
}

export interface Redirect { op: string; target?: Word; start: number; end: number }

export type Connector = '' | '|' | '|&' | '&&' | '||' | ';' | '&' | '\n';

export interface SimpleCommand {
  /** `NAME=value` words before the command name. */
  assignments: Word[];
  words: Word[];
  redirects: Redirect[];
  /** The operator that joins this command to the one before it ('' for the first). */
  connector: Connector;
  start: number;
  end: number;
}

export interface ShellComment { start: number; end: number; text: string }

export interface ShellScript {
  commands: SimpleCommand[];
  comments: ShellComment[];
  errors: { offset: number; message: string }[];
}

export interface TokenizeOptions {
  /**
   * Dockerfile `RUN` text: the line continuation is the Dockerfile's escape character (trailing
   * blanks allowed), continued lines that are empty or start with `#` are dropped by Docker, a `#`
   * comment runs to the end of the instruction, and heredoc bodies are not part of the text.
   */
  dockerEscape?: string;
}

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

class Lexer {
  private i: number;
  private cur: SimpleCommand;
  private pending: Connector = '';
  private heredocs: { delim: string; strip: boolean }[] = [];
  /** `for x in ...`, `case x in`: words skipped until the header ends. */
  private skip: 'none' | 'for' | 'case' | 'pattern' = 'none';
  private cases = 0;
  private nesting = 0;

  constructor(
    private readonly text: string,
    start: number,
    private readonly end: number,
    private readonly options: TokenizeOptions,
    private readonly depth: number,
    private readonly out: ShellScript,
  ) {
    this.i = start;
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

  /** An escaped newline (a Dockerfile's escape character, trailing blanks allowed): skipped. */
  private continuation(at: number): boolean {
    const t = this.text;
    const esc = this.options.dockerEscape ?? '\\';
    if (t[at] !== esc) return false;
    let j = at + 1;
    if (this.options.dockerEscape !== undefined) while (j < this.end && (t[j] === ' ' || t[j] === '\t')) j++;
    if (t[j] === '\r') j++;
    if (j >= this.end && this.options.dockerEscape !== undefined) { this.i = this.end; return true; }
    if (t[j] !== '\n') return false;
    j++;
    if (this.options.dockerEscape !== undefined) {
      // Docker drops empty lines and comment lines inside a continued instruction
      for (;;) {
        let k = j;
        while (k < this.end && (t[k] === ' ' || t[k] === '\t' || t[k] === '\r')) k++;
        if (k < this.end && t[k] === '#') {
          const nl = t.indexOf('\n', k);
          const stop = nl < 0 || nl >= this.end ? this.end : nl + 1;
          this.out.comments.push({ start: k, end: stop, text: t.slice(k + 1, stop).trimEnd() });
          j = stop;
        } else if (k < this.end && t[k] === '\n') {
          j = k + 1;
        } else break;
      }
    }
    this.i = j;
    return true;
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
  private word(): Word | undefined {
    const t = this.text;
    const start = this.i;
    let value = '';
    let quoted = false;
    let dynamic = false;
    const subs: SimpleCommand[][] = [];
    while (this.i < this.end) {
      const c = t[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        if (c === '\r' && t[this.i + 1] !== '\n') { value += c; this.i++; continue; }
        break;
      }
      if (this.continuation(this.i)) continue;
      if ((c === '<' || c === '>') && t[this.i + 1] === '(' && this.i === start) {
        const close = this.balanced(this.i + 2, '(', ')');
        subs.push(this.nested(this.i + 2, close));
        value += t.slice(this.i, Math.min(close + 1, this.end));
        dynamic = true;
        this.i = Math.min(close + 1, this.end);
        continue;
      }
      if (c === '|' || c === '&' || c === ';' || c === '<' || c === '>' || c === '(' || c === ')') break;
      if (c === '\\') {
        if (this.i + 1 < this.end) value += t[this.i + 1];
        this.i += 2;
        continue;
      }
      if (c === "'") {
        const close = t.indexOf("'", this.i + 1);
        const stop = close < 0 || close >= this.end ? this.end : close;
        if (stop === this.end) this.out.errors.push({ offset: this.i, message: 'unterminated single quote' });
        value += t.slice(this.i + 1, stop);
        quoted = true;
        this.i = stop + 1;
        continue;
      }
      if (c === '"') {
        quoted = true;
        const r = this.doubleQuoted(this.i + 1, subs);
        value += r.value;
        dynamic ||= r.dynamic;
        this.i = r.end;
        continue;
      }
      if (c === '$' && t[this.i + 1] === "'") {
        quoted = true;
        let j = this.i + 2;
        while (j < this.end && t[j] !== "'") j += t[j] === '\\' ? 2 : 1;
        value += t.slice(this.i + 2, Math.min(j, this.end));
        this.i = Math.min(j + 1, this.end);
        continue;
      }
      if (c === '$' || c === '`') {
        const e = this.expansion(this.i, subs);
        if (e > this.i + 1 || c === '`') dynamic = true;
        value += t.slice(this.i, e);
        this.i = e;
        continue;
      }
      value += c;
      this.i++;
    }
    if (this.i === start) { this.i++; return undefined; }
    return { value, start, end: Math.min(this.i, this.end), quoted, dynamic, subs };
  }

  private doubleQuoted(from: number, subs: SimpleCommand[][]): { value: string; dynamic: boolean; end: number } {
    const t = this.text;
    let j = from;
    let value = '';
    let dynamic = false;
    while (j < this.end && t[j] !== '"') {
      const c = t[j];
      if (c === '\\') {
        if (this.continuation(j)) { j = this.i; continue; }
        const n = t[j + 1];
        value += n === '$' || n === '`' || n === '"' || n === '\\' ? n : c + (n ?? '');
        j += 2;
        continue;
      }
      if (this.options.dockerEscape !== undefined && this.continuation(j)) { j = this.i; continue; }
      if (c === '$' || c === '`') {
        const e = this.expansion(j, subs);
        if (e > j + 1 || c === '`') dynamic = true;
        value += t.slice(j, e);
        j = e;
        continue;
      }
      value += c;
      j++;
    }
    if (j >= this.end) this.out.errors.push({ offset: from - 1, message: 'unterminated double quote' });
    return { value, dynamic, end: Math.min(j + 1, this.end) };
  }

  /** The end of the expansion starting at `at` (`$X`, `${...}`, `$(...)`, `$((...))`, backquotes). */
  private expansion(at: number, subs: SimpleCommand[][]): number {
    const t = this.text;
    if (t[at] === '`') {
      let j = at + 1;
      while (j < this.end && t[j] !== '`') j += t[j] === '\\' ? 2 : 1;
      subs.push(this.nested(at + 1, Math.min(j, this.end)));
      return Math.min(j + 1, this.end);
    }
    const n = t[at + 1];
    if (n === '(') {
      if (t[at + 2] === '(') return Math.min(this.balanced(at + 2, '(', ')') + 1, this.end);
      const close = this.balanced(at + 2, '(', ')');
      subs.push(this.nested(at + 2, close));
      return Math.min(close + 1, this.end);
    }
    if (n === '{') return Math.min(this.balanced(at + 2, '{', '}') + 1, this.end);
    let j = at + 1;
    if (j < this.end && /[A-Za-z_]/.test(t[j])) {
      while (j < this.end && /[A-Za-z0-9_]/.test(t[j])) j++;
      return j;
    }
    if (j < this.end && /[0-9@*#?$!-]/.test(t[j])) return j + 1;
    return at + 1; // a lone `$`
  }

  /** The offset of the bracket closing one opened just before `from` (quotes respected), or the end. */
  private balanced(from: number, open: string, close: string): number {
    const t = this.text;
    let depth = 1;
    let j = from;
    const heredocs: string[] = [];
    while (j < this.end) {
      const c = t[j];
      if (c === '\\') { j += 2; continue; }
      if (c === '<' && t[j + 1] === '<' && t[j + 2] !== '<' && open === '(') {
        // a here-document inside `$(...)`: its body is skipped at the next newline
        const m = /^<<-?[ \t]*(['"]?)([A-Za-z_][\w.-]*)\1/.exec(t.slice(j, Math.min(j + 80, this.end)));
        if (m) { heredocs.push(m[2]); j += m[0].length; continue; }
      }
      if (c === '\n' && heredocs.length > 0) {
        j++;
        for (const delim of heredocs.splice(0)) {
          while (j < this.end) {
            const nl = t.indexOf('\n', j);
            const stop = nl < 0 || nl >= this.end ? this.end : nl;
            const line = t.slice(j, stop).replace(/^\t+/, '').trimEnd();
            j = stop < this.end ? stop + 1 : this.end;
            if (line === delim) break;
          }
        }
        continue;
      }
      if (c === "'" && open === '(') {
        const q = t.indexOf("'", j + 1);
        j = q < 0 || q >= this.end ? this.end : q + 1;
        continue;
      }
      if (c === '"') {
        // a quoted string inside: skip it, counting nothing (nested substitutions in it balance themselves)
        let k = j + 1;
        let inner = 0;
        while (k < this.end && (t[k] !== '"' || inner > 0)) {
          if (t[k] === '\\') k++;
          else if (t[k] === '$' && t[k + 1] === '(') { inner++; k++; } else if (t[k] === ')' && inner > 0) inner--;
          k++;
        }
        j = k + 1;
        continue;
      }
      if (c === open) depth++;
      else if (c === close && --depth === 0) return j;
      j++;
    }
    this.out.errors.push({ offset: from, message: `unclosed \`${open}\`` });
    return this.end;
  }

  /** Tokenizes a command substitution's text (up to MAX_DEPTH levels). */
  private nested(from: number, to: number): SimpleCommand[] {
    if (this.depth >= MAX_DEPTH || ++this.nesting > MAX_NESTING || to <= from) return [];
    const inner: ShellScript = { commands: [], comments: [], errors: [] };
    new Lexer(this.text, from, to, this.options, this.depth + 1, inner).run();
    return inner.commands;
  }
}
