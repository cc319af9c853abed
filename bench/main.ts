// `npm run bench -- --nodes 2,4,6,8,10`: hound against docker pull loops, ansible-playbook
// and docker-compose on a shaped `hound lab` of its own, with the physical lower bounds;
// with `--runtimes docker,containerd,podman` also on containerd nodes (ctr, the CRI) and
// podman nodes (podman pull), each runtime its own rows.
// Lab-up is not timed; the lab comes down at the end, on failure and on Ctrl-C.
import { Command, CommanderError } from 'commander';
import { setMaxListeners } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError, EXIT, HoundError, InterruptedError, OptionsError } from '../base/errors.js';
import { labDown, labUp } from '../lab/lifecycle.js';
import { pushImageSet } from '../lab/registry-push.js';
import { pushRegistryImage } from '../lab/registry-image.js';
import { lowerBounds } from './bounds.js';
import { registryHost } from './lab-nodes.js';
import { measurePullCpu, type PullCpu } from './pull-cpu.js';
import { describeBuild } from './baseline.js';
import { buildRoster, CONTENDER_IDS } from './contenders/roster.js';
import { requireGnuTime } from './controller-cost.js';
import { describeEnvironment } from './environment.js';
import { runMatrix } from './matrix.js';
import { DEFAULTS, resolveBenchOptions, type BenchOptions, type RawBenchOptions } from './options.js';
import { parseRate } from '../lab/rate.js';
import { writeReport, type BenchReport } from './report-files.js';
import { contenderName, type RunRecord, type WorkloadBounds } from './results-model.js';
import { resultsTable } from './results-table.js';
import { buildImageSet, layersOf, neededImageSet, nodeNeeds } from './workload.js';

const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));
const WORK_ROOT = '/var/tmp/hound-bench';

function requireCommand(name: string, aptPackage: string): void {
  const found = (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found)
    throw new EnvironmentError('BENCH_MISSING_TOOL', `${name} is not installed: the benchmark runs it as a contender`, {
      hint: `apt-get install ${aptPackage}`,
    });
}

function checkMachine(options: BenchOptions): void {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new EnvironmentError('BENCH_NOT_ROOT', 'the benchmark needs root on Linux: it brings up a hound lab (namespaces, bridges, tc)', {
      hint: 'run it as root: sudo npm run bench',
    });
  }
  requireCommand('ssh', 'openssh-client');
  requireGnuTime();
  if (options.contenders.some((c) => c.startsWith('ansible'))) requireCommand('ansible-playbook', 'ansible');
  if (options.contenders.includes('docker-compose-pull')) requireCommand('docker-compose', 'docker-compose');
  if (options.runtimes.includes('containerd')) requireCommand('ctr', 'containerd');
  if (options.runtimes.includes('podman')) requireCommand('podman', 'podman');
}

/** The lab's --runtimes: as many nodes of each runtime as the largest node count (none given: Docker nodes, as always). */
function labRuntimes(runtimes: readonly string[], largest: number): string | undefined {
  return runtimes.length === 1 && runtimes[0] === 'docker' ? undefined : runtimes.map((r) => `${r}=${largest}`).join(',');
}

function notesOf(runs: RunRecord[], options: BenchOptions): string[] {
  const notes: string[] = [];
  if (options.quick && !options.contenders.includes('docker-pull-sequential')) {
    notes.push(
      '--quick leaves out "docker pull, node after node": alone it takes at least 10 × 13.6 s (each node\'s 17 MB through its 10mbit link, one node at a time), so no quick run with it fits in six minutes. The full run measures it; add it here with --contenders.',
    );
  }
  if (runs.some((r) => r.copiedFrom !== undefined)) {
    notes.push(
      'At 5 nodes or fewer, "ansible-playbook, forks = nodes" is the same command as forks 5 (Ansible never uses more forks than hosts): its figure is the forks 5 run, not a second run.',
    );
  }
  const prefix = runs.find((r) => r.prefixOf !== undefined);
  if (prefix) {
    notes.push(
      `† "docker pull, node after node" below ${prefix.prefixOf} nodes is not a separate run. A shell loop works on one node at a time, in order, so a loop over the first n nodes takes exactly as long as the first n steps of the loop over ${prefix.prefixOf}: the figure is when step n of the ${prefix.prefixOf}-node runs ended (the median over those runs). Re-running it would add about a quarter to the benchmark's time and measure the same steps again.`,
    );
  }
  notes.push('The bounds count layer blob bytes only (no TCP/IP or HTTP overhead, about 3–5 % on the wire), so no real run can reach them exactly.');
  return notes;
}

