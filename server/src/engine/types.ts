/**
 * The engine's vocabulary. Nothing here knows about LSP, VS Code or the terminal.
 * Positions are 0-based lines and UTF-16 columns, like LSP, so the shells convert nothing.
 */

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type Confidence = 'high' | 'medium' | 'low';
/**
 * A front of the engine. `yaml` and `json` files are sniffed by content (Kubernetes, compose, kubeconfig,
 * CloudFormation, IAM policies); `dependencies` are manifests and lockfiles, known by their file names.
 */
export type Language =
  | 'python' | 'javascript' | 'vue' | 'xml'
  | 'yaml' | 'json' | 'dockerfile' | 'terraform' | 'dotenv' | 'shell' | 'dependencies'
  /** Server-side templates: Jinja2/Django/Nunjucks/Swig, EJS, Handlebars/Mustache, Pug. */
  | 'template';

/** What a sanitizer can make safe. A value is only safe for the sink classes it was cleared for. */
export type SinkClass =
  | 'sql' | 'nosql' | 'command' | 'code' | 'html' | 'path' | 'url' | 'redirect' | 'ssrf'
  | 'xml' | 'deserialization' | 'ldap' | 'xpath' | 'log' | 'header' | 'template' | 'regex';

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
export interface TextEdit { range: Range; newText: string }

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix the editor offers first and `--fix` applies. */
  preferred?: boolean;
  /** Keeps the program's behaviour for benign input: may join "fix all". */
  safe?: boolean;
  /** A dependency upgrade: changes behaviour, so the CLI applies it only with `--fix-dependencies`. */
  kind?: 'dependency-upgrade';
}

/** One step of the way tainted data travelled, for messages and hovers. */
export interface Step {
  description: string;
  line: number;
  /** The file the step is in, when it is not the finding's (a render call filling a template). */
  file?: string;
}

export interface Source { description: string; line: number }

/**
 * The one data-flow answer every rule asks for. Joins take the worst:
 * tainted over unknown over constant.
 */
export type Value =
  | { kind: 'constant'; value?: string; origin?: string }
  | { kind: 'tainted'; source: Source; path: Step[]; cleared: SinkClass[]; origin?: string }
  | { kind: 'unknown'; cleared?: SinkClass[]; origin?: string };

export interface Finding {
  ruleId: string;
  range: Range;
  message: string;
  severity: Severity;
  confidence: Confidence;
  cwe: string[];
  owasp: string;
  fixes: Fix[];
  /** Where the data came from, when the rule knows. */
  dataPath?: Step[];
  /** Set when an inline `secure-hints: ignore[...]` comment covers the finding. */
  suppressed?: { reason: string; line: number };
  /** Markdown shown in the hover after the message (e.g. each advisory of a vulnerable dependency). */
  details?: string;
  /** Extra SARIF result properties (e.g. advisory ids). */
  properties?: Record<string, unknown>;
}

export interface RuleMeta {
  id: string;
  title: string;
  /** One or two sentences: what is wrong and why it matters. */
  description: string;
  cwe: string[];
  /** OWASP Top 10 2021 category, e.g. "A03:2021-Injection". */
  owasp: string;
  severity: Severity;
  confidence: Confidence;
  /** GitHub code scanning score, 0.0-10.0. */
  securitySeverity: number;
  languages: Language[];
  /** Off unless the user turns it on (informational advice). */
  defaultOff?: boolean;
}

export interface Config {
  /** Per-rule override of severity, or 'off'. */
  rules?: Record<string, Severity | 'off'>;
  minimumConfidence?: Confidence;
  /** Analysis time budget per file, in milliseconds. */
  timeBudgetMs?: number;
  /** Files larger than this are skipped with a note. */
  maxFileBytes?: number;
  /** Names of the project's own authentication/authorization guards (decorators, middleware, dependencies). */
  authGuards?: string[];
}

export const OWASP = {
  A01: 'A01:2021-Broken Access Control',
  A02: 'A02:2021-Cryptographic Failures',
  A03: 'A03:2021-Injection',
  A04: 'A04:2021-Insecure Design',
  A05: 'A05:2021-Security Misconfiguration',
  A06: 'A06:2021-Vulnerable and Outdated Components',
  A07: 'A07:2021-Identification and Authentication Failures',
  A08: 'A08:2021-Software and Data Integrity Failures',
  A09: 'A09:2021-Security Logging and Monitoring Failures',
  A10: 'A10:2021-Server-Side Request Forgery',
} as const;
