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
