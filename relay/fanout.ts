// Fan-out inside the cluster: the relay fetches each layer from the origin once, hound pushes
// it once to each of a few seed nodes that serve an image holding it, and every node pulls
// each image from a seed that holds it, so the controller's link carries each layer about
// once per such seed instead of once per node. The
// seeds run a registry container from an image the user names (the Distribution registry)
// for the run only, with TLS from a per-run CA that the nodes trust for the seed's address
// only, and client certificates the run's nodes alone hold. Design and threat model:
// docs/distribution.md.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { HostConnection } from '../transport/types.js';
import type { NodeDocker, PullResult, SeedHost } from '../runtime/types.js';
import { parseImageRef } from '../base/image-ref.js';
import { sleep } from '../base/sleep.js';
import { HoundError } from '../base/errors.js';
import type { Relay, RelayPullOptions } from './relay.js';
import { createRunCertificateAuthority } from './run-ca.js';
import { SeedClient, SeedError } from './seed-client.js';
import {
  createSeedContainer,
  notePulledImage,
  prepareSeedFiles,
  removeCreatedDirs,
  removeLeftovers,
  removeSeedTrust,
  startSeedContainer,
  stopSeed,
  surveyNode,
  writeSeedTrust,
  type RunningSeed,
} from './seed-node.js';
import { assignSeeds, feedOrder } from './seed-plan.js';
import { forEachAtMost } from '../base/at-most.js';

export interface FanoutNode {
  host: string;
  connection: HostConnection;
  docker: NodeDocker;
  /** How a seed runs on the node and how the node trusts one (its runtime's command line, its certs.d). */
  seedHost: SeedHost;
  /** Whether a seed may run on the node (the inventory's hound_fanout_seed_node); it pulls from seeds either way. */
  runsSeeds: boolean;
  /** The address other nodes reach this node at (its inventory address). */
  address: string;
  /** Images this node pulls in the run (relay-servable references). */
  images: readonly string[];
}

export interface StartFanoutOptions {
  relay: Relay;
  nodes: readonly FanoutNode[];
  /** The registry image the seeds run (e.g. registry:2), pulled through the relay when its registry is one of the relay's origins. */
  seedImage: string;
  seeds: number;
  /**
   * Each image's layers (the relay's description), so that images sharing their lower layers
   * share a seed (seed-plan.ts); without them images are grouped by name.
   */
  layers?: ReadonlyMap<string, ReadonlyArray<{ digest: string; size: number }>>;
  platform?: string;
  log: (line: string) => void;
  /** Time allowed for a seed's registry to answer after its container starts (default 30 s). */
  seedStartTimeoutMs?: number;
  /**
   * Nodes that may pull through the relay at once while their seed cannot serve them yet (it
   * starts, or is still being fed their image): the controller's link is otherwise nearly
   * idle until the seeds are full. Seed nodes never take one: their downlink feeds the seed.
   * 0: every pull waits for its seed.
   */
  relayLanes?: number;
}

export interface FanoutStats {
  runId: string;
  seeds: string[];
  /** Blob bytes pushed to seeds (crossing the controller's link). */
  pushedBytes: number;
  mountedBlobs: number;
  /** Pulls that went through the relay because their seed was not up. */
  fallbacks: number;
  /** Pulls that went through the relay (a relay lane) while their seed filled. */
  relayedWhileFilling: number;
  /** Seeds removed before the run's end, as soon as all their nodes held their images. */
  retiredEarly: number;
  leftoversRemoved: number;
}

export interface Fanout {
  readonly runId: string;
  /** The seeds planned: the count asked for, or fewer when the run has fewer nodes or pulls. */
  readonly seedCount: number;
  /** Pulls through the seed that serves the image to the node; through the relay when it could not be started or fed. */
  pull(host: string, reference: string, options?: RelayPullOptions): Promise<PullResult>;
  stats(): FanoutStats;
  /** Stops every seed, removes its image if the run pulled it, and every node's trust of the seeds. */
  close(): Promise<void>;
}

