import { lineStartsOf, positionAt } from '../../engine/edits';
import type { Range } from '../../engine/types';

/**
 * The `.env` front: `KEY=value` lines (`export KEY=value`, single, double and backquoted values,
 * double-quoted values across lines, `#` comments) with positions. One pass over the text.
 */
export interface DotenvEntry {
  key: string;
  /** The value after quote removal (escapes in double quotes resolved). */
  value: string;
  quoted: '' | '"' | "'" | '`';
  /** Refers to other variables (`${X}`, `$X` outside single quotes). */
  dynamic: boolean;
  keyRange: Range;
  valueRange: Range;
  line: number;
}

export class DotenvFile {
  readonly entries: DotenvEntry[] = [];
  readonly errors: string[] = [];
  private readonly commentList: { line: number; text: string }[] = [];
  private readonly lineStarts: number[];

  constructor(readonly path: string, readonly text: string) {
    this.lineStarts = lineStartsOf(text);
    this.parse();
  }

  rangeOf(start: number, end: number): Range {
    return { start: positionAt(start, this.lineStarts), end: positionAt(end, this.lineStarts) };
  }

  comments(): { line: number; text: string }[] {
    return this.commentList;
  }

  private parse(): void {
    const t = this.text;
    let i = 0;
    while (i < t.length) {
      const nl = t.indexOf('\n', i);
      const lineEnd = nl < 0 ? t.length : nl;
      i = this.line(i, lineEnd);
    }
  }

  /** Reads the line starting at `start`; returns where the next line starts. */
  private line(start: number, lineEnd: number): number {
    const t = this.text;
    let i = start;
    const skipBlanks = () => { while (i < lineEnd && (t[i] === ' ' || t[i] === '\t' || t[i] === '\r')) i++; };
    skipBlanks();
    if (i >= lineEnd) return lineEnd + 1;
    if (t[i] === '#') {
      this.commentList.push({ line: positionAt(i, this.lineStarts).line, text: t.slice(i + 1, lineEnd).trim() });
      return lineEnd + 1;
    }
    if (t.startsWith('export ', i) || t.startsWith('export\t', i)) { i += 7; skipBlanks(); }
    const keyStart = i;
    while (i < lineEnd && /[A-Za-z0-9_.-]/.test(t[i])) i++;
    const key = t.slice(keyStart, i);
    const keyEnd = i;
    skipBlanks();
    if (!key || (t[i] !== '=' && t[i] !== ':')) {
      // a bare `KEY` passes the variable through from the environment (docker --env-file)
      if (key !== '' && i >= lineEnd) return lineEnd + 1;
      this.errors.push(`line ${positionAt(start, this.lineStarts).line + 1}: not a KEY=value line`);
      return lineEnd + 1;
    }
    i++;
    skipBlanks();
    const q = t[i];
    let value: string;
    let valueStart: number;
    let valueEnd: number;
    let next = lineEnd + 1;
    let quoted: DotenvEntry['quoted'] = '';
    if (q === '"' || q === "'" || q === '`') {
      quoted = q;
      valueStart = i + 1;
      // a quoted value may run over several lines; it ends at the next unescaped quote
      let j = valueStart;
      while (j < t.length && t[j] !== q) j += t[j] === '\\' && q === '"' ? 2 : 1;
      if (j >= t.length) {
        this.errors.push(`line ${positionAt(start, this.lineStarts).line + 1}: unterminated ${q} quote`);
        valueEnd = lineEnd;
      } else {
        valueEnd = j;
        const after = t.indexOf('\n', j);
        next = after < 0 ? t.length + 1 : after + 1;
        const rest = t.slice(j + 1, after < 0 ? t.length : after);
        const hash = rest.indexOf('#');
        if (hash >= 0) this.commentList.push({ line: positionAt(j + 1 + hash, this.lineStarts).line, text: rest.slice(hash + 1).trim() });
      }
      const raw = t.slice(valueStart, valueEnd);
      value = q === '"' ? raw.replace(/\\([nrt"\\$])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[c] ?? c) : raw;
    } else {
      valueStart = i;
      // an unquoted value ends at ` #` (an inline comment) or the end of the line
      let j = i;
      while (j < lineEnd && !(t[j] === '#' && (j === i || t[j - 1] === ' ' || t[j - 1] === '\t'))) j++;
      if (j < lineEnd) this.commentList.push({ line: positionAt(j, this.lineStarts).line, text: t.slice(j + 1, lineEnd).trim() });
      valueEnd = j;
      while (valueEnd > valueStart && /\s/.test(t[valueEnd - 1])) valueEnd--;
      value = t.slice(valueStart, valueEnd);
    }
    this.entries.push({
      key, value, quoted, dynamic: quoted !== "'" && /\$\{?[A-Za-z_]/.test(value),
      keyRange: this.rangeOf(keyStart, keyEnd), valueRange: this.rangeOf(valueStart, valueEnd),
      line: positionAt(keyStart, this.lineStarts).line,
    });
    return next;
  }
}
