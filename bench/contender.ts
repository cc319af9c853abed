// A contender: one way of getting every node its images. Preparing (writing playbooks,
// inventories) is not timed; `start` is, from its call until its promise settles.
import type { BenchTarget } from './lab-nodes.js';
import type { ContenderInfo, ControllerCost } from './results-model.js';

export interface ContenderOutcome {
  /** The contender itself reported success (exit 0 everywhere). */
  ok: boolean;
  error?: string;
  controller?: ControllerCost;
  /** For a contender that goes node after node: when each node's step ended, in seconds from the start. */
  stepEndSeconds?: number[];
  /** What the contender chose by itself (hound's `distribution auto: …` line). */
  choice?: string;
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
  /**
   * Goes node after node, in order, never two at once, and reports `stepEndSeconds`: below
   * the largest node count it is not run again but read off the largest run (prefix-runs.ts).
   */
  nodeAfterNode?: boolean;
}
