/**
 * Which files a scan reads. Directories are walked honouring the `.gitignore` files inside the
 * scanned tree and skipping dependencies, virtual environments, VCS folders, build output and
 * minified bundles. A file named on the command line is always scanned.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { languageFor } from '../engine/languages';
import { vendoredFile } from '../lang/deps/vendored';
import { readRegularFile } from '../engine/read-file';

/** A .gitignore larger than this is not read. */
const MAX_GITIGNORE_BYTES = 1_000_000;

const SKIPPED_DIRS = new Set([
  'node_modules', 'bower_components', 'jspm_packages', 'vendor', '_vendor', 'third_party',
  '.git', '.hg', '.svn',
  'venv', '.venv', 'virtualenv', '.tox', '.nox', '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages',
  'dist', 'build', 'out', '.next', '.nuxt', '.svelte-kit', '.turbo', '.cache', 'coverage', '.parcel-cache',
]);

const MINIFIED = /\.min\.[cm]?js$|[.-]bundle\.[cm]?js$|\.d\.[cm]?ts$/i;

export interface WalkOptions {
  /** Extra exclusion, e.g. the project file's `exclude` globs. */
  excluded?: (path: string, isDir: boolean) => boolean;
}

export interface WalkResult {
  files: string[];
  /** Paths named on the command line that do not exist. */
  missing: string[];
}

interface IgnoreLayer { base: string; ig: Ignore }

/** Expands command-line paths into the files to analyze, sorted within each directory. */
export function collectFiles(paths: string[], options: WalkOptions = {}): WalkResult {
  const files: string[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const add = (f: string) => { if (!seen.has(f)) { seen.add(f); files.push(f); } };
  for (const p of paths) {
    let stat;
    try {
      stat = statSync(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (stat.isDirectory()) walkDir(p, [], options, add);
    else add(p);
  }
  return { files, missing };
}

function walkDir(dir: string, layers: IgnoreLayer[], options: WalkOptions, add: (f: string) => void): void {
  const here = gitignoreLayer(dir);
  const active = here ? [...layers, here] : layers;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isSymbolicLink()) continue; // never follow links: no loops, no escaping the tree
    if (e.isDirectory()) {
      if (SKIPPED_DIRS.has(e.name) || isVirtualEnv(path)) continue;
      if (ignored(active, path, true) || options.excluded?.(path, true)) continue;
      walkDir(path, active, options, add);
    } else if (e.isFile()) {
      if (!languageFor(path) || (MINIFIED.test(e.name) && !isVendoredLibrary(path, e.name))) continue;
      if (ignored(active, path, false) || options.excluded?.(path, false)) continue;
      add(path);
    }
  }
}

/** A minified copy of a known library is read for the vulnerable-dependency check (only its head is looked at here). */
function isVendoredLibrary(path: string, name: string): boolean {
  if (!/\.min\.[cm]?js$/i.test(name)) return false;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(2048);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return vendoredFile(path, buf.subarray(0, n).toString('utf8')) !== undefined;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function gitignoreLayer(dir: string): IgnoreLayer | undefined {
  const file = join(dir, '.gitignore');
  if (!existsSync(file)) return undefined;
  try {
    // like git, never through a symbolic link; never a FIFO or a device
    return { base: dir, ig: ignore().add(readRegularFile(file, MAX_GITIGNORE_BYTES, { noFollow: true }).toString('utf8')) };
  } catch {
    return undefined;
  }
}

function ignored(layers: IgnoreLayer[], path: string, isDir: boolean): boolean {
  let result = false;
  for (const { base, ig } of layers) {
    const rel = relative(base, path).split(sep).join('/');
    const r = ig.test(isDir ? rel + '/' : rel);
    // a deeper .gitignore may re-include what a shallower one ignored
    if (r.ignored) result = true;
    else if (r.unignored) result = false;
  }
  return result;
}

function isVirtualEnv(dir: string): boolean {
  return existsSync(join(dir, 'pyvenv.cfg'));
}
