import ts from 'typescript';
import type { SinkClass } from '../../engine/types';
import { ALL_SINKS } from './values';

/**
 * What a regex literal proves about a value it tests or replaces in (the data flow's validation and
 * sanitizer checks): an escaper of regex metacharacters, a full match over word characters only.
 */

/** `/[.*+?^${}()|[\]\\]/g`: a global character class of regex metacharacters (with `'\\$&'`, the usual regex escape). */
export function regexEscaper(node: ts.Node | undefined): boolean {
  const m = node && ts.isRegularExpressionLiteral(node) ? /^\/\(?\[(.*)\]\)?\/([a-z]*)$/s.exec(node.text) : null;
  return !!m && m[2].includes('g') && ['.', '*', '+', '?', '(', '|'].every((c) => m[1].includes(c));
}

/** A regex literal that only accepts (or, negated, only keeps) word characters: `/^\d+$/`, `/[^\w-]/g`. */
export function strictRegex(node: ts.Node, negated: boolean): boolean {
  if (!ts.isRegularExpressionLiteral(node)) return false;
  return strictRegexText(node.text, negated);
}

const NOT_PATH = ALL_SINKS.filter((s) => s !== 'path');

/**
 * The sinks a full-match test with this regex literal clears: all of them for word characters only;
 * all but paths when its character classes also admit `.` (`/^[a-z0-9.-]+$/` matches `..`).
 */
export function regexSinks(node: ts.Node): SinkClass[] {
  // `x.match("^[0-9]+$")`: a string pattern is compiled as a regex without flags
  const text = ts.isRegularExpressionLiteral(node) ? node.text : ts.isStringLiteralLike(node) && !node.text.includes('/') ? `/${node.text}/` : undefined;
  if (text === undefined || text.length > 400) return [];
  if (strictRegexText(text, false)) return ALL_SINKS;
  // a dot inside a character class is a literal dot: drop it and check again
  const undotted = text.replace(/\[[^\]\\]*(?:\\.[^\]\\]*)*\]/g, (cls) => cls.replace(/\\\.|\./g, ''));
  return undotted !== text && !/\[\]/.test(undotted) && strictRegexText(undotted, false) ? NOT_PATH : [];
}

function strictRegexText(text: string, negated: boolean): boolean {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(text);
  if (!m) return false;
  const [, body, flags] = m;
  if (negated) {
    const c = /^\[\^((?:\\[wd]|[a-zA-Z0-9_-])+)\]\+?$/.exec(body);
    return !!c && flags.includes('g');
  }
  if (flags.includes('m')) return false;
  const a = /^\^(?:\(\?:)?(.*?)\)?\$$/.exec(body);
  if (!a) return false;
  // fixed punctuation outside classes (`^#item-[0-9]+$`) is the pattern's, not the attacker's
  return /^(?:\\[wd]|\[(?:\\[wd]|[a-zA-Z0-9_-])+\]|[a-zA-Z0-9_#:@,=~-]|[+*?]|\{\d+(?:,\d*)?\}|\(|\)|\|)+$/.test(a[1]);
}
