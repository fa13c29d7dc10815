'use strict';
// The route inventory through the real interfaces: `secure-hints routes` as a process, and the
// `secureHints/routes` request over LSP.
const assert = require('assert');
const { run, project, remove } = require('./helpers/cli');
const { LspClient, uri } = require('./helpers/lsp-client');

const FILES = {
  'billing/views.py': [
    'from flask import Blueprint',
    'from flask_login import login_required',
    'from .models import db, Invoice',
    'bp = Blueprint("billing", __name__)',
    '',
    '@bp.get("/invoices")',
    '@login_required',
    'def invoices():',
    '    return "ok"',
    '',
    '@bp.post("/invoices")',
    '@login_required',
    'def create():',
    '    db.session.commit()',
    '',
    '@bp.put("/invoices/<int:id>")',
    '@login_required',
    'def update(id):',
    '    db.session.commit()',
    '',
    '@bp.delete("/invoices/<int:id>")',
    'def delete(id):',
    '    db.session.commit()',
    '',
  ].join('\n'),
  'app/api/items/[id]/route.ts': [
    "import { auth } from '@/auth';",
    "import { db } from '@/db';",
    'export async function GET(req: Request) {',
    '  const session = await auth();',
    "  if (!session) return new Response('no', { status: 401 });",
    '  return Response.json(await db.item.findMany());',
    '}',
    'export async function PUT(req: Request) {',
    '  const session = await auth();',
    "  if (!session) return new Response('no', { status: 401 });",
    '  return Response.json({});',
    '}',
    'export async function DELETE(req: Request) {',
    "  await db.item.deleteMany({ where: { done: true } });",
    '  return Response.json({});',
    '}',
    '',
  ].join('\n'),
  'app/notes/actions.ts': [
    "'use server';",
    "import { auth } from '@/auth';",
    "import { db } from '@/db';",
    'export async function createNote(text: string) {',
    '  const session = await auth();',
    "  if (!session?.user) throw new Error('Unauthorized');",
    '  await db.note.create({ data: { text, userId: session.user.id } });',
    '}',
    'export async function deleteNote(id: string) {',
    '  const session = await auth();',
    "  if (!session?.user) throw new Error('Unauthorized');",
    '  await db.note.deleteMany({ where: { id, userId: session.user.id } });',
    '}',
    'export async function purgeNotes() {',
    '  await db.note.deleteMany({});',
    '}',
    '',
  ].join('\n'),
  'pages/api/health.ts': 'export default function handler(req, res) { res.json({ ok: true }); }\n',
  'lib/util.py': 'def f():\n    return 1\n',
};

describe('secure-hints routes', function () {
  this.timeout(300000);
  let dir;
  before(() => { dir = project(FILES); });
  after(() => remove(dir));

  it('lists every route with methods, level and handler line, and marks the questioned ones', function () {
    const r = run(['routes', '.'], { cwd: dir });
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    const lines = r.stdout.split('\n');
    const del = lines.find((l) => /DELETE\s+\/invoices\/<int:id>/.test(l));
    assert.ok(del && del.startsWith('!'), r.stdout);
    assert.match(del, /public\s+delete \(line 22, flask, billing\)/);
    assert.match(r.stdout, /missing-authorization: 3 of the 4 routes in `billing` require `login_required`/);
    assert.match(lines.find((l) => /GET\s+\/invoices\s/.test(l)), /^ .*authenticated.*\[decorator:login_required\]/);
    // Next.js route handlers: the path comes from the file's place under app/; body checks are guards
    assert.match(r.stdout, /PUT\s+\/api\/items\/\[id\]\s+authenticated/);
    assert.match(r.stdout, /! DELETE\s+\/api\/items\/\[id\]\s+public/);
    assert.match(r.stdout, /2 of the 3 routes in `\/api\/items\/\[id\]` check `!session` in the handler/);
    // server actions: POST, one route per exported async function
    assert.match(r.stdout, /! POST\s+-\s+public\s+purgeNotes \(line 14, nextjs, actions\.ts\)/);
    assert.match(r.stdout, /\*\s+\/api\/health\s+public \(`health` endpoint\)/);
    assert.match(r.stdout, /11 routes in 4 files \(\d+ scanned\); 3 questioned/);
  });

  it('prints JSON with the same inventory', function () {
    const r = run(['routes', '--format', 'json'], { cwd: dir });
    assert.strictEqual(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const del = out.routes.find((x) => x.path === '/invoices/<int:id>' && x.methods[0] === 'DELETE');
    assert.strictEqual(del.file, 'billing/views.py');
    assert.strictEqual(del.line, 22);
    assert.strictEqual(del.level, 'public');
    assert.deepStrictEqual(del.questions.map((q) => q.ruleId), ['missing-authorization']);
    const get = out.routes.find((x) => x.handler === 'GET');
    assert.deepStrictEqual(get.guards.map((g) => g.kind), ['body-check']);
  });

  it('reads guard names from .securehints.json (authGuards)', function () {
    const d = project({
      '.securehints.json': JSON.stringify({ authGuards: ['tenant_member'] }),
      'views.py': 'from flask import Flask\nfrom .perm import tenant_member\napp = Flask(__name__)\n\n@app.post("/x")\n@tenant_member\ndef x():\n    return "ok"\n',
    });
    try {
      const r = run(['routes', '--format=json'], { cwd: d });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(JSON.parse(r.stdout).routes[0].guards.map((g) => g.name), ['tenant_member']);
    } finally {
      remove(d);
    }
  });

  it('rejects unknown options and formats with exit code 2', function () {
    assert.strictEqual(run(['routes', '--format', 'sarif'], { cwd: dir }).status, 2);
    assert.strictEqual(run(['routes', '--nope'], { cwd: dir }).status, 2);
  });
});

describe('secureHints/routes over LSP', function () {
  this.timeout(300000);
  let dir;
  let client;
  before(async () => {
    dir = project(FILES);
    client = new LspClient({ workspaceFolder: dir });
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
    remove(dir);
  });

  it('answers with the workspace routes, their file URIs, ranges, levels and questions', async function () {
    const result = await client.request('secureHints/routes', { folders: [uri(dir)] });
    assert.strictEqual(result.routes.length, 11);
    const del = result.routes.find((r) => r.handler === 'delete');
    assert.ok(del.uri.endsWith('/billing/views.py'), del.uri);
    assert.strictEqual(del.range.start.line, 21);
    assert.strictEqual(del.level, 'public');
    assert.strictEqual(del.questions[0].ruleId, 'missing-authorization');
    const put = result.routes.find((r) => r.handler === 'PUT');
    assert.strictEqual(put.level, 'authenticated');
    assert.strictEqual(put.path, '/api/items/[id]');
  });
});
