// latest.md: per workload (and per runtime, when the results cover containerd or podman
// nodes), a table of contender × node count (median makespan and the ratio to hound on the
// same runtime), the lower bounds under it, then hound's (and ansible's) cost on the controller.
import type { LabRuntime } from '../lab/runtimes.js';
import {
  boundsFor,
  cellSeconds,
  contenderLabel,
  houndSeconds,
  median,
  runtimeOf,
  runtimesOf,
  sectionTitle,
  type BenchResults,
  type ContenderInfo,
  type RunRecord,
  type SshSetup,
} from './results-model.js';

function seconds(value: number): string {
  return `${value.toFixed(1)} s`;
}

function contenderCell(results: BenchResults, workload: BenchResults['workloads'][number], nodes: number, contender: ContenderInfo): string {
  const runs = results.runs.filter((r) => r.workload === workload && r.nodes === nodes && r.contender === contender.id);
  if (runs.length === 0) return '—';
  const value = cellSeconds(results, workload, nodes, contender.id);
  const failed = runs.filter((r) => !r.ok).length;
  if (value === undefined) return `failed (${failed}/${runs.length})`;
  const hound = houndSeconds(results, workload, nodes, runtimeOf(contender));
  const ratio = hound === undefined ? '' : ` (${(value / hound).toFixed(2)}×)`;
  const failures = failed > 0 ? ` [${failed}/${runs.length} failed]` : '';
  // Read off a larger run's steps rather than run (prefix-runs.ts); the notes say how.
  const readOff = runs.every((r) => r.prefixOf !== undefined) ? ' †' : '';
  return `${seconds(value)}${ratio}${failures}${readOff}`;
}

/** One workload's table on one runtime's nodes: its contenders × node counts, the bounds under them. */
function sectionTable(results: BenchResults, workload: BenchResults['workloads'][number], runtime: LabRuntime): string[] {
  const header = ['contender', ...results.nodeCounts.map((n) => `${n} nodes`)];
  const out = [`### ${sectionTitle(results, workload, runtime)}`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const contender of results.contenders.filter((c) => runtimeOf(c) === runtime)) {
    const cells = results.nodeCounts.map((n) => contenderCell(results, workload, n, contender));
    out.push(`| ${contender.label} | ${cells.join(' | ')} |`);
  }
  const boundRow = (label: string, pick: 'originOnlySeconds' | 'eachLayerOnceSeconds' | 'cpuSeconds'): string => {
    const cells = results.nodeCounts.map((n) => {
      const value = boundsFor(results, workload, n)?.[pick];
      return value === undefined ? '—' : seconds(value);
    });
    return `| ${label} | ${cells.join(' | ')} |`;
  };
  out.push(boundRow('*bound: origin registry only*', 'originOnlySeconds'));
  out.push(boundRow('*bound: each layer once from the origin*', 'eachLayerOnceSeconds'));
  // The CPU bound is Docker's pull processing, measured on a Docker node (pull-cpu.ts).
  if (runtime === 'docker' && results.nodeCounts.some((n) => boundsFor(results, workload, n)?.cpuSeconds !== undefined)) {
    out.push(boundRow("*bound: this machine's CPU (Docker's pull processing)*", 'cpuSeconds'));
  }
  out.push('');
  return out;
}

/** Runs grouped by contender, workload and node count, in the order first met. */
function byCell(runs: readonly RunRecord[]): RunRecord[][] {
  const cells = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const key = `${r.contender}\u0000${r.workload}\u0000${r.nodes}`;
    cells.set(key, [...(cells.get(key) ?? []), r]);
  }
  return [...cells.values()];
}

export function resultsTable(results: BenchResults): string {
  const out: string[] = [];
  for (const workload of results.workloads) {
    for (const runtime of runtimesOf(results)) out.push(...sectionTable(results, workload, runtime));
  }
  // Copied runs (Contender.sameAs) would repeat a row.
  const houndRuns = results.runs.filter((r) => r.controller !== undefined && r.copiedFrom === undefined);
  if (houndRuns.length > 0) {
    out.push(
      "### cost on the controller (GNU time: peak RSS of the largest process, CPU of all; /proc: the most file descriptors it held open; hound at -v: its SSH connections' set-up)",
      '',
    );
    out.push(
      '| contender | workload | nodes | peak RSS | CPU (user+sys) | open fds (peak) | SSH set-up per connection: median, slowest (connections, asked for over) |',
      '|---|---|---|---|---|---|---|',
    );
    for (const runs of byCell(houndRuns)) {
      const first = runs[0];
      const label = contenderLabel(results, first.contender);
      const rss = median(runs.map((r) => r.controller!.maxRssBytes))!;
      const cpu = median(runs.map((r) => r.controller!.userSeconds + r.controller!.systemSeconds))!;
      const fds = median(runs.flatMap((r) => (r.controller!.peakOpenFds === undefined ? [] : [r.controller!.peakOpenFds])));
      const ssh = runs.flatMap((r) => (r.controller!.ssh ? [r.controller!.ssh] : []));
      out.push(
        `| ${label} | ${first.workload} | ${first.nodes} | ${(rss / 1e6).toFixed(0)} MB | ${cpu.toFixed(2)} s | ${fds === undefined ? '—' : fds.toFixed(0)} | ${sshSetupCell(ssh)} |`,
      );
    }
    out.push('');
  }
  out.push(...machineCpuTable(results));
  return out.join('\n');
}

/** Medians over a cell's runs; the retried handshakes and unreachable hosts are summed, since any is worth seeing. */
function sshSetupCell(runs: readonly SshSetup[]): string {
  if (runs.length === 0) return '—';
  const m = (f: (s: SshSetup) => number) => median(runs.map(f))!.toFixed(2);
  const retried = runs.reduce((sum, s) => sum + s.retried, 0);
  const unreachable = runs.reduce((sum, s) => sum + s.unreachable, 0);
  const trouble = [retried > 0 ? `${retried} handshake(s) tried again` : '', unreachable > 0 ? `${unreachable} unreachable` : ''].filter((t) => t !== '');
  // The span is not the set-up: hosts past the forks (50 by default) connect when their turn comes.
  return `${m((s) => s.medianSeconds)} s, ${m((s) => s.maxSeconds)} s (${median(runs.map((s) => s.connections))!.toFixed(0)}, over ${m((s) => s.spanSeconds)} s)${trouble.length > 0 ? `; ${trouble.join(', ')}` : ''}`;
}

/**
 * The whole machine's CPU during each contender's runs (medians): on the lab every node shares
 * the controller's cores, and a run that kept them all busy was held by the CPU, not the network.
 */
function machineCpuTable(results: BenchResults): string[] {
  const measured = results.runs.filter((r) => r.machineCpu !== undefined && r.copiedFrom === undefined && r.prefixOf === undefined);
  if (measured.length === 0) return [];
  const cores = measured[0].machineCpu!.cores;
  const out = [
    `### the machine's CPU during the runs (/proc/stat: all work on its ${cores} cores, every node's included)`,
    '',
    '| contender | workload | nodes | CPU busy | share of the cores |',
    '|---|---|---|---|---|',
  ];
  for (const runs of byCell(measured)) {
    const first = runs[0];
    const label = contenderLabel(results, first.contender);
    const busy = median(runs.map((r) => r.machineCpu!.busySeconds))!;
    const share = median(runs.map((r) => r.machineCpu!.busyShare))!;
    out.push(`| ${label} | ${first.workload} | ${first.nodes} | ${busy.toFixed(1)} s | ${(share * 100).toFixed(0)} % |`);
  }
  out.push('');
  return out;
}
