// community.docker.docker_image `source: build` under ansible-playbook (community.docker 3.4.7,
// the oracle installed here) and under hound, on the same lab nodes from the same starting
// state (test/fixtures/play/community-docker-build/build.yml): the build context is a directory
// in each node's home, as the module reads `build.path` on the node. Each task ends with the
// same status on each host; the registered values are the same but for the ids and times any
// two builds differ in; the images each leaves, read through each node's own Docker socket,
// have the same tags and labels.
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../lab/index.js';
import { readTestLab } from '../fixtures/test-lab.js';
import { FIXTURES, nodeDocker } from '../fixtures/play/helpers.js';
import { labImageState, resetLab, runPlaybookOnLab, type TaskStatuses, type Tool } from './ansible-parity.js';

const DIR = path.join(FIXTURES, 'community-docker-build');
/** Under load ansible-playbook takes minutes for these tasks on 4 nodes. */
const RUN_TIMEOUT_MS = 600_000;
let lab: LabInfo;

beforeAll(async () => {
  lab = await readTestLab();
});

interface BuiltImage {
  id: string;
  labels: Record<string, string>;
}

interface ToolOutcome extends TaskStatuses {
  /** host → the value of `registered` the last task shows */
  registered: Record<string, Record<string, Record<string, unknown>>>;
  images: Record<string, string[]>;
  /** host → tag → what Docker on the node says of hound/built:TAG */
  built: Record<string, Record<string, BuiltImage | undefined>>;
}

/**
 * Each node as the lab starts it, with the build context in its home (the node's own home,
 * lab/daemons.ts) and the image a stage builds FROM: a pull during a build is shown as the
 * CLI prints it, with layer ids, where the module keeps only each line's status.
 */
async function resetNodes(): Promise<void> {
  await resetLab(lab, Object.fromEntries(lab.nodes.map((n) => [n.name, ['LAB/hound/app0:latest']])));
  for (const node of lab.nodes) {
    const home = path.join(lab.dir, 'nodes', node.name, 'home');
    rmSync(path.join(home, 'build-context'), { recursive: true, force: true });
    cpSync(path.join(DIR, 'context'), path.join(home, 'build-context'), { recursive: true });
  }
}

async function builtImages(): Promise<ToolOutcome['built']> {
  const out: ToolOutcome['built'] = {};
  for (const node of lab.nodes) {
    const docker = nodeDocker(node);
    out[node.name] = {};
    for (const tag of ['v1', 'staged', 'nowhere', 'broken']) {
      const image = await docker
        .getImage(`hound/built:${tag}`)
        .inspect()
        .catch((err: { statusCode?: number }) => {
          if (err.statusCode === 404) return undefined;
          throw err;
        });
      out[node.name][tag] = image && { id: image.Id, labels: image.Config.Labels ?? {} };
    }
  }
  return out;
}

async function run(tool: Tool): Promise<ToolOutcome> {
  await resetNodes();
  const outcome = await runPlaybookOnLab(tool, lab, path.join(DIR, 'build.yml'), DIR, 'every registered value');
  return { ...outcome, registered: outcome.registered as ToolOutcome['registered'], images: await labImageState(lab), built: await builtImages() };
}

/** Values that differ between any two builds, whoever makes them: times, the daemon's directories, and the ids of images and build containers (written ID). */
const VOLATILE = new Set(['GraphDriver', 'Created', 'LastTagTime', 'Metadata', 'invocation']);

function withoutVolatile(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/(sha256:)?\b[0-9a-f]{64}\b/g, 'ID').replace(/\b[0-9a-f]{12}\b/g, 'ID');
  if (Array.isArray(value)) return value.map(withoutVolatile);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (VOLATILE.has(k) ? [] : [[k, withoutVolatile(v)]])));
}

function idOf(result: Record<string, unknown> | undefined): unknown {
  return (result?.image as { Id?: unknown } | undefined)?.Id;
}

/** What each tool's run must show by itself, whatever the other does. */
function expectBuildSemantics(outcome: ToolOutcome): void {
  for (const node of lab.nodes) {
    const r = outcome.registered[node.name];
    expect(r.checked.changed).toBe(true);
    expect(r.checked.image).toEqual({});
    // The check built nothing: the build after it changed, and its image is the one there now.
    expect(r.built.changed).toBe(true);
    expect(String(r.built.stdout)).toContain('COPY hello.txt /hello.txt');
    expect(r.built_again.changed).toBe(false);
    expect(idOf(r.built_again)).toBe(idOf(r.built));
    expect(r.forced_cached.changed).toBe(false);
    expect(idOf(r.forced_cached)).toBe(idOf(r.built));
    expect(r.forced.changed).toBe(true);
    expect(idOf(r.forced)).not.toBe(idOf(r.built));
    expect(outcome.built[node.name].v1?.id).toBe(idOf(r.forced));
    expect(outcome.built[node.name].v1?.labels).toEqual({ 'org.example.who': 'someone else', 'org.example.port': '8080' });
    expect(outcome.built[node.name].staged?.labels).toMatchObject({ 'org.example.stage': 'second' });
    expect(outcome.built[node.name].nowhere).toBeUndefined();
    expect(outcome.built[node.name].broken).toBeUndefined();
    expect(r.missing.failed).toBe(true);
    expect(r.missing.msg).toMatch(/^Requested build path \/\S+\/no-such-context could not be found or you do not have access\.$/);
    expect(r.broken.failed).toBe(true);
    expect(String(r.broken.msg)).toMatch(/^Error building hound\/built - /);
    expect(r.by_id.failed).toBe(true);
    expect(String(r.by_id.msg)).toContain('Image name must not be an image ID for source=build');
  }
}

describe('docker_image source: build: ansible-playbook and hound', () => {
  it(
    'the same status per task and host, the same registered values, the same images',
    async () => {
      const ansible = await run('ansible-playbook');
      const houndRun = await run('hound');
      expect(ansible.code).toBe(0);
      expectBuildSemantics(ansible);
      expectBuildSemantics(houndRun);
      expect(houndRun.code).toBe(ansible.code);
      expect(houndRun.statuses).toEqual(ansible.statuses);
      expect(Object.keys(houndRun.registered).sort()).toEqual(lab.nodes.map((n) => n.name).sort());
      expect(withoutVolatile(houndRun.registered)).toEqual(withoutVolatile(ansible.registered));
      expect(houndRun.images).toEqual(ansible.images);
    },
    2 * RUN_TIMEOUT_MS,
  );
});
