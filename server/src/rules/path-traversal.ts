import ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import { defineRule, type JsContext, type PyContext } from '../engine/rule-types';
import { OWASP, type Fix } from '../engine/types';
import { describeSource, evidence } from '../engine/rule';
import { builtinCall, fromLocalUser, importModule, methodName, receiverOrigin, sinkValue, wrapEdits } from './support/python-sinks';
import { skipOuter as jsSkipOuter, type JsFile } from '../lang/javascript/front';
import { capitalized, ensureDefaultImport, fromCommandLine, isResponseObject, methodCall, reportFlow } from './support/javascript-web';

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
    call: (node, ctx) => { if (ctx.file.mayHaveTaint()) pythonCall(node, ctx); },
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
    if (ev !== 'tainted' || fromLocalUser(value)) continue;
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
  // only the request value itself: a name may hold a joined path, whose folder must stay
  if (arg.type !== 'subscript' && !(arg.type === 'call' && methodName(arg) === 'get')) return [];
  const os = importModule(ctx.file, 'os');
  return [{
    title: 'Keep only the file name (os.path.basename)',
    edits: [...os.edits, ...wrapEdits(ctx.file, [arg], `${os.local}.path.basename`)],
    preferred: false,
    safe: false,
  }];
}

// ---- JavaScript / TypeScript ----

/** File-system functions: which arguments are paths. */
const JS_FS_PATH_ARGS: Record<string, number[]> = {};
for (const f of ['readFile', 'readFileSync', 'createReadStream', 'writeFile', 'writeFileSync', 'createWriteStream',
  'appendFile', 'appendFileSync', 'unlink', 'unlinkSync', 'rm', 'rmSync', 'rmdir', 'rmdirSync', 'readdir', 'readdirSync',
  'open', 'openSync', 'truncate', 'truncateSync', 'opendir', 'opendirSync', 'readlink', 'readlinkSync', 'mkdir', 'mkdirSync',
  'chmod', 'chmodSync', 'chown', 'chownSync', 'utimes', 'utimesSync',
  // fs-extra
  'readJson', 'readJsonSync', 'readJSON', 'writeJson', 'writeJsonSync', 'outputFile', 'outputFileSync', 'outputJson',
  'outputJsonSync', 'remove', 'removeSync', 'emptyDir', 'emptyDirSync', 'ensureFile', 'ensureFileSync', 'ensureDir', 'mkdirp', 'mkdirs']) {
  JS_FS_PATH_ARGS[f] = [0];
}
for (const f of ['copyFile', 'copyFileSync', 'rename', 'renameSync', 'cp', 'cpSync', 'link', 'linkSync', 'symlink', 'symlinkSync',
  'copy', 'copySync', 'move', 'moveSync']) {
  JS_FS_PATH_ARGS[f] = [0, 1];
}
const JS_FS_MODULES = /^(fs|fs\/promises|fs\.promises|fs-extra|graceful-fs|original-fs|fs-extra\/esm)$/;

