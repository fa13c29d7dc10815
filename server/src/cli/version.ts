/** The package version, fixed at build time from package.json. */
import pkg from '../../../package.json';
import { loadIndex } from '../deps/advisories';

export const VERSION: string = (pkg as { version: string }).version;

/** `advisory database 2026-08-22 (shipped)`: the date of the vulnerability data in use, for `--version`. */
export function advisoryDatabaseLine(): string {
  const index = loadIndex();
  return `advisory database ${index.date || 'missing'} (${index.source})`;
}
