// docker_image's `source: build`: the image is built on the node from a directory on the node,
// where community.docker's module (which runs there) reads `build.path`. hound runs the node's
// own `docker build` over SSH (under become when the task has it) against the node's Docker
// socket, with the classic builder (DOCKER_BUILDKIT=0): the module posts the context to
// Docker's /build API, which is that builder, so the steps, the cache and the image ids are
// the same. What it decides and returns follows community.docker 3.4.7's build_image: the
// `stdout` of the build, and `image`, the built image's inspect document.
import { connectionVars } from '../inventory/connection.js';
import { shlexQuote } from '../base/shlex.js';
import { PythonFloat } from '../base/python-float.js';
import type { EngineApi } from '../runtime/types.js';
import { nodePathWord } from './docker-image-archive.js';
import { findImage } from './docker-engine.js';
import { runCommandLine } from './command.js';
import { ModuleFailure, type ModuleContext } from './implementation.js';

/** The `build` options hound carries out (community.docker 3.4.7's, but http_timeout and use_config_proxy: refused in collection-schemas.ts). */
export interface DockerBuildOptions {
  path: string;
  dockerfile?: string;
  cache_from?: string[];
  pull?: boolean;
  rm?: boolean;
  network?: string;
  nocache?: boolean;
  etc_hosts?: Record<string, unknown>;
  args?: Record<string, unknown>;
  container_limits?: { memory?: number; memswap?: number; cpushares?: number; cpusetcpus?: string };
  target?: string;
  platform?: string;
  /** docker_image_build's (not docker_image's build options). */
  shm_size?: string | number;
  labels?: Record<string, unknown>;
}

/** Python's str() of a YAML value, as the modules' to_native turns build args, labels and annotations into strings. */
export function pythonString(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  // A PythonFloat's own text is Python's ('1.0').
  return typeof value === 'object' && !(value instanceof PythonFloat) ? JSON.stringify(value) : String(value);
}

/** The Dockerfile as `docker build -f` wants it: the module reads a relative `dockerfile` from `path`, the CLI from its working directory. */
export function dockerfileOnNode(path: string, dockerfile: string): string {
  return dockerfile.startsWith('/') ? dockerfile : `${path.replace(/\/+$/, '')}/${dockerfile}`;
}

/**
 * The `docker build` words for the module's /build parameters: `t` (name:tag, or name when the
 * tag is empty), nocache, rm and forcerm (both `rm`), pull, dockerfile, buildargs, cachefrom,
 * target, networkmode, extrahosts, platform and the container limits. `path` is the context,
 * already expanded on the node.
 */
export function dockerBuildArgv(socket: string, imageName: string, build: DockerBuildOptions): string[] {
  const host = socket.startsWith('unix://') ? socket : `unix://${socket}`;
  const rm = build.rm ?? true;
  const argv = ['docker', '--host', host, 'build', '--tag', imageName, `--rm=${rm}`, `--force-rm=${rm}`];
  if (build.nocache) argv.push('--no-cache');
  if (build.pull) argv.push('--pull');
  if (build.dockerfile) argv.push('--file', dockerfileOnNode(build.path, build.dockerfile));
  for (const [key, value] of Object.entries(build.args ?? {})) argv.push('--build-arg', `${key}=${pythonString(value)}`);
  for (const image of build.cache_from ?? []) argv.push('--cache-from', image);
  if (build.target) argv.push('--target', build.target);
  if (build.network) argv.push('--network', build.network);
  // clean_dict_booleans_for_docker_api, then format_extra_hosts: host:ip.
  for (const [name, ip] of Object.entries(build.etc_hosts ?? {}))
    argv.push('--add-host', `${name}:${ip === true ? 'true' : ip === false ? 'false' : String(ip)}`);
  if (build.platform !== undefined) argv.push('--platform', build.platform);
  if (build.shm_size !== undefined) argv.push('--shm-size', String(build.shm_size));
  for (const [key, value] of Object.entries(build.labels ?? {})) argv.push('--label', `${key}=${pythonString(value)}`);
  const limits = build.container_limits ?? {};
  if (limits.memory !== undefined) argv.push('--memory', String(limits.memory));
  if (limits.memswap !== undefined) argv.push('--memory-swap', String(limits.memswap));
  if (limits.cpushares !== undefined) argv.push('--cpu-shares', String(limits.cpushares));
  if (limits.cpusetcpus !== undefined) argv.push('--cpuset-cpus', limits.cpusetcpus);
  argv.push('--', build.path);
  return argv;
}