function javascriptCall(node: ts.CallExpression, ctx: JsContext): void {
  const file = ctx.file;
  const name = file.callName(node);
  if (name) {
    const dot = name.lastIndexOf('.');
    const module = name.slice(0, dot).replace(/\.default$/, '');
    const fn = name.slice(dot + 1);
    if (dot > 0 && JS_FS_MODULES.test(module) && Object.hasOwn(JS_FS_PATH_ARGS, fn)) {
      for (const i of JS_FS_PATH_ARGS[fn]) {
        if (i < node.arguments.length && jsPath(ctx, node, node.arguments[i], `\`${fn}()\``)) return;
      }
      if (JS_FS_WRITES.has(fn) && node.arguments.length >= 1) jsZipSlip(ctx, node, node.arguments[0], fn);
      return;
    }
  }
  const m = methodCall(node);
  if (!m) return;
  // res.sendFile(path) / res.download(path) without a `root` option
  if ((m.name === 'sendFile' || m.name === 'sendfile' || m.name === 'download') && isResponseObject(m.receiver) && node.arguments.length >= 1) {
    // the options object, written in place or in a variable (`const options = { root: ... }`)
    const options = node.arguments.slice(1).map((a) => jsSkipOuter(ts.isIdentifier(jsSkipOuter(a)) ? file.definitionOf(a) ?? a : a))
      .find(ts.isObjectLiteralExpression);
    if (options && options.properties.some((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'root')) return;
    if (jsConcatUnderFolder(file, node.arguments[0])) return;
    jsPath(ctx, node, node.arguments[0], `\`res.${m.name}()\``);
    return;
  }
  // express-fileupload: req.files.doc.mv(target) moves the upload to a path the request may choose
  if (m.name === 'mv' && node.arguments.length >= 1 && file.importsModule('express-fileupload') && file.valueOf(m.receiver).kind === 'tainted') {
    jsPath(ctx, node, node.arguments[0], '`mv()`');
    return;
  }
  // adm-zip: zip.extractAllTo(target) / zip.extractEntryTo(entry, target) with a request-chosen target
  if ((m.name === 'extractAllTo' || m.name === 'extractEntryTo') && file.importsModule('adm-zip')) {
    const i = m.name === 'extractAllTo' ? 0 : 1;
    if (i < node.arguments.length) jsPath(ctx, node, node.arguments[i], `\`${m.name}()\``);
  }
}

/** File-system calls that create files or folders: where an archive entry is written out. */
const JS_FS_WRITES = new Set(['createWriteStream', 'writeFile', 'writeFileSync', 'outputFile', 'outputFileSync', 'mkdir',
  'mkdirSync', 'ensureDir', 'ensureDirSync', 'ensureFile', 'ensureFileSync', 'mkdirp', 'mkdirs', 'copyFile', 'copyFileSync']);
/** Properties holding an archive entry's name (unzipper/tar: path, yauzl: fileName, adm-zip: entryName, tar-stream: name). */
const JS_ENTRY_NAMES = new Set(['path', 'fileName', 'entryName', 'name', 'relativePath']);

/**
 * Zip slip: an archive entry's name joined to the destination folder and written without a check.
 * The entry is the parameter of an `.on('entry', ...)` listener (unzipper, yauzl, tar, tar-stream)
 * or of a loop over adm-zip's `getEntries()` / JSZip's `forEach`.
 */
function jsZipSlip(ctx: JsContext, node: ts.CallExpression, pathArg: ts.Expression, fn: string): void {
  const file = ctx.file;
  if (file.isSafeFor(pathArg, 'path')) return;
  let e = jsSkipOuter(pathArg);
  if (ts.isIdentifier(e)) e = jsSkipOuter(file.definitionOf(e) ?? e);
  if (!ts.isCallExpression(e)) return;
  const join = file.callName(e);
  if (join !== 'path.join' && join !== 'path.resolve' && join !== 'path.posix.join') return;
  const entry = e.arguments.map(jsSkipOuter).find((a) => jsIsEntryName(file, a));
  if (!entry) return;
  ctx.report({
    range: file.range(node),
    message: `The archive entry name \`${file.textOf(entry)}\` is joined to the destination and written by \`${fn}()\`: an entry named \`../../x\` lands outside the folder (zip slip). Resolve the path and check it starts with the destination.`,
    severity: 'warning',
    confidence: 'medium',
  });
}

/** `entry.path` where `entry` is the parameter of an archive entry callback (or JSZip's `relativePath` parameter). */
function jsIsEntryName(file: JsFile, e: ts.Expression): boolean {
  let param: ts.Identifier | undefined;
  if (ts.isPropertyAccessExpression(e) && JS_ENTRY_NAMES.has(e.name.text) && ts.isIdentifier(jsSkipOuter(e.expression))) {
    param = jsSkipOuter(e.expression) as ts.Identifier;
  } else if (ts.isIdentifier(e)) {
    param = e;
  }
  if (!param) return false;
  for (let fnNode = file.enclosingFunction(e); fnNode; fnNode = file.enclosingFunction(fnNode)) {
    const i = fnNode.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === param!.text);
    if (i < 0) continue;
    const call = fnNode.parent;
    if (!ts.isCallExpression(call) || !call.arguments.includes(fnNode as unknown as ts.Expression)) return false;
    const m = methodCall(call);
    if (!m) return false;
    const first = call.arguments[0];
    // stream.on('entry', (entry) => ...), zipfile.on('entry', ...), extract.on('entry', (header, stream, next) => ...)
    if ((m.name === 'on' || m.name === 'once') && first && ts.isStringLiteralLike(first) && first.text === 'entry') return i === 0 && !ts.isIdentifier(e);
    // zip.getEntries().forEach((entry) => ...)
    if (m.name === 'forEach' && ts.isCallExpression(jsSkipOuter(m.receiver))) {
      const inner = methodCall(jsSkipOuter(m.receiver) as ts.CallExpression);
      if (inner?.name === 'getEntries') return i === 0 && !ts.isIdentifier(e);
    }
    // jszip.forEach((relativePath, file) => ...)
    if (m.name === 'forEach' && file.importsModule('jszip')) return i === 0 && ts.isIdentifier(e);
    return false;
  }
  return false;
}

