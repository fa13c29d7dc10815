'use strict';
// The Routes view (issue 12): the workspace's web routes with their protection level, the routes the
// access-control rules question marked, and the handler opened from the view.
const assert = require('node:assert');
const vscode = require('vscode');
const h = require('./helpers');

const BILLING = [
  'from flask import Blueprint',
  'from flask_login import login_required, current_user',
  'from .models import db, Invoice',
  '',
  'billing = Blueprint("billing", __name__, url_prefix="/billing")',
  '',
  '@billing.route("/invoices/new", methods=["POST"])',
  '@login_required',
  'def create_invoice():',
  '    db.session.add(Invoice(user_id=current_user.id))',
  '    db.session.commit()',
  '    return "created", 201',
  '',
  '@billing.route("/invoices/<int:invoice_id>/pay", methods=["POST"])',
  '@login_required',
  'def pay_invoice(invoice_id):',
  '    invoice = current_user.invoices.filter_by(id=invoice_id).first_or_404()',
  '    invoice.paid = True',
  '    db.session.commit()',
  '    return "paid"',
  '',
  '@billing.route("/invoices/<int:invoice_id>/delete", methods=["POST"])',
  'def delete_invoice(invoice_id):',
  '    Invoice.query.filter_by(id=invoice_id).delete()',
  '    db.session.commit()',
  '    return "deleted"',
  '',
].join('\n');

describe('routes view', () => {
  before(() => h.activate());

  it('Show Routes lists the workspace\'s routes with their level and marks the unguarded one', async () => {
    const uri = h.writeFile('routes-app/billing.py', BILLING);
    const routes = await vscode.commands.executeCommand('secureHints.showRoutes');
    assert.ok(Array.isArray(routes), 'the command returns the inventory it shows');
    const mine = routes.filter((r) => vscode.Uri.parse(r.uri).fsPath === uri.fsPath);
    h.log(`routes in billing.py: ${mine.map((r) => `${r.methods.join(',')} ${r.path} ${r.level}${r.questions.length ? ' (questioned)' : ''}`).join('; ')}`);
    assert.strictEqual(mine.length, 3, JSON.stringify(mine.map((r) => r.path)));
    const byHandler = Object.fromEntries(mine.map((r) => [r.handler, r]));
    assert.strictEqual(byHandler.create_invoice.level, 'authenticated');
    assert.strictEqual(byHandler.pay_invoice.level, 'authenticated');
    assert.strictEqual(byHandler.delete_invoice.level, 'public');
    assert.deepStrictEqual(byHandler.delete_invoice.questions.map((q) => q.ruleId), ['missing-authorization']);
    assert.strictEqual(byHandler.create_invoice.questions.length, 0);
  });
});
