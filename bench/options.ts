// The benchmark's command-line options, checked and resolved before the lab comes up.
import { OptionsError } from '../base/errors.js';
import { baselineCli } from './baseline.js';
import { checkRoster, CONTENDER_IDS, type ContenderId } from './contenders/roster.js';
import { parseRate } from '../lab/rate.js';
import { LAB_RUNTIMES, type LabRuntime } from '../lab/runtimes.js';
import type { Rates } from './results-model.js';
import { DEFAULT_WORKLOADS, WORKLOAD_NAMES, type WorkloadName } from './workload.js';

export interface RawBenchOptions {
  nodes?: string;
  workloads?: string;
  contenders?: string;
  strategies?: string;
  repeats?: string;
  registryRate?: string;
  nodeRate?: string;
  controllerRate?: string;
  upTo?: string;
  runtimes?: string;
  baseline?: string;
  baselineStrategies?: string;
  quick?: boolean;
}

export interface BenchOptions {
  nodeCounts: number[];
  workloads: WorkloadName[];
  contenders: ContenderId[];
  strategies: string[];
  /** Runs per cell at the largest node count (one elsewhere). */
  repeats: number;
  rates: Rates;
  /** Contender id (as tabulated: docker-pull-parallel, hound-direct, …) → the largest node count it runs at. */
  upTo: Map<string, number>;
  /** The runtimes whose nodes each cell runs on, each with its own contenders' rows. */
  runtimes: LabRuntime[];
  /** An earlier build of hound run beside this one: its CLI and the strategies it runs. */
  baseline?: { cli: string; strategies: string[] };
  quick: boolean;
}

export const DEFAULTS = {
  nodes: '2,4,6,8,10',
  workloads: DEFAULT_WORKLOADS.join(','),
  contenders: CONTENDER_IDS.join(','),
  strategies: 'direct,relay,auto',
  baselineStrategies: 'auto',
  repeats: '3',
  registryRate: '40mbit',
  nodeRate: '10mbit',
  controllerRate: '100mbit',
  runtimes: 'docker',
} as const;

/**
 * --quick leaves out the node-after-node loop: alone it takes at least 10 × 13.6 s (each
 * node's 17 MB through its 10mbit link, one node at a time), so with it no quick run fits in
 * six minutes. It never changes with hound's code; the full run measures it.
 */
export const QUICK_CONTENDERS: readonly ContenderId[] = CONTENDER_IDS.filter((id) => id !== 'docker-pull-sequential');

const STRATEGIES = ['direct', 'relay', 'fanout', 'auto'] as const;

/** hound's lab takes up to 200 nodes; 100 fit this 2-core, 24 GiB machine (docs/scale.md). */
const MAX_BENCH_NODES = 100;

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function oneOf<T extends string>(option: string, text: string, allowed: readonly T[]): T[] {
  const items = list(text);
  if (items.length === 0) throw new OptionsError('BENCH_BAD_OPTION', `${option} is empty`, { hint: `give a comma-separated list of ${allowed.join(', ')}` });
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new OptionsError('BENCH_BAD_OPTION', `${option}: unknown '${item}'`, { hint: `choose from ${allowed.join(', ')}` });
    }
  }
  return [...new Set(items)] as T[];
}

/** The lab's own parser: the benchmark accepts exactly the rates `hound lab up` does. */
function rate(option: string, text: string): string {
  return parseRate(text, option).text;
}

export function resolveBenchOptions(raw: RawBenchOptions): BenchOptions {
  const quick = raw.quick === true;
  const nodesText = raw.nodes ?? (quick ? '10' : DEFAULTS.nodes);
  const nodeCounts = list(nodesText).map((item) => {
    const n = Number(item);
    if (!/^\d+$/.test(item) || n < 1 || n > MAX_BENCH_NODES) {
      throw new OptionsError('BENCH_BAD_OPTION', `--nodes: '${item}' is not a node count from 1 to ${MAX_BENCH_NODES}`, { hint: 'e.g. --nodes 2,4,6,8,10' });
    }
    return n;
  });
  if (nodeCounts.length === 0) throw new OptionsError('BENCH_BAD_OPTION', '--nodes is empty', { hint: 'e.g. --nodes 2,4,6,8,10' });
  const repeatsText = raw.repeats ?? (quick ? '1' : DEFAULTS.repeats);
  const repeats = Number(repeatsText);
  if (!/^\d+$/.test(repeatsText) || repeats < 1 || repeats > 9) {
    throw new OptionsError('BENCH_BAD_OPTION', `--repeats: '${repeatsText}' is not a whole number from 1 to 9`, { hint: 'e.g. --repeats 3' });
  }
  const upTo = new Map<string, number>();
  for (const item of list(raw.upTo ?? '')) {
    const match = /^([a-z0-9-]+)=(\d+)$/.exec(item);
    if (!match || Number(match[2]) < 1) {
      throw new OptionsError('BENCH_BAD_OPTION', `--up-to: '${item}' is not CONTENDER=NODES`, { hint: 'e.g. --up-to docker-pull-parallel=50,hound-direct=50' });
    }
    upTo.set(match[1], Number(match[2]));
  }
  const strategies = oneOf('--strategies', raw.strategies ?? DEFAULTS.strategies, STRATEGIES);
  if (raw.baselineStrategies !== undefined && raw.baseline === undefined) {
    throw new OptionsError('BENCH_BAD_OPTION', '--baseline-strategies needs --baseline', {
      hint: 'add --baseline DIR, a built checkout of the revision to compare with',
    });
  }
  const baseline =
    raw.baseline === undefined
      ? undefined
      : { cli: baselineCli(raw.baseline), strategies: oneOf('--baseline-strategies', raw.baselineStrategies ?? DEFAULTS.baselineStrategies, STRATEGIES) };
  const known = [
    ...CONTENDER_IDS.filter((id) => id !== 'hound'),
    ...strategies.map((st) => `hound-${st}`),
    ...(baseline?.strategies ?? []).map((st) => `hound-baseline-${st}`),
  ];
  for (const id of upTo.keys()) {
    if (!known.includes(id)) throw new OptionsError('BENCH_BAD_OPTION', `--up-to: unknown contender '${id}'`, { hint: `choose from ${known.join(', ')}` });
  }
  const contenders = oneOf('--contenders', raw.contenders ?? (quick ? QUICK_CONTENDERS.join(',') : DEFAULTS.contenders), CONTENDER_IDS);
  const runtimes = oneOf('--runtimes', raw.runtimes ?? DEFAULTS.runtimes, LAB_RUNTIMES);
  checkRoster({ contenders, named: raw.contenders !== undefined, strategies: [...strategies, ...(baseline?.strategies ?? [])], runtimes });
  if (baseline !== undefined && !contenders.includes('hound')) {
    throw new OptionsError('BENCH_BAD_OPTION', '--baseline runs beside hound, and --contenders leaves hound out', { hint: 'add hound to --contenders' });
  }
  return {
    nodeCounts: [...new Set(nodeCounts)].sort((a, b) => a - b),
    workloads: oneOf('--workloads', raw.workloads ?? (quick ? 'diverse' : DEFAULTS.workloads), WORKLOAD_NAMES),
    contenders,
    strategies,
    repeats,
    rates: {
      registry: rate('--registry-rate', raw.registryRate ?? DEFAULTS.registryRate),
      node: rate('--node-rate', raw.nodeRate ?? DEFAULTS.nodeRate),
      controller: rate('--controller-rate', raw.controllerRate ?? DEFAULTS.controllerRate),
    },
    upTo,
    runtimes,
    ...(baseline === undefined ? {} : { baseline }),
    quick,
  };
}
