// `hound lab` end to end, through the built CLI, on a lab of its own (not the shared one):
// real namespaces, sshd, dockerd and registry, checked with tools independent of hound
// (ip, tc, ssh, ansible-inventory, the nodes' Docker sockets, /proc).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readLabInfo, type LabInfo } from '../../lab/index.js';
import { testLabDir } from '../fixtures/test-lab.js';
import { deriveSubnet, labDirOf, linkNamesOf, netnsPrefixOf, subnetCidr } from '../../lab/naming.js';
import { claimLab, claimRunLabName, labInUseByOther, labOwner, reapAbandonedLabs, releaseLab } from '../../lab/ownership.js';

// Per run, so that two runs on one machine do not take down each other's lab.
const NAME = `labtest-${process.pid}`;
const DIR = labDirOf(NAME);
const HOUND = path.resolve('dist/cli/hound.js');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], timeout = 120_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', timeout, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const hound = (...args: string[]) => run(process.execPath, [HOUND, ...args]);

function ssh(info: LabInfo, node: number, command: string, user = 'root'): Promise<Ran> {
  return run('ssh', [
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${info.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ConnectTimeout=5',
    '-i',
    info.privateKey,
    `${user}@${info.nodes[node].ip}`,
    command,
  ]);
}

/** Docker Engine API on a node's own socket, from the controller, bypassing SSH and hound. */
async function nodeImages(info: LabInfo, node: number): Promise<{ RepoTags: string[] | null; RepoDigests: string[] | null }[]> {
  const r = await run('curl', ['-sf', '--unix-socket', info.nodes[node].socket.controller, 'http://docker/images/json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** Alive and not a zombie waiting for init to reap it. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Everything of lab `name` the kernel or /proc still knows about: namespaces, links, processes
 * naming its dir or working in it, and mounts of it in any process's mount namespace (a
 * daemon's private namespace outlives `down` only if some process still holds it).
 */
async function leftovers(name = NAME): Promise<string[]> {
  const dir = labDirOf(name);
  const found: string[] = [];
  const ns = await run('ip', ['netns', 'list']);
  found.push(
    ...ns.stdout
      .split('\n')
      .filter((l) => l.startsWith(netnsPrefixOf(name)))
      .map((l) => `netns ${l}`),
  );
  const links = linkNamesOf(name);
  const ipLink = await run('ip', ['-o', 'link', 'show']);
  for (const line of ipLink.stdout.split('\n')) {
    const ifname = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1];
    if (ifname && links.owns(ifname)) found.push(`link ${ifname}`);
  }
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (!isRunning(Number(pid))) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(`${dir}/`)) found.push(`process ${pid} ${cmdline}`);
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(`process ${pid} working in ${cwd}: ${cmdline}`);
      for (const line of readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n')) {
        if (line.includes(dir)) found.push(`mount in the namespace of ${pid}: ${line}`);
      }
    } catch {
      // exited meanwhile
    }
  }
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    if (line.includes(dir)) found.push(`mount ${line}`);
  }
  return found;
}

