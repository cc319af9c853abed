// community.docker's docker_container and docker_volume under ansible-playbook (community.docker
// 3.4.7, the oracle installed here) and under hound, on the same lab node from the same starting
// state (test/fixtures/play/community-docker/containers.yml): each task ends with the same status,
// each registered value holds the same container settings and volume, and the node's Docker is
// left with the same containers and volumes (read through its own socket, never through either tool).
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo, LabNodeInfo } from '../../lab/index.js';
import { pushImageSet } from '../../lab/index.js';
import { catatonitLayer, PAUSE_ENTRYPOINT } from '../../lab/pause-image.js';
import { findBinary } from '../../lab/preflight.js';
import { readTestLab } from '../fixtures/test-lab.js';
import { FIXTURES, emptyNode, nodeDocker } from '../fixtures/play/helpers.js';
import { hostOutcome, runPlaybookOnLab, type TaskStatus, type Tool } from './ansible-parity.js';

const DIR = path.join(FIXTURES, 'community-docker');
const RUN_TIMEOUT_MS = 600_000;
let lab: LabInfo;
let node: LabNodeInfo;

beforeAll(async () => {
  lab = await readTestLab();
  node = lab.nodes.find((n) => n.name === 'node1')!;
  // An image that runs (catatonit, a static init; `-P` pauses until a signal), built offline.
  await pushImageSet(lab.registry.url, {
    layers: [catatonitLayer(findBinary('catatonit')!)],
    images: [{ repository: 'hound/runnable', tag: 'v1', layers: ['catatonit'], entrypoint: PAUSE_ENTRYPOINT }],
  });
}, 120_000);

interface ToolOutcome {
  code: number | null;
  statuses: Record<string, TaskStatus>;
  registered: Record<string, unknown>;
  containers: unknown[];
  volumes: string[];
}

async function resetNode(): Promise<void> {
  await emptyNode(node);
  const docker = nodeDocker(node);
  for (const v of (await docker.listVolumes()).Volumes ?? []) await docker.getVolume(v.Name).remove({ force: true });
}

/** What a container's inspect data says about what the task asked, and which keys it has; ids, times and addresses differ between any two runs. */
function containerView(c: Record<string, unknown>): unknown {
  const config = c.Config as Record<string, unknown>;
  const host = c.HostConfig as Record<string, unknown>;
  const state = c.State as Record<string, unknown>;
  return {
    keys: Object.keys(c).sort(),
    Name: c.Name,
    ImageId: c.Image,
    Image: config.Image,
    Cmd: config.Cmd,
    Entrypoint: config.Entrypoint,
    Env: config.Env,
    Labels: config.Labels,
    RestartPolicy: host.RestartPolicy,
    AutoRemove: host.AutoRemove,
    Status: state.Status,
    Running: state.Running,
  };
}

/** A registered value with `container` seen through containerView, a volume without its creation time, ids written ID, and Ansible's `invocation` left out. */
function comparable(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => comparable(v));
  if (typeof value === 'string') return value.replace(/\b[0-9a-f]{64}\b/g, 'ID');
  if (value === null || typeof value !== 'object') return value;
  if (key === 'container') return comparable(containerView(value as Record<string, unknown>));
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'invocation' && !(key === 'volume' && k === 'CreatedAt'))
      .map(([k, v]) => [k, comparable(v, k)]),
  );
}

async function run(tool: Tool): Promise<ToolOutcome> {
  await resetNode();
  const outcome = await runPlaybookOnLab(tool, lab, path.join(DIR, 'containers.yml'), DIR, 'every registered value');
  const { statuses, registered } = hostOutcome(outcome, 'node1');
  const docker = nodeDocker(node);
  const containers = await Promise.all(
    (await docker.listContainers({ all: true })).map(async (c) =>
      containerView((await docker.getContainer(c.Id).inspect()) as unknown as Record<string, unknown>),
    ),
  );
  const volumes = ((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name).sort();
  return { code: outcome.code, statuses, registered: comparable(registered) as Record<string, unknown>, containers, volumes };
}

describe('docker_container and docker_volume: ansible-playbook and hound', () => {
  it(
    'the same status per task, the same registered values, the same containers and volumes left on the node',
    async () => {
      const ansible = await run('ansible-playbook');
      const houndRun = await run('hound');
      expect(ansible.code).toBe(0);
      // The oracle did what the playbook is about: starts and changes recreate, repeats do not, check mode touches nothing.
      expect(ansible.statuses).toMatchObject({
        'start a container (its image pulled)': 'changed',
        'start it again': 'ok',
        'a label changed, in check mode': 'changed',
        'a label changed': 'changed',
        'the command changed': 'changed',
        'stop it again': 'ok',
        'remove again': 'ok',
        'the volume again': 'ok',
        'remove it again': 'ok',
      });
      expect(ansible.containers).toEqual([
        expect.objectContaining({ Name: '/kept', Running: true, Labels: expect.objectContaining({ keep: 'yes' }) as unknown }),
      ]);
      expect(ansible.volumes).toEqual([]);
      expect(houndRun.code).toBe(ansible.code);
      expect(houndRun.statuses).toEqual(ansible.statuses);
      for (const key of Object.keys(ansible.registered)) expect({ [key]: houndRun.registered[key] }).toEqual({ [key]: ansible.registered[key] });
      expect(houndRun.containers).toEqual(ansible.containers);
      expect(houndRun.volumes).toEqual(ansible.volumes);
    },
    2 * RUN_TIMEOUT_MS,
  );
});