/**
 * `'/srv/public/' + name`, `` `${__dirname}/public/${name}` ``: Express's `send` answers 403 to any path
 * with a `..` segment, so a string built under a fixed folder cannot leave it (a `path.join` would
 * have removed the `..` before `send` sees it, and is still reported).
 */
function jsConcatUnderFolder(file: JsFile, pathArg: ts.Expression, depth = 0): boolean {
  const id = jsSkipOuter(pathArg);
  if (ts.isIdentifier(id) && !file.definitionOf(id) && depth === 0) {
    // `let file = \`${dir}/${name}\`; if (...) file = other;`: every value it is given
    const decl = file.declarationOf(id);
    const init = decl && ts.isVariableDeclaration(decl.parent) ? decl.parent.initializer : undefined;
    const given: ts.Expression[] = [];
    for (const r of file.references(id)) {
      const b = r.parent;
      if (ts.isBinaryExpression(b) && b.left === r) {
        if (b.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
        given.push(b.right);
      }
    }
    if (init) given.push(init);
    return given.length > 0 && given.every((g) => file.valueOf(g).kind !== 'tainted' || jsConcatUnderFolder(file, g, depth + 1));
  }
  const parts = file.stringParts(pathArg)?.filter((p) => p.text !== '' || p.expr); // a template's empty head
  if (!parts || parts.length < 2) return false;
  const first = parts[0];
  if (first.text !== undefined && first.expr === undefined) return /^\/.+\//.test(first.text) || /^\/[^/]/.test(first.text) && /\/$/.test(first.text);
  const firstText = first.expr ? file.textOf(first.expr) : '';
  const second = parts[1];
  if (second?.text === undefined || !second.text.startsWith('/')) return false;
  // `${staticPath}/${name}`: a folder the request did not choose (send() refuses `..` below it)
  return firstText === '__dirname' || firstText === 'process.cwd()' || (!!first.expr && file.valueOf(first.expr).kind !== 'tainted');
}

function jsPath(ctx: JsContext, at: ts.Node, pathArg: ts.Expression, what: string): boolean {
  const file = ctx.file;
  // only request data is reported (unknown paths are not): files with no source skip the data flow
  if (!file.mayHaveTaint()) return false;
  const value = file.valueOf(pathArg);
  if (fromCommandLine(value)) return false; // a CLI opens the files its user names
  return reportFlow(ctx, at, value, 'path',
    (src) => `${capitalized(src)} is part of the path ${what} opens: \`../\` can reach files outside the intended folder. Use \`path.basename\`, or resolve the path and check it stays under the base folder.`,
    { unknown: false }, () => jsBasenameFix(file, pathArg));
}

/** `path.join(dir, name)` with request data as the last segment: keep only its file name. */
function jsBasenameFix(file: JsFile, pathArg: ts.Expression): Fix[] {
  const e = jsSkipOuter(pathArg);
  if (!ts.isCallExpression(e)) return [];
  const name = file.callName(e);
  if (name !== 'path.join' && name !== 'path.resolve' || e.arguments.length < 2) return [];
  const last = e.arguments[e.arguments.length - 1];
  if (ts.isSpreadElement(last)) return [];
  if (evidence(file.valueOf(last), 'path') !== 'tainted') return [];
  for (const a of e.arguments.slice(0, -1)) if (file.valueOf(a).kind === 'tainted') return [];
  const local = [...file.imports].find(([, q]) => q === 'path')?.[0];
  const imp = local ? { name: local, edits: [] } : ensureDefaultImport(file, 'path', 'path', [], true);
  return [{
    title: 'Keep only the file name (path.basename)',
    edits: [{ range: file.range(last), newText: `${imp.name}.basename(${file.textOf(last)})` }, ...imp.edits],
  }];
}
