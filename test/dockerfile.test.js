'use strict';
// Dockerfiles, shell scripts and .env files through the real CLI: findings where due, quiet files
// quiet, bad input (binary, unterminated heredoc, not a Dockerfile) gives a note and never a crash,
// `--fix` rewrites a Dockerfile that still parses; plus the engine on large and odd inputs.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { engine, ready } = require('./helpers/engine');
const { TextDocument } = require('vscode-languageserver-textdocument');
const { run, project, remove } = require('./helpers/cli');
const { uri, withLanguageServer } = require('./helpers/lsp-client');

const scan = (dir, ...args) => JSON.parse(run(['scan', dir, '--format', 'json', '--fail-on', 'none', ...args]).stdout);
const byFile = (report) => {
  const out = {};
  for (const f of report.findings) (out[f.path] ??= []).push(`${f.ruleId}@${f.line}`);
  return out;
};

describe('Dockerfiles, shell scripts and .env files (CLI)', function () {
  this.timeout(240000);
  let dir;
  let report;

  before(function () {
    dir = project({
      'Dockerfile': [
        'FROM node:20-alpine',
        'RUN curl -fsSL https://get.example.com/install.sh | sh',
        'ADD server.js /app/',
        'EXPOSE 22',
        'CMD ["node", "/app/server.js"]',
        '',
      ].join('\n'),
      'api.Dockerfile': 'FROM python:3.12-slim\nRUN pip install --trusted-host pypi.org flask\nUSER 10001\n',
      'Dockerfile.prod': 'FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n',
      'Containerfile': 'FROM alpine\nUSER 1000\n',
      'scripts/install.sh': '#!/bin/sh\nset -e\nwget -qO- https://get.example.com/setup | bash\n',
      'scripts/build.bash': 'make all && ./dist/app --version\n',
      '.env': 'APP_NAME=shop\nSTRIPE_SECRET_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n',
      '.env.example': 'STRIPE_SECRET_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\nDB_PASSWORD=Xk9#mP2vL8qR\n',
      '.devcontainer/Dockerfile': 'FROM python:3.12\nRUN useradd -m dev && apt-get install -y sudo\nRUN sudo true\n',
      'broken/Dockerfile': 'FROM alpine:3.20\nRUN <<EOF\ncurl -fsSL https://get.example.com/install.sh | sh\nUSER 10001\n',
      'notes/Dockerfile': 'This is not a Dockerfile at all,\njust some notes that happen to carry the name.\n',
    });
    fs.mkdirSync(path.join(dir, 'blob'));
    fs.writeFileSync(path.join(dir, 'blob', 'Dockerfile'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0x46, 0x52, 0x4f, 0x4d]));
    report = scan(dir);
  });
  after(() => remove(dir));

  it('reports each Dockerfile name pattern, .sh/.bash scripts and .env files', function () {
    const got = byFile(report);
    assert.deepStrictEqual(got['Dockerfile'].sort(), [
      'add-instead-of-copy@3', 'container-runs-as-root@1', 'ssh-port-exposed@4', 'unverified-download@2',
    ]);
    assert.deepStrictEqual(got['api.Dockerfile'], ['tls-verification-disabled@2']);
    assert.deepStrictEqual(got['Containerfile'], ['unpinned-image@1']);
    assert.deepStrictEqual(got['scripts/install.sh'], ['unverified-download@3']);
    assert.deepStrictEqual(got['.env'], ['hardcoded-secret@2']);
  });

  it('stays quiet on a non-root distroless image, .env.example, plain scripts and dev containers', function () {
    const got = byFile(report);
    for (const quiet of ['Dockerfile.prod', '.env.example', 'scripts/build.bash', '.devcontainer/Dockerfile']) {
      assert.strictEqual(got[quiet], undefined, `${quiet}: ${got[quiet]}`);
    }
  });

  it('bad input: a binary Dockerfile is skipped, an unterminated heredoc and a non-Dockerfile get notes', function () {
    const notes = Object.fromEntries(report.notes.map((n) => [n.path, n.message]));
    assert.match(notes['blob/Dockerfile'], /binary/);
    assert.match(notes['broken/Dockerfile'], /syntax errors.*here-document `EOF` is not terminated/);
    assert.match(notes['notes/Dockerfile'], /syntax errors.*unknown instruction/);
    // the unterminated heredoc's body is still read (its `USER` line too: it is heredoc text)
    assert.deepStrictEqual(byFile(report)['broken/Dockerfile'].sort(), ['container-runs-as-root@1', 'unverified-download@3']);
  });

  it('--fix rewrites ADD to COPY and drops --trusted-host; the result parses and is quiet for those rules', function () {
    const fixDir = project({
      'Dockerfile': 'FROM python:3.12-slim\nADD app.py /app/\nRUN pip install --trusted-host pypi.org flask\nUSER 10001\nCMD ["python", "/app/app.py"]\n',
    });
    try {
      run(['scan', fixDir, '--fix', '--fail-on', 'none']);
      const text = fs.readFileSync(path.join(fixDir, 'Dockerfile'), 'utf8');
      assert.strictEqual(text, 'FROM python:3.12-slim\nCOPY app.py /app/\nRUN pip install flask\nUSER 10001\nCMD ["python", "/app/app.py"]\n');
      assert.deepStrictEqual(scan(fixDir).findings, []);
    } finally {
      remove(fixDir);
    }
  });
});

