import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix, type Range, type TextEdit } from '../engine/types';

/**
 * Trojan Source (CVE-2021-42574): Unicode bidirectional control characters reorder how code is shown, so a
 * reviewer reads something other than what runs. Each string, comment or piece of code holding one is
 * reported once; the fix writes the character as an escape in strings (same value) and drops it elsewhere.
 */
export default defineRule({
  meta: {
    id: 'bidi-characters',
    title: 'Bidirectional control characters in source (Trojan Source)',
    description: 'Unicode bidirectional overrides and isolates make code display differently from how it runs (Trojan Source, CVE-2021-42574).',
    cwe: ['CWE-94', 'CWE-451'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 8.0,
    languages: ['python', 'javascript'],
  },
  javascript: {
    [ts.SyntaxKind.SourceFile]: (node: ts.SourceFile, ctx) => javascriptFile(node, ctx),
  },
  python: {
    module: (node, ctx) => pythonFile(node, ctx),
  },
});

const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
const NAMES: Record<number, string> = {
  0x202a: 'LRE', 0x202b: 'RLE', 0x202c: 'PDF', 0x202d: 'LRO', 0x202e: 'RLO', 0x2066: 'LRI', 0x2067: 'RLI', 0x2068: 'FSI', 0x2069: 'PDI',
};

/** Offsets of every bidirectional control character in a text (the file's text, scanned for characters, not for code). */
function bidiOffsets(text: string): number[] {
  const out: number[] = [];
  BIDI.lastIndex = 0;
  for (let m = BIDI.exec(text); m; m = BIDI.exec(text)) out.push(m.index);
  return out;
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0, lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) { line++; lineStart = i + 1; }
  return { line, character: offset - lineStart };
}

const escapeOf = (text: string, offset: number) => `\\u${text.charCodeAt(offset).toString(16).toUpperCase()}`;

/** A place holding bidi characters: a string, a comment or code; how to fix each character there. */
interface Place { start: number; end: number; what: 'string' | 'comment' | 'code'; fix: 'escape' | 'remove' | 'none'; offsets: number[] }

function reportPlaces(places: Place[], text: string, rangeOf: (s: number, e: number) => Range, report: (r: { range: Range; message: string; fixes: Fix[] }) => void): void {
  for (const p of places) {
    const names = [...new Set(p.offsets.map((o) => `${NAMES[text.charCodeAt(o)]} (U+${text.charCodeAt(o).toString(16).toUpperCase()})`))].join(', ');
    const edits: TextEdit[] = p.fix === 'none' ? [] : p.offsets.map((o) => ({
      range: { start: positionAt(text, o), end: positionAt(text, o + 1) },
      newText: p.fix === 'escape' ? escapeOf(text, o) : '',
    }));
    const where = p.what === 'string' ? 'This string' : p.what === 'comment' ? 'This comment' : 'This code';
    report({
      range: rangeOf(p.start, p.end),
      message: `${where} holds the bidirectional control character${p.offsets.length > 1 ? 's' : ''} ${names}: the editor shows the code in a different order from how it runs (Trojan Source). `
        + (p.what === 'string' ? 'If it is meant to be there, write it as a `\\u` escape.' : 'Remove it.'),
      fixes: edits.length > 0 ? [{
        title: p.fix === 'escape' ? 'Write the bidirectional characters as \\u escapes' : 'Remove the bidirectional characters',
        edits, preferred: true, safe: true,
      }] : [],
    });
  }
}

/** Groups offsets by the place that holds them. */
function group(offsets: number[], placeOf: (o: number) => Omit<Place, 'offsets'>): Place[] {
  const places = new Map<string, Place>();
  for (const o of offsets) {
    const p = placeOf(o);
    const key = `${p.start}:${p.end}`;
    const have = places.get(key);
    if (have) have.offsets.push(o);
    else places.set(key, { ...p, offsets: [o] });
  }
  return [...places.values()];
}

// ---- JavaScript / TypeScript ----

const JS_LITERALS = new Set([ts.SyntaxKind.StringLiteral, ts.SyntaxKind.NoSubstitutionTemplateLiteral, ts.SyntaxKind.TemplateHead,
  ts.SyntaxKind.TemplateMiddle, ts.SyntaxKind.TemplateTail, ts.SyntaxKind.RegularExpressionLiteral, ts.SyntaxKind.JsxText]);

function javascriptFile(sf: ts.SourceFile, ctx: JsContext): void {
  const text = sf.text;
  const offsets = bidiOffsets(text);
  if (offsets.length === 0) return;
  const file = ctx.file;
  const literals = file.nodes.filter((n) => JS_LITERALS.has(n.kind));
  const comments = jsComments(sf);
  const places = group(offsets, (o) => {
    const lit = literals.find((n) => n.getStart(sf) <= o && o < n.end);
    if (lit) {
      // escapes mean nothing in JSX text and attribute strings, or under String.raw-like tags
      const noEscape = lit.kind === ts.SyntaxKind.JsxText || ts.isJsxAttribute(lit.parent)
        || (lit.kind !== ts.SyntaxKind.StringLiteral && lit.kind !== ts.SyntaxKind.RegularExpressionLiteral && isTagged(lit));
      return { start: lit.getStart(sf), end: lit.end, what: 'string', fix: noEscape ? 'none' : 'escape' };
    }
    const c = comments.find(([s, e]) => s <= o && o < e);
    if (c) return { start: c[0], end: c[1], what: 'comment', fix: 'remove' };
    return { start: o, end: o + 1, what: 'code', fix: 'remove' };
  });
  reportPlaces(places, text, (s, e) => file.rangeOf(s, e), ctx.report);
}

function isTagged(lit: ts.Node): boolean {
  let n = lit.parent;
  if (ts.isTemplateSpan(n)) n = n.parent;
  return ts.isTemplateExpression(n) ? ts.isTaggedTemplateExpression(n.parent) : ts.isTaggedTemplateExpression(n);
}

/** Comment ranges, from the scanner (only run on files that hold a bidi character). */
function jsComments(sf: ts.SourceFile): [number, number][] {
  const out: [number, number][] = [];
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, sf.languageVariant, sf.text);
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    if (k === ts.SyntaxKind.SingleLineCommentTrivia || k === ts.SyntaxKind.MultiLineCommentTrivia) out.push([scanner.getTokenStart(), scanner.getTokenEnd()]);
  }
  return out;
}

// ---- Python ----

function pythonFile(root: Node, ctx: PyContext): void {
  const text = ctx.file.text;
  const offsets = bidiOffsets(text);
  if (offsets.length === 0) return;
  const places = group(offsets, (o) => {
    for (let n: Node | null = root.descendantForIndex(o, o + 1); n; n = n.parent) {
      if (n.type === 'comment') return { start: n.startIndex, end: n.endIndex, what: 'comment', fix: 'remove' };
      if (n.type === 'string') {
        // raw and bytes strings keep a backslash escape as two characters
        const prefix = n.firstChild?.type === 'string_start' ? n.firstChild.text : '';
        return { start: n.startIndex, end: n.endIndex, what: 'string', fix: /[rRbB]/.test(prefix) ? 'none' : 'escape' };
      }
    }
    return { start: o, end: o + 1, what: 'code', fix: 'remove' };
  });
  reportPlaces(places, text, (s, e) => ({ start: positionAt(text, s), end: positionAt(text, e) }), ctx.report);
}
