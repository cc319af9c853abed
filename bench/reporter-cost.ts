// `node dist/bench/reporter-cost.js`: what the live view costs. The same `hound play` (10
// nodes, the diverse workload, --distribution auto, the benchmark's link rates) runs on a
// real pty of 40×120, with --reporter plain and with --reporter tty, alternating (plain
// first in odd rounds, tty first in even ones) from empty nodes, N rounds. It prints wall
// time, hound's CPU (user+sys of it and its children), peak RSS and bytes written to the
// terminal for each run, then each figure's tty/plain ratio within a round (runs side by
// side on a shared machine compare; runs minutes apart may not) and their medians.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, HoundError } from '../base/errors.js';
import { formatBytes } from '../base/bytes.js';
import { labDown, labUp } from '../lab/lifecycle.js';
import { pushImageSet } from '../lab/registry-push.js';
import { HOUND_CLI, HOUND_PLAYBOOK } from './contenders/hound.js';
import { writeFiles } from './generated-files.js';
import { inventoryFiles } from './lab-nodes.js';
import { targetOf } from './matrix.js';
import { emptyNode, missingImages } from './node-images.js';
import { DEFAULTS } from './options.js';
import { runInPty } from './pty-run.js';
import { buildImageSet, neededImageSet } from './workload.js';

type ReporterName = 'plain' | 'tty';

interface Measurement {
  round: number;
  reporter: ReporterName;
  /** Why the run did not do its job (exit code, images missing); its figures are then left out of the medians. */
  failure?: string;
  wallSeconds: number;
  cpuSeconds: number;
  maxRssBytes: number;
  terminalBytes: number;
  loadAverage: number;
}

interface CostOptions {
  rounds: number;
  rows: number;
  columns: number;
  nodes: number;
  labName: string;
  keepLab: boolean;
  hound: string;
}

