/**
 * One PEP 508 requirement (`name[extras] (specifiers) ; markers`, or `name @ url`), read by a small scanner
 * over the already-extracted requirement text, with the offsets of the name and of each specifier clause.
 */
import { valid as pepValid } from '@renovatebot/pep440';
import type { Resolution } from './model';

export interface Clause { op: string; version: string; start: number; end: number }

export interface Requirement {
  name: string;
  nameStart: number;
  nameEnd: number;
  /** `name @ url`: a direct reference, never matched. */
  url: boolean;
  clauses: Clause[];
  /** The specifier list's text and span (without parentheses). */
  specText: string;
  specStart: number;
  specEnd: number;
}

const OPS = ['===', '==', '!=', '~=', '>=', '<=', '>', '<'];

function isNameChar(c: string): boolean {
  return /[A-Za-z0-9._-]/.test(c);
}

/** Reads a requirement; `offset` is added to every position. Undefined when the text is not one. */
export function parseRequirement(text: string, offset = 0): Requirement | undefined {
  let i = 0;
  const n = text.length;
  while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  const nameStart = i;
  if (i >= n || !/[A-Za-z0-9]/.test(text[i])) return undefined;
  while (i < n && isNameChar(text[i])) i++;
  let nameEnd = i;
  while (nameEnd > nameStart && /[._-]/.test(text[nameEnd - 1])) nameEnd--;
  const name = text.slice(nameStart, nameEnd);
  while (i < n && text[i] === ' ') i++;
  if (text[i] === '[') {
    const close = text.indexOf(']', i);
    if (close < 0) return undefined;
    i = close + 1;
  }
  while (i < n && text[i] === ' ') i++;
  const req: Requirement = { name, nameStart: nameStart + offset, nameEnd: nameEnd + offset, url: false, clauses: [], specText: '', specStart: i + offset, specEnd: i + offset };
  if (text[i] === '@') {
    req.url = true;
    return req;
  }
  const semi = text.indexOf(';', i);
  let end = semi < 0 ? n : semi;
  let start = i;
  if (text[start] === '(') {
    start++;
    const close = text.indexOf(')', start);
    if (close >= 0 && close < end) end = close;
  }
  while (end > start && /\s/.test(text[end - 1])) end--;
  req.specText = text.slice(start, end);
  req.specStart = start + offset;
  req.specEnd = end + offset;
  let j = start;
  while (j < end) {
    while (j < end && (text[j] === ' ' || text[j] === ',')) j++;
    if (j >= end) break;
    const op = OPS.find((o) => text.startsWith(o, j));
    if (!op) return { ...req, clauses: [] };
    const clauseStart = j;
    j += op.length;
    while (j < end && text[j] === ' ') j++;
    const vStart = j;
    while (j < end && text[j] !== ',' && text[j] !== ' ') j++;
    req.clauses.push({ op, version: text.slice(vStart, j), start: clauseStart + offset, end: j + offset });
  }
  return req;
}

/**
 * The version a requirement's specifiers give: exact from `==X`/`===X`, otherwise the lowest allowed by
 * `>=X`/`~=X`/`==X.*` (a range). Undefined when there is no lower bound or the version is not PEP 440.
 */
export function pyVersionOf(clauses: Clause[]): { version: string; resolution: Resolution; clause: Clause } | undefined {
  for (const c of clauses) {
    if ((c.op === '==' || c.op === '===') && !c.version.includes('*') && pepValid(c.version)) return { version: c.version, resolution: 'exact', clause: c };
  }
  let best: { version: string; resolution: Resolution; clause: Clause } | undefined;
  for (const c of clauses) {
    let v: string | undefined;
    if (c.op === '>=' || c.op === '~=') v = c.version;
    else if (c.op === '==' && c.version.endsWith('.*')) v = c.version.slice(0, -2);
    if (v && pepValid(v)) {
      if (!best) best = { version: v, resolution: 'range', clause: c };
    }
  }
  return best;
}
