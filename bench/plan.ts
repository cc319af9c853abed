// Benchmark: how long `hound plan` takes for 10 nodes × 10 images on a lab (target: under
// 2 s for facts + planning). Prints figures; asserts nothing.
//
//   node dist/bench/plan.js                 # brings up its own 10-node lab, then takes it down
//   node dist/bench/plan.js --lab DIR       # uses a running lab (its first 10 nodes)
//   node dist/bench/plan.js --runs 7
//
// Half the nodes are left empty, the other half hold some of the images, so the planner
// meets both missing tags and layers present through other images. On its own lab it then
// applies the plan and measures again: the warm cluster, where nothing changes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { labDown, labUp, pushImageSet, readLabInfo, SAMPLE_IMAGE_SET, type LabInfo } from '../lab/index.js';
import { loadAndCompile } from '../playbook/load-run.js';
import { PlanHostAccess, planRun } from '../plan/facts.js';
import { toSavedPlan } from '../plan/plan-file.js';
import { applyPlannedChanges } from '../plan/apply.js';
import { computePlan } from '../plan/planner.js';

const NODES = 10;
const IMAGES = 10;
const LAB_NAME = 'planbench';

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function pull(socketPath: string, ref: string): Promise<void> {
  const docker = new Docker({ socketPath });
  const stream = await docker.pull(ref);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
}

