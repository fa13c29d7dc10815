/**
 * The dependency inventory: what a manifest or lockfile declares, with positions, whatever format it came
 * from. Fronts per format fill it; the `vulnerable-dependency` rule reads it and never parses.
 */
import type { Range } from '../../engine/types';

export type Ecosystem = 'npm' | 'PyPI';

export type DepFileKind =
  | 'package.json' | 'package-lock.json' | 'yarn.lock' | 'pnpm-lock.yaml'
  | 'requirements.txt' | 'pyproject.toml' | 'poetry.lock' | 'uv.lock' | 'Pipfile.lock';

/** How the version was found: from a lockfile, pinned exactly in a manifest, or the lowest a range allows. */
export type Resolution = 'locked' | 'exact' | 'range';

/** Where an upgrade edits the manifest: the exact text of a version spec and how to write a new one. */
export interface SpecSite {
  range: Range;
  text: string;
  /** npm ranges (`^1.2.3`), a PEP 440 clause (`==1.2`, `>=1.2`, in a requirement string), or Poetry's constraint syntax. */
  syntax: 'npm' | 'pep440' | 'poetry';
  /** For PEP 440: the whole specifier list the clause belongs to (an upgrade must still satisfy its other clauses). */
  list?: string;
}

export interface DepEntry {
  ecosystem: Ecosystem;
  /** npm names as written; PyPI names normalised per PEP 503. */
  name: string;
  /** The version the project gets, when it can be known (exact, valid for the ecosystem). */
  version: string;
  resolution: Resolution;
  /** The manifest's version spec, as written (`^4.17.0`, `>=2.2,<3`). */
  declared?: string;
  /** Declared by the project itself; undefined when the file cannot tell (Pipfile.lock). */
  direct: boolean | undefined;
  /** For a transitive package: the chain from the direct dependency down to its parent (`express`, `body-parser`). */
  via: string[];
  /** Needed only for development (devDependencies, dev groups). */
  dev: boolean;
  /** Where a finding goes: the declaring name (or the direct dependency's name for a transitive package). */
  range: Range;
  /** The spec an upgrade edits (a direct dependency declared in this file). */
  spec?: SpecSite;
  /** Why the version came from somewhere else than expected (a stale lockfile entry). */
  remark?: string;
}

/** Where an `overrides`-style entry goes in package.json for a transitive upgrade. */
export interface OverrideSite {
  /** `overrides` (npm), `resolutions` (yarn) or `pnpm.overrides` (pnpm). */
  path: string[];
  manager: 'npm' | 'yarn' | 'pnpm';
}

export interface DepInventory {
  kind: DepFileKind;
  ecosystem: Ecosystem;
  entries: DepEntry[];
  /** What could not be read: unknown lockfile versions, unparsable versions, malformed files. */
  notes: string[];
  /** package.json: where a transitive upgrade pins its version. */
  override?: OverrideSite;
  /** The lockfile whose versions the entries use, when a manifest was read with its sibling lockfile. */
  lockfile?: string;
}

/** PEP 503: lower case, runs of `-`, `_` and `.` become one `-`. */
export function normalizePyName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** A bound for loops over user input: lockfiles of more packages than this are read in part, with a note. */
export const MAX_PACKAGES = 200_000;
