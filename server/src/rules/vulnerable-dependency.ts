import { satisfies as pepSatisfies, valid as pepValid } from '@renovatebot/pep440';
import semver from 'semver';
import { loadIndex, type Advisory, type AdvisoryIndex } from '../deps/advisories';
import { defineRule, type DepsContext, type VendoredContext } from '../engine/rule-types';
import { OWASP, type Confidence, type Fix, type Severity } from '../engine/types';
import { jsonSetStringEdit } from '../lang/deps/json-edit';
import type { DepEntry, DepInventory, Ecosystem, SpecSite } from '../lang/deps/model';

/**
 * Dependencies with published advisories: every npm and PyPI package a manifest or lockfile declares
 * (the locked version when a lockfile is there, else the lowest version the range allows), and vendored
 * copies of front-end libraries, matched against the advisory index that ships with the extension.
 */
export default defineRule({
  meta: {
    id: 'vulnerable-dependency',
    title: 'Dependency with known vulnerabilities',
    description: 'A dependency version that published advisories (OSV, GHSA, PYSEC, CVE) describe as vulnerable: upgrading to a fixed version removes known, documented attacks.',
    cwe: ['CWE-1395'],
    owasp: OWASP.A06,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 7.5,
    languages: ['dependencies', 'javascript'],
  },
  dependencies: (ctx) => check(ctx),
  vendored: (ctx) => checkVendored(ctx),
});

const LOWER: Record<Severity, Severity> = { error: 'warning', warning: 'info', info: 'hint', hint: 'hint' };
const SEVERITY_RANK = { low: 1, moderate: 2, high: 3, critical: 4 } as const;

function check(ctx: DepsContext): void {
  const inv = ctx.file.inventory;
  if (inv.entries.length === 0) return;
  const index = loadIndex();
  const memo = memoFor(index);
  for (const e of inv.entries) {
    if (!index.hasPackage(e.ecosystem, e.name)) continue;
    const { advisories, fixed, lineOnly } = verdict(index, memo, e.ecosystem, e.name, e.version);
    if (advisories.length === 0) continue;
    const fixes = fixed ? upgradeFixes(ctx, inv, e, fixed) : [];
    const critical = advisories.some((a) => a.severity === 'critical');
    const severity: Severity = e.dev ? LOWER[critical ? 'error' : 'warning'] : critical ? 'error' : 'warning';
    const confidence: Confidence = e.resolution === 'range' ? 'medium' : 'high';
    ctx.report({
      range: e.range,
      message: message(inv, e, advisories, fixed, lineOnly),
      severity,
      confidence,
      fixes,
      details: details(index, e.ecosystem, advisories),
      properties: properties(e, advisories, fixed),
    });
  }
}

type Verdict = { advisories: Advisory[]; fixed: string | undefined; lineOnly?: boolean };
const memos = new WeakMap<AdvisoryIndex, Map<string, Verdict>>();

/** Verdicts per package version, kept while the index is the same (an editor re-checks the same lockfile often). */
function memoFor(index: AdvisoryIndex): Map<string, Verdict> {
  let memo = memos.get(index);
  if (!memo || memo.size > 50_000) memos.set(index, (memo = new Map()));
  return memo;
}

function verdict(index: AdvisoryIndex, memo: Map<string, Verdict>, eco: Ecosystem, name: string, version: string): Verdict {
  const key = `${eco}\u0000${name}\u0000${version}`;
  let v = memo.get(key);
  if (!v) {
    const advisories = index.advisoriesFor(eco, name, version);
    const fixed = advisories.length > 0 ? index.fixVersion(eco, name, version) : undefined;
    v = fixed && isSentinel(fixed) ? { advisories, fixed: undefined, lineOnly: true } : { advisories, fixed };
    memo.set(key, v);
  }
  return v;
}

/** `3.999.999`: some sources' way to say "every 3.x"; not a release anyone can upgrade to. */
function isSentinel(version: string): boolean {
  return /(^|\.)9{3,}(\.|$)/.test(version);
}

