'use strict';
// Server-side templates joined with the render calls that fill them (issue 13, item 1), through the real CLI:
// Flask, Django, aiohttp and Express projects. Request data behind a raw output is an error at the template
// line, a value of unknown origin a warning, a constant or an escaped value nothing.
const assert = require('assert');
const { run, project, remove } = require('./helpers/cli');

function scan(dir) {
  const r = run(['scan', dir, '--format', 'json', '--fail-on', 'none']);
  assert.strictEqual(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).findings.filter((f) => f.ruleId === 'template-unescaped-output');
}

/** `path:line severity` of each finding, sorted. */
const brief = (findings) => findings.map((f) => `${f.path.split('/').pop()}:${f.line} ${f.severity}`).sort();

describe('templates linked to their render calls (CLI)', function () {
  this.timeout(120000);
  let dir;
  before(() => {
    dir = project({
      'flaskapp/app.py': `from flask import Flask, request, render_template
from markupsafe import Markup, escape

app = Flask(__name__)


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    return render_template("hello.html", name=name, title="Hi", bio=escape(name), motd=Markup(name), other=load())


@app.route("/about")
def about():
    return render_template("about.html", name="About us", extra={"a": 1})


def load():
    return open("motd.txt").read()
`,
      'flaskapp/templates/hello.html': `<h1>{{ title|safe }}</h1>
<p>{{ name|safe }}</p>
<p>{{ name|safe|e }}</p>
<p>{{ bio|safe }}</p>
<p>{{ motd }}</p>
<p>{{ other|safe }}</p>
<p>{{ name }}</p>
`,
      'flaskapp/templates/about.html': `<h1>{{ name|safe }}</h1>
`,
      'flaskapp/tests/test_views.py': `from flask import render_template, request


def test_about():
    render_template("about.html", name=request.args["x"])
`,
      'mysite/polls/views.py': `from django.shortcuts import render


def detail(request):
    context = {"q": "static"}
    context["q"] = request.GET.get("q")
    context["page"] = 3
    return render(request, "polls/detail.html", context)
`,
      'mysite/polls/templates/polls/detail.html': `{% autoescape off %}<p>{{ q }}</p>{% endautoescape %}
<p>{{ page|safe }}</p>
`,
      'shop/app.js': `const express = require('express');
const path = require('path');
const app = express();
app.set('views', path.join(__dirname, 'pages'));
app.set('view engine', 'pug');
app.get('/item', (req, res) => {
  res.render('item', { label: req.query.label, footer: 'static', note: lookup(req) });
});
`,
      'shop/pages/item.pug': `h1!= label
footer!= footer
p!= note
p= label
`,
      'blog/server.js': `const express = require('express');
const app = express();
app.set('view engine', 'ejs');
app.get('/', (req, res) => {
  res.render('index', { q: req.query.q, t: 'x', safe: escape(req.query.q) });
});
`,
      'blog/views/index.ejs': `<%- include('header') %>
<p><%- q %></p>
<p><%= q %></p>
<p><%- t %></p>
<p><%- safe %></p>
`,
      'blog/views/alone.ejs': `<p><%- whatever %></p>
`,
    });
  });
  after(() => remove(dir));

  it('reports raw outputs by the evidence of the render calls', function () {
    const findings = scan(dir);
    assert.deepStrictEqual(brief(findings), [
      // about.html: the only render call passes a constant (the test's request data does not count); quiet
      'detail.html:1 error', // autoescape off, `q` from request.GET through the context dict held in a variable
      'hello.html:2 error', // `name` from request.args
      'hello.html:5 error', // escaped output of a Markup(...) value built from request data
      'hello.html:6 warning', // `other` of unknown origin
      'index.ejs:2 error',
      'item.pug:1 error', // views folder from app.set('views'), extension from the view engine
      'item.pug:3 warning',
      'alone.ejs:1 warning', // no render call known
    ].sort());
    const hello = findings.find((f) => f.path.endsWith('hello.html') && f.line === 2);
    assert.match(hello.message, /render_template\("hello.html"/);
    assert.match(hello.message, /app\.py:10/);
    const detail = findings.find((f) => f.path.endsWith('detail.html'));
    assert.match(detail.message, /views\.py:8/);
    const alone = findings.find((f) => f.path.endsWith('alone.ejs'));
    assert.strictEqual(alone.confidence, 'low');
  });

  it('gives the data path of the code file in SARIF', function () {
    const r = run(['scan', dir, '--format', 'sarif', '--fail-on', 'none']);
    const results = JSON.parse(r.stdout).runs[0].results.filter((x) => x.ruleId === 'template-unescaped-output' && x.level === 'error');
    const hello = results.find((x) => x.locations[0].physicalLocation.artifactLocation.uri.endsWith('hello.html'));
    const steps = hello.properties.dataPath;
    assert.ok(steps.length >= 2, JSON.stringify(steps));
    assert.ok(steps[0].file.endsWith('app.py'));
    assert.match(steps[steps.length - 1].description, /render_template/);
  });
});

describe('templates in the editor (LSP)', function () {
  this.timeout(120000);
  const path = require('path');
  const { withLanguageServer } = require('./helpers/lsp-client');
  const lsp = withLanguageServer();

  it('a template opened alone gets a warning; once the code that renders it is analyzed, an error', async function () {
    const template = path.join(lsp.dir, 'templates', 'hello.html');
    const text = '<p>{{ name|safe }}</p>\n<p>{{ title|safe }}</p>\n';
    await lsp.client.open(template, text, 'jinja-html');
    const alone = await lsp.client.waitForDiagnostics(template, (p) => p.diagnostics.length > 0);
    assert.deepStrictEqual(alone.diagnostics.map((d) => [d.code, d.range.start.line, d.severity]), [
      ['template-unescaped-output', 0, 2], ['template-unescaped-output', 1, 2],
    ]);
    const app = path.join(lsp.dir, 'app.py');
    await lsp.client.open(app, [
      'from flask import Flask, request, render_template',
      'app = Flask(__name__)',
      '@app.route("/")',
      'def index():',
      '    return render_template("hello.html", name=request.args["n"], title="Hello")',
      '',
    ].join('\n'), 'python');
    const joined = await lsp.client.waitForDiagnostics(template, (p) => p.diagnostics.some((d) => d.severity === 1));
    assert.deepStrictEqual(joined.diagnostics.map((d) => [d.code, d.range.start.line, d.severity]), [['template-unescaped-output', 0, 1]]);
    assert.match(joined.diagnostics[0].message, /app\.py:5/);
  });
});
