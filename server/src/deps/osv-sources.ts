/**
 * Reads OSV records into an IndexBuilder from what a user or the build hands over: a directory of
 * `.json`/`.jsonl`/`.zip` files, one such file, or an http(s) URL (only when `allowNetwork`: the
 * `advisories update` command; nothing else in the product fetches). Zips are read as a stream, one
 * member at a time (OSV's npm `all.zip` holds hundreds of thousands of records).
 */
import { openSync, readSync, closeSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { Unzip, type FlateError, type UnzipDecoder } from 'fflate';
import { OsvFormatError, type IndexBuilder } from './build-index';

export interface SourceReport { source: string; records: number; newest: number }

const MAX_JSON_BYTES = 512 * 1024 * 1024;
const MAX_FILES = 1_000_000;
const MAX_DEPTH = 8;
/**
 * Bytes handed to the unzipper at a time: it handles the members that a chunk completes in nested calls,
 * so a big chunk of small members would nest thousands deep.
 */
const ZIP_CHUNK = 32 * 1024;

export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

/** Reads one input into the builder. Errors (malformed JSON, a broken zip, HTTP failures) throw OsvFormatError. */
export async function readOsvInto(builder: IndexBuilder, input: string, allowNetwork: boolean): Promise<SourceReport> {
  const before = builder.stats.records;
  let newest = 0;
  if (isUrl(input)) {
    if (!allowNetwork) throw new OsvFormatError(`${input}: URLs are read only by \`secure-hints advisories update\``);
    await readUrl(builder, input);
    newest = Date.now();
  } else {
    let st;
    try {
      st = statSync(input);
    } catch {
      throw new OsvFormatError(`${input}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const files = listDir(input);
      if (!files.length) throw new OsvFormatError(`${input}: no .json, .jsonl or .zip files`);
      for (const f of files) newest = Math.max(newest, readFile(builder, f));
    } else {
      if (!/\.(zip|jsonl|ndjson|json)$/i.test(input)) throw new OsvFormatError(`${input}: not a .json, .jsonl or .zip file`);
      newest = readFile(builder, input);
    }
  }
  return { source: input, records: builder.stats.records - before, newest };
}

function listDir(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (out.length >= MAX_FILES || e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      // js-libraries.json holds patterns, not OSV records
      else if (e.isFile() && /\.(zip|jsonl|ndjson|json)$/i.test(e.name) && e.name !== 'js-libraries.json') out.push(p);
    }
  };
  walk(dir, 0);
  return out;
}

/** Returns the file's modification time (ms). */
function readFile(builder: IndexBuilder, file: string): number {
  const st = statSync(file);
  if (/\.zip$/i.test(file)) {
    const unzip = new ZipReader(builder, file);
    const fd = openSync(file, 'r');
    try {
      let pos = 0;
      for (;;) {
        // a fresh buffer each time: the unzipper keeps a reference to a member that spans two chunks
        const chunk = Buffer.allocUnsafe(ZIP_CHUNK);
        const n = readSync(fd, chunk, 0, chunk.length, pos);
        pos += n;
        unzip.push(chunk.subarray(0, n), n === 0 || pos >= st.size);
        if (n === 0 || pos >= st.size) break;
      }
    } finally {
      closeSync(fd);
    }
    unzip.end();
  } else {
    if (st.size > MAX_JSON_BYTES) throw new OsvFormatError(`${file}: larger than ${MAX_JSON_BYTES / 1048576} MB`);
    readText(builder, readFileSync(file, 'utf8'), file, /\.(jsonl|ndjson)$/i.test(file));
  }
  return st.mtimeMs;
}

/** A `.json` file holds one record or a list of records; a `.jsonl` file one record per line. */
function readText(builder: IndexBuilder, text: string, where: string, lines: boolean): void {
  if (!lines) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new OsvFormatError(`${where}: malformed JSON (${(e as Error).message})`);
    }
    if (Array.isArray(value)) value.forEach((r, i) => builder.add(r, `${where}[${i}]`));
    else builder.add(value, where);
    return;
  }
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    const s = raw.trim();
    if (!s) continue;
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (e) {
      throw new OsvFormatError(`${where}:${line}: malformed JSON (${(e as Error).message})`);
    }
    builder.add(value, `${where}:${line}`);
  }
}

/**
 * Deflated members (OSV's records are small) are inflated in one go by node's native zlib, about ten
 * times faster than inflating them in JavaScript; fflate still reads the zip structure.
 */
class NativeInflate implements UnzipDecoder {
  static readonly compression = 8;
  ondata: (err: FlateError | null, data: Uint8Array<ArrayBuffer>, final: boolean) => void = () => {};
  private chunks: Uint8Array[] = [];
  private size = 0;

  push(chunk: Uint8Array, final: boolean): void {
    // copied: the unzipper may reuse the memory of what it hands over
    this.chunks.push(Uint8Array.prototype.slice.call(chunk));
    this.size += chunk.length;
    if (this.size > MAX_JSON_BYTES) {
      this.ondata(Object.assign(new Error('member too large'), { code: 0 }) as FlateError, new Uint8Array(0), true);
      this.chunks = [];
      return;
    }
    if (!final) return;
    let out: Buffer;
    try {
      out = inflateRawSync(Buffer.concat(this.chunks), { maxOutputLength: MAX_JSON_BYTES });
    } catch (e) {
      this.chunks = [];
      this.ondata(Object.assign(new Error((e as Error).message), { code: 0 }) as FlateError, new Uint8Array(0), true);
      return;
    }
    this.chunks = [];
    this.ondata(null, new Uint8Array(out.buffer as ArrayBuffer, out.byteOffset, out.length), true);
  }
}

/** Streams a zip: each `.json`/`.jsonl` member is decompressed, parsed and added, then dropped. */
class ZipReader {
  private readonly unzip = new Unzip();
  private started = 0;
  private finished = 0;
  private error: Error | undefined;

  constructor(private readonly builder: IndexBuilder, private readonly where: string) {
    this.unzip.register(NativeInflate);
    this.unzip.onfile = (file) => {
      if (!/\.(json|jsonl|ndjson)$/i.test(file.name)) return;
      this.started++;
      const chunks: Uint8Array[] = [];
      let size = 0;
      file.ondata = (err, data, final) => {
        if (this.error) return;
        if (err) {
          this.error = new OsvFormatError(`${this.where}: broken zip member ${file.name} (${err.message})`);
          return;
        }
        size += data.length;
        if (size > MAX_JSON_BYTES) {
          this.error = new OsvFormatError(`${this.where}: zip member ${file.name} is too large`);
          return;
        }
        chunks.push(data);
        if (!final) return;
        this.finished++;
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          readText(this.builder, text, `${this.where}!${file.name}`, !/\.json$/i.test(file.name));
        } catch (e) {
          this.error = e as Error;
        }
      };
      file.start();
    };
  }

  push(chunk: Uint8Array, final: boolean): void {
    for (let at = 0; at < chunk.length || (final && at === 0); at += ZIP_CHUNK) {
      if (this.error) throw this.error;
      const part = chunk.subarray(at, at + ZIP_CHUNK);
      try {
        this.unzip.push(part, final && at + ZIP_CHUNK >= chunk.length);
      } catch (e) {
        throw this.error ?? new OsvFormatError(`${this.where}: not a readable zip (${(e as Error).message})`);
      }
    }
    if (this.error) throw this.error;
  }

  end(): void {
    if (this.error) throw this.error;
    if (this.started === 0) throw new OsvFormatError(`${this.where}: not a zip of OSV records (no .json member found)`);
    if (this.finished !== this.started) throw new OsvFormatError(`${this.where}: the zip ends in the middle of a member (truncated download?)`);
  }
}

async function readUrl(builder: IndexBuilder, url: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', headers: { 'user-agent': 'secure-hints (advisories update)' } });
  } catch (e) {
    const cause = (e as { cause?: Error }).cause;
    throw new OsvFormatError(`${url}: cannot download (${cause?.message ?? (e as Error).message})`);
  }
  if (!response.ok || !response.body) throw new OsvFormatError(`${url}: the server answered ${response.status} ${response.statusText}`);
  const reader = response.body.getReader();
  let zip: ZipReader | undefined;
  const text: Buffer[] = [];
  let size = 0;
  let first = true;
  for (;;) {
    let part: { done: boolean; value?: Uint8Array };
    try {
      part = await reader.read();
    } catch (e) {
      throw new OsvFormatError(`${url}: the download broke off (${(e as Error).message})`);
    }
    const chunk = part.value ?? new Uint8Array(0);
    if (first && chunk.length) {
      first = false;
      // a zip starts with a local file header, "PK\3\4"
      if (chunk[0] === 0x50 && chunk[1] === 0x4b) zip = new ZipReader(builder, url);
    }
    if (zip) {
      zip.push(chunk, part.done);
    } else if (chunk.length) {
      size += chunk.length;
      if (size > MAX_JSON_BYTES) throw new OsvFormatError(`${url}: larger than ${MAX_JSON_BYTES / 1048576} MB`);
      text.push(Buffer.from(chunk));
    }
    if (part.done) break;
  }
  if (zip) {
    zip.end();
    return;
  }
  const body = Buffer.concat(text).toString('utf8');
  const trimmed = body.trimStart();
  if (!trimmed) throw new OsvFormatError(`${url}: empty response`);
  // one JSON value (a record or a list) or one record per line
  const lines = trimmed.startsWith('{') && /\}\s*\n\s*\{/.test(trimmed.slice(0, 1 << 20));
  readText(builder, body, url, lines);
}
