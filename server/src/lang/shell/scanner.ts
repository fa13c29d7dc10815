import type { ShellScript, SimpleCommand, TokenizeOptions, Word } from './types';

/**
 * The word level of the shell tokenizer: one word at a time (quotes, escapes, expansions, command
 * and process substitutions, escaped newlines), each loop advancing through the text. The command
 * level (operators, redirections, compound commands) is `Lexer` in words.ts, which also tokenizes
 * the substitutions this level finds (`nested`).
 */
export abstract class WordScanner {
  protected i: number;

  constructor(
    protected readonly text: string,
    start: number,
    protected readonly end: number,
    protected readonly options: TokenizeOptions,
    protected readonly depth: number,
    protected readonly out: ShellScript,
  ) {
    this.i = start;
  }

  /** Tokenizes a command substitution's text (`$(...)`, backquotes, `<(...)`). */
  protected abstract nested(from: number, to: number): SimpleCommand[];

  /** An escaped newline (a Dockerfile's escape character, trailing blanks allowed): skipped. */
  protected continuation(at: number): boolean {
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


  protected word(): Word | undefined {
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
}
