// The shape of one benchmark's results: what latest.json holds and what the table and the
// chart are drawn from.
import type { LabRuntime } from '../lab/runtimes.js';
import type { LowerBounds } from './bounds.js';
import type { MachineCpu } from './machine-cpu.js';
import type { WorkloadName } from './workload.js';

/** hound's cost on the controller for one run: from /usr/bin/time, and for hound from /proc and its own -v line. */
export interface ControllerCost {
  maxRssBytes: number;
  userSeconds: number;
  systemSeconds: number;
  /** The most file descriptors its largest process held open at once (bench/process-fds.ts); absent in older results. */
  peakOpenFds?: number;
  /** How hound's SSH connections were set up (its `ssh: …` line at -v, transport/pool.ts); absent in older results. */
  ssh?: SshSetup;
}

export interface SshSetup {
  connections: number;
  /** From the first connection asked for to the last one opened or failed. */
  spanSeconds: number;
  /** Each connection's set-up from its handshake's start, retries included: the median and the slowest. */
  medianSeconds: number;
  maxSeconds: number;
  /** The longest a connection waited for a handshake slot. */
  longestWaitSeconds: number;
  retried: number;
  unreachable: number;
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
  /** The whole machine's CPU while the run went (every node shares it on the lab). */
  machineCpu?: MachineCpu;
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
  /** True for hound's own strategies: the others are compared to the fastest of these on the same runtime. */
  isHound: boolean;
  /** The runtime of the nodes it ran on; absent in results from before runtimes were benchmarked, which are Docker's. */
  runtime?: LabRuntime;
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

export function runtimeOf(contender: Pick<ContenderInfo, 'runtime'>): LabRuntime {
  return contender.runtime ?? 'docker';
}

/** The runtimes the results cover, in the contenders' order (docker alone for older results). */
export function runtimesOf(results: Pick<BenchResults, 'contenders'>): LabRuntime[] {
  return [...new Set(results.contenders.map(runtimeOf))];
}

/** Results of Docker nodes only name no runtime, as before runtimes were benchmarked. */
export function namesRuntimes(results: Pick<BenchResults, 'contenders'>): boolean {
  return runtimesOf(results).some((r) => r !== 'docker');
}

/** A contender's name where runtimes mix in one list (the controller cost): its label and, if the results name runtimes, its runtime. */
export function contenderName(results: Pick<BenchResults, 'contenders'>, contender: ContenderInfo): string {
  return namesRuntimes(results) ? `${contender.label}, ${runtimeOf(contender)}` : contender.label;
}

/** A contender's name by its id, as the tables print it; the id itself for one the results do not list. */
export function contenderLabel(results: Pick<BenchResults, 'contenders'>, id: string): string {
  const info = results.contenders.find((c) => c.id === id);
  return info === undefined ? id : contenderName(results, info);
}

/** The heading of one workload's table: `diverse`, or `diverse, containerd nodes` when the results name runtimes. */
export function sectionTitle(results: Pick<BenchResults, 'contenders'>, workload: string, runtime: LabRuntime): string {
  return namesRuntimes(results) ? `${workload}, ${runtime} nodes` : workload;
}

/** The fastest hound strategy's median in one cell on one runtime, the yardstick for that runtime's ratios. */
export function houndSeconds(results: BenchResults, workload: WorkloadName, nodes: number, runtime: LabRuntime = 'docker'): number | undefined {
  const times = results.contenders
    .filter((c) => c.isHound && runtimeOf(c) === runtime)
    .map((c) => cellSeconds(results, workload, nodes, c.id))
    .filter((s): s is number => s !== undefined);
  return times.length === 0 ? undefined : Math.min(...times);
}

export function boundsFor(results: Pick<BenchResults, 'bounds'>, workload: WorkloadName, nodes: number): LowerBounds | undefined {
  return results.bounds.find((b) => b.workload === workload && b.nodes === nodes)?.bounds;
}
