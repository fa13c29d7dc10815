/**
 * Render calls in Python: `render_template('x.html', name=...)` (Flask, Quart), Django's `render(request,
 * 'x.html', {...})`, `render_to_response`, `render_to_string`, `TemplateResponse(request, 'x.html', {...})`,
 * `aiohttp_jinja2.render_template('x.html', request, {...})` and handlers decorated with
 * `@aiohttp_jinja2.template('x.html')` (the returned dict). Each variable with its data-flow level.
 */
import type { PNode as Node } from './tree';
import { level, worst, type RenderCall, type RenderValue } from '../../engine/render-types';
import { rethrowOverBudget } from '../../engine/budget';
import type { PyFile } from './front';

/** Qualified name -> [index of the template name, index of the context dict, keywords fill variables]. */
const RENDERERS: Record<string, [number, number, boolean]> = Object.assign(Object.create(null), {
  'flask.render_template': [0, -1, true], 'flask.templating.render_template': [0, -1, true],
  'flask.stream_template': [0, -1, true], 'quart.render_template': [0, -1, true],
  'django.shortcuts.render': [1, 2, false], 'django.shortcuts.render_to_response': [0, 1, false],
  'django.template.loader.render_to_string': [0, 1, false],
  'django.template.response.TemplateResponse': [1, 2, false], 'django.template.response.SimpleTemplateResponse': [0, 1, false],
  'aiohttp_jinja2.render_template': [0, 2, false], 'aiohttp_jinja2.render_string': [0, 2, false],
});

const MARKUP = new Set([
  'markupsafe.Markup', 'flask.Markup', 'jinja2.Markup', 'django.utils.safestring.mark_safe', 'django.utils.safestring.SafeString',
  'django.utils.safestring.SafeText',
]);

/** What `callName` must return for a call to be a render call. */
const RENDER_NAMES = [...Object.keys(RENDERERS), 'aiohttp_jinja2.template'];

/**
 * The local names a render call's callee can start with: the imports of a renderer or of a module above one
 * (`callName` names only what the imports name); undefined (any name) with a star import.
 */
function renderRoots(file: PyFile): Set<string> | undefined {
  if (file.starImports.length > 0) return undefined;
  const roots = new Set<string>();
  for (const [local, q] of file.imports) if (RENDER_NAMES.some((t) => t === q || t.startsWith(`${q}.`))) roots.add(local);
  return roots;
}

/** The leftmost name of a callee (`a` of `a.b.c`); undefined when it is not a plain name. */
function calleeRoot(call: Node): string | undefined {
  let n = call.childForFieldName('function');
  for (let k = 0; n?.type === 'attribute' && k < 1000; k++) n = n.childForFieldName('object');
  return n?.type === 'identifier' ? n.text : undefined;
}

export function pythonRenderCalls(file: PyFile): RenderCall[] {
  const out: RenderCall[] = [];
  const roots = renderRoots(file);
  // no import names a renderer: no call can be one (skips the walk of every call per edit)
  if (roots?.size === 0) return out;
  try {
    for (const call of file.tree.rootNode.descendantsOfType('call')) {
      if (!call || out.length > 1000) continue;
      if (roots) {
        const root = calleeRoot(call);
        if (root === undefined || !roots.has(root)) continue;
      }
      const name = file.callName(call);
      if (name === 'aiohttp_jinja2.template') { decorated(file, call, out); continue; }
      const how = name ? RENDERERS[name] : undefined;
      if (!how) continue;
      const template = file.stringValue(file.argument(call, how[0], how[0] === 0 ? 'template_name_or_list' : 'template_name'));
      if (!template) continue;
      const rc: RenderCall = { file: file.path, line: call.startPosition.row, call: short(call.text), template, language: 'python', vars: {} };
      const args = call.childForFieldName('arguments');
      for (const a of args?.namedChildren ?? []) {
        if (a?.type === 'keyword_argument' && how[2]) {
          const key = a.childForFieldName('name')?.text;
          const value = a.childForFieldName('value');
          if (key && value && key !== 'template_name_or_list') rc.vars[key] = valueFor(file, value);
        } else if (a?.type === 'dictionary_splat') {
          rc.rest = worst(rc.rest, valueFor(file, a.namedChildren[0] ?? a));
        }
      }
      const ctx = how[1] >= 0 ? file.argument(call, how[1], 'context') : undefined;
      if (ctx && !(ctx.type === 'identifier' && fromVariable(file, ctx, rc))) fromDict(file, ctx, rc);
      out.push(rc);
    }
  } catch (err) {
    rethrowOverBudget(err);
  }
  return out;
}

