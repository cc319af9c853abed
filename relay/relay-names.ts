// How an origin image is named when pulled through the relay:
//
//     <origin-host>[:port]/<repo>:<tag>  →  127.0.0.1:<node-port>/<run-token>/<origin-slug>/<repo>:<tag>
//
// The run token is random per relay: a process on a node that finds the forwarded port
// still has to guess it before the relay fetches anything with the controller's
// credentials. The origin slug is the registry host with its port joined by `_`
// (`10.0.0.1:5000` → `10.0.0.1_5000`), which is a valid repository path component;
// hosts that do not fit (IPv6 literals, clashes) get `origin<N>`.
import { randomBytes } from 'node:crypto';
import type { ImageRef } from '../base/image-ref.js';
import type { NodeDocker } from '../runtime/types.js';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export interface RelayTarget {
  origin: string;
  repo: string;
}

export class RelayNames {
  readonly token: string;
  private readonly slugByOrigin = new Map<string, string>();
  private readonly originBySlug = new Map<string, string>();

  // `h` and 24 hex digits: isAnyRunsRelayName knows a run's names by that shape.
  constructor(token = 'h' + randomBytes(12).toString('hex')) {
    this.token = token;
  }

  /** The slug for an origin registry host, registering it on first use. */
  slugFor(origin: string): string {
    const known = this.slugByOrigin.get(origin);
    if (known) return known;
    let slug = origin.toLowerCase().replace(/:(\d+)$/, '_$1');
    if (!PATH_COMPONENT.test(slug) || this.originBySlug.has(slug) || slug === this.token) slug = `origin${this.slugByOrigin.size}`;
    this.slugByOrigin.set(origin, slug);
    this.originBySlug.set(slug, origin);
    return slug;
  }

  /** The repository as a node's Docker names it, without tag or digest. */
  relayRepository(port: number, ref: ImageRef): string {
    return `127.0.0.1:${port}/${this.token}/${this.slugFor(ref.domain)}/${ref.path}`;
  }

  /** The reference a node pulls: the relay repository with the tag, else the digest. */
  relayReference(port: number, ref: ImageRef): string {
    return this.relayReferenceAt(`127.0.0.1:${port}`, ref);
  }

  /** The repository path under any registry that serves the relay's names (a fan-out seed): `<token>/<slug>/<repo>`. */
  relayPath(ref: ImageRef): string {
    return `${this.token}/${this.slugFor(ref.domain)}/${ref.path}`;
  }

  /** The relay's name for `ref` at `registry` (host:port): the node's forward, or a fan-out seed. */
  relayReferenceAt(registry: string, ref: ImageRef): string {
    const repository = `${registry}/${this.relayPath(ref)}`;
    return ref.tag !== undefined ? `${repository}:${ref.tag}` : `${repository}@${ref.digest}`;
  }

  /** The origin behind a repository name in a request path, or undefined when it is not ours. */
  resolve(name: string): RelayTarget | undefined {
    const parts = name.split('/');
    if (parts.length < 3 || parts[0] !== this.token) return undefined;
    const origin = this.originBySlug.get(parts[1]);
    if (origin === undefined) return undefined;
    return { origin, repo: parts.slice(2).join('/') };
  }
}

/**
 * True for RepoTags/RepoDigests entries that a relay's names left on a node (through its
 * forward or a seed), this run's or any other's (a registry at host:port, then a
 * token of the shape RelayNames makes): a run killed between its pull and its clean-up left
 * its own, which only a later run can take off.
 */
export function isAnyRunsRelayName(name: string): boolean {
  return /^[^/]+:\d+\/h[0-9a-f]{24}\//.test(name);
}

/**
 * Takes every relay-shaped name (isAnyRunsRelayName) off the image `reference` names on the
 * node, one at a time, looking again after each: removing a repository's last tag makes
 * Docker drop that repository's digest references too. Another run pulling the same image on
 * the same node at this moment may lose its name before it tags from it; its pull is then
 * tried again.
 */
export async function removeRelayNames(docker: Pick<NodeDocker, 'inspectImage' | 'removeImage'>, reference: string): Promise<void> {
  for (let round = 0; round < 16; round++) {
    const image = await docker.inspectImage(reference);
    const relayName = [...(image?.repoTags ?? []), ...(image?.repoDigests ?? [])].find((name) => isAnyRunsRelayName(name));
    if (relayName === undefined) return;
    await docker.removeImage(relayName);
  }
}
