'use strict';
// The golden files of the Python quick fixes are programs: each check imports the original fixture
// and its fixed golden in a real Python, sends benign and malicious input, and asserts that the
// original is exploitable (so the check can fail) while the fixed program keeps working and is not.
// Checks need Flask/lxml/django (Debian python3-flask etc.); without them they are skipped.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { root } = require('./helpers/engine');

const fixtures = path.join(root, 'test', 'fixtures');
const SITE = '/usr/lib/python3/dist-packages';

/** A python3 that can import `modules`, or undefined. */
const found = new Map();
function findPython(modules) {
  const key = modules.join(',');
  if (!found.has(key)) found.set(key, probe(modules));
  return found.get(key);
}

function probe(modules) {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const env = { ...process.env, PYTHONPATH: SITE };
    const r = spawnSync(py, ['-c', `import ${modules.join(', ')}`], { env, encoding: 'utf8' });
    if (r.status === 0) return { py, env };
  }
  return undefined;
}

/** Runs `script` with MODULE bound to the fixture (or its golden) loaded from its path, in a temp dir. */
function run(python, file, script, setup = '') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-fix-'));
  const prelude = [
    'import importlib.util, os, sys',
    setup,
    `spec = importlib.util.spec_from_file_location("fixture_under_test", ${JSON.stringify(file)})`,
    'MODULE = importlib.util.module_from_spec(spec)',
    'spec.loader.exec_module(MODULE)',
    `TMP = ${JSON.stringify(dir)}`,
  ].join('\n');
  const r = spawnSync(python.py, ['-c', `${prelude}\n${script}`], { cwd: dir, env: python.env, encoding: 'utf8', timeout: 60000 });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const CHECKS = [
  {
    golden: 'command-injection/flask_shell',
    modules: ['flask'],
    // benign names work; a `;` in a name runs a second command only in the original
    script: `
import json
c = MODULE.app.test_client()
mark = os.path.join(TMP, "pwned")
ok = c.get("/list", query_string={"dir": TMP}).status_code == 200
c.get("/alias", query_string={"name": "x; touch " + mark})
first = os.path.exists(mark)
if first: os.remove(mark)
c.get("/grep", query_string={"q": "x' /dev/null; touch " + mark + "; echo '"})
second = os.path.exists(mark)
print(json.dumps({"benign": ok, "injected": first or second}))`,
  },
  {
    golden: 'reflected-xss/flask_views',
    modules: ['flask'],
    script: `
import json
c = MODULE.app.test_client()
benign = c.get("/hello", query_string={"name": "Bob"}).get_data(as_text=True)
evil = c.get("/hello", query_string={"name": "<script>x()</script>"}).get_data(as_text=True)
evil2 = c.get("/search", query_string={"q": "<img src=x>"}).get_data(as_text=True)
print(json.dumps({"benign": "Hello Bob" in benign, "injected": "<script>" in evil or "<img" in evil2}))`,
  },
  {
    golden: 'template-injection/flask_ssti',
    modules: ['flask'],
    script: `
import json
c = MODULE.app.test_client()
benign = c.get("/hello", query_string={"name": "Bob"}).get_data(as_text=True)
evil = c.get("/hello", query_string={"name": "{{ 7 * 191 }}"}).get_data(as_text=True)
print(json.dumps({"benign": "Hello Bob!" in benign, "injected": "1337" in evil}))`,
  },
  {
    golden: 'unsafe-markup/markup',
    modules: ['flask', 'django', 'markupsafe'],
    script: `
import json
from django.conf import settings
settings.configure()
c = MODULE.app.test_client()
benign = c.get("/greet", query_string={"name": "Bob"}).get_data(as_text=True)
evil = c.get("/alias", query_string={"name": "<script>x()</script>"}).get_data(as_text=True)
print(json.dumps({"benign": benign == "<b>Bob</b>", "injected": "<script>" in evil}))`,
  },
  {
    golden: 'xpath-injection/lookup',
    modules: ['flask', 'lxml'],
    // the fixture parses users.xml when it is imported
    setup: `open("users.xml", "w").write("<users><user name='alice'><email>alice@example.com</email></user><user name='bob'><email>bob@example.com</email></user></users>")`,
    script: `
import json
c = MODULE.app.test_client()
benign = c.get("/user", query_string={"name": "alice"}).get_data(as_text=True)
evil = c.get("/user", query_string={"name": "x' or '1'='1"}).get_data(as_text=True)
print(json.dumps({"benign": benign == "['alice@example.com']", "injected": "bob@example.com" in evil}))`,
  },
  {
    golden: 'unsafe-archive-extraction/extract',
    modules: ['flask', 'tarfile; tarfile.data_filter'],
    script: `
import io, json, tarfile
def archive(name, data=b"hi"):
    p = os.path.join(TMP, name.replace("/", "_") + ".tar")
    with tarfile.open(p, "w:gz") as t:
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
    return p
dest = os.path.join(TMP, "out"); os.makedirs(dest)
MODULE.unpack(archive("notes.txt"), dest)
benign = os.path.exists(os.path.join(dest, "notes.txt"))
try:
    MODULE.unpack(archive("../escaped.txt"), dest)
except tarfile.TarError:
    pass
print(json.dumps({"benign": benign, "injected": os.path.exists(os.path.join(TMP, "escaped.txt"))}))`,
  },
];

describe('Python quick fixes keep programs working and stop the attack', function () {
  this.timeout(120000);
  for (const check of CHECKS) {
    const original = path.join(fixtures, `${check.golden}.py`);
    const golden = path.join(fixtures, `${check.golden}.fixed.py`);
    it(check.golden, function () {
      const python = findPython(check.modules);
      if (!python || !fs.existsSync(golden)) this.skip();
      const before = run(python, original, check.script, check.setup);
      const after = run(python, golden, check.script, check.setup);
      assert.deepStrictEqual(before, { benign: true, injected: true }, 'the original fixture should be exploitable');
      assert.deepStrictEqual(after, { benign: true, injected: false }, 'the fixed program keeps working and is not exploitable');
    });
  }
});