function checkVendored(ctx: VendoredContext): void {
  const { library, range } = ctx.file;
  const index = loadIndex();
  if (!index.hasPackage('npm', library.npmName)) return;
  const advisories = index.advisoriesFor('npm', library.npmName, library.version);
  if (advisories.length === 0) return;
  const fix = index.fixVersion('npm', library.npmName, library.version);
  const fixed = fix && !isSentinel(fix) ? fix : undefined;
  const critical = advisories.some((a) => a.severity === 'critical');
  ctx.report({
    range,
    message: `Vendored ${library.npmName} ${library.version} has ${count(advisories)}: ${ids(advisories)}. ${fixed ? `Replace this file with ${library.npmName} ${fixed} or later.` : 'No fixed version is known.'}`,
    severity: critical ? 'error' : 'warning',
    confidence: 'high',
    details: details(index, 'npm', advisories),
    properties: { package: library.npmName, version: library.version, vendored: true, advisories: advisories.map((a) => a.id), aliases: advisories.flatMap((a) => a.aliases), ...(fixed ? { fixedVersion: fixed } : {}) },
  });
}

function count(advisories: Advisory[]): string {
  return advisories.length === 1 ? '1 known vulnerability' : `${advisories.length} known vulnerabilities`;
}

/** `GHSA-x (CVE-y, high), PYSEC-z (moderate)`: every id, sorted by severity. */
function ids(advisories: Advisory[]): string {
  return [...advisories]
    .sort((a, b) => (SEVERITY_RANK[b.severity ?? 'low'] ?? 0) - (SEVERITY_RANK[a.severity ?? 'low'] ?? 0) || a.id.localeCompare(b.id))
    .map((a) => {
      const extra = [...a.aliases.filter((x) => x !== a.id), ...(a.severity ? [a.severity] : [])];
      return extra.length ? `${a.id} (${extra.join(', ')})` : a.id;
    })
    .join(', ');
}

/** "lodash 4.17.15 (locked by package-lock.json) ← ^4.17.0", "qs 6.5.2 (locked, via express → body-parser)". */
function describe(inv: DepInventory, e: DepEntry): string {
  const how = e.resolution === 'locked' ? `locked${inv.lockfile ? ` in ${inv.lockfile}` : ''}`
    : e.resolution === 'exact' ? 'pinned' : 'the lowest version the range allows';
  const via = e.direct === false && e.via.length > 0 ? `, via ${e.via.join(' → ')}` : '';
  const declared = e.direct && e.declared && e.resolution !== 'exact' ? ` ← \`${e.declared}\`` : '';
  const dev = e.dev ? ' (development only)' : '';
  return `${e.name} ${e.version} (${how}${via})${declared}${dev}`;
}

function message(inv: DepInventory, e: DepEntry, advisories: Advisory[], fixed: string | undefined, lineOnly = false): string {
  const parts = [`${describe(inv, e)} has ${count(advisories)}: ${ids(advisories)}.`];
  if (e.remark) parts.push(`${e.remark[0].toUpperCase()}${e.remark.slice(1)}.`);
  if (!fixed) parts.push(lineOnly ? 'No release of this major version fixes every advisory: a newer major version is needed.' : 'No fixed version is known.');
  else if (e.direct === false && inv.kind === 'package.json') parts.push(`Fixed in ${fixed}: pin it in \`${(inv.override?.path ?? ['overrides']).join('.')}\`.`);
  else if (!isManifest(inv)) parts.push(`Fixed in ${fixed}: upgrade through the manifest, then refresh this lockfile.`);
  else parts.push(`Fixed in ${fixed}.`);
  return parts.join(' ');
}

function isManifest(inv: DepInventory): boolean {
  return inv.kind === 'package.json' || inv.kind === 'requirements.txt' || inv.kind === 'pyproject.toml';
}

