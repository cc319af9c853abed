// Builders for planner inputs: a compiled run with image tasks and hand-written facts.
import { createHash } from 'node:crypto';
import { plainTaskFields, type CompiledRun, type TaskInstance, type Distribution } from '../../../playbook/compiled.js';
import type { DockerImage } from '../../../runtime/types.js';
import { registryFactKey, type NodeFacts, type PlanFacts, type RegistryImageFacts } from '../../../plan/planner.js';

export const REG = '127.0.0.1:5000';

export function task(host: string, index: number, module: string, args: Record<string, unknown>, extra: Partial<TaskInstance> = {}): TaskInstance {
  return {
    id: `0:${index}:${host}`,
    host,
    taskIndex: index,
    name: `task ${index}`,
    module,
    args,
    ...plainTaskFields(),
    vars: {},
    order: [index],
    tags: [],
    blocks: [],
    position: { file: 'play.yml', line: index + 1, column: 1 },
    searchDirs: [],
    ...extra,
  };
}

/** One play whose every host runs the same task list. */
export function run(
  hosts: string[],
  tasks: { module: string; args: Record<string, unknown>; extra?: Partial<TaskInstance> }[],
  distribution?: Distribution,
): CompiledRun {
  return {
    plays: [
      {
        name: 'warm',
        hosts,
        batches: [hosts],
        strategy: 'linear',
        anyErrorsFatal: false,
        gatherFacts: true,
        distribution,
        tasksByHost: new Map(hosts.map((h) => [h, tasks.map((t, i) => task(h, i, t.module, t.args, t.extra))])),
        handlers: [],
        position: { file: 'play.yml', line: 1, column: 1 },
      },
    ],
  };
}

const hex = (s: string): string => createHash('sha256').update(s).digest('hex');

export function sha(n: string | number): string {
  return 'sha256:' + String(n).padStart(64, '0');
}

/** A registry image whose layers are named: diff id `d<name>`, blob `b<name>`, size given. */
export function remote(
  reference: string,
  layers: [name: string, size: number][],
  digest = 'sha256:' + hex(`manifest ${reference} ${layers.map((l) => l[0]).join(',')}`),
  platform = 'linux/amd64',
): RegistryImageFacts {
  return {
    reference,
    platform,
    digest,
    manifestDigest: digest,
    configDigest: 'sha256:' + hex(`config-${reference}-${digest}`),
    layers: layers.map(([name, size]) => ({ digest: 'sha256:' + hex(`b${name}`), diffId: 'sha256:' + hex(`d${name}`), size })),
  };
}

export function localImage(id: string, tags: string[], layers: string[], digests: string[] = []): DockerImage {
  return {
    id,
    repoTags: tags,
    repoDigests: digests,
    layers: layers.map((l) => 'sha256:' + hex(`d${l}`)),
    architecture: 'amd64',
    os: 'linux',
    size: 0,
    created: '',
  };
}

export function node(host: string, images: DockerImage[] = [], extra: Partial<NodeFacts> = {}): NodeFacts {
  return {
    host,
    platform: 'linux/amd64',
    freeBytes: 100 * 1024 ** 3,
    dockerRootDir: '/var/lib/docker',
    insecureRegistries: [],
    images,
    containerImageIds: [],
    ...extra,
  };
}

export function facts(nodes: NodeFacts[], remotes: RegistryImageFacts[]): PlanFacts {
  return {
    nodes: Object.fromEntries(nodes.map((n) => [n.host, n])),
    images: Object.fromEntries(remotes.map((r) => [registryFactKey(r.reference, r.platform), r])),
    unreachable: {},
    imageErrors: {},
  };
}