/**
 * The build's output as the module collects it from /build's `stream` lines: the CLI prints
 * them as they come, but for its own line about sending the context; Docker sends each step's
 * line and its newline apart, which the module keeps as an empty line after each `Step`. (The
 * lines of a pull the build makes are the CLI's, with their layer ids; the module keeps only
 * their status.)
 */
export function buildOutput(stdout: string): string[] {
  const lines = stdout.split(/\r?\n/).filter((line) => !line.startsWith('Sending build context to Docker daemon'));
  if (lines.at(-1) === '') lines.pop();
  return lines.flatMap((line) => (/^Step \d+\/\d+ : /.test(line) ? [line, ''] : [line]));
}

/** The module's failure of a build: Docker's error (its code, which only a failed RUN has) and the output so far. */
export function buildFailure(name: string, error: string, output: string[]): string {
  const code = /returned a non-zero code: (\d+)/.exec(error)?.[1] ?? 'None';
  return `Error building ${name} - code: ${code}, message: ${error}, logs: ${pythonList(output)}`;
}

/** Python's repr of a list of strings, as the module's failure message shows the build's logs. */
function pythonList(lines: string[]): string {
  return `[${lines.map((l) => `'${l.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`).join(', ')}]`;
}

const NOT_A_DIRECTORY = 3;

/** `path` as the module sees it on the node (`~` expanded, as Ansible's `type: path`), or the module's failure when it is no directory there. */
export async function buildPathOnNode(ctx: ModuleContext, path: string): Promise<string> {
  const connection = await ctx.connection();
  const r = await connection.exec(`p=${nodePathWord(path)}; printf '%s\\n' "$p"; [ -d "$p" ] || exit ${NOT_A_DIRECTORY}`, {
    signal: ctx.signal,
    shownAs: `check the build path ${path}`,
  });
  const expanded = r.stdout.endsWith('\n') ? r.stdout.slice(0, -1) : path;
  if (r.code !== 0) throw new ModuleFailure(`Requested build path ${expanded} could not be found or you do not have access.`);
  return expanded;
}

/** Builds name[:tag] on the node from `build.path` (as buildPathOnNode expanded it); the build's output and the built image's inspect document, as build_image returns them. */
export async function buildImage(
  ctx: ModuleContext,
  api: EngineApi,
  name: string,
  tag: string,
  build: DockerBuildOptions,
): Promise<{ stdout: string; image: Record<string, unknown>; command: string[] }> {
  const argv = dockerBuildArgv(connectionVars(ctx.vars).dockerSocket, tag ? `${name}:${tag}` : name, build);
  // The classic builder, as Docker's /build API; the CLI's notice that it is deprecated goes to stderr.
  const words = ['env', 'DOCKER_BUILDKIT=0', ...argv];
  const run = await runCommandLine(words, words, {}, ctx, words.map(shlexQuote).join(' '));
  ctx.invalidateFacts();
  const output = buildOutput(String(run.data?.stdout ?? ''));
  if (run.failed) {
    const stderr = String(run.data?.stderr ?? '')
      .split('\n')
      .filter((l) => l.trim() !== '' && !/^DEPRECATED:|BuildKit|buildx|^ +/.test(l));
    throw new ModuleFailure(buildFailure(name, stderr.join(' ') || run.msg, output));
  }
  return { stdout: output.join('\n'), image: (await findImage(api, name, tag)) ?? {}, command: words };
}