describe('hound lab (own lab, via the CLI)', () => {
  let up: Ran;
  let info: LabInfo;

  beforeAll(async () => {
    await reapAbandonedLabs('labtest');
    up = await hound('lab', 'up', '--name', NAME, '--nodes', '2', '--registry-rate', '40mbit', '--node-rate', '100mbit', '--controller-rate', '200mbit');
    if (up.code !== 0) throw new Error(`lab up failed: ${up.stderr}`);
    info = await readLabInfo(DIR);
  });

  afterAll(async () => {
    await hound('lab', 'down', '--name', NAME);
  });

  it('prints the inventory and known_hosts paths, and Ansible reads the inventory', async () => {
    expect(up.stdout).toContain(`inventory: ${DIR}/inventory.ini`);
    expect(up.stdout).toContain(`known_hosts: ${DIR}/known_hosts`);
    expect(up.stderr).not.toMatch(/\n\s+at /);
    const inv = await run('ansible-inventory', ['-i', info.inventory, '--list']);
    expect(inv.code).toBe(0);
    const parsed = JSON.parse(inv.stdout);
    expect(parsed.nodes.hosts).toEqual(['node1', 'node2']);
    const node1 = parsed._meta.hostvars.node1;
    expect(node1.ansible_host).toBe(info.nodes[0].ip);
    expect(node1.ansible_user).toBe('root');
    expect(node1.ansible_ssh_private_key_file).toBe(`${DIR}/id_ed25519`);
    expect(node1.ansible_ssh_common_args).toBe(`-o UserKnownHostsFile=${DIR}/known_hosts`);
    expect(node1.lab_registry).toBe(`${info.registry.ip}:5000`);
  });

  it('describes itself in lab.json: subnet, controller .1, registry .2, nodes .11 and .12', () => {
    const prefix = info.subnet.replace(/\.0\/24$/, '');
    expect(info.controllerIp).toBe(`${prefix}.1`);
    expect(info.registry).toMatchObject({ ip: `${prefix}.2`, port: 5000, url: `http://${prefix}.2:5000` });
    expect(info.nodes.map((n) => n.ip)).toEqual([`${prefix}.11`, `${prefix}.12`]);
    expect(info.nodes.map((n) => n.dockerSocket)).toEqual([`${DIR}/nodes/node1/run/docker.sock`, `${DIR}/nodes/node2/run/docker.sock`]);
    expect(info.rates).toEqual({ registry: '40mbit', node: '100mbit', controller: '200mbit' });
  });

  it('lets ssh in with the key, checking the real host key, and each node has its own dockerd', async () => {
    for (const i of [0, 1]) {
      const r = await ssh(info, i, "docker info --format '{{.DockerRootDir}} {{json .RegistryConfig.IndexConfigs}}'");
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`${DIR}/nodes/node${i + 1}/docker `);
      expect(r.stdout).toContain(`"${info.registry.ip}:5000"`);
    }
    // The pinned host key is checked: a known_hosts naming another key is refused.
    const wrongKey = await run('ssh', [
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-i',
      info.privateKey,
      `root@${info.nodes[0].ip}`,
      'true',
    ]);
    expect(wrongKey.code).not.toBe(0);
  });

  it('lets Ansible log in to every node with the inventory as written', async () => {
    const r = await run('ansible', ['nodes', '-i', info.inventory, '-m', 'raw', '-a', 'cat /run/docker.pid'], 120_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/node1 \| CHANGED \| rc=0/);
    expect(r.stdout).toMatch(/node2 \| CHANGED \| rc=0/);
    expect(r.stdout).toContain(String(info.nodes[0].pids.dockerd));
    expect(r.stdout).toContain(String(info.nodes[1].pids.dockerd));
  });

  it('pushes the sample images and a node pulls one from the lab registry through its shaped uplink', async () => {
    const images = await hound('lab', 'images', '--name', NAME);
    expect(images.code).toBe(0);
    const line = images.stdout.split('\n').find((l) => l.includes('/hound/app1:latest@'));
    expect(line).toBeDefined();
    const digest = /@(sha256:[0-9a-f]{64})/.exec(line!)![1];
    const ref = `${info.registry.ip}:5000/hound/app1:latest`;

    const pull = await ssh(info, 0, `docker pull ${ref}`);
    expect(pull.code).toBe(0);
    const onNode1 = await nodeImages(info, 0);
    const app1 = onNode1.find((img) => img.RepoTags?.includes(ref));
    expect(app1?.RepoDigests).toEqual([`${info.registry.ip}:5000/hound/app1@${digest}`]);
    // node2 has its own dockerd, so it has nothing yet
    expect(await nodeImages(info, 1)).toEqual([]);

    // The registry's uplink carries a 40mbit tbf, and the pull's bytes went through it.
    const tc = await run('tc', ['-n', info.registry.netns, '-s', 'qdisc', 'show', 'dev', 'eth0']);
    expect(tc.stdout).toMatch(/qdisc tbf \S+ root .*rate 40Mbit/);
    const sent = Number(/Sent (\d+) bytes/.exec(tc.stdout)![1]);
    expect(sent).toBeGreaterThan(11 * 1024 * 1024);
    // ...and so did node1's downlink (bridge -> node1), at 100mbit; node2's saw no image.
    const shaped = async (dev: string) => {
      const out = (await run('tc', ['-s', 'qdisc', 'show', 'dev', dev])).stdout;
      return { rate: /qdisc tbf \S+ root .*rate (\S+)/.exec(out)?.[1], sent: Number(/Sent (\d+) bytes/.exec(out)?.[1]) };
    };
    const node1Port = await shaped(info.nodes[0].hostInterface);
    expect(node1Port.rate).toBe('100Mbit');
    expect(node1Port.sent).toBeGreaterThan(11 * 1024 * 1024);
    expect((await shaped(info.nodes[1].hostInterface)).sent).toBeLessThan(1024 * 1024);
    // The controller's link is shaped both ways: its uplink carried the push of the set.
    const links = linkNamesOf(NAME);
    const controllerUp = await shaped(links.controller);
    const controllerDown = await shaped(links.controllerPort);
    expect(controllerUp.rate).toBe('200Mbit');
    expect(controllerDown.rate).toBe('200Mbit');
    expect(controllerUp.sent).toBeGreaterThan(31 * 1024 * 1024);
  });

  it('reports every host up with its address and live daemon pids', async () => {
    const s = await hound('lab', 'status', '--name', NAME);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(new RegExp(`^registry\\s+up\\s+${info.registry.ip.replaceAll('.', '\\.')}\\s.*docker-registry=${info.registry.pid}(\\s|$)`, 'm'));
    for (const n of info.nodes) {
      expect(s.stdout).toMatch(new RegExp(`^${n.name}\\s+up\\s+${n.ip.replaceAll('.', '\\.')}\\s.*sshd=${n.pids.sshd} dockerd=${n.pids.dockerd}$`, 'm'));
    }
  });

  it('recovers: after its daemons are killed -9, status says down and `up` starts afresh', async () => {
    // A process left in each node's namespace, as a crashed tool leaves one. (dockerd's own
    // containerd cannot be counted on for this: it follows dockerd within a few hundred ms.)
    for (const n of info.nodes) {
      const left = spawn('ip', ['netns', 'exec', n.netns, 'sleep', '600'], { detached: true, stdio: 'ignore' });
      left.unref();
    }
    for (const n of info.nodes) {
      process.kill(n.pids.dockerd!, 'SIGKILL');
      process.kill(n.pids.sshd, 'SIGKILL');
    }
    process.kill(info.registry.pid, 'SIGKILL');
    // What is left running in their namespaces.
    await new Promise((r) => setTimeout(r, 500));
    const orphans: number[] = [];
    for (const n of info.nodes) {
      const pids = await run('ip', ['netns', 'pids', n.netns]);
      orphans.push(...pids.stdout.split('\n').filter(Boolean).map(Number));
    }
    expect(orphans.length).toBeGreaterThan(0);

    // A mount left in the root namespace under the lab dir (as a crashed tool might leave).
    const leftMount = path.join(DIR, 'left-mount');
    mkdirSync(leftMount);
    expect((await run('mount', ['-t', 'tmpfs', 'hound-left', leftMount])).code).toBe(0);

    const degraded = await hound('lab', 'status', '--name', NAME);
    expect(degraded.code).not.toBe(0);
    expect(degraded.stdout).toMatch(/^node1\s+down\s/m);
    expect(degraded.stdout).toContain(`dockerd=${info.nodes[0].pids.dockerd}(dead)`);

    const again = await hound(
      'lab',
      'up',
      '--name',
      NAME,
      '--nodes',
      '2',
      '--registry-rate',
      '40mbit',
      '--node-rate',
      '100mbit',
      '--controller-rate',
      '200mbit',
    );
    expect(again.stderr).not.toMatch(/error/i);
    expect(again.code).toBe(0);
    for (const pid of orphans) expect(isRunning(pid), `orphan ${pid} still running`).toBe(false);
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(leftMount);
    info = await readLabInfo(DIR);
    const healthy = await hound('lab', 'status', '--name', NAME);
    expect(healthy.code).toBe(0);
    const r = await ssh(info, 1, 'docker version --format {{.Server.Version}}');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+/);
  });

  it('rejects bad options with one line and exit 5', async () => {
    for (const args of [
      ['--nodes', '0'],
      ['--registry-rate', 'fast'],
      ['--name', '../etc'],
      ['--subnet', '192.168.0.0/24'],
      ['--runtimes', 'docker,cri-o'],
      ['--runtimes', 'docker=1,podman=1', '--nodes', '3'],
    ]) {
      const r = await hound('lab', 'up', ...args);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/^error LAB_BAD_/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('refuses a subnet another lab holds, and leaves nothing of the refused lab', async () => {
    const other = `clash-${process.pid}`;
    const r = await hound('lab', 'up', '--name', other, '--subnet', info.subnet);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^error LAB_SUBNET_IN_USE: subnet ${info.subnet.replaceAll('.', '\\.')} is already used by interface ${linkNamesOf(NAME).controller}\n`),
    );
    expect(existsSync(labDirOf(other))).toBe(false);
    expect((await run('ip', ['netns', 'list'])).stdout).not.toContain(netnsPrefixOf(other));
    // and the lab that holds it is untouched
    expect((await hound('lab', 'status', '--name', NAME)).code).toBe(0);
  });

  it('refuses to run as a non-root user: one line, exit 1, no stack trace', async () => {
    const r = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, HOUND, 'lab', 'up', '--name', 'nobodylab']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error LAB_NOT_ROOT: hound lab must run as root .*: run it with sudo\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(labDirOf('nobodylab'))).toBe(false);
  });

  it('takes the next of its subnets when something else on the machine holds the first', async () => {
    const other = `subnet-${process.pid}`;
    const first = deriveSubnet(other);
    // An interface that is no lab's holds the lab's first choice, as another lab's would.
    const holder = `xsub${process.pid % 1_000_000}`;
    expect((await run('ip', ['link', 'add', holder, 'type', 'bridge'])).code).toBe(0);
    try {
      expect((await run('ip', ['addr', 'add', `${first.prefix}.1/24`, 'dev', holder])).code).toBe(0);
      const r = await hound('lab', 'up', '--name', other, '--nodes', '1');
      expect(r.code, r.stderr).toBe(0);
      const subnet = (await readLabInfo(labDirOf(other))).subnet;
      expect(subnet).not.toBe(subnetCidr(first));
      expect([1, 2, 3].map((attempt) => subnetCidr(deriveSubnet(other, attempt)))).toContain(subnet);
    } finally {
      await hound('lab', 'down', '--name', other);
      await run('ip', ['link', 'del', holder]);
    }
  });

  it('`down` leaves no namespace, link, process, mount or state dir behind', async () => {
    expect(await leftovers()).not.toEqual([]);
    const down = await hound('lab', 'down', '--name', NAME);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(new RegExp(`^lab ${NAME} down: stopped \\d+ processes`));
    expect(await leftovers()).toEqual([]);
    expect(existsSync(DIR)).toBe(false);
    const status = await hound('lab', 'status', '--name', NAME);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/^error LAB_NOT_UP/);
  });
});

describe('hound lab with containerd and podman nodes (own lab, via the CLI)', () => {
  const MIXED = `labmix-${process.pid}`;
  const MIXED_DIR = labDirOf(MIXED);
  let up: Ran;
  let info: LabInfo;

  beforeAll(async () => {
    await reapAbandonedLabs('labmix');
    up = await hound('lab', 'up', '--name', MIXED, '--runtimes', 'docker,containerd,podman');
    if (up.code !== 0) throw new Error(`lab up failed: ${up.stderr}`);
    info = await readLabInfo(MIXED_DIR);
  });

  afterAll(async () => {
    await hound('lab', 'down', '--name', MIXED);
  });

  it("says each node's runtime and sockets in lab.json, and the inventory gives hound_container_runtime and the socket per host", async () => {
    expect(up.stderr).toMatch(/3 nodes \(1 docker, 1 containerd, 1 podman\)/);
    expect(info.nodes.map((n) => n.runtime)).toEqual(['docker', 'containerd', 'podman']);
    const [docker, containerd, podman] = info.nodes;
    expect(docker.socket).toEqual({ node: '/run/docker.sock', controller: `${MIXED_DIR}/nodes/node1/run/docker.sock` });
    expect(docker.dockerSocket).toBe(docker.socket.controller);
    expect(containerd.socket).toEqual({ node: '/run/containerd/containerd.sock', controller: `${MIXED_DIR}/nodes/node2/run/containerd/containerd.sock` });
    expect(containerd.dockerSocket).toBeUndefined();
    expect(podman.socket.node).toBe('/run/podman/podman.sock');
    expect(podman.rootless).toEqual({
      user: 'rootless',
      uid: 2300,
      socket: { node: '/run/user/2300/podman/podman.sock', controller: `${MIXED_DIR}/nodes/node3/run/user/2300/podman/podman.sock` },
    });
    expect(Object.keys(containerd.pids).sort()).toEqual(['containerd', 'sshd']);
    expect(Object.keys(podman.pids)).toEqual(['sshd']);

    const inv = await run('ansible-inventory', ['-i', info.inventory, '--list']);
    expect(inv.code).toBe(0);
    const parsed = JSON.parse(inv.stdout);
    const vars = parsed._meta.hostvars;
    expect(vars.node1).toMatchObject({ hound_container_runtime: 'docker', hound_docker_socket: '/run/docker.sock' });
    expect(vars.node2).toMatchObject({ hound_container_runtime: 'containerd', hound_containerd_socket: '/run/containerd/containerd.sock' });
    expect(vars.node3).toMatchObject({ hound_container_runtime: 'podman', hound_podman_socket: '/run/podman/podman.sock', ansible_user: 'root' });
    expect(parsed.podman_rootless.hosts).toEqual(['node3-rootless']);
    expect(vars['node3-rootless']).toMatchObject({
      ansible_host: podman.ip,
      ansible_user: 'rootless',
      hound_podman_socket: '/run/user/2300/podman/podman.sock',
    });
  });

  it('runs containerd with the CRI plugin loaded, its own root and config, the lab registry as plain HTTP for that host', async () => {
    const plugins = await ssh(info, 1, 'ctr plugins ls');
    expect(plugins.code).toBe(0);
    expect(plugins.stdout).toMatch(/^io\.containerd\.grpc\.v1\s+cri\s+linux\/amd64\s+ok\s*$/m);
    expect(plugins.stdout).not.toMatch(/\serror\s*$/m);
    // containerd itself reads the config the node sees at /etc/containerd/config.toml.
    const dump = await ssh(info, 1, 'containerd --config /etc/containerd/config.toml config dump');
    expect(dump.code).toBe(0);
    expect(dump.stdout).toContain(`root = "${MIXED_DIR}/nodes/node2/containerd"`);
    expect(dump.stdout).toContain('config_path = "/etc/containerd/certs.d:/etc/docker/certs.d"');
    expect(dump.stdout).toContain(`sandbox_image = "${info.registry.ip}:5000/lab/pause:catatonit"`);
    expect(dump.stdout).toMatch(/restrict_oom_score_adj = true/);
    // Pulled by ctr with the registry's hosts.toml (config_path's second dir), over plain HTTP; the other nodes' runtimes have nothing of it.
    const images = await hound('lab', 'images', '--name', MIXED);
    expect(images.code).toBe(0);
    const pull = await ssh(info, 1, `ctr -n k8s.io images pull --hosts-dir /etc/docker/certs.d ${info.registry.ip}:5000/hound/app2:latest`);
    expect(pull.stdout + pull.stderr).toMatch(/done/);
    expect(pull.code).toBe(0);
    expect(readdirSync(`${MIXED_DIR}/nodes/node2/containerd/io.containerd.content.v1.content/blobs/sha256`).length).toBeGreaterThanOrEqual(5);
    expect(await nodeImages(info, 0)).toEqual([]);
  });

  it('gives a podman node its own storage and configuration, and a rootless user that exists only inside the node', async () => {
    const root = await ssh(
      info,
      2,
      "podman info --format '{{.Store.GraphRoot}} {{.Store.RunRoot}} {{.Host.OCIRuntime.Name}}' && podman pull -q " +
        `${info.registry.ip}:5000/hound/app3:latest`,
    );
    expect(root.code).toBe(0);
    expect(root.stdout.split('\n')[0]).toBe('/var/lib/containers/storage /run/containers/storage runc');
    // The node's /var/lib/containers is its dir in the lab.
    expect(readdirSync(`${MIXED_DIR}/nodes/node3/var-lib-containers/storage/overlay-images`).filter((e) => /^[0-9a-f]{64}$/.test(e))).toHaveLength(1);
    const user = await ssh(info, 2, "id -u; echo $XDG_RUNTIME_DIR; podman info --format '{{.Store.GraphRoot}}'; podman images -q | wc -l", 'rootless');
    expect(user.code).toBe(0);
    expect(user.stdout.split('\n').slice(0, 4)).toEqual([
      '2300',
      '/run/user/2300',
      `${MIXED_DIR}/nodes/node3/users/rootless/.local/share/containers/storage`,
      '0',
    ]);
    expect(readFileSync('/etc/passwd', 'utf8')).not.toMatch(/^rootless:/m);
    // Only the podman node knows the user.
    expect((await ssh(info, 1, 'true', 'rootless')).code).not.toBe(0);
  });

  it('reports each node up with its runtime, its memory and its daemons', async () => {
    const s = await hound('lab', 'status', '--name', MIXED);
    expect(s.code).toBe(0);
    const [d, c, p] = info.nodes;
    expect(s.stdout).toMatch(new RegExp(`^node1\\s+up\\s.* docker rss=[\\d.]+MiB pss=[\\d.]+MiB sshd=${d.pids.sshd} dockerd=${d.pids.dockerd}$`, 'm'));
    expect(s.stdout).toMatch(
      new RegExp(`^node2\\s+up\\s.* containerd rss=[\\d.]+MiB pss=[\\d.]+MiB sshd=${c.pids.sshd} containerd=${c.pids.containerd}$`, 'm'),
    );
    expect(s.stdout).toMatch(new RegExp(`^node3\\s+up\\s.* podman rss=[\\d.]+MiB pss=[\\d.]+MiB sshd=${p.pids.sshd}$`, 'm'));
  });

  it("`down` leaves nothing, the rootless pause process and the daemons' mount namespaces included", async () => {
    // A rootless podman command leaves a pause process holding the user's namespaces.
    await ssh(info, 2, 'podman images -q', 'rootless');
    const before = await leftovers(MIXED);
    expect(before.some((l) => l.includes('catatonit -P'))).toBe(true);
    expect(before.some((l) => l.startsWith('mount in the namespace of'))).toBe(true);
    const down = await hound('lab', 'down', '--name', MIXED);
    expect(down.code).toBe(0);
    expect(await leftovers(MIXED)).toEqual([]);
    expect(existsSync(MIXED_DIR)).toBe(false);
  });
});

describe('the shared test lab', () => {
  it('is claimed by the live run that started it, so another run picks its own name', async () => {
    const dir = testLabDir();
    // One lab per lane, each its own.
    expect(new Set(inject('labDirs')).size).toBe(inject('labDirs').length);
    const name = path.basename(dir);
    const owner = await labOwner(name);
    expect(owner).toBeGreaterThan(0);
    expect(isRunning(owner!)).toBe(true);
    // seen from some other process (pid -1 is nobody's), the lab is taken
    expect(await labInUseByOther(name, -1)).toBe(true);
    expect(await claimLab(name, process.pid + 1_000_000)).toBe(false);
    const other = process.pid + 1_000_000;
    expect(await claimRunLabName(name, other)).toBe(`${name}-${other}`);
    expect(await labOwner(`${name}-${other}`)).toBe(other);
    await releaseLab(`${name}-${other}`, other);
    expect(await labOwner(`${name}-${other}`)).toBeUndefined();
    const info = await readLabInfo(dir);
    expect(info.nodes).toHaveLength(4);
  });

  it('goes to exactly one of several runs claiming a name at the same moment, and a dead owner gives it up', async () => {
    // Live claimants: real processes, so that none of them looks abandoned to the others.
    const sleepers = Array.from({ length: 8 }, () => spawn('sleep', ['60'], { stdio: 'ignore' }));
    const name = `claimtest-${process.pid}`;
    try {
      const won = await Promise.all(sleepers.map((p) => claimLab(name, p.pid)));
      expect(won.filter(Boolean)).toHaveLength(1);
      const winner = sleepers[won.indexOf(true)];
      expect(await labOwner(name)).toBe(winner.pid);
      // Each loser, asking for a run name, gets one of its own.
      const loser = sleepers[won.indexOf(false)];
      expect(await claimRunLabName(name, loser.pid)).toBe(`${name}-${loser.pid}`);
      await releaseLab(`${name}-${loser.pid}`, loser.pid);
      winner.kill('SIGKILL');
      await new Promise((resolve) => winner.once('exit', resolve));
      // The owner is dead: the name is free again, and only one of the rest takes it.
      const rest = sleepers.filter((p) => p !== winner);
      const again = await Promise.all(rest.map((p) => claimLab(name, p.pid)));
      expect(again.filter(Boolean)).toHaveLength(1);
      expect(await labOwner(name)).toBe(rest[again.indexOf(true)].pid);
    } finally {
      for (const p of sleepers) p.kill('SIGKILL');
      const owner = await labOwner(name);
      if (owner !== undefined) await releaseLab(name, owner);
    }
  });
});
