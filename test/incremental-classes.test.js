'use strict';
// Incremental analysis of Python classes (engine/session.ts, engine/units.ts): a class with methods is split
// into its shell and one unit per method. Each case edits a class in a way that must change findings in
// another unit (a base class, a decorator, a class attribute, what one method stores in `self` for
// another, a caller of the constructor), and checks after every edit that the session reports exactly
// what a fresh analysis reports, and that the findings did change (the case tests something).
const assert = require('assert');
const { engine, ready } = require('./helpers/engine');

function same(session, file, text, context) {
  const fresh = engine.analyzeDetailed(file, undefined, text);
  const got = session.result();
  assert.deepStrictEqual(got.findings, fresh.findings, `${context}: findings differ from a fresh analysis`);
  assert.deepStrictEqual(got.notes, fresh.notes, `${context}: notes differ from a fresh analysis`);
  return fresh.findings;
}

const summary = (findings) => findings.map((f) => `${f.ruleId}@${f.range.start.line}:${f.severity}`).sort().join(' ');

/** Applies each [from, to] replacement in turn (and then each in reverse), comparing with a fresh analysis. */
function run(file, text, edits) {
  const session = engine.openDocument(file, undefined, text);
  const seen = new Set();
  try {
    seen.add(summary(same(session, file, text, 'opened')));
    const steps = [...edits, ...edits.map(([a, b]) => [b, a]).reverse()];
    steps.forEach(([from, to], k) => {
      assert.ok(text.includes(from), `step ${k + 1}: ${JSON.stringify(from)} not in the text`);
      text = text.replace(from, to);
      session.update(text);
      seen.add(summary(same(session, file, text, `step ${k + 1} (${JSON.stringify(from)} -> ${JSON.stringify(to)})`)));
    });
  } finally {
    session.dispose();
  }
  assert.ok(seen.size > 1, `the edits never changed the findings: ${[...seen].join(' | ')}`);
}

const filler = (n) => Array.from({ length: n }, (_, i) => `\n    def helper_${i}(self):\n        return ${i}\n`).join('');

describe('incremental analysis of Python classes equals a fresh analysis', function () {
  this.timeout(120000);
  before(() => ready);

  it('a base class changed (a Tornado handler through a local base)', function () {
    run('handlers.py', `import os
import tornado.web


class BaseHandler(tornado.web.RequestHandler):
    def prepare(self):
        self.ready = True
${filler(3)}

class ItemHandler(BaseHandler):
    def get(self, name):
        self.db.execute("SELECT * FROM t WHERE a = '" + name + "'")
${filler(3)}

class PingHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("pong")
`, [['class BaseHandler(tornado.web.RequestHandler):', 'class BaseHandler(object):'],
      ['class ItemHandler(BaseHandler):', 'class ItemHandler(tornado.web.RequestHandler):']]);
  });

  it('a decorator added to a class and to a method', function () {
    run('views.py', `from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.utils.decorators import method_decorator


class TransferView(View):
    def post(self, request):
        request.session["to"] = request.POST["to"]
        Transfer.objects.create(to=request.POST["to"])
        return None
${filler(3)}
`, [['class TransferView(View):', '@method_decorator(csrf_exempt, name="dispatch")\nclass TransferView(View):'],
      ['    def post(self, request):', '    @csrf_exempt\n    def post(self, request):']]);
  });

  it('a method body that a rule on the class reads (the shell runs again)', function () {
    run('transfer.py', `from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.utils.decorators import method_decorator


@method_decorator(csrf_exempt, name="dispatch")
class TransferView(View):
    def get(self, request):
        return None
${filler(3)}
    def post(self, request):
        Transfer.objects.create(to=request.POST["to"])
        return None
`, [['Transfer.objects.create(to=request.POST["to"])', 'x = request.POST["to"]']]);
  });

  it('a class attribute that a route rule reads', function () {
    run('api.py', `from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated, AllowAny


class AccountViewSet(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated]
    queryset = Account.objects.all()

    def destroy(self, request, pk=None):
        Account.objects.filter(pk=pk).delete()
        return None
${filler(3)}
`, [['permission_classes = [IsAuthenticated]', 'permission_classes = [AllowAny]'],
      ['permission_classes = [AllowAny]', 'authentication_classes = []']]);
  });

  it('what one method stores in self and another reads, and a caller of the constructor', function () {
    // nothing calls run(): what it runs is what the constructor's callers pass
    run('runner.py', `import os
from flask import Flask, request

app = Flask(__name__)


class Runner:
    def __init__(self, cmd):
        self.cmd = cmd
${filler(3)}
    def run(self):
        os.system(self.cmd)


@app.route("/run")
def view():
    Runner("ls")
    return "ok"
`, [['Runner("ls")', 'Runner(request.args["c"])'],
      ['self.cmd = cmd', 'self.cmd = "ls"'],
      ['self.cmd = "ls"', 'self.cmd = cmd.strip()']]);
  });

  it('a method that calls another method of its class, edited on either side', function () {
    run('service.py', `import subprocess
from flask import Flask, request

app = Flask(__name__)


class Service:
    def build(self, name):
        return "deploy " + name
${filler(4)}
    def start(self, name):
        subprocess.call(self.build(name), shell=True)


@app.route("/start")
def start_view():
    Service().start(request.args["n"])
    return "ok"
`, [['return "deploy " + name', 'return "deploy"'],
      ['subprocess.call(self.build(name), shell=True)', 'subprocess.call(self.build("x"), shell=True)'],
      ['    def build(self, name):', '    def build(self, name, extra=""):'],
      ['Service().start(request.args["n"])', 'Service().start("fixed")']]);
  });

  it('reuses the other methods of a large class after an edit inside one method', function () {
    const methods = Array.from({ length: 60 }, (_, i) => `    def step_${i}(self, value):\n        total = value + ${i}\n        return total\n\n`).join('');
    const text = `import os\n\n\nclass Pipeline:\n    name = "p"\n\n${methods}    def run(self):\n        os.system(self.name)\n`;
    const session = engine.openDocument('pipeline.py', undefined, text);
    try {
      const edited = text.replace('total = value + 30', 'total = value + 31');
      session.update(edited);
      const stats = session.stats();
      assert.ok(stats.incremental && stats.analyzed < 6, JSON.stringify(stats));
      same(session, 'pipeline.py', edited, 'after editing one method');
    } finally {
      session.dispose();
    }
  });
});

