// The controller's side of a seed registry: transport/'s registry client, pushing over TLS
// with the run's CA and client certificate alone, through TCP streams the seed's own SSH
// connection opens (direct-tcpip). So the controller needs no route to the seed's port, and
// the bytes it pushes cross its link once per seed. The client's errors come back as
// SeedError: the fan-out falls back to the relay for that seed.
import type { Readable } from 'node:stream';
import type { HostConnection } from '../transport/types.js';
import { RegistryClient, type RegistryRoute } from '../transport/registry.js';
import { HoundError, EXIT } from '../base/errors.js';

export interface SeedTls {
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

export class SeedError extends HoundError {
  constructor(seed: string, message: string, cause?: unknown) {
    super('FANOUT_SEED_FAILED', `seed ${seed}: ${message}`, EXIT.ERROR, {
      hint: 'the seed registry is down or refused the request; the run falls back to the relay for that seed',
      cause,
    });
  }
}

/** TLS to the seed itself: no mirror, no insecure route, no credentials beyond the client certificate. */
const SEED_ROUTE: RegistryRoute = {};

export class SeedClient {
  private readonly registry: RegistryClient;

  constructor(
    connection: HostConnection,
    readonly address: { ip: string; port: number },
    credentials: SeedTls,
  ) {
    this.registry = new RegistryClient({
      connect: (host, port) => connection.openTcp(host, port),
      trust: { pinned: credentials },
      dockerConfigPath: false,
      proxy: {},
    });
  }

  get hostPort(): string {
    return `${this.address.ip}:${this.address.port}`;
  }

  /** Whether the registry answers /v2/ (over TLS, with the run's client certificate). */
  answers(): Promise<boolean> {
    return this.registry.answers(this.hostPort, SEED_ROUTE);
  }

  /**
   * Puts a blob into `repo`: a cross-repository mount when another repository of the seed
   * already holds it, else a monolithic upload streamed from `open()`.
   */
  pushBlob(repo: string, blob: { digest: string; size: number }, open: () => Promise<Readable>, mountFrom?: string): Promise<'mounted' | 'uploaded'> {
    return this.seedError(this.registry.pushBlob(this.hostPort, repo, blob, open, SEED_ROUTE, mountFrom));
  }

  /** Puts a manifest's exact bytes under `reference` (a tag, or its digest). */
  pushManifest(repo: string, reference: string, manifest: { body: Buffer; contentType: string; digest: string }): Promise<void> {
    return this.seedError(this.registry.pushManifest(this.hostPort, repo, reference, manifest, SEED_ROUTE));
  }

  private async seedError<T>(pending: Promise<T>): Promise<T> {
    try {
      return await pending;
    } catch (error) {
      throw new SeedError(this.hostPort, error instanceof Error ? error.message : String(error), error);
    }
  }
}
