// Fan-out inside the cluster: the relay fetches each layer from the origin once, hound pushes
// it once to each of a few seed nodes, and every other node pulls from its seed, so the
// controller's link carries each layer about once per seed instead of once per node. The
// seeds run a registry container from an image the user names (the Distribution registry)
// for the run only, with TLS from a per-run CA that the nodes trust for the seed's address
// only, and client certificates the run's nodes alone hold. Design and threat model:
// docs/distribution.md.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { HostConnection } from '../transport/types.js';
import type { NodeDocker, PullResult } from '../runtime/types.js';
import { parseImageRef } from '../base/image-ref.js';
import { sleep } from '../base/sleep.js';
import type { Relay, RelayPullOptions } from './relay.js';
import type { RelaySchedule } from './schedule.js';
import { createRunCertificateAuthority } from './run-ca.js';
import { SeedClient, SeedError } from './seed-client.js';
import {
  createSeedContainer,
  notePulledImage,
  prepareSeedFiles,
  removeLeftovers,
  removeSeedTrust,
  startSeedContainer,
  stopSeed,
  surveyNode,
  writeSeedTrust,
  type RunningSeed,
} from './seed-node.js';
import { assignSeeds } from './seed-plan.js';

export interface FanoutNode {
  host: string;
  connection: HostConnection;
  docker: NodeDocker;
  /** The node's Docker socket (for the docker command line on the node). */
  socketPath: string;
  /** The address other nodes reach this node at (its inventory address). */
  address: string;
  /** Images this node pulls in the run (relay-servable references). */
  images: readonly string[];
}

export interface StartFanoutOptions {
  relay: Relay;
  schedule: RelaySchedule;
  nodes: readonly FanoutNode[];
  /** The registry image the seeds run (e.g. registry:2), pulled through the relay when its registry is one of the relay's origins. */
  seedImage: string;
  seeds: number;
  platform?: string;
  log: (line: string) => void;
  /** Time allowed for a seed's registry to answer after its container starts (default 30 s). */
  seedStartTimeoutMs?: number;
}

export interface FanoutStats {
  runId: string;
  seeds: string[];
  /** Blob bytes pushed to seeds (crossing the controller's link). */
  pushedBytes: number;
  mountedBlobs: number;
  /** Pulls that went through the relay because their seed was not up. */
  fallbacks: number;
  leftoversRemoved: number;
}

export interface Fanout {
  readonly runId: string;
  /** Pulls through the node's seed; through the relay when the seed could not be started or fed. */
  pull(host: string, reference: string, options?: RelayPullOptions): Promise<PullResult>;
  stats(): FanoutStats;
  /** Stops every seed, removes its image if the run pulled it, and every node's trust of the seeds. */
  close(): Promise<void>;
}

export function startFanout(options: StartFanoutOptions): Fanout {
  return new RunFanout(options);
}

const FEED_CONCURRENCY = 3;

class Seed {
  readonly children: FanoutNode[] = [];
  client?: SeedClient;
  running?: RunningSeed;
  pulledImage?: string;
  /** Settles when the registry answers (or fails to start). */
  up!: Promise<SeedClient>;
  /** Per image reference: settles when the seed holds all its blobs and its manifest. */
  readonly gates = new Map<string, Promise<void>>();
  readonly trusted = new Map<string, Promise<void>>();
  constructor(readonly node: FanoutNode) {}
}

class RunFanout implements Fanout {
  readonly runId = `f${randomBytes(5).toString('hex')}`;
  private readonly ca = createRunCertificateAuthority(this.runId);
  private readonly client = this.ca.issueClient();
  private readonly seedOf = new Map<string, Seed>();
  private readonly seeds: Seed[] = [];
  private readonly abort = new AbortController();
  private readonly swept: Promise<void>;
  private readonly counters = { pushedBytes: 0, mountedBlobs: 0, fallbacks: 0, leftoversRemoved: 0 };
  private closed = false;

  constructor(private readonly o: StartFanoutOptions) {
    const assignment = assignSeeds(
      o.nodes.map((n) => n.host),
      o.seeds,
    );
    const byHost = new Map(o.nodes.map((n) => [n.host, n]));
    for (const [seedHost, children] of assignment) {
      const seed = new Seed(byHost.get(seedHost)!);
      this.seeds.push(seed);
      for (const child of children) {
        seed.children.push(byHost.get(child)!);
        this.seedOf.set(child, seed);
      }
    }
    this.swept = this.sweep();
    for (const seed of this.seeds) {
      seed.up = this.swept.then(() => this.startSeed(seed));
      seed.up.catch((error: unknown) => o.log(`fan-out: seed ${seed.node.host} is not available (${message(error)}); its nodes pull through the relay`));
      this.feed(seed);
    }
  }

  stats(): FanoutStats {
    return { runId: this.runId, seeds: this.seeds.map((s) => s.client?.hostPort ?? `${s.node.host} (down)`), ...this.counters };
  }

