/**
 * Rule documentation pages (`docs/rules/<id>.md`), read at run time from beside the bundle
 * (`dist/../docs/rules`), for hovers, SARIF `help.markdown` and links.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPOSITORY = 'https://github.com/secure-hints/secure-hints';

export function docsUrl(ruleId: string): string {
  return `${REPOSITORY}/blob/main/docs/rules/${ruleId}.md`;
}

export function cweUrl(cwe: string): string {
  const n = /\d+/.exec(cwe)?.[0];
  return n ? `https://cwe.mitre.org/data/definitions/${n}.html` : 'https://cwe.mitre.org/';
}

/** "A03:2021-Injection" -> https://owasp.org/Top10/A03_2021-Injection/ */
export function owaspUrl(category: string): string {
  const m = /^(A\d\d):2021-(.+)$/.exec(category);
  return m ? `https://owasp.org/Top10/${m[1]}_2021-${m[2].replace(/ /g, '_')}/` : 'https://owasp.org/Top10/';
}

export interface RuleDoc {
  markdown: string;
  /** Section bodies by lower-cased heading ("what it finds", "good", ...). */
  sections: Map<string, string>;
}

let docsDir: string | null | undefined;
const cache = new Map<string, RuleDoc | undefined>();

function findDocsDir(): string | null {
  const candidates = [join(__dirname, '..', 'docs', 'rules'), join(__dirname, '..', '..', '..', 'docs', 'rules'), join(process.cwd(), 'docs', 'rules')];
  return candidates.find((d) => existsSync(d)) ?? null;
}

export function ruleDoc(ruleId: string): RuleDoc | undefined {
  if (cache.has(ruleId)) return cache.get(ruleId);
  if (docsDir === undefined) docsDir = findDocsDir();
  let doc: RuleDoc | undefined;
  if (docsDir && /^[a-z0-9-]+$/.test(ruleId)) {
    try {
      const markdown = readFileSync(join(docsDir, `${ruleId}.md`), 'utf8');
      doc = { markdown, sections: sections(markdown) };
    } catch {
      doc = undefined;
    }
  }
  cache.set(ruleId, doc);
  return doc;
}

function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  let heading: string | undefined;
  let body: string[] = [];
  let inFence = false;
  const flush = () => { if (heading) out.set(heading, body.join('\n').trim()); };
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const m = !inFence && /^#{2,3}\s+(.+?)\s*#*\s*$/.exec(line);
    if (m) {
      flush();
      heading = m[1].toLowerCase();
      body = [];
    } else {
      body.push(line);
    }
  }
  flush();
  return out;
}

const FENCE_LANGUAGES: Record<string, string[]> = {
  python: ['python', 'py'],
  javascript: ['ts', 'tsx', 'typescript', 'js', 'jsx', 'javascript'],
  xml: ['xml'],
  yaml: ['yaml', 'yml'],
  // a .vue file holds templates and scripts: a JavaScript example serves the script's rules
  vue: ['vue', 'html', 'ts', 'typescript', 'js', 'javascript'],
};

/** The first code block of the page's "Good" section in the given language: a safe example. */
export function safeExample(ruleId: string, language: string): { lang: string; code: string } | undefined {
  const doc = ruleDoc(ruleId);
  if (!doc) return undefined;
  const good = [...doc.sections.entries()].find(([h]) => /^good\b|^use instead|^correct/.test(h))?.[1];
  if (!good) return undefined;
  const wanted = FENCE_LANGUAGES[language] ?? [language];
  const fence = /(```|~~~)[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)\n[ \t]*\1/g;
  for (let m = fence.exec(good); m; m = fence.exec(good)) {
    if (wanted.includes(m[2].toLowerCase())) return { lang: m[2], code: m[3] };
  }
  return undefined;
}
