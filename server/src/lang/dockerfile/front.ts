import { DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';
import { lineStartsOf, offsetAt, positionAt } from '../../engine/edits';
import type { Position, Range } from '../../engine/types';
import type { SimpleCommand } from '../shell/words';
import { runScript } from './run';
import { splitImage } from '../image-ref';

/**
 * The Dockerfile front, over dockerfile-ast (escape directive, heredocs, continuation lines):
 * stages with their base image and the user they end with (through `FROM <stage>`), `ENV`/`ARG`
 * variables, `COPY`/`ADD` sources, `EXPOSE` ports and the simple commands of every `RUN`.
 */

export interface BaseImage {
  /** As written (`${BASE}` included). */
  text: string;
  /** With build arguments substituted; undefined when a variable has no known default. */
  resolved?: string;
  /** Parts of the resolved reference. */
  name?: string;
  tag?: string;
  digest?: string;
  /** The earlier stage this one builds on (`FROM builder`). */
  stage?: DockerStage;
  range: Range;
}

export interface UserSetting {
  /** The user as written, and resolved (undefined when it holds an unknown variable). */
  text: string;
  resolved?: string;
  range: Range;
  instructionRange: Range;
}

export interface DockerStage {
  index: number;
  name?: string;
  from: BaseImage;
  /** The `FROM` instruction's range. */
  range: Range;
  /** Instructions after `FROM`, up to the next stage. */
  instructions: Instruction[];
  users: UserSetting[];
  /** The stage's `RUN` instructions run a POSIX shell (not a `SHELL` switch to PowerShell or cmd, not a Windows base). */
  posixShell: boolean;
}

export interface DockerVariable {
  kind: 'ENV' | 'ARG';
  name: string;
  /** The value after quote removal; undefined for `ARG X` without a default. */
  value?: string;
  /** The value refers to other variables (`$X`): not known here. */
  dynamic: boolean;
  nameRange: Range;
  valueRange?: Range;
  /** The `NAME=value` property. */
  range: Range;
  /** The whole instruction, and whether this is its only property on a single line. */
  instructionRange: Range;
  alone: boolean;
  /** Undefined for `ARG`s before the first `FROM`. */
  stage?: DockerStage;
}

export interface FileArgument { value: string; range: Range; dynamic: boolean }

export interface CopyInstruction {
  keyword: 'COPY' | 'ADD';
  keywordRange: Range;
  range: Range;
  flags: { name: string; value: string | null; range: Range }[];
  sources: FileArgument[];
  destination?: FileArgument;
  /** `COPY <<EOF /file`: inline content, no source file. */
  heredoc: boolean;
  stage: DockerStage;
}

export interface RunInstruction {
  range: Range;
  stage?: DockerStage;
  commands: SimpleCommand[];
  /** A heredoc the shell does not run (fed to a program or written to a file). */
  opaqueHeredoc: boolean;
}

export interface ExposedPort { value: string; port?: number; protocol: string; range: Range; stage: DockerStage }

const WINDOWS_IMAGE = /(^|\/)(windows|servercore|nanoserver)([/:-]|$)|windowsservercore|nanoserver/i;

export class DockerFile {
  readonly stages: DockerStage[] = [];
  readonly variables: DockerVariable[] = [];
  readonly copies: CopyInstruction[] = [];
  readonly runs: RunInstruction[] = [];
  readonly ports: ExposedPort[] = [];
  readonly errors: string[] = [];
  readonly escape: string;
  private readonly lineStarts: number[];
  private readonly ast: Dockerfile;
  private readonly shellComments: { start: number; text: string }[] = [];

  constructor(readonly path: string, readonly text: string) {
    this.lineStarts = lineStartsOf(text);
    this.ast = DockerfileParser.parse(text);
    this.escape = this.ast.getEscapeCharacter();
    this.build();
  }

  /** The stage the image is built from: the last one. */
  get finalStage(): DockerStage | undefined {
    return this.stages[this.stages.length - 1];
  }

  /** The stages whose content ends up in the final image: the last one and the stages it builds on. */
  get finalChain(): DockerStage[] {
    const out: DockerStage[] = [];
    for (let s = this.finalStage; s && out.length < this.stages.length && !out.includes(s); s = s.from.stage) out.push(s);
    return out;
  }

  /**
   * The user a stage ends with: its last `USER`, else its parent stage's; `base` when neither sets
   * one (the base image's default user applies).
   */
  effectiveUser(stage: DockerStage): { user?: UserSetting; stage: DockerStage } | 'base' {
    const seen = new Set<DockerStage>();
    for (let s: DockerStage | undefined = stage; s && !seen.has(s); s = s.from.stage) {
      seen.add(s);
      const last = s.users[s.users.length - 1];
      if (last) return { user: last, stage: s };
      if (!s.from.stage) return 'base';
    }
    return 'base';
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  position(offset: number): Position {
    return positionAt(offset, this.lineStarts);
  }

  offset(p: Position): number {
    return offsetAt(this.text, p, this.lineStarts);
  }

  /**
   * The range that removes the text at [start, end) with one adjacent blank, or its whole line when
   * nothing but blanks and a line continuation would be left.
   */
  removalRange(start: number, end: number): Range {
    const t = this.text;
    const lineStart = t.lastIndexOf('\n', start - 1) + 1;
    const nl = t.indexOf('\n', end);
    const lineEnd = nl < 0 ? t.length : nl;
    const rest = (t.slice(lineStart, start) + t.slice(end, lineEnd)).trim();
    if ((rest === '' || rest === this.escape) && nl >= 0 && lineStart > 0) return this.rangeOf(lineStart, nl + 1);
    if (start > 0 && (t[start - 1] === ' ' || t[start - 1] === '\t')) return this.rangeOf(start - 1, end);
    if (t[end] === ' ' || t[end] === '\t') return this.rangeOf(start, end + 1);
    return this.rangeOf(start, end);
  }

  /** Comments (Dockerfile `#` lines and shell comments inside `RUN`), for suppressions. */
  comments(): { line: number; text: string }[] {
    const out: { line: number; text: string }[] = [];
    for (const c of this.ast.getComments()) out.push({ line: c.getRange().start.line, text: c.getContent() });
    for (const c of this.shellComments) out.push({ line: this.position(c.start).line, text: c.text });
    // a suppression above a multi-line instruction covers all of its lines
    const byLine = new Map(out.map((c) => [c.line, c.text]));
    for (const inst of this.ast.getInstructions()) {
      const r = inst.getRange();
      const above = byLine.get(r.start.line - 1);
      if (above === undefined || r.end.line === r.start.line || r.end.line - r.start.line > 500) continue;
      for (let l = r.start.line; l < r.end.line; l++) out.push({ line: l, text: above });
    }
    return out;
  }

  private build(): void {
    const globalArgs = new Map<string, string | undefined>();
    let stage: DockerStage | undefined;
    let posix = true;
    for (const inst of this.ast.getInstructions()) {
      const keyword = inst.getKeyword();
      if (keyword === 'FROM') {
        stage = this.stageOf(inst, globalArgs);
        posix = !WINDOWS_IMAGE.test(stage.from.resolved ?? '') && (stage.from.stage?.posixShell ?? true);
        stage.posixShell = posix;
        this.stages.push(stage);
        continue;
      }
      if (stage) stage.instructions.push(inst);
      switch (keyword) {
        case 'ARG':
        case 'ENV':
          this.addVariables(inst, keyword, stage, globalArgs);
          break;
        case 'USER':
          if (stage) this.addUser(inst, stage);
          break;
        case 'SHELL': {
          const first = (inst as unknown as { getJSONStrings?: () => { getJSONValue(): string }[] }).getJSONStrings?.()[0]?.getJSONValue() ?? '';
          posix = /(^|\/)(ba|da|a|z|k)?sh$/.test(first);
          if (stage) stage.posixShell = posix;
          break;
        }
        case 'RUN':
          this.addRun(inst, stage, posix);
          break;
        case 'COPY':
        case 'ADD':
          if (stage) this.addCopy(inst, keyword, stage);
          break;
        case 'EXPOSE':
          if (stage) this.addPorts(inst, stage);
          break;
        default:
          if (!KEYWORDS.has(keyword)) this.errors.push(`line ${inst.getRange().start.line + 1}: unknown instruction \`${keyword.slice(0, 30)}\``);
      }
    }
    if (this.stages.length === 0 && this.ast.getInstructions().some((i) => i.getKeyword() !== 'ARG')) {
      this.errors.push('no FROM instruction');
    }
  }

  private stageOf(inst: Instruction, args: Map<string, string | undefined>): DockerStage {
    const from = inst as unknown as { getImage(): string | null; getImageRange(): Range | null; getBuildStage(): string | null };
    const text = from.getImage() ?? '';
    // template placeholders (`{{ .Version }}`) are unknown values
    const resolved = /\{\{|\{%/.test(text) ? undefined : substitute(text, (name) => args.get(name));
    const byName = resolved ? this.stages.find((s) => s.name !== undefined && s.name === resolved.toLowerCase()) : undefined;
    const image: BaseImage = { text, range: from.getImageRange() ?? inst.getRange(), ...(resolved !== undefined ? { resolved } : {}), ...(byName ? { stage: byName } : {}) };
    if (resolved !== undefined && !byName) Object.assign(image, splitImage(resolved));
    const name = from.getBuildStage()?.toLowerCase();
    return { index: this.stages.length, ...(name ? { name } : {}), from: image, range: inst.getRange(), instructions: [], users: [], posixShell: true };
  }

  private addVariables(inst: Instruction, kind: 'ENV' | 'ARG', stage: DockerStage | undefined, globalArgs: Map<string, string | undefined>): void {
    const props = (inst as unknown as { getProperties(): import('dockerfile-ast').Property[] }).getProperties();
    const r = inst.getRange();
    for (const p of props) {
      const value = p.getValue() ?? undefined;
      const raw = p.getUnescapedValue() ?? '';
      const valueRange = p.getValueRange() ?? undefined;
      this.variables.push({
        kind, name: p.getName(), ...(value !== undefined ? { value } : {}), dynamic: /\$/.test(raw),
        nameRange: p.getNameRange(), ...(valueRange ? { valueRange } : {}), range: p.getRange(),
        instructionRange: r, alone: props.length === 1 && r.start.line === r.end.line, ...(stage ? { stage } : {}),
      });
      if (!stage && kind === 'ARG') globalArgs.set(p.getName(), value !== undefined && !/\$/.test(raw) ? value : undefined);
    }
  }

  private addUser(inst: Instruction, stage: DockerStage): void {
    const arg = inst.getArguments()[0];
    if (!arg) return;
    const text = arg.getValue();
    const line = inst.getRange().start.line;
    const resolved = substitute(text, (name) => this.variableBefore(stage, name, line));
    stage.users.push({ text, ...(resolved !== undefined ? { resolved } : {}), range: arg.getRange(), instructionRange: inst.getRange() });
  }

  /** The known value of a stage's variable before a line (a literal `ENV` or `ARG` default), if any. */
  private variableBefore(stage: DockerStage, name: string, line: number): string | undefined {
    let value: string | undefined;
    for (const v of this.variables) {
      if (v.stage === stage && v.name === name && v.range.start.line < line) value = v.dynamic ? undefined : v.value;
    }
    return value;
  }

  private addRun(inst: Instruction, stage: DockerStage | undefined, posix: boolean): void {
    if (!posix) return;
    const script = runScript(this.text, inst, (p) => this.offset(p), this.escape);
    for (const c of script.comments) this.shellComments.push({ start: c.start, text: c.text });
    this.runs.push({ range: inst.getRange(), ...(stage ? { stage } : {}), commands: script.commands, opaqueHeredoc: script.opaqueHeredoc });
    for (const h of script.heredocs) {
      if (!h.getDelimiterRange()) this.errors.push(`line ${h.getStartRange().start.line + 1}: here-document \`${h.getName()}\` is not terminated`);
    }
  }

  private addCopy(inst: Instruction, keyword: 'COPY' | 'ADD', stage: DockerStage): void {
    const m = inst as unknown as {
      getFlags(): import('dockerfile-ast').Flag[];
      getJSONStrings(): { getRange(): Range }[];
      getHeredocs?: () => import('dockerfile-ast').Heredoc[];
    };
    const flags = m.getFlags().map((f) => ({ name: f.getName(), value: f.getValue(), range: f.getRange() }));
    const argsRange = inst.getArgumentsRange();
    let files: FileArgument[];
    const json = m.getJSONStrings();
    if (json.length > 0 && argsRange && this.text[this.offset(argsRange.start)] === '[') {
      files = [];
      for (const s of json) {
        const r = s.getRange();
        let value: string;
        try { value = JSON.parse(this.text.slice(this.offset(r.start), this.offset(r.end))) as string; } catch { return; }
        files.push({ value, range: r, dynamic: value.includes('$') });
      }
    } else {
      files = inst.getArguments().map((a) => ({ value: a.getValue(), range: a.getRange(), dynamic: a.getValue().includes('$') }));
    }
    const heredoc = (m.getHeredocs?.() ?? []).length > 0 || files.some((f) => f.value.startsWith('<<'));
    const destination = files.length > 1 ? files[files.length - 1] : undefined;
    this.copies.push({
      keyword, keywordRange: inst.getInstructionRange(), range: inst.getRange(), flags,
      sources: heredoc ? [] : files.slice(0, -1), ...(destination ? { destination } : {}), heredoc, stage,
    });
  }

  private addPorts(inst: Instruction, stage: DockerStage): void {
    for (const a of inst.getArguments()) {
      const value = a.getValue();
      const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(value);
      this.ports.push({ value, ...(m ? { port: Number(m[1]) } : {}), protocol: (m?.[2] ?? 'tcp').toLowerCase(), range: a.getRange(), stage });
    }
  }
}

const KEYWORDS = new Set(['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** `$X`/`${X}` replaced by known values; undefined when one is not known. `${X:-d}` uses the default. */
export function substitute(text: string, lookup: (name: string) => string | undefined): string | undefined {
  if (!text.includes('$')) return text;
  let unknown = false;
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    const v = lookup(name);
    if (op === '-') return v === undefined || v === '' ? (word ?? '') : v;
    if (op === '+') return v === undefined || v === '' ? '' : (word ?? '');
    if (v === undefined) unknown = true;
    return v ?? '';
  });
  return unknown || out.includes('$') ? undefined : out;
}
