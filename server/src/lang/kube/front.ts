import { composeServices, type ComposeService } from './compose';
import { KubeModel } from './kube';
import { deref, isMap, isScalar, isSeq, knownString, mapOf, pairOf, seqOf, valueOf, YamlFile, type Document, type Pair, type Scalar, type YAMLMap, type YNode } from './yaml';

/**
 * The YAML configuration front: decides by content what a `.yaml`/`.yml` file is (a Kubernetes
 * manifest, a kubeconfig, a compose file, or none of these) and gives rules the matching model.
 * CloudFormation templates and every other YAML (CI workflows, Helm values, OpenAPI...) are not
 * this front's: nothing runs and nothing is said. A Helm template that does not parse as YAML is
 * nothing too (never an error).
 */

export type YamlKind = 'kubernetes' | 'kubeconfig' | 'compose';

export class KubeFile {
  private _model?: KubeModel;
  constructor(readonly yaml: YamlFile, readonly kind: 'kubernetes' | 'kubeconfig') {}

  get model(): KubeModel {
    return (this._model ??= new KubeModel(this.kind === 'kubernetes' ? this.yaml.docs : []));
  }

  /** kubeconfig `clusters[].cluster` mappings. */
  clusters(): { doc: Document; name?: string; map: YAMLMap }[] {
    if (this.kind !== 'kubeconfig') return [];
    const out: { doc: Document; name?: string; map: YAMLMap }[] = [];
    for (const doc of this.yaml.docs) {
      if (doc.errors.length > 0) continue;
      for (const c of seqOf(doc, doc.contents, 'clusters')) {
        const map = mapOf(doc, c, 'cluster');
        if (map) out.push({ doc, name: knownString(valueOf(doc, c, 'name')), map });
      }
    }
    return out;
  }
}

export class ComposeFile {
  private _services?: ComposeService[];
  readonly kind = 'compose';
  constructor(readonly yaml: YamlFile) {}
  get services(): ComposeService[] {
    return (this._services ??= composeServices(this.yaml.docs));
  }
}

export type ConfigYaml = KubeFile | ComposeFile;

const COMPOSE_NAME = /^(docker-)?compose[\w.-]*\.ya?ml$/;

/** Opens a YAML file as Kubernetes, kubeconfig or compose configuration; undefined when it is none of them. */
export function openYaml(path: string, text: string): ConfigYaml | undefined {
  const file = new YamlFile(path, text);
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
  const broken = file.docs.some((d) => d.errors.length > 0);
  // a Helm template that is not valid YAML: nothing to say
  if (broken && file.templated) return undefined;
  const kind = sniff(file.docs, COMPOSE_NAME.test(name));
  if (!kind) return undefined;
  return kind === 'compose' ? new ComposeFile(file) : new KubeFile(file, kind);
}

/** What the documents are, from their top-level keys. CloudFormation wins over everything (another front's). */
export function sniff(docs: Document[], composeName: boolean): YamlKind | undefined {
  let kind: YamlKind | undefined;
  for (const doc of docs.slice(0, 1000)) {
    const top = deref(doc, doc.contents);
    if (!isMap(top)) continue;
    if (isCloudFormation(doc, top)) return undefined;
    if (kind) continue;
    const k = knownString(valueOf(doc, top, 'kind'));
    const hasApi = pairOf(doc, top, 'apiVersion') !== undefined;
    if (k === 'Config' && hasApi && isSeq(valueOf(doc, top, 'clusters'))) kind = 'kubeconfig';
    else if (hasApi && pairOf(doc, top, 'kind')) kind = 'kubernetes';
    else if (composeName || isComposeServices(doc, top)) kind = 'compose';
  }
  return kind ?? (composeName ? 'compose' : undefined);
}

function isCloudFormation(doc: Document, top: YAMLMap): boolean {
  if (pairOf(doc, top, 'AWSTemplateFormatVersion')) return true;
  const resources = mapOf(doc, top, 'Resources');
  if (!resources) return false;
  return resources.items.slice(0, 50).some((p: Pair) => {
    const t = knownString(valueOf(doc, p.value, 'Type'));
    return t !== undefined && /^(AWS|Alexa|Custom)::/.test(t);
  });
}

/** A top-level `services:` mapping whose entries look like containers (`image` or `build`). */
function isComposeServices(doc: Document, top: YAMLMap): boolean {
  const services = mapOf(doc, top, 'services');
  if (!services || services.items.length === 0) return false;
  return services.items.slice(0, 50).some((p) => {
    const s = deref(doc, p.value);
    return isMap(s) && (pairOf(doc, s, 'image') !== undefined || pairOf(doc, s, 'build') !== undefined);
  });
}

export { isMap, isScalar, isSeq };
export type { Scalar, YNode };
