// How long each way of moving images takes (pure): the model of docs/scale.md, used by
// `distribution: auto` to choose and by bench/scale-model.ts to predict. Every figure is a
// bound of the form bytes / rate on the link that carries them; the slowest link sets the
// time, as links run in parallel once transfers are pipelined (the relay streams each blob
// while it downloads, seeds are fed while nodes pull).

import type { ContainerRuntimeKind } from '../transport/connection-target.js';

/** Link rates in bytes per second. */
export interface LinkRates {
  /** The origin registry's uplink. */
  registryUplink?: number;
  /** The controller's link (each direction). */
  controllerLink?: number;
  /** Each node's downlink. */
  nodeLink?: number;
  /** Each node's uplink, what a seed serves with; the node link when unset. */
  nodeUplink?: number;
  /**
   * What hound's own CPU can put through the relay: every relayed byte is fetched, hashed
   * and encrypted for SSH in hound's one thread. On fast links this, not a link, bounds the relay.
   */
  relayCpu?: number;
  /**
   * When every node runs on one machine (the lab; a cluster of containers on one host): the
   * bytes per second all their pulls together can be processed at on its cores (the
   * runtime's own work: decompressing, hashing, writing). Every way's pulls share it; on a
   * real cluster each node has its own CPUs and this is unset.
   */
  sharedPullCpu?: number;
}

export interface Workload {
  nodes: number;
  /** Bytes all nodes receive together (each node counts each layer it needs once). */
  totalBytes: number;
  /** Bytes of distinct layers among them. */
  uniqueBytes: number;
  /** Bytes the busiest node receives. */
  maxNodeBytes: number;
  /**
   * Bytes each seed is fed with `seeds` seeds, from the run's own seed assignment
   * (relay/seed-plan.ts seedFeedBytes): nodes that need the same images share a seed, so a
   * seed may need less than every distinct layer. When unset, every seed is fed them all.
   */
  seedFeed?: (seeds: number) => readonly number[];
  /** Nodes a seed may run on (hound_fanout_seed_node); every node when unset. */
  seedNodes?: number;
}

/** The most seeds the workload can have: one per node that can run one. */
export function maxSeeds(w: Workload): number {
  return Math.max(1, Math.min(w.nodes, w.seedNodes ?? w.nodes));
}

export interface FanoutShape {
  seeds: number;
  /** Bytes of the seed registry image each seed pulls (through the relay) before it serves. */
  seedImageBytes: number;
  /** Seconds from the image being in to the seed answering (container start). */
  seedStartSeconds: number;
  /** Nodes the relay serves at once while the seeds fill (relayLaneCount); none when unset. */
  relayLanes?: number;
}

export interface Estimate {
  seconds: number;
  /** Which link sets the time. */
  bound: string;
}

/** Seconds for the slowest of (bytes, rate, name); links with unknown rates are left out. */
function slowest(terms: ReadonlyArray<[number, number | undefined, string]>): Estimate {
  let best: Estimate = { seconds: 0, bound: 'nothing' };
  for (const [bytes, rate, name] of terms) {
    if (rate === undefined || !(rate > 0)) continue;
    const seconds = bytes / rate;
    if (seconds > best.seconds) best = { seconds, bound: name };
  }
  return best;
}

/** Every node pulls from the origin: the origin's uplink carries every node's bytes. */
export function estimateDirect(w: Workload, r: LinkRates): Estimate {
  return slowest([
    [w.totalBytes, r.registryUplink, 'the registry uplink'],
    [w.maxNodeBytes, r.nodeLink, 'the node links'],
    [w.totalBytes, r.sharedPullCpu, "the nodes' shared CPU"],
  ]);
}

/** The relay: each layer once from the origin, every node's bytes through the controller's link. */
export function estimateRelay(w: Workload, r: LinkRates): Estimate {
  return slowest([
    [w.uniqueBytes, r.registryUplink, 'the registry uplink'],
    [w.totalBytes, r.controllerLink, "the controller's link"],
    [w.totalBytes, r.relayCpu, "hound's CPU"],
    [w.maxNodeBytes, r.nodeLink, 'the node links'],
    [w.totalBytes, r.sharedPullCpu, "the nodes' shared CPU"],
  ]);
}

/**
 * Fan-out: each layer once from the origin, once per seed that needs it through the
 * controller's link, and each seed's layers through its own downlink (a seed is a node); each
 * seed's nodes served by its uplink. The seeds first pull their registry image (through the
 * relay: once from the origin, once per seed over the controller's link) and start it. The
 * relay's lanes serve up to `relayLanes` other nodes at their link's rate until the seeds
 * are fed, and the seeds' uplinks carry the rest. When the nodes share one machine's CPUs
 * (`sharedPullCpu`), the pulls that wait for their seeds cannot use the cores while the seeds
 * start and fill: every node's bytes are processed after that, at the shared rate.
 */
