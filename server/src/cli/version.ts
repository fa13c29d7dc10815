/** The package version, fixed at build time from package.json. */
import pkg from '../../../package.json';

export const VERSION: string = (pkg as { version: string }).version;
