// A contender that goes node after node (a shell loop of `docker pull`) never works on two
// nodes at once, and takes the nodes in order: its run over the first n nodes is exactly the
// first n steps of its run over more nodes. So at the smaller node counts it is not run again
// (that alone would be a quarter of the full benchmark's hour): its time at n nodes is the
// moment step n of the largest run ended. Pure, so the derivation is unit-tested.
import type { RunRecord } from './results-model.js';

/**
 * True when, at every node count, each node needs what it needs at the largest count: only
 * then is a run over the first n nodes the first n steps of the largest run.
 */
export function needsArePrefixes(needsAt: (nodes: number) => readonly (readonly string[])[], nodeCounts: readonly number[]): boolean {
  const largest = Math.max(...nodeCounts);
  const all = needsAt(largest);
  return nodeCounts.every((n) => {
    const some = needsAt(n);
    return some.length === n && some.every((refs, i) => refs.length === all[i].length && refs.every((ref, k) => ref === all[i][k]));
  });
}

/**
 * The records of the smaller node counts, derived from one run at the largest count.
 * `stepEndSeconds[i]` is when node i's step ended, from the run's start.
 */
export function prefixRecords(source: RunRecord, stepEndSeconds: readonly number[], nodeCounts: readonly number[]): RunRecord[] {
  if (stepEndSeconds.length !== source.nodes) {
    throw new RangeError(`internal: ${source.contender} reported ${stepEndSeconds.length} step times for ${source.nodes} nodes`);
  }
  return nodeCounts
    .filter((n) => n < source.nodes)
    .map((n) => {
      // The cost figures are the whole run's, not its first n steps'.
      const { controller: _controller, machineCpu: _machineCpu, ...rest } = source;
      return { ...rest, nodes: n, seconds: stepEndSeconds[n - 1], prefixOf: source.nodes };
    });
}
