// The lab's wiring: one Linux bridge, the controller on its own veth (so its link can be
// shaped in both directions with plain tbf), and one network namespace per host, each
// joined to the bridge by a veth whose far end is the host's eth0.
import { EnvironmentError } from '../base/errors.js';
import { runCommand, tryCommand } from './host-command.js';
import type { LinkNames, Subnet } from './naming.js';
import { controllerIp, subnetCidr } from './naming.js';
import type { LinkRate } from './rate.js';
import { tbfArgs } from './rate.js';

export interface NamespaceHost {
  netns: string;
  ip: string;
  /** Bridge-side end of the host's veth. */
  port: string;
  /** Shapes bridge → host (egress of the bridge port). */
  downlink?: LinkRate;
  /** Shapes host → bridge (egress of eth0 inside the namespace). */
  uplink?: LinkRate;
}

export interface NetworkPlan {
  subnet: Subnet;
  links: LinkNames;
  hosts: NamespaceHost[];
  controllerRate?: LinkRate;
}

/** Refuses a subnet that an interface outside this lab already uses. */
export async function checkSubnetFree(subnet: Subnet, links: LinkNames): Promise<void> {
  const out = await runCommand('ip', ['-o', '-4', 'addr', 'show']);
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+)\.\d+\//.exec(line);
    if (m && m[2] === subnet.prefix && !links.owns(m[1])) {
      throw new EnvironmentError('LAB_SUBNET_IN_USE', `subnet ${subnetCidr(subnet)} is already used by interface ${m[1]}`, {
        hint: 'choose another with --subnet 10.A.B.0/24, or another --name',
      });
    }
  }
}

export async function createNetwork(plan: NetworkPlan): Promise<void> {
  const { links, subnet } = plan;
  const cidrBits = '/24';
  const root: string[] = [
    `link add ${links.bridge} type bridge forward_delay 0`,
    `link set ${links.bridge} up`,
    `link add ${links.controller} type veth peer name ${links.controllerPort}`,
    `link set ${links.controllerPort} master ${links.bridge}`,
    `addr add ${controllerIp(subnet)}${cidrBits} dev ${links.controller}`,
    `link set ${links.controllerPort} up`,
    `link set ${links.controller} up`,
  ];
  for (const h of plan.hosts) {
    root.push(`netns add ${h.netns}`);
    root.push(`link add ${h.port} type veth peer name eth0 netns ${h.netns}`);
    root.push(`link set ${h.port} master ${links.bridge}`);
    root.push(`link set ${h.port} up`);
  }
  await runCommand('ip', ['-batch', '-'], { input: root.join('\n') + '\n' });

  // Inside each namespace: address, lo, eth0, and only the lab's own /24 (no default
  // route), so nothing in the lab can send traffic anywhere but the lab.
  await Promise.all(
    plan.hosts.map((h) =>
      runCommand('ip', ['-n', h.netns, '-batch', '-'], {
        input: [`addr add ${h.ip}${cidrBits} dev eth0`, 'link set lo up', 'link set eth0 up'].join('\n') + '\n',
      }),
    ),
  );

  const rootTc: string[] = [];
  if (plan.controllerRate) {
    rootTc.push(`qdisc add dev ${links.controller} root ${tbfArgs(plan.controllerRate).join(' ')}`);
    rootTc.push(`qdisc add dev ${links.controllerPort} root ${tbfArgs(plan.controllerRate).join(' ')}`);
  }
  for (const h of plan.hosts) {
    if (h.downlink) rootTc.push(`qdisc add dev ${h.port} root ${tbfArgs(h.downlink).join(' ')}`);
  }
  if (rootTc.length > 0) await runCommand('tc', ['-batch', '-'], { input: rootTc.join('\n') + '\n' });
  await Promise.all(
    plan.hosts.filter((h) => h.uplink).map((h) => runCommand('tc', ['-n', h.netns, 'qdisc', 'add', 'dev', 'eth0', 'root', ...tbfArgs(h.uplink!)])),
  );
}

/** The lab's namespaces that exist now (by name prefix). */
export async function listLabNamespaces(prefix: string): Promise<string[]> {
  const r = await tryCommand('ip', ['netns', 'list']);
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

/** The lab's links in the root namespace that exist now. */
export async function listLabLinks(links: LinkNames): Promise<string[]> {
  const r = await tryCommand('ip', ['-o', 'link', 'show']);
  const names: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)/.exec(line);
    if (m && links.owns(m[1])) names.push(m[1]);
  }
  return names;
}

/** Deletes namespaces (taking their eth0 ends, hence the veth pairs, with them) and links. */
export async function destroyNetwork(prefix: string, links: LinkNames): Promise<void> {
  const namespaces = await listLabNamespaces(prefix);
  if (namespaces.length > 0) {
    await tryCommand('ip', ['-force', '-batch', '-'], { input: namespaces.map((n) => `netns del ${n}`).join('\n') + '\n' });
  }
  // Veth ends in the root namespace: deleting one end deletes its peer, so ignore "cannot find".
  const remaining = await listLabLinks(links);
  const ordered = [...remaining.filter((l) => l !== links.bridge), ...remaining.filter((l) => l === links.bridge)];
  if (ordered.length > 0) {
    await tryCommand('ip', ['-force', '-batch', '-'], { input: ordered.map((l) => `link del ${l}`).join('\n') + '\n' });
  }
  const leftNs = await listLabNamespaces(prefix);
  const leftLinks = await listLabLinks(links);
  if (leftNs.length > 0 || leftLinks.length > 0) {
    throw new EnvironmentError('LAB_CLEANUP_FAILED', `could not remove ${[...leftNs, ...leftLinks].join(', ')}`, {
      hint: 'remove them with `ip netns del NAME` / `ip link del NAME` and try again',
    });
  }
}
