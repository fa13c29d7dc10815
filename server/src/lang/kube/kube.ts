import {
  containsTemplate, deref, isMap, isScalar, itemsOf, knownString, mapOf, pairOf, seqOf, valueOf,
  type Document, type Pair, type Scalar, type SeqItem, type YAMLMap, type YNode,
} from './yaml';
import type { Severity } from '../../engine/types';

/**
 * The Kubernetes model: objects with kind, name and namespace; pod specs wherever they live; every
 * container with its effective security context; volumes, mounts, ports and environment; RBAC rules
 * and bindings; ConfigMap data; kubeconfig clusters. Every entry keeps its YAML node for positions.
 */

export interface KubeObject {
  doc: Document;
  map: YAMLMap;
  kind: string;
  apiVersion: string;
  name?: string;
  namespace?: string;
  /** The object has a template action (`{{ }}`) somewhere: absent settings may be injected, so are unknown. */
  templated: boolean;
}

export interface PodSpec {
  object: KubeObject;
  map: YAMLMap;
  /** The pod's securityContext mapping, when written as one. */
  securityContext?: YAMLMap;
  containers: Container[];
  volumes: Volume[];
  /** The pod's `metadata.annotations` (the object's for a Pod, the template's for a workload). */
  annotations?: YAMLMap;
}

export type ContainerList = 'containers' | 'initContainers' | 'ephemeralContainers';

/** A security setting as it applies to a container, with the mapping and pair it came from. */
export interface Setting {
  level: 'pod' | 'container';
  /** The securityContext mapping that holds it (for fixes at the right place). */
  map: YAMLMap;
  pair: Pair<Scalar, YNode | null>;
  value: YNode | null;
}

export interface Container {
  pod: PodSpec;
  map: YAMLMap;
  list: ContainerList;
  name?: string;
  image?: YNode | null;
  /** The container's own securityContext mapping. */
  securityContext?: YAMLMap;
  /**
   * The container's settings cannot all be known: a securityContext written as a template, a
   * template action anywhere in the object, or no image (a Kustomize patch merged into a base).
   * Absent settings are then unknown, not missing.
   */
  unknown: boolean;
  /** `securityContext.<name>` of the container, else of the pod for the fields a pod can set. */
  setting(name: string): Setting | undefined;
  /** `securityContext.seccompProfile.type` (container, else pod). */
  seccomp(): Setting | undefined;
  ports: ContainerPort[];
  env: EnvVar[];
  mounts: Mount[];
  /** Capabilities listed under `securityContext.capabilities.add`. */
  capabilitiesAdd: SeqItem[];
}

export interface ContainerPort { map: YAMLMap; containerPort?: Pair<Scalar, YNode | null>; hostPort?: Pair<Scalar, YNode | null> }
export interface EnvVar { map: YAMLMap; name?: string; value?: YNode | null; valuePair?: Pair<Scalar, YNode | null> }
export interface Mount { map: YAMLMap; name?: string; mountPath?: string; readOnly?: Pair<Scalar, YNode | null> }
export interface Volume { map: YAMLMap; name?: string; hostPath?: YNode | null; hostPathPair?: Pair<Scalar, YNode | null> }

export interface RbacRule { object: KubeObject; map: YAMLMap; verbs: YNode[]; resources: YNode[]; apiGroups: YNode[] }
export interface Binding {
  object: KubeObject;
  roleRef?: YAMLMap;
  roleName?: YNode | null;
  subjects: { map: YAMLMap; kind?: string; name?: YNode | null }[];
}

/** securityContext fields a pod-level PodSecurityContext can set for all its containers. */
const POD_LEVEL = new Set(['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seccompProfile', 'seLinuxOptions', 'windowsOptions', 'appArmorProfile', 'supplementalGroups', 'fsGroup', 'sysctls']);
const TEMPLATE_PATH: Record<string, string[]> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};
const LISTS: ContainerList[] = ['containers', 'initContainers', 'ephemeralContainers'];
const MAX_ITEMS = 100_000;

export class KubeModel {
  readonly objects: KubeObject[] = [];
  readonly pods: PodSpec[] = [];
  readonly containers: Container[] = [];
  readonly rules: RbacRule[] = [];
  readonly bindings: Binding[] = [];
  readonly configMaps: { object: KubeObject; data: YAMLMap }[] = [];