/** `@aiohttp_jinja2.template('x.html')` on a handler: the dicts its `return` statements build. */
function decorated(file: PyFile, call: Node, out: RenderCall[]): void {
  const template = file.stringValue(file.argument(call, 0, 'template_name'));
  const decorator = call.parent;
  const def = decorator?.parent?.childForFieldName('definition');
  if (!template || decorator?.type !== 'decorator' || !def) return;
  const rc: RenderCall = { file: file.path, line: call.startPosition.row, call: `@${short(call.text)}`, template, language: 'python', vars: {} };
  for (const ret of def.descendantsOfType('return_statement')) {
    const value = ret?.namedChildren[0];
    if (value) fromDict(file, value, rc);
  }
  out.push(rc);
}

/**
 * A context dict held in a local variable: `context = {...}` assigned once, then `context['k'] = v` and
 * `context.update(...)`: each key with its own value. False (nothing known) for any other shape.
 */
function fromVariable(file: PyFile, id: Node, rc: RenderCall): boolean {
  const scope = file.enclosingFunction(id);
  if (!scope) return false;
  const name = id.text;
  let literal: Node | undefined;
  const keyed: [string, Node][] = [];
  const updates: Node[] = [];
  for (const a of scope.descendantsOfType(['assignment', 'augmented_assignment'])) {
    const left = a?.childForFieldName('left');
    const right = a?.childForFieldName('right');
    if (!a || !left || !right) continue;
    if (left.type === 'identifier' && left.text === name) {
      if (literal || right.type !== 'dictionary' || a.type !== 'assignment') return false;
      literal = right;
    } else if (left.type === 'subscript' && left.childForFieldName('value')?.text === name) {
      const key = file.stringValue(left.childForFieldName('subscript'));
      if (key === undefined || a.type !== 'assignment') return false;
      keyed.push([key, right]);
    }
  }
  for (const c of scope.descendantsOfType('call')) {
    const fn = c?.childForFieldName('function');
    if (c && fn?.type === 'attribute' && fn.childForFieldName('object')?.text === name && fn.childForFieldName('attribute')?.text === 'update') updates.push(c);
  }
  if (!literal || keyed.length + updates.length > 200) return false;
  fromDict(file, literal, rc);
  for (const [key, value] of keyed) rc.vars[key] = worstOf(rc.vars[key], valueFor(file, value));
  for (const u of updates) {
    for (const a of u.childForFieldName('arguments')?.namedChildren ?? []) {
      if (a?.type === 'keyword_argument') {
        const key = a.childForFieldName('name')?.text;
        const value = a.childForFieldName('value');
        if (key && value) rc.vars[key] = worstOf(rc.vars[key], valueFor(file, value));
      } else if (a) fromDict(file, a, rc);
    }
  }
  return true;
}

/** A context dict: a literal gives one value per constant key; anything else is the value of every variable. */
function fromDict(file: PyFile, dict: Node, rc: RenderCall): void {
  if (dict.type === 'dictionary') {
    for (const pair of dict.namedChildren) {
      if (pair?.type === 'pair') {
        const key = file.stringValue(pair.childForFieldName('key'));
        const value = pair.childForFieldName('value');
        if (key !== undefined && value) rc.vars[key] = worstOf(rc.vars[key], valueFor(file, value));
        else if (value) rc.rest = worst(rc.rest, valueFor(file, value));
      } else if (pair?.type === 'dictionary_splat') rc.rest = worst(rc.rest, valueFor(file, pair.namedChildren[0] ?? pair));
    }
    return;
  }
  if (dict.type === 'call' && file.callName(dict) === undefined && dict.childForFieldName('function')?.text === 'dict') {
    for (const a of dict.childForFieldName('arguments')?.namedChildren ?? []) {
      const key = a?.type === 'keyword_argument' ? a.childForFieldName('name')?.text : undefined;
      const value = a?.childForFieldName('value');
      if (key && value) rc.vars[key] = worstOf(rc.vars[key], valueFor(file, value));
    }
    return;
  }
  rc.rest = worst(rc.rest, valueFor(file, dict));
}

function valueFor(file: PyFile, node: Node): RenderValue {
  let n = node;
  let markup = false;
  if (n.type === 'call' && MARKUP.has(file.callName(n) ?? '')) {
    markup = true;
    const inner = file.argument(n, 0);
    if (!inner) return { level: 'constant' };
    n = inner;
  }
  return { ...level(file.valueOf(n), file.path), ...(markup ? { markup } : {}) };
}

function worstOf(a: RenderValue | undefined, b: RenderValue): RenderValue {
  const w = worst(a, b);
  return a?.markup || b.markup ? { ...w, markup: true } : w;
}

function short(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}
