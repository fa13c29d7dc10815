import { JsFile } from '../lang/javascript/front';
import { initPython, parsePython } from '../lang/python/parser';
import { callHandlers, runJavaScript, runPython } from './dispatch';
import { PyFile } from '../lang/python/front';
import { XmlFile } from '../lang/xml/front';
import { VueFile } from '../lang/vue/front';
import { DockerFile } from '../lang/dockerfile/front';
import { ShellFile } from '../lang/shell/front';
import { DotenvFile } from '../lang/dotenv/front';
import { openYaml } from '../lang/kube/front';
import { isCloudFormation, loadCloudJson, loadCloudYaml, loadTerraform, type CloudFile } from '../lang/cloud/front';
import { initTerraform } from '../lang/cloud/hcl-parser';
import { DepFile } from '../lang/deps/front';
import { LOCKFILE_MAX_BYTES } from '../lang/deps/files';
import { vendoredFile } from '../lang/deps/vendored';
import { TemplateFile } from '../lang/template/front';
import { pythonRenderCalls } from '../lang/python/renders';
import { jsRenderCalls } from '../lang/javascript/renders';
import { mayRender, rendersOf, type RenderCall } from './render-types';
import { rules } from '../rules';
import { Reporter } from './rule';
import type { Rule } from './rule-types';
import { applySuppressions, parseSuppressions } from './suppress';
import { endBudget, startBudget, stoppedNote } from './budget';
import { loadTypescript, needsTypescript } from '../lang/javascript/load';
import { jsParseErrors, pythonTreeErrors } from './syntax-errors';
import type { Config, Confidence, Finding, Language } from './types';
import { languageFor } from './languages';

export const DEFAULT_MAX_FILE_BYTES = 2_000_000;

/** Loads the parsers that need asynchronous start-up (tree-sitter). Await once before `analyze`. */
export function ready(): Promise<void> {
  return Promise.all([initPython(), initTerraform()]).then(() => undefined);
}

/** Limits of one analysis that are not project configuration. */
export interface AnalysisOptions {
  /** Stop the file's analysis after this many milliseconds with a note (0 or absent: no budget). */
  timeBudgetMs?: number;
  /**
   * For a template: the render calls of the project (the engine keeps those that fill this template). Absent:
   * nothing is known about the code that renders it (the template rule then says so, at lower severity).
   */
  renders?: readonly RenderCall[];
}

export interface AnalysisResult {
  findings: Finding[];
  /** Why the file was not analyzed, or was analyzed only in part. */
  notes: string[];
  /** Syntax errors found by the parse the analysis already made (absent when the file was not parsed). */
  syntaxErrors?: string[];
  /** Python and JS files: the template render calls the file makes (for the analysis of the templates). */
  renders?: RenderCall[];
}

/** The engine's one entry point: findings for one file. Never throws for bad input. */
export function analyze(path: string, languageId: string | undefined, text: string, config: Config = {}): Finding[] {
  return analyzeDetailed(path, languageId, text, config).findings;
}

export function analyzeDetailed(
  path: string, languageId: string | undefined, text: string, config: Config = {}, options: AnalysisOptions = {},
): AnalysisResult {
  // TypeScript loads on first use (scripts/build.mjs): before the budget starts, not inside it
  if (options.timeBudgetMs && needsTypescript(languageFor(path, languageId))) loadTypescript();
  const saved = startBudget(options.timeBudgetMs);
  try {
    return analyzeWithin(path, languageId, text, config, options);
  } finally {
    endBudget(saved);
  }
}

