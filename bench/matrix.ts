// Runs the matrix: workload × node count × repetition × contender, each run from empty
// nodes (or, for noop, from nodes already holding their images), verified afterwards
// through each node's own runtime. A contender works on the first N nodes of its runtime.
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LabInfo } from '../lab/info.js';
import type { LabRuntime } from '../lab/runtimes.js';
import { InterruptedError } from '../base/errors.js';
import type { Contender, ContenderOutcome } from './contender.js';
import { registryHost, type BenchTarget } from './lab-nodes.js';
import { needsArePrefixes, prefixRecords } from './prefix-runs.js';
import { machineCpuOver, readCpuTicks } from './machine-cpu.js';
import { contenderName, runtimeOf, type RunRecord } from './results-model.js';
import { emptyNodeOf, missingImagesOf, pullOnNodeOf } from './runtime-node-images.js';
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

/** The first `nodeCount` nodes of `runtime` (the lab has as many of each runtime as the largest count). */
export function targetOf(lab: LabInfo, workload: WorkloadName, nodeCount: number, runtime: LabRuntime = 'docker'): BenchTarget {
  const host = registryHost(lab);
  const nodes = lab.nodes.filter((n) => n.runtime === runtime).slice(0, nodeCount);
  if (nodes.length < nodeCount) throw new Error(`internal: lab ${lab.name} has ${nodes.length} ${runtime} nodes, the benchmark needs ${nodeCount}`);
  return {
    lab,
    nodes,
    needs: nodeNeeds(workload, nodeCount).map((refs) => refs.map((ref) => `${host}/${ref}`)),
  };
}

/** Empty nodes, or for noop, nodes holding exactly what they need (pulled untimed, only if missing). */
async function setUpNodes(workload: WorkloadName, target: BenchTarget): Promise<void> {
  await Promise.all(
    target.nodes.map(async (node, i) => {
      if (workload !== 'noop') return emptyNodeOf(target.lab, node);
      for (const ref of await missingImagesOf(target.lab, node, target.needs[i])) await pullOnNodeOf(target.lab, node, ref);
    }),
  );
}

async function verifyNodes(target: BenchTarget): Promise<string | undefined> {
  const missing = await Promise.all(target.nodes.map((node, i) => missingImagesOf(target.lab, node, target.needs[i])));
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
      const repeats = nodes === largest ? plan.repeats : 1;
      // Repetitions go round the roster, so slow drift on the machine spreads over all contenders.
      for (let run = 1; run <= repeats; run++) {
        for (const contender of plan.roster) {
          if (plan.signal.aborted) throw new InterruptedError('benchmark interrupted');
          // --up-to names contenders as on Docker (hound-direct), and holds on every runtime.
          if (nodes > (plan.upTo?.get(contender.id.split('@')[0]) ?? Infinity)) continue;
          const name = contenderName({ contenders: plan.roster }, contender);
          const readOff = contender.nodeAfterNode === true && prefixable;
          // Read off the largest run's steps once that runs (prefix-runs.ts).
          if (readOff && nodes < largest) continue;
          const same = contender.sameAs?.(nodes);
          if (same !== undefined && ids.has(same)) {
            const original = records.find((r) => r.workload === workload && r.nodes === nodes && r.run === run && r.contender === same);
            if (!original) throw new Error(`internal: ${same} must run before ${contender.id}`);
            await report({ ...original, contender: contender.id, copiedFrom: same }, repeats, name);
            continue;
          }
          const { record, stepEndSeconds } = await runOnce(plan, contender, targetOf(plan.lab, workload, nodes, runtimeOf(contender)), workload, nodes, run);
          await report(record, repeats, name);
          if (readOff && stepEndSeconds !== undefined) {
            for (const derived of prefixRecords(record, stepEndSeconds, plan.nodeCounts)) await report(derived, plan.repeats, name);
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
  const cpuBefore = await readCpuTicks();
  const started = performance.now();
  let outcome: ContenderOutcome;
  try {
    outcome = await prepared.start();
  } catch (err) {
    if (plan.signal.aborted) throw new InterruptedError('benchmark interrupted');
    outcome = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  const seconds = (performance.now() - started) / 1000;
  const machineCpu = machineCpuOver(cpuBefore, await readCpuTicks());
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
    machineCpu,
    ...(outcome.choice !== undefined ? { choice: outcome.choice } : {}),
  };
  return { record, stepEndSeconds: outcome.stepEndSeconds };
}
