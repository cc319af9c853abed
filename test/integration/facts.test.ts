// Facts against the oracle: `ansible -m setup` (ansible-core 2.14) on the same lab nodes, at
// nearly the same moment. Every fact hound gathers must be one Ansible gathers, of the same
// type and the same value; the few that move between two readings (free memory, uptime, the
// clock, free space on mounts) are compared within what can change in the seconds between
// the two runs, and env without what belongs to one SSH session. node1 gets a default
// route for the test, so default_ipv4 is compared filled in as well as empty (node2).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../lab/index.js';
import { readTestLab } from '../fixtures/test-lab.js';
import { hound, jsonEvents } from '../fixtures/play/helpers.js';
import type { TaskResultEvent } from '../../core/events.js';

type Facts = Record<string, unknown>;

let lab: LabInfo;
let dir: string;
let routeAdded = false;

beforeAll(async () => {
  lab = await readTestLab();
  dir = mkdtempSync(path.join(tmpdir(), 'hound-facts-'));
  execFileSync('ip', ['netns', 'exec', lab.nodes[0].netns, 'ip', 'route', 'replace', 'default', 'via', lab.controllerIp]);
  routeAdded = true;
});

afterAll(() => {
  if (routeAdded) spawnSync('ip', ['netns', 'exec', lab.nodes[0].netns, 'ip', 'route', 'del', 'default']);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** hound's setup module on `hosts`, its facts by host (from the --json events). */
async function houndFacts(hosts: string, args: Record<string, unknown> = {}): Promise<Map<string, Facts>> {
  const playbook = path.join(dir, 'setup.yml');
  writeFileSync(playbook, `- hosts: ${hosts}\n  gather_facts: false\n  tasks:\n    - setup: ${JSON.stringify(args)}\n`);
  const r = await hound(['play', playbook, '-i', lab.inventory, '--json'], dir);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const results = jsonEvents(r.stdout).filter((e): e is TaskResultEvent => e.event === 'task_result' && e.module === 'setup');
  return new Map(results.map((e) => [e.host, (e.result as { ansible_facts: Facts }).ansible_facts]));
}

/** `ansible HOSTS -m setup -a ARGS --tree DIR`: each host's facts as Ansible returned them. */
async function ansibleFacts(hosts: string, args = ''): Promise<Map<string, Facts>> {
  const tree = mkdtempSync(path.join(dir, 'tree-'));
  const r = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn('ansible', ['-i', lab.inventory, hosts, '-m', 'setup', ...(args ? ['-a', args] : []), '--tree', tree], {
      env: { ...process.env, ANSIBLE_CONFIG: path.join(dir, 'none.cfg'), ANSIBLE_NOCOLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
  expect(r.code, r.output.slice(-3000)).toBe(0);
  return new Map(hosts.split(':').map((h) => [h, (JSON.parse(readFileSync(path.join(tree, h), 'utf8')) as { ansible_facts: Facts }).ansible_facts]));
}

/** Both tools at once, so that the two readings are as close in time as they can be. */
async function bothFacts(hosts: string, args: Record<string, unknown>, ansibleArgs: string) {
  const started = Date.now();
  const [ours, theirs] = await Promise.all([houndFacts(hosts, args), ansibleFacts(hosts, ansibleArgs)]);
  return { ours, theirs, secondsApart: (Date.now() - started) / 1000 };
}

/** All of hound's and Ansible's facts on node1 and node2, read once for every test here. */
let full: ReturnType<typeof bothFacts> | undefined;
const fullFacts = () => (full ??= bothFacts('node1:node2', {}, ''));

/** A lab node's own network interfaces (in its network namespace). */
const NODE_INTERFACES = ['lo', 'eth0'];

/** JSON with every object's keys sorted: the order of a dict's keys is no part of a fact's value. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v,
  );
}

/** Interfaces only one of the two readings saw (other labs' interfaces, come or gone in between). */
function churnedInterfaces(a: Facts, b: Facts): string[] {
  const [x, y] = [(a.ansible_interfaces ?? []) as string[], (b.ansible_interfaces ?? []) as string[]];
  return [...x.filter((i) => !y.includes(i)), ...y.filter((i) => !x.includes(i))].filter((i) => !NODE_INTERFACES.includes(i));
}

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);

/** Differences between two readings of one fact; [] when they agree. */
function differences(name: string, ours: unknown, theirs: unknown, secondsApart: number): string[] {
  const near = (a: unknown, b: unknown, slack: number) => typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= slack;
  if (kind(ours) !== kind(theirs)) return [`${name}: type ${kind(ours)} here, ${kind(theirs)} in Ansible`];
  switch (name) {
    case 'ansible_memfree_mb':
      // Memory moves while both runs go on (other labs share the machine): within 15 % of the total.
      return near(ours, theirs, 0.15 * 32768) ? [] : [`${name}: ${String(ours)} vs ${String(theirs)}`];
    case 'ansible_memory_mb': {
      const a = ours as Record<string, Record<string, number>>;
      const b = theirs as Record<string, Record<string, number>>;
      const out: string[] = [];
      for (const group of Object.keys(b)) {
        for (const key of Object.keys(b[group])) {
          const exact = key === 'total' || group === 'swap';
          if (exact ? a[group]?.[key] !== b[group][key] : !near(a[group]?.[key], b[group][key], 0.15 * 32768))
            out.push(`${name}.${group}.${key}: ${a[group]?.[key]} vs ${b[group][key]}`);
        }
      }
      return Object.keys(a).sort().join() === Object.keys(b).sort().join() ? out : [...out, `${name}: groups differ`];
    }
    case 'ansible_uptime_seconds':
      return near(ours, theirs, secondsApart + 5) ? [] : [`${name}: ${String(ours)} vs ${String(theirs)}`];
    case 'ansible_date_time': {
      const a = ours as Record<string, string>;
      const b = theirs as Record<string, string>;
      const out = Object.keys(b).sort().join() === Object.keys(a).sort().join() ? [] : [`${name}: keys differ`];
      for (const key of ['tz', 'tz_dst', 'tz_offset']) if (a[key] !== b[key]) out.push(`${name}.${key}: ${a[key]} vs ${b[key]}`);
      if (!near(Number(a.epoch), Number(b.epoch), secondsApart + 5)) out.push(`${name}.epoch: ${a.epoch} vs ${b.epoch}`);
      // Every field is the same reading of the clock, written as Python's strftime writes it.
      const local = new Date((Number(a.epoch) + Number(a.tz_offset.slice(0, 3)) * 3600) * 1000).toISOString();
      if (`${a.date}T${a.time}` !== local.slice(0, 19)) out.push(`${name}: date/time ${a.date}T${a.time} is not epoch ${a.epoch} in ${a.tz_offset}`);
      for (const key of Object.keys(b)) if (!/^[\d:T.Z+-]*$|^[A-Z][a-z]+day$|^[A-Z]{1,5}$/.test(a[key] ?? '')) out.push(`${name}.${key}: ${a[key]}`);
      return out;
    }
    case 'ansible_env': {
      // What one SSH session sets (its ports, its pty) is not the node's.
      const session = new Set(['SSH_CLIENT', 'SSH_CONNECTION', 'SSH_TTY', 'TERM', 'LANG', 'LC_ALL', 'LC_CTYPE']);
      const a = ours as Record<string, string>;
      const b = theirs as Record<string, string>;
      const out: string[] = [];
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        if (!session.has(key) && a[key] !== b[key]) out.push(`${name}.${key}: ${a[key]} vs ${b[key]}`);
      return out;
    }
    case 'ansible_mounts': {
      const byMount = (list: unknown) => new Map((list as Facts[]).map((m) => [m.mount as string, m]));
      const a = byMount(ours);
      const b = byMount(theirs);
      const out = [...a.keys()].sort().join('\n') === [...b.keys()].sort().join('\n') ? [] : [`${name}: mount points differ`];
      const moving = new Set(['size_available', 'block_available', 'block_used', 'inode_available', 'inode_used']);
      for (const [mount, m] of b) {
        const o = a.get(mount);
        if (!o) continue;
        if (Object.keys(o).sort().join() !== Object.keys(m).sort().join())
          out.push(`${name} ${mount}: keys ${Object.keys(o).sort().join()} vs ${Object.keys(m).sort().join()}`);
        for (const [key, value] of Object.entries(m)) {
          // Other labs write to the same disk while the two runs go on: 2 % of the total.
          const slack = moving.has(key)
            ? Math.max(0.02 * Number(m[key.startsWith('inode') ? 'inode_total' : key.startsWith('block') ? 'block_total' : 'size_total']), 1)
            : 0;
          if (slack > 0 ? !near(o[key], value, slack) : o[key] !== value) out.push(`${name} ${mount}.${key}: ${String(o[key])} vs ${String(value)}`);
        }
      }
      return out;
    }
    case 'ansible_interfaces': {
      // Lab nodes share the controller's sysfs, so /sys/class/net also lists the interfaces of
      // other labs on this machine, which come and go between two readings (churnedInterfaces):
      // the node's own must be in both. The order is no part of the value: Ansible's own
      // changes from run to run (exit_json turns the dict's keys into a Python set, ordered by
      // the randomised string hash).
      const [a, b] = [ours as string[], theirs as string[]];
      const out = NODE_INTERFACES.filter((i) => !a.includes(i) || !b.includes(i)).map((i) => `${name}: ${i} missing`);
      if (new Set(a).size !== a.length) out.push(`${name}: a name twice in ${a.join(',')}`);
      return out;
    }
    default:
      return canonical(ours) === canonical(theirs) ? [] : [`${name}: ${canonical(ours)?.slice(0, 200)} vs ${canonical(theirs)?.slice(0, 200)}`];
  }
}

describe('hound setup against ansible -m setup on the lab nodes', () => {
  let ours: Map<string, Facts>;
  let theirs: Map<string, Facts>;
  let secondsApart = 0;

  beforeAll(async () => {
    ({ ours, theirs, secondsApart } = await fullFacts());
  }, 600_000);

  for (const host of ['node1', 'node2']) {
    it(`${host}: every fact hound gathers has Ansible's name, type and value`, () => {
      const a = ours.get(host)!;
      const b = theirs.get(host)!;
      const churned = new Set(churnedInterfaces(a, b).map((i) => `ansible_${i.replace(/[-:.]/g, '_')}`));
      const compared = Object.keys(a).filter((k) => k !== 'ansible_hound_runtime' && !churned.has(k));
      const missing = compared.filter((k) => !(k in b));
      expect(missing, 'facts Ansible does not have').toEqual([]);
      const diffs = compared.flatMap((k) => differences(k, a[k], b[k], secondsApart));
      expect(diffs).toEqual([]);
      // The facts the issue names, all of them among those compared.
      for (const name of [
        'architecture',
        'os_family',
        'distribution',
        'distribution_version',
        'distribution_major_version',
        'hostname',
        'fqdn',
        'nodename',
        'kernel',
        'memtotal_mb',
        'memfree_mb',
        'processor_vcpus',
        'processor_count',
        'default_ipv4',
        'all_ipv4_addresses',
        'env',
        'user_id',
        'date_time',
        'mounts',
      ]) {
        expect(compared, name).toContain(`ansible_${name}`);
      }
      expect(compared.length).toBeGreaterThanOrEqual(45);
      const perInterface = compared.filter((k) => (a.ansible_interfaces as string[]).some((i) => k === `ansible_${i.replace(/[-:.]/g, '_')}`)).length;
      process.stderr.write(
        `[facts] ${host}: ${compared.length} facts compared with ansible -m setup (${compared.length - perInterface} besides ${perInterface} per-interface ones), all equal; ${secondsApart.toFixed(0)} s apart\n`,
      );
    });
  }

  it("node1's default route fills default_ipv4 (address, interface, gateway, netmask, …) as Ansible does; node2 has none", () => {
    const filled = ours.get('node1')!.ansible_default_ipv4 as Facts;
    expect(filled).toMatchObject({ address: lab.nodes[0].ip, interface: 'eth0', gateway: lab.controllerIp, alias: 'eth0', type: 'ether' });
    expect(ours.get('node2')!.ansible_default_ipv4).toEqual({});
  });

  it('hound_runtime: what the node’s Docker says of itself', async () => {
    const info = (await new Docker({ socketPath: lab.nodes[0].dockerSocket }).info()) as {
      ServerVersion: string;
      Driver: string;
      DockerRootDir: string;
      RegistryConfig: { Mirrors: string[] };
    };
    const runtime = (ours.get('node1')!.ansible_hound_runtime ?? {}) as Facts;
    expect(runtime).toMatchObject({
      name: 'docker',
      version: info.ServerVersion,
      storage_driver: info.Driver,
      data_root: info.DockerRootDir,
      platform: 'linux/amd64',
    });
    expect(runtime.insecure_registries).toContain(`${lab.registry.ip}:${lab.registry.port}`);
    // The lab gives node1 a pull-through mirror in its daemon.json.
    expect(runtime.registry_mirrors).toEqual(info.RegistryConfig.Mirrors);
    expect(runtime.registry_mirrors).toHaveLength((lab.nodes[0].registryMirrors ?? []).length);
    expect(typeof runtime.data_root_free_bytes).toBe('number');
  });
});

describe('gather_subset and filter select the same facts as in Ansible', () => {
  for (const [label, args, ansibleArgs] of [
    ['!all (the minimal facts)', { gather_subset: ['!all'] }, 'gather_subset=!all'],
    ['!all,network', { gather_subset: '!all,network' }, 'gather_subset=!all,network'],
    ['!all,!min,hardware', { gather_subset: ['!all', '!min', 'hardware'] }, 'gather_subset=!all,!min,hardware'],
    ['filter ansible_distribution*,ansible_env', { filter: ['ansible_distribution*', 'ansible_env'] }, 'filter=ansible_distribution*,ansible_env'],
  ] as const) {
    it(
      label,
      async () => {
        const everything = Object.keys((await fullFacts()).ours.get('node2')!);
        const selected = await bothFacts('node2', args, ansibleArgs);
        // hound_runtime is hound's own; Ansible has no such fact to compare with.
        const ours = Object.keys(selected.ours.get('node2')!)
          .filter((k) => k !== 'ansible_hound_runtime')
          .sort();
        const theirs = Object.keys(selected.theirs.get('node2')!);
        // Of the names hound gathers at all, exactly those Ansible returned for this selection.
        expect(ours).toEqual(theirs.filter((k) => everything.includes(k)).sort());
        expect(ours.length).toBeGreaterThan(0);
      },
      600_000,
    );
  }
});
