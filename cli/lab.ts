// `hound lab`: a real, disposable cluster on this machine (registry + N nodes running Docker,
// containerd or podman, each in its own network namespace). The work is in lab/; this file
// parses and prints.
import type { Command } from 'commander';
import { OptionsError } from '../base/errors.js';

function parseNodeCount(text: string): number {
  if (!/^\d+$/.test(text)) throw new OptionsError('LAB_BAD_NODES', `--nodes must be a whole number, got '${text}'`);
  return Number(text);
}

/** A `hound lab` subcommand that acts on one lab, named by --name (default "hound"). */
function labCommand(lab: Command, name: string, description: string): Command {
  return lab.command(name).description(description).option('--name <name>', 'lab name', 'hound');
}

export function register(program: Command): void {
  const lab = program
    .command('lab')
    .description('a local test cluster: one registry and N nodes (Docker, containerd or podman) over SSH, each in its own network namespace');

  lab
    .command('up')
    .description('start (or restart from scratch) a lab; prints its inventory and known_hosts paths')
    .option('--name <name>', 'lab name (several labs may run at once)', 'hound')
    .option('--nodes <n>', 'number of nodes (default 3, or what --runtimes counts)')
    .option(
      '--runtimes <list>',
      'container runtime per node: a list cycled over the nodes (docker,containerd,podman) or counts (docker=2,podman=1); default docker',
    )
    .option('--subnet <cidr>', 'a /24 in 10.0.0.0/8 (default: derived from the name)')
    .option('--registry-rate <rate>', "shape the registry's uplink, e.g. 400mbit")
    .option('--node-rate <rate>', "shape each node's downlink, e.g. 100mbit")
    .option('--controller-rate <rate>', "shape the controller's link (both directions), e.g. 1gbit")
    .action(
      async (o: { name: string; nodes?: string; runtimes?: string; subnet?: string; registryRate?: string; nodeRate?: string; controllerRate?: string }) => {
        const { labUp } = await import('../lab/lifecycle.js');
        const { info, elapsedMs } = await labUp({
          name: o.name,
          nodes: o.nodes === undefined ? undefined : parseNodeCount(o.nodes),
          runtimes: o.runtimes,
          subnet: o.subnet,
          registryRate: o.registryRate,
          nodeRate: o.nodeRate,
          controllerRate: o.controllerRate,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        process.stderr.write(`lab ${info.name} up: ${info.nodes.length} nodes, registry ${info.registry.url}, in ${(elapsedMs / 1000).toFixed(1)} s\n`);
        process.stdout.write(`inventory: ${info.inventory}\nknown_hosts: ${info.knownHosts}\nlab.json: ${info.dir}/lab.json\n`);
      },
    );

  labCommand(
    lab,
    'images',
    'push the sample images (hound/base, hound/runtime-a|b, hound/app0..9) and a Distribution registry image for fan-out seeds (lab/registry:2.8) into the lab registry',
  ).action(async (o: { name: string }) => {
    const [{ readLabInfo }, { labDirOf, validateLabName }, { pushImageSet }, { SAMPLE_IMAGE_SET }, { pushRegistryImage }] = await Promise.all([
      import('../lab/info.js'),
      import('../lab/naming.js'),
      import('../lab/registry-push.js'),
      import('../lab/sample-images.js'),
      import('../lab/registry-image.js'),
    ]);
    const info = await readLabInfo(labDirOf(validateLabName(o.name)));
    const pushed = [...(await pushImageSet(info.registry.url, SAMPLE_IMAGE_SET)), await pushRegistryImage(info.registry.url)];
    for (const img of pushed) {
      const bytes = img.layers.reduce((s, l) => s + l.size, 0);
      process.stdout.write(`${info.registry.ip}:${info.registry.port}/${img.repository}:${img.tag}@${img.digest} ${img.layers.length} layers ${bytes} bytes\n`);
    }
  });

  labCommand(lab, 'status', "each lab host: up or down, its address, its daemons' pids").action(async (o: { name: string }) => {
    const { labStatus } = await import('../lab/lifecycle.js');
    const s = await labStatus(o.name);
    process.stdout.write(`lab ${s.info.name} ${s.up ? 'up' : 'DEGRADED'} subnet ${s.info.subnet} controller ${s.info.controllerIp} dir ${s.info.dir}\n`);
    const mib = (bytes: number) => `${(bytes / (1 << 20)).toFixed(1)}MiB`;
    for (const h of s.hosts) {
      const daemons = h.daemons.map((d) => `${d.name}=${d.pid}${d.alive ? '' : '(dead)'}${d.alive && !d.answering ? '(not answering)' : ''}`).join(' ');
      const runtime = h.runtime ? ` ${h.runtime}` : '';
      const memory = h.memory ? ` rss=${mib(h.memory.rssBytes)} pss=${mib(h.memory.pssBytes)}` : '';
      process.stdout.write(
        `${h.name.padEnd(10)} ${(h.up ? 'up' : 'down').padEnd(5)} ${h.ip.padEnd(15)} netns ${h.netns}${h.netnsPresent ? '' : '(missing)'}${runtime}${memory} ${daemons}\n`,
      );
    }
    if (!s.up) process.exitCode = 1;
  });

  labCommand(lab, 'down', 'stop a lab and remove all of it: processes, namespaces, links, state dir').action(async (o: { name: string }) => {
    const { labDown } = await import('../lab/lifecycle.js');
    const r = await labDown(o.name);
    process.stdout.write(
      r.existed
        ? `lab ${r.name} down: stopped ${r.stoppedProcesses} processes in ${(r.elapsedMs / 1000).toFixed(1)} s\n`
        : `lab ${r.name} was not up; nothing to do\n`,
    );
  });
}