function offSeedKey(host: string, seed: Seed): string {
  return `${host}\0${seed.node.host}`;
}

export function startFanout(options: StartFanoutOptions): Fanout {
  return new RunFanout(options);
}

const FEED_CONCURRENCY = 3;

class Seed {
  /** The nodes the seed serves, each with the images it pulls from it. */
  readonly serves = new Map<string, { node: FanoutNode; images: Set<string> }>();
  /** The pulls (pullKey) the seed still has to serve. */
  readonly left = new Set<string>();
  /** Set once every node of the seed holds the images it serves them: the seed and its nodes' trust of it are being removed. */
  retired?: Promise<void>;
  client?: SeedClient;
  running?: RunningSeed;
  pulledImage?: string;
  /** Settles when the registry answers (or fails to start). */
  up!: Promise<SeedClient>;
  /** Per image reference: settles when the seed holds all its blobs and its manifest. */
  readonly gates = new Map<string, Promise<void>>();
  /** The references whose gate has opened. */
  readonly open = new Set<string>();
  readonly trusted = new Map<string, Promise<void>>();
  constructor(readonly node: FanoutNode) {}

  /** The images it serves, in the order they were planned. */
  images(): string[] {
    return [...new Set([...this.serves.values()].flatMap((s) => [...s.images]))];
  }
}

class RunFanout implements Fanout {
  readonly runId = `f${randomBytes(5).toString('hex')}`;
  private readonly ca = createRunCertificateAuthority(this.runId);
  private readonly client = this.ca.issueClient();
  /** pullKey(host, image) → the seed that serves it. */
  private readonly seedOf = new Map<string, Seed>();
  private readonly seeds: Seed[] = [];
  private readonly nodeOf: Map<string, FanoutNode>;
  /** Hosts that run a seed: their downlink carries its feed, so they take no relay lane. */
  private readonly seedHosts = new Set<string>();
  private readonly abort = new AbortController();
  private readonly swept: Promise<void>;
  private readonly counters = { pushedBytes: 0, mountedBlobs: 0, fallbacks: 0, relayedWhileFilling: 0, leftoversRemoved: 0, retiredEarly: 0 };
  private readonly lanes: RelayLanes;
  /** Nodes holding a relay lane → their pulls on it. */
  private readonly onLane = new Map<string, number>();
  /** offSeedKey(node, seed) for each node a pull from that seed failed for: its other pulls from that seed go through the relay. */
  private readonly offSeed = new Set<string>();
  /** Nodes whose certs.d dir the run's trust created: it goes once every seed's trust there has gone. */
  private readonly createdCertsDirs = new Set<FanoutNode>();
  private closed = false;

  constructor(private readonly o: StartFanoutOptions) {
    this.lanes = new RelayLanes(Math.max(0, Math.floor(o.relayLanes ?? 0)));
    const blocks = assignSeeds(
      o.nodes.map((n) => ({ host: n.host, images: n.images, runsSeeds: n.runsSeeds })),
      o.seeds,
      o.layers,
    );
    this.nodeOf = new Map(o.nodes.map((n) => [n.host, n]));
    for (const block of blocks) {
      const node = this.nodeOf.get(block.seed)!;
      // assignSeeds places seeds only on nodes that may run one.
      const seed = new Seed(node);
      this.seeds.push(seed);
      this.seedHosts.add(block.seed);
      for (const [host, images] of block.serves) {
        seed.serves.set(host, { node: this.nodeOf.get(host)!, images: new Set(images) });
        for (const image of images) {
          seed.left.add(pullKey(host, image));
          this.seedOf.set(pullKey(host, image), seed);
        }
      }
    }
    this.swept = this.sweep();
    for (const seed of this.seeds) {
      seed.up = this.swept.then(() => this.startSeed(seed));
      seed.up.catch((error: unknown) => o.log(`fan-out: seed ${seed.node.host} is not available (${message(error)}); its nodes pull through the relay`));
      this.feed(seed);
    }
  }

