/** The shell tokenizer's output: simple commands with their words, each with offsets into the source. */

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
