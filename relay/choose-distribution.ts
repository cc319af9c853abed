// `distribution: auto` (pure): relay or fan-out when nodes share layers, so that fetching
// each layer once saves registry uplink; direct otherwise, because both add a hop through
// the controller's link and a final manifest pull per image. Fan-out (seeds on the nodes)
// when the controller's link would carry more through the relay than through the seeds.
// The estimates are relay/distribution-model.ts's (docs/scale.md).

import type { RelaySchedule } from './schedule.js';
import {
  estimateDirect,
  estimateFanout,
  estimateRelay,
  maxSeeds,
  relayLaneCount,
  seedCount,
  sharedPullCpuRate,
  sharedSeedCount,
  type FanoutShape,
  type LinkRates,
  type Workload,
} from './distribution-model.js';

export type { LinkRates } from './distribution-model.js';

export type DistributionStrategy = 'direct' | 'relay' | 'fanout';

export interface DistributionInput extends Workload {
  requested?: DistributionStrategy | 'auto';
  rates?: LinkRates;
  /** Where `rates` come from, for the reason: the inventory (default) or a probe at the start of the run (relay/link-probe.ts). */
  ratesFrom?: 'stated' | 'probed';
  /** The controller's rate is a lower bound: the probe's nodes did not fill its link. */
  controllerAtLeast?: boolean;
  /**
   * The nodes run on the controller's own kernel (relay/link-probe.ts): they and hound share
   * one machine's CPUs, which the pulls fill. Every way's estimate then counts the pulls'
   * processing on those cores, and fan-out's pulls start only once the seeds are up and fed.
   */
  nodesOnController?: boolean;
  /** The controller's cores, for nodesOnController. */
  controllerCores?: number;
  /** The nodes' pull processing per byte, for nodesOnController (pullCpuSecondsPerByte: by their runtimes); Docker's when unset. */
  pullCpuSecondsPerByte?: number;
  /** Relay lanes for fan-out as the inventory states them (hound_fanout_relay_lanes); else relayLaneCount's. */
  relayLanes?: number;
  /** Seeds for fan-out as the inventory states them (hound_fanout_seeds, at most one per node); else seedCount's. */
  seeds?: number;
  /** Set when fan-out can run (a seed image is named): the image's bytes and the seeds' start time. */
  fanout?: { seedImageBytes: number; seedStartSeconds?: number };
}

export interface DistributionChoice {
  strategy: DistributionStrategy;
  /** One line, for the run's output. */
  reason: string;
  /** Seed nodes, for fan-out. */
  seeds?: number;
  /** For fan-out: nodes the relay serves at once while their seeds fill (distribution-model.ts relayLaneCount). */
  relayLanes?: number;
}

/** Without rates, relay once nodes would move at least this much more than the unique bytes. */
export const MIN_SHARING_RATIO = 1.5;
/** With rates, relay or fan out when it is estimated at least this much faster... */
const MIN_SPEEDUP = 1.15;
/**
 * ...and at least this many seconds faster: the relay adds steps per image (a pull of the
 * origin name, the relay's names removed) that the estimates leave out, so a saving smaller
 * than this is within what they do not count. On fast links both ways take seconds at most.
 */
export const MIN_SAVING_SECONDS = 2;
/** Without rates, fan out when the relay would put at least this many times more bytes on the controller's link. */
const MIN_CONTROLLER_SAVING = 2;
/** Seconds a seed takes from its image being in to answering, when unmeasured. */
export const DEFAULT_SEED_START_SECONDS = 3;

/**
 * The choice when the plan alone makes it (an explicit choice, nothing to pull, one node, no
 * layer shared), else undefined: then the links' rates decide, and a run measures them
 * when the inventory does not state them.
 */
