import type { PList, PrincipalList, PValue, Statement } from '../../lang/cloud/model';

/**
 * What the IAM rules know about actions: glob matching (`*`, `?`, case-insensitive, as IAM matches),
 * which action names write or manage permissions, and the action sets that escalate privileges.
 * A small curated table, not a catalogue of every AWS action: patterns are matched against it.
 */

/** Does an action pattern (`iam:Put*`, `*`) cover the action `service:Name`? */
export function actionMatches(pattern: string, action: string): boolean {
  const p = pattern.toLowerCase();
  const a = action.toLowerCase();
  if (p === '*' || p === '*:*') return true;
  if (!p.includes('*') && !p.includes('?')) return p === a;
  return globMatch(p, a);
}

/** Linear-time glob matching (`*` any run, `?` one character) by backtracking to the last star only. */
function globMatch(p: string, s: string): boolean {
  let i = 0, j = 0, star = -1, mark = 0;
  while (j < s.length) {
    if (i < p.length && (p[i] === '?' || p[i] === s[j])) { i++; j++; }
    else if (i < p.length && p[i] === '*') { star = i++; mark = j; }
    else if (star >= 0) { i = star + 1; j = ++mark; }
    else return false;
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}

export function isFullWildcard(v: string | undefined): boolean {
  return v === '*' || v === '*:*';
}

/** `s3:*`, `iam:*`: every action of one service. */
export function serviceWildcard(v: string | undefined): string | undefined {
  const m = v ? /^([a-z0-9-]+):\*$/i.exec(v) : null;
  return m ? m[1] : undefined;
}

export function known(list: PList | undefined): PValue[] {
  return list ? list.values.filter((v) => v.value !== undefined) : [];
}

/** `Resource: "*"` (a value that is exactly `*`). */
export function allResources(s: Statement): boolean {
  return known(s.resources).some((r) => r.value === '*');
}

/** Broad resources: `*`, `arn:...:role/*`, or an Allow with NotResource. */
export function broadResources(s: Statement): boolean {
  if (s.notResources) return true;
  return known(s.resources).some((r) => r.value === '*' || /[:/]\*$/.test(r.value!));
}

/** Verbs (the start of the action name) of actions that change something. */
const WRITE_VERBS = ['put', 'create', 'delete', 'update', 'attach', 'detach', 'pass', 'add', 'remove', 'set', 'modify',
  'run', 'start', 'stop', 'terminate', 'reboot', 'replace', 'associate', 'disassociate', 'enable', 'disable', 'import',
  'restore', 'upload', 'revoke', 'authorize', 'grant', 'change', 'reset', 'invoke', 'send', 'publish', 'write', 'copy',
  'register', 'deregister', 'execute', 'deploy', 'assume', 'tag', 'untag', 'retire', 'schedule', 'cancel', 'purge', 'rotate'];

/**
 * Writes that AWS only grants on `*` (no resource-level permissions), so `Resource: "*"` is the only
 * way to allow them, and the log writes every Lambda function's basic role makes on `*`.
 */
const BENIGN_ON_STAR = ['xray:puttracesegments', 'xray:puttelemetryrecords', 'cloudwatch:putmetricdata', 'ec2:createnetworkinterface',
  'ec2:deletenetworkinterface', 'ec2:assignprivateipaddresses', 'ec2:unassignprivateipaddresses', 'ssmmessages:createcontrolchannel',
  'ssmmessages:createdatachannel', 'ssmmessages:opencontrolchannel', 'ssmmessages:opendatachannel', 'ec2messages:sendreply',
  'ec2messages:acknowledgemessage', 'ec2messages:deletemessage', 'ec2messages:failmessage', 'ecr:getauthorizationtoken',
  'logs:createloggroup', 'logs:createlogstream', 'logs:putlogevents'];

/** Does this action (a name or a pattern like `s3:Put*`) write, or manage permissions? `*`-only writes do not count. */
export function writes(action: string): boolean {
  const lower = action.toLowerCase();
  if (BENIGN_ON_STAR.includes(lower)) return false;
  const colon = lower.indexOf(':');
  if (colon < 0) return false;
  const name = lower.slice(colon + 1);
  if (name === '*' || name === '') return false; // whole-service wildcards are iam-wildcard-action's
  return WRITE_VERBS.some((v) => name.startsWith(v) || (name.length < v.length && name.endsWith('*') && v.startsWith(name.slice(0, -1))));
}

/** Services whose writes change who may do what. */
export const PERMISSION_SERVICES = new Set(['iam', 'sts', 'organizations', 'kms', 'sso', 'identitystore', 'secretsmanager']);

/**
 * Privilege-escalation methods: each is a set of actions that together let a principal raise its
 * own permissions (documented by Rhino Security Labs and pathfinding.cloud). Every action of a set
 * must be allowed on broad resources by the same document.
 */
export const ESCALATIONS: { actions: string[]; how: string }[] = [
  { actions: ['iam:CreatePolicyVersion'], how: 'writes a new default version of a policy it is attached to' },
  { actions: ['iam:SetDefaultPolicyVersion'], how: 'switches a policy to an older, broader version' },
  { actions: ['iam:AttachUserPolicy'], how: 'attaches AdministratorAccess to a user' },
  { actions: ['iam:AttachGroupPolicy'], how: 'attaches AdministratorAccess to a group' },
  { actions: ['iam:AttachRolePolicy'], how: 'attaches AdministratorAccess to a role' },
  { actions: ['iam:PutUserPolicy'], how: 'writes an inline admin policy on a user' },
  { actions: ['iam:PutGroupPolicy'], how: 'writes an inline admin policy on a group' },
  { actions: ['iam:PutRolePolicy'], how: 'writes an inline admin policy on a role' },
  { actions: ['iam:UpdateAssumeRolePolicy'], how: 'lets itself assume any role' },
  { actions: ['iam:CreateAccessKey'], how: 'creates access keys for other users' },
  { actions: ['iam:CreateLoginProfile'], how: 'sets a console password for other users' },
  { actions: ['iam:UpdateLoginProfile'], how: 'changes other users\' console passwords' },
  { actions: ['iam:AddUserToGroup'], how: 'adds itself to a privileged group' },
  { actions: ['iam:PassRole', 'ec2:RunInstances'], how: 'starts an instance with a privileged role and uses its credentials' },
  { actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'], how: 'runs code as a privileged role in Lambda' },
  { actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'], how: 'runs code as a privileged role in Lambda' },
  { actions: ['lambda:UpdateFunctionCode'], how: 'replaces the code of a function that runs with a privileged role' },
  { actions: ['iam:PassRole', 'cloudformation:CreateStack'], how: 'creates a stack that runs as a privileged role' },
  { actions: ['iam:PassRole', 'glue:CreateDevEndpoint'], how: 'opens a Glue endpoint with a privileged role' },
  { actions: ['glue:UpdateDevEndpoint'], how: 'adds its SSH key to a Glue endpoint with a privileged role' },
  { actions: ['iam:PassRole', 'datapipeline:CreatePipeline'], how: 'runs a pipeline as a privileged role' },
  { actions: ['iam:PassRole', 'codebuild:CreateProject'], how: 'runs a build as a privileged role' },
  { actions: ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'], how: 'runs a task as a privileged role' },
  { actions: ['iam:PassRole', 'sagemaker:CreateNotebookInstance'], how: 'opens a notebook with a privileged role' },
];

/** The principal value that makes a statement public: `"*"`, `{"AWS": "*"}`, Terraform's `type = "*"`/`"AWS"` with `"*"`. */
export function publicPrincipal(list: PrincipalList): PValue | undefined {
  for (const p of list.principals) {
    if (p.value.value !== '*') continue;
    if (p.type === undefined || p.type === '*' || p.type === 'AWS') return p.value;
  }
  return undefined;
}

/** Does the statement allow writes, role assumption or everything (not only reads)? */
export function writesOrAssumes(s: Statement): boolean {
  return known(s.actions).some((a) => isFullWildcard(a.value) || serviceWildcard(a.value) !== undefined
    || /^sts:AssumeRole/i.test(a.value!) || writes(a.value!)) || !!s.notActions;
}
