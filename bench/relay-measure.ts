// Measures the relay against parallel `docker pull` on a running lab, side by side in one
// run, from cold each time: node i needs hound/app<i> and hound/app<(i+3) mod N> (the
// benchmark's "diverse" workload). Prints wall time, bytes the registry sent (from its
// access log) and the controller's CPU and peak RSS during the relayed run.
//
//   hound lab up --name relay --nodes 10 --registry-rate 40mbit --node-rate 10mbit --controller-rate 100mbit
//   hound lab images --name relay
//   node dist/bench/relay-measure.js relay
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readLabInfo, type LabInfo, type LabNodeInfo } from '../lab/info.js';
import { labDirOf } from '../lab/naming.js';
import { connectHost } from '../transport/ssh-connection.js';
import { resolveConnectionTarget } from '../transport/connection-target.js';
import { SshDocker } from '../runtime/docker.js';
import { startRelay } from '../relay/relay.js';

interface Ran {
  code: number;
  stderr: string;
}

function run(argv: readonly string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stderr });
    });
  });
}

function sshArgv(lab: LabInfo, node: LabNodeInfo, remote: readonly string[]): string[] {
  return [
    'ssh',
    '-F',
    '/dev/null',
    '-i',
    lab.privateKey,
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${lab.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    `root@${node.ip}`,
    '--',
    ...remote,
  ];
}

/** Removes every image from every node (through its host-side socket), so the next run starts cold. */
async function makeCold(lab: LabInfo): Promise<void> {
  await Promise.all(
    lab.nodes.map(async (node) => {
      const docker = ['docker', '-H', `unix://${node.dockerSocket}`];
      const list = await new Promise<string>((resolve) => execFile(docker[0], [...docker.slice(1), 'images', '-aq'], (_e, out) => resolve(String(out))));
      const ids = [...new Set(list.split(/\s+/).filter(Boolean))];
      if (ids.length > 0) await run([...docker, 'rmi', '-f', ...ids]);
    }),
  );
}

/** Bytes of blob bodies the registry logged since `offset` (Common Log Format: status, then size). */
async function registryBlobBytes(lab: LabInfo, offset: number): Promise<{ bytes: number; gets: number }> {
  const log = (await readFile(path.join(lab.dir, 'registry', 'registry.log'), 'utf8')).slice(offset);
  let bytes = 0;
  let gets = 0;
  for (const match of log.matchAll(/"GET \/v2\/\S+\/blobs\/sha256:[a-f0-9]{64} HTTP\/[\d.]+" 200 (\d+)/g)) {
    bytes += Number(match[1]);
    gets++;
  }
  return { bytes, gets };
}

async function logSize(lab: LabInfo): Promise<number> {
  return (await readFile(path.join(lab.dir, 'registry', 'registry.log'), 'utf8')).length;
}

async function measureDockerPull(lab: LabInfo, needs: string[][]): Promise<{ seconds: number; originBytes: number; gets: number }> {
  const offset = await logSize(lab);
  const started = performance.now();
  const failures = await Promise.all(
    lab.nodes.map(async (node, i) => {
      for (const ref of needs[i]) {
        const result = await run(sshArgv(lab, node, ['docker', 'pull', '-q', ref]));
        if (result.code !== 0) return `${node.name}: docker pull ${ref}: ${result.stderr.trim()}`;
      }
      return undefined;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const failed = failures.filter(Boolean);
  if (failed.length > 0) throw new Error(failed.join('\n'));
  const { bytes, gets } = await registryBlobBytes(lab, offset);
  return { seconds, originBytes: bytes, gets };
}

async function measureRelay(lab: LabInfo, needs: string[][], registry: string) {
  const offset = await logSize(lab);
  const cpuBefore = process.cpuUsage();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const started = performance.now();
  const connections = await Promise.all(
    lab.nodes.map((node) =>
      connectHost(
        resolveConnectionTarget(node.name, {
          ansible_host: node.ip,
          ansible_user: 'root',
          ansible_ssh_private_key_file: lab.privateKey,
          ansible_ssh_common_args: `-o UserKnownHostsFile=${lab.knownHosts}`,
        }),
      ),
    ),
  );
  const relay = startRelay({ origins: [{ host: registry, plainHttp: true }], logger: (line) => process.stderr.write(line + '\n') });
  try {
    await Promise.all(connections.map((connection) => relay.attach(connection)));
    const attachedAt = performance.now();
    const schedule = await relay.prepare(lab.nodes.map((node, i) => ({ host: node.name, images: needs[i] })));
    const preparedAt = performance.now();
    const nodeDone: number[] = [];
    await Promise.all(
      lab.nodes.map(async (node, i) => {
        const docker = new SshDocker(connections[i]);
        // One image after the other, as the docker pull contender does. Pulling a node's
        // images all at once was slower on the lab (25-28 s vs 22-24 s): the second pull's layers
        // wait for dockerd to extract the first's, and the concurrent extractions compete.
        await relay.pullImagesThroughRelay(node.name, docker, schedule.pullOrder.get(node.name)!);
        nodeDone.push(performance.now());
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpuBefore);
    const { bytes, gets } = await registryBlobBytes(lab, offset);
    const phases = {
      connected: (attachedAt - started) / 1000,
      prepared: (preparedAt - started) / 1000,
      firstNodeDone: (Math.min(...nodeDone) - started) / 1000,
    };
    return { seconds, originBytes: bytes, gets, stats: relay.stats(), schedule, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRss, phases };
  } finally {
    clearInterval(sampler);
    await relay.close();
    await Promise.all(connections.map((connection) => connection.close()));
  }
}

async function main(): Promise<void> {
  const lab = await readLabInfo(labDirOf(process.argv[2] ?? 'relay'));
  const registry = `${lab.registry.ip}:${lab.registry.port}`;
  const count = lab.nodes.length;
  const needs = lab.nodes.map((_, i) => [`${registry}/hound/app${i % 10}:latest`, `${registry}/hound/app${(i + 3) % 10}:latest`]);
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  process.stdout.write(
    `lab ${lab.name}: ${count} nodes, rates registry ${lab.rates.registry ?? 'unshaped'}, node ${lab.rates.node ?? 'unshaped'}, controller ${lab.rates.controller ?? 'unshaped'}\n`,
  );

  const baselineRss = process.memoryUsage().rss;
  // `--relay-only` skips the docker pull run, to try changes to the relay quickly.
  const direct = process.argv.includes('--relay-only')
    ? undefined
    : await (async () => {
        await makeCold(lab);
        return measureDockerPull(lab, needs);
      })();
  if (direct)
    process.stdout.write(
      `docker pull, all nodes at once: ${direct.seconds.toFixed(1)} s, registry sent ${mb(direct.originBytes)} in ${direct.gets} blob GETs\n`,
    );

  await makeCold(lab);
  const relayed = await measureRelay(lab, needs, registry);
  process.stdout.write(
    `hound relay, cold:             ${relayed.seconds.toFixed(1)} s, registry sent ${mb(relayed.originBytes)} in ${relayed.gets} blob GETs; ` +
      `relay served ${mb(relayed.stats.servedBytes)}; controller CPU ${relayed.cpuSeconds.toFixed(1)} s, peak RSS ${(relayed.peakRss / 2 ** 20).toFixed(0)} MiB ` +
      `(baseline ${(baselineRss / 2 ** 20).toFixed(0)} MiB)\n` +
      `  relay phases: ssh connected + forwards at ${relayed.phases.connected.toFixed(1)} s, manifests and plan at ${relayed.phases.prepared.toFixed(1)} s, first node done at ${relayed.phases.firstNodeDone.toFixed(1)} s\n`,
  );
  process.stdout.write(
    `workload: ${mb(relayed.schedule.totalBytes)} to nodes, ${mb(relayed.schedule.uniqueBytes)} distinct` +
      (direct ? `; relay/direct time ratio ${(relayed.seconds / direct.seconds).toFixed(2)}` : '') +
      '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as { format?: () => string }).format?.() ?? (error as Error).message}\n`);
  process.exitCode = 1;
});
