// What the relay holds for a run: manifests (exact bytes) and blobs (one download each,
// shared by every reader), fetched from the origins on first request or by prefetch.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobFanout, MemoryBudget } from './blob-fanout.js';
import { RelayUsageError } from './errors.js';
import type { RegistryManifest, RegistryOrigin } from '../transport/registry.js';
import { forEachAtMost } from '../base/at-most.js';

export interface RelayStats {
  /** Blob and manifest bytes received from the origins. */
  originBytes: number;
  /** Blob and manifest bytes sent to nodes. */
  servedBytes: number;
  /** Distinct blobs fetched from the origins (a failed fetch that was retried counts twice). */
  blobs: number;
  /** Blob requests from nodes, including HEADs. */
  blobRequests: number;
  manifests: number;
  manifestRequests: number;
  failedBlobs: number;
}

export interface RelayCacheOptions {
  origins: ReadonlyMap<string, RegistryOrigin>;
  memoryLimit: number;
  log: (line: string) => void;
}

export class RelayCache {
  private readonly options: RelayCacheOptions;
  private readonly budget: MemoryBudget;
  private readonly manifests = new Map<string, Promise<RegistryManifest>>();
  private readonly blobs = new Map<string, Promise<BlobFanout>>();
  /** Every blob download started, failed ones included, for the byte count. */
  private readonly fetched: BlobFanout[] = [];
  private manifestBytes = 0;
  private spillDir?: Promise<string>;
  private closed = false;
  /** Counts kept by the cache and the server; originBytes is filled in by stats(). */
  readonly counters: RelayStats = { originBytes: 0, servedBytes: 0, blobs: 0, blobRequests: 0, manifests: 0, manifestRequests: 0, failedBlobs: 0 };

  stats(): RelayStats {
    const blobBytes = this.fetched.reduce((sum, fanout) => sum + fanout.bytesReceived, 0);
    return { ...this.counters, originBytes: this.manifestBytes + blobBytes };
  }

  constructor(options: RelayCacheOptions) {
    this.options = options;
    this.budget = new MemoryBudget(options.memoryLimit);
  }

  origin(host: string): RegistryOrigin {
    const origin = this.options.origins.get(host);
    if (!origin) throw new RelayUsageError(`the relay has no origin ${host}`, `start the relay with ${host} among its origins`);
    return origin;
  }

  /** A manifest, fetched once per (repo, reference, accepted types) for the whole run, so every node gets the same digest. */
  manifest(host: string, repo: string, reference: string, accept: string): Promise<RegistryManifest> {
    this.assertOpen();
    // Docker lists the accepted types in a random order (a Go map): sort them for the key.
    const types = accept
      .split(',')
      .map((type) => type.trim())
      .filter(Boolean)
      .sort()
      .join(',');
    const key = `${host}/${repo}\n${reference}\n${types}`;
    let pending = this.manifests.get(key);
    if (!pending) {
      pending = this.origin(host).getManifest(repo, reference, accept);
      this.manifests.set(key, pending);
      pending.then(
        (manifest) => {
          this.counters.manifests++;
          this.manifestBytes += manifest.body.length;
          // Once its digest is known, the same bytes answer a request by digest.
          if (!reference.startsWith('sha256:')) this.manifests.set(`${host}/${repo}\n${manifest.digest}\n${types}`, pending!);
        },
        // Not cached: the next request asks the origin again.
        () => this.manifests.delete(key),
      );
    }
    return pending;
  }

  /**
   * The blob's fan-out, starting its download if nobody has. Resolves once the origin has
   * answered (the size is known), long before the blob is complete.
   */
  blob(host: string, repo: string, digest: string): Promise<BlobFanout> {
    this.assertOpen();
    let pending = this.blobs.get(digest);
    if (!pending) {
      pending = this.download(host, repo, digest);
      this.blobs.set(digest, pending);
      const forget = (): void => {
        if (this.blobs.get(digest) === pending) this.blobs.delete(digest);
      };
      pending.then(
        (fanout) =>
          fanout.done.catch(() => {
            forget();
            void fanout.dispose();
          }),
        forget,
      );
    }
    return pending;
  }

  /** Fetches blobs in the given order, `concurrency` at a time; blobs nodes ask for meanwhile start at once. */
  async prefetch(items: ReadonlyArray<{ origin: string; repo: string; digest: string }>, concurrency: number): Promise<void> {
    await forEachAtMost(
      items,
      concurrency,
      async (item) => {
        try {
          const fanout = await this.blob(item.origin, item.repo, item.digest);
          await fanout.done;
        } catch {
          // Logged by download(); the node that needs the blob retries it on demand.
        }
      },
      () => this.closed,
    );
  }

  private async download(host: string, repo: string, digest: string): Promise<BlobFanout> {
    const origin = this.origin(host);
    const spillDir = await this.ensureSpillDir();
    let response;
    try {
      response = await origin.getBlob(repo, digest);
    } catch (error) {
      this.counters.failedBlobs++;
      this.options.log(`relay: fetching ${digest.slice(0, 19)} of ${host}/${repo} failed: ${(error as Error).message}`);
      throw error;
    }
    this.counters.blobs++;
    const fanout = new BlobFanout({ digest, size: response.size, budget: this.budget, spillDir, origin: host, repo });
    this.fetched.push(fanout);
    // The first body is the one just opened; after a break, ask the origin for the rest.
    let first: typeof response.body | undefined = response.body;
    const bodyFrom = async (offset: number) => {
      const body = first ?? (await origin.getBlob(repo, digest, offset)).body;
      first = undefined;
      if (offset > 0) this.options.log(`relay: resuming ${digest.slice(0, 19)} of ${host}/${repo} from byte ${offset}`);
      return body;
    };
    fanout.consume(bodyFrom).catch((error: Error) => {
      this.counters.failedBlobs++;
      this.options.log(`relay: blob ${digest.slice(0, 19)} of ${host}/${repo} failed: ${error.message}`);
    });
    return fanout;
  }

  private ensureSpillDir(): Promise<string> {
    this.spillDir ??= mkdtemp(join(tmpdir(), 'hound-relay-'));
    return this.spillDir;
  }

  private assertOpen(): void {
    if (this.closed) throw new RelayUsageError('the relay is closed', 'start a new relay for this run');
  }

  async close(): Promise<void> {
    this.closed = true;
    const fanouts = await Promise.allSettled([...this.blobs.values()]);
    await Promise.all(fanouts.flatMap((f) => (f.status === 'fulfilled' ? [f.value.dispose()] : [])));
    this.blobs.clear();
    this.manifests.clear();
    if (this.spillDir) await rm(await this.spillDir, { recursive: true, force: true });
  }
}
