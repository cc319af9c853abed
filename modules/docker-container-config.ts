// What community.docker.docker_container (3.4.7, its Docker API engine) sends to create a
// container, and how it decides that an existing one differs: only the options a task gives
// are compared, each by its rule (a list in order, a set or dict that may hold more, a value),
// against the container's inspect data, with the image's own Env and Labels counted as
// expected. Pure: module_utils/module_container/{base,docker_api,module}.py, ported.
import { shlexSplit } from '../base/shlex.js';
import { ModuleFailure } from './implementation.js';
import type { InspectDocument } from './docker-engine.js';

export interface DockerContainerArgs {
  name: string;
  image?: string;
  command?: string | unknown[];
  entrypoint?: unknown[];
  env?: Record<string, unknown>;
  labels?: Record<string, unknown>;
  restart_policy?: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  restart_retries?: number;
  auto_remove?: boolean;
  detach?: boolean;
  state?: 'absent' | 'present' | 'stopped' | 'started';
  force_kill?: boolean;
  kill_signal?: string;
  stop_timeout?: number;
  recreate?: boolean;
  restart?: boolean;
  keep_volumes?: boolean;
  pull?: boolean;
  image_name_mismatch?: 'ignore' | 'recreate';
}

/** The options of a task, preprocessed as the module does; an option the task does not give is absent. */
export interface DesiredContainer {
  command?: string[];
  entrypoint?: string[];
  env?: string[];
  labels?: Record<string, unknown>;
  auto_remove?: boolean;
  detach?: boolean;
  restart_policy?: string;
  restart_retries?: number;
}

export function desiredContainer(args: DockerContainerArgs): DesiredContainer {
  const out: DesiredContainer = {};
  // command_handling: correct — a string is split as shlex.split does, a list taken as its texts.
  if (args.command !== undefined && args.command !== null)
    out.command = typeof args.command === 'string' ? shlexSplit(args.command) : args.command.map((part) => String(part));
  if (args.entrypoint !== undefined && args.entrypoint !== null) out.entrypoint = args.entrypoint.map((part) => String(part));
  if (args.env !== undefined && args.env !== null) {
    out.env = Object.entries(args.env).map(([name, value]) => {
      if (typeof value !== 'string')
        throw new ModuleFailure(
          `Non-string value found for env option. Ambiguous env options must be wrapped in quotes to avoid them being interpreted. Key: ${name}`,
        );
      return `${name}=${value}`;
    });
  }
  if (args.labels !== undefined && args.labels !== null) out.labels = args.labels;
  if (args.auto_remove !== undefined && args.auto_remove !== null) out.auto_remove = args.auto_remove;
  if (args.detach !== undefined && args.detach !== null) out.detach = args.detach;
  if (args.restart_policy !== undefined && args.restart_policy !== null) out.restart_policy = args.restart_policy;
  if (args.restart_retries !== undefined && args.restart_retries !== null) out.restart_retries = args.restart_retries;
  return out;
}

/** The body of POST /containers/create: the given options set where the module's engine sets them. */
export function createParameters(image: string, desired: DesiredContainer): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const hostConfig: Record<string, unknown> = {};
  if (desired.auto_remove !== undefined) hostConfig.AutoRemove = desired.auto_remove;
  if (desired.command !== undefined) params.Cmd = desired.command;
  if (desired.entrypoint !== undefined) params.Entrypoint = desired.entrypoint;
  // The module sets every option group, given or not: the attach flags (_set_value_detach_interactive;
  // detach not given is attached, as false; interactive not given, None) and the exposed ports
  // (_preprocess_ports makes an empty list of none).
  const attached = desired.detach !== true;
  Object.assign(params, { AttachStdout: attached, AttachStderr: attached, AttachStdin: false, StdinOnce: false, OpenStdin: null, ExposedPorts: {} });
  if (desired.env !== undefined) params.Env = desired.env;
  if (desired.labels !== undefined) params.Labels = desired.labels;
  if (desired.restart_policy !== undefined) hostConfig.RestartPolicy = restartPolicy(desired);
  if (Object.keys(hostConfig).length > 0) params.HostConfig = hostConfig;
  params.Image = image;
  return params;
}

function restartPolicy(desired: DesiredContainer): { Name: string; MaximumRetryCount: number | null } {
  return { Name: desired.restart_policy ?? '', MaximumRetryCount: desired.restart_retries ?? null };
}

