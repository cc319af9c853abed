// community.docker's image modules under ansible-playbook (community.docker 3.4.7, the oracle
// installed here) and under hound, on the same lab nodes from the same starting state
// (test/fixtures/play/community-docker/modules.yml): each task ends with the same status on
// each host, and every value the playbook registers is the same, key by key, but for what
// differs between any two runs (overlay2 directories of a fresh pull, the daemon's clock and
// counters).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../lab/index.js';
import { readTestLab } from '../fixtures/test-lab.js';
import { FIXTURES } from '../fixtures/play/helpers.js';
import { labImageState, resetLab, runPlaybookOnLab, type TaskStatuses, type Tool } from './ansible-parity.js';

const DIR = path.join(FIXTURES, 'community-docker');
/** Under load ansible-playbook takes minutes for these 22 tasks on 4 nodes. */
const RUN_TIMEOUT_MS = 600_000;
let lab: LabInfo;

beforeAll(async () => {
  lab = await readTestLab();
});

interface ToolOutcome extends TaskStatuses {
  images: Record<string, string[]>;
}

/** Each node as the lab starts it: no images, no Docker client config, no archive the playbook wrote (the node's own home, lab/daemons.ts). */
async function resetNodes(): Promise<void> {
  await resetLab(lab, {});
  for (const node of lab.nodes) {
    rmSync(path.join(lab.dir, 'nodes', node.name, 'home', '.docker'), { recursive: true, force: true });
    rmSync(path.join(lab.dir, 'nodes', node.name, 'home', 'hound-app1.tar'), { force: true });
  }
}

async function run(tool: Tool): Promise<ToolOutcome> {
  await resetNodes();
  const outcome = await runPlaybookOnLab(tool, lab, path.join(DIR, 'modules.yml'), DIR, 'every registered value');
  return { ...outcome, registered: withoutVolatile(outcome.registered) as Record<string, unknown>, images: await labImageState(lab) };
}

/** Values that differ between any two runs, whoever makes them. */
const VOLATILE = new Set(['GraphDriver', 'SystemTime', 'NFd', 'NGoroutines', 'LastTagTime', 'invocation']);

function withoutVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutVolatile);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (VOLATILE.has(k) ? [] : [[k, withoutVolatile(v)]])));
}

describe('community.docker image modules: ansible-playbook and hound', () => {
  it(
    'the same status per task and host, the same registered values, the same images',
    async () => {
      const ansible = await run('ansible-playbook');
      const houndRun = await run('hound');
      expect(ansible.code).toBe(0);
      // The oracle did what the playbook is about: a pull changes, a second is ok, a login changes, the second is ok.
      expect(ansible.statuses.pull.node1).toBe('changed');
      expect(ansible.statuses['pull again'].node1).toBe('ok');
      expect(ansible.statuses['log in again'].node1).toBe('ok');
      // Tagging, archiving on the node and pushing: the first tag and archive change, their repeats do not.
      expect(ansible.statuses['tag under another name'].node1).toBe('changed');
      expect(ansible.statuses['tag again'].node1).toBe('ok');
      expect(ansible.statuses['archive on the node'].node1).toBe('changed');
      expect(ansible.statuses['archive again'].node1).toBe('ok');
      expect(ansible.statuses['archive another name over it'].node1).toBe('changed');
      expect(houndRun.code).toBe(ansible.code);
      expect(houndRun.statuses).toEqual(ansible.statuses);
      expect(Object.keys(houndRun.registered).sort()).toEqual(lab.nodes.map((n) => n.name).sort());
      expect(houndRun.registered).toEqual(ansible.registered);
      expect(houndRun.images).toEqual(ansible.images);
    },
    2 * RUN_TIMEOUT_MS,
  );
});
