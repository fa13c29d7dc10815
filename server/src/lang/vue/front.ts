import { parse, type AttributeNode, type DirectiveNode, type ElementNode, type RootNode, type TemplateChildNode } from '@vue/compiler-dom';
import type { Finding, Range, TextEdit } from '../../engine/types';
import { JsFile } from '../javascript/front';
import { lineStartsOf, positionAt } from '../../engine/edits';

// @vue/compiler-dom's NodeTypes, as numbers (the enum is not a value in every build)
const ROOT = 0;
const ELEMENT = 1;
const COMMENT = 3;
const DIRECTIVE = 7;

const SCRIPT_LANGS: Record<string, string> = { js: 'js', jsx: 'jsx', ts: 'ts', tsx: 'tsx' };

export interface ScriptBlock {
  /** Offsets of the block's content (between `<script ...>` and `</script>`). */
  start: number;
  end: number;
  lang: string;
  setup: boolean;
}

/**
 * The Vue single-file component front. @vue/compiler-dom parses the file in SFC mode (blocks, and
 * the `<template>` as HTML). The script blocks are analyzed by the JavaScript front over a copy of the
 * file in which everything outside them is blanked (newlines kept), so its ranges, and its fixes'
 * edits, are the .vue file's own.
 */
export class VueFile {
  readonly root?: RootNode;
  /** Parse errors, as `line N: message`. */
  readonly errors: string[] = [];
  readonly scripts: ScriptBlock[] = [];
  /** The `<template>` element, when its content is HTML (not pug or another language). */
  readonly template?: ElementNode;
  private readonly lineStarts: number[];

  constructor(readonly path: string, readonly text: string) {
    this.lineStarts = lineStartsOf(text);
    try {
      this.root = parse(text, {
        parseMode: 'sfc',
        // the default decoder of this (browser) build needs a DOM; offsets do not depend on it
        decodeEntities: (raw: string) => raw,
        onError: (e) => { this.errors.push(`line ${e.loc ? e.loc.start.line : 1}: ${e.message}`); },
      });
    } catch (err) {
      this.errors.push(`line 1: ${(err as Error).message}`);
      return;
    }
    for (const node of this.root.children) {
      if (node.type !== ELEMENT) continue;
      const lang = attribute(node, 'lang');
      if (node.tag === 'template' && !this.template && (!lang || lang === 'html')) this.template = node;
      if (node.tag !== 'script' || attribute(node, 'src') !== undefined) continue;
      const kind = SCRIPT_LANGS[lang ?? 'js'];
      const content = node.children[0];
      if (!kind || !content) continue;
      this.scripts.push({ start: content.loc.start.offset, end: content.loc.end.offset, lang: kind, setup: attribute(node, 'setup') !== undefined });
    }
  }

  /**
   * The script blocks as one JavaScript/TypeScript file with the .vue file's offsets (a component's
   * `<script>` and `<script setup>` share one module scope). Undefined when there is no script.
   */
  get script(): JsFile | undefined {
    if (this._script === undefined) {
      if (this.scripts.length === 0) return undefined;
      const parts: string[] = [];
      let at = 0;
      for (const b of this.scripts) {
        parts.push(blank(this.text.slice(at, b.start)), this.text.slice(b.start, b.end));
        at = b.end;
      }
      parts.push(blank(this.text.slice(at)));
      const langs = this.scripts.map((b) => b.lang);
      const ext = langs.includes('tsx') ? 'tsx' : langs.includes('ts') ? 'ts' : langs.includes('jsx') ? 'jsx' : 'js';
      this._script = new JsFile(`${this.path}.${ext}`, parts.join(''));
    }
    return this._script;
  }
  private _script?: JsFile;

  /** Is this offset inside a script block's content? */
  inScript(offset: number): boolean {
    return this.scripts.some((b) => b.start <= offset && offset <= b.end);
  }

  /**
   * Moves an edit of a script finding that lands outside every script block (a fix that adds an
   * import at the start of the file) to the start of the first block's content, after its newline.
   */
  mapScriptEdit(edit: TextEdit): TextEdit {
    if (this.scripts.length === 0) return edit;
    const start = this.offset(edit.range.start);
    if (this.inScript(start)) return edit;
    const first = this.scripts.find((b) => b.setup) ?? this.scripts[0];
    const at = this.text.charCodeAt(first.start) === 10 ? first.start + 1 : this.text.startsWith('\r\n', first.start) ? first.start + 2 : first.start;
    const pos = this.position(at);
    const newText = edit.newText.startsWith('\n') ? `${edit.newText.slice(1)}\n` : edit.newText;
    return { range: { start: pos, end: pos }, newText };
  }

  /** A finding of the script's rules with its fixes' edits mapped into the .vue file. */
  mapScriptFinding(f: Finding): Finding {
    if (f.fixes.length === 0) return f;
    return { ...f, fixes: f.fixes.map((fix) => ({ ...fix, edits: fix.edits.map((e) => this.mapScriptEdit(e)) })) };
  }

  /** Every element of the template, in document order. */
  *elements(): Generator<ElementNode> {
    if (!this.template) return;
    const stack: TemplateChildNode[] = [...this.template.children].reverse();
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type !== ELEMENT) continue;
      yield n;
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    }
  }

  /** The directives of an element (`v-html`, `:prop`, `@event`). */
  static directives(el: ElementNode): DirectiveNode[] {
    return el.props.filter((p): p is DirectiveNode => p.type === DIRECTIVE);
  }

  /** HTML comments of the template and at the top level, for suppressions (script comments come from the script). */
  comments(): { line: number; text: string }[] {
    const out: { line: number; text: string }[] = [];
    if (!this.root) return out;
    const stack: (RootNode | TemplateChildNode)[] = [this.root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type === COMMENT) out.push({ line: n.loc.start.line - 1, text: n.content });
      if (n.type === ROOT || (n.type === ELEMENT && n.tag !== 'script' && n.tag !== 'style')) {
        for (const c of n.children) stack.push(c);
      }
    }
    return out;
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  position(offset: number) {
    return positionAt(offset, this.lineStarts);
  }

  offset(p: { line: number; character: number }): number {
    return (this.lineStarts[p.line] ?? this.text.length) + p.character;
  }
}

function attribute(el: ElementNode, name: string): string | undefined {
  const a = el.props.find((p): p is AttributeNode => p.type === 6 && p.name === name);
  return a ? a.value?.content ?? '' : undefined;
}

/** The text with every character but line breaks turned into a space: keeps lines and columns. */
function blank(s: string): string {
  let out = '';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) {
      out += ' '.repeat(run) + s[i];
      run = 0;
    } else run++;
  }
  return out + ' '.repeat(run);
}
