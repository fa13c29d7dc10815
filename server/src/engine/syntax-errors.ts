/**
 * Syntax errors in a file, as messages, for the CLI's notes and to check that fixes keep files valid.
 * The analysis reports the errors of its own parse (`pythonTreeErrors`, `jsParseErrors`); files the CLI
 * did not analyze are parsed here.
 */
import ts from 'typescript';
import type { Node, Tree } from 'web-tree-sitter';
import { XMLValidator } from 'fast-xml-parser';
import { JsFile } from '../lang/javascript/front';
import { parsePython } from '../lang/python/parser';
import { VueFile } from '../lang/vue/front';
import { DockerFile } from '../lang/dockerfile/front';
import { ShellFile } from '../lang/shell/front';
import { DotenvFile } from '../lang/dotenv/front';
import { openYaml } from '../lang/kube/front';
import { terraformSyntaxErrors } from '../lang/cloud/front';
import { dependencySyntaxErrors } from '../lang/deps/front';
import { stoppedNote } from './budget';
import { languageFor } from './languages';

/**
 * Syntax errors in a file, as messages (empty when it parses cleanly). Used to check that fixes keep
 * files valid. Never throws: a file the parser cannot handle (nested too deeply) is one error.
 */
export function syntaxErrors(path: string, languageId: string | undefined, text: string): string[] {
  try {
    return syntaxErrorsOf(path, languageId, text);
  } catch (err) {
    return [stoppedNote(err).replace('analysis stopped early: ', '')];
  }
}

function syntaxErrorsOf(path: string, languageId: string | undefined, text: string): string[] {
  const language = languageFor(path, languageId);
  if (language === 'python') {
    const tree = parsePython(text);
    try {
      return pythonTreeErrors(tree);
    } finally {
      tree.delete();
    }
  }
  if (language === 'javascript') return jsParseErrors(new JsFile(path, text));
  if (language === 'vue') {
    const file = new VueFile(path, text);
    return [...file.errors, ...(file.script ? jsParseErrors(file.script) : [])];
  }
  if (language === 'dockerfile') return new DockerFile(path, text).errors;
  if (language === 'shell') return new ShellFile(path, text).errors;
  if (language === 'dotenv') return new DotenvFile(path, text).errors;
  if (language === 'terraform') return terraformSyntaxErrors(text);
  if (language === 'dependencies') return dependencySyntaxErrors(path, text);
  if (language === 'xml') {
    const result = XMLValidator.validate(withoutDoctype(text));
    return result === true ? [] : [`line ${result.err.line}: ${result.err.msg}`];
  }
  if (language === 'yaml') return openYaml(path, text)?.yaml.errors() ?? [];
  return [];
}

/** The text without its DOCTYPE (and internal subset), which the validator does not read. Linear: indexOf only. */
function withoutDoctype(text: string): string {
  const at = text.indexOf('<!DOCTYPE');
  if (at < 0) return text;
  const gt = text.indexOf('>', at);
  const open = text.indexOf('[', at);
  const close = open >= 0 && (gt < 0 || open < gt) ? text.indexOf(']', open) : -1;
  const end = close >= 0 ? text.indexOf('>', close) : open >= 0 && (gt < 0 || open < gt) ? -1 : gt;
  return end < 0 ? text : text.slice(0, at) + text.slice(end + 1);
}

export function pythonTreeErrors(tree: Tree): string[] {
  const errors: string[] = [];
  const visit = (n: Node) => {
    if (n.type === 'ERROR' || n.isMissing) errors.push(`line ${n.startPosition.row + 1}: syntax error near \`${n.text.slice(0, 40)}\``);
    else if (n.hasError) for (const c of n.children) if (c) visit(c);
  };
  visit(tree.rootNode);
  return errors;
}

export function jsParseErrors(file: JsFile): string[] {
  return file.parseDiagnostics.map((d) => `line ${file.sourceFile.getLineAndCharacterOfPosition(d.start).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}