function positive(name: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const FIGURES: { key: 'wallSeconds' | 'cpuSeconds' | 'maxRssBytes' | 'terminalBytes'; label: string; format: (n: number) => string }[] = [
  { key: 'wallSeconds', label: 'wall time', format: (n) => `${n.toFixed(1)} s` },
  { key: 'cpuSeconds', label: "hound's CPU", format: (n) => `${n.toFixed(2)} s` },
  { key: 'maxRssBytes', label: 'peak RSS', format: (n) => formatBytes(n) },
  { key: 'terminalBytes', label: 'bytes to the terminal', format: (n) => formatBytes(n) },
];

/** The results as Markdown: every run, then the medians and the tty/plain ratios. */
export function costTable(runs: Measurement[]): string {
  const lines = [
    '| round | reporter | wall time | hound CPU (user+sys) | peak RSS | bytes to the terminal | load avg (1 min) at start |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of runs)
    lines.push(
      `| ${r.round} | ${r.reporter}${r.failure ? ` (failed: ${r.failure})` : ''} | ${r.wallSeconds.toFixed(1)} s | ${r.cpuSeconds.toFixed(2)} s | ${formatBytes(r.maxRssBytes)} | ${formatBytes(r.terminalBytes)} | ${r.loadAverage.toFixed(2)} |`,
    );
  const done = runs.filter((r) => r.failure === undefined);
  lines.push('', '| figure | plain (median) | tty (median) | tty / plain, median of the rounds | per round |', '|---|---|---|---|---|');
  const rounds = [...new Set(runs.map((r) => r.round))];
  for (const f of FIGURES) {
    const of = (reporter: ReporterName) => done.filter((r) => r.reporter === reporter).map((r) => r[f.key]);
    const ratios = rounds.flatMap((round) => {
      const plain = done.find((r) => r.round === round && r.reporter === 'plain');
      const tty = done.find((r) => r.round === round && r.reporter === 'tty');
      return plain && tty && plain[f.key] > 0 ? [tty[f.key] / plain[f.key]] : [];
    });
    lines.push(
      `| ${f.label} | ${of('plain').length ? f.format(median(of('plain'))) : '-'} | ${of('tty').length ? f.format(median(of('tty'))) : '-'} | ${ratios.length ? median(ratios).toFixed(3) : '-'} | ${ratios.map((x) => x.toFixed(3)).join(', ')} |`,
    );
  }
  return lines.join('\n');
}

async function measure(options: CostOptions, log: (line: string) => void): Promise<Measurement[]> {
  log(
    `bringing up lab '${options.labName}' with ${options.nodes} nodes (registry ${DEFAULTS.registryRate}, nodes ${DEFAULTS.nodeRate}, controller ${DEFAULTS.controllerRate})`,
  );
  const { info: lab } = await labUp({
    name: options.labName,
    nodes: options.nodes,
    registryRate: DEFAULTS.registryRate,
    nodeRate: DEFAULTS.nodeRate,
    controllerRate: DEFAULTS.controllerRate,
  });
  const work = await mkdtemp(path.join(os.tmpdir(), 'hound-reporter-cost-'));
  try {
    await pushImageSet(lab.registry.url, neededImageSet(buildImageSet(), ['diverse'], [options.nodes]));
    const target = targetOf(lab, 'diverse', options.nodes);
    const files = inventoryFiles(target);
    files.set('playbook.yml', HOUND_PLAYBOOK);
    await writeFiles(work, files);
    const runs: Measurement[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const order: ReporterName[] = round % 2 === 1 ? ['plain', 'tty'] : ['tty', 'plain'];
      for (const reporter of order) {
        await Promise.all(target.nodes.map(emptyNode));
        const loadAverage = os.loadavg()[0];
        const argv = [process.execPath, options.hound, 'play', 'playbook.yml', '-i', 'inventory.ini', '--distribution', 'auto', '--reporter', reporter];
        const result = await runInPty(argv, { rows: options.rows, columns: options.columns, cwd: work, env: { ...process.env, TERM: 'xterm-256color' } }).done;
        const missing = (await Promise.all(target.nodes.map((node, i) => missingImages(node, target.needs[i])))).flat();
        // A run that failed is kept, with its reason: under load the old view made runs fail (SSH keepalives unanswered).
        const failure =
          result.code !== 0 || missing.length > 0 ? `exit ${result.code}${missing.length ? `, ${missing.length} image(s) missing` : ''}` : undefined;
        const m: Measurement = {
          failure,
          round,
          reporter,
          wallSeconds: result.wallSeconds,
          cpuSeconds: result.userSeconds + result.systemSeconds,
          maxRssBytes: result.maxRssBytes,
          terminalBytes: result.output.length,
          loadAverage,
        };
        runs.push(m);
        log(
          `round ${round} ${reporter.padEnd(5)}${failure ? ` FAILED (${failure})` : ''}: wall ${m.wallSeconds.toFixed(1)} s, CPU ${m.cpuSeconds.toFixed(2)} s, RSS ${formatBytes(m.maxRssBytes)}, ${formatBytes(m.terminalBytes)} to the terminal (load ${loadAverage.toFixed(2)})`,
        );
      }
    }
    return runs;
  } finally {
    await rm(work, { recursive: true, force: true });
    if (!options.keepLab) await labDown(options.labName);
  }
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('reporter-cost')
    .description("What hound's live view costs: the same run under --reporter plain and --reporter tty on a real pty, side by side.")
    .option('--rounds <n>', 'rounds of one plain and one tty run each', positive('--rounds'), 3)
    .option('--rows <n>', 'terminal rows', positive('--rows'), 40)
    .option('--columns <n>', 'terminal columns', positive('--columns'), 120)
    .option('--nodes <n>', 'lab nodes (the diverse workload)', positive('--nodes'), 10)
    .option('--lab-name <name>', 'name of the lab brought up for it', 'reporter-cost')
    .option('--keep-lab', 'leave the lab up afterwards')
    .option('--hound <file>', "the hound CLI to measure (e.g. another checkout's dist/cli/hound.js)", HOUND_CLI)
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
    const o = program.opts<Omit<CostOptions, 'keepLab'> & { keepLab?: boolean }>();
    if (process.getuid?.() !== 0) {
      process.stderr.write('reporter-cost: needs root (it brings up a hound lab)\n');
      return EXIT.ERROR;
    }
    const started = Date.now();
    const log = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
    const runs = await measure({ ...o, keepLab: o.keepLab === true, hound: path.resolve(o.hound) }, log);
    process.stdout.write(
      `\n${o.nodes} nodes, diverse, --distribution auto, a ${o.rows}×${o.columns} pty, ${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at the end\n\n${costTable(runs)}\n`,
    );
    return EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' ? EXIT.OK : EXIT.OPTIONS;
    const message = err instanceof HoundError ? err.format() : err instanceof Error ? err.message : String(err);
    process.stderr.write(`reporter-cost: ${message}\n`);
    return EXIT.ERROR;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
