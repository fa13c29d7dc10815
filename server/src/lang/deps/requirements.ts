/**
 * requirements*.txt and constraints*.txt: a tokenizer of our own (pip's format has no parser worth bundling).
 * Comments, `\` continuations, options (`--hash`, `--index-url`...) are read and skipped; `-e`, URLs and local
 * paths are skipped without a word; `-r`/`-c` includes are read from disk (relative to the file, plain files
 * only, size-limited, cycle-guarded) for the versions they pin.
 */
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { valid as pepValid } from '@renovatebot/pep440';
import { lineStartsOf, positionAt } from '../../engine/edits';
import { readNeighbour } from './files';
import { normalizePyName, type DepInventory } from './model';
import { parseRequirement, pyVersionOf } from './pep508';

const INCLUDE_LIMIT = 2_000_000;
const MAX_INCLUDE_DEPTH = 5;
const MAX_LINES = 100_000;

interface Line {
  /** The logical line (continuations joined), comment removed. */
  text: string;
  /** Absolute offset of each character of `text`. */
  at: (i: number) => number;
  /** Physical line of the start. */
  line: number;
}

/** Logical lines and comments of a requirements file. */
export function requirementLines(text: string): { lines: Line[]; comments: { line: number; text: string }[] } {
  const lines: Line[] = [];
  const comments: { line: number; text: string }[] = [];
  const starts = lineStartsOf(text);
  let i = 0;
  while (i < starts.length && lines.length < MAX_LINES) {
    const first = i;
    const pieces: { start: number; end: number }[] = [];
    for (;;) {
      const s = starts[i];
      let e = i + 1 < starts.length ? starts[i + 1] - 1 : text.length;
      if (e > s && text[e - 1] === '\r') e--;
      i++;
      // a comment ends the logical line, continuation or not
      const hash = commentStart(text, s, e);
      if (hash >= 0) {
        comments.push({ line: i - 1, text: text.slice(hash + 1, e) });
        pieces.push({ start: s, end: hash });
        break;
      }
      if (e > s && text[e - 1] === '\\' && i < starts.length) {
        pieces.push({ start: s, end: e - 1 });
        continue;
      }
      pieces.push({ start: s, end: e });
      break;
    }
    let joined = '';
    const bounds: { from: number; base: number }[] = [];
    for (const p of pieces) {
      bounds.push({ from: joined.length, base: p.start });
      joined += text.slice(p.start, p.end);
    }
    lines.push({
      text: joined,
      line: first,
      at: (x) => {
        let b = bounds[0];
        for (const c of bounds) if (x >= c.from) b = c;
        return b.base + (x - b.from);
      },
    });
  }
  return { lines, comments };
}

/** `#` at the start of a line or after whitespace starts a comment (pip's rule). */
function commentStart(text: string, s: number, e: number): number {
  for (let k = s; k < e; k++) {
    if (text[k] === '#' && (k === s || text[k - 1] === ' ' || text[k - 1] === '\t')) return k;
  }
  return -1;
}

type Pins = Map<string, { version: string; file: string }>;

export function requirementsInventory(path: string, text: string): { inventory: DepInventory; comments: { line: number; text: string }[] } {
  const inv: DepInventory = { kind: 'requirements.txt', ecosystem: 'PyPI', entries: [], notes: [] };
  const { lines, comments } = requirementLines(text);
  const starts = lineStartsOf(text);
  const pos = (o: number) => positionAt(o, starts);
  const dev = /(^|[-_.])(dev|test|tests|testing|lint|docs?|ci)([-_.]|$)/i.test(basename(path).replace(/\.(txt|in)$/i, ''));
  const pins: Pins = new Map();
  const seen = new Set<string>([resolve(path)]);
  let invalid = 0;
  const reqs: { line: Line; text: string }[] = [];
  for (const line of lines) {
    const t = line.text.trim();
    if (t === '') continue;
    if (t.startsWith('-')) {
      const inc = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)/.exec(t);
      if (inc) readInclude(path, inc[2], pins, seen, inv.notes, 1);
      continue;
    }
    reqs.push({ line, text: line.text });
  }
  for (const { line, text: lt } of reqs) {
    // options after the requirement (`--hash=...`) end it
    const opt = /\s--?[A-Za-z]/.exec(lt);
    const body = opt ? lt.slice(0, opt.index) : lt;
    if (/:\/\/|^\s*[./~]|\.(whl|zip|tar\.gz|tgz)\s*$/.test(body)) continue;
    const req = parseRequirement(body);
    if (!req || req.url) continue;
    const name = normalizePyName(req.name);
    const got = pyVersionOf(req.clauses);
    const nameRange = { start: pos(line.at(req.nameStart)), end: pos(line.at(req.nameEnd)) };
    if (got) {
      inv.entries.push({
        ecosystem: 'PyPI', name, version: got.version, resolution: got.resolution, declared: req.specText,
        direct: true, via: [], dev, range: nameRange,
        spec: { range: { start: pos(line.at(got.clause.start)), end: pos(line.at(got.clause.end)) }, text: body.slice(got.clause.start, got.clause.end), syntax: 'pep440', list: req.specText },
      });
      continue;
    }
    const pin = pins.get(name);
    if (pin) {
      inv.entries.push({
        ecosystem: 'PyPI', name, version: pin.version, resolution: 'exact', declared: req.specText || undefined,
        direct: true, via: [], dev, range: nameRange, remark: `pinned to ${pin.version} by ${pin.file}`,
      });
    } else if (req.clauses.some((c) => c.op === '==' && !pepValid(c.version) && !c.version.includes('*'))) invalid++;
  }
  if (invalid > 0) inv.notes.push(`${invalid} requirement${invalid === 1 ? '' : 's'} pinned to a version that is not PEP 440 skipped`);
  return { inventory: inv, comments };
}

/** Versions pinned (`==`) by an included requirements or constraints file, recursively. */
function readInclude(from: string, target: string, pins: Pins, seen: Set<string>, notes: string[], depth: number): void {
  if (depth > MAX_INCLUDE_DEPTH) { notes.push(`${target}: includes nested deeper than ${MAX_INCLUDE_DEPTH} levels not read`); return; }
  if (isAbsolute(target) || /^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return;
  const file = join(dirname(resolve(from)), target);
  if (seen.has(file)) return;
  seen.add(file);
  const read = readNeighbour(file, INCLUDE_LIMIT);
  if (!read) { notes.push(`included file ${target} not found`); return; }
  if ('error' in read) { notes.push(`included file ${target} not read: ${read.error}`); return; }
  for (const line of requirementLines(read.text).lines) {
    const t = line.text.trim();
    if (t === '') continue;
    if (t.startsWith('-')) {
      const inc = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)/.exec(t);
      if (inc) readInclude(file, inc[2], pins, seen, notes, depth + 1);
      continue;
    }
    const opt = /\s--?[A-Za-z]/.exec(t);
    const req = parseRequirement(opt ? t.slice(0, opt.index) : t);
    if (!req || req.url) continue;
    const got = pyVersionOf(req.clauses);
    if (got?.resolution === 'exact' && !pins.has(normalizePyName(req.name))) pins.set(normalizePyName(req.name), { version: got.version, file: target });
  }
}
