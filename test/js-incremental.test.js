'use strict';
// JS/TS incremental analysis (engine/session.ts) on the route model: the route rules run on every version,
// over handler facts kept per handler node across versions (lang/javascript/route-body.ts) and node lists
// relinked after the incremental parse (lang/javascript/link.ts). Each step must equal a fresh analysis.
const assert = require('assert');
const { engine, ready } = require('./helpers/engine');

const HEADER = "const express = require('express');\nconst bcrypt = require('bcrypt');\nconst { requireAuth } = require('./middleware/auth');\nconst Invoice = require('./models/invoice');\nconst router = express.Router();\n\n";
// guarded by a middleware (all but two), by a check in the body (`guard`), or not at all
const route = (i, guard) => `router.delete('/invoices/${i}', ${i !== 2 && i !== 7 ? 'requireAuth, ' : ''}async (req, res) => {\n${guard ? '  if (!req.user) return res.sendStatus(401);\n' : ''}  await Invoice.deleteOne({ _id: String(req.params.id), owner: req.user.id });\n  res.sendStatus(204);\n});\n\n`;
const login = "router.post('/login', async (req, res) => {\n  const ok = await bcrypt.compare(req.body.password, req.user.hash);\n  res.json({ ok });\n});\n\n";

function same(session, text, context) {
  const fresh = engine.analyzeDetailed('routes.js', undefined, text);
  assert.deepStrictEqual(session.result().findings, fresh.findings, `${context}: findings differ from a fresh analysis`);
  assert.deepStrictEqual(session.result().notes, fresh.notes, `${context}: notes differ from a fresh analysis`);
}

describe('JS/TS incremental analysis of routes', function () {
  this.timeout(60000);
  before(() => ready);

  it('moves, adds and drops route findings as handlers are edited, moved and guarded', function () {
    let text = HEADER + login;
    for (let i = 0; i < 12; i++) text += route(i, false);
    text += 'module.exports = router;\n';
    const session = engine.openDocument('routes.js', undefined, text);
    try {
      same(session, text, 'opened');
      const count = (id) => session.findings().filter((f) => f.ruleId === id).length;
      const open = count('missing-authorization');
      assert.strictEqual(open, 2, 'the two unguarded deletes are reported');
      assert.ok(count('login-without-rate-limit') === 1, 'the login route is reported');
      const steps = [
        // lines inserted above every route: their findings and the handlers' facts move
        (t) => t.replace(HEADER, HEADER + '// a comment\n// another one\n\n'),
        // a guard added inside an unguarded handler (that handler's statement is parsed again)
        (t) => t.replace(route(2, false), route(2, true)),
        // the middleware taken off another
        (t) => t.replace(route(9, false), route(9, false).replace('requireAuth, ', '')),
        // a handler moved to the end of the file
        (t) => t.replace(route(5, false), '') + route(5, false),
        // the login route's text shifted on its own line (same content, new column)
        (t) => t.replace("router.post('/login'", "  router.post('/login'"),
        // a rate limiter installed on the router: the login finding goes
        (t) => t.replace('const router = express.Router();\n', "const router = express.Router();\nconst rateLimit = require('express-rate-limit');\nrouter.use(rateLimit({ windowMs: 60000, max: 5 }));\n"),
        // and removed again
        (t) => t.replace("router.use(rateLimit({ windowMs: 60000, max: 5 }));\n", ''),
        // the password check's import changed (what its call names), then back
        (t) => t.replace("const bcrypt = require('bcrypt');", "const bcrypt = require('./hashing');"),
        (t) => t.replace("const bcrypt = require('./hashing');", "const bcrypt = require('bcrypt');"),
      ];
      steps.forEach((step, k) => {
        const next = step(text);
        assert.notStrictEqual(next, text, `step ${k + 1} changes the text`);
        text = next;
        session.update(text);
        assert.ok(session.stats().incremental, `step ${k + 1} is incremental`);
        same(session, text, `step ${k + 1}`);
      });
      assert.deepStrictEqual(session.findings().filter((f) => f.ruleId === 'missing-authorization').map((f) => /invoices\/(\d+)/.exec(f.message)?.[1]).sort(), ['7', '9']);
    } finally {
      session.dispose();
    }
  });
});
