// podman's own pull endpoint (libpod's POST /images/pull), used where the Docker-compatible
// one cannot go: a registry on the node's loopback that speaks plain HTTP, as hound's relay
// does, and a pull told whether to verify TLS (podman_image's validate_certs, podman pull's
// --tls-verify). The compatible endpoint takes no TLS setting and podman, unlike Docker, does
// not treat loopback registries as insecure; registries.conf could say so, but a running
// service reads it once, and hound would have to change the node's files. `tlsVerify` on this
// one pull does it and leaves nothing behind. Its stream names each blob as containers/image
// copies it, with no byte counts.
import type { DockerProgressLine } from '../docker-pull-progress.js';
import type { PullEndpoint } from '../docker.js';
import { parsePlatform } from '../../transport/registry.js';

const COPYING_BLOB = /^Copying blob (?:sha256:)?([0-9a-f]{12})[0-9a-f]*( skipped: already exists)?/;

/** One line of libpod's pull stream as a Docker progress line: a blob fetched or found, or the error. */
export function translateLibpodLine(line: Record<string, unknown>): DockerProgressLine | undefined {
  if (typeof line.error === 'string') return { error: line.error };
  if (typeof line.stream !== 'string') return undefined;
  const blob = COPYING_BLOB.exec(line.stream.trim());
  if (!blob) return undefined;
  return { id: blob[1], status: blob[2] ? 'Already exists' : 'Pulling fs layer' };
}

/**
 * The libpod pull of `reference` for the node's platform unless one is named: `tlsVerify`
 * false allows plain HTTP or TLS without verification, true requires verified TLS.
 */
export function libpodPullEndpoint(reference: string, tlsVerify: boolean, platform?: string): PullEndpoint {
  const query: Record<string, string> = { reference, tlsVerify: String(tlsVerify), quiet: 'false' };
  if (platform !== undefined) {
    const p = parsePlatform(platform);
    query.OS = p.os;
    query.Arch = p.architecture;
    if (p.variant !== undefined) query.Variant = p.variant;
  }
  // podman routes its own endpoints under a version prefix only.
  return { path: '/v4.0.0/libpod/images/pull', query, translate: translateLibpodLine };
}
