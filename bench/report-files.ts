// Writes latest.md, latest.json and latest.svg from one benchmark's results.
import type { PullCpu } from './pull-cpu.js';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resultsChart } from './chart-svg.js';
import type { BenchEnvironment } from './environment.js';
import { contenderLabel, namesRuntimes, runtimesOf, type BenchResults } from './results-model.js';
import { resultsTable } from './results-table.js';

export interface BenchReport extends BenchResults {
  startedAt: string;
  finishedAt: string;
  command: string;
  quick: boolean;
  repeats: number;
  /** Bits per second of each rate, as the bounds use them. */
  rateBitsPerSecond: { registry: number; node: number; controller: number };
  /** `runtimes`: the lab's --runtimes (absent: Docker nodes only). */
  lab: { name: string; nodes: number; upSeconds: number; runtimes?: string };
  /**
   * Docker's pull processing measured on one node before the matrix (the CPU bound's input).
   * Kept beside `pullCpus`, of which it is Docker's entry: results written before there were
   * other runtimes' have only this.
   */
  pullCpu?: PullCpu;
  /** Every runtime's of the run, each measured alone on one node. */
  pullCpus?: PullCpu[];
  environment: BenchEnvironment;
  imageSet: {
    layers: { name: string; sizeBytes: number; blobBytes: number; digest: string }[];
    images: { repository: string; tag: string; layers: string[] }[];
  };
  /** Per workload and node count, each node's images (repository:tag, without the registry). */
  needs: { workload: string; nodes: number; perNode: string[][] }[];
  durationSeconds: number;
  notes: string[];
}

function rateLine(r: BenchReport): string {
  return `registry uplink ${r.rates.registry}, node links ${r.rates.node}, controller link ${r.rates.controller}`;
}

/** Other work on the machine (tests, other labs) shows as load: state it beside the figures. */
function loadLine(r: BenchReport): string {
  const loads = r.runs.flatMap((x) => (x.loadAverage === undefined || x.copiedFrom || x.prefixOf ? [] : [x.loadAverage]));
  if (loads.length === 0) return "- Load average at each run's start: not recorded.";
  const quiet = loads.filter((l) => l <= r.environment.cores).length;
  return `- 1-minute load average at each run's start: ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)} on ${r.environment.cores} cores (${quiet} of ${loads.length} runs at or below ${r.environment.cores}); above that, other work on the machine adds noise.`;
}

/** How the outcome of each run was checked, runtime by runtime. */
function checkedThrough(r: BenchReport): string {
  const how = {
    docker: "each node's Docker socket",
    containerd: "each containerd node's CRI (namespace k8s.io, on its socket)",
    podman: '`podman images` on each podman node',
  };
  return runtimesOf(r)
    .map((runtime) => how[runtime])
    .join(', ');
}

export function markdownReport(r: BenchReport): string {
  const env = r.environment;
  const runs = r.repeats > 1 ? `median of ${r.repeats} runs at ${Math.max(...r.nodeCounts)} nodes, one run elsewhere` : 'one run per cell';
  const lines = [
    `# hound benchmark${r.quick ? ' (quick)' : ''}`,
    '',
    `Measured ${r.startedAt} with \`${r.command}\` in ${(r.durationSeconds / 60).toFixed(1)} min.`,
    '',
    `- Lab: ${rateLine(r)} (tc tbf, decimal units); lab-up time (${r.lab.upSeconds.toFixed(1)} s) is not in any figure.`,
    `- Makespan from the contender's start until every node holds its images, checked afterwards through ${checkedThrough(r)}; ${runs}.`,
    `- In parentheses: the ratio to hound (its fastest strategy in the same cell${namesRuntimes(r) ? ', on the same runtime' : ''}); above 1 means slower than hound.`,
    `- Machine: ${env.cores} cores (${env.cpuModel}), ${(env.memoryBytes / 2 ** 30).toFixed(0)} GiB, kernel ${env.kernel}, node ${env.node}, load average at start ${env.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}.`,
    loadLine(r),
    `- Versions: ${Object.entries(env.versions)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')}; hound ${env.houndCommit}.`,
    ...(r.pullCpu
      ? [
          `- CPU bound: ${r.pullCpu.node}'s dockerd (with containerd and what it started) used ${r.pullCpu.cpuSeconds.toFixed(2)} s of CPU to pull ${(r.pullCpu.bytes / 1e6).toFixed(1)} MB (${(r.pullCpu.secondsPerByte * 1e9).toFixed(1)} ms per MB), measured alone before the runs; the bound is every node's bytes at that cost over the machine's ${r.pullCpu.cores} cores.`,
        ]
      : []),
    ...(r.pullCpus && r.pullCpus.some((p) => p.runtime !== 'docker')
      ? [
          `- Pull processing by runtime, each measured alone on one node before the runs (the runtime's process tree: dockerd's, containerd's, or for podman the node's sshd running \`podman pull\`, less as many sessions running \`true\`): ${r.pullCpus
            .map((p) => `${p.runtime ?? 'docker'} ${(p.secondsPerByte * 1e9).toFixed(1)} ms per MB (${p.node})`)
            .join(', ')}.`,
        ]
      : []),
    `- Images: ${r.imageSet.images.length} images; layers ${r.imageSet.layers.map((l) => `${l.name} ${(l.blobBytes / 1e6).toFixed(2)} MB`).join(', ')}.`,
    '',
    resultsTable(r),
  ];
  if (r.notes.length > 0) lines.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  const choices = r.runs.filter((x) => x.choice !== undefined);
  if (choices.length > 0) {
    lines.push("## What hound's auto chose", '');
    // Named only when more than one contender chose (a --baseline's auto beside this one's).
    const choosers = new Set(choices.map((c) => c.contender));
    const who = (id: string) => (choosers.size > 1 ? `${contenderLabel(r, id)}, ` : '');
    for (const c of choices) lines.push(`- ${who(c.contender)}${c.workload}, ${c.nodes} nodes, run ${c.run}: ${c.choice}`);
    lines.push('');
  }
  const failures = r.runs.filter((x) => !x.ok);
  if (failures.length > 0) {
    lines.push('## Failed runs', '');
    for (const f of failures) lines.push(`- ${f.workload}, ${f.nodes} nodes, ${f.contender}, run ${f.run}: ${f.error ?? 'unknown'}`);
    lines.push('');
  }
  return lines.join('\n');
}

export async function writeReport(outDir: string, report: BenchReport, baseName = 'latest'): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const runs = report.repeats > 1 ? `median of ${report.repeats} runs at ${Math.max(...report.nodeCounts)} nodes, one elsewhere` : 'one run per point';
  const subtitle = [`${rateLine(report)}`, `${report.quick ? 'quick run, ' : ''}${runs}; ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC`];
  const files: [string, string][] = [
    [`${baseName}.md`, markdownReport(report)],
    [`${baseName}.json`, JSON.stringify(report, null, 2) + '\n'],
    [`${baseName}.svg`, resultsChart(report, subtitle)],
  ];
  for (const [name, text] of files) await writeFile(path.join(outDir, name), text);
  return files.map(([name]) => path.join(outDir, name));
}
