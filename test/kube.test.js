'use strict';
// Kubernetes manifests, kubeconfig and compose files: which YAML files the front takes (by content), bad
// input, speed, the CLI over a folder of mixed YAML, and the language server on a Deployment.
const assert = require('assert');
const path = require('path');
const { TextDocument } = require('vscode-languageserver-textdocument');
const { engine, ready } = require('./helpers/engine');
const { run, project, remove } = require('./helpers/cli');
const { uri, withLanguageServer } = require('./helpers/lsp-client');

const analyze = (name, text, config = {}) => engine.analyzeDetailed(`/tmp/kube/${name}`, undefined, text, config);
const ids = (r) => r.findings.filter((f) => !f.suppressed).map((f) => `${f.ruleId}@${f.range.start.line + 1}`).sort();

const HARDENED = '{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true}';
const pod = (name, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0.0
      securityContext: ${HARDENED}
${extra}`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/web:2.0.0
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            privileged: true
`;

describe('Kubernetes and compose files', function () {
  before(() => ready);

  describe('what the YAML front takes', function () {
    it('multi-document files: each document is an object, YAML 1.1 booleans count', function () {
      const text = `${pod('a')}---\n${pod('b', '  hostNetwork: yes\n')}`;
      assert.deepStrictEqual(ids(analyze('pods.yaml', text)), ['host-namespace-shared@20']);
    });

    it('a YAML file without apiVersion/kind is not a manifest: a GitHub workflow, Helm values, OpenAPI', function () {
      const workflow = 'name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    container:\n      image: node:latest\n      options: --privileged\n    services:\n      db:\n        image: postgres:latest\n        env:\n          POSTGRES_PASSWORD: Sup3r-S3cret-Pw\n    steps:\n      - uses: actions/checkout@v4\n';
      const values = 'image:\n  repository: nginx\n  tag: latest\nsecurityContext:\n  privileged: true\n';
      for (const [name, text] of [['.github/workflows/ci.yml', workflow], ['values.yaml', values], ['openapi.yaml', 'openapi: 3.0.0\npaths: {}\n']]) {
        const r = analyze(name, text);
        assert.deepStrictEqual(r.findings, [], name);
        assert.deepStrictEqual(r.notes, [], name);
        assert.ok(!r.syntaxErrors || r.syntaxErrors.length === 0, name);
      }
    });

    it('CloudFormation YAML is another front\'s: nothing from this one, even with kind-like keys', function () {
      const cfn = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub "${AWS::StackName}-data"\n';
      const sam = 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Environment:\n        Variables:\n          DB_PASSWORD: Sup3r-S3cret-Pw\n';
      for (const text of [cfn, sam]) assert.deepStrictEqual(ids(analyze('template.yaml', text)).filter((x) => !x.startsWith('iam-') && !x.startsWith('s3-')), []);
    });

    it('compose files by name, and by a services map of images anywhere', function () {
      const compose = 'services:\n  web:\n    image: nginx:1.27.2\n    privileged: true\n';
      assert.deepStrictEqual(ids(analyze('docker-compose.prod.yml', compose)), ['privileged-container@4']);
      assert.deepStrictEqual(ids(analyze('stack.yaml', compose)), ['privileged-container@4']);
      // a `services:` map that is not containers
      assert.deepStrictEqual(ids(analyze('config.yaml', 'services:\n  billing:\n    url: https://billing\n    privileged: true\n')), []);
    });

    it('kind: List items, CronJob job templates and ReplicationControllers are pod specs', function () {
      const list = `apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: c}
    spec:
      jobTemplate:
        spec:
          template:
            spec:
              hostPID: true
              containers: [{name: a, image: "registry.example.com/a:1.0.0", securityContext: ${HARDENED}}]
  - apiVersion: v1
    kind: ReplicationController
    metadata: {name: r}
    spec:
      template:
        spec:
          hostIPC: true
          containers: [{name: a, image: "registry.example.com/a:1.0.0", securityContext: ${HARDENED}}]
`;
      assert.deepStrictEqual(ids(analyze('list.yaml', list)), ['host-namespace-shared@12', 'host-namespace-shared@20']);
    });

    it('anchors, aliases and merge keys in compose files are followed', function () {
      const text = 'x-base: &base\n  privileged: true\nservices:\n  a:\n    <<: *base\n    image: nginx:1.27.2\n  b:\n    <<: *base\n    image: redis:7.4.1\n';
      // both services share the anchored setting: one finding, where it is written
      assert.deepStrictEqual(ids(analyze('compose.yaml', text)), ['privileged-container@2']);
    });
  });

  describe('bad input', function () {
    it('a malformed manifest: a syntax error with its line, no crash, the intact documents still analyzed', function () {
      const broken = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27.2\n     securityContext:\n      privileged: true\n';
      const r = analyze('broken.yaml', `${broken}---\n${pod('ok', '  hostPID: true\n')}`);
      assert.deepStrictEqual(r.syntaxErrors, ['line 9: Sequence item without - indicator']);
      assert.deepStrictEqual(ids(r), ['host-namespace-shared@21']);
    });

    it('a Helm template that is not YAML: nothing at all, never an error', function () {
      const tmpl = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "app.fullname" . }}\nspec:\n  template:\n    spec:\n      {{- with .Values.podSecurityContext }}\n      securityContext:\n        {{- toYaml . | nindent 8 }}\n      {{- end }}\n      containers:\n        - name: {{ .Chart.Name }}\n          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n';
      const r = analyze('chart/templates/deployment.yaml', tmpl);
      assert.deepStrictEqual([r.findings, r.notes, r.syntaxErrors ?? []], [[], [], []]);
      assert.deepStrictEqual(engine.syntaxErrors('chart/templates/deployment.yaml', undefined, tmpl), []);
    });

    it('empty files, comments only, bare document markers, scalars, deep nesting, alias bombs', function () {
      const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\napiVersion: v1\nkind: Pod\nspec: {containers: *d}\n';
      for (const text of ['', '# nothing\n', '---\n---\n', 'just a string\n', `${'['.repeat(2000)}`, bomb, 'apiVersion: v1\nkind: Pod\nspec:\n  containers: 3\n', 'apiVersion: v1\nkind: Pod\nspec:\n  containers: [null, 1, "x", [1]]\n']) {
        const r = analyze('odd.yaml', text);
        assert.deepStrictEqual(r.notes.filter((n) => /failed|stopped/.test(n)), [], text.slice(0, 40));
      }
    });

    it('CRLF line ends: the inserted lines use them too, and the result parses', function () {
      const text = pod('crlf').replace('securityContext: ' + HARDENED, 'securityContext:\n        readOnlyRootFilesystem: true\n        runAsNonRoot: true').replace(/\n/g, '\r\n');
      const r = analyze('crlf.yaml', text);
      assert.deepStrictEqual(ids(r), ['privilege-escalation-allowed@7']);
      const { text: fixed } = engine.applyPreferredFixes(text, r.findings);
      assert.ok(fixed.includes('runAsNonRoot: true\r\n        allowPrivilegeEscalation: false\r\n'), JSON.stringify(fixed));
      assert.deepStrictEqual(ids(analyze('crlf.yaml', fixed)), []);
    });

    it('a 5 MB generated manifest is skipped with a note at once; 500 KB of manifests is analyzed fully', function () {
      const block = (i) => `${pod(`p${i}`, i % 50 === 0 ? '  hostPID: true\n' : '')}---\n`;
      let big = '';
      for (let i = 0; big.length < 5_000_000; i++) big += block(i);
      const t = Date.now();
      assert.match(analyze('big.yaml', big).notes[0], /over the .*-byte limit/);
      assert.ok(Date.now() - t < 1000);
      let text = '';
      let pods = 0;
      for (; text.length < 500_000; pods++) text += block(pods);
      // CPU time, not wall time: other processes share the test machine's cores
      const c = process.cpuUsage();
      const r = analyze('half-mb.yaml', text);
      const d = process.cpuUsage(c);
      assert.strictEqual(r.findings.length, Math.ceil(pods / 50));
      assert.ok(r.findings.every((f) => f.ruleId === 'host-namespace-shared'));
      assert.ok((d.user + d.system) / 1000 < 4000, `took ${(d.user + d.system) / 1000} ms of CPU`);
    });
  });

  describe('command line', function () {
    let dir;
    before(function () {
      dir = project({
        'k8s/deployment.yaml': DEPLOYMENT,
        'docker-compose.yml': 'services:\n  web:\n    image: nginx:latest\n    network_mode: host\n',
        'chart/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          securityContext:\n            {{- toYaml .Values.securityContext | nindent 12 }}\n',
        'k8s/broken.yaml': 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n     image: x\n',
        '.github/workflows/ci.yml': 'on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    container: {image: "node:latest", options: --privileged}\n',
        '.kube/config.yaml': 'apiVersion: v1\nkind: Config\nclusters:\n  - name: dev\n    cluster:\n      server: https://dev:6443\n      insecure-skip-tls-verify: true\n',
      });
    });
    after(() => remove(dir));

    it('scans a folder of mixed YAML: findings only where due, a note for the malformed manifest', function () {
      const r = run(['scan', dir, '--format', 'json', '--fail-on', 'none']);
      assert.strictEqual(r.status, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      const got = report.findings.map((f) => `${f.path.replace(/\\/g, '/')}:${f.ruleId}@${f.line}`).sort();
      assert.deepStrictEqual(got, [
        '.kube/config.yaml:tls-verification-disabled@7',
        'docker-compose.yml:host-namespace-shared@4',
        'docker-compose.yml:unpinned-image@3',
        'k8s/deployment.yaml:privileged-container@15',
      ]);
      assert.match(r.stderr, /broken\.yaml: syntax errors \(1, first: line 6: /);
      assert.doesNotMatch(r.stderr, /templates|ci\.yml/);
    });

    it('--fix applies the preferred fixes and the files stay valid', function () {
      const copy = project({ 'k8s/deployment.yaml': DEPLOYMENT, 'compose.yaml': 'services:\n  web:\n    image: nginx:1.27.2\n    network_mode: host\n    cap_add: [SYS_ADMIN, CHOWN]\n' });
      try {
        run(['scan', copy, '--fix', '--fail-on', 'none']);
        const after = JSON.parse(run(['scan', copy, '--format', 'json', '--fail-on', 'none']).stdout);
        assert.deepStrictEqual(after.findings, []);
        const fs = require('fs');
        assert.match(fs.readFileSync(path.join(copy, 'k8s/deployment.yaml'), 'utf8'), /privileged: false\n/);
        assert.strictEqual(fs.readFileSync(path.join(copy, 'compose.yaml'), 'utf8'), 'services:\n  web:\n    image: nginx:1.27.2\n    cap_add: [CHOWN]\n');
      } finally {
        remove(copy);
      }
    });
  });

  describe('language server', function () {
    this.timeout(300000);
    const lsp = withLanguageServer();

    it('a Deployment gets its diagnostic, the quick fix and a YAML ignore comment', async function () {
      const file = path.join(lsp.dir, 'deployment.yaml');
      await lsp.client.open(file, DEPLOYMENT, 'yaml');
      const { diagnostics } = await lsp.client.waitForDiagnostics(file);
      assert.deepStrictEqual(diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character]), [['privileged-container', 14, 24]]);
      assert.match(diagnostics[0].codeDescription.href, /docs\/rules\/privileged-container\.md$/);
      const actions = await lsp.client.request('textDocument/codeAction', { textDocument: { uri: uri(file) }, range: diagnostics[0].range, context: { diagnostics } });
      const apply = (action) => TextDocument.applyEdits(TextDocument.create(uri(file), 'yaml', 0, DEPLOYMENT),
        action.edit.documentChanges ? action.edit.documentChanges.flatMap((c) => c.edits) : action.edit.changes[uri(file)]);
      const fixed = apply(actions.find((a) => a.isPreferred));
      assert.strictEqual(fixed, DEPLOYMENT.replace('privileged: true', 'privileged: false'));
      const ignored = apply(actions.find((a) => a.title.startsWith('Ignore ')));
      assert.match(ignored.split('\n')[14], /^ {12}# secure-hints: ignore\[privileged-container\] /);
      await lsp.client.change(file, ignored, 2);
      assert.deepStrictEqual((await lsp.client.waitForDiagnostics(file, (p) => p.version === 2)).diagnostics, []);
    });
  });
});
