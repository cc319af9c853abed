// `distribution: auto` (pure): relay when nodes share layers, so that fetching each layer
// once saves registry uplink; direct otherwise, because the relay adds a hop through the
// controller's link and a final manifest pull per image.

import type { RelaySchedule } from './schedule.js';

export type DistributionStrategy = 'direct' | 'relay';

/** Link rates in bytes per second, when known (e.g. from the lab or the inventory). */
export interface LinkRates {
  registryUplink?: number;
  controllerLink?: number;
  nodeLink?: number;
}

export interface DistributionInput {
  requested?: 'direct' | 'relay' | 'auto';
  /** Nodes that pull anything. */
  nodes: number;
  /** Bytes all nodes receive together (each node counts each layer it needs once). */
  totalBytes: number;
  /** Bytes of distinct layers among them. */
  uniqueBytes: number;
  /** Bytes the busiest node receives. */
  maxNodeBytes: number;
  rates?: LinkRates;
}

export interface DistributionChoice {
  strategy: DistributionStrategy;
  /** One line, for the run's output. */
  reason: string;
}

/** Without rates, relay once nodes would move at least this much more than the unique bytes. */
export const MIN_SHARING_RATIO = 1.5;
/** With rates, relay when it is estimated at least this much faster. */
const MIN_SPEEDUP = 1.15;

export function chooseDistribution(input: DistributionInput): DistributionChoice {
  if (input.requested === 'direct' || input.requested === 'relay') {
    return { strategy: input.requested, reason: `distribution: ${input.requested} is set` };
  }
  if (input.totalBytes === 0) return { strategy: 'direct', reason: 'nothing to pull' };
  if (input.nodes < 2) return { strategy: 'direct', reason: 'a single node pulls: nothing to share' };
  const ratio = input.totalBytes / Math.max(1, input.uniqueBytes);
  const shared = `nodes need ${mb(input.totalBytes)} in total, ${mb(input.uniqueBytes)} distinct (${ratio.toFixed(1)}×)`;
  if (ratio < 1.0001) return { strategy: 'direct', reason: `no layer is needed by more than one node: ${shared}` };

  const { registryUplink, controllerLink, nodeLink } = input.rates ?? {};
  if (registryUplink !== undefined) {
    const direct = Math.max(input.totalBytes / registryUplink, nodeLink ? input.maxNodeBytes / nodeLink : 0);
    const relay = Math.max(
      input.uniqueBytes / registryUplink,
      controllerLink ? input.totalBytes / controllerLink : 0,
      nodeLink ? input.maxNodeBytes / nodeLink : 0,
    );
    const estimate = `estimated ${direct.toFixed(1)} s direct vs ${relay.toFixed(1)} s relayed`;
    return relay * MIN_SPEEDUP <= direct
      ? { strategy: 'relay', reason: `${shared}; ${estimate}` }
      : { strategy: 'direct', reason: `${shared}, but the registry uplink is not the bottleneck: ${estimate}` };
  }
  return ratio >= MIN_SHARING_RATIO
    ? { strategy: 'relay', reason: `${shared}: each shared layer crosses the registry uplink once` }
    : { strategy: 'direct', reason: `${shared}: too little sharing to pay for the relay hop` };
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
