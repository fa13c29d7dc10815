/**
 * Render calls: the per-file facts that link code to the template files it fills. The Python and JS fronts
 * extract them (`render_template('x.html', name=...)`, `res.render('view', {...})`) with the data-flow level
 * of each variable; the CLI gathers them over a scan (the language server over the open and analyzed files)
 * and hands them to the analysis of each template, where the template rule joins them with the template's
 * raw outputs. Plain data with positions, so scan workers can send them.
 */
import { resolve } from 'node:path';
import type { Step, Value } from './types';

export type RenderLevel = 'tainted' | 'unknown' | 'constant';

/** What a render call puts in one template variable. */
export interface RenderValue {
  level: RenderLevel;
  /** For tainted values: the source then the steps, in the code file (`file` set on each step). */
  path?: Step[];
  /** Wrapped in `Markup(...)`/`mark_safe(...)`/`SafeString`: written raw even by an escaped `{{ x }}`. */
  markup?: boolean;
}

export interface RenderCall {
  /** The code file, as the analysis was given it. */
  file: string;
  /** 0-based line of the call. */
  line: number;
  /** The call as a reader knows it: `render_template('hello.html', ...)`. */
  call: string;
  /** The template name as written: `hello.html`, `polls/detail.html`, `index` (Express views may omit the extension). */
  template: string;
  language: 'python' | 'javascript';
  /** Variables by name. */
  vars: Record<string, RenderValue>;
  /** `**context`, `...locals`, a context dict held in a variable: what the variables not listed may hold. */
  rest?: RenderValue;
  /** Express: `app.set('views', ...)` folders of the file, resolved when constant (absolute or relative to the file's folder). */
  viewsDirs?: string[];
  /** Express: the file's `app.set('view engine', 'ejs')`. */
  viewEngine?: string;
}

/** Folders whose content is rendered by name. */
const TEMPLATE_DIRS = new Set(['templates', 'views', 'template', 'jinja2', 'jinja_templates']);

const norm = (p: string) => resolve(p).replace(/\\/g, '/');
const dirOf = (p: string) => { const i = p.lastIndexOf('/'); return i < 0 ? '' : p.slice(0, i); };
const within = (file: string, dir: string) => dir === '' || file.startsWith(dir + '/');

/**
 * The render calls that fill this template: the call's name is the path's tail after a conventional template
 * folder (`templates/`, `views/`, or the file's `app.set('views')`) whose parent holds the calling code.
 * Express names may omit the extension (the view engine's). Paths compare as given (resolve them the same way).
 */
export function rendersOf(templatePath: string, calls: readonly RenderCall[]): RenderCall[] {
  const path = norm(templatePath);
  const dot = path.lastIndexOf('.');
  const ext = dot > path.lastIndexOf('/') ? path.slice(dot + 1) : '';
  const strong: RenderCall[] = [];
  const weak: RenderCall[] = [];
  for (const c of calls) {
    let name = c.template.replace(/\\/g, '/').replace(/^\.?\//, '');
    if (!name) continue;
    if (c.language === 'javascript' && !/\.[A-Za-z0-9]+$/.test(name)) {
      if (c.viewEngine && c.viewEngine !== ext && !(c.viewEngine === 'handlebars' && ext === 'hbs')) continue;
      name = `${name}.${ext}`;
    }
    if (!path.endsWith('/' + name)) continue;
    const folder = path.slice(0, path.length - name.length - 1);
    const file = norm(c.file);
    const base = folder.slice(folder.lastIndexOf('/') + 1);
    if (c.viewsDirs?.some((d) => norm(d) === folder)) strong.push(c);
    else if (TEMPLATE_DIRS.has(base) && within(file, dirOf(folder))) strong.push(c);
    // a theme or custom loader (`app/themes/core/templates/page.html` rendered from `app/views.py`): a template
    // folder under the parent of the calling file's folder, used only when no conventional match exists
    else if (TEMPLATE_DIRS.has(base) && within(folder, dirOf(dirOf(file)))) weak.push(c);
  }
  return strong.length > 0 ? strong : weak;
}

/** A data-flow value as a render level; values escaped for HTML on the way are constants for a template. */
export function level(v: Value, path: string): RenderValue {
  if (v.kind === 'constant' || v.cleared?.includes('html')) return { level: 'constant' };
  if (v.kind === 'unknown') return { level: 'unknown' };
  return {
    level: 'tainted',
    path: [{ description: v.source.description, line: v.source.line, file: path }, ...v.path.map((s) => ({ ...s, file: path }))],
  };
}

const RANK = { constant: 0, unknown: 1, tainted: 2 };

export function worst(a: RenderValue | undefined, b: RenderValue): RenderValue {
  return !a || RANK[b.level] > RANK[a.level] ? b : a;
}


/** Render calls are looked for only in code that mentions rendering (a cheap test before a walk). */
export function mayRender(text: string): boolean {
  return text.includes('render') || text.includes('aiohttp_jinja2') || text.includes('TemplateResponse');
}
