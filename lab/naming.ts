// How a lab's name becomes everything the kernel and the filesystem know it by: its
// state dir, its /24, its interface and namespace names. Pure, so that `up` after a crash
// and `down` from another process find exactly what an earlier `up` created.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { OptionsError } from '../base/errors.js';

export const LAB_ROOT = '/var/tmp/hound-lab';
export const DEFAULT_LAB_NAME = 'hound';
export const REGISTRY_PORT = 5000;
export const MAX_NODES = 200;

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,23}$/;

export function validateLabName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new OptionsError('LAB_BAD_NAME', `invalid lab name '${name}'`, {
      hint: 'use 1-24 characters: lowercase letters, digits and dashes, starting with a letter',
    });
  }
  return name;
}

export function labDirOf(name: string): string {
  return path.join(LAB_ROOT, name);
}

function digestOf(text: string): Buffer {
  return createHash('sha256').update(`hound-lab:${text}`).digest();
}

/** A /24 inside 10.0.0.0/8, as its first three octets. */
export interface Subnet {
  prefix: string; // e.g. "10.37.201"
}

/**
 * The lab's /24, from a hash of its name; 10.0.0.0/24 and 10.255.255.0/24 are skipped.
 * `attempt` > 0 gives the name's other choices, for when another lab (or anything else on
 * the machine) already holds the first: 65,536 subnets, and many labs alive at once.
 */
export function deriveSubnet(name: string, attempt = 0): Subnet {
  const d = digestOf(attempt === 0 ? name : `${name}#${attempt}`);
  const second = d[0];
  let third = d[1];
  if ((second === 0 && third === 0) || (second === 255 && third === 255)) third = 1;
  return { prefix: `10.${second}.${third}` };
}

/** Parses `--subnet` (10.A.B.0/24 or 10.A.B). */
export function parseSubnet(text: string): Subnet {
  const m = /^10\.(\d{1,3})\.(\d{1,3})(?:\.0(?:\/24)?)?$/.exec(text.trim());
  const a = m ? Number(m[1]) : NaN;
  const b = m ? Number(m[2]) : NaN;
  if (!m || a > 255 || b > 255) {
    throw new OptionsError('LAB_BAD_SUBNET', `invalid subnet '${text}'`, {
      hint: 'give a /24 inside 10.0.0.0/8, e.g. --subnet 10.42.7.0/24',
    });
  }
  return { prefix: `10.${a}.${b}` };
}

export function subnetCidr(subnet: Subnet): string {
  return `${subnet.prefix}.0/24`;
}

export function controllerIp(subnet: Subnet): string {
  return `${subnet.prefix}.1`;
}

export function registryIp(subnet: Subnet): string {
  return `${subnet.prefix}.2`;
}

/** Node i (1-based) is .(10+i). */
export function nodeIp(subnet: Subnet, index: number): string {
  return `${subnet.prefix}.${10 + index}`;
}

/**
 * Kernel interface names are at most 15 characters, so links carry a 6-hex id of the lab
 * name rather than the name itself. Every link of a lab starts with `h` + one role letter
 * + the id, which is how cleanup finds them.
 */
export interface LinkNames {
  id: string;
  bridge: string;
  /** Controller side of the controller's veth (holds .1, in the root namespace). */
  controller: string;
  /** Bridge port of the controller's veth. */
  controllerPort: string;
  /** Host-side (bridge port) veth of the registry. */
  registryPort: string;
  /** Host-side (bridge port) veth of node i. */
  nodePort(index: number): string;
  /** Whether an interface name belongs to this lab. */
  owns(ifname: string): boolean;
}

export function linkNamesOf(name: string): LinkNames {
  const id = digestOf(name).subarray(8, 11).toString('hex');
  const pattern = new RegExp(`^h[a-z]${id}`);
  return {
    id,
    bridge: `hb${id}`,
    controller: `hc${id}`,
    controllerPort: `hd${id}`,
    registryPort: `hr${id}`,
    nodePort: (index) => `hn${id}n${index}`,
    owns: (ifname) => pattern.test(ifname),
  };
}

/** Network namespace names: `hound-NAME.ROLE`; the dot cannot occur in a lab name. */
export function netnsOf(name: string, role: string): string {
  return `hound-${name}.${role}`;
}

export function netnsPrefixOf(name: string): string {
  return `hound-${name}.`;
}

export function nodeNameOf(index: number): string {
  return `node${index}`;
}

/** A lab's addresses and names on `subnet`: its registry's, its controller's, and those of nodes 1 to `nodeCount`. */
export function labAddresses(labName: string, subnet: Subnet, nodeCount: number) {
  const registry = registryIp(subnet);
  return {
    cidr: subnetCidr(subnet),
    controllerIp: controllerIp(subnet),
    registry: { ip: registry, port: REGISTRY_PORT, address: `${registry}:${REGISTRY_PORT}`, netns: netnsOf(labName, 'registry') },
    nodes: Array.from({ length: nodeCount }, (_, i) => {
      const name = nodeNameOf(i + 1);
      return { name, ip: nodeIp(subnet, i + 1), netns: netnsOf(labName, name) };
    }),
  };
}