  get seedCount(): number {
    return this.seeds.length;
  }

  stats(): FanoutStats {
    return { runId: this.runId, seeds: this.seeds.map((s) => s.client?.hostPort ?? `${s.node.host} (down)`), ...this.counters };
  }

  async pull(host: string, reference: string, options: RelayPullOptions = {}): Promise<PullResult> {
    const node = this.nodeOf.get(host);
    if (!node) throw new SeedError(host, 'the node is not part of this fan-out run');
    const seed = this.seedOf.get(pullKey(host, reference));
    let route: Route | undefined;
    try {
      if (!seed) throw new SeedError(host, `no seed was planned to serve it ${reference}`);
      route = await this.route(seed, node, reference, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      this.counters.fallbacks++;
      this.o.log(`fan-out: ${host} pulls ${reference} through the relay: ${message(error)}`);
    }
    let result: PullResult;
    if (route === undefined) result = await this.o.relay.pullThroughRelay(host, node.docker, reference, options);
    else if ('seed' in route) result = await this.pullFromSeed(node, reference, seed!, route.seed, options);
    else {
      this.counters.relayedWhileFilling++;
      try {
        result = await this.o.relay.pullThroughRelay(host, node.docker, reference, options);
      } finally {
        this.leaveLane(host);
      }
    }
    if (seed) this.pulled(seed, host, reference);
    return result;
  }

  /**
   * Pulls from the seed that serves the image; when that fails (the node cannot reach the
   * seed's port, as behind a firewall between nodes, or the seed is too busy to answer: at 100
   * nodes on 2 cores Docker's TLS handshake with a seed serving 10 nodes timed out, and a node
   * failed after 3 tries at its seed), through the relay instead, and so are the node's later
   * pulls from that seed: what kept it from the seed will most likely do so again, and each try
   * can cost Docker's connect and handshake timeouts. Its pulls from other seeds still try them,
   * since a seed is busy or out of reach on its own (a firewall between all nodes costs one
   * failed try per seed a node pulls from, two or three at most on the lab's workloads). A node
   * out of disk would fail the same way through the relay.
   */
  private async pullFromSeed(node: FanoutNode, reference: string, seed: Seed, seedAddress: string, options: RelayPullOptions): Promise<PullResult> {
    try {
      return await this.o.relay.pullThroughRelay(node.host, node.docker, reference, { ...options, via: seedAddress });
    } catch (error) {
      if (options.signal?.aborted || (error instanceof HoundError && error.code === 'NODE_DISK_FULL')) throw error;
      this.offSeed.add(offSeedKey(node.host, seed));
      this.counters.fallbacks++;
      this.o.log(
        `fan-out: ${node.host} could not pull ${reference} from its seed ${seedAddress} (${message(error)}); it pulls what that seed serves it through the relay from now on`,
      );
      return this.o.relay.pullThroughRelay(node.host, node.docker, reference, options);
    }
  }

  /**
   * Counts a pull the seed serves done; once every node it serves holds the images it serves
   * them, the seed is retired at once rather than when the run ends: on the 50-node lab the
   * ten seeds' removal, all at the end, added 3.9–4.5 s after the last pull. A pull that comes
   * for a retired seed later (a task pulling again) goes through the relay.
   */
  private pulled(seed: Seed, host: string, reference: string): void {
    seed.left.delete(pullKey(host, reference));
    if (seed.left.size !== 0 || seed.retired || this.closed) return;
    this.o.log(`fan-out: seed ${seed.node.host}'s ${seed.serves.size} node(s) hold their images; removing the seed`);
    seed.retired = this.retire(seed);
    this.counters.retiredEarly++;
  }

  /**
   * A lane is a node's, not a pull's: the node's link is what a lane stands for, so a node
   * already relaying takes its other waiting pulls onto its lane.
   */
  private enterLane(host: string): boolean {
    const pulls = this.onLane.get(host);
    if (pulls === undefined && !this.lanes.take()) return false;
    this.onLane.set(host, (pulls ?? 0) + 1);
    return true;
  }

  private leaveLane(host: string): void {
    const pulls = (this.onLane.get(host) ?? 1) - 1;
    if (pulls > 0) return void this.onLane.set(host, pulls);
    this.onLane.delete(host);
    this.lanes.release();
  }

  /**
   * The seed's address once it holds `reference` (its gate open, the node trusting it), or a
   * relay lane when one came free first; a node that runs a seed always waits.
   * Rejects when the seed cannot serve the image.
   */
  private async route(seed: Seed, node: FanoutNode, reference: string, signal?: AbortSignal): Promise<Route> {
    const gate = seed.gates.get(reference) ?? Promise.reject(new SeedError(seed.node.host, `it was not fed ${reference}`));
    const mayTakeLane = !this.seedHosts.has(node.host);
    for (;;) {
      if (seed.retired) throw retiredError(seed);
      if (this.offSeed.has(offSeedKey(node.host, seed))) throw new SeedError(seed.node.host, `${node.host} could not pull from it earlier in the run`);
      if (seed.open.has(reference)) {
        const client = await seed.up;
        await this.trust(seed, node, client);
        return { seed: client.hostPort };
      }
      if (mayTakeLane && this.enterLane(node.host)) return { lane: true };
      signal?.throwIfAborted();
      // Whichever comes first: the gate opening (or failing, which rejects here) or a lane freed.
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(asError(signal!.reason));
        signal?.addEventListener('abort', onAbort, { once: true });
        const done = () => (signal?.removeEventListener('abort', onAbort), resolve());
        gate.then(done, (error: unknown) => (signal?.removeEventListener('abort', onAbort), reject(asError(error))));
        if (mayTakeLane && this.lanes.count > 0) void this.lanes.freed().then(done);
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    await this.swept.catch(() => undefined);
    await Promise.all(this.seeds.map((seed) => (seed.retired ??= this.retire(seed))));
    await Promise.all(
      [...this.createdCertsDirs].map((node) =>
        removeCreatedDirs(node.connection, this.runId, node.seedHost).catch((error: unknown) =>
          this.o.log(`fan-out: could not remove the certs.d dir the run created on ${node.host}: ${message(error)}`),
        ),
      ),
    );
  }

  /** Stops the seed, removes its image if the run pulled it, and its nodes' trust of it, all at once. */
  private async retire(seed: Seed): Promise<void> {
    const client = await seed.up.catch(() => undefined);
    const work: Promise<unknown>[] = [
      stopSeed(seed.node.connection, { runId: this.runId, host: seed.node.seedHost }).then(
        // The seed image, once its container is gone; not when the removal failed (the container would hold it).
        () =>
          seed.pulledImage === undefined
            ? undefined
            : seed.node.docker
                .removeImage(seed.pulledImage)
                .catch((error: unknown) => this.o.log(`fan-out: could not remove the seed image ${seed.pulledImage} on ${seed.node.host}: ${message(error)}`)),
        (error: unknown) => this.o.log(`fan-out: could not remove the seed on ${seed.node.host}: ${message(error)}`),
      ),
    ];
    if (seed.running) work.push(seed.running.exited);
    if (client) {
      for (const [host, trusted] of seed.trusted) {
        const node = seed.serves.get(host)!.node;
        work.push(
          trusted
            .catch(() => undefined)
            .then(() => removeSeedTrust(node.connection, client.hostPort, node.seedHost))
            .catch((error: unknown) => this.o.log(`fan-out: could not remove ${host}'s trust of ${client.hostPort}: ${message(error)}`)),
        );
      }
    }
    await Promise.all(work);
  }

  /** Removes what earlier fan-out runs left on these nodes, once no seed of theirs runs anywhere. */
  private async sweep(): Promise<void> {
    const surveys = await Promise.all(
      this.o.nodes.map((n) =>
        surveyNode(n.connection, n.docker, n.seedHost).catch((error: unknown) => {
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
          : removeLeftovers(n.connection, n.seedHost, n.docker, surveys[i].items, keep).catch((error: unknown) => {
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
      const container = await createSeedContainer(node.connection, { runId: this.runId, host: seed.node.seedHost, image, dir });
      const running = startSeedContainer(node.connection, { host: seed.node.seedHost, container });
      seed.running = running;
      let exited: { code: number | null; stderr: string } | undefined;
      void running.exited.then((r) => (exited = r));
      const deadline = Date.now() + timeoutMs;
      while (!exited && Date.now() < deadline && !this.abort.signal.aborted) {
        if (await client.answers()) {
          seed.client = client;
          this.o.log(`fan-out: seed ${node.host} serves at ${client.hostPort} (${seed.images().join(', ')} to ${seed.serves.size} node(s))`);
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
      await stopSeed(node.connection, { runId: this.runId, host: seed.node.seedHost }).catch(() => undefined);
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
    // Written after the seed's retirement read the list, it would stay until the next run's sweep.
    if (seed.retired) return Promise.reject(retiredError(seed));
    let trusted = seed.trusted.get(node.host);
    if (!trusted) {
      trusted = writeSeedTrust(node.connection, this.runId, client.hostPort, this.tlsForClient(), node.seedHost).then((created) => {
        if (created) this.createdCertsDirs.add(node);
      });
      seed.trusted.set(node.host, trusted);
    }
    return trusted;
  }

  /**
   * Pushes into the seed every blob its nodes need, most-needed by them first (seed-plan.ts's
   * feedOrder), a few at a time, straight from the relay's cache as it downloads; each image's
   * manifest follows its last blob and opens the image's gate.
   */
  private feed(seed: Seed): void {
    const images = [...new Set([...seed.serves.values()].flatMap((s) => [...s.images]))];
    const blobDone = new Map<string, { done: Promise<void>; resolve: () => void; reject: (e: unknown) => void }>();
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
        seed.open.add(image);
      })();
      gate.catch(() => undefined);
      seed.gates.set(image, gate);
    }
    void (async () => {
      try {
        const client = await seed.up;
        await started;
        const order = feedOrder(
          images.map((image) => ({
            reference: image,
            blobs: layersOf.get(image) ?? [],
            demand: [...seed.serves.values()].filter((s) => s.images.has(image)).length,
          })),
        );
        await forEachAtMost(
          order,
          FEED_CONCURRENCY,
          async (blob) => {
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
          },
          () => this.abort.signal.aborted,
        );
      } catch (error) {
        for (const entry of blobDone.values()) entry.reject(error);
      }
    })();
  }

  private async open(image: string, digest: string): Promise<Readable> {
    return (await this.o.relay.readBlob(image, digest)).stream;
  }
}

/** A count of relay lanes; freed() settles at the next release. */
class RelayLanes {
  private waiting: Array<() => void> = [];
  private free: number;
  constructor(readonly count: number) {
    this.free = count;
  }
  take(): boolean {
    if (this.free <= 0) return false;
    this.free--;
    return true;
  }
  release(): void {
    this.free++;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
  freed(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** The key of one node's pull of one image. */
function pullKey(host: string, image: string): string {
  return `${host}\n${image}`;
}

/** Where a fanned-out pull goes: its seed (host:port), or the relay on a lane. */
type Route = { seed: string } | { lane: true };

/** Why a pull cannot use a seed that was removed once its nodes held their images. */
function retiredError(seed: Seed): SeedError {
  return new SeedError(seed.node.host, 'it was removed once its nodes held their images');
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
