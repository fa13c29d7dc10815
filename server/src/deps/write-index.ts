/**
 * Writes a built advisory index to a directory: the shipped one (`server/data/advisories`, fixed file
 * names, committed) or the refreshed one in the user's data directory (file names stamped with the
 * build time, so a language server still reading the previous generation never sees a half-written
 * file; meta.json is replaced last, atomically).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BuiltEcosystem } from './build-index';
import { FORMAT, ecosystemFileName, type MetaFile, type VendoredFile } from './index-format';
import type { Ecosystem } from './versions';

export const NOTICE = `# Advisory data: sources and licenses

The advisory index in this directory is compiled by Secure Hints from public vulnerability data in the
OSV format (https://ossf.github.io/osv-schema/). Summaries may be shortened and the records are re-encoded;
the parts keep their own licenses.

## Python Packaging Authority advisory database

Python advisories (PYSEC ids): **Python Packaging Authority advisory database**,
https://github.com/pypa/advisory-database, licensed under the Creative Commons Attribution 4.0
International license (CC-BY 4.0), https://creativecommons.org/licenses/by/4.0/.

## retire.js

Client-side JavaScript library advisories and the patterns that recognise vendored copies, converted to OSV
ranges: https://github.com/RetireJS/retire.js

    Copyright 2013 Bekk Consulting AS

    Licensed under the Apache License, Version 2.0 (the "License");
    you may not use this file except in compliance with the License.
    You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

    Unless required by applicable law or agreed to in writing, software
    distributed under the License is distributed on an "AS IS" BASIS,
    WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
    See the License for the specific language governing permissions and
    limitations under the License.

## Node.js security working group

npm advisories of the Node Security Project (NSWG ids): https://github.com/nodejs/security-wg

    The MIT License (MIT)

    Copyright (c) 2018 Node.js Foundation

    Permission is hereby granted, free of charge, to any person obtaining a copy of
    this software and associated documentation files (the "Software"), to deal in
    the Software without restriction, including without limitation the rights to
    use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
    the Software, and to permit persons to whom the Software is furnished to do so,
    subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all
    copies or substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
    IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
    FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
    COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
    IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
    CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

## Refreshed data

An index refreshed with \`secure-hints advisories update\` from OSV's dumps (https://osv.dev) also holds
GitHub Advisory Database records (CC-BY 4.0, https://github.com/github/advisory-database) and OpenSSF
malicious-package reports (Apache-2.0, https://github.com/ossf/malicious-packages), under their licenses.
`;

export interface WriteOptions {
  sources: string[];
  /** Stamped file names and merging with the ecosystems of a previous index in the same directory. */
  refresh: boolean;
  vendored?: VendoredFile;
}

function readPrevious(dir: string): MetaFile | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as MetaFile;
    return meta.format === FORMAT ? meta : undefined;
  } catch {
    return undefined;
  }
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export function writeIndex(dir: string, built: Partial<Record<Ecosystem, BuiltEcosystem>>, options: WriteOptions): MetaFile {
  mkdirSync(dir, { recursive: true });
  const previous = options.refresh ? readPrevious(dir) : undefined;
  const stamp = Date.now();
  const meta: MetaFile = {
    format: FORMAT,
    date: '',
    sources: options.sources,
    builtAt: new Date(stamp).toISOString(),
    ecosystems: { ...(previous?.ecosystems ?? {}) },
  };
  for (const [eco, b] of Object.entries(built) as [Ecosystem, BuiltEcosystem][]) {
    const file = options.refresh ? `${eco}-${stamp}.json.gz` : ecosystemFileName(eco);
    writeAtomic(join(dir, file), gzipSync(JSON.stringify(b.file), { level: 9 }));
    meta.ecosystems[eco] = { date: b.file.date, records: b.records, packages: b.packages, file };
  }
  meta.date = Object.values(meta.ecosystems).map((e) => e.date).sort().pop() ?? '';
  if (options.vendored) writeAtomic(join(dir, 'vendored.json'), JSON.stringify(options.vendored));
  writeAtomic(join(dir, 'NOTICE.md'), NOTICE);
  writeAtomic(join(dir, 'meta.json'), JSON.stringify(meta, null, 1) + '\n');
  if (options.refresh) {
    // keep this generation and the one before it (a server may still be reading it)
    const keep = new Set([...Object.values(meta.ecosystems), ...Object.values(previous?.ecosystems ?? {})].map((e) => e.file));
    for (const name of readdirSync(dir)) {
      if (/\.json\.gz$/.test(name) && !keep.has(name)) rmSync(join(dir, name), { force: true });
    }
  }
  return meta;
}
