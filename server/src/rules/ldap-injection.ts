import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type PyContext } from '../engine/rule-types';
import { describeSource } from '../engine/rule';
import { OWASP } from '../engine/types';
import { dynamicParts, importName, isBuiltString, methodName, pieces, receiverOrigin, sinkValue, wrapEdits } from './support/python-sinks';

export default defineRule({
  meta: {
    id: 'ldap-injection',
    title: 'LDAP filter built from untrusted input',
    description: 'Characters like *, ( and ) in a value change the meaning of an LDAP filter: an attacker can match every user or bypass a login check. Escape values with escape_filter_chars.',
    cwe: ['CWE-90'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 8.1,
    languages: ['python'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
});

// ---- Python ----

const PYTHON_LDAP_SEARCH = new Set(['search', 'search_s', 'search_st', 'search_ext', 'search_ext_s']);

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  if (file.callName(node)) return; // re.search and friends are qualified names; LDAP searches are methods
  const m = methodName(node);
  if (!m) return;
  // the method and the imports first: the receiver's origin asks the data flow
  const ldap3 = (m === 'search' || m === 'paged_search') && file.importsModule('ldap3');
  const ldap = PYTHON_LDAP_SEARCH.has(m) && file.importsModule('ldap');
  if (!ldap3 && !ldap) return;
  const origin = receiverOrigin(file, node);
  let filter: Node | undefined;
  let escaper: [string, string];
  // ldap3: Connection.search(search_base, search_filter) and conn.extend.standard.paged_search(same)
  if (ldap3 && (!origin || origin.startsWith('ldap3.'))) {
    filter = file.argument(node, 1, 'search_filter');
    escaper = ['ldap3.utils.conv', 'escape_filter_chars'];
  } else if (ldap && (origin ? origin.startsWith('ldap.') : m !== 'search')) {
    filter = file.argument(node, 2, 'filterstr');
    escaper = ['ldap.filter', 'escape_filter_chars'];
  } else return;
  if (!filter) return;
  const { value, ev } = sinkValue(file, filter, 'ldap');
  // a filter of unknown origin is reported only when it is assembled right here
  if (ev === 'safe' || (ev === 'unknown' && !pieces(file, filter) && !isBuiltString(value))) return;
  const parts = pieces(file, filter) ? dynamicParts(file, filter, 'ldap') : [];
  const esc = importName(file, escaper[0], escaper[1]);
  ctx.report({
    range: file.range(node),
    message: ev === 'tainted'
      ? `${describeSource(value)} is inserted into an LDAP filter unescaped: "*" or ")(" in it changes which entries match.`
      : 'An LDAP filter is assembled from values of unknown origin without escaping: "*" or ")(" in them changes which entries match.',
    value,
    fixes: parts.length ? [{ title: 'Escape the values with escape_filter_chars', edits: [...esc.edits, ...wrapEdits(file, parts, esc.local)], preferred: true, safe: true }] : [],
  });
}
