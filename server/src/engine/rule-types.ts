import type ts from 'typescript';
import type { PNode as Node } from '../lang/python/tree';
import type { PyFile } from '../lang/python/front';
import type { JsFile } from '../lang/javascript/front';
import type { XmlFile } from '../lang/xml/front';
import type { VueFile } from '../lang/vue/front';
import type { DockerFile } from '../lang/dockerfile/front';
import type { ShellFile } from '../lang/shell/front';
import type { DotenvFile } from '../lang/dotenv/front';
import type { ComposeFile, KubeFile } from '../lang/kube/front';
import type { CloudFile } from '../lang/cloud/front';
import type { DepFile } from '../lang/deps/front';
import type { VendoredFile } from '../lang/deps/vendored';
import type { TemplateFile } from '../lang/template/front';
import type { Report } from './rule';
import type { RuleMeta } from './types';

export interface Context<F> {
  file: F;
  report(r: Report): void;
}
export type PyContext = Context<PyFile>;
export type JsContext = Context<JsFile>;
export type XmlContext = Context<XmlFile>;
export type VueContext = Context<VueFile>;
export type DockerfileContext = Context<DockerFile>;
export type ShellContext = Context<ShellFile>;
export type DotenvContext = Context<DotenvFile>;
/** Kubernetes manifests and kubeconfig files (`ctx.file.kind` says which). */
export type KubeContext = Context<KubeFile>;
export type ComposeContext = Context<ComposeFile>;
export type CloudContext = Context<CloudFile>;

export type DepsContext = Context<DepFile>;
export type VendoredContext = Context<VendoredFile>;
export type TemplateContext = Context<TemplateFile>;

/** Python visitors, keyed by tree-sitter node type (`call`, `assignment`, ...). */
export type PyVisitors = Partial<Record<string, (node: Node, ctx: PyContext) => void>>;
/** JS/TS visitors, keyed by `ts.SyntaxKind`. */
export type JsVisitors = Partial<Record<ts.SyntaxKind, (node: any, ctx: JsContext) => void>>;

/** A rule: metadata, per-language detectors and their fixes, in one file. */
export interface Rule {
  meta: RuleMeta;
  python?: PyVisitors;
  javascript?: JsVisitors;
  xml?: (ctx: XmlContext) => void;
  /** Vue single-file components' templates (their script blocks run the `javascript` visitors). */
  vue?: (ctx: VueContext) => void;
  dockerfile?: (ctx: DockerfileContext) => void;
  /** Shell scripts (`.sh`, `.bash`): a script of simple commands. */
  shell?: (ctx: ShellContext) => void;
  /** `.env` files. */
  dotenv?: (ctx: DotenvContext) => void;
  /** Kubernetes manifests (multi-document, `List`) and kubeconfig files. */
  kubernetes?: (ctx: KubeContext) => void;
  /** Docker compose files. */
  compose?: (ctx: ComposeContext) => void;
  /** AWS policies and resources: IAM policy JSON, CloudFormation (JSON, YAML) and Terraform, one model. */
  cloud?: (ctx: CloudContext) => void;
  /** Manifests and lockfiles (language `dependencies`). */
  dependencies?: (ctx: DepsContext) => void;
  /** A vendored copy of a known front-end library (a `javascript` file that is not the user's code). */
  vendored?: (ctx: VendoredContext) => void;
  /** Server-side templates (Jinja2/Django/Nunjucks, EJS, Handlebars/Mustache, Pug), with the render calls known to fill them. */
  template?: (ctx: TemplateContext) => void;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
