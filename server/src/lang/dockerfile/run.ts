import type { Heredoc, Instruction } from 'dockerfile-ast';
import { basename } from '../shell/commands';
import { tokenizeShell, type ShellScript, type SimpleCommand, type Word } from '../shell/words';

/**
 * A `RUN` instruction's shell text as simple commands, with offsets into the Dockerfile. Shell
 * form is tokenized with Docker's continuation rules; exec form (`["sh", "-c", "..."]`) becomes
 * one command whose `-c` script is tokenized when it has no JSON escapes; a heredoc body
 * (`RUN <<EOF`, `RUN bash <<EOF`) is read as the script when the shell runs it.
 */
export interface RunScript {
  commands: SimpleCommand[];
  comments: ShellScript['comments'];
  errors: ShellScript['errors'];
  /** A heredoc that was not read as a shell script (fed to another program, or written to a file). */
  opaqueHeredoc: boolean;
  heredocs: Heredoc[];
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'busybox']);

export function runScript(text: string, run: Instruction, offset: (p: { line: number; character: number }) => number, escape: string): RunScript {
  const out: RunScript = { commands: [], comments: [], errors: [], opaqueHeredoc: false, heredocs: [] };
  const args = run.getArgumentsRange();
  if (!args) return out;
  const start = offset(args.start);
  const end = offset(run.getRange().end);
  // dockerfile-ast recomputes its argument lists on every call: ask only when the text needs it
  if (text[start] === '[') {
    const json = (run as unknown as { getJSONStrings?: () => { getRange(): { start: { line: number; character: number }; end: { line: number; character: number } } }[] }).getJSONStrings?.() ?? [];
    if (json.length > 0) return execForm(text, json.map((s) => [offset(s.getRange().start), offset(s.getRange().end)]), out);
  }
  const heredocs = text.slice(start, end).includes('<<') ? (run as unknown as { getHeredocs?: () => Heredoc[] }).getHeredocs?.() ?? [] : [];
  out.heredocs = heredocs;
  if (heredocs.length === 0) {
    merge(out, tokenizeShell(text, start, end, { dockerEscape: escape }));
    return out;
  }
  // the command line ends where the first heredoc's body begins
  const first = heredocs[0];
  const bodyRange = first.getContentRange();
  const bodyStart = bodyRange ? offset(bodyRange.start) : end;
  const head = tokenizeShell(text, start, Math.min(bodyStart, end), { dockerEscape: escape });
  merge(out, head);
  const real = head.commands.filter((c) => c.words.length > 0);
  const runsBody = real.length === 0
    || (real.length === 1 && SHELLS.has(basename(real[0].words[0].value)) && !real[0].words.slice(1).some((w) => !w.value.startsWith('-')));
  if (runsBody && bodyRange && heredocs.length === 1) {
    const body = tokenizeShell(text, bodyStart, offset(bodyRange.end));
    out.commands.push(...body.commands);
    out.comments.push(...body.comments);
    out.errors.push(...body.errors);
  } else {
    out.opaqueHeredoc = true;
  }
  return out;
}

function merge(out: RunScript, s: ShellScript): void {
  out.commands.push(...s.commands);
  out.comments.push(...s.comments);
  out.errors.push(...s.errors);
}

function execForm(text: string, spans: [number, number][], out: RunScript): RunScript {
  const words: Word[] = [];
  for (const [s, e] of spans) {
    let value: string;
    try {
      value = JSON.parse(text.slice(s, e)) as string;
    } catch {
      return out;
    }
    words.push({ value, start: s, end: e, quoted: true, dynamic: false, subs: [] });
  }
  if (words.length === 0) return out;
  const command: SimpleCommand = { assignments: [], words, redirects: [], connector: '', start: spans[0][0], end: spans[spans.length - 1][1] };
  out.commands.push(command);
  // ["sh", "-c", "script"]: the script is shell text; read it in place when it holds no JSON escapes
  const c = words.findIndex((w) => w.value === '-c');
  const script = c > 0 ? words[c + 1] : undefined;
  if (script && SHELLS.has(basename(words[0].value)) && script.end - script.start === script.value.length + 2) {
    const inner = tokenizeShell(text, script.start + 1, script.end - 1);
    out.commands.push(...inner.commands);
    out.errors.push(...inner.errors);
  }
  return out;
}
