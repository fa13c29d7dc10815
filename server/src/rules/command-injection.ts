import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
// Python helpers
import type { Fix, TextEdit } from '../engine/types';
import { describeSource, evidence } from '../engine/rule';
import { elementOf, fromLocalUser, importModule, isContainer, isTextPiece, isTrueKeyword, pieces, pyQuote, sinkValue } from './support/python-sinks';
// JavaScript helpers
import type { Value } from '../engine/types';
import { isDevTooling } from './support/auth';
import { describeSource as jsDescribeSource } from '../engine/rule';
import { propertyOf, skipOuter } from '../lang/javascript/front';
import { escapeTemplate, segmentsOf } from '../lang/javascript/parameterize';

export default defineRule({
  meta: {
    id: 'command-injection',
    title: 'OS command built from strings',
    description: "A shell command assembled from non-constant parts lets an attacker run their own commands. Pass an argument list without a shell.",
    cwe: ['CWE-78'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 9.8,
    languages: ['python', 'javascript'],
  },
  python: {
    call: (node, ctx) => pythonCall(node, ctx),
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => javascriptCall(node, ctx),
  },
});

// ---- Python ----

/** Calls that always run their command through a shell: name -> keyword of the command argument. */
const PY_SHELL_ALWAYS: Record<string, string> = {
  'os.system': 'command', 'os.popen': 'cmd', 'commands.getoutput': 'cmd', 'commands.getstatusoutput': 'cmd',
  'subprocess.getoutput': 'cmd', 'subprocess.getstatusoutput': 'cmd', 'asyncio.create_subprocess_shell': 'cmd',
};
const PY_SHELL_BUILTINS = new Set(['cd', 'exit', 'export', 'source', '.', 'alias', 'set', 'unset', 'ulimit', 'umask', 'eval', 'exec', 'read', 'shift', 'trap', 'wait', 'type', 'hash', 'local', 'return', 'builtin', 'command', 'jobs', 'fg', 'bg', 'history', 'times', 'getopts']);
/** Calls that use a shell only with `shell=True`. */
const PY_SHELL_OPTIONAL = new Set(['subprocess.run', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.Popen']);

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  if (!name) return;
  let cmd: Node | undefined;
  let shell: boolean;
  if (name in PY_SHELL_ALWAYS) { cmd = file.argument(node, 0, PY_SHELL_ALWAYS[name]); shell = true; }
  else if (PY_SHELL_OPTIONAL.has(name)) { cmd = file.argument(node, 0, 'args'); shell = isTrueKeyword(file, node, 'shell'); }
  else if (name === 'pty.spawn') { cmd = file.argument(node, 0, 'argv'); shell = false; }
  else return;
  if (!cmd) return;
  // With an argument list only element 0 (the program, or the shell script with shell=True) is parsed.
  let target: Node | undefined = cmd;
  // [sys.executable] + args: the list literal on the left holds the program
  let list: Node | null = cmd;
  while (list?.type === 'binary_operator' && list.childForFieldName('operator')?.text === '+') list = list.childForFieldName('left');
  if (list && (list.type === 'list' || list.type === 'tuple')) target = list.namedChildren.find((c) => c?.type !== 'comment') ?? undefined;
  if (!target || target.type === 'list_splat') return;
  let { value, ev } = sinkValue(file, target, 'command');
  if (target === cmd && !pieces(file, cmd) && isContainer(value)) {
    // a name holding an argument list: only its first element is parsed (the program, or the script)
    const first = elementOf(value, '0');
    if (!first) return;
    value = first;
    ev = evidence(first, 'command');
    target = undefined;
  }
  // without a shell only the program matters: one named on our own command line (sys.argv) is the user's choice
  if (ev === 'safe' || (!shell && (ev !== 'tainted' || fromLocalUser(value)))) return;
  // build tooling builds commands from its own repository's files and settings: only request-like data counts there
  if (ev !== 'tainted' && isDevTooling(file.path)) return;
  const message = !shell
    ? `${describeSource(value)} chooses the program this call runs.`
    : ev === 'tainted'
      ? `${describeSource(value)} reaches a shell command: shell metacharacters in it run as commands. Pass an argument list without a shell.`
      : 'A shell command is built from a value of unknown origin: if it can contain shell metacharacters, they run as commands. Pass an argument list without a shell.';
  ctx.report({ range: file.range(node), message, value, fixes: shell && target === cmd ? pythonArgvFix(node, cmd, name, ctx) : [] });
}

/** Splits a shell command built at the call into words, like `sh` would; undefined when shell syntax is in play. */
function pythonShellWords(ctx: PyContext, cmd: Node): { words: string[]; shlex: boolean } | undefined {
  const file = ctx.file;
  const ps = pieces(file, cmd);
  if (!ps) return undefined;
  const words: (string | Node)[][] = [];
  const splits: Node[] = [];
  let cur: (string | Node)[] = [];
  let started = false;
  let quote: string | undefined;
  const end = () => { if (started) words.push(cur); cur = []; started = false; };
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i];
    if (!isTextPiece(p)) {
      const v = file.valueOf(p.node);
      const known = v.kind === 'constant' ? v.value : undefined;
      if (known !== undefined && /\s/.test(known.trim()) && !quote) {
        // a constant like CMD = "git log": split at run time, only at word boundaries
        const next = ps[i + 1];
        if (started || (next && isTextPiece(next) && !/^\s/.test(next.text))) return undefined;
        if (/[|&;<>()$`\\*?[\]~'"]/.test(known)) return undefined;
        words.push([p.node]); splits.push(p.node);
        continue;
      }
      if (p.format && p.format !== 'd') return undefined;
      cur.push(p.node); started = true;
      continue;
    }
    for (const ch of p.text) {
      if (quote === "'") { if (ch === "'") quote = undefined; else cur.push(ch); continue; }
      if (quote === '"') {
        if (ch === '"') quote = undefined;
        else if ('$`\\'.includes(ch)) return undefined;
        else cur.push(ch);
        continue;
      }
      if (/\s/.test(ch)) { end(); continue; }
      if (ch === "'" || ch === '"') { quote = ch; started = true; continue; }
      if ('|&;<>()$`\\*?[]{}~!'.includes(ch) || (ch === '#' && !started)) return undefined;
      cur.push(ch); started = true;
    }
  }
  if (quote) return undefined;
  end();
  if (words.length === 0) return undefined;
  // a shell builtin has no program to run without the shell
  const first = words[0];
  if (first.every((x) => typeof x === 'string') && PY_SHELL_BUILTINS.has(first.join(''))) return undefined;
  const out: string[] = [];
  for (const w of words) {
    if (w.length === 1 && typeof w[0] !== 'string' && splits.includes(w[0])) { out.push(`*${'\u0000'}(${w[0].text})`); continue; }
    const t = pythonWordText(ctx, w);
    if (t === undefined) return undefined;
    out.push(t);
  }
  return { words: out, shlex: splits.length > 0 };
}

/** One argv element: a literal, the value itself, or an f-string joining both. */
function pythonWordText(ctx: PyContext, w: (string | Node)[]): string | undefined {
  const exprText = (n: Node): string => {
    // shlex.quote was there for the shell; without one it would add literal quotes
    if (n.type === 'call' && ['shlex.quote', 'pipes.quote'].includes(ctx.file.callName(n) ?? '')) {
      const a = ctx.file.argument(n, 0);
      if (a) return a.text;
    }
    return n.text;
  };
  if (w.every((x) => typeof x === 'string')) return pyQuote(w.join(''));
  if (w.length === 1) {
    const n = w[0] as Node;
    const t = exprText(n);
    const v = ctx.file.valueOf(n);
    const isStr = (n.type === 'call' && ctx.file.callName(n) === 'shlex.quote') || (v.kind === 'constant' && v.value !== undefined && !/^-?\d/.test(v.value)) ||
      n.type === 'string' || (n.parent?.type === 'binary_operator' && n.parent.childForFieldName('operator')?.text === '+');
    return isStr ? t : `str(${t})`;
  }
  const exprs = w.filter((x): x is Node => typeof x !== 'string').map(exprText);
  const all = exprs.join('');
  if (all.includes('\n') || (all.includes('"') && all.includes("'"))) return undefined;
  const q = all.includes('"') ? "'" : '"';
  let body = '';
  let k = 0;
  for (const x of w) {
    if (typeof x !== 'string') { body += `{${exprs[k++]}}`; continue; }
    if (x === '{' || x === '}') body += x + x;
    else if (x === q || x === '\\') body += '\\' + x;
    else body += pyQuote(x).slice(1, -1);
  }
  return `f${q}${body}${q}`;
}

function pythonArgvFix(node: Node, cmd: Node, name: string, ctx: PyContext): Fix[] {
  const file = ctx.file;
  const split = pythonShellWords(ctx, cmd);
  if (!split) return [];
  const edits: TextEdit[] = [];
  const sub = importModule(file, 'subprocess');
  let shlexLocal = '';
  if (split.shlex) {
    const s = importModule(file, 'shlex');
    shlexLocal = s.local;
    edits.push(...s.edits);
  }
  const argv = `[${split.words.map((w) => w.replace(/^\*\u0000\((.*)\)$/s, `*${shlexLocal}.split($1)`)).join(', ')}]`;
  if (name === 'os.system') {
    const statement = node.parent?.type === 'expression_statement';
    edits.push(...sub.edits, { range: file.range(node), newText: `${sub.local}.${statement ? 'run' : 'call'}(${argv})` });
    return [{ title: `Run the command as an argument list with subprocess.${statement ? 'run' : 'call'}`, edits, preferred: true, safe: statement }];
  }
  if (name === 'os.popen') {
    // os.popen(cmd).read() -> subprocess.run([...], stdout=PIPE, text=True).stdout
    const attr = node.parent;
    const read = attr?.parent;
    if (file.argument(node, 1) || attr?.type !== 'attribute' || attr.childForFieldName('attribute')?.text !== 'read' ||
        read?.type !== 'call' || (read.childForFieldName('arguments')?.namedChildren.length ?? 0) > 0) return [];
    edits.push(...sub.edits, { range: file.range(read), newText: `${sub.local}.run(${argv}, stdout=${sub.local}.PIPE, text=True).stdout` });
    return [{ title: 'Run the command as an argument list with subprocess.run', edits, preferred: true, safe: true }];
  }
  if (!PY_SHELL_OPTIONAL.has(name)) return [];
  const kw = file.keywordArgument(node, 'shell')?.parent;
  if (!kw) return [];
  const prev = kw.previousNamedSibling;
  const removal = prev
    ? { start: file.range(prev).end, end: file.range(kw).end }
    : { start: file.range(kw).start, end: kw.nextNamedSibling ? file.range(kw.nextNamedSibling).start : file.range(kw).end };
  edits.push({ range: file.range(cmd), newText: argv }, { range: removal, newText: '' });
  return [{ title: 'Pass an argument list and drop shell=True', edits, preferred: true, safe: true }];
}

// ---- JavaScript / TypeScript ----

/** child_process functions that always use a shell. */
const JS_SHELL_ALWAYS = new Set(['child_process.exec', 'child_process.execSync', 'shelljs.exec', 'execa.execaCommand',
  'execa.execaCommandSync', 'execa.commandSync', 'execa.command']);
/** Functions that take a program and an argument list, and use a shell only with `shell: true`. */
const JS_SHELL_OPTION = new Set(['child_process.spawn', 'child_process.spawnSync', 'child_process.execFile',
  'child_process.execFileSync', 'cross-spawn', 'cross-spawn.sync', 'execa', 'execa.execa', 'execa.execaSync', 'child_process.fork']);
const JS_SHELLS = /^(?:.*\/)?(?:sh|bash|zsh|dash|ksh|cmd|cmd\.exe|powershell|powershell\.exe|pwsh)$/;

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const file = ctx.file;
  const name = file.resolvedCallName(node);
  if (!name) return;
  const cmd = node.arguments[0];
  if (!cmd || ts.isSpreadElement(cmd)) return;
  if (JS_SHELL_ALWAYS.has(name)) {
    const reached = file.sinkValue(cmd, 'command');
    if (!reached || untaintedInTooling(reached, file.path)) return;
    ctx.report({
      range: file.range(cmd),
      message: reached.kind === 'tainted'
        ? `${jsDescribeSource(reached)} reaches a shell command. Run the program with an argument list (execFile) instead.`
        : 'A shell command is built from a value of unknown origin. Run the program with an argument list (execFile) instead.',
      value: reached,
      fixes: name === 'child_process.exec' || name === 'child_process.execSync' ? jsExecFileFix(node, name, ctx) : [],
    });
    return;
  }
  if (!JS_SHELL_OPTION.has(name)) return;
  // options follow the argument list, or the program when the list is left out
  const second = node.arguments[1] && skipOuter(node.arguments[1] as ts.Expression);
  const opts = second && ts.isObjectLiteralExpression(second) ? second : node.arguments[2];
  const shell = opts ? propertyOf(skipOuter(opts as ts.Expression), 'shell') : undefined;
  const usesShell = !!shell && shell.kind !== ts.SyntaxKind.FalseKeyword && file.stringValue(shell) !== 'false';
  if (!usesShell) {
    // spawn('sh', ['-c', command]): the shell runs the command text
    const list = second && ts.isArrayLiteralExpression(second) ? second.elements : undefined;
    const flag = list?.findIndex((e) => ['-c', '/c', '/C', '-Command', '-command'].includes(file.stringValue(e) ?? ''));
    if (list && flag !== undefined && flag >= 0 && JS_SHELLS.test(file.stringValue(cmd) ?? '')) {
      const text = list[flag + 1];
      const reached = text && file.sinkValue(text, 'command');
      if (reached && !untaintedInTooling(reached, file.path)) {
        ctx.report({
          range: file.range(text),
          message: reached.kind === 'tainted'
            ? `${jsDescribeSource(reached)} reaches a command run by a shell. Run the program directly with an argument list.`
            : 'A command run by a shell is built from a value of unknown origin. Run the program directly with an argument list.',
          value: reached,
        });
      }
      return;
    }
    // no shell: only the program itself matters (an attacker-chosen program is still their command)
    const program = file.valueOf(cmd);
    if (program.kind !== 'tainted' || program.cleared.includes('command')) return;
    ctx.report({ range: file.range(cmd), message: `${jsDescribeSource(program)} chooses the program to run.`, value: program });
    return;
  }
  const args = node.arguments[1];
  const pieces: ts.Node[] = [cmd];
  if (args && ts.isArrayLiteralExpression(skipOuter(args))) pieces.push(...(skipOuter(args) as ts.ArrayLiteralExpression).elements);
  else if (args && args !== opts) pieces.push(args);
  for (const p of pieces) {
    const reached = file.sinkValue(p, 'command') ?? (p !== cmd ? jsNonConstant(file.valueOf(p)) : undefined);
    if (!reached || untaintedInTooling(reached, file.path)) continue;
    ctx.report({
      range: file.range(p),
      message: reached.kind === 'tainted'
        ? `${jsDescribeSource(reached)} reaches a command run with \`shell: true\`. Drop the shell option and pass arguments as a list.`
        : 'A command run with `shell: true` includes a value of unknown origin. Drop the shell option and pass arguments as a list.',
      value: reached,
    });
    return;
  }
}

/** Build tooling (Gruntfile, webpack config, scripts/): a value of unknown origin there comes from the repository itself. */
function untaintedInTooling(v: Value, path: string): boolean {
  return v.kind !== 'tainted' && isDevTooling(path);
}

function jsNonConstant(v: Value): Value | undefined {
  return v.kind === 'constant' || v.cleared?.includes('command') ? undefined : v;
}

const SHELL_META = /[|&;<>()$`\\*?[\]{}~!#\n]/;

/** exec(`git log ${branch}`) -> execFile('git', ['log', branch]) when the command is a program and plain words. */
function jsExecFileFix(call: ts.CallExpression, name: string, ctx: JsContext): Fix[] {
  const file = ctx.file;
  const arg = skipOuter(call.arguments[0] as ts.Expression);
  const segs = segmentsOf(file, arg);
  if (!segs) return [];
  // split into shell words: constant text splits on spaces; a value is one word (with any text glued to it)
  type Piece = { t: string } | { x: ts.Expression };
  const words: Piece[][] = [[]];
  for (const s of segs) {
    if ('text' in s) {
      let text = s.text;
      // quotes around a value only existed for the shell
      text = text.replace(/(^|\s)(['"])(?=$)/g, '$1').replace(/^(['"])(?=\s|$)/, '');
      if (SHELL_META.test(text) || /['"]/.test(text)) return [];
      const parts = text.split(/\s+/);
      parts.forEach((p, i) => {
        if (i > 0) words.push([]);
        if (p) words[words.length - 1].push({ t: p });
      });
    } else words[words.length - 1].push({ x: s.expr });
  }
  const clean = words.filter((w) => w.length > 0);
  const first = clean[0];
  if (!first || first.length !== 1 || !('t' in first[0])) return [];
  const code = (w: Piece[]): string => {
    if (w.length === 1 && 'x' in w[0]) return file.textOf(w[0].x);
    if (w.every((p) => 't' in p)) return `'${w.map((p) => (p as { t: string }).t).join('').replace(/\\/g, '\\\\')}'`;
    return '`' + w.map((p) => ('t' in p ? escapeTemplate(p.t) : '${' + file.textOf(p.x) + '}')).join('') + '`';
  };
  const program = code(first);
  const argv = `[${clean.slice(1).map(code).join(', ')}]`;
  const target = name === 'child_process.exec' ? 'execFile' : 'execFileSync';
  const callee = skipOuter(call.expression);
  const edits: TextEdit[] = [];
  if (ts.isPropertyAccessExpression(callee)) {
    edits.push({ range: file.range(callee.name), newText: target });
  } else if (ts.isIdentifier(callee)) {
    const decl = file.declarationOf(callee);
    const local = [...file.imports].find(([, q]) => q === `child_process.${target}`)?.[0];
    if (local) edits.push({ range: file.range(callee), newText: local });
    else if (decl && (ts.isImportSpecifier(decl.parent) || ts.isBindingElement(decl.parent)) && !file.imports.has(target)) {
      edits.push({ range: file.range(callee), newText: target });
      const spec = decl.parent;
      edits.push({ range: file.rangeOf(spec.getEnd(), spec.getEnd()), newText: `, ${target}` });
    } else return [];
  } else return [];
  edits.push({ range: file.range(arg), newText: `${program}, ${argv}` });
  return [{ title: `Run the program with ${target} and an argument list (no shell)`, edits, preferred: true, safe: true }];
}
