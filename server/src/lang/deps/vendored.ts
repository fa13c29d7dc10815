/**
 * Vendored front-end libraries: a copy of jQuery, Bootstrap, AngularJS... checked into `static/`, `public/`,
 * `vendor/` or kept as `*.min.js`, recognised by its version banner or file name. Such a file is a dependency,
 * not the user's code.
 */
import { recognizeVendoredLibrary, VENDORED_HEAD_BYTES, type VendoredLibrary } from '../../deps/advisories';
import type { Range } from '../../engine/types';

const VENDOR_DIR = /(^|[/\\])(static|public|vendors?|assets|third[-_]party|external|bower_components|wwwroot)[/\\]/i;

export interface VendoredFile {
  path: string;
  library: VendoredLibrary;
  /** Line 1, where the finding goes. */
  range: Range;
}

export function vendoredFile(path: string, text: string): VendoredFile | undefined {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  if (!/\.[cm]?js$/i.test(name)) return undefined;
  // a banner alone is trusted only where libraries are kept, or in a minified file
  const byName = recognizeVendoredLibrary(name, '');
  if (!byName && !VENDOR_DIR.test(path) && !/[.-]min\.[cm]?js$/i.test(name)) return undefined;
  const library = recognizeVendoredLibrary(name, text.slice(0, VENDORED_HEAD_BYTES)) ?? byName;
  if (!library) return undefined;
  const firstLine = text.indexOf('\n');
  const end = Math.min(firstLine < 0 ? text.length : firstLine, 200);
  return { path, library, range: { start: { line: 0, character: 0 }, end: { line: 0, character: Math.max(0, end) } } };
}