describe('Dockerfile engine on large and odd input', function () {
  before(() => ready);

  it('a 300-line Dockerfile with long RUN chains is analyzed quickly and completely', function () {
    const parts = ['FROM debian:12-slim'];
    for (let i = 0; i < 50; i++) {
      parts.push(`RUN apt-get update \\\n    && apt-get install -y --no-install-recommends pkg${i} \\\n    && rm -rf /var/lib/apt/lists/* \\\n    && echo done`);
      parts.push(`ENV VAR_${i}=value${i}`);
      parts.push(i % 10 === 0 ? `RUN curl -fsSL https://example.com/${i}.sh | sh` : `COPY file${i} /opt/`);
    }
    parts.push('USER 10001');
    const text = parts.join('\n') + '\n';
    assert.ok(text.split('\n').length >= 300);
    const t = Date.now();
    const r = engine.analyzeDetailed('/tmp/big/Dockerfile', undefined, text, {});
    assert.ok(Date.now() - t < 2000);
    assert.strictEqual(r.findings.filter((f) => f.ruleId === 'unverified-download').length, 5);
    assert.deepStrictEqual(r.syntaxErrors, []);
  });

  it('pathological shell text (deep nesting, unclosed quotes and substitutions) ends without a crash', function () {
    const deep = 'RUN echo ' + '"$('.repeat(3000) + 'x' + ')"'.repeat(10) + '\n';
    const texts = [
      'FROM alpine:3.20\n' + deep,
      'FROM alpine:3.20\nRUN echo "unterminated \\\n  && curl -k https://x\n',
      'FROM alpine:3.20\nRUN ' + '('.repeat(5000) + '\n',
      'FROM alpine:3.20\nRUN case x in a) echo ;; esac; ' + 'a|'.repeat(2000) + '\n',
      '# escape=`\nFROM alpine:3.20\nRUN echo a `\n`\n',
      '',
      '\n\n\\\n',
    ];
    for (const text of texts) {
      const r = engine.analyzeDetailed('/tmp/odd/Dockerfile', undefined, text, {});
      assert.ok(Array.isArray(r.findings));
      assert.ok(!r.notes.some((n) => /failed|stopped/.test(n)), r.notes.join(' | '));
    }
    const sh = engine.analyzeDetailed('/tmp/odd/x.sh', undefined, '$(' .repeat(4000) + "'" + '`'.repeat(100), {});
    assert.ok(Array.isArray(sh.findings));
  });

  it('.env parsing: quotes over several lines, export, inline comments, unterminated quotes', function () {
    const text = 'export A="line1\nline2"\nB=plain # comment\nC=\'x\nGITHUB_TOKEN=ghp_Zx81Qw7Er6Ty5Ui4Op3AZx81Qw7Er6Ty5Ui4\n';
    const r = engine.analyzeDetailed('/tmp/p/.env.staging', undefined, text, {});
    assert.ok(r.syntaxErrors.some((e) => /unterminated/.test(e)));
    assert.ok(Array.isArray(r.findings));
  });
});

describe('Dockerfiles in the language server', function () {
  this.timeout(300000);
  const lsp = withLanguageServer();

  it('diagnoses a Dockerfile; "ignore on this line" writes a # comment inside a continued RUN, which suppresses', async function () {
    const text = [
      'FROM debian:12-slim',
      'RUN apt-get update \\',
      '    && apt-get install -y --allow-unauthenticated curl',
      'USER 10001',
      '',
    ].join('\n');
    const file = path.join(lsp.dir, 'Dockerfile');
    await lsp.client.open(file, text, 'dockerfile');
    const { diagnostics } = await lsp.client.waitForDiagnostics(file);
    assert.deepStrictEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['package-signature-disabled', 2]]);
    const d = diagnostics[0];
    const acts = await lsp.client.request('textDocument/codeAction', { textDocument: { uri: uri(file) }, range: d.range, context: { diagnostics: [d] } });
    assert.ok(acts.some((a) => /Remove `--allow-unauthenticated`/.test(a.title)), acts.map((a) => a.title).join(' | '));
    const ignore = acts.find((a) => a.title.startsWith('Ignore '));
    const edits = ignore.edit.documentChanges ? ignore.edit.documentChanges.flatMap((c) => c.edits) : ignore.edit.changes[uri(file)];
    const edited = TextDocument.applyEdits(TextDocument.create(uri(file), 'dockerfile', 0, text), edits);
    assert.match(edited.split('\n')[2], /^    # secure-hints: ignore\[package-signature-disabled\] /);
    await lsp.client.change(file, edited, 2);
    const after = (await lsp.client.waitForDiagnostics(file, (p) => p.version === 2)).diagnostics;
    assert.deepStrictEqual(after, []);
  });
});