  async pull(host: string, reference: string, options: RelayPullOptions = {}): Promise<PullResult> {
    const seed = this.seedOf.get(host);
    const node = seed?.children.find((c) => c.host === host);
    if (!seed || !node) throw new SeedError(host, 'the node is not part of this fan-out run');
    let via: string | undefined;
    try {
      const client = await seed.up;
      await this.trust(seed, node, client);
      await (seed.gates.get(reference) ?? Promise.reject(new SeedError(seed.node.host, `it was not fed ${reference}`)));
      via = client.hostPort;
    } catch (error) {
      this.counters.fallbacks++;
      this.o.log(`fan-out: ${host} pulls ${reference} through the relay: ${message(error)}`);
    }
    return this.o.relay.pullThroughRelay(host, node.docker, reference, { ...options, via });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    await this.swept.catch(() => undefined);
    const work: Promise<unknown>[] = [];
    for (const seed of this.seeds) {
      const client = await seed.up.catch(() => undefined);
      work.push(
        stopSeed(seed.node.connection, { runId: this.runId, socketPath: seed.node.socketPath, removeImage: seed.pulledImage }).catch((error: unknown) =>
          this.o.log(`fan-out: could not remove the seed on ${seed.node.host}: ${message(error)}`),
        ),
      );
      if (seed.running) work.push(seed.running.exited);
      if (client) {
        for (const [host, trusted] of seed.trusted) {
          const node = seed.children.find((c) => c.host === host)!;
          work.push(
            trusted
              .catch(() => undefined)
              .then(() => removeSeedTrust(node.connection, client.hostPort))
              .catch((error: unknown) => this.o.log(`fan-out: could not remove ${host}'s trust of ${client.hostPort}: ${message(error)}`)),
          );
        }
      }
    }
    await Promise.all(work);
  }

  /** Removes what earlier fan-out runs left on these nodes, once no seed of theirs runs anywhere. */
  private async sweep(): Promise<void> {
    const surveys = await Promise.all(
      this.o.nodes.map((n) =>
        surveyNode(n.connection, n.socketPath).catch((error: unknown) => {
          this.o.log(`fan-out: could not look for leftovers on ${n.host}: ${message(error)}`);
          return { live: new Set<string>(), items: [] as string[] };
        }),
      ),
    );
    const keep = new Set([this.runId, ...surveys.flatMap((s) => [...s.live])]);
    const removed = await Promise.all(
      this.o.nodes.map((n, i) =>
        surveys[i].items.length === 0
          ? Promise.resolve([])
          : removeLeftovers(n.connection, n.socketPath, surveys[i].items, keep).catch((error: unknown) => {
              this.o.log(`fan-out: could not remove leftovers on ${n.host}: ${message(error)}`);
              return [];
            }),
      ),
    );
    this.counters.leftoversRemoved = removed.reduce((sum, r) => sum + r.length, 0);
    if (this.counters.leftoversRemoved > 0) this.o.log(`fan-out: removed ${this.counters.leftoversRemoved} leftover(s) of earlier runs`);
  }

  private async startSeed(seed: Seed): Promise<SeedClient> {
    const node = seed.node;
    const image = this.o.seedImage;
    if ((await node.docker.inspectImage(image)) === undefined) {
      await notePulledImage(node.connection, this.runId, image);
      seed.pulledImage = image;
      await this.pullSeedImage(node, image);
    }
    const timeoutMs = this.o.seedStartTimeoutMs ?? 30_000;
    let lastError: SeedError | undefined;
    for (let attempt = 0; attempt < 3 && !this.abort.signal.aborted; attempt++) {
      const port = 20000 + (randomBytes(2).readUInt16BE(0) % 10000);
      const server = this.ca.issueServer(node.address);
      const dir = await prepareSeedFiles(node.connection, this.runId, `${node.address}:${port}`, randomBytes(16).toString('hex'), {
        serverCertPem: server.certificatePem,
        serverKeyPem: server.privateKeyPem,
        caPem: this.ca.certificatePem,
      });
      const client = new SeedClient(node.connection, { ip: node.address, port }, this.tlsForClient());
      const container = await createSeedContainer(node.connection, { runId: this.runId, socketPath: node.socketPath, image, dir });
      const running = startSeedContainer(node.connection, { socketPath: node.socketPath, container });
      seed.running = running;
      let exited: { code: number | null; stderr: string } | undefined;
      void running.exited.then((r) => (exited = r));
      const deadline = Date.now() + timeoutMs;
      while (!exited && Date.now() < deadline && !this.abort.signal.aborted) {
        if (await client.answers()) {
          seed.client = client;
          this.o.log(`fan-out: seed ${node.host} serves at ${client.hostPort}`);
          return client;
        }
        await sleep(200, this.abort.signal);
      }
      lastError = new SeedError(
        node.host,
        exited ? `the registry container exited (${exited.code}): ${exited.stderr.trim().slice(-200)}` : 'the registry did not answer in time',
      );
      // This attempt's container is gone before the next one is created under the same name.
      running.detach();
      await stopSeed(node.connection, { runId: this.runId, socketPath: node.socketPath }).catch(() => undefined);
      await running.exited;
    }
    throw lastError ?? new SeedError(node.host, 'the run was stopped');
  }

