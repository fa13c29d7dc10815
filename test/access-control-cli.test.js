'use strict';
// The access-control rules of issue 12 (client-controlled authorization, session and JWT secrets, login rate
// limits, session fixation) through the real CLI: a small Flask + Express project, scanned and fixed.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { run, project, remove } = require('./helpers/cli');

const FLASK = `from flask import Flask, request, session
from werkzeug.security import check_password_hash

app = Flask(__name__)
app.secret_key = "keyboard cat"


@app.post("/login")
def login():
    user = find(request.form["email"])
    if user is None or not check_password_hash(user.hash, request.form["password"]):
        app.logger.warning("Failed login")
        return "no", 401
    session["user_id"] = user.id
    return "ok"


@app.get("/admin")
def admin():
    if request.cookies.get("role") == "admin":
        return "admin"
    return "no", 403


def find(email):
    return None
`;

const EXPRESS = `const express = require('express');
const session = require('express-session');
const bcrypt = require('bcrypt');

const app = express();
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false, cookie: { secure: true, sameSite: 'lax', maxAge: 3600000 } }));

app.post('/login', async (req, res, next) => {
  const user = await db.find(req.body.email);
  if (!user || !(await bcrypt.compare(req.body.password, user.hash))) {
    console.warn('Failed login');
    return res.sendStatus(401);
  }
  req.session.userId = user.id;
  res.redirect('/');
});

const db = { find: async () => null };
module.exports = app;
`;

describe('CLI: access-control rules (issue 12)', function () {
  this.timeout(60000);
  let dir;
  before(() => { dir = project({ 'app.py': FLASK, 'server.js': EXPRESS }); });
  after(() => remove(dir));

  it('reports each rule where the evidence is, with its severity', function () {
    const r = run(['scan', dir, '--format', 'json', '--fail-on', 'none']);
    assert.strictEqual(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout).findings.map((f) => `${f.path}:${f.line}:${f.ruleId}:${f.severity}`).sort();
    for (const want of [
      'app.py:5:hardcoded-secret:error',
      'app.py:9:login-without-rate-limit:warning',
      'app.py:20:client-controlled-authorization:error',
      'server.js:8:login-without-rate-limit:warning',
      'server.js:14:session-fixation:warning',
    ]) assert.ok(got.includes(want), `missing ${want} in ${got.join(', ')}`);
  });

  it('--fix reads the session secret from the environment and regenerates the session at login', function () {
    const r = run(['scan', dir, '--fix', '--fail-on', 'none']);
    assert.strictEqual(r.status, 0, r.stderr);
    const py = fs.readFileSync(path.join(dir, 'app.py'), 'utf8');
    assert.match(py, /^import os$/m);
    assert.match(py, /app\.secret_key = os\.environ\["SECRET_KEY"\]/);
    const js = fs.readFileSync(path.join(dir, 'server.js'), 'utf8');
    assert.match(js, /req\.session\.regenerate\(\(err\) => \{\n {4}if \(err\) return next\(err\);\n {4}req\.session\.userId = user\.id;\n {4}res\.redirect\('\/'\);\n {2}\}\);/);
  });
});