/** The body of POST /containers/{id}/update for the options Docker changes in place (the restart policy). */
export function updateParameters(desired: DesiredContainer): Record<string, unknown> {
  return desired.restart_policy === undefined ? {} : { RestartPolicy: restartPolicy(desired) };
}

export interface Difference {
  item: string;
  parameter: unknown;
  container: unknown;
}

type Comparison = 'list' | 'set' | 'dict' | 'value';

/** community.docker's compare_generic with each option's default comparison (list and value strict, set and dict allow_more_present). */
export function sameValue(expected: unknown, actual: unknown, type: Comparison): boolean {
  if (expected === null || expected === undefined || actual === null || actual === undefined) {
    if ((expected ?? null) === (actual ?? null)) return true;
    if (type === 'value') return false;
    const other = (expected ?? actual) as unknown[] | Record<string, unknown>;
    return (Array.isArray(other) ? other.length : Object.keys(other).length) === 0;
  }
  if (type === 'value') return JSON.stringify(expected) === JSON.stringify(actual);
  if (type === 'list') return JSON.stringify(expected) === JSON.stringify(actual);
  if (type === 'set') {
    const have = new Set((actual as unknown[]).map((v) => JSON.stringify(v)));
    return (expected as unknown[]).every((v) => have.has(JSON.stringify(v)));
  }
  const have = actual as Record<string, unknown>;
  return Object.entries(expected as Record<string, unknown>).every(([k, v]) => Object.hasOwn(have, k) && JSON.stringify(have[k]) === JSON.stringify(v));
}

/** The parts of a container's inspect data the compared options read. */
export interface ContainerInspect {
  Id: string;
  Image?: string;
  Config?: { Cmd?: string[] | null; Entrypoint?: string[] | null; Env?: string[] | null; Labels?: Record<string, string> | null; Image?: string } & Record<
    string,
    unknown
  >;
  HostConfig?: { AutoRemove?: boolean; RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null } & Record<string, unknown>;
  State?: { Running?: boolean; Paused?: boolean; Status?: string; Ghost?: boolean } & Record<string, unknown>;
}

/**
 * The differences between what the task gives and the container: `recreate` those only a new
 * container changes, `update` those Docker changes in place (counted with the others only when
 * there are others, as has_different_configuration does).
 */
export function containerDifferences(
  desired: DesiredContainer,
  container: ContainerInspect,
  image: InspectDocument | undefined,
): { recreate: Difference[]; update: Difference[] } {
  const config = container.Config ?? {};
  const host = container.HostConfig ?? {};
  const imageConfig = (image?.Config ?? {}) as { Env?: string[] | null; Labels?: Record<string, string> | null };
  const recreate: Difference[] = [];
  const update: Difference[] = [];
  const compare = (into: Difference[], item: string, expected: unknown, actual: unknown, type: Comparison) => {
    if (!sameValue(expected, actual, type)) into.push({ item, parameter: expected, container: actual });
  };
  if (desired.auto_remove !== undefined) compare(recreate, 'auto_remove', desired.auto_remove, host.AutoRemove, 'value');
  if (desired.command !== undefined) compare(recreate, 'command', desired.command, config.Cmd, 'list');
  if (desired.entrypoint !== undefined) compare(recreate, 'entrypoint', desired.entrypoint, config.Entrypoint, 'list');
  if (desired.detach !== undefined) compare(recreate, 'detach', desired.detach, !(config.AttachStderr && config.AttachStdout), 'value');
  if (desired.env !== undefined) {
    // The image's Env, overridden by the task's, is what the container should hold (_get_expected_env_value).
    const merged = new Map<string, string>();
    for (const entry of [...(imageConfig.Env ?? []), ...desired.env]) {
      const at = entry.indexOf('=');
      merged.set(at < 0 ? entry : entry.slice(0, at), at < 0 ? '' : entry.slice(at + 1));
    }
    compare(
      recreate,
      'env',
      [...merged].map(([k, v]) => `${k}=${v}`),
      config.Env,
      'set',
    );
  }
  if (desired.labels !== undefined) compare(recreate, 'labels', { ...(imageConfig.Labels ?? {}), ...desired.labels }, config.Labels, 'dict');
  if (desired.restart_policy !== undefined) compare(update, 'restart_policy', desired.restart_policy, host.RestartPolicy?.Name, 'value');
  if (desired.restart_retries !== undefined) compare(update, 'restart_retries', desired.restart_retries, host.RestartPolicy?.MaximumRetryCount, 'value');
  return { recreate, update };
}