export function estimateFanout(w: Workload, r: LinkRates, f: FanoutShape): Estimate {
  const seeds = Math.max(1, Math.min(f.seeds, w.nodes));
  const setup = slowest([
    [f.seedImageBytes, r.registryUplink, 'the registry uplink'],
    [f.seedImageBytes * seeds, r.controllerLink, "the controller's link"],
    [f.seedImageBytes, r.nodeLink, "the seeds' downlinks"],
  ]).seconds;
  const started = setup + f.seedStartSeconds;
  const fedBytes = w.seedFeed?.(seeds) ?? new Array<number>(seeds).fill(w.uniqueBytes);
  const feedTotal = fedBytes.reduce((sum, bytes) => sum + bytes, 0);
  const feedMax = Math.max(0, ...fedBytes);
  const feed: ReadonlyArray<[number, number | undefined, string]> = [
    [w.uniqueBytes, r.registryUplink, 'the registry uplink'],
    [feedTotal, r.controllerLink, "the controller's link"],
    [feedTotal, r.relayCpu, "hound's CPU"],
    [feedMax, r.nodeLink, "the seeds' downlinks"],
  ];
  const fed = started + slowest(feed).seconds;
  const lanes = Math.max(0, Math.min(f.relayLanes ?? 0, w.nodes - seeds));
  const laneBytes = r.nodeLink === undefined ? 0 : Math.min((w.totalBytes * (w.nodes - seeds)) / w.nodes, lanes * r.nodeLink * fed);
  // On one machine (sharedPullCpu) a seed's bytes to its nodes never leave the kernel: no
  // link of a seed's own carries them, only the CPU (counted below), unless an uplink is stated.
  const uplink = r.nodeUplink ?? (r.sharedPullCpu === undefined ? r.nodeLink : undefined);
  const transfer = slowest([...feed, [(w.totalBytes - laneBytes) / seeds, uplink, "the seeds' uplinks"], [w.maxNodeBytes, r.nodeLink, 'the node links']]);
  const linked = { seconds: started + transfer.seconds, bound: transfer.bound };
  if (r.sharedPullCpu === undefined || !(r.sharedPullCpu > 0)) return linked;
  const processed = fed + (w.totalBytes - laneBytes) / r.sharedPullCpu;
  return processed > linked.seconds ? { seconds: processed, bound: "the seeds' start and feed, then the nodes' shared CPU" } : linked;
}

/**
 * A peer-to-peer engine already on the nodes (Dragonfly, Kraken, Spegel): each piece once
 * from the origin, then every node's uplink serves others, so the nodes' links bound it;
 * `pieceLatencySeconds` per tree level (log2 of the nodes) for the pieces to spread.
 */
export function estimatePeerToPeer(w: Workload, r: LinkRates, pieceLatencySeconds = 0.05): Estimate {
  const transfer = slowest([
    [w.uniqueBytes, r.registryUplink, 'the registry uplink'],
    [w.totalBytes / Math.max(1, w.nodes), r.nodeUplink ?? r.nodeLink, 'the node uplinks'],
    [w.maxNodeBytes, r.nodeLink, 'the node links'],
  ]);
  return { seconds: transfer.seconds + pieceLatencySeconds * Math.log2(Math.max(2, w.nodes)), bound: transfer.bound };
}

/** Nodes one seed serves at most, whatever the rates: one registry process's share of a node's CPU. */
export const MAX_NODES_PER_SEED = 32;

/**
 * Seeds for `nodes`: the count that balances the controller's link (which carries the
 * layers once per seed) against the seeds' uplinks (which carry every node's bytes), at
 * least one per MAX_NODES_PER_SEED nodes. Without rates, that minimum.
 */
export function seedCount(w: Workload, r: LinkRates): number {
  const floor = Math.min(seedFloor(w.nodes), maxSeeds(w));
  const uplink = r.nodeUplink ?? r.nodeLink;
  if (r.controllerLink === undefined || uplink === undefined || w.uniqueBytes <= 0) return floor;
  // S·U/Rc = T/(S·Ru)  ⇒  S = √(T·Rc / (U·Ru))
  const balanced = Math.round(Math.sqrt((w.totalBytes * r.controllerLink) / (w.uniqueBytes * uplink)));
  return Math.max(floor, Math.min(maxSeeds(w), balanced));
}

/** One seed per MAX_NODES_PER_SEED nodes, at least one. */
function seedFloor(nodes: number): number {
  return Math.max(1, Math.ceil(nodes / MAX_NODES_PER_SEED));
}

/** Docker's own processing per pulled byte (dockerd with its containerd), measured on the lab. */
const DOCKER_PULL_CPU_SECONDS_PER_BYTE = 80e-9;

/**
 * containerd's (through its CRI) and podman's pull processing per byte over Docker's: medians
 * of 5 rounds side by side on one lab, each runtime's node pulling the benchmark's 33 MB alone
 * (Docker 99–127 ms per MB that evening, containerd 0.23–0.37 of it, podman 1.07–1.57;
 * docs/scale.md). containerd unpacks in its own process, where Docker re-executes itself for
 * every layer it applies.
 */
const CONTAINERD_TO_DOCKER = 0.31;
const PODMAN_TO_DOCKER = 1.33;