async function prepareNodes(lab: LabInfo, registry: string): Promise<void> {
  const nodes = lab.nodes.slice(0, NODES);
  await Promise.all(
    nodes.map(async (node, i) => {
      if (i % 2 === 1) return;
      // Even nodes hold a few apps (and so the shared base and runtimes).
      for (const k of [i % IMAGES, (i + 3) % IMAGES]) await pull(node.socket.controller, `${registry}/hound/app${k}:latest`);
    }),
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Figures {
  compile: number;
  factsAndPlan: number;
  plan: number;
  total: number;
  cpu: number;
}

interface Measured {
  figures: Figures[];
  summary: string;
}

async function measure(playbook: string, inventory: string, runs: number): Promise<Measured> {
  const figures: Figures[] = [];
  let summary = '';
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const {
      compiled: [run],
      inventory: inv,
    } = await loadAndCompile([playbook], { inventory: [inventory] });
    const t1 = performance.now();
    const access = new PlanHostAccess(run, { inventory: inv });
    const { plan, facts } = await planRun(run, access).finally(() => access.close());
    const t2 = performance.now();
    // The pure step alone, on the same facts.
    computePlan(run, facts);
    const t3 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    figures.push({ compile: t1 - t0, factsAndPlan: t2 - t1, plan: t3 - t2, total: t2 - t0, cpu: (cpu.user + cpu.system) / 1000 });
    const failed = plan.failedHosts.length;
    summary = `${Object.keys(plan.hosts).length} hosts, ${plan.changes} changes, ${(plan.registryTotals.direct / 2 ** 20).toFixed(1)} MiB direct / ${(plan.registryTotals.relay / 2 ** 20).toFixed(1)} MiB relay, ${failed} failed`;
    if (failed > 0) summary += ` (${plan.failedHosts.map((h) => plan.hosts[h].failed!.code).join(', ')})`;
  }
  return { figures, summary };
}

const ms = (v: number) => `${v.toFixed(0)} ms`;

function report(label: string, m: Measured): string[] {
  const col = (k: keyof Figures) => `${ms(median(m.figures.map((f) => f[k])))} median, ${ms(Math.min(...m.figures.map((f) => f[k])))} best`;
  return [
    `  ${label}: ${m.summary}`,
    `    compile:        ${col('compile')}`,
    `    facts+planning: ${col('factsAndPlan')}   (target: under 2000 ms; SSH connect, Docker info/images/containers, df over SSH where pulls need it, registry manifests+configs, the plan)`,
    `    planning alone: ${col('plan')}   (the pure step, on the same facts)`,
    `    end to end:     ${col('total')}`,
    `    controller CPU: ${col('cpu')}   (hound's own user+sys time, which the machine's load inflates little)`,
  ];
}

async function main(): Promise<void> {
  const runs = Number(argument('--runs') ?? 5);
  const given = argument('--lab');
  let lab: LabInfo;
  if (given) {
    lab = await readLabInfo(given);
  } else {
    process.stderr.write(`bringing up lab '${LAB_NAME}' with ${NODES} nodes…\n`);
    lab = (await labUp({ name: LAB_NAME, nodes: NODES })).info;
    await pushImageSet(lab.registry.url, SAMPLE_IMAGE_SET);
  }
  try {
    if (lab.nodes.length < NODES) throw new Error(`the lab at ${lab.dir} has ${lab.nodes.length} nodes; the benchmark needs ${NODES}`);
    const registry = `${lab.registry.ip}:${lab.registry.port}`;
    if (!given) await prepareNodes(lab, registry);

    const work = mkdtempSync(path.join(tmpdir(), 'hound-bench-plan-'));
    const inventory = path.join(work, 'hosts.ini');
    writeFileSync(
      inventory,
      [
        '[nodes]',
        ...lab.nodes.slice(0, NODES).map((n) => `${n.name} ansible_host=${n.ip} ansible_user=root ansible_ssh_private_key_file=${lab.privateKey}`),
        '',
        '[nodes:vars]',
        `ansible_ssh_common_args='-o UserKnownHostsFile=${lab.knownHosts}'`,
        '',
      ].join('\n'),
    );
    const playbook = path.join(work, 'warm.yml');
    const names = Array.from({ length: IMAGES }, (_, k) => `          - ${registry}/hound/app${k}:latest`).join('\n');
    writeFileSync(playbook, `- name: warm\n  hosts: nodes\n  gather_facts: false\n  tasks:\n    - name: apps\n      images:\n        names:\n${names}\n`);

    const cold = await measure(playbook, inventory, runs);
    let warm: Measured | undefined;
    if (!given) {
      // Carry the plan out, then measure the common case: a warm cluster, nothing to change.
      const {
        compiled: [run],
        inventory: inv,
      } = await loadAndCompile([playbook], { inventory: [inventory] });
      const access = new PlanHostAccess(run, { inventory: inv });
      try {
        const { plan, facts } = await planRun(run, access);
        await applyPlannedChanges(toSavedPlan(plan, facts, { playbook, inventory: [inventory] }), access);
      } finally {
        await access.close();
      }
      warm = await measure(playbook, inventory, runs);
    }
    // Where the facts time goes, per node on open connections: Docker API calls vs df over SSH.
    const {
      compiled: [run],
      inventory: inv,
    } = await loadAndCompile([playbook], { inventory: [inventory] });
    const access = new PlanHostAccess(run, { inventory: inv });
    const parts = { info: [] as number[], images: [] as number[], df: [] as number[] };
    try {
      await Promise.all(
        lab.nodes.slice(0, NODES).map(async (n) => {
          const docker = await access.docker(n.name);
          let t = performance.now();
          await docker.info();
          parts.info.push(performance.now() - t);
          t = performance.now();
          await docker.listImages();
          parts.images.push(performance.now() - t);
          t = performance.now();
          await docker.freeBytes();
          parts.df.push(performance.now() - t);
        }),
      );
    } finally {
      await access.close();
    }
    process.stdout.write(
      [
        `hound plan: ${NODES} nodes × ${IMAGES} images, ${runs} runs per case (load average ${loadavg()[0].toFixed(1)} on this machine)`,
        ...report('mixed nodes', cold),
        ...(warm ? report('warm cluster', warm) : []),
        `  per node, connection open: docker info ${ms(median(parts.info))}, list+inspect images ${ms(median(parts.images))}, df over SSH ${ms(median(parts.df))} (medians)`,
        '',
      ].join('\n'),
    );
  } finally {
    if (!given) await labDown(LAB_NAME);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/plan: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
