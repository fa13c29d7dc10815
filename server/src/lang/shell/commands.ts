import type { SimpleCommand, Word } from './words';

/**
 * Facts about simple commands that several rules ask: which program runs (through `sudo`, `env`
 * and other wrappers), which options it was given, where a download goes.
 */

export interface Invocation {
  /** The program's base name (`/usr/bin/curl` -> `curl`). */
  name: string;
  nameWord: Word;
  args: Word[];
  /** Wrappers the program ran through (`sudo`, `env`...). */
  wrappers: string[];
  command: SimpleCommand;
}

/** Wrappers that run the command after their own options, and their options that take a value. */
const WRAPPERS: Record<string, Set<string>> = {
  sudo: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T', '--user', '--group']),
  doas: new Set(['-u', '-C']),
  env: new Set(['-u', '-C', '-S', '--unset', '--chdir']),
  nohup: new Set(),
  exec: new Set(['-a']),
  command: new Set(),
  nice: new Set(['-n']),
  time: new Set(['-f', '-o']),
  timeout: new Set(['-s', '-k', '--signal', '--kill-after']),
  stdbuf: new Set(['-i', '-o', '-e']),
  eatmydata: new Set(),
  gosu: new Set(),
  'su-exec': new Set(),
  chroot: new Set(),
};
/** Wrappers whose first operand is not the command (a duration, a user). */
const OPERAND_BEFORE: Record<string, number> = { timeout: 1, gosu: 1, 'su-exec': 1, chroot: 1 };

export function basename(value: string): string {
  return value.slice(value.lastIndexOf('/') + 1);
}

/** The program a simple command runs, looking through wrappers; undefined when its name is not known. */
export function invocation(command: SimpleCommand): Invocation | undefined {
  const words = command.words;
  const wrappers: string[] = [];
  let i = 0;
  while (i < words.length && i < 64) {
    const w = words[i];
    if (w.dynamic) return undefined;
    const name = basename(w.value);
    const takesValue = WRAPPERS[name];
    if (!takesValue || (name === 'command' && words[i + 1]?.value.startsWith('-v'))) {
      return { name, nameWord: w, args: words.slice(i + 1), wrappers, command };
    }
    wrappers.push(name);
    i++;
    while (i < words.length && words[i].value.startsWith('-') && words[i].value.length > 1) {
      const opt = words[i].value;
      i++;
      if (opt === '--') break;
      if (takesValue.has(opt)) i++;
    }
    if (name === 'env') while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i].value)) i++;
    i += OPERAND_BEFORE[name] ?? 0;
  }
  return undefined;
}

/** Arguments before `--` (options are not read after it). */
function options(args: Word[]): Word[] {
  const end = args.findIndex((a) => a.value === '--' && !a.quoted);
  return end < 0 ? args : args.slice(0, end);
}

export interface FlagMatch {
  /** The word holding the option. */
  word: Word;
  /** The option's value: inline (`--x=v`), or the next word. */
  value?: string;
  valueWord?: Word;
  /** For a letter inside a cluster of short options (`-fsSLk`): its index in the word. */
  letter?: number;
}

/**
 * Long options (`--insecure`, `--trusted-host=h`, `--trusted-host h` when `withValue`) among a
 * command's arguments.
 */
export function longFlags(args: Word[], names: string[], withValue = false): FlagMatch[] {
  const out: FlagMatch[] = [];
  const opts = options(args);
  for (let i = 0; i < opts.length; i++) {
    const w = opts[i];
    if (w.dynamic) continue;
    for (const n of names) {
      if (w.value === n) {
        const next = withValue ? opts[i + 1] : undefined;
        out.push({ word: w, ...(next ? { value: next.value, valueWord: next } : {}) });
      } else if (w.value.startsWith(n + '=')) {
        out.push({ word: w, value: w.value.slice(n.length + 1) });
      }
    }
  }
  return out;
}

/**
 * A short option `-x`, alone or in a cluster (`-fsSLk`). `valued` are the command's short options
 * that take a value: a cluster stops at them (`-ok` is `-o k`).
 */
