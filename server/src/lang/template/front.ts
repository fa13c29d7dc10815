/**
 * The server-side template front: reads a template once (its syntax by extension or editor language id)
 * and gives rules its outputs, raw or escaped, with positions, and the render calls known to fill it.
 */
import type { Range } from '../../engine/types';
import type { RenderCall } from '../../engine/render-types';
import { lineStartsOf, positionAt } from '../../engine/edits';
import { htmlComments, type TemplateModel, type TemplateOutput, type TemplateSyntax } from './model';
import { readJinja } from './jinja';
import { readEjs } from './ejs';
import { readMustache } from './mustache';
import { readPug } from './pug';
import { inlineScriptText } from './scripts';
import { JsFile } from '../javascript/front';

export type { TemplateOutput, TemplateSyntax } from './model';

const BY_EXTENSION: Record<string, TemplateSyntax> = Object.assign(Object.create(null), {
  html: 'jinja', htm: 'jinja', jinja: 'jinja', jinja2: 'jinja', j2: 'jinja', djhtml: 'jinja', njk: 'jinja',
  nunjucks: 'jinja', swig: 'jinja', ejs: 'ejs', hbs: 'handlebars', handlebars: 'handlebars', mustache: 'mustache',
  pug: 'pug', jade: 'pug',
});

const BY_LANGUAGE_ID: Record<string, TemplateSyntax> = Object.assign(Object.create(null), {
  'jinja-html': 'jinja', 'django-html': 'jinja', jinja: 'jinja', nunjucks: 'jinja', njk: 'jinja', handlebars: 'handlebars',
  mustache: 'mustache', pug: 'pug', jade: 'pug', ejs: 'ejs', html: 'jinja',
});

export function templateSyntax(path: string, languageId?: string): TemplateSyntax {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
  const ext = name.slice(name.lastIndexOf('.') + 1);
  return BY_EXTENSION[ext] ?? (languageId ? BY_LANGUAGE_ID[languageId] : undefined) ?? 'jinja';
}

/** The engine names (for messages). */
export const SYNTAX_NAMES: Record<TemplateSyntax, string> = {
  jinja: 'Jinja2/Django/Nunjucks', ejs: 'EJS', handlebars: 'Handlebars', mustache: 'Mustache', pug: 'Pug',
};

export class TemplateFile {
  readonly syntax: TemplateSyntax;
  readonly model: TemplateModel;
  /**
   * The render calls known to fill this template (matched by `rendersOf`), or undefined when nothing is known
   * about the code that renders it (a template opened alone in the editor, a single-file analysis).
   */
  renders?: RenderCall[];
  private readonly lineStarts: number[];

  constructor(readonly path: string, readonly text: string, languageId?: string) {
    this.syntax = templateSyntax(path, languageId);
    this.lineStarts = lineStartsOf(text);
    const layout = /(^|[/\\])(layouts?)([/\\]|$)|(^|[/\\])layout[^/\\]*$/i.test(path);
    this.model = this.syntax === 'ejs' ? readEjs(text, layout)
      : this.syntax === 'handlebars' || this.syntax === 'mustache' ? readMustache(text, this.syntax === 'handlebars', layout)
        : this.syntax === 'pug' ? readPug(text) : readJinja(text);
    if (this.syntax !== 'pug') htmlComments(text, this.model.comments);
  }

  private _script?: JsFile | null;

  /** The inline `<script>` blocks as one JS file in this file's coordinates (undefined without any). */
  get script(): JsFile | undefined {
    if (this._script === undefined) {
      const js = inlineScriptText(this.text, this.syntax);
      this._script = js === undefined ? null : new JsFile(`${this.path}.js`, js);
    }
    return this._script ?? undefined;
  }

  get outputs(): TemplateOutput[] {
    return this.model.outputs;
  }

  rangeOf(start: number, end: number): Range {
    return { start: positionAt(start, this.lineStarts), end: positionAt(end, this.lineStarts) };
  }

  /** Template and HTML comments, for suppressions (`{# secure-hints: ignore[...] #}`, `<!-- ... -->`, `//- ...`). */
  comments(): { line: number; text: string }[] {
    return this.model.comments.map((c) => ({ line: positionAt(c.start, this.lineStarts).line, text: c.text }));
  }
}