function analyzeWithin(path: string, languageId: string | undefined, text: string, config: Config, options: AnalysisOptions = {}): AnalysisResult {
  const language = languageFor(path, languageId);
  if (!language) return { findings: [], notes: [] };
  const max = maxFileBytesFor(language, config);
  if (text.length > max) {
    return { findings: [], notes: [`skipped: ${text.length} bytes is over the ${max}-byte limit (maxFileBytes)`] };
  }
  if (text.includes('\u0000')) return { findings: [], notes: ['skipped: binary content (NUL bytes)'] };
  // a lone CR (old Mac line endings) ends a line for editors, LSP and TypeScript but not for tree-sitter or
  // the line counts here: as LF it is the same length, so offsets, lines and columns stay those of the text
  if (text.includes('\r')) text = text.replace(/\r(?!\n)/g, '\n');
  if (language === 'javascript' && /\.d\.[cm]?ts$/i.test(path)) return { findings: [], notes: [] };
  if (language === 'javascript') {
    // a vendored copy of a known library: checked as a dependency, not analyzed as the user's code
    const vendored = vendoredFile(path, text);
    if (vendored) {
      const found: Finding[] = [];
      const notes = [`vendored ${vendored.library.npmName} ${vendored.library.version}: not analyzed as your code`];
      runWholeFile(activeRules(language, config).filter((r) => r.vendored).map((r) => [r, (report) => r.vendored!({ file: vendored, report })]), found, notes);
      return { findings: configure(found, config), notes };
    }
  }
  if (language === 'javascript' && looksMinified(text)) return { findings: [], notes: ['skipped: minified or generated code'] };

  const active = activeRules(language, config);
  const findings: Finding[] = [];
  const notes: string[] = [];
  let comments: { line: number; text: string }[] = [];
  let errors: string[] | undefined;
  let renders: RenderCall[] | undefined;
  // collecting comments walks the whole tree: skip it when no suppression can be there
  const mayHaveSuppressions = text.includes('secure-hints:');
  try {
    if (language === 'python') {
      const tree = parsePython(text);
      try {
        errors = pythonTreeErrors(tree);
        const file = new PyFile(path, text, tree);
        if (config.authGuards) file.authGuards = config.authGuards;
        comments = mayHaveSuppressions ? file.comments() : [];
        runPython(file, active, findings, notes);
        if (mayRender(text)) renders = pythonRenderCalls(file);
      } finally {
        tree.delete();
      }
    } else if (language === 'javascript') {
      const file = new JsFile(path, text);
      if (config.authGuards) file.authGuards = config.authGuards;
      errors = jsParseErrors(file);
      comments = mayHaveSuppressions ? file.comments() : [];
      runJavaScript(file, active, findings, notes);
      if (mayRender(text)) renders = jsRenderCalls(file);
    } else if (language === 'template') {
      const file = new TemplateFile(path, text, languageId);
      if (options.renders) file.renders = rendersOf(path, options.renders);
      notes.push(...file.model.notes);
      comments = mayHaveSuppressions ? file.comments() : [];
      runWholeFile(active.filter((r) => r.template).map((r) => [r, (report) => r.template!({ file, report })]), findings, notes);
      // inline <script> blocks run the JavaScript rules (DOM sinks fed by `location`); their fixes could edit
      // outside the block (an import at the top), so none are offered there
      const script = file.script;
      if (script) {
        if (mayHaveSuppressions) comments.push(...script.comments());
        const scriptFindings: Finding[] = [];
        runJavaScript(script, activeRules('javascript', config), scriptFindings, notes);
        findings.push(...scriptFindings.map((f) => ({ ...f, fixes: [] })));
      }
    } else if (language === 'vue') {
      // the script blocks run the JavaScript rules (one JsFile, in the .vue file's coordinates), the template the Vue rules
      const file = new VueFile(path, text);
      const script = file.script;
      errors = [...file.errors, ...(script ? jsParseErrors(script) : [])];
      comments = mayHaveSuppressions ? [...file.comments(), ...(script?.comments() ?? [])] : [];
      const scriptFindings: Finding[] = [];
      if (script) runJavaScript(script, activeRules('javascript', config), scriptFindings, notes);
      findings.push(...scriptFindings.map((f) => file.mapScriptFinding(f)));
      runWholeFile(active.filter((r) => r.vue).map((r) => [r, (report) => r.vue!({ file, report })]), findings, notes);
    } else if (language === 'xml') {
      const file = new XmlFile(path, text);
      comments = mayHaveSuppressions ? file.comments() : [];
      runWholeFile(active.filter((r) => r.xml).map((r) => [r, (report) => r.xml!({ file, report })]), findings, notes);
    } else if (language === 'json' || language === 'terraform' || (language === 'yaml' && isCloudFormation(text))) {
      // AWS: IAM policy JSON, CloudFormation templates (JSON, YAML), Terraform; other JSON is not read
      const file: CloudFile | undefined = language === 'json' ? loadCloudJson(path, text)
        : language === 'yaml' ? loadCloudYaml(path, text) : loadTerraform(path, text, mayHaveSuppressions);
      if (file) {
        notes.push(...file.notes);
        if (language !== 'json') errors = file.errors;
        comments = mayHaveSuppressions ? file.comments() : [];
        runWholeFile(active.filter((r) => r.cloud).map((r) => [r, (report) => r.cloud!({ file, report })]), findings, notes);
      }
    } else if (language === 'dockerfile' || language === 'shell' || language === 'dotenv') {
      const front = containerFront(language, path, text, active);
      errors = front.file.errors;
      comments = mayHaveSuppressions ? front.file.comments() : [];
      runWholeFile(front.checks, findings, notes);
    } else if (language === 'yaml') {
      // Kubernetes, kubeconfig and compose files, by content; any other YAML is not analyzed
      const file = openYaml(path, text);
      if (file) {
        errors = file.yaml.errors();
        comments = mayHaveSuppressions ? file.yaml.comments() : [];
        if (file.kind === 'compose') runWholeFile(active.filter((r) => r.compose).map((r) => [r, (report) => r.compose!({ file, report })]), findings, notes);
        else runWholeFile(active.filter((r) => r.kubernetes).map((r) => [r, (report) => r.kubernetes!({ file, report })]), findings, notes);
      }
    } else if (language === 'dependencies') {
      const file = new DepFile(path, text);
      comments = mayHaveSuppressions ? file.comments() : [];
      notes.push(...file.inventory.notes);
      runWholeFile(active.filter((r) => r.dependencies).map((r) => [r, (report) => r.dependencies!({ file, report })]), findings, notes);
    }
  } catch (err) {
    notes.push(stoppedNote(err, path));
  }
  applySuppressions(findings, parseSuppressions(comments));
  return { findings: configure(dedupe(findings), config), notes, ...(errors ? { syntaxErrors: errors } : {}), ...(renders?.length ? { renders } : {}) };
}

