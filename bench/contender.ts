// A contender: one way of getting every node its images. Preparing (writing playbooks,
// inventories) is not timed; `start` is, from its call until its promise settles.
import type { BenchTarget } from './lab-nodes.js';
import type { ContenderInfo, ControllerCost } from './results-model.js';

export interface ContenderOutcome {
  /** The contender itself reported success (exit 0 everywhere). */
  ok: boolean;
  error?: string;
  controller?: ControllerCost;
}

export interface PreparedRun {
  start(): Promise<ContenderOutcome>;
}

export interface RunSetting {
  target: BenchTarget;
  /** A fresh directory for this run's generated files. */
  workDir: string;
  signal: AbortSignal;
}

export interface Contender extends ContenderInfo {
  prepare(setting: RunSetting): Promise<PreparedRun>;
  /**
   * The id of another contender that does exactly the same at this node count (ansible with
   * forks = nodes is forks 5 when there are 5 nodes or fewer): its timing is reused, not re-run.
   */
  sameAs?(nodeCount: number): string | undefined;
}