function clock(started: number): string {
  const s = Math.round((Date.now() - started) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

async function benchmark(options: BenchOptions, labName: string, outDir: string, keepLab: boolean, command: string): Promise<number> {
  checkMachine(options);
  const startedAt = new Date();
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`[${clock(started)}] ${line}\n`);
  const abort = new AbortController();
  // Every node's command of a contender listens on this one signal: 25 to 100 nodes are expected listeners, not a leak.
  setMaxListeners(0, abort.signal);
  const onSignal = () => {
    log('interrupted: stopping the current run and taking the lab down');
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const largest = Math.max(...options.nodeCounts);
  const workRoot = path.join(WORK_ROOT, startedAt.toISOString().replace(/[:.]/g, '-'));
  const baseline = options.baseline === undefined ? undefined : { build: await describeBuild(options.baseline.cli), strategies: options.baseline.strategies };
  const roster = buildRoster(options.contenders, options.strategies, options.runtimes, baseline);
  const runtimes = labRuntimes(options.runtimes, largest);
  log(`rates: registry uplink ${options.rates.registry}, node links ${options.rates.node}, controller link ${options.rates.controller}`);
  log(`contenders: ${roster.map((c) => contenderName({ contenders: roster }, c)).join('; ')}`);
  // Asking ansible-galaxy for versions takes seconds: do it while the lab comes up.
  const environmentPending = describeEnvironment(REPO_DIR);
  let labUpSeconds = 0;
  let labStarted = false;
  try {
    log(`bringing up lab '${labName}' with ${runtimes === undefined ? `${largest} nodes` : `nodes ${runtimes}`} (not timed)`);
    labStarted = true;
    const up = await labUp({
      name: labName,
      nodes: largest * options.runtimes.length,
      ...(runtimes === undefined ? {} : { runtimes }),
      registryRate: options.rates.registry,
      nodeRate: options.rates.node,
      controllerRate: options.rates.controller,
    });
    labUpSeconds = up.elapsedMs / 1000;
    const lab = up.info;
    log(`lab up in ${labUpSeconds.toFixed(1)} s; pushing the benchmark's images to ${lab.registry.url}`);
    const imageSet = neededImageSet(buildImageSet(), options.workloads, options.nodeCounts);
    const environment = await environmentPending;
    const pushed = await pushImageSet(lab.registry.url, imageSet);
    if (options.strategies.includes('fanout') || options.strategies.includes('auto')) await pushRegistryImage(lab.registry.url);
    const blobBytes = new Map<string, { size: number; digest: string }>();
    for (const image of pushed) for (const l of image.layers) blobBytes.set(l.name, { size: l.size, digest: l.digest });
    const layerBytes = new Map([...blobBytes].map(([name, b]) => [name, b.size]));
    // Each runtime's pull processing per byte, on its first node (untimed, before the matrix):
    // Docker's sets the CPU bound, the others are reported beside it (docs/scale.md).
    const pullCpus: PullCpu[] = [];
    if (options.workloads.some((w) => w !== 'noop')) {
      const host = registryHost(lab);
      const refs = imageSet.images.map((img) => `${host}/${img.repository}:${img.tag}`);
      const bytes = [...blobBytes.values()].reduce((sum, b) => sum + b.size, 0);
      for (const runtime of options.runtimes) {
        const node = lab.nodes.find((n) => n.runtime === runtime);
        if (!node) continue;
        const measured = await measurePullCpu(lab, node, refs, bytes);
        pullCpus.push(measured);
        log(
          `pull CPU: ${node.name}'s ${runtime} used ${measured.cpuSeconds.toFixed(2)} s of CPU for ${(measured.bytes / 1e6).toFixed(1)} MB (${(measured.secondsPerByte * 1e9).toFixed(1)} ms per MB)`,
        );
      }
    }
    const pullCpu = pullCpus.find((p) => p.runtime === 'docker');
    const bounds: WorkloadBounds[] = [];
    const needs: BenchReport['needs'] = [];
    for (const workload of options.workloads) {
      for (const nodes of options.nodeCounts) {
        const perNode = nodeNeeds(workload, nodes);
        needs.push({ workload, nodes, perNode });
        // noop moves no bytes: its bound is zero.
        const nodeLayers = workload === 'noop' ? [] : perNode.map((refs) => refs.flatMap((ref) => layersOf(imageSet, ref)));
        bounds.push({
          workload,
          nodes,
          bounds: lowerBounds({
            nodeLayers,
            layerBytes,
            registryBitsPerSecond: parseRate(options.rates.registry).bitsPerSecond,
            nodeBitsPerSecond: parseRate(options.rates.node).bitsPerSecond,
            cpu: pullCpu,
          }),
        });
      }
    }
    for (const b of bounds) {
      if (b.workload !== 'noop')
        log(
          `bounds ${b.workload} ${b.nodes} nodes: origin only ${b.bounds.originOnlySeconds.toFixed(1)} s, each layer once ${b.bounds.eachLayerOnceSeconds.toFixed(1)} s`,
        );
    }
    await mkdir(workRoot, { recursive: true });
    const report = (runs: RunRecord[], finishedAt: Date): BenchReport => ({
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationSeconds: (finishedAt.getTime() - started) / 1000,
      command,
      quick: options.quick,
      repeats: options.repeats,
      rates: options.rates,
      rateBitsPerSecond: {
        registry: parseRate(options.rates.registry).bitsPerSecond,
        node: parseRate(options.rates.node).bitsPerSecond,
        controller: parseRate(options.rates.controller).bitsPerSecond,
      },
      lab: { name: labName, nodes: largest * options.runtimes.length, upSeconds: labUpSeconds, ...(runtimes === undefined ? {} : { runtimes }) },
      ...(pullCpu ? { pullCpu } : {}),
      ...(pullCpus.length > 0 ? { pullCpus } : {}),
      environment,
      imageSet: {
        layers: imageSet.layers.map((l) => ({
          name: l.name,
          sizeBytes: l.sizeBytes,
          blobBytes: blobBytes.get(l.name)?.size ?? 0,
          digest: blobBytes.get(l.name)?.digest ?? '',
        })),
        images: imageSet.images,
      },
      needs,
      nodeCounts: options.nodeCounts,
      workloads: options.workloads,
      contenders: roster.map(({ id, label, isHound, runtime }) => ({ id, label, isHound, runtime })),
      runs,
      bounds,
      notes: notesOf(runs, options),
    });
    const partial: RunRecord[] = [];
    const runs = await runMatrix({
      lab,
      workloads: options.workloads,
      nodeCounts: options.nodeCounts,
      repeats: options.repeats,
      roster,
      upTo: options.upTo,
      workRoot,
      signal: abort.signal,
      log,
      // partial.* in the results dir grows run by run, so an interrupted benchmark keeps what it measured.
      onRecord: async (record) => {
        partial.push(record);
        const r = report(partial, new Date());
        r.notes.push(`Partial: ${partial.length} runs so far; the benchmark had not finished when this was written.`);
        await writeReport(outDir, r, 'partial');
      },
    });
    const files = await writeReport(outDir, report(runs, new Date()));
    await Promise.all(['md', 'json', 'svg'].map((ext) => rm(path.join(outDir, `partial.${ext}`), { force: true })));
    log(`done in ${clock(started)}; wrote ${files.join(', ')}`);
    process.stdout.write(`\n${resultsTable(report(runs, new Date()))}\n`);
    return runs.every((r) => r.ok) ? EXIT.OK : EXIT.ERROR;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (labStarted && !keepLab) {
      log(`taking lab '${labName}' down`);
      await labDown(labName).catch((err: unknown) => log(`lab down failed: ${err instanceof Error ? err.message : String(err)}`));
    }
    await rm(workRoot, { recursive: true, force: true });
  }
}

async function rerender(jsonFile: string, outDir: string): Promise<number> {
  let report: BenchReport;
  try {
    report = JSON.parse(await readFile(jsonFile, 'utf8')) as BenchReport;
  } catch (err) {
    throw new OptionsError('BENCH_BAD_RESULTS', `--render: cannot read results from ${jsonFile}: ${err instanceof Error ? err.message : String(err)}`, {
      hint: 'give a latest.json (or partial.json) written by the benchmark',
    });
  }
  const files = await writeReport(outDir, report);
  process.stderr.write(`wrote ${files.join(', ')}\n`);
  return EXIT.OK;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('hound-bench')
    .description('Benchmark hound against docker pull loops, ansible-playbook, docker-compose, ctr, the CRI and podman pull on a shaped hound lab.')
    .option('--nodes <list>', `node counts, comma separated (default ${DEFAULTS.nodes}; --quick: 10)`)
    .option('--workloads <list>', `diverse, identical, noop, disjoint (default diverse,identical,noop; --quick: diverse)`)
    .option('--contenders <list>', `some of ${CONTENDER_IDS.join(', ')} (default all; --quick: all but docker-pull-sequential)`)
    .option('--strategies <list>', `hound distribution strategies to run, each a contender (default ${DEFAULTS.strategies})`)
    .option('--repeats <n>', `runs per cell at the largest node count, median reported (default ${DEFAULTS.repeats}; --quick: 1)`)
    .option('--registry-rate <rate>', `registry uplink (default ${DEFAULTS.registryRate})`)
    .option('--node-rate <rate>', `each node's link (default ${DEFAULTS.nodeRate})`)
    .option('--controller-rate <rate>', `the controller's link (default ${DEFAULTS.controllerRate})`)
    .option('--up-to <list>', 'CONTENDER=NODES,…: run a contender only up to that node count (e.g. docker-pull-parallel=50,hound-direct=50)')
    .option('--runtimes <list>', `docker, containerd, podman: each cell runs on each runtime's nodes, its own rows (default ${DEFAULTS.runtimes})`)
    .option('--baseline <dir>', 'also run an earlier hound, built in checkout DIR (npm ci && npm run build there), beside this one')
    .option('--baseline-strategies <list>', 'the strategies the --baseline build runs, each a contender (default auto)')
    .option('--quick', '10 nodes, diverse, one run, every contender but the node-after-node docker pull loop')
    .option('--lab-name <name>', 'name of the lab the benchmark brings up', 'bench')
    .option('--out <dir>', 'where latest.md/.json/.svg go (default bench/results; --quick: bench/results/quick)')
    .option('--keep-lab', 'leave the lab up afterwards (to inspect it)')
    .option('--render <json>', 'no benchmark: redraw latest.md and latest.svg from a results JSON (e.g. after changing the chart)')
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
    const raw = program.opts<RawBenchOptions & { labName: string; out?: string; keepLab?: boolean; render?: string }>();
    // A quick run never overwrites the full run's results, which the README shows.
    const out = path.resolve(raw.out ?? path.join(REPO_DIR, 'bench', 'results', raw.quick === true ? 'quick' : ''));
    if (raw.render !== undefined) return await rerender(raw.render, out);
    const options = resolveBenchOptions(raw);
    const command = ['npm run bench --', ...argv].join(' ');
    return await benchmark(options, raw.labName, out, raw.keepLab === true, command);
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.OK : EXIT.OPTIONS;
    if (err instanceof HoundError) {
      process.stderr.write(err.format() + '\n');
      return err instanceof InterruptedError ? EXIT.INTERRUPTED : err.exitCode;
    }
    process.stderr.write(`hound-bench: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.UNEXPECTED;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
