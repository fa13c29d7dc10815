'use strict';
// Vue single-file components: bad input never crashes the engine, the CLI walks .vue files and fixes
// them, and the language server writes "ignore on this line" in the syntax of the block it is in.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { TextDocument } = require('vscode-languageserver-textdocument');
const { engine, ready } = require('./helpers/engine');
const { run, project, remove } = require('./helpers/cli');
const { uri, withLanguageServer } = require('./helpers/lsp-client');

const found = (text) => engine.analyzeDetailed('/tmp/c.vue', undefined, text, {});
const lines = (r) => r.findings.map((f) => `${f.ruleId}@${f.range.start.line + 1}`);

describe('Vue single-file components', function () {
  before(() => ready);

  describe('bad input', function () {
    it('a half-typed template: no crash, the syntax error is reported with its line', function () {
      const r = found('<template>\n  <div v-html="x');
      assert.deepStrictEqual(r.findings, []);
      assert.ok(r.syntaxErrors.some((e) => /^line 2: .*EOF/.test(e)), r.syntaxErrors.join(' | '));
    });

    it('an unclosed <script setup> is still analyzed', function () {
      const r = found('<template><p>{{ a }}</p></template>\n<script setup>\nconst a = location.hash\ndocument.body.innerHTML = a\n');
      assert.deepStrictEqual(lines(r), ['dom-xss@4']);
      assert.ok(r.syntaxErrors.length > 0);
    });

    it('a template with a syntax error: findings for the intact parts, the error for the CLI note', function () {
      const r = found('<template>\n<div v-html="x"><span></div>\n</template>\n<script setup>\nconst h = location.hash\ndocument.body.innerHTML = h\n</script>\n');
      assert.deepStrictEqual(lines(r), ['vue-v-html@2', 'dom-xss@6']);
      assert.deepStrictEqual(r.syntaxErrors, ['line 2: Element is missing end tag.']);
    });

    it('a script with a syntax error keeps its line number in the error', function () {
      const r = found('<template><p v-html="a"/></template>\n<script setup>\nconst a = location.hash\nlet b = a +\n</script>\n');
      assert.deepStrictEqual(r.syntaxErrors, ['line 4: Expression expected.']);
      assert.deepStrictEqual(lines(r), ['vue-v-html@1']);
    });

    it('no script, an empty file, pug templates, external scripts and unparsable expressions', function () {
      assert.deepStrictEqual(lines(found('<template><p v-html="msg"></p></template>\n')), ['vue-v-html@1']);
      for (const text of ['', '<template lang="pug">\ndiv(v-html="x")\n</template>\n', '<template><p/></template><script src="./x.js"></script>\n']) {
        const r = found(text);
        assert.deepStrictEqual(r.findings, [], text);
        assert.deepStrictEqual(r.syntaxErrors, [], text);
      }
      // an expression that does not parse is of unknown origin: a warning, not a crash
      const r = found('<template><div v-html="a &&& b"></div></template>');
      assert.deepStrictEqual(r.findings.map((f) => f.severity), ['warning']);
    });
  });

  it('maps script findings to the .vue lines with CRLF line ends and two script blocks', function () {
    const crlf = '<template>\r\n  <div v-html="q"></div>\r\n</template>\r\n<script setup>\r\nconst q = location.hash\r\ndocument.body.innerHTML = q\r\n</script>\r\n';
    const r = found(crlf);
    assert.deepStrictEqual(lines(r), ['vue-v-html@2', 'dom-xss@6']);
    assert.strictEqual(r.findings[1].range.start.character, 0);
    const two = '<script>\nexport default { name: "X" }\n</script>\n<script setup lang="ts">\nconst q = new URLSearchParams(location.search).get("q")\n</script>\n<template>\n  <div v-html="q"></div>\n</template>\n';
    const f = found(two).findings;
    assert.deepStrictEqual(f.map((x) => [x.ruleId, x.range.start.line + 1, x.severity]), [['vue-v-html', 8, 'error']]);
    assert.match(f[0].message, /location\.search.*\(line 5\)/);
  });

  it('a fix that adds an import puts it inside <script setup>, not at the top of the file', function () {
    const text = '<template>\n  <div v-html="h"></div>\n</template>\n\n<script setup>\nconst h = location.hash\n</script>\n';
    const r = found(text);
    const { text: fixed } = engine.applyPreferredFixes(text, r.findings);
    assert.strictEqual(fixed, '<template>\n  <div v-html="DOMPurify.sanitize(h)"></div>\n</template>\n\n<script setup>\nimport DOMPurify from \'dompurify\';\nconst h = location.hash\n</script>\n');
    assert.deepStrictEqual(engine.syntaxErrors('x.vue', undefined, fixed), []);
  });

  describe('command line', function () {
    let dir;
    before(function () {
      dir = project({
        'src/Page.vue': '<template>\n  <div v-html="note"></div>\n</template>\n\n<script setup lang="ts">\nconst note = new URLSearchParams(location.search).get("note") ?? ""\n</script>\n',
        'src/Broken.vue': '<template>\n  <div><span></div>\n</template>\n',
      });
    });
    after(() => remove(dir));

    it('scans .vue files, notes a broken template, and --fix edits the template and the script', function () {
      this.timeout(240000);
      const scan = run(['scan', '.', '--format', 'json', '--fail-on', 'none'], { cwd: dir });
      assert.strictEqual(scan.status, 0, scan.stderr);
      const report = JSON.parse(scan.stdout);
      assert.deepStrictEqual(report.findings.map((f) => [f.path, f.line, f.ruleId, f.severity]), [['src/Page.vue', 2, 'vue-v-html', 'error']]);
      assert.match(JSON.stringify(report), /Broken\.vue[^}]*syntax errors \(1, first: line 2: Element is missing end tag\.\)/);
      const fix = run(['scan', '.', '--fix', '--fail-on', 'none'], { cwd: dir });
      assert.strictEqual(fix.status, 0, fix.stderr);
      const page = fs.readFileSync(path.join(dir, 'src/Page.vue'), 'utf8');
      assert.match(page, /v-html="DOMPurify\.sanitize\(note\)"/);
      assert.match(page, /<script setup lang="ts">\nimport DOMPurify from 'dompurify';\nconst note/);
    });
  });

  describe('language server', function () {
    this.timeout(300000);
    const lsp = withLanguageServer();

    it('"ignore on this line" writes <!-- --> in the template and // in the script; both suppress', async function () {
      const text = [
        '<template>',
        '  <div v-html="q"></div>',
        '</template>',
        '<script setup>',
        'const q = location.hash',
        'document.body.innerHTML = q',
        '</script>',
        '',
      ].join('\n');
      const file = path.join(lsp.dir, 'Comp.vue');
      await lsp.client.open(file, text, 'vue');
      const { diagnostics } = await lsp.client.waitForDiagnostics(file);
      assert.deepStrictEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['vue-v-html', 1], ['dom-xss', 5]]);
      let edited = text;
      for (const d of [...diagnostics].reverse()) {
        const acts = await lsp.client.request('textDocument/codeAction', { textDocument: { uri: uri(file) }, range: d.range, context: { diagnostics: [d] } });
        const ignore = acts.find((a) => a.title.startsWith('Ignore '));
        const edits = ignore.edit.documentChanges ? ignore.edit.documentChanges.flatMap((c) => c.edits) : ignore.edit.changes[uri(file)];
        edited = TextDocument.applyEdits(TextDocument.create(uri(file), 'vue', 0, edited), edits);
      }
      const out = edited.split('\n');
      assert.match(out[1], /^  <!-- secure-hints: ignore\[vue-v-html\] .+ -->$/);
      assert.match(out[6], /^\/\/ secure-hints: ignore\[dom-xss\] /);
      await lsp.client.change(file, edited, 2);
      const after = (await lsp.client.waitForDiagnostics(file, (p) => p.version === 2)).diagnostics;
      assert.deepStrictEqual(after, []);
    });
  });
});
