import { XMLValidator } from 'fast-xml-parser';
import type { Range } from '../../engine/types';
import { lineStartsOf, positionAt } from '../../engine/edits';

export interface EntityDeclaration {
  name: string;
  kind: 'SYSTEM' | 'PUBLIC' | 'internal';
  parameter: boolean;
  /** The declaration's range in the file. */
  range: Range;
  text: string;
  /** The system identifier (URI) of an external entity. */
  systemId?: string;
  /** The replacement text of an internal entity. */
  value?: string;
  /** `NDATA` notation: an unparsed entity, which parsers do not fetch. */
  unparsed: boolean;
}

/**
 * The XML front. fast-xml-parser checks that the document is well-formed; the DOCTYPE's
 * internal subset is read here by a small scanner of markup declarations, because the parser
 * refuses documents with external entities instead of reporting them.
 */
export class XmlFile {
  readonly entities: EntityDeclaration[] = [];
  readonly doctype?: { range: Range; externalId?: string };
  private readonly lineStarts: number[];

  constructor(readonly path: string, readonly text: string) {
    this.lineStarts = lineStartsOf(text);
    this.scanDoctype();
  }

  /**
   * Is the document well-formed? fast-xml-parser checks it with the DOCTYPE removed (it rejects
   * external entities instead of reporting them). Never throws; computed on first use.
   */
  get wellFormed(): boolean {
    if (this._wellFormed === undefined) {
      try {
        const body = this.doctypeEnd >= 0 ? this.text.slice(0, this.doctypeStart) + ' '.repeat(this.doctypeEnd - this.doctypeStart) + this.text.slice(this.doctypeEnd) : this.text;
        this._wellFormed = XMLValidator.validate(body) === true;
      } catch {
        this._wellFormed = false;
      }
    }
    return this._wellFormed;
  }
  private _wellFormed?: boolean;
  private doctypeStart = -1;
  private doctypeEnd = -1;

  rangeOf(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  position(offset: number) {
    return positionAt(offset, this.lineStarts);
  }

  /** Comments in the document, for suppressions. */
  comments(): { line: number; text: string }[] {
    const out: { line: number; text: string }[] = [];
    let i = 0;
    for (;;) {
      const start = this.text.indexOf('<!--', i);
      if (start < 0) break;
      const end = this.text.indexOf('-->', start + 4);
      const stop = end < 0 ? this.text.length : end + 3;
      out.push({ line: this.position(start).line, text: this.text.slice(start + 4, end < 0 ? stop : end) });
      i = stop;
    }
    return out;
  }

  private scanDoctype(): void {
    const t = this.text;
    const start = this.findDoctype();
    if (start < 0) return;
    let i = start + 9;
    // the DOCTYPE runs to the '>' that is outside quotes and outside the internal subset
    let inSubset = false;
    let quote = '';
    let subsetStart = -1;
    for (; i < t.length; i++) {
      const c = t[i];
      if (quote) { if (c === quote) quote = ''; continue; }
      if (c === '"' || c === "'") quote = c;
      else if (c === '[') { inSubset = true; subsetStart = i + 1; }
      else if (c === ']') inSubset = false;
      else if (c === '>' && !inSubset) break;
      else if (inSubset && t.startsWith('<!--', i)) {
        const end = t.indexOf('-->', i + 4);
        i = end < 0 ? t.length : end + 2;
      } else if (inSubset && t.startsWith('<!ENTITY', i)) {
        const declEnd = this.declarationEnd(i);
        this.readEntity(t.slice(i, declEnd), i);
        i = declEnd - 1;
      }
    }
    this.doctypeStart = start;
    this.doctypeEnd = Math.min(i + 1, t.length);
    const header = t.slice(start, subsetStart < 0 ? i : subsetStart);
    const external = /\b(SYSTEM|PUBLIC)\b/.exec(header);
    (this as { doctype?: unknown }).doctype = {
      range: this.rangeOf(start, Math.min(i + 1, t.length)),
      externalId: external ? external[1] : undefined,
    };
  }

  /** The offset of `<!DOCTYPE` in the prolog, skipping comments and processing instructions (-1 if none). */
  private findDoctype(): number {
    const t = this.text;
    let i = 0;
    for (;;) {
      while (i < t.length && /\s/.test(t[i])) i++;
      if (t.charCodeAt(i) === 0xfeff) { i++; continue; }
      if (t.startsWith('<?', i)) {
        const end = t.indexOf('?>', i + 2);
        if (end < 0) return -1;
        i = end + 2;
      } else if (t.startsWith('<!--', i)) {
        const end = t.indexOf('-->', i + 4);
        if (end < 0) return -1;
        i = end + 3;
      } else {
        return t.startsWith('<!DOCTYPE', i) ? i : -1;
      }
    }
  }

  private declarationEnd(from: number): number {
    let quote = '';
    for (let i = from; i < this.text.length; i++) {
      const c = this.text[i];
      if (quote) { if (c === quote) quote = ''; continue; }
      if (c === '"' || c === "'") quote = c;
      else if (c === '>') return i + 1;
    }
    return this.text.length;
  }

  private readEntity(decl: string, offset: number): void {
    // <!ENTITY [%] name (SYSTEM "uri" | PUBLIC "id" "uri" | "value") [NDATA n]>
    const tokens: { text: string; quoted: boolean }[] = [];
    const body = decl.slice('<!ENTITY'.length).replace(/>$/, '');
    for (let i = 0; i < body.length;) {
      const c = body[i];
      if (/\s/.test(c)) { i++; continue; }
      if (c === '"' || c === "'") {
        const end = body.indexOf(c, i + 1);
        const stop = end < 0 ? body.length : end;
        tokens.push({ text: body.slice(i + 1, stop), quoted: true });
        i = stop + 1;
      } else {
        let j = i;
        while (j < body.length && !/[\s"']/.test(body[j])) j++;
        tokens.push({ text: body.slice(i, j), quoted: false });
        i = j;
      }
    }
    let k = 0;
    const parameter = tokens[k]?.text === '%' && !tokens[k].quoted;
    if (parameter) k++;
    const name = tokens[k++]?.text ?? '';
    const keyword = tokens[k]?.quoted ? undefined : tokens[k]?.text;
    const kind = keyword === 'SYSTEM' || keyword === 'PUBLIC' ? keyword : 'internal';
    const systemId = kind === 'SYSTEM' ? tokens[k + 1]?.text : kind === 'PUBLIC' ? tokens[k + 2]?.text : undefined;
    const value = kind === 'internal' ? tokens[k]?.text : undefined;
    const unparsed = tokens.some((t) => !t.quoted && t.text === 'NDATA');
    this.entities.push({
      name, kind, parameter, range: this.rangeOf(offset, offset + decl.length), text: decl, unparsed,
      ...(systemId !== undefined ? { systemId } : {}), ...(value !== undefined ? { value } : {}),
    });
  }
}
