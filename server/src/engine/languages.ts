/**
 * Which front reads a file: by its name first (manifests and lockfiles, Dockerfiles, `.env` files),
 * then the editor's language id, then the extension.
 */
import type { Language } from './types';

const EXTENSIONS: Record<string, Language> = {
  py: 'python', pyw: 'python', pyi: 'python',
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript',
  ts: 'javascript', tsx: 'javascript', mts: 'javascript', cts: 'javascript',
  vue: 'vue',
  xml: 'xml', xsd: 'xml', xsl: 'xml', xslt: 'xml', svg: 'xml', plist: 'xml', csproj: 'xml', pom: 'xml',
  yaml: 'yaml', yml: 'yaml', json: 'json', tf: 'terraform', sh: 'shell', bash: 'shell',
  dockerfile: 'dockerfile', containerfile: 'dockerfile',
  // server-side templates (`.html` only under a template folder: see `languageFor`)
  jinja: 'template', jinja2: 'template', j2: 'template', djhtml: 'template', njk: 'template', nunjucks: 'template',
  swig: 'template', ejs: 'template', hbs: 'template', handlebars: 'template', mustache: 'template', pug: 'template',
  jade: 'template',
};

const LANGUAGE_IDS: Record<string, Language> = {
  python: 'python', javascript: 'javascript', javascriptreact: 'javascript',
  typescript: 'javascript', typescriptreact: 'javascript', vue: 'vue', xml: 'xml', svg: 'xml',
  yaml: 'yaml', dockercompose: 'yaml', json: 'json', jsonc: 'json', dockerfile: 'dockerfile',
  terraform: 'terraform', dotenv: 'dotenv', shellscript: 'shell', 'pip-requirements': 'dependencies',
  'jinja-html': 'template', 'django-html': 'template', jinja: 'template', nunjucks: 'template', handlebars: 'template',
  mustache: 'template', pug: 'template', jade: 'template', ejs: 'template',
};

/** Folders whose `.html` files are server-side templates (Flask, Django, Express, Nunjucks). */
const TEMPLATE_FOLDERS = new Set(['templates', 'views', 'layouts', 'partials', 'includes', 'jinja2', 'template']);

function inTemplateFolder(path: string): boolean {
  const parts = path.split(/[/\\]/);
  for (let i = 0; i < parts.length - 1; i++) if (TEMPLATE_FOLDERS.has(parts[i].toLowerCase())) return true;
  return false;
}

/** Manifests and lockfiles, by exact name (lower case). */
const DEPENDENCY_FILES = new Set([
  'package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml',
  'pyproject.toml', 'poetry.lock', 'pipfile.lock', 'uv.lock',
]);

/** The language a file's name alone decides, whatever the editor calls it. */
function languageByName(name: string): Language | undefined {
  if (DEPENDENCY_FILES.has(name) || /^(requirements|constraints)([-_.][\w.-]*)?\.(txt|in)$/.test(name)) return 'dependencies';
  if (/^(docker|container)file([.-].+)?$/.test(name) || /\.(docker|container)file$/.test(name)) return 'dockerfile';
  if (name === '.env' || (name.startsWith('.env.') && !/\.(example|sample|template|dist|defaults?|patch|diff|orig|rej|bak|md)$/.test(name))) return 'dotenv';
  return undefined;
}

/** The engine's language for a file, from its name or the editor's language id or its extension. */
export function languageFor(path: string, languageId?: string): Language | undefined {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
  const byName = languageByName(name);
  if (byName) return byName;
  if (languageId && LANGUAGE_IDS[languageId]) return LANGUAGE_IDS[languageId];
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot + 1) : undefined;
  // an HTML file in a template folder is a template (Jinja2, Django, Nunjucks); other HTML is not read
  if ((ext === 'html' || ext === 'htm') && (languageId === undefined || languageId === 'html') && inTemplateFolder(path)) return 'template';
  return ext ? EXTENSIONS[ext] : undefined;
}
