// Runs the matrix: workload × node count × repetition × contender, each run from empty
// nodes (or, for noop, from nodes already holding their images), verified afterwards
// through each node's own Docker socket.
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LabInfo } from '../lab/info.js';
import { InterruptedError } from '../base/errors.js';
import type { Contender, ContenderOutcome } from './contender.js';
import { registryHost, type BenchTarget } from './lab-nodes.js';
import { emptyNode, missingImages, pullOnNode } from './node-images.js';
import { needsArePrefixes, prefixRecords } from './prefix-runs.js';
import type { RunRecord } from './results-model.js';
import { nodeNeeds, type WorkloadName } from './workload.js';

export interface MatrixPlan {
  lab: LabInfo;
  workloads: WorkloadName[];
  nodeCounts: number[];
  repeats: number;
  roster: Contender[];
  /** Contender id → the largest node count it runs at (--up-to); larger cells stay empty. */
  upTo?: ReadonlyMap<string, number>;
  workRoot: string;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Called after every run, so partial results survive an interruption. */
  onRecord: (record: RunRecord) => Promise<void>;
}

export function targetOf(lab: LabInfo, workload: WorkloadName, nodeCount: number): BenchTarget {
  const host = registryHost(lab);
  return {
    lab,
    nodes: lab.nodes.slice(0, nodeCount),
    needs: nodeNeeds(workload, nodeCount).map((refs) => refs.map((ref) => `${host}/${ref}`)),
  };
}

/** Empty nodes, or for noop, nodes holding exactly what they need (pulled untimed, only if missing). */
async function setUpNodes(workload: WorkloadName, target: BenchTarget): Promise<void> {
  await Promise.all(
    target.nodes.map(async (node, i) => {
      if (workload !== 'noop') return emptyNode(node);
      for (const ref of await missingImages(node, target.needs[i])) await pullOnNode(node, ref);
    }),
  );
}

async function verifyNodes(target: BenchTarget): Promise<string | undefined> {
  const missing = await Promise.all(target.nodes.map((node, i) => missingImages(node, target.needs[i])));
  const problems = missing.flatMap((refs, i) => (refs.length === 0 ? [] : [`${target.nodes[i].name} lacks ${refs.join(', ')}`]));
  return problems.length === 0 ? undefined : problems.join('; ');
}

export async function runMatrix(plan: MatrixPlan): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  const largest = Math.max(...plan.nodeCounts);
  const ids = new Set(plan.roster.map((c) => c.id));
  const report = async (record: RunRecord, repeats: number, label: string) => {
    records.push(record);
    const status = record.ok ? 'ok' : `FAILED: ${record.error}`;
    const how = record.copiedFrom
      ? ` (same as ${record.copiedFrom})`
      : record.prefixOf
        ? ` (first ${record.nodes} steps of the ${record.prefixOf}-node run)`
        : '';
    const load = record.loadAverage === undefined || record.prefixOf ? '' : `, load ${record.loadAverage.toFixed(1)}`;
    plan.log(`${record.workload} ${record.nodes} nodes, run ${record.run}/${repeats}, ${label}: ${record.seconds.toFixed(1)} s ${status}${how}${load}`);
    await plan.onRecord(record);
  };
  for (const workload of plan.workloads) {
    const prefixable = needsArePrefixes((n) => nodeNeeds(workload, n), plan.nodeCounts);
    for (const nodes of plan.nodeCounts) {
      const target = targetOf(plan.lab, workload, nodes);
      const repeats = nodes === largest ? plan.repeats : 1;
      // Repetitions go round the roster, so slow drift on the machine spreads over all contenders.
      for (let run = 1; run <= repeats; run++) {
        for (const contender of plan.roster) {
          if (plan.signal.aborted) throw new InterruptedError('benchmark interrupted');
          if (nodes > (plan.upTo?.get(contender.id) ?? Infinity)) continue;
          const readOff = contender.nodeAfterNode === true && prefixable;
          // Read off the largest run's steps once that runs (prefix-runs.ts).
          if (readOff && nodes < largest) continue;
          const same = contender.sameAs?.(nodes);
          if (same !== undefined && ids.has(same)) {
            const original = records.find((r) => r.workload === workload && r.nodes === nodes && r.run === run && r.contender === same);
            if (!original) throw new Error(`internal: ${same} must run before ${contender.id}`);
            await report({ ...original, contender: contender.id, copiedFrom: same }, repeats, contender.label);
            continue;
          }
          const { record, stepEndSeconds } = await runOnce(plan, contender, target, workload, nodes, run);
          await report(record, repeats, contender.label);
          if (readOff && stepEndSeconds !== undefined) {
            for (const derived of prefixRecords(record, stepEndSeconds, plan.nodeCounts)) await report(derived, plan.repeats, contender.label);
          }
        }
      }
    }
  }
  return records;
}

async function runOnce(
  plan: MatrixPlan,
  contender: Contender,
  target: BenchTarget,
  workload: WorkloadName,
  nodes: number,
  run: number,
): Promise<{ record: RunRecord; stepEndSeconds?: number[] }> {
  await setUpNodes(workload, target);
  const workDir = path.join(plan.workRoot, `${workload}-${nodes}-${contender.id}-${run}`);
  await mkdir(workDir, { recursive: true });
  const prepared = await contender.prepare({ target, workDir, signal: plan.signal });
  const loadAverage = os.loadavg()[0];
  const started = performance.now();
  let outcome: ContenderOutcome;
  try {
    outcome = await prepared.start();
  } catch (err) {
    if (plan.signal.aborted) throw new InterruptedError('benchmark interrupted');
    outcome = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  const seconds = (performance.now() - started) / 1000;
  if (plan.signal.aborted) throw new InterruptedError('benchmark interrupted');
  const missing = await verifyNodes(target);
  const errors = [outcome.error, missing].filter((e): e is string => e !== undefined);
  const record: RunRecord = {
    workload,
    nodes,
    contender: contender.id,
    run,
    seconds,
    loadAverage,
    ok: outcome.ok && missing === undefined,
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
    ...(outcome.controller ? { controller: outcome.controller } : {}),
    ...(outcome.choice !== undefined ? { choice: outcome.choice } : {}),
  };
  return { record, stepEndSeconds: outcome.stepEndSeconds };
}
