/**
 * The one way the CLI and the server read a file from disk: a regular file only (never a FIFO, a
 * device such as /dev/zero, a socket or a directory), at most `maxBytes`, optionally never through a
 * symbolic link or to a target outside a given directory. Opening with O_NONBLOCK means a FIFO cannot
 * block the open; fstat on the open descriptor then decides, so a file swapped between a check and the
 * read is still caught.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';

export interface ReadOptions {
  /** Refuse a symbolic link (as git does for .gitignore). */
  noFollow?: boolean;
  /** Refuse a file whose real path is outside this directory (a link out of the workspace). */
  within?: string;
}

/** Why a file was not read; `code` is short and stable (ENOTREG, ETOOBIG, EOUTSIDE, or the system's). */
export class ReadError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Reads the whole file, or throws a ReadError. */
export function readRegularFile(path: string, maxBytes: number, options: ReadOptions = {}): Buffer {
  if (options.within !== undefined && !isWithin(path, options.within)) {
    throw new ReadError('EOUTSIDE', 'it links to a file outside the workspace');
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new ReadError(code, code === 'ELOOP' ? 'it is a symbolic link' : code);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ReadError('ENOTREG', 'not a regular file');
    if (st.size > maxBytes) throw new ReadError('ETOOBIG', `${st.size} bytes is over the ${maxBytes}-byte limit`);
    // read to the end, not to the stat size (the file may be growing), stopping past the limit
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(st.size - total, 0) + 1, 1 << 20, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new ReadError('ETOOBIG', `over the ${maxBytes}-byte limit`);
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** True when the real path of `path` is `dir` or inside it (both resolved through links). */
export function isWithin(path: string, dir: string): boolean {
  try {
    const real = realpathSync(path);
    const base = realpathSync(dir);
    return real === base || real.startsWith(base.endsWith(sep) ? base : base + sep);
  } catch {
    return true; // missing: the open reports it
  }
}