export function shortFlag(args: Word[], letter: string, valued: string): FlagMatch | undefined {
  const opts = options(args);
  for (let i = 0; i < opts.length; i++) {
    const w = opts[i];
    const v = w.value;
    if (w.dynamic || w.quoted || v.length < 2 || v[0] !== '-' || v[1] === '-') continue;
    for (let k = 1; k < v.length; k++) {
      if (v[k] === letter) return { word: w, letter: k };
      if (valued.includes(v[k])) {
        if (k === v.length - 1) i++; // its value is the next word
        break;
      }
    }
  }
  return undefined;
}

/** The value of a short option that takes one (`-o file`, `-ofile`, `-sSLo file`), if present. */
export function shortValue(args: Word[], letter: string, valued: string): { value: string; word: Word } | undefined {
  const opts = options(args);
  for (let i = 0; i < opts.length; i++) {
    const v = opts[i].value;
    if (opts[i].dynamic && !v.startsWith('-')) continue;
    if (v.length < 2 || v[0] !== '-' || v[1] === '-') continue;
    for (let k = 1; k < v.length; k++) {
      if (!valued.includes(v[k])) continue;
      if (v[k] === letter) {
        if (k < v.length - 1) return { value: v.slice(k + 1), word: opts[i] };
        const next = opts[i + 1];
        return next ? { value: next.value, word: next } : undefined;
      }
      if (k === v.length - 1) i++;
      break;
    }
  }
  return undefined;
}

/** curl's short options that take a value. */
export const CURL_VALUED = 'oHdeuXAbcTwxmrCEFKQtUYyzPDh';
/** wget's short options that take a value. */
export const WGET_VALUED = 'OoaiPeUtTwYQlAIXDRBEh';

export interface Download {
  tool: 'curl' | 'wget';
  /** `-` for standard output, else the file written (undefined when not known). */
  output?: string;
  invocation: Invocation;
}

/** A `curl`/`wget` download and where it writes. */
export function download(inv: Invocation): Download | undefined {
  if (inv.name === 'curl') {
    const o = shortValue(inv.args, 'o', CURL_VALUED) ?? first(longFlags(inv.args, ['--output'], true));
    if (o) return { tool: 'curl', output: o.word.dynamic ? undefined : o.value, invocation: inv };
    const remote = shortFlag(inv.args, 'O', CURL_VALUED) ?? first(longFlags(inv.args, ['--remote-name', '--remote-name-all']));
    if (remote) return { tool: 'curl', output: remoteName(inv.args), invocation: inv };
    return { tool: 'curl', output: '-', invocation: inv };
  }
  if (inv.name === 'wget') {
    const o = shortValue(inv.args, 'O', WGET_VALUED) ?? first(longFlags(inv.args, ['--output-document'], true));
    if (o) return { tool: 'wget', output: o.word.dynamic && o.value !== '-' ? undefined : o.value, invocation: inv };
    return { tool: 'wget', output: remoteName(inv.args), invocation: inv };
  }
  return undefined;
}

/** The file name a download saves to by default: the last segment of its only URL's path. */
function remoteName(args: Word[]): string | undefined {
  const urls = args.filter((a) => /^(https?|ftp):\/\//i.test(a.value));
  if (urls.length !== 1 || urls[0].dynamic) return undefined;
  const path = urls[0].value.replace(/[?#].*$/, '').replace(/^[a-z]+:\/\/[^/]*/i, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name || undefined;
}

function first<T extends FlagMatch>(xs: T[]): { value: string; word: Word } | undefined {
  const m = xs[0];
  if (!m || m.value === undefined) return m ? { value: '', word: m.word } : undefined;
  return { value: m.value, word: m.valueWord ?? m.word };
}

/** The commands of the pipeline `commands[index]` belongs to, up to and including it. */
export function pipelineBefore(commands: SimpleCommand[], index: number): SimpleCommand[] {
  let i = index;
  while (i > 0 && (commands[i].connector === '|' || commands[i].connector === '|&')) i--;
  return commands.slice(i, index);
}
