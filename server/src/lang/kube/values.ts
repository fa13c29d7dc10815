import { known, type YNode } from './yaml';

/**
 * Facts about single values that several rules read: booleans as Kubernetes decodes them, image
 * references, port numbers, user ids. Each takes one already-extracted value (bounded input).
 */

/** true / false when the node is a known boolean (YAML 1.1: `yes`, `on`...); undefined otherwise. */
export function boolOf(node: YNode | null | undefined): boolean | undefined {
  const v = known(node);
  return typeof v === 'boolean' ? v : undefined;
}

export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

/** Splits `registry:5000/ns/name:tag@sha256:...`; undefined for variables or anything that is not a reference. */
export function parseImageRef(ref: string): ImageRef | undefined {
  const s = ref.trim();
  if (s === '' || s.length > 512 || /[\s${}]/.test(s)) return undefined;
  const at = s.indexOf('@');
  const digest = at >= 0 ? s.slice(at + 1) : undefined;
  const rest = at >= 0 ? s.slice(0, at) : s;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const tag = colon > slash ? rest.slice(colon + 1) : undefined;
  const name = colon > slash ? rest.slice(0, colon) : rest;
  if (name === '') return undefined;
  return { name, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Why an image reference is not pinned (`untagged` or `latest`), or undefined when it is. */
export function unpinned(ref: string): 'untagged' | 'latest' | undefined {
  const image = parseImageRef(ref);
  if (!image || image.digest) return undefined;
  if (image.name === 'scratch') return undefined;
  if (image.tag === undefined) return 'untagged';
  return image.tag === 'latest' ? 'latest' : undefined;
}

/** A port number from a number or a numeric string. */
export function portOf(node: YNode | null | undefined): number | undefined {
  const v = known(node);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d{1,5}$/.test(v)) return Number(v);
  return undefined;
}

/**
 * The container side of a compose short port mapping as written: `22`, `2222:22`, `127.0.0.1:2222:22/tcp`,
 * `20-25:20-25`. Returns the container port range [from, to].
 */
export function composeContainerPorts(spec: string): [number, number] | undefined {
  const s = spec.trim().replace(/\/(tcp|udp|sctp)$/i, '');
  if (s.length > 100) return undefined;
  const last = s.slice(s.lastIndexOf(':') + 1);
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(last);
  if (!m) return undefined;
  const from = Number(m[1]);
  return [from, m[2] ? Number(m[2]) : from];
}

/** A compose `user:` that is root: `root`, `0`, `0:0`, `root:root`, `0:1000`... */
export function isRootUser(user: string): boolean {
  const u = user.trim().split(':')[0];
  return u === 'root' || u === '0';
}

const RUNTIME_SOCKETS = ['docker.sock', 'containerd.sock', 'crio.sock', 'cri-dockerd.sock', 'podman.sock', 'dockershim.sock'];
/** Host directories whose contents (or whose subtrees) control the node. */
const SENSITIVE_TREES = ['/etc', '/proc', '/sys', '/root', '/home', '/boot', '/dev', '/usr', '/lib', '/lib64', '/bin', '/sbin',
  '/var/lib/kubelet', '/var/lib/docker', '/var/lib/containerd', '/var/lib/crio', '/etc/kubernetes', '/var/lib/etcd'];
/** Directories sensitive only as a whole (their subpaths are routinely mounted: lock files, log folders). */
const SENSITIVE_EXACT = ['/', '/var', '/run', '/var/run', '/var/log'];
/** Host files that are mounted everywhere for the time zone or CA certificates, harmless. */
const BENIGN = /^\/(etc\/(localtime|timezone|ssl(\/|$)|pki(\/|$)|ca-certificates(\/|$))|usr\/share\/(zoneinfo|ca-certificates)(\/|$))/;

/** What makes a host path sensitive: a container runtime socket, or a system directory; undefined when it is not. */
export function sensitiveHostPath(path: string): 'socket' | 'directory' | undefined {
  if (path.length > 4096 || !path.startsWith('/')) return undefined;
  const p = path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (RUNTIME_SOCKETS.includes(base)) return 'socket';
  if (BENIGN.test(p)) return undefined;
  if (SENSITIVE_EXACT.includes(p)) return 'directory';
  return SENSITIVE_TREES.some((t) => p === t || p.startsWith(t + '/')) ? 'directory' : undefined;
}

/** A compose short volume `host:container[:mode]`, split; undefined for named volumes and Windows paths. */
export function composeBind(spec: string): { host: string; container: string; mode?: string } | undefined {
  if (spec.length > 4096 || !spec.startsWith('/')) return undefined;
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) return undefined;
  return { host: parts[0], container: parts[1], ...(parts[2] !== undefined ? { mode: parts[2] } : {}) };
}