  private async pullSeedImage(node: FanoutNode, image: string): Promise<void> {
    try {
      parseImageRef(image);
      this.o.relay.relayPath(image); // throws when the image's registry is not an origin of the relay
      await this.o.relay.pullThroughRelay(node.host, node.docker, image, { platform: this.o.platform, signal: this.abort.signal });
    } catch {
      await node.docker.pull(image, { platform: this.o.platform, signal: this.abort.signal });
    }
  }

  private tlsForClient() {
    return { caPem: this.ca.certificatePem, clientCertPem: this.client.certificatePem, clientKeyPem: this.client.privateKeyPem };
  }

  private trust(seed: Seed, node: FanoutNode, client: SeedClient): Promise<void> {
    let trusted = seed.trusted.get(node.host);
    if (!trusted) {
      trusted = writeSeedTrust(node.connection, this.runId, client.hostPort, {
        caPem: this.ca.certificatePem,
        clientCertPem: this.client.certificatePem,
        clientKeyPem: this.client.privateKeyPem,
      });
      seed.trusted.set(node.host, trusted);
    }
    return trusted;
  }

  /**
   * Pushes into the seed every blob its nodes need, most-shared first (the relay's prefetch
   * order), a few at a time, straight from the relay's cache as it downloads; each image's
   * manifest follows its last blob and opens the image's gate.
   */
  private feed(seed: Seed): void {
    const images = [...new Set(seed.children.flatMap((c) => c.images))];
    const blobDone = new Map<string, { done: Promise<void>; resolve: () => void; reject: (e: unknown) => void }>();
    const order: { digest: string; size: number; image: string }[] = [];
    const layersOf = new Map<string, { digest: string; size: number }[]>();
    const holder = new Map<string, string>(); // blob -> the repository of the seed it was pushed to
    const started = Promise.all(
      images.map(async (image) => {
        const described = await this.o.relay.describeImage(image, this.o.platform);
        const digests = [described.config, ...described.layers];
        layersOf.set(image, digests);
        for (const d of digests) {
          if (blobDone.has(d.digest)) continue;
          let resolve!: () => void;
          let reject!: (e: unknown) => void;
          const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
          done.catch(() => undefined);
          blobDone.set(d.digest, { done, resolve, reject });
          order.push({ digest: d.digest, size: d.size, image });
        }
      }),
    );
    for (const image of images) {
      const gate = (async () => {
        const client = await seed.up;
        await started;
        const blobs = layersOf.get(image) ?? [];
        await Promise.all(blobs.map((d) => blobDone.get(d.digest)!.done));
        // The registry checks that the manifest's blobs are linked in its repository:
        // blobs pushed under another image's repository are mounted across.
        const repo = this.o.relay.relayPath(image);
        for (const blob of blobs) {
          const from = holder.get(blob.digest);
          if (from === undefined || from === repo) continue;
          if ((await client.pushBlob(repo, blob, () => this.open(image, blob.digest), from)) === 'mounted') this.counters.mountedBlobs++;
          else this.counters.pushedBytes += blob.size;
        }
        const manifest = await this.o.relay.platformManifest(image, this.o.platform);
        await client.pushManifest(repo, parseImageRef(image).tag ?? manifest.digest, manifest);
      })();
      gate.catch(() => undefined);
      seed.gates.set(image, gate);
    }
    void (async () => {
      try {
        const client = await seed.up;
        await started;
        const rank = new Map(this.o.schedule.prefetch.map((layer, i) => [layer.digest, i]));
        order.sort((a, b) => (rank.get(a.digest) ?? Infinity) - (rank.get(b.digest) ?? Infinity));
        let next = 0;
        const worker = async () => {
          while (next < order.length && !this.abort.signal.aborted) {
            const blob = order[next++];
            const entry = blobDone.get(blob.digest)!;
            try {
              const repo = this.o.relay.relayPath(blob.image);
              await client.pushBlob(repo, blob, () => this.open(blob.image, blob.digest));
              this.counters.pushedBytes += blob.size;
              holder.set(blob.digest, repo);
              entry.resolve();
            } catch (error) {
              entry.reject(error);
            }
          }
        };
        await Promise.all(Array.from({ length: FEED_CONCURRENCY }, worker));
      } catch (error) {
        for (const entry of blobDone.values()) entry.reject(error);
      }
    })();
  }

  private async open(image: string, digest: string): Promise<Readable> {
    return (await this.o.relay.readBlob(image, digest)).stream;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
