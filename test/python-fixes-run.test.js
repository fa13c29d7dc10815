'use strict';
// The Python quick fixes keep programs working: the golden fixed files are real programs. This test
// runs the original fixture and its fixed copy with python3 against an in-memory sqlite3 database:
// benign input must return the same rows, and an injection payload, which leaks rows through the
// original, must no longer do so through the fixed copy.
const assert = require('assert');
const { execFileSync } = require('child_process');
const path = require('path');
const { root } = require('./helpers/engine');

const dir = path.join(root, 'test', 'fixtures', 'sql-injection');

// Imports a module by path, fills its `conn` with three users, calls the named functions and prints JSON.
const DRIVER = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("store", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
mod.conn.executescript("""
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER);
INSERT INTO users (name, age) VALUES ('alice', 31), ('bob', 25), ('carol', 42);
""")
out = []
for fn, arg in json.loads(sys.argv[2]):
    try:
        out.append([list(r) for r in getattr(mod, fn)(arg)])
    except Exception as e:
        out.append("error: " + type(e).__name__)
print(json.dumps(out))
`;

function run(file, calls) {
  const stdout = execFileSync('python3', ['-c', DRIVER, path.join(dir, file), JSON.stringify(calls)], { encoding: 'utf8' });
  return JSON.parse(stdout);
}

// [function, benign input, injection payload]
const CASES = [
  ['find_user', 'alice', "' OR '1'='1"],
  ['search', 'o', "x' OR 1=1 --"],
  ['by_id', '2', '0 OR 1=1'],
  ['by_name_format', 'bob', "' OR '1'='1"],
  ['by_name_concat', 'carol', "' OR '1'='1"],
  ['prefix', 'a', "' OR 1=1 --"],
];

describe('Python fixes run: sqlite3 parameterized queries (python3)', function () {
  this.timeout(20000);
  let original;
  let fixed;
  before(function () {
    const calls = CASES.flatMap(([fn, benign, payload]) => [[fn, benign], [fn, payload]]);
    original = run('sqlite_store.py', calls);
    fixed = run('sqlite_store.fixed.py', calls);
  });

  CASES.forEach(([fn, benign, payload], i) => {
    it(`${fn}: same rows for ${JSON.stringify(benign)}, no leak for ${JSON.stringify(payload)}`, function () {
      const [origBenign, origPayload] = [original[2 * i], original[2 * i + 1]];
      const [fixBenign, fixPayload] = [fixed[2 * i], fixed[2 * i + 1]];
      assert.ok(Array.isArray(origBenign) && origBenign.length > 0, `original ${fn}(${benign}) returns rows: ${JSON.stringify(origBenign)}`);
      assert.deepStrictEqual(fixBenign, origBenign, 'benign input returns the same rows after the fix');
      // the payload really is an injection in the original program...
      assert.ok(Array.isArray(origPayload) && origPayload.length === 3, `original ${fn} leaks every row: ${JSON.stringify(origPayload)}`);
      // ...and is only data after the fix
      assert.deepStrictEqual(fixPayload, [], `fixed ${fn} treats the payload as data`);
    });
  });
});

// yaml.load with an unsafe loader -> yaml.safe_load: plain YAML parses the same; a python/object tag
// that runs code through the original is refused by the fixed copy.
const YAML_DRIVER = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("cfg", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
out = []
for fn, text in json.loads(sys.argv[2]):
    try:
        out.append(["ok", getattr(mod, fn)(text)])
    except Exception as e:
        out.append(["error", type(e).__name__])
print(json.dumps(out, default=repr))
`;

describe('Python fixes run: yaml.safe_load (python3 + PyYAML)', function () {
  this.timeout(20000);
  const yamlDir = path.join(root, 'test', 'fixtures', 'unsafe-deserialization');
  // the python3 on PATH, or Debian's, whichever has PyYAML (.ci/run installs python3-yaml for Debian's)
  const python = ['python3', '/usr/bin/python3'].find((py) => {
    try { execFileSync(py, ['-c', 'import yaml'], { stdio: 'ignore' }); return true; } catch { return false; }
  }) ?? 'python3';
  const runYaml = (file, calls) => JSON.parse(execFileSync(python, ['-c', YAML_DRIVER, path.join(yamlDir, file), JSON.stringify(calls)], { encoding: 'utf8' }));
  const benign = 'name: shop\nports: [80, 443]\nowner: {id: 7}\n';
  const payload = '!!python/object/apply:os.getpid []';
  const docs = '---\na: 1\n---\nb: [x]\n';

  it('parses plain YAML the same and refuses object tags that run code', function () {
    const calls = [['parse', benign], ['parse', payload], ['parse_all', docs], ['parse_all', `---\n${payload}\n`]];
    const original = runYaml('yaml_config.py', calls);
    const fixed = runYaml('yaml_config.fixed.py', calls);
    assert.deepStrictEqual(original[0], ['ok', { name: 'shop', ports: [80, 443], owner: { id: 7 } }]);
    assert.deepStrictEqual(fixed[0], original[0]);
    assert.deepStrictEqual(fixed[2], original[2]);
    // the original really calls os.getpid (an int comes back); the fixed copy refuses the tag
    assert.strictEqual(original[1][0], 'ok');
    assert.strictEqual(typeof original[1][1], 'number');
    assert.deepStrictEqual(fixed[1], ['error', 'ConstructorError']);
    assert.deepStrictEqual(fixed[3], ['error', 'ConstructorError']);
  });
});
