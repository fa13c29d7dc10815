import { lineStartsOf, positionAt } from '../../engine/edits';
import type { Range } from '../../engine/types';
import { tokenizeShell, type ShellScript, type SimpleCommand } from './words';

/**
 * The shell front (`.sh`, `.bash`): a script of simple commands, with positions. Read by the
 * rules that look at what a script downloads and runs.
 */
export class ShellFile {
  readonly script: ShellScript;
  private readonly lineStarts: number[];

  constructor(readonly path: string, readonly text: string) {
    this.lineStarts = lineStartsOf(text);
    this.script = tokenizeShell(text);
  }

  /** Every simple command, those inside command substitutions included (after their parent). */
  get commands(): SimpleCommand[][] {
    return [this.script.commands];
  }

  /**
   * Syntax errors: none. The tokenizer reads only as much shell as the rules need; what it cannot
   * follow (a here-document inside `$(...)`) is its limit, not the script's error.
   */
  get errors(): string[] {
    return [];
  }

  rangeOf(start: number, end: number): Range {
    return { start: positionAt(start, this.lineStarts), end: positionAt(end, this.lineStarts) };
  }

  comments(): { line: number; text: string }[] {
    return this.script.comments.map((c) => ({ line: positionAt(c.start, this.lineStarts).line, text: c.text }));
  }
}