function details(index: AdvisoryIndex, ecosystem: Ecosystem, advisories: Advisory[]): string {
  const out = advisories.map((a) => {
    const title = `**[${a.id}](${a.url})**${a.aliases.length ? ` (${a.aliases.join(', ')})` : ''} · ${a.severity ?? 'severity not given'}`;
    const lines = [title];
    if (a.summary) lines.push(a.summary);
    lines.push(`Affected: ${a.affected || 'see the advisory'} · Fixed: ${a.fixed.length ? a.fixed.join(', ') : 'no fixed version'}`);
    return lines.join('  \n');
  });
  const credit = ecosystem === 'PyPI' ? ' · PyPI data: Python Packaging Authority advisory database (CC-BY 4.0)' : '';
  out.push(`_Advisory database: ${index.date || 'unknown date'} (${index.source})${credit}_`);
  return out.join('\n\n');
}

function properties(e: DepEntry, advisories: Advisory[], fixed: string | undefined): Record<string, unknown> {
  return {
    ecosystem: e.ecosystem,
    package: e.name,
    version: e.version,
    versionSource: e.resolution,
    direct: e.direct,
    dev: e.dev,
    ...(e.via.length ? { via: e.via } : {}),
    advisories: advisories.map((a) => a.id),
    aliases: [...new Set(advisories.flatMap((a) => a.aliases))],
    ...(fixed ? { fixedVersion: fixed } : {}),
  };
}

// ---- upgrade fixes (never `safe`: an upgrade changes behaviour) ----

function upgradeFixes(ctx: DepsContext, inv: DepInventory, e: DepEntry, to: string): Fix[] {
  const refresh = inv.ecosystem === 'npm' ? `${inv.override?.manager ?? 'npm'} install` : inv.lockfile === 'uv.lock' ? 'uv lock' : inv.lockfile === 'poetry.lock' ? 'poetry lock' : 'install';
  const lockNote = inv.lockfile ? `; the next ${refresh} refreshes ${inv.lockfile}` : '';
  if (e.spec) {
    const text = newSpec(e.spec, to);
    if (!text || text === e.spec.text) return [];
    return [{ title: `Upgrade ${e.name} to ${to} (\`${text}\`${lockNote})`, edits: [{ range: e.spec.range, newText: text }], preferred: true, kind: 'dependency-upgrade' }];
  }
  if (inv.kind === 'package.json' && e.direct === false && inv.override && ctx.file.json) {
    const edit = jsonSetStringEdit(ctx.file.text, ctx.file.json, inv.override.path, e.name, `^${to}`);
    if (!edit) return [];
    const where = inv.override.path.join('.');
    return [{ title: `Upgrade ${e.name} to ${to} with an entry in \`${where}\` (the next ${refresh} refreshes the lockfile)`, edits: [edit], preferred: true, kind: 'dependency-upgrade' }];
  }
  return [];
}

/** The spec after the upgrade, or undefined when it cannot be written without guessing. */
function newSpec(site: SpecSite, to: string): string | undefined {
  const old = site.text.trim();
  if (site.syntax === 'npm') {
    if (old.startsWith('~')) return `~${to}`;
    if (semver.valid(old.replace(/^=/, ''), { loose: true })) return to;
    if (/^>=\s*[\d]/.test(old) && !/[\s<|]/.test(old.replace(/^>=\s*/, ''))) return `>=${to}`;
    return `^${to}`;
  }
  if (site.syntax === 'poetry') {
    if (/^[\^~](?!=)/.test(old)) return `${old[0]}${to}`;
    if (pepValid(old)) return to;
    const m = /^(==|>=|~=)\s*[^,\s]+$/.exec(old);
    return m ? `${m[1]}${to}` : undefined;
  }
  // PEP 440 clause: `==X` stays a pin, `>=X`/`~=X` move the floor; the rest of the list must still allow it
  const op = /^(===|==|>=|~=)/.exec(old)?.[1];
  if (!op) return undefined;
  const text = op === '==' && old.includes('*') ? `>=${to}` : `${op === '===' ? '==' : op}${to}`;
  if (site.list !== undefined) {
    const list = site.list.split(',').map((c) => (c.trim() === old ? text : c.trim())).join(',');
    try {
      if (!pepSatisfies(to, list)) return undefined;
    } catch {
      return undefined;
    }
  }
  return text;
}
