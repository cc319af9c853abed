// How Docker Engine on a node reaches a registry, from what it reports (GET /info) and what
// it reads (/etc/docker/certs.d): its registry-mirrors are tried first, and for Docker Hub
// only (Docker applies them to docker.io alone); a registry listed among its insecure
// registries (host[:port], or an IP in a listed CIDR; 127.0.0.0/8 by default) is spoken
// to over plain HTTP; for the others it trusts the node's system CAs plus every *.crt in
// /etc/docker/certs.d/HOST[:PORT]/ of the endpoint.
import type { NodeRegistryEndpoint, NodeRegistryRoute } from './types.js';
import { registryEndpointHost } from '../transport/registry-requests.js';

export const NODE_DOCKER_CERTS_DIRECTORY = '/etc/docker/certs.d';

/**
 * Whether the node's Docker speaks plain HTTP to `registry` (host[:port]): listed as is, or an
 * IP literal inside a listed CIDR (Docker lists 127.0.0.0/8 by default). Host names are not
 * resolved: the controller's DNS answer need not be the node's.
 */
export function isInsecureRegistry(registry: string, insecureRegistries: readonly string[]): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  const address = host === 'localhost' ? '127.0.0.1' : host;
  return insecureRegistries.some((entry) => entry === registry || entry === host || (entry.includes('/') && ipv4InCidr(address, entry)));
}

function ipv4InCidr(address: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const ip = ipv4ToNumber(address);
  const net = ipv4ToNumber(base ?? '');
  const bits = Number(bitsText);
  if (ip === undefined || net === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ip & mask) >>> 0 === (net & mask) >>> 0;
}

function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** The endpoints Docker tries for `registry`, in order, before their certificates are read. */
export function dockerRegistryEndpoints(
  registry: string,
  info: { insecureRegistries: readonly string[]; registryMirrors?: readonly string[] },
): Omit<NodeRegistryEndpoint, 'caCertificates' | 'trustSource'>[] {
  const mirrors = registry === 'docker.io' ? (info.registryMirrors ?? []) : [];
  const out = mirrors.map((mirror) => {
    const url = new URL(mirror);
    return { url: url.origin, mirror: true, insecure: url.protocol === 'http:' || isInsecureRegistry(url.host, info.insecureRegistries) };
  });
  const insecure = isInsecureRegistry(registry, info.insecureRegistries);
  out.push({ url: `${insecure ? 'http' : 'https'}://${registryEndpointHost(registry)}`, mirror: false, insecure });
  return out;
}

/**
 * A shell script printing each `*.crt` of certs.d/HOST for every HOST given as an argument,
 * each as `== HOST FILE` then its text; the folder comes as "$1", hosts after it.
 */
export const LIST_CERTS_D =
  'dir=$1; shift; for h in "$@"; do for f in "$dir/$h"/*.crt; do [ -f "$f" ] || continue; printf "== %s %s\\n" "$h" "$f"; cat "$f"; echo; done; done';

/** Parses what LIST_CERTS_D printed: PEM texts per host, with the files they came from. */
export function parseCertsListing(text: string): Map<string, { files: string[]; pems: string[] }> {
  const out = new Map<string, { files: string[]; pems: string[] }>();
  let current: { files: string[]; pems: string[] } | undefined;
  let buffer = '';
  const flush = () => {
    if (current) current.pems.push(...(buffer.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []));
    buffer = '';
  };
  for (const line of text.split('\n')) {
    const header = /^== (\S+) (.+)$/.exec(line);
    if (header) {
      flush();
      current = out.get(header[1]) ?? { files: [], pems: [] };
      current.files.push(header[2]);
      out.set(header[1], current);
    } else buffer += `${line}\n`;
  }
  flush();
  return out;
}

/** The routes for `registries` once the certs.d listing of the endpoints is known. */
export function dockerRegistryRoutes(
  registries: readonly string[],
  info: { insecureRegistries: readonly string[]; registryMirrors?: readonly string[] },
  certs: ReadonlyMap<string, { files: string[]; pems: string[] }>,
): NodeRegistryRoute[] {
  return registries.map((registry) => ({
    registry,
    endpoints: dockerRegistryEndpoints(registry, info).map((endpoint) => {
      const host = new URL(endpoint.url).host;
      return { ...endpoint, caCertificates: certs.get(host)?.pems ?? [], trustSource: `${NODE_DOCKER_CERTS_DIRECTORY}/${host}/` };
    }),
  }));
}

/** Every endpoint host of `registries` that is spoken to over TLS: the certs.d folders worth reading. */
export function tlsEndpointHosts(
  registries: readonly string[],
  info: { insecureRegistries: readonly string[]; registryMirrors?: readonly string[] },
): string[] {
  return [
    ...new Set(
      registries.flatMap((r) =>
        dockerRegistryEndpoints(r, info)
          .filter((e) => !e.insecure)
          .map((e) => new URL(e.url).host),
      ),
    ),
  ];
}