  constructor(docs: Document[]) {
    for (const doc of docs) {
      if (doc.errors.length > 0) continue; // a document that does not parse says nothing
      this.addObject(doc, doc.contents, 0);
    }
  }

  private addObject(doc: Document, node: unknown, depth: number): void {
    const map = deref(doc, node);
    if (!isMap(map) || this.objects.length >= MAX_ITEMS) return;
    const kind = knownString(valueOf(doc, map, 'kind'));
    const apiVersion = knownString(valueOf(doc, map, 'apiVersion'));
    if (!kind || !apiVersion) return;
    const metadata = mapOf(doc, map, 'metadata');
    const object: KubeObject = {
      doc, map, kind, apiVersion,
      name: knownString(valueOf(doc, metadata, 'name')),
      namespace: knownString(valueOf(doc, metadata, 'namespace')),
      templated: containsTemplate(map),
    };
    this.objects.push(object);
    if ((kind === 'List' || kind.endsWith('List')) && depth < 3) {
      for (const item of seqOf(doc, map, 'items')) this.addObject(doc, item, depth + 1);
      return;
    }
    const podSpec = this.podSpecOf(object);
    if (podSpec) this.addPod(object, podSpec.spec, podSpec.template);
    if (kind === 'ConfigMap') {
      const data = mapOf(doc, map, 'data');
      if (data) this.configMaps.push({ object, data });
    }
    if (kind === 'Role' || kind === 'ClusterRole') {
      for (const r of seqOf(doc, map, 'rules')) {
        if (!isMap(r)) continue;
        this.rules.push({ object, map: r, verbs: seqOf(doc, r, 'verbs'), resources: seqOf(doc, r, 'resources'), apiGroups: seqOf(doc, r, 'apiGroups') });
      }
    }
    if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
      const roleRef = mapOf(doc, map, 'roleRef');
      this.bindings.push({
        object,
        roleRef,
        roleName: valueOf(doc, roleRef, 'name'),
        subjects: seqOf(doc, map, 'subjects').filter(isMap).map((s) => ({ map: s as YAMLMap, kind: knownString(valueOf(doc, s, 'kind')), name: valueOf(doc, s, 'name') })),
      });
    }
  }

  /** The pod spec of a workload: by kind, else any `spec.template.spec` with containers (Rollouts, Knative...). */
  private podSpecOf(o: KubeObject): { spec: YAMLMap; template: YAMLMap } | undefined {
    const path = TEMPLATE_PATH[o.kind] ?? ['spec', 'template', 'spec'];
    let node: YAMLMap | undefined = o.map;
    let template = o.map;
    for (const key of path) {
      template = node!;
      node = mapOf(o.doc, node, key);
      if (!node) return undefined;
    }
    const spec = node!;
    return LISTS.some((l) => pairOf(o.doc, spec, l)) ? { spec, template } : undefined;
  }

  private addPod(object: KubeObject, map: YAMLMap, template: YAMLMap): void {
    const doc = object.doc;
    const scPair = pairOf(doc, map, 'securityContext');
    const podSc = deref(doc, scPair?.value);
    const pod: PodSpec = {
      object, map,
      securityContext: isMap(podSc) ? podSc : undefined,
      annotations: mapOf(doc, mapOf(doc, template, 'metadata'), 'annotations'),
      containers: [],
      volumes: seqOf(doc, map, 'volumes').filter(isMap).map((v) => {
        const hp = mapOf(doc, v, 'hostPath');
        return { map: v as YAMLMap, name: knownString(valueOf(doc, v, 'name')), hostPath: hp ? valueOf(doc, hp, 'path') : undefined, hostPathPair: hp ? pairOf(doc, hp, 'path') : undefined };
      }),
    };
    const podUnknown = object.templated || (scPair !== undefined && podSc !== null && !isMap(podSc));
    for (const list of LISTS) {
      for (const c of seqOf(doc, map, list)) {
        if (!isMap(c) || this.containers.length >= MAX_ITEMS) continue;
        const container = this.container(pod, c, list, podUnknown);
        pod.containers.push(container);
        this.containers.push(container);
      }
    }
    this.pods.push(pod);
  }

  private container(pod: PodSpec, map: YAMLMap, list: ContainerList, podUnknown: boolean): Container {
    const doc = pod.object.doc;
    const scPair = pairOf(doc, map, 'securityContext');
    const scNode = deref(doc, scPair?.value);
    const sc = isMap(scNode) ? scNode : undefined;
    const own = (m: YAMLMap | undefined, name: string, level: 'pod' | 'container'): Setting | undefined => {
      const pair = m ? pairOf(doc, m, name) : undefined;
      return pair && m ? { level, map: m, pair, value: deref(doc, pair.value) } : undefined;
    };
    const setting = (name: string) => own(sc, name, 'container') ?? (POD_LEVEL.has(name) ? own(pod.securityContext, name, 'pod') : undefined);
    const seccompOf = (m: YAMLMap | undefined, level: 'pod' | 'container') => {
      const profile = mapOf(doc, m, 'seccompProfile');
      return profile ? own(profile, 'type', level) : undefined;
    };
    const caps = mapOf(doc, sc, 'capabilities');
    return {
      pod, map, list,
      name: knownString(valueOf(doc, map, 'name')),
      image: valueOf(doc, map, 'image'),
      securityContext: sc,
      // no image: a Kustomize patch or overlay fragment, merged into a base this file does not show
      unknown: podUnknown || (scPair !== undefined && scNode !== null && !sc) || !pairOf(doc, map, 'image'),
      setting,
      seccomp: () => seccompOf(sc, 'container') ?? seccompOf(pod.securityContext, 'pod'),
      ports: seqOf(doc, map, 'ports').filter(isMap).map((p) => ({ map: p as YAMLMap, containerPort: pairOf(doc, p, 'containerPort'), hostPort: pairOf(doc, p, 'hostPort') })),
      env: seqOf(doc, map, 'env').filter(isMap).map((e) => ({ map: e as YAMLMap, name: knownString(valueOf(doc, e, 'name')), value: valueOf(doc, e, 'value'), valuePair: pairOf(doc, e, 'value') })),
      mounts: seqOf(doc, map, 'volumeMounts').filter(isMap).map((m) => ({ map: m as YAMLMap, name: knownString(valueOf(doc, m, 'name')), mountPath: knownString(valueOf(doc, m, 'mountPath')), readOnly: pairOf(doc, m, 'readOnly') })),
      capabilitiesAdd: itemsOf(doc, caps ? pairOf(doc, caps, 'add')?.value : undefined).filter((x) => isScalar(x.node)),
    };
  }
}

