// community.docker's docker_network under ansible-playbook (community.docker 3.4.7, the oracle
// installed here) and under hound, on the same lab node from the same starting state
// (test/fixtures/play/community-docker-network/networks.yml): each task ends with the same
// status, each registered value is the same (the network's inspect data but for its id and
// creation time), and the node's Docker is left with the same networks. Then docker_image_build,
// which 3.4.7 does not have (no oracle): hound builds on the node from a context in its home,
// keeps the image with `rebuild: never`, builds again with `always`, builds nothing in check mode.
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo, LabNodeInfo } from '../../lab/index.js';
import { readTestLab } from '../fixtures/test-lab.js';
import { FIXTURES, emptyNode, jsonEvents, nodeDocker } from '../fixtures/play/helpers.js';
import type { TaskResultEvent } from '../../core/events.js';
import { hostOutcome, runPlaybookOnLab, runTool, type TaskStatus, type Tool } from './ansible-parity.js';

const DIR = path.join(FIXTURES, 'community-docker-network');
const RUN_TIMEOUT_MS = 600_000;
const BUILT_IN_NETWORKS = new Set(['bridge', 'host', 'none']);
let lab: LabInfo;
let node: LabNodeInfo;

beforeAll(async () => {
  lab = await readTestLab();
  node = lab.nodes.find((n) => n.name === 'node1')!;
});

interface ToolOutcome {
  code: number | null;
  statuses: Record<string, TaskStatus>;
  registered: Record<string, unknown>;
  networks: unknown[];
}

async function removeNetworks(): Promise<void> {
  const docker = nodeDocker(node);
  for (const n of await docker.listNetworks()) if (!BUILT_IN_NETWORKS.has(n.Name)) await docker.getNetwork(n.Id).remove();
}

/** A registered value with ids written ID, the pool's subnets written 172.POOL, the network's creation time left out, and Ansible's `invocation` left out. */
function comparable(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => comparable(v));
  // Docker gives a network without ipam_config the next free /16 of its pool, which differs between the two runs.
  if (typeof value === 'string') return value.replace(/\b[0-9a-f]{64}\b/g, 'ID').replace(/^172\.\d+\.0\.(0\/16|1)$/, '172.POOL.0.$1');
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'invocation' && !(key === 'network' && k === 'Created'))
      .map(([k, v]) => [k, comparable(v, k)]),
  );
}

async function run(tool: Tool, playbook: string): Promise<ToolOutcome> {
  const outcome = await runPlaybookOnLab(tool, lab, playbook, DIR, 'every registered value');
  const { statuses, registered } = hostOutcome(outcome, 'node1');
  const networks = (await nodeDocker(node).listNetworks())
    .filter((n) => !BUILT_IN_NETWORKS.has(n.Name))
    .map((n) => ({ Name: n.Name, Driver: n.Driver, Internal: n.Internal, Labels: n.Labels, Options: n.Options }));
  return { code: outcome.code, statuses, registered: comparable(registered) as Record<string, unknown>, networks };
}

describe('docker_network: ansible-playbook and hound', () => {
  it(
    'the same status per task, the same registered values, the same networks left on the node',
    async () => {
      const playbook = path.join(DIR, 'networks.yml');
      await removeNetworks();
      const ansible = await run('ansible-playbook', playbook);
      await removeNetworks();
      const houndRun = await run('hound', playbook);
      expect(ansible.code).toBe(0);
      expect(ansible.statuses).toMatchObject({
        'create a network': 'changed',
        'create it again': 'ok',
        'a label, in check mode': 'changed',
        'a label': 'changed',
        'the subnet again': 'ok',
        'remove again': 'ok',
      });
      expect(ansible.networks).toEqual([]);
      expect(houndRun.code).toBe(ansible.code);
      expect(houndRun.statuses).toEqual(ansible.statuses);
      for (const key of Object.keys(ansible.registered)) expect({ [key]: houndRun.registered[key] }).toEqual({ [key]: ansible.registered[key] });
      expect(houndRun.networks).toEqual(ansible.networks);
    },
    2 * RUN_TIMEOUT_MS,
  );
});

describe('docker_image_build: hound on a lab node', () => {
  it(
    'builds, keeps the image with rebuild: never, builds again with always (same id: ok), builds nothing in check mode',
    async () => {
      await emptyNode(node);
      const home = path.join(lab.dir, 'nodes', node.name, 'home');
      rmSync(path.join(home, 'build16'), { recursive: true, force: true });
      cpSync(path.join(DIR, 'context'), path.join(home, 'build16'), { recursive: true });
      const args = ['play', '--distribution', 'direct', '-i', lab.inventory, '--json', path.join(DIR, 'build.yml')];
      const result = await runTool('hound', args, DIR);
      const events = jsonEvents(result.stdout).filter((e): e is TaskResultEvent => e.event === 'task_result' && e.host === 'node1');
      const byTask = Object.fromEntries(events.map((e) => [e.task, e]));
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(Object.fromEntries(events.map((e) => [e.task, e.status]))).toEqual({
        build: 'changed',
        'again, rebuild never': 'ok',
        'again, rebuild always': 'ok',
        'another tag, in check mode': 'changed',
      });
      const image = await nodeDocker(node).getImage('hound/built16:v1').inspect();
      expect(image.Config.Labels).toEqual({ 'org.example.who': 'hound', 'org.example.task': 'build' });
      const built = byTask.build.result;
      expect((built.image as { Id: string }).Id).toBe(image.Id);
      expect(built.command).toEqual(expect.arrayContaining(['docker', 'build', '--tag', 'hound/built16:v1', '--label', 'org.example.task=build']));
      expect((byTask['again, rebuild never'].result as { image: { Id: string } }).image.Id).toBe(image.Id);
      expect((byTask['again, rebuild always'].result as { image: { Id: string } }).image.Id).toBe(image.Id);
      await expect(nodeDocker(node).getImage('hound/built16:checked').inspect()).rejects.toThrow();
    },
    RUN_TIMEOUT_MS,
  );
});
