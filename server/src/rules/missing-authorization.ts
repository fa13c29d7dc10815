import ts from 'typescript';
import { defineRule } from '../engine/rule-types';
import type { Report } from '../engine/rule';
import { OWASP, type Fix } from '../engine/types';
import { changesState, levelRank, levelText, type Guard, type Route } from '../engine/route-types';
import { isTestCode } from './support/auth';

/**
 * A state-changing route with no guard, or with a lower level than most of its siblings (same blueprint,
 * router, controller or views module): "5 of the 6 routes in `billing` require `login_required`; this one
 * deletes invoices without it". The route model comes from the language fronts; this rule only compares.
 */
export default defineRule({
  meta: {
    id: 'missing-authorization',
    title: 'Route without the authorization its siblings have',
    description: 'A route that changes data lacks the login or role check that the routes beside it require: anyone who finds the URL can call it.',
    cwe: ['CWE-862'],
    owasp: OWASP.A01,
    severity: 'warning',
    confidence: 'medium',
    securitySeverity: 7.5,
    languages: ['python', 'javascript'],
  },
  python: {
    module: (_node, ctx) => check(ctx.file.path, ctx.file.routes(), ctx.report),
  },
  javascript: {
    [ts.SyntaxKind.SourceFile]: (_node: ts.SourceFile, ctx) => check(ctx.file.path, ctx.file.routes(), ctx.report),
  },
});

type ReportFn = (r: Report) => void;

/** Siblings needed before a route's lack of a guard is evidence, and the share of them that must have it. */
const MIN_GUARDED = 2;
const MAJORITY = 0.6;

function check(path: string, routes: Route[], report: ReportFn): void {
  if (routes.length < 3 || isTestCode(path)) return;
  const groups = new Map<string, Route[]>();
  for (const r of routes) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  for (const [group, members] of groups) {
    // routes public on purpose (login, webhooks, health checks) are not the group's norm
    const comparable = members.filter((r) => !r.publicByDesign);
    if (comparable.length < MIN_GUARDED + 1) continue;
    for (const r of comparable) {
      if (!changesState(r) || r.guards.some((g) => g.kind === 'global')) continue;
      const siblings = comparable.filter((s) => s !== r);
      const higher = siblings.filter((s) => levelRank(s.level) > levelRank(r.level));
      if (higher.length < MIN_GUARDED || higher.length / siblings.length < MAJORITY) continue;
      const guard = commonGuard(higher, r);
      if (!guard) continue;
      const holders = comparable.filter((s) => s.guards.some((g) => g.name === guard.name)).length;
      const what = r.writes.length ? describeWrite(r) : `accepts ${r.methods.filter((m) => m !== 'GET').join('/') || 'requests'}`;
      const lacking = r.level === 'public' ? 'without it' : `with only ${levelText(r.level)} access`;
      const need = typeof guard.level === 'string' ? '' : ` (${levelText(guard.level)})`;
      report({
        range: r.nameRange,
        message: `${holders} of the ${comparable.length} routes in \`${group}\` ${guard.kind === 'body-check' ? `check \`${guard.name}\` in the handler` : `require \`${guard.name}\``}${need}; this one (${r.methods.join('/')} ${r.path || r.handler}) ${what} ${lacking}. `
          + 'Add the guard its siblings use, or mark the route public on purpose.',
        fixes: fixFor(r, guard),
      });
    }
  }
}

/** The guard most of the better-protected siblings carry (kinds a fix can copy first). */
function commonGuard(higher: Route[], route: Route): Guard | undefined {
  const counts = new Map<string, { guard: Guard; n: number }>();
  for (const s of higher) {
    const seen = new Set<string>();
    for (const g of s.guards) {
      if (g.kind === 'global' || seen.has(g.name) || levelRank(g.level) <= levelRank(route.level)) continue;
      seen.add(g.name);
      const c = counts.get(g.name) ?? { guard: g, n: 0 };
      c.n++;
      counts.set(g.name, c);
    }
  }
  let best: { guard: Guard; n: number } | undefined;
  for (const c of counts.values()) {
    const insertable = route.insertion?.accepts === c.guard.kind;
    const bestInsertable = best && route.insertion?.accepts === best.guard.kind;
    if (!best || c.n > best.n || (c.n === best.n && insertable && !bestInsertable)) best = c;
  }
  return best?.guard;
}

function describeWrite(r: Route): string {
  const w = r.writes.find((x) => x.what && x.verb !== 'writes') ?? r.writes[0];
  return w.what ? `${w.verb} \`${w.what}\`` : `${w.verb} to the database`;
}

function fixFor(r: Route, guard: Guard): Fix[] {
  const ins = r.insertion;
  if (!ins || ins.accepts !== guard.kind || !guard.text || /\n/.test(guard.text)) return [];
  return [{
    title: `Add \`${guard.text}\` like the sibling routes (review: is this route meant to be public?)`,
    edits: [{ range: { start: ins.at, end: ins.at }, newText: `${ins.before}${guard.text}${ins.after}` }],
    preferred: true,
  }];
}
