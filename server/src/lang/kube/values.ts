import { splitImage } from '../image-ref';
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
  const { name, tag, digest } = splitImage(s);
  // placeholders (`<image_url>`, `YOUR_IMAGE`) are not references: repository names are lower case
  if (name === '' || !/^[a-z0-9][a-z0-9._/:-]*$/.test(name)) return undefined;
  return { name, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Docker Hub official images, pulled by their bare name (a bare name that is none of these is a build tool's placeholder). */
const OFFICIAL_IMAGES = new Set(['alpine', 'busybox', 'ubuntu', 'debian', 'centos', 'fedora', 'rockylinux', 'almalinux', 'amazonlinux',
  'oraclelinux', 'photon', 'nginx', 'httpd', 'caddy', 'traefik', 'haproxy', 'redis', 'postgres', 'mysql', 'mariadb', 'mongo', 'memcached',
  'rabbitmq', 'elasticsearch', 'kibana', 'logstash', 'cassandra', 'couchdb', 'couchbase', 'influxdb', 'telegraf', 'chronograf', 'consul',
  'vault', 'registry', 'node', 'python', 'pypy', 'golang', 'openjdk', 'eclipse-temurin', 'amazoncorretto', 'ibmjava', 'ruby', 'php',
  'perl', 'rust', 'erlang', 'elixir', 'haskell', 'swift', 'dart', 'julia', 'r-base', 'gcc', 'clojure', 'groovy', 'maven', 'gradle',
  'wordpress', 'ghost', 'drupal', 'joomla', 'nextcloud', 'owncloud', 'mediawiki', 'redmine', 'jenkins', 'sonarqube', 'zookeeper',
  'solr', 'tomcat', 'jetty', 'adminer', 'phpmyadmin', 'mongo-express', 'docker', 'neo4j', 'nats', 'eclipse-mosquitto', 'kong',
  'matomo', 'odoo', 'percona', 'postfixadmin', 'rethinkdb', 'arangodb', 'orientdb', 'crate', 'storm', 'flink', 'spark', 'bash',
  'hello-world', 'teamspeak', 'irssi', 'varnish', 'nginx-unprivileged', 'bonita', 'convertigo', 'friendica', 'geonetwork', 'silverpeas',
  'xwiki', 'yourls', 'znc', 'kapacitor', 'emqx', 'api-firewall', 'unit', 'busybox-musl', 'clearlinux', 'mageia', 'archlinux',
  'opensuse', 'backdrop', 'aerospike']);

/** Why an image reference is not pinned (`untagged` or `latest`), or undefined when it is. */
export function unpinned(ref: string): 'untagged' | 'latest' | undefined {
  if (ref.includes('://')) return undefined; // ko://, a build tool's reference
  const image = parseImageRef(ref);
  if (!image || image.digest) return undefined;
  if (image.name === 'scratch') return undefined;
  // `emailservice`: a name skaffold, Tilt or kustomize `images:` rewrites at deploy time, not a pull
  if (!image.name.includes('/') && !OFFICIAL_IMAGES.has(image.name)) return undefined;
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
/** Host trees that control the node wherever one mounts into them. */
const SENSITIVE_TREES = ['/proc', '/sys', '/dev', '/boot', '/root', '/lib', '/lib64', '/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/lib',
  '/usr/local/bin', '/usr/libexec/kubernetes', '/var/lib/kubelet', '/var/lib/docker', '/var/lib/containerd', '/var/lib/crio', '/var/lib/etcd',
  '/etc/kubernetes', '/etc/ssh', '/etc/sudoers.d', '/etc/cron.d', '/etc/systemd', '/etc/docker', '/etc/containerd', '/etc/cni', '/etc/pam.d',
  '/etc/profile.d', '/etc/init.d', '/etc/security', '/run/containerd', '/var/run/containerd'];
/**
 * Paths sensitive only as a whole: their subdirectories are routinely an application's own data
 * (`/etc/nginx`, `/home/me/app/data`, `/usr/share/appdata`) and lock files (`/run/xtables.lock`).
 */
const SENSITIVE_EXACT = ['/', '/etc', '/usr', '/var', '/run', '/var/run', '/home', '/etc/shadow', '/etc/passwd', '/etc/group', '/etc/sudoers',
  '/etc/crontab', '/etc/ld.so.preload'];
/** Credentials in a home directory. */
const CREDENTIAL_DIRS = new Set(['.ssh', '.aws', '.kube', '.docker', '.gnupg', '.config']);
/** Host files mounted everywhere for logging, the time zone or CA certificates: harmless. */
const BENIGN = /^\/(dev\/log$|etc\/(localtime|timezone)$)/;

/** What makes a host path sensitive: a container runtime socket, or a system directory; undefined when it is not. */
export function sensitiveHostPath(path: string): 'socket' | 'directory' | undefined {
  if (path.length > 4096 || !path.startsWith('/')) return undefined;
  const p = path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
  const parts = p.split('/');
  const base = parts[parts.length - 1];
  if (RUNTIME_SOCKETS.includes(base)) return 'socket';
  if (BENIGN.test(p)) return undefined;
  if (SENSITIVE_EXACT.includes(p)) return 'directory';
  // a whole home directory (`/home/alice`), or credentials in one
  if (parts[1] === 'home' && (parts.length === 3 || parts.slice(3).some((x) => CREDENTIAL_DIRS.has(x)))) return 'directory';
  return SENSITIVE_TREES.some((t) => p === t || p.startsWith(t + '/')) ? 'directory' : undefined;
}

/** A compose short volume `host:container[:mode]`, split; undefined for named volumes and Windows paths. */
export function composeBind(spec: string): { host: string; container: string; mode?: string } | undefined {
  if (spec.length > 4096 || !spec.startsWith('/')) return undefined;
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) return undefined;
  return { host: parts[0], container: parts[1], ...(parts[2] !== undefined ? { mode: parts[2] } : {}) };
}
