/**
 * Reading a manifest's neighbours (the lockfile beside package.json, a requirements file's `-r` includes):
 * regular files only, no links, a size limit, and a small cache keyed by modification time so an editor
 * re-reading package.json on every keystroke parses its lockfile once.
 */
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** Lockfiles are often larger than source files: they get their own limit (the `dependencies` language only). */
export const LOCKFILE_MAX_BYTES = 50_000_000;

export type ReadResult = { text: string; path: string } | { error: string } | undefined;

/** A sibling or included file: undefined when absent, an error when unreadable, too large, or not a plain file. */
export function readNeighbour(path: string, limit = LOCKFILE_MAX_BYTES): ReadResult {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return undefined;
  }
  if (stat.isSymbolicLink()) return { error: `${path} is a symbolic link: not followed` };
  if (!stat.isFile()) return { error: `${path} is not a regular file` };
  if (stat.size > limit) return { error: `${path}: ${stat.size} bytes is over the ${limit}-byte limit` };
  try {
    return { text: readFileSync(path, 'utf8'), path };
  } catch (err) {
    return { error: `${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
}

/** The file `name` beside `path` (relative paths are taken from the current directory, as the CLI gives them). */
export function siblingPath(path: string, name: string): string | undefined {
  if (path === '' || /^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)) return undefined; // untitled:, vscode-vfs:
  return join(dirname(resolve(path)), name);
}

/** Is `target` inside `folder` (after resolving links of the folder itself)? Used to keep includes in the project. */
export function inside(folder: string, target: string): boolean {
  let root = resolve(folder);
  try {
    root = realpathSync(root);
  } catch { /* keep as is */ }
  const rel = relative(root, resolve(target));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

const cache = new Map<string, { key: string; value: unknown }>();

/** Parses a neighbour once per (path, size, mtime); `parse` must not throw. */
export function cachedParse<T>(path: string, parse: (text: string, path: string) => T, limit = LOCKFILE_MAX_BYTES): T | { error: string } | undefined {
  let key: string;
  try {
    const s = lstatSync(path);
    key = `${s.size}:${s.mtimeMs}:${s.ino}`;
  } catch {
    return undefined;
  }
  const hit = cache.get(path);
  if (hit && hit.key === key) return hit.value as T;
  const read = readNeighbour(path, limit);
  if (!read || 'error' in read) return read;
  const value = parse(read.text, path);
  if (cache.size >= 8) cache.delete(cache.keys().next().value!);
  cache.set(path, { key, value });
  return value;
}
