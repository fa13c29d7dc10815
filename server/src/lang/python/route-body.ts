import type { PNode as Node } from './tree';
import type { PyFile } from './front';
import { levelFromName, MUTATOR_NAME, type Guard, type Level, type Write } from '../../engine/route-types';

/**
 * What a Python handler's body says about access control: the checks that end the request for the wrong
 * user (`if not current_user.is_admin: abort(403)`, `raise PermissionDenied`, a redirect to the login page),
 * and the writes it makes (`.save()`, `.delete()`, `db.session.commit()`).
 */

/** Names in a condition that are about who the user is. */
const WHO = /(access|authoriz|can_|current_user|request\.user|g\.user|\buser\b|is_authenticated|is_anonymous|is_admin|is_staff|is_superuser|has_perm|has_role|\brole\b|session\[|session\.get|permission|logged_in|owner)/;
const ROLE = /(is_admin|is_staff|is_superuser|has_perm|has_role|\brole\b|admin|permission)/;
const DENIAL_EXCEPTIONS = /(PermissionDenied|Forbidden|Unauthorized|NotAuthenticated|NotAuthorized|AuthenticationFailed|HTTPForbidden|HTTPUnauthorized|AccessDenied)/;
const DENIAL_CALL = /(^|\.)(abort|login_required|redirect_to_login|unauthorized|forbidden|handle_no_permission|render_login|deny)$/;

/** Body checks of a function (only statements at its top level and in its top-level `if`s, bounded). */
export function bodyChecks(file: PyFile, fn: Node): Guard[] {
  const out: Guard[] = [];
  const body = fn.childForFieldName('body');
  if (!body) return out;
  let n = 0;
  for (const stmt of body.namedChildren) {
    if (!stmt || ++n > 60) break;
    if (stmt.type === 'if_statement') {
      const cond = stmt.childForFieldName('condition');
      const then = stmt.childForFieldName('consequence');
      if (!cond || !then || !WHO.test(cond.text)) continue;
      if (!endsRequest(file, then)) continue;
      const level = conditionLevel(cond.text);
      if (!level) continue;
      out.push({ name: cond.text.slice(0, 60), kind: 'body-check', level, text: cond.text, range: file.range(cond) });
    } else if (stmt.type === 'expression_statement') {
      // `require_login()`, `check_permission(request, "x")`, `self.check_object_permissions(request, obj)`
      const call = stmt.namedChildren[0]?.type === 'call' ? stmt.namedChildren[0] : stmt.namedChildren[0]?.type === 'await' ? stmt.namedChildren[0].namedChildren[0] : undefined;
      const callee = call?.type === 'call' ? call.childForFieldName('function') : undefined;
      if (!call || !callee) continue;
      const name = callee.text;
      if (/(^|[._])(require|check|ensure|verify|assert|authorize|authorise)_?(login|auth|user|admin|staff|permission|permissions|object_permissions|role|access|owner|superuser)/i.test(name)) {
        out.push({ name, kind: 'body-check', level: levelFromName(name, firstString(call)), text: call.text, range: file.range(call) });
      }
    }
  }
  return out;
}

/**
 * The level a denying condition grants: `not current_user.is_admin` → admin; an ownership test
 * (`item.owner_id != current_user.id`, also `not superuser and not owner`) → authenticated; a condition
 * that denies the role itself (`if current_user.is_superuser: raise ...`) grants nothing.
 */
function conditionLevel(cond: string): Level | undefined {
  if (OWNERSHIP.test(cond)) return 'authenticated';
  if (!ROLE.test(cond)) return 'authenticated';
  if (!/(^|\W)not\W|!=|is_anonymous|is None|== *False/.test(cond)) return undefined;
  return levelFromName(/superuser/.test(cond) ? 'superuser' : /staff/.test(cond) ? 'staff' : 'admin');
}

const OWNERSHIP = /(owner|user_id|author|created_by)\w*\s*(!=|==)|(!=|==)\s*[\w.]*(owner|user_id|author|created_by)/;

function firstString(call: Node): string | undefined {
  const a = call.childForFieldName('arguments')?.namedChildren.find((c) => c?.type === 'string');
  return a?.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('') || undefined;
}

/** The block ends the request: `abort(403)`, `raise PermissionDenied`, `return redirect(url_for('login'))`, `return ..., 401`. */
function endsRequest(file: PyFile, block: Node): boolean {
  let n = 0;
  for (const stmt of block.namedChildren) {
    if (!stmt || ++n > 20) break;
    if (stmt.type === 'raise_statement') {
      if (DENIAL_EXCEPTIONS.test(stmt.text) || /status_code\s*=\s*(401|403)|HTTPException\(\s*(401|403)/.test(stmt.text)) return true;
    } else if (stmt.type === 'return_statement') {
      const t = stmt.text;
      if (/login|signin|sign_in|auth/i.test(t) && /redirect/i.test(t)) return true;
      if (/\b(401|403)\b/.test(t) || /HttpResponseForbidden|HTTP_40[13]|Forbidden|Unauthorized|handle_no_permission|redirect_to_login/.test(t)) return true;
    } else if (stmt.type === 'expression_statement') {
      const call = stmt.namedChildren[0];
      if (call?.type === 'call') {
        const name = file.callName(call) ?? call.childForFieldName('function')?.text ?? '';
        if (DENIAL_CALL.test(name)) return true;
      }
    }
  }
  return false;
}

const WRITE_METHODS: Record<string, Write['verb']> = Object.assign(Object.create(null), {
  save: 'saves', delete: 'deletes', remove: 'deletes', destroy: 'deletes', bulk_create: 'creates', get_or_create: 'creates',
  update_or_create: 'updates', bulk_update: 'updates', insert_one: 'creates', insert_many: 'creates', update_one: 'updates',
  update_many: 'updates', delete_one: 'deletes', delete_many: 'deletes', replace_one: 'updates', find_one_and_update: 'updates',
  find_one_and_delete: 'deletes', commit: 'writes',
});

/** Writes in a function body: ORM saves and deletes, `Model.objects.create`, `db.session.add/commit`, `qs.update(...)`. */
export function writesOf(fn: Node): Write[] {
  return callFacts(fn).writes;
}

/** One call's write, if it is one. */
function writeOfCall(call: Node): Write | undefined {
  const f = call.childForFieldName('function');
  if (f?.type !== 'attribute') return undefined;
  const method = f.childForFieldName('attribute')?.text ?? '';
  const recv = f.childForFieldName('object');
  if (!recv) return undefined;
  let verb: Write['verb'] | undefined = WRITE_METHODS[method];
  if (!verb && method !== 'create' && method !== 'update' && method !== 'add' && method !== 'merge') return undefined;
  const recvText = recv.text;
  if (method === 'create' || method === 'update') {
    // `Invoice.objects.create(...)`, `qs.filter(...).update(...)`: not `dict.update()` or `hashlib...update()`
    if (/\bobjects\b|\.filter\(|\.exclude\(|\.query\b|_set\b/.test(recvText)) verb = method === 'create' ? 'creates' : 'updates';
  } else if (method === 'add' || method === 'merge') {
    if (/(^|\.)session$/.test(recvText)) verb = method === 'add' ? 'saves' : 'updates';
  } else if (method === 'delete' || method === 'remove') {
    // `cache.delete(key)`, `os.remove(path)`, `items.remove(x)`: not records
    if (/(cache|os|shutil|path|file|list|set|dict|items|keys|session\[)$/i.test(recvText) || /^(os|shutil)\b/.test(recvText)) verb = undefined;
  } else if (method === 'commit') {
    if (!/session|db|conn|connection|transaction/.test(recvText)) verb = undefined;
  }
  if (!verb) return undefined;
  // `db.session.delete(invoice)`: the record is the argument
  const arg = /session$/.test(recvText) ? call.childForFieldName('arguments')?.namedChildren[0] : undefined;
  const what = arg?.type === 'identifier' ? arg.text : recordName(recv, method);
  return { verb, what, line: call.startPosition.row };
}

export interface CallFacts {
  writes: Write[];
  /** Signs a user in (`authenticate`, `login`): a login handler. */
  signsIn: boolean;
  /** Checks a signature (`unsign`, `compare_digest`, `construct_event`): a signed link or webhook. */
  verifiesSignature: boolean;
  /** Calls something whose name says it changes things. */
  callsMutator: boolean;
  /** Creates an account (`create_user`, `register`). */
  createsAccount: boolean;
}

const factsMemo = new WeakMap<object, Map<number, CallFacts>>();

/** What a function's calls say, in one pass over them (memoized per file and function). */
export function callFacts(fn: Node): CallFacts {
  let memo = factsMemo.get(fn.tree);
  if (!memo) factsMemo.set(fn.tree, memo = new Map());
  const hit = memo.get(fn.id);
  if (hit) return hit;
  const out: CallFacts = { writes: [], signsIn: false, verifiesSignature: false, callsMutator: false, createsAccount: false };
  const body = fn.childForFieldName('body');
  let n = 0;
  for (const call of body?.descendantsOfType('call') ?? []) {
    if (!call || ++n > 400) break;
    const name = call.childForFieldName('function')?.text ?? '';
    const last = name.slice(name.lastIndexOf('.') + 1);
    if (/^(authenticate|login|auth_login|login_user|sign_in)$/.test(last)) out.signsIn = true;
    if (/(unsign|loads_signed|verify_signature|verify_webhook|compare_digest|construct_event|validate_signature|check_signature|verify_hmac)/.test(last)
      || /signing\.loads$/.test(name)) out.verifiesSignature = true;
    if (/^(create_user|register_user|signup|sign_up|register|create_account)$/.test(last)) out.createsAccount = true;
    if (MUTATOR_NAME.test(last)) {
      out.callsMutator = true;
      if (out.writes.length <= 20) { const w = writeOfCall(call); if (w) out.writes.push(w); }
    } else if (last === 'commit' && out.writes.length <= 20) {
      const w = writeOfCall(call);
      if (w) out.writes.push(w);
    }
  }
  memo.set(fn.id, out);
  return out;
}

/** `invoice` for `invoice.delete()`, `Invoice` for `Invoice.objects.filter(...).delete()`. */
function recordName(recv: Node, method: string): string | undefined {
  if (method === 'commit' || method === 'add') return undefined;
  let n: Node | null = recv;
  for (let i = 0; n && i < 8; i++) {
    if (n.type === 'identifier') return /^(self|db|session|cls)$/.test(n.text) ? undefined : n.text;
    if (n.type === 'call') {
      // `db.query(Item).filter(...)`: the model is the argument of `query`
      const f: Node | null = n.childForFieldName('function');
      const first = n.childForFieldName('arguments')?.namedChildren[0];
      if (f?.type === 'attribute' && f.childForFieldName('attribute')?.text === 'query' && first?.type === 'identifier') return first.text;
      n = f;
    }
    else if (n.type === 'attribute') {
      const obj: Node | null = n.childForFieldName('object');
      const attr = n.childForFieldName('attribute')?.text;
      if (attr === 'objects' || attr === 'query') return obj?.text;
      n = obj;
    } else return undefined;
  }
  return undefined;
}


