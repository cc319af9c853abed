// `distribution: auto` (pure): relay or fan-out when nodes share layers, so that fetching
// each layer once saves registry uplink; direct otherwise, because both add a hop through
// the controller's link and a final manifest pull per image. Fan-out (seeds on the nodes)
// when the controller's link would carry more through the relay than through the seeds.
// The estimates are relay/distribution-model.ts's (docs/scale.md).

import type { RelaySchedule } from './schedule.js';
import { estimateDirect, estimateFanout, estimateRelay, seedCount, type LinkRates, type Workload } from './distribution-model.js';

export type { LinkRates } from './distribution-model.js';

export type DistributionStrategy = 'direct' | 'relay' | 'fanout';

export interface DistributionInput extends Workload {
  requested?: DistributionStrategy | 'auto';
  rates?: LinkRates;
  /** Set when fan-out can run (a seed image is named): the image's bytes and the seeds' start time. */
  fanout?: { seedImageBytes: number; seedStartSeconds?: number };
}

export interface DistributionChoice {
  strategy: DistributionStrategy;
  /** One line, for the run's output. */
  reason: string;
  /** Seed nodes, for fan-out. */
  seeds?: number;
}

/** Without rates, relay once nodes would move at least this much more than the unique bytes. */
export const MIN_SHARING_RATIO = 1.5;
/** With rates, relay or fan out when it is estimated at least this much faster. */
const MIN_SPEEDUP = 1.15;
/** Without rates, fan out when the relay would put at least this many times more bytes on the controller's link. */
const MIN_CONTROLLER_SAVING = 2;
/** Seconds a seed takes from its image being in to answering, when unmeasured. */
export const DEFAULT_SEED_START_SECONDS = 3;

export function chooseDistribution(input: DistributionInput): DistributionChoice {
  const rates = input.rates ?? {};
  const seeds = seedCount(input, rates);
  if (input.requested === 'direct' || input.requested === 'relay') {
    return { strategy: input.requested, reason: `distribution: ${input.requested} is set` };
  }
  if (input.requested === 'fanout') return { strategy: 'fanout', seeds, reason: `distribution: fanout is set (${seeds} seed${seeds === 1 ? '' : 's'})` };
  if (input.totalBytes === 0) return { strategy: 'direct', reason: 'nothing to pull' };
  if (input.nodes < 2) return { strategy: 'direct', reason: 'a single node pulls: nothing to share' };
  const ratio = input.totalBytes / Math.max(1, input.uniqueBytes);
  const shared = `nodes need ${mb(input.totalBytes)} in total, ${mb(input.uniqueBytes)} distinct (${ratio.toFixed(1)}×)`;
  if (ratio < 1.0001) return { strategy: 'direct', reason: `no layer is needed by more than one node: ${shared}` };
  const fanoutShape = input.fanout && {
    seeds,
    seedImageBytes: input.fanout.seedImageBytes,
    seedStartSeconds: input.fanout.seedStartSeconds ?? DEFAULT_SEED_START_SECONDS,
  };

  if (rates.registryUplink !== undefined) {
    const direct = estimateDirect(input, rates).seconds;
    const relay = estimateRelay(input, rates).seconds;
    const fanout = fanoutShape ? estimateFanout(input, rates, fanoutShape).seconds : Infinity;
    const estimate = `estimated ${direct.toFixed(1)} s direct vs ${relay.toFixed(1)} s relayed${fanoutShape ? ` vs ${fanout.toFixed(1)} s fanned out over ${seeds} seed${seeds === 1 ? '' : 's'}` : ''}`;
    const best: DistributionStrategy = fanout < relay ? 'fanout' : 'relay';
    const bestSeconds = Math.min(fanout, relay);
    if (bestSeconds * MIN_SPEEDUP > direct) return { strategy: 'direct', reason: `${shared}, but the registry uplink is not the bottleneck: ${estimate}` };
    return best === 'fanout' ? { strategy: 'fanout', seeds, reason: `${shared}; ${estimate}` } : { strategy: 'relay', reason: `${shared}; ${estimate}` };
  }
  if (ratio < MIN_SHARING_RATIO) return { strategy: 'direct', reason: `${shared}: too little sharing to pay for the relay hop` };
  if (fanoutShape) {
    const throughSeeds = seeds * (input.uniqueBytes + fanoutShape.seedImageBytes);
    if (input.totalBytes >= MIN_CONTROLLER_SAVING * throughSeeds) {
      return {
        strategy: 'fanout',
        seeds,
        reason: `${shared}: ${seeds} seed${seeds === 1 ? '' : 's'} take ${mb(throughSeeds)} over the controller's link where the relay would take ${mb(input.totalBytes)}`,
      };
    }
  }
  return { strategy: 'relay', reason: `${shared}: each shared layer crosses the registry uplink once` };
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

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
