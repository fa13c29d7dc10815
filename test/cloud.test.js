'use strict';
// AWS policies and resources through the CLI: IAM policy JSON without comments, CloudFormation in YAML
// and JSON, Terraform (jsonencode, heredoc JSON, policy documents), JSON that is not a policy,
// invalid HCL, suppressions by comment and by .securehints.json, --fix on Terraform and YAML.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { run, project, remove } = require('./helpers/cli');
const { uri, withLanguageServer } = require('./helpers/lsp-client');

const policyJson = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: '*', Resource: '*' },
    { Effect: 'Allow', Action: ['iam:PassRole', 'ec2:RunInstances'], Resource: '*' },
  ],
}, null, 2) + '\n';

const heredocTf = `resource "aws_iam_role_policy" "ci" {
  role   = aws_iam_role.ci.id
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::\${var.bucket}/*"},
        {"Effect": "Allow", "Action": "*", "Resource": "*"}
      ]
    }
  EOT
}
`;

const fixableTf = `resource "aws_db_instance" "db" {
  engine              = "postgres"
  instance_class      = "db.t4g.micro" # small
  publicly_accessible = true
}
`;

const templateYaml = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Volume:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: !Select [0, !GetAZs ""]
      Size: 10
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "\${AWS::StackName}-logs"
      AccessControl: PublicReadWrite