describe('incremental analysis after whitespace edits equals a fresh analysis', function () {
  this.timeout(120000);
  before(() => ready);

  const text = `import hashlib
import os
import subprocess
from flask import Flask, request

app = Flask(__name__)


def algorithm():
    return "md5"


def digest(data):
    return hashlib.new(algorithm(), data).hexdigest()


def run_tool(arg):
    """
    Runs the tool.
    """
    subprocess.call("tool " + arg, shell=True)


class Jobs:
    """Jobs."""

    def start(self, name):
        run_tool(name)

    def label(self):
        return "job"


@app.route("/go")
def go():
    run_tool(request.args["tool"])
    Jobs().start(request.form["name"])
    return "ok"
`;

  /** Each edit applied to `text` alone; `quiet`: the edit may reuse every unit but the edited ones. */
  const cases = [
    ['trailing spaces after a statement', 'run_tool(name)\n', 'run_tool(name)   \n', true],
    ['spaces on a blank line between methods', '\n\n    def label', '\n    \n    def label', true],
    ['a blank line added inside a function', '    return "ok"', '\n    return "ok"', true],
    ['a docstring re-spaced', '    Runs the tool.', '    Runs   the tool.', true],
    ['spaces inside a source expression another unit quotes', 'request.args["tool"]', 'request.args[ "tool" ]', false],
    ['spaces inside a string that reaches a command', '"tool " + arg', '"tool  " + arg', false],
    ['spaces inside a string another unit uses', 'return "md5"', 'return "md 5"', false],
    ['a statement dedented out of a method', '    def start(self, name):\n        run_tool(name)', '    def start(self, name):\n        pass\n    run_tool(name)', false],
  ];
  for (const [label, from, to, quiet] of cases) {
    it(label, function () {
      assert.ok(text.includes(from));
      const session = engine.openDocument('tools.py', undefined, text);
      try {
        const edited = text.replace(from, to);
        session.update(edited);
        same(session, 'tools.py', edited, label);
        if (quiet) assert.ok(session.stats().analyzed <= 2, `${label}: ${JSON.stringify(session.stats())}`);
        session.update(text);
        same(session, 'tools.py', text, `${label}, undone`);
      } finally {
        session.dispose();
      }
    });
  }
});