/** Node agents that need host access by design: CNI plugins, kube-proxy, CSI node plugins, node exporters, log shippers. */
const NODE_AGENT = /^(kube-proxy|calico|cilium|flannel|kube-flannel|weave|canal|antrea|kube-router|aws-node|azure-cni|azure-ip-masq|ip-masq|node-exporter|prometheus-node-exporter|node-local-dns|nodelocaldns|csi-|ebs-csi|efs-csi|gce-pd|kindnet|multus|konnectivity|fluent-bit|fluentd|nvidia-device-plugin|metallb-speaker)/;

/**
 * Known system workloads that need host access: a node agent's name in `kube-system` (or the CNI
 * namespaces), or a node agent DaemonSet anywhere (node exporters usually live in `monitoring`).
 */
export function isSystemWorkload(o: KubeObject): boolean {
  const name = (o.name ?? '').toLowerCase();
  if (!NODE_AGENT.test(name)) return false;
  return o.namespace === 'kube-system' || o.namespace === 'calico-system' || o.namespace === 'tigera-operator' || o.kind === 'DaemonSet';
}

/** Severity for host-access findings: a hint for known system workloads that need that access by design. */
export function hostAccessSeverity(o: KubeObject, otherwise: Severity): Severity {
  return isSystemWorkload(o) ? 'hint' : otherwise;
}

/** Kubernetes' own roles (`system:...`), reproduced in cluster dumps: not the author's decisions. */
export function isSystemRole(o: KubeObject): boolean {
  return (o.name ?? '').startsWith('system:');
}

/** The known string values of a sequence of scalars, with their nodes. */
export function strings(nodes: YNode[]): { value: string; node: YNode }[] {
  const out: { value: string; node: YNode }[] = [];
  for (const node of nodes) {
    const value = knownString(node);
    if (value !== undefined) out.push({ value, node });
  }
  return out;
}
