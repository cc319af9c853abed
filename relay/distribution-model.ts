// How long each way of moving images takes (pure): the model of docs/scale.md, used by
// `distribution: auto` to choose and by bench/scale-model.ts to predict. Every figure is a
// bound of the form bytes / rate on the link that carries them; the slowest link sets the
// time, as links run in parallel once transfers are pipelined (the relay streams each blob
// while it downloads, seeds are fed while nodes pull).

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
}

export interface Workload {
  nodes: number;
  /** Bytes all nodes receive together (each node counts each layer it needs once). */
  totalBytes: number;
  /** Bytes of distinct layers among them. */
  uniqueBytes: number;
  /** Bytes the busiest node receives. */
  maxNodeBytes: number;
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
  ]);
}

/** The relay: each layer once from the origin, every node's bytes through the controller's link. */
export function estimateRelay(w: Workload, r: LinkRates): Estimate {
  return slowest([
    [w.uniqueBytes, r.registryUplink, 'the registry uplink'],
    [w.totalBytes, r.controllerLink, "the controller's link"],
    [w.totalBytes, r.relayCpu, "hound's CPU"],
    [w.maxNodeBytes, r.nodeLink, 'the node links'],
  ]);
}

/**
 * Fan-out: each layer once from the origin, once per seed through the controller's link and
 * the seed's own downlink (a seed is a node: it receives every distinct layer), and each
 * seed's nodes served by its uplink; the seeds first pull their registry image (through the
 * relay: once from the origin, once per seed over the controller's link) and start it. The
 * relay's lanes serve up to `relayLanes` other nodes at their link's rate until the seeds
 * are fed, and the seeds' uplinks carry the rest.
 */
export function estimateFanout(w: Workload, r: LinkRates, f: FanoutShape): Estimate {
  const seeds = Math.max(1, Math.min(f.seeds, w.nodes));
  const setup = slowest([
    [f.seedImageBytes, r.registryUplink, 'the registry uplink'],
    [f.seedImageBytes * seeds, r.controllerLink, "the controller's link"],
    [f.seedImageBytes, r.nodeLink, "the seeds' downlinks"],
  ]).seconds;
  const started = setup + f.seedStartSeconds;
  const feed: ReadonlyArray<[number, number | undefined, string]> = [
    [w.uniqueBytes, r.registryUplink, 'the registry uplink'],
    [w.uniqueBytes * seeds, r.controllerLink, "the controller's link"],
    [w.uniqueBytes * seeds, r.relayCpu, "hound's CPU"],
    [w.uniqueBytes, r.nodeLink, "the seeds' downlinks"],
  ];
  const fed = started + slowest(feed).seconds;
  const lanes = Math.max(0, Math.min(f.relayLanes ?? 0, w.nodes - seeds));
  const laneBytes = r.nodeLink === undefined ? 0 : Math.min((w.totalBytes * (w.nodes - seeds)) / w.nodes, lanes * r.nodeLink * fed);
  const transfer = slowest([
    ...feed,
    [(w.totalBytes - laneBytes) / seeds, r.nodeUplink ?? r.nodeLink, "the seeds' uplinks"],
    [w.maxNodeBytes, r.nodeLink, 'the node links'],
  ]);
  return { seconds: started + transfer.seconds, bound: transfer.bound };
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
  const floor = Math.max(1, Math.ceil(w.nodes / MAX_NODES_PER_SEED));
  const uplink = r.nodeUplink ?? r.nodeLink;
  if (r.controllerLink === undefined || uplink === undefined || w.uniqueBytes <= 0) return Math.min(floor, w.nodes);
  // S·U/Rc = T/(S·Ru)  ⇒  S = √(T·Rc / (U·Ru))
  const balanced = Math.round(Math.sqrt((w.totalBytes * r.controllerLink) / (w.uniqueBytes * uplink)));
  return Math.max(floor, Math.min(w.nodes, balanced));
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