/** The size limit for a file: manifests and lockfiles (often large) get at least LOCKFILE_MAX_BYTES. */
export function maxFileBytesFor(language: Language | undefined, config: Config): number {
  const max = config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  return language === 'dependencies' ? Math.max(max, LOCKFILE_MAX_BYTES) : max;
}

/** Rules that look at a whole file at once (XML, Vue templates), each with the same failure handling as visitors. */
function runWholeFile(checks: [Rule, (report: Reporter['report']) => void][], out: Finding[], notes: string[]): void {
  for (const [rule, check] of checks) {
    const reporter = new Reporter(rule.meta);
    callHandlers([{ rule: rule.meta.id, fn: () => check((r) => reporter.report(r)), ctx: undefined }], undefined, new Set(), notes);
    out.push(...reporter.findings);
  }
}

/** Dockerfiles, shell scripts and `.env` files: the front's model and the rules' whole-file checks. */
function containerFront(language: 'dockerfile' | 'shell' | 'dotenv', path: string, text: string, active: Rule[]) {
  if (language === 'dockerfile') {
    const file = new DockerFile(path, text);
    return { file, checks: active.filter((r) => r.dockerfile).map((r): [Rule, (report: Reporter['report']) => void] => [r, (report) => r.dockerfile!({ file, report })]) };
  }
  if (language === 'shell') {
    const file = new ShellFile(path, text);
    return { file, checks: active.filter((r) => r.shell).map((r): [Rule, (report: Reporter['report']) => void] => [r, (report) => r.shell!({ file, report })]) };
  }
  const file = new DotenvFile(path, text);
  return { file, checks: active.filter((r) => r.dotenv).map((r): [Rule, (report: Reporter['report']) => void] => [r, (report) => r.dotenv!({ file, report })]) };
}

function looksMinified(text: string): boolean {
  if (text.length < 20_000) return false;
  // line count and whether any line is over 1,000 characters, without splitting the text into lines
  let lines = 1;
  let long = false;
  for (let start = 0; ;) {
    const end = text.indexOf('\n', start);
    if ((end === -1 ? text.length : end) - start > 1000) long = true;
    if (end === -1) break;
    lines++;
    start = end + 1;
  }
  return long && text.length / lines > 300;
}

const activeByConfig = new Map<string, Rule[]>();

/** The enabled rules for a language under a configuration (memoized by the configuration's rule switches). */
function activeRules(language: Language, config: Config): Rule[] {
  const key = `${language}|${config.rules ? JSON.stringify(config.rules) : ''}`;
  let active = activeByConfig.get(key);
  if (!active) {
    active = rules.filter((r) => isEnabled(r, config) && r.meta.languages.includes(language));
    if (activeByConfig.size > 100) activeByConfig.clear();
    activeByConfig.set(key, active);
  }
  return active;
}

function isEnabled(rule: Rule, config: Config): boolean {
  const override = config.rules?.[rule.meta.id];
  if (override === 'off') return false;
  if (override) return true;
  return !rule.meta.defaultOff;
}

const CONFIDENCE_ORDER: Confidence[] = ['low', 'medium', 'high'];

function configure(findings: Finding[], config: Config): Finding[] {
  const min = CONFIDENCE_ORDER.indexOf(config.minimumConfidence ?? 'low');
  return findings
    .filter((f) => CONFIDENCE_ORDER.indexOf(f.confidence) >= min)
    .map((f) => {
      const override = config.rules?.[f.ruleId];
      return override && override !== 'off' ? { ...f, severity: override } : f;
    })
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

/** A detector may see the same node twice (loops evaluated twice): keep one finding per rule and range. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    // one range may carry several findings of a rule that says what each is about in its properties
    // (transitive packages under one dependency); otherwise one range is one finding (a YAML anchor shared
    // by two services is one setting to change)
    const about = f.properties ? JSON.stringify(f.properties) : '';
    const key = `${f.ruleId}:${f.range.start.line}:${f.range.start.character}:${f.range.end.line}:${f.range.end.character}:${about}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---- the same steps, for the incremental document session (engine/session.ts) ----
export { activeRules, configure, dedupe, looksMinified };
