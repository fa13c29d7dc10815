'use strict';
// Vulnerable and safe snippets the shell tests (CLI, LSP, Neovim) share, with what the engine
// must report for them. One place to change if a rule's wording or range changes.

/** Python: a URL segment reaches a shell command (error), with an argument-list fix. */
const pyCommand = {
  text: [
    'import subprocess',
    'from flask import Flask',
    '',
    'app = Flask(__name__)',
    '',
    '',
    '@app.route("/reports/<name>")',
    'def report(name):',
    '    return subprocess.check_output("generate-report " + name, shell=True)',
    '',
  ].join('\n'),
  rule: 'command-injection',
  line: 8, // 0-based
  severity: 'error',
};

/** Python: a predictable token (warning), with a `secrets` fix. */
const pyToken = {
  text: ['import random', '', '', 'def make_token():', '    token = random.random()', '    return token', ''].join('\n'),
  rule: 'weak-random',
  line: 4,
  severity: 'warning',
};

/** TypeScript: a predictable session id (warning). */
const tsToken = {
  text: ['export function newSessionId(): string {', '  return Math.random().toString(36).slice(2);', '}', ''].join('\n'),
  rule: 'weak-random',
  line: 1,
  severity: 'warning',
};

/** Python with nothing to report. */
const pySafe = 'import subprocess\n\n\ndef listing():\n    return subprocess.run(["ls", "-l"], check=True)\n';

/** TypeScript: an Express query parameter reaches `exec` (command injection). */
const tsExec = {
  text: [
    "import { exec } from 'child_process';",
    "import express from 'express';",
    'const app = express();',
    "app.get('/run', (req, res) => { exec(req.query.cmd as string); res.send('ok'); });",
    '',
  ].join('\n'),
};

module.exports = { pyCommand, pyToken, tsToken, pySafe, tsExec };
