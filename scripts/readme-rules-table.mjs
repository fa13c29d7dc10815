// Writes the README's rules table from the rules' own metadata (dist/server.js), between the
// markers <!-- rules-table:start --> and <!-- rules-table:end -->. Never edit the table by hand.
// Usage: npm run build && node scripts/readme-rules-table.mjs [--check]
//   --check: exit 1 (and say so) when the README's table is not what the metadata gives.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = dirname(dirname(new URL(import.meta.url).pathname));
const require = createRequire(import.meta.url);
const { rules } = require(join(root, 'dist/server.js'));

const START = '<!-- rules-table:start -->';
const END = '<!-- rules-table:end -->';
const LANGUAGE_NAMES = {
  python: 'Python', javascript: 'JS/TS', vue: 'Vue', xml: 'XML', yaml: 'YAML', json: 'JSON', dockerfile: 'Dockerfile',
  terraform: 'Terraform', dotenv: '.env', shell: 'shell', dependencies: 'manifests, lockfiles',
};

function cweLink(cwe) {
  const n = /\d+/.exec(cwe)?.[0];
  return n ? `[${cwe}](https://cwe.mitre.org/data/definitions/${n}.html)` : cwe;
}

export function rulesTable() {
  const sorted = [...rules].map((r) => r.meta).sort((a, b) => b.securitySeverity - a.securitySeverity || a.id.localeCompare(b.id));
  const lines = [
    `${sorted.length} rules. Severity is the default; it follows the evidence (a value from a request is an error, one of unknown origin a warning) and each rule can be turned off or re-levelled in the settings.`,
    '',
    '| Rule | What it finds | Languages | CWE | OWASP 2021 | Severity |',
    '|---|---|---|---|---|---|',
  ];
  for (const m of sorted) {
    const owasp = m.owasp.replace(/^(A\d\d):2021-/, '$1 ');
    const severity = `${m.severity}${m.defaultOff ? ' (off by default)' : ''}`;
    const languages = m.languages.map((l) => LANGUAGE_NAMES[l] ?? l).join(', ');
    const title = m.title.replace(/\|/g, '\\|');
    lines.push(`| [\`${m.id}\`](docs/rules/${m.id}.md) | ${title} | ${languages} | ${m.cwe.map(cweLink).join(', ')} | ${owasp} | ${severity} |`);
  }
  return lines.join('\n');
}

const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < start) {
  console.error(`README.md has no ${START} ... ${END} markers`);
  process.exit(1);
}
const next = `${readme.slice(0, start + START.length)}\n${rulesTable()}\n${readme.slice(end)}`;
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md rules table is out of date: run `npm run build && node scripts/readme-rules-table.mjs`');
    process.exit(1);
  }
  console.log('README.md rules table is up to date');
} else if (next !== readme) {
  writeFileSync(readmePath, next);
  console.log(`README.md rules table: ${rules.length} rules`);
} else {
  console.log('README.md rules table unchanged');
}