`;

describe('CLI: AWS policies, CloudFormation and Terraform', function () {
  this.timeout(300000);
  const dirs = [];
  const make = (files) => { const d = project(files); dirs.push(d); return d; };
  after(() => dirs.forEach(remove));
  const scan = (dir, ...args) => {
    const r = run(['scan', '.', '--format', 'json', '--fail-on', 'none', ...args], { cwd: dir });
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    return JSON.parse(r.stdout);
  };
  const found = (report) => report.findings.filter((f) => !f.suppressed).map((f) => `${f.path}:${f.line}:${f.ruleId}`).sort();

  it('reads IAM policy JSON without comments, and leaves other JSON alone', function () {
    const dir = make({
      'policies/admin.json': policyJson,
      'package.json': JSON.stringify({ name: 'x', version: '1.0.0', Statement: [] }),
      'tsconfig.json': '{ "compilerOptions": { "strict": true } }\n',
      'data/statements.json': JSON.stringify({ Statement: 'quarterly', Effect: 'none' }),
    });
    const report = scan(dir);
    assert.deepStrictEqual(found(report), [
      'policies/admin.json:12:iam-privilege-escalation',
      'policies/admin.json:13:iam-wildcard-resource',
      'policies/admin.json:6:iam-admin-policy',
    ]);
    const admin = report.findings.find((f) => f.ruleId === 'iam-admin-policy');
    assert.strictEqual(admin.severity, 'error');
    assert.ok(admin.cwe.includes('CWE-269'));
  });

  it('maps heredoc JSON findings back to the Terraform file, and an interpolated resource is unknown', function () {
    const dir = make({ 'main.tf': heredocTf });
    const report = scan(dir);
    assert.deepStrictEqual(found(report), ['main.tf:7:iam-wildcard-action', 'main.tf:8:iam-admin-policy']);
    const admin = report.findings.find((f) => f.ruleId === 'iam-admin-policy');
    assert.strictEqual(admin.column, heredocTf.split('\n')[7].indexOf('"*"') + 1);
  });

  it('gives a note for invalid HCL and keeps the findings of the other files', function () {
    const dir = make({
      'broken.tf': 'resource "aws_instance" "x" {\n  ami = \n  metadata_options {\n',
      'ok.tf': fixableTf,
      'weird.yaml': 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  X: [unclosed\n',
    });
    const r = run(['scan', '.', '--fail-on', 'none'], { cwd: dir });
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /broken\.tf.*syntax error/i);
    assert.match(r.stdout, /weird\.yaml: not analyzed: YAML syntax error/);
    assert.match(r.stdout, /ok\.tf:4:\d+ warning public-database/);
  });

  it('honours # comments in HCL and YAML, and .securehints.json for JSON policies', function () {
    const dir = make({
      'main.tf': fixableTf.replace('  publicly_accessible = true', '  # secure-hints: ignore[public-database] demo\n  publicly_accessible = true'),
      'template.yaml': templateYaml.replace('      AccessControl: PublicReadWrite', '      AccessControl: PublicReadWrite # secure-hints: ignore[s3-public-access] drop box'),
      'policies/admin.json': policyJson,
      '.securehints.json': JSON.stringify({ rules: { 'iam-admin-policy': 'off' } }),
    });
    const report = scan(dir);
    assert.deepStrictEqual(found(report), [
      'main.tf:1:unencrypted-storage',
      'policies/admin.json:12:iam-privilege-escalation',
      'policies/admin.json:13:iam-wildcard-resource',
      'template.yaml:3:unencrypted-storage',
    ]);
    assert.ok(report.findings.some((f) => f.ruleId === 'public-database' && f.suppressed));
  });

  it('--fix edits Terraform and CloudFormation YAML in place, keeping comments and indentation', function () {
    const dir = make({ 'main.tf': fixableTf, 'template.yaml': templateYaml });
    const r = run(['scan', '.', '--fix', '--fail-on', 'none'], { cwd: dir });
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'main.tf'), 'utf8'), `resource "aws_db_instance" "db" {
  engine              = "postgres"
  instance_class      = "db.t4g.micro" # small
  publicly_accessible = false
  storage_encrypted = true
}
`);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8'), templateYaml
      .replace('      Size: 10\n', '      Size: 10\n      Encrypted: true\n')
      .replace('AccessControl: PublicReadWrite', 'AccessControl: Private'));
    assert.deepStrictEqual(found(scan(dir)), []);
  });

  it('SARIF carries the cloud rules with their CWE tags', function () {
    const dir = make({ 'policies/admin.json': policyJson });
    const r = run(['scan', '.', '--format', 'sarif', '--fail-on', 'none'], { cwd: dir });
    const sarif = JSON.parse(r.stdout);
    const rule = sarif.runs[0].tool.driver.rules.find((x) => x.id === 'iam-admin-policy');
    assert.ok(rule.properties.tags.includes('external/cwe/cwe-269'));
    assert.ok(sarif.runs[0].results.some((x) => x.ruleId === 'iam-admin-policy' && x.level === 'error'));
  });

  it('analyzes a 2,000-line Terraform module without trouble', function () {
    let text = '';
    for (let i = 0; text.split('\n').length < 2000; i++) {
      text += `resource "aws_security_group" "sg${i}" {\n  name = "sg-${i}"\n  ingress {\n    from_port   = ${i % 7 === 0 ? 22 : 443}\n    to_port     = ${i % 7 === 0 ? 22 : 443}\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n\n`;
    }
    const dir = make({ 'big.tf': text });
    const report = scan(dir);
    const expected = text.split('\n').filter((l) => l.includes('from_port   = 22')).length;
    assert.strictEqual(report.findings.filter((f) => f.ruleId === 'open-admin-port').length, expected);
  });
});

describe('language server: Terraform and IAM policy JSON', function () {
  this.timeout(300000);
  const lsp = withLanguageServer();

  const actionsFor = (file, d) => lsp.client.request('textDocument/codeAction', { textDocument: { uri: uri(file) }, range: d.range, context: { diagnostics: [d] } });

  it('publishes Terraform diagnostics with the preferred fix and a # ignore comment', async function () {
    const file = path.join(lsp.dir, 'main.tf');
    await lsp.client.open(file, fixableTf, 'terraform');
    const { diagnostics } = await lsp.client.waitForDiagnostics(file, (p) => p.diagnostics.length > 0);
    const d = diagnostics.find((x) => x.code === 'public-database');
    assert.ok(d, JSON.stringify(diagnostics));
    assert.strictEqual(d.range.start.line, 3);
    const actions = await actionsFor(file, d);
    const preferred = actions.find((a) => a.isPreferred);
    assert.match(preferred.title, /private/i);
    const ignore = actions.find((a) => a.title === 'Ignore public-database on this line');
    const edits = ignore.edit.documentChanges ? ignore.edit.documentChanges.flatMap((c) => c.edits) : ignore.edit.changes[uri(file)];
    assert.match(edits[0].newText, /^ {2}# secure-hints: ignore\[public-database\] /);
  });

  it('offers no ignore comment in JSON policies (JSON has no comments)', async function () {
    const file = path.join(lsp.dir, 'policy.json');
    await lsp.client.open(file, policyJson, 'json');
    const { diagnostics } = await lsp.client.waitForDiagnostics(file, (p) => p.diagnostics.length > 0);
    const d = diagnostics.find((x) => x.code === 'iam-admin-policy');
    assert.ok(d, JSON.stringify(diagnostics));
    const actions = await actionsFor(file, d);
    assert.ok(!actions.some((a) => /^Ignore /.test(a.title)), JSON.stringify(actions.map((a) => a.title)));
    assert.ok(actions.some((a) => a.title === 'Show documentation for iam-admin-policy'));
  });
});
