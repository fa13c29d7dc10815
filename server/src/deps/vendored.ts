/**
 * Vendored front-end libraries: a minified jQuery, Bootstrap, AngularJS... copied into `static/` or
 * `vendor/`, recognised by retire.js's file-name and banner patterns, compiled at build time into
 * `vendored.json` (each pattern checked there by the unsafe-regex reader). At run time a pattern only
 * ever sees a file's base name (at most 200 characters) and its first VENDORED_HEAD_BYTES.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT, shippedDirs, type VendoredFile } from './index-format';

export interface VendoredLibrary { npmName: string; version: string }

/** Only this much of a file's start is searched for a version banner. */
export const VENDORED_HEAD_BYTES = 2048;

interface CompiledLibrary { npmName: string; names: RegExp[]; contents: { re: RegExp; literal: string }[] }
let vendored: CompiledLibrary[] | undefined;

function compile(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined; // a pattern this engine does not accept is left out
  }
}

function vendoredLibraries(): CompiledLibrary[] {
  if (vendored) return vendored;
  vendored = [];
  for (const dir of shippedDirs()) {
    try {
      const file = JSON.parse(readFileSync(join(dir, 'vendored.json'), 'utf8')) as VendoredFile;
      if (file.format !== FORMAT || !Array.isArray(file.libraries)) continue;
      vendored = file.libraries.map(([npmName, names, contents, literals]) => ({
        npmName,
        names: names.map(compile).filter((re): re is RegExp => re !== undefined),
        contents: contents.flatMap((source, i) => {
          const re = compile(source);
          return re ? [{ re, literal: literals?.[i] ?? '' }] : [];
        }),
      }));
      break;
    } catch {
      // try the next place
    }
  }
  return vendored;
}

/** Trims what a pattern's version group can over-take from a file name: `1.8.3.min`, `3.5.1.slim`. */
export function cleanVendoredVersion(v: string): string | undefined {
  const m = /^\d{1,9}(?:\.\d{1,9}){0,4}(?:-[0-9A-Za-z]{1,20}(?:\.[0-9A-Za-z]{1,20}){0,4})?/.exec(v);
  if (!m) return undefined;
  return m[0].replace(/(?:[.-](?:min|slim|js|umd|esm|bundle|prod|production|dev))+$/i, '');
}

/**
 * A minified copy of a known front-end library, recognised by its version banner in the first
 * VENDORED_HEAD_BYTES of `head`, else by its file name (`jquery-1.8.3.min.js`).
 */
export function recognizeVendoredLibrary(fileName: string, head: string): VendoredLibrary | undefined {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1).slice(0, 200);
  const text = head.slice(0, VENDORED_HEAD_BYTES);
  const libs = vendoredLibraries();
  for (const lib of libs) {
    for (const { re, literal } of lib.contents) {
      if (literal && !text.includes(literal)) continue;
      const m = re.exec(text);
      const version = m?.[1] && cleanVendoredVersion(m[1]);
      if (version) return { npmName: lib.npmName, version };
    }
  }
  for (const lib of libs) {
    for (const re of lib.names) {
      const m = re.exec(base);
      if (m && m.index === 0) {
        const version = m[1] && cleanVendoredVersion(m[1]);
        if (version) return { npmName: lib.npmName, version };
      }
    }
  }
  return undefined;
}


export function resetVendoredCache(): void {
  vendored = undefined;
}