/**
 * Each runtime's own processing per pulled byte (decompressing, hashing, writing layers), for
 * `sharedPullCpu` when the nodes run on the controller's machine. Docker (dockerd with its
 * containerd): 76.9–80.5 ms per MB measured on the lab (one node pulling at 10 mbit, the
 * benchmark's "pull CPU" line, docs/scale.md). containerd through its CRI and podman: measured
 * beside Docker on one lab (docs/scale.md, "Pull processing by runtime"), and written here as
 * their ratio to Docker's times Docker's figure, since a machine's speed moves all three. A
 * machine busy with other work gives the pulls less than its cores.
 */
export const PULL_CPU_SECONDS_PER_BYTE: Readonly<Record<ContainerRuntimeKind, number>> = {
  docker: DOCKER_PULL_CPU_SECONDS_PER_BYTE,
  containerd: DOCKER_PULL_CPU_SECONDS_PER_BYTE * CONTAINERD_TO_DOCKER,
  podman: DOCKER_PULL_CPU_SECONDS_PER_BYTE * PODMAN_TO_DOCKER,
  // Not measured: CRI-O is not packaged where the lab runs. Its pulls are containers/image's,
  // as podman's are, but in a daemon, as containerd's are; Docker's figure stands in.
  'cri-o': DOCKER_PULL_CPU_SECONDS_PER_BYTE,
};

/**
 * The pull processing per byte of a run's nodes together: each node's bytes at its runtime's
 * cost (a cluster may mix runtimes). Docker's when no node pulls anything.
 */
export function pullCpuSecondsPerByte(nodes: Iterable<{ bytes: number; runtime: ContainerRuntimeKind }>): number {
  let bytes = 0;
  let seconds = 0;
  for (const n of nodes) {
    bytes += n.bytes;
    seconds += n.bytes * PULL_CPU_SECONDS_PER_BYTE[n.runtime];
  }
  return bytes > 0 ? seconds / bytes : PULL_CPU_SECONDS_PER_BYTE.docker;
}

/** What `cores` give the nodes' pulls together, in bytes per second, at `secondsPerByte` (Docker's by default). */
export function sharedPullCpuRate(cores: number, secondsPerByte: number = PULL_CPU_SECONDS_PER_BYTE.docker): number {
  return Math.max(1, cores) / secondsPerByte;
}

/** The most seeds sharedSeedCount tries (unless the floor is higher): past it more seeds only add set-up. */
const MAX_SEED_SEARCH = 64;

/**
 * Estimates within this share of the best count as good as it, for sharedSeedCount: the
 * estimates leave out the seeds' own share of the cores.
 */
const SHARED_SEED_TOLERANCE = 0.1;

/**
 * Seeds when the nodes share one machine's CPUs: among the counts whose fan-out estimate is
 * within SHARED_SEED_TOLERANCE of the best (from seedCount's floor up), the most. There seeds
 * are not free (each pulls the seed image and is fed its layers before any of its nodes
 * start, while the cores idle), and the estimate rises slowly past its best; but it leaves
 * out what a seed serving many nodes loses on busy cores. On the 50-node lab more seeds
 * ended sooner than it says (5 seeds 74.0 and 68.6 s, 8 seeds 68.5 s, 10 seeds 59.5–64.3 s,
 * where it estimates 57.5, 58.9 and 60.9 s; docs/scale.md).
 */
export function sharedSeedCount(w: Workload, r: LinkRates, f: Omit<FanoutShape, 'seeds'>): number {
  const floor = Math.min(maxSeeds(w), seedFloor(w.nodes));
  const top = Math.min(maxSeeds(w), Math.max(floor, MAX_SEED_SEARCH));
  const estimates: Array<[number, number]> = [];
  for (let seeds = floor; seeds <= top; seeds++) estimates.push([seeds, estimateFanout(w, r, { ...f, seeds }).seconds]);
  const best = Math.min(...estimates.map(([, seconds]) => seconds));
  return Math.max(...estimates.filter(([, seconds]) => seconds <= best * (1 + SHARED_SEED_TOLERANCE)).map(([seeds]) => seeds));
}

/**
 * Relay lanes when the links' rates are unknown: none. Lanes pay only when the controller's
 * link has room beside the feed; on the 50-node lab, 4 lanes without rates gave no gain
 * (84.8 s against 79.7 s without, medians of two side by side) and hound's CPU rose from 9.1
 * to 15.0 s (bench/results/hybrid-50).
 */
export const DEFAULT_RELAY_LANES = 0;

/**
 * Fan-out's relay lanes: how many nodes the relay serves at once while their seeds fill. The
 * controller's link (or hound's CPU, the lower) less what feeding the seeds takes (each seed
 * at most its downlink), in node links; none for the seeds themselves.
 */
export function relayLaneCount(w: Workload, r: LinkRates, seeds: number): number {
  const others = Math.max(0, w.nodes - seeds);
  const controller = Math.min(r.controllerLink ?? Infinity, r.relayCpu ?? Infinity);
  if (controller === Infinity || r.nodeLink === undefined || !(r.nodeLink > 0)) return Math.min(DEFAULT_RELAY_LANES, others);
  const spare = controller - seeds * r.nodeLink;
  return Math.max(0, Math.min(others, Math.floor(spare / r.nodeLink)));
}
