// The shape of one benchmark's results: what latest.json holds and what the table and the
// chart are drawn from.
import type { LowerBounds } from './bounds.js';
import type { WorkloadName } from './workload.js';

/** hound's cost on the controller for one run, from /usr/bin/time. */
export interface ControllerCost {
  maxRssBytes: number;
  userSeconds: number;
  systemSeconds: number;
}

export interface RunRecord {
  workload: WorkloadName;
  nodes: number;
  /** Stable contender id, e.g. `docker-pull-parallel`, `hound-direct`. */
  contender: string;
  /** 1-based repetition number. */
  run: number;
  /** Makespan in seconds (start until the contender's last node holds its images). */
  seconds: number;
  /** The contender exited 0 and every node then held exactly the images it needed. */
  ok: boolean;
  error?: string;
  controller?: ControllerCost;
  /** The machine's 1-minute load average when the run started: other work on it is noise. */
  loadAverage?: number;
  /** Not run: the same as this contender's run at this node count (see Contender.sameAs). */
  copiedFrom?: string;
  /**
   * Not run at this node count: the time at which the first `nodes` steps of this
   * contender's run number `run` at `prefixOf` nodes ended (see prefix-runs.ts).
   */
  prefixOf?: number;
  /** What hound's `auto` chose and why (its one line), for hound (auto) runs. */
  choice?: string;
}

export interface ContenderInfo {
  id: string;
  label: string;
  /** True for hound's own strategies: the others are compared to the fastest of these. */
  isHound: boolean;
}

export interface WorkloadBounds {
  workload: WorkloadName;
  nodes: number;
  bounds: LowerBounds;
}

export interface Rates {
  registry: string;
  node: string;
  controller: string;
}

export interface BenchResults {
  rates: Rates;
  nodeCounts: number[];
  workloads: WorkloadName[];
  contenders: ContenderInfo[];
  runs: RunRecord[];
  bounds: WorkloadBounds[];
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The median makespan of the successful runs of one cell; undefined when none succeeded. */
export function cellSeconds(results: Pick<BenchResults, 'runs'>, workload: WorkloadName, nodes: number, contender: string): number | undefined {
  return median(results.runs.filter((r) => r.ok && r.workload === workload && r.nodes === nodes && r.contender === contender).map((r) => r.seconds));
}

/** The fastest hound strategy's median in one cell, the yardstick for the ratios. */
export function houndSeconds(results: BenchResults, workload: WorkloadName, nodes: number): number | undefined {
  const times = results.contenders
    .filter((c) => c.isHound)
    .map((c) => cellSeconds(results, workload, nodes, c.id))
    .filter((s): s is number => s !== undefined);
  return times.length === 0 ? undefined : Math.min(...times);
}

export function boundsFor(results: Pick<BenchResults, 'bounds'>, workload: WorkloadName, nodes: number): LowerBounds | undefined {
  return results.bounds.find((b) => b.workload === workload && b.nodes === nodes)?.bounds;
}
