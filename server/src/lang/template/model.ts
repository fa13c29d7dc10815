/** The template model: what a template writes into the page, escaped or not, with offsets. */
import { rootsOf, type Root } from './expr';

export type TemplateSyntax = 'jinja' | 'ejs' | 'handlebars' | 'mustache' | 'pug';

export interface TemplateOutput {
  /** Offsets of the whole tag (`{{ x|safe }}`, `<%- x %>`, `!{x}`). */
  start: number;
  end: number;
  /** The expression as written, without its filters. */
  expr: string;
  /** Written without HTML escaping. */
  raw: boolean;
  /** The construct that makes it raw (`|safe`, `<%- %>`, `{{{ }}}`, `!=`, `{% autoescape false %}`), or '' when escaped. */
  how: string;
  /** The variables it reads, through loop and `set` aliases (`item` in `{% for item in items %}` reads `items`). */
  roots: Root[];
  /** Why a raw output is fine as written (an include, a layout's body), when it is. */
  quiet?: string;
  /** The edits that write it escaped instead (`|safe` removed, `<%-` to `<%=`, `{{{x}}}` to `{{x}}`, `!=` to `=`). */
  escape?: { start: number; end: number; text: string }[];
  /** Mustache: what the enclosing section reads (a name the render call does not pass may be the section item's). */
  section?: Root[];
}

export interface TemplateModel {
  outputs: TemplateOutput[];
  /** Template and HTML comments (for suppressions), by offset. */
  comments: { start: number; text: string }[];
  /** Why part of the template was not read (an unclosed tag, changed delimiters). */
  notes: string[];
}

/** Loop and `set` variables -> what they read; resolved when an output is recorded. */
export class Aliases {
  private readonly map = new Map<string, Root[]>();

  define(name: string, expr: string): void {
    if (!name || this.map.size > 5000) return;
    this.map.set(name, this.resolve(rootsOf(expr)));
  }

  defineRoots(name: string, roots: Root[]): void {
    if (name && this.map.size <= 5000) this.map.set(name, roots);
  }

  /** One level is enough: aliases are stored already resolved. */
  resolve(roots: Root[]): Root[] {
    const out: Root[] = [];
    for (const r of roots) {
      const a = this.map.get(r.name);
      for (const x of a ?? [r]) if (!out.some((o) => o.name === x.name)) out.push(x);
    }
    return out;
  }
}

/** HTML comments (`<!-- ... -->`) anywhere in the text, for suppressions written the HTML way. */
export function htmlComments(text: string, out: { start: number; text: string }[]): void {
  for (let i = text.indexOf('<!--'); i >= 0 && out.length < 100_000; i = text.indexOf('<!--', i + 4)) {
    const end = text.indexOf('-->', i + 4);
    out.push({ start: i, text: text.slice(i + 4, end < 0 ? text.length : end) });
    if (end < 0) break;
    i = end;
  }
}
