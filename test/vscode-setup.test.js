'use strict';
// The VS Code server install (scripts/setup-vscode-server.sh) must not depend on who starts it: under
// `npm test` the environment carries npm's variables (npm_config_user_agent names npm's node, which
// code-server's postinstall reads) and npm's PATH entries. These tests check the environment the install
// gets, without running the install itself (620 MB).
const assert = require('assert');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');

const npmEnv = {
  npm_config_user_agent: 'npm/10.8.2 node/v20.19.0 linux x64 workspaces/false',
  npm_lifecycle_event: 'test',
  npm_node_execpath: '/usr/bin/node',
  NPM_CONFIG_PREFIX: '/tmp/nowhere',
  KEEP_ME: 'yes',
  PATH: [path.join(root, 'node_modules/.bin'), '/usr/share/nodejs/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin', '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
};

describe('VS Code server setup: independent of the calling environment', function () {
  it('the test runner hands the install an environment without npm variables or npm PATH entries', async function () {
    const { installEnv } = await import('./vscode/vscode-server.mjs');
    const env = installEnv(npmEnv);
    assert.deepStrictEqual(Object.keys(env).filter((k) => /^npm_/i.test(k)), []);
    assert.strictEqual(env.KEEP_ME, 'yes');
    assert.strictEqual(env.PATH, '/usr/local/bin:/usr/bin:/bin');
  });

  it('the setup script cleans its own environment the same way when started by npm directly', function () {
    const r = spawnSync('bash', ['-c', 'set -euo pipefail; . scripts/clean-npm-env.sh; env'], { cwd: root, env: npmEnv, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    const vars = Object.fromEntries(r.stdout.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.deepStrictEqual(Object.keys(vars).filter((k) => /^npm_/i.test(k)), []);
    assert.strictEqual(vars.KEEP_ME, 'yes');
    // (a shell's start-up files may add entries of their own)
    assert.ok(!/node_modules\/\.bin|node-gyp-bin/.test(vars.PATH), vars.PATH);
    assert.match(vars.PATH, /(^|:)\/usr\/local\/bin:\/usr\/bin:\/bin$/);
  });

  it('the setup script sources the cleaning before any install', function () {
    const script = require('fs').readFileSync(path.join(root, 'scripts/setup-vscode-server.sh'), 'utf8');
    const clean = script.indexOf('. scripts/clean-npm-env.sh');
    assert.ok(clean > 0 && clean < script.indexOf('npm install'));
  });
});
