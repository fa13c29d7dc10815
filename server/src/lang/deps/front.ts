/**
 * The dependencies front: picks the reader for a manifest or lockfile by its name and gives rules one
 * inventory (see model.ts), the file's comments (suppressions) and, for package.json, its JSON tree (edits).
 */
import type { Node as JsonNode } from 'jsonc-parser';
import { basename } from 'node:path';
import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { parseTOML } from 'toml-eslint-parser';
import { cachedParse, siblingPath } from './files';
import { jsonComments } from './json';
import { lockEntries, type LockGraph } from './lock-graph';
import type { DepInventory } from './model';
import { packageJsonInventory, readPackageJson } from './npm-manifest';
import { parsePackageLock } from './npm-lock';
import { parsePnpmLock } from './pnpm-lock';
import { pipfileLockEntries, parsePoetryLock, parseUvLock } from './py-locks';
import { pyprojectInventory } from './pyproject';
import { requirementsInventory } from './requirements';
import { parseYarnLock } from './yarn-lock';

export class DepFile {
  readonly inventory: DepInventory;
  /** package.json's tree, for edits. */
  readonly json?: JsonNode;
  private readonly _comments: () => { line: number; text: string }[];

  constructor(readonly path: string, readonly text: string) {
    const name = basename(path.replace(/\\/g, '/')).toLowerCase();
    const r = read(name, path, text);
    this.inventory = r.inventory;
    this.json = r.json;
    this._comments = r.comments;
  }

  /** Computed on request (analyze asks only when a suppression may be there). */
  comments(): { line: number; text: string }[] {
    return this._comments();
  }
}

interface Read { inventory: DepInventory; comments: () => { line: number; text: string }[]; json?: JsonNode }

function read(name: string, path: string, text: string): Read {
  const hashComments = () => lineComments(text, '#');
  switch (name) {
    case 'package.json': {
      const manifest = readPackageJson(text);
      return { inventory: packageJsonInventory(path, manifest), comments: () => jsonComments(text), json: manifest.tree };
    }
    case 'package-lock.json': case 'npm-shrinkwrap.json':
      return { inventory: fromGraph(withManifestRoots(parsePackageLock(text), path)), comments: () => jsonComments(text) };
    case 'yarn.lock':
      return { inventory: fromGraph(withManifestRoots(parseYarnLock(text), path)), comments: hashComments };
    case 'pnpm-lock.yaml':
      return { inventory: fromGraph(parsePnpmLock(text)), comments: hashComments };
    case 'poetry.lock':
      return { inventory: fromGraph(parsePoetryLock(text)), comments: hashComments };
    case 'uv.lock':
      return { inventory: fromGraph(parseUvLock(text)), comments: hashComments };
    case 'pipfile.lock': {
      const { entries, notes } = pipfileLockEntries(text);
      return { inventory: { kind: 'Pipfile.lock', ecosystem: 'PyPI', entries, notes }, comments: () => jsonComments(text) };
    }
    case 'pyproject.toml': {
      const r = pyprojectInventory(path, text);
      return { inventory: r.inventory, comments: () => r.comments };
    }
    default: {
      const r = requirementsInventory(path, text);
      return { inventory: r.inventory, comments: () => r.comments };
    }
  }
}

function fromGraph(graph: LockGraph): DepInventory {
  return { kind: graph.kind, ecosystem: graph.ecosystem, entries: lockEntries(graph), notes: graph.notes };
}

/** Lockfiles that do not record the project's own dependencies (yarn classic, npm v1) take them from package.json. */
function withManifestRoots(graph: LockGraph, path: string): LockGraph {
  if (graph.roots.length > 0 || !graph.resolve) return graph;
  const p = siblingPath(path, 'package.json');
  if (!p) return graph;
  const manifest = cachedParse(p, (t) => readPackageJson(t), 5_000_000);
  if (!manifest || 'error' in manifest || !manifest.tree) return graph;
  const roots = [];
  for (const d of manifest.deps) {
    if (d.override) continue;
    const id = graph.resolve(d.key, d.spec);
    if (id) roots.push({ name: d.key, id, dev: d.dev });
  }
  return { ...graph, roots };
}

/** Comments of a `#`-comment format, by line: a `#` at a line's start or after whitespace (not inside a quoted value). */
function lineComments(text: string, mark: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let line = 0;
  for (let start = 0; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const i = text.indexOf(mark, start);
    if (i >= 0 && i < end) {
      const before = text.slice(start, i);
      const quotes = (before.match(/"/g)?.length ?? 0) + (before.match(/'/g)?.length ?? 0);
      if (quotes % 2 === 0 && (i === start || /\s/.test(text[i - 1]))) out.push({ line, text: text.slice(i + 1, end) });
    }
    start = end + 1;
  }
  return out;
}

/** Syntax errors of a manifest or lockfile (to check that an upgrade keeps it valid); empty when it parses. */
export function dependencySyntaxErrors(path: string, text: string): string[] {
  const name = basename(path.replace(/\\/g, '/')).toLowerCase();
  if (name === 'package.json') {
    const errors: ParseError[] = [];
    parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
    return errors.map((e) => `offset ${e.offset}: ${printParseErrorCode(e.error)}`);
  }
  if (name === 'pyproject.toml') {
    try {
      parseTOML(text);
      return [];
    } catch (err) {
      return [(err as Error).message];
    }
  }
  return [];
}
