import ts from 'typescript';
import type { Node } from 'web-tree-sitter';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
// Python helpers
import type { Fix } from '../engine/types';
import { describeSource } from '../engine/rule';
import { builtinCall, importModule, methodName, receiverOrigin, sinkValue, wrapEdits } from './support/python-sinks';

export default defineRule({
  meta: {
    id: 'path-traversal',
    title: 'Path built from untrusted input',
    description: "A file path built from request data lets ../ sequences reach files outside the intended folder.",
    cwe: ['CWE-22'],
    owasp: OWASP.A01,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 7.5,
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

/** File operations: qualified name -> the positions of path arguments (keyword names after the colon). */
const PY_PATH_SINKS: Record<string, string[]> = {
  'io.open': ['0:file'], 'codecs.open': ['0:filename'], 'os.open': ['0:path'],
  'os.remove': ['0:path'], 'os.unlink': ['0:path'], 'os.rmdir': ['0:path'], 'os.removedirs': ['0:name'],
  'os.rename': ['0:src', '1:dst'], 'os.replace': ['0:src', '1:dst'], 'os.renames': ['0:old', '1:new'],
  'os.makedirs': ['0:name'], 'os.mkdir': ['0:path'], 'os.listdir': ['0:path'], 'os.scandir': ['0:path'],
  'os.chmod': ['0:path'], 'os.chown': ['0:path'], 'os.truncate': ['0:path'], 'os.symlink': ['0:src', '1:dst'], 'os.link': ['0:src', '1:dst'],
  'shutil.copy': ['0:src', '1:dst'], 'shutil.copy2': ['0:src', '1:dst'], 'shutil.copyfile': ['0:src', '1:dst'],
  'shutil.copytree': ['0:src', '1:dst'], 'shutil.move': ['0:src', '1:dst'], 'shutil.rmtree': ['0:path'],
  'flask.send_file': ['0:path_or_file'], 'flask.helpers.send_file': ['0:path_or_file'],
  'flask.send_from_directory': ['0:directory'], 'flask.helpers.send_from_directory': ['0:directory'],
  'werkzeug.utils.send_file': ['0:path_or_file'], 'werkzeug.utils.send_from_directory': ['0:directory'],
  'django.http.FileResponse': [], 'fastapi.responses.FileResponse': ['0:path'], 'starlette.responses.FileResponse': ['0:path'],
};
/** Methods of pathlib paths that touch the file system. */
const PY_PATHLIB_METHODS = new Set(['read_text', 'read_bytes', 'write_text', 'write_bytes', 'open', 'unlink', 'rmdir', 'mkdir', 'touch', 'rename', 'replace', 'iterdir', 'glob', 'rglob', 'chmod']);

function pythonCall(node: Node, ctx: PyContext): void {
  const file = ctx.file;
  const name = file.callName(node) ?? (builtinCall(file, node) === 'open' ? 'open' : undefined);
  let args: { node: Node | undefined; what: string }[] = [];
  if (name === 'open') args = [{ node: file.argument(node, 0, 'file'), what: 'opens' }];
  else if (name && PY_PATH_SINKS[name]) {
    args = PY_PATH_SINKS[name].map((spec) => {
      const [i, kw] = spec.split(':');
      return { node: file.argument(node, Number(i), kw), what: name.endsWith('send_from_directory') ? 'chooses the directory served by' : 'reaches the path of' };
    });
  } else {
    const m = methodName(node);
    if (!m || !PY_PATHLIB_METHODS.has(m)) return;
    const origin = receiverOrigin(file, node);
    if (!origin || !/^pathlib\.(Pure)?(Posix|Windows)?Path$/.test(origin)) return;
    args = [{ node: node.childForFieldName('function')?.childForFieldName('object') ?? undefined, what: 'is the path used by' }];
  }
  for (const a of args) {
    if (!a.node) continue;
    const { value, ev } = sinkValue(file, a.node, 'path');
    if (ev !== 'tainted') continue;
    const callee = name ?? methodName(node);
    ctx.report({
      range: file.range(node),
      message: `${describeSource(value)} ${a.what} \`${callee}\`: "../" sequences can reach files outside the intended folder. Keep only the file name (os.path.basename / secure_filename) or check the resolved path stays under the base folder.`,
      value,
      fixes: pythonBasenameFix(a.node, ctx),
    });
    return;
  }
}

/** Wraps the request value itself in os.path.basename when it is the whole argument (not a join). */
function pythonBasenameFix(arg: Node, ctx: PyContext): Fix[] {
  if (!['identifier', 'subscript'].includes(arg.type) && !(arg.type === 'call' && methodName(arg) === 'get')) return [];
  const os = importModule(ctx.file, 'os');
  return [{
    title: 'Keep only the file name (os.path.basename)',
    edits: [...os.edits, ...wrapEdits(ctx.file, [arg], `${os.local}.path.basename`)],
    preferred: false,
    safe: false,
  }];
}

// ---- JavaScript / TypeScript ----

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  void node; void ctx;
}
