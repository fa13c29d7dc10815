/**
 * Container image references, as Dockerfiles, Kubernetes manifests and compose files write them.
 * Takes one already-extracted value (bounded input).
 */

/** `registry:5000/team/app:1.2@sha256:...` -> name, tag and digest (the port's colon is not a tag). */
export function splitImage(ref: string): { name: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const rest = at >= 0 ? ref.slice(0, at) : ref;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const tag = colon > slash ? rest.slice(colon + 1) : undefined;
  const name = colon > slash ? rest.slice(0, colon) : rest;
  return { name, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}