export function chooseFromPlan(input: DistributionInput): DistributionChoice | undefined {
  if (input.requested === 'direct' || input.requested === 'relay') {
    return { strategy: input.requested, reason: `distribution: ${input.requested} is set` };
  }
  if (input.requested === 'fanout') {
    const seeds = seedsFor(input, input.rates ?? {});
    const relayLanes = lanesFor(input, input.rates ?? {}, seeds);
    return {
      strategy: 'fanout',
      seeds,
      relayLanes,
      reason: `distribution: fanout is set (${seeds} seed${seeds === 1 ? '' : 's'}, ${relayLanes} relay lane${relayLanes === 1 ? '' : 's'})`,
    };
  }
  if (input.totalBytes === 0) return { strategy: 'direct', reason: 'nothing to pull' };
  if (input.nodes < 2) return { strategy: 'direct', reason: 'a single node pulls: nothing to share' };
  if (sharingRatio(input) < 1.0001) return { strategy: 'direct', reason: `no layer is needed by more than one node: ${describeSharing(input)}` };
  return undefined;
}

export function chooseDistribution(input: DistributionInput): DistributionChoice {
  const fromPlan = chooseFromPlan(input);
  if (fromPlan) return fromPlan;
  const rates: LinkRates = input.nodesOnController
    ? { ...input.rates, sharedPullCpu: input.rates?.sharedPullCpu ?? sharedPullCpuRate(input.controllerCores ?? 1, input.pullCpuSecondsPerByte) }
    : (input.rates ?? {});
  const ratio = sharingRatio(input);
  const shared = describeSharing(input);
  const fanoutShape = input.fanout && fanoutShapeOf(input, rates, input.fanout.seedImageBytes, input.fanout.seedStartSeconds);

  if (rates.registryUplink !== undefined) {
    const direct = estimateDirect(input, rates);
    const relay = estimateRelay(input, rates);
    const fanoutEstimate = fanoutShape ? estimateFanout(input, rates, fanoutShape).seconds : Infinity;
    // On one machine's CPUs the fan-out estimate is the less certain (docs/scale.md): it must
    // beat the relay by as much as a relay must beat direct.
    const uncertain = input.nodesOnController === true && fanoutEstimate * MIN_SPEEDUP > relay.seconds;
    const fanout = uncertain ? Infinity : fanoutEstimate;
    const measured = describeRates(rates, input.ratesFrom ?? 'stated', input.controllerAtLeast === true);
    const cores = input.nodesOnController
      ? `; the nodes share the controller's ${plural(input.controllerCores ?? 1, 'core')}, where their pulls' processing alone takes ${(input.totalBytes / rates.sharedPullCpu!).toFixed(1)} s at ${(((input.controllerCores ?? 1) / rates.sharedPullCpu!) * 1e9).toFixed(0)} ms per MB`
      : '';
    const fannedOut = fanoutShape
      ? ` vs ${fanoutEstimate.toFixed(1)} s fanned out over ${plural(fanoutShape.seeds, 'seed')}${uncertain && fanoutEstimate < relay.seconds ? ` (on shared cores fan-out must be ${Math.round((MIN_SPEEDUP - 1) * 100)}% faster than the relay)` : ''}`
      : '';
    const estimate = `${measured}: estimated ${direct.seconds.toFixed(1)} s direct vs ${relay.seconds.toFixed(1)} s relayed${fannedOut}${cores}`;
    const best: DistributionStrategy = fanout < relay.seconds ? 'fanout' : 'relay';
    const bestSeconds = Math.min(fanout, relay.seconds);
    if (bestSeconds * MIN_SPEEDUP > direct.seconds || direct.seconds - bestSeconds < MIN_SAVING_SECONDS) {
      const why =
        direct.bound !== 'the registry uplink'
          ? 'the registry uplink is not the bottleneck'
          : best === 'relay' && relay.bound !== 'the registry uplink'
            ? `the relay would be held by ${relay.bound}`
            : 'relaying would save too little';
      return { strategy: 'direct', reason: `${shared}, but ${why}; ${estimate}` };
    }
    return best === 'fanout'
      ? { strategy: 'fanout', seeds: fanoutShape!.seeds, relayLanes: fanoutShape!.relayLanes, reason: `${shared}; ${estimate}` }
      : { strategy: 'relay', reason: `${shared}; ${estimate}` };
  }
  if (ratio < MIN_SHARING_RATIO) return { strategy: 'direct', reason: `${shared}: too little sharing to pay for the relay hop` };
  if (fanoutShape && !input.nodesOnController) {
    const { seeds } = fanoutShape;
    const throughSeeds = seeds * (input.uniqueBytes + fanoutShape.seedImageBytes);
    if (input.totalBytes >= MIN_CONTROLLER_SAVING * throughSeeds) {
      return {
        strategy: 'fanout',
        seeds,
        relayLanes: fanoutShape.relayLanes,
        reason: `${shared}: ${seeds} seed${seeds === 1 ? '' : 's'} take ${mb(throughSeeds)} over the controller's link where the relay would take ${mb(input.totalBytes)}`,
      };
    }
  }
  return { strategy: 'relay', reason: `${shared}: each shared layer crosses the registry uplink once` };
}

/**
 * Fan-out's seeds and relay lanes for the input: as the inventory states them, else as the
 * rates give them (seedCount, relayLaneCount). On one machine's cores (`rates.sharedPullCpu`)
 * the seed count is the one the estimates favour (sharedSeedCount), and relay lanes open only
 * when stated: what they relay early costs hound's and the nodes' sshd's encryption on the
 * same cores, and on the 50-node lab they gained nothing (docs/scale.md).
 */
export function fanoutShapeOf(input: DistributionInput, rates: LinkRates, seedImageBytes: number, seedStartSeconds = DEFAULT_SEED_START_SECONDS): FanoutShape {
  const base = { seedImageBytes, seedStartSeconds };
  if (rates.sharedPullCpu === undefined) {
    const seeds = seedsFor(input, rates);
    return { ...base, seeds, relayLanes: lanesFor(input, rates, seeds) };
  }
  const relayLanes = input.relayLanes ?? 0;
  const seeds =
    input.seeds === undefined && rates.registryUplink !== undefined ? sharedSeedCount(input, rates, { ...base, relayLanes }) : seedsFor(input, rates);
  return { ...base, seeds, relayLanes };
}

function seedsFor(input: DistributionInput, rates: LinkRates): number {
  return input.seeds === undefined ? seedCount(input, rates) : Math.min(input.seeds, maxSeeds(input));
}

function lanesFor(input: DistributionInput, rates: LinkRates, seeds: number): number {
  return input.relayLanes ?? relayLaneCount(input, rates, seeds);
}

function sharingRatio(input: Workload): number {
  return input.totalBytes / Math.max(1, input.uniqueBytes);
}

function describeSharing(input: Workload): string {
  return `nodes need ${mb(input.totalBytes)} in total, ${mb(input.uniqueBytes)} distinct (${sharingRatio(input).toFixed(1)}×)`;
}

/** `probed origin 5.0 MB/s, controller ≥ 3.7 MB/s, node 1.2 MB/s, hound's CPU 80.0 MB/s`: the rates the estimates used. */
function describeRates(rates: LinkRates, from: 'stated' | 'probed', controllerAtLeast: boolean): string {
  const parts: string[] = [];
  if (rates.registryUplink !== undefined) parts.push(`origin ${mbps(rates.registryUplink)}`);
  if (rates.controllerLink !== undefined) parts.push(`controller ${controllerAtLeast ? '≥ ' : ''}${mbps(rates.controllerLink)}`);
  if (rates.nodeLink !== undefined) parts.push(`node ${mbps(rates.nodeLink)}`);
  if (rates.nodeUplink !== undefined) parts.push(`node uplink ${mbps(rates.nodeUplink)}`);
  if (rates.relayCpu !== undefined) parts.push(`hound's CPU ${mbps(rates.relayCpu)}`);
  return `${from} ${parts.join(', ')}`;
}

/** The byte figures of a planned run, as chooseDistribution takes them. */
export function distributionInputOf(schedule: RelaySchedule, requested?: DistributionInput['requested'], rates?: LinkRates): DistributionInput {
  const perNode = [...schedule.nodeBytes.values()];
  return {
    requested,
    nodes: perNode.filter((bytes) => bytes > 0).length,
    totalBytes: schedule.totalBytes,
    uniqueBytes: schedule.uniqueBytes,
    maxNodeBytes: Math.max(0, ...perNode),
    rates,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A rate as auto's lines say it: `4.8 MB/s`. */
export function mbps(bytesPerSecond: number): string {
  return `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
}
