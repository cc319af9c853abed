// Gathers what the planner needs, in parallel: per node what Docker holds (over the run's
// SSH connections) and how its runtime reaches each registry (mirrors, trust:
// node-registries.ts), per image reference what the registry says, asked the way the node
// would ask (through its mirror). Each reference is resolved once per platform and route,
// however many nodes want it. The registries' stated rate limits come along.
import type { X509Certificate } from 'node:crypto';
import { firstTaskVars, type CompiledRun, type TaskInstance } from '../playbook/compiled.js';
import type { RegistryAuth } from '../transport/types.js';
import type { NodeDocker, NodeRuntime } from '../runtime/types.js';
import { nodePlatform } from '../runtime/platform.js';
import type { Inventory, Vars } from '../inventory/model.js';
import { hostVars } from '../inventory/vars.js';
import type { CommandLineConnectionOptions, ConnectionTarget } from '../transport/connection-target.js';
import { NodeAccess, sshReach } from '../runtime/node-access.js';
import type { HostReach } from '../transport/reach.js';
import { DEFAULT_PRIVILEGE_ESCALATION } from '../transport/become.js';
import { resolveReach, type ReachDefaults } from '../playbook/task-reach.js';
import { renderValue } from '../playbook/templating.js';
import { RegistryClient, type RegistryClientOptions, type ServedBy } from '../transport/registry.js';
import { dockerConfigCredentials, normaliseRegistryHost } from '../transport/docker-config.js';
import type { RegistryRateLimit } from '../transport/rate-limit.js';
import { nodeRegistryFacts, type NodeRegistryFacts } from './node-registries.js';
import type { TransportLogger } from '../transport/ssh-connection.js';
import { HoundError } from '../base/errors.js';
import { parseImageRef } from '../base/image-ref.js';
import {
  computePlan,
  hostsToInspect,
  hostsWithImageTasks,
  imageReferencesByHost,
  isPlannedImageTask,
  registryFactKey,
  type FactProblem,
  type Plan,
  type PlanFacts,
  type PlanOptions,
  type RegistryImageFacts,
} from './planner.js';

/** What the registry client answers for one reference, already resolved to one platform. */
export type ResolvedImage = Omit<RegistryImageFacts, 'reference' | 'platform'> & { servedBy?: ServedBy };

/** How one reference is asked for: as the node would ask. */
export interface ResolveRoute {
  platform: string;
  auth?: RegistryAuth;
  insecure: boolean;
  /** Mirror origins tried first (the node's, for this registry). */
  mirrors?: readonly string[];
}

/** How facts are reached; the CLI builds it over the transport's pool and registry client. */
export interface PlanFactAccess {
  docker(host: string): Promise<NodeDocker>;
  resolveImage(reference: string, options: ResolveRoute): Promise<ResolvedImage>;
  /** The certificate chain an endpoint presents, to check a node's trust against; absent: not checked. */
  certificateChain?(endpoint: string): Promise<X509Certificate[]>;
  /** The rate limit a registry stated while being asked. */
  rateLimit?(registry: string): RegistryRateLimit | undefined;
}

export interface GatherOptions {
  /** Hosts gathered at once (the run's forks). */
  concurrency?: number;
  /** Registry credentials by registry host[:port] (from registry_login tasks). */
  credentials?: ReadonlyMap<string, RegistryAuth>;
  /** Only these hosts (apply re-gathers the hosts it changes). */
  hosts?: string[];
  /**
   * When given, free space (a command over SSH, the slowest fact) is not waited for: each
   * host's reading is left here and NodeFacts.freeBytes unset, for planRun to await only
   * where the plan pulls.
   */
  pendingFreeSpace?: Map<string, Promise<number>>;
  /**
   * List each node's images without inspecting them (NodeFacts.imagesInspected false): on a
   * warm cluster that saves a round trip per image per node; planRun inspects the hosts whose
   * plan does something.
   */
  summariesOnly?: boolean;
}

function problemOf(err: unknown, fallbackCode: string): FactProblem {
  if (err instanceof HoundError) return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { code: fallbackCode, message: err instanceof Error ? err.message : String(err) };
}

async function mapLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}

/** Gathers node and registry facts for every host of the run; failures become per-host or per-image problems. */
export function gatherPlanFacts(run: CompiledRun, access: PlanFactAccess, options: GatherOptions = {}): Promise<PlanFacts> {
  const hosts = options.hosts ?? hostsWithImageTasks(run);
  return gatherFacts(hosts, imageReferencesByHost(run), access, options);
}

/** Node facts for `hosts`, and registry facts for the references each of them wants. */
export async function gatherFacts(
  hosts: readonly string[],
  refsByHost: ReadonlyMap<string, readonly { reference: string; platform?: string }[]>,
  access: PlanFactAccess,
  options: GatherOptions = {},
): Promise<PlanFacts> {
  const facts: PlanFacts = { nodes: {}, images: {}, unreachable: {}, imageErrors: {}, registries: {} };
  const resolutions = new Map<string, Promise<ServedBy | undefined>>();

  const resolveOnce = (reference: string, platform: string, route: NodeRegistryFacts): Promise<ServedBy | undefined> => {
    const key = registryFactKey(reference, platform);
    const memo = `${key}|${route.insecure ? 'http' : 'https'}|${route.mirrors.join(',')}`;
    let pending = resolutions.get(memo);
    if (!pending) {
      const auth = options.credentials?.get(parseImageRef(reference).domain);
      pending = access.resolveImage(reference, { platform, auth, insecure: route.insecure, mirrors: route.mirrors }).then(
        ({ servedBy, ...resolved }) => {
          facts.images[key] = { ...resolved, reference, platform };
          return servedBy;
        },
        (err: unknown) => {
          facts.imageErrors[key] = problemOf(err, 'REGISTRY_RESOLVE_FAILED');
          return undefined;
        },
      );
      resolutions.set(memo, pending);
    }
    return pending;
  };

  await mapLimited(hosts, options.concurrency ?? 50, async (host) => {
    let resolving: Promise<unknown> = Promise.resolve();
    try {
      const docker = await access.docker(host);
      const infoRead = docker.info();
      const free = docker.freeBytes();
      free.catch(() => undefined);
      options.pendingFreeSpace?.set(host, free);
      const rest = Promise.all([
        options.summariesOnly ? docker.listImageSummaries() : docker.listImages(),
        docker.listContainers(),
        options.pendingFreeSpace ? undefined : free,
        docker.heldBlobs?.(),
      ]);
      rest.catch(() => undefined);
      const info = await infoRead;
      const platform = nodePlatform(info);
      // The registry is asked as soon as the platform and the node's route to it are known,
      // while the slower node facts (image inspection, df over SSH) are still on their way.
      const wanted = refsByHost.get(host) ?? [];
      const registries = await nodeRegistryFacts(docker, info, [...new Set(wanted.map((w) => parseImageRef(w.reference).domain))], access);
      resolving = Promise.all(
        wanted.map(async (w) => {
          const route = registries[parseImageRef(w.reference).domain];
          const servedBy = await resolveOnce(w.reference, w.platform ?? platform, route);
          if (servedBy && !route.servedBy) route.servedBy = { endpoint: servedBy.endpoint, mirror: servedBy.mirror };
          for (const skipped of servedBy?.skipped ?? []) {
            const [endpoint, ...why] = skipped.split(': ');
            if (!route.passedOver.some((p) => p.endpoint === endpoint)) route.passedOver.push({ endpoint, reason: why.join(': ') });
          }
        }),
      );
      const [images, containers, freeBytes, heldBlobs] = await rest;
      facts.nodes[host] = {
        host,
        platform,
        freeBytes,
        dockerRootDir: info.dockerRootDir,
        runtime: info.release,
        ...(heldBlobs !== undefined ? { heldBlobs: [...heldBlobs] } : {}),
        insecureRegistries: info.insecureRegistries,
        images,
        imagesInspected: options.summariesOnly !== true,
        containerImageIds: containers.map((c) => c.imageId),
        registries,
      };
    } catch (err) {
      facts.unreachable[host] = problemOf(err, 'FACTS_FAILED');
    }
    await resolving;
  });
  for (const domain of new Set([...refsByHost.values()].flat().map((w) => parseImageRef(w.reference).domain))) {
    const rateLimit = access.rateLimit?.(domain);
    if (rateLimit) facts.registries![domain] = { rateLimit };
  }
  return facts;
}

export interface PlanHostAccessOptions {
  inventory: Inventory;
  /** ansible-playbook's -u, --private-key, --timeout, --ssh-common-args. */
  connection?: CommandLineConnectionOptions;
  /** --host-key-checking: overrides the inventory's and ssh config's policy, jump hops included. */
  hostKeyChecking?: ConnectionTarget['hostKeyPolicy'];
  /** ansible.cfg's [privilege_escalation], -b, -K: how image tasks become another user to reach Docker. */
  reach?: ReachDefaults;
  logger?: TransportLogger;
  /** The registry client's trust (--ca-file, hound_registry_ca) and where its secrets go. */
  registry?: Pick<RegistryClientOptions, 'trust' | 'onSecret'>;
}

/**
 * The run's hosts over the transport, for `plan` and `apply`: one SSH connection and one
 * Docker client per host, one registry client for all. Mirrors the executor's host access
 * (core/run.ts), which does not export its own.
 */
/** What the planner needs of a registry's answer for one image. */
export async function resolveForPlan(registry: RegistryClient, reference: string, options: ResolveRoute): Promise<ResolvedImage> {
  // A plan's read: every host's plan in a run shares one answer per image (ResolveOptions.reuse).
  const image = await registry.resolveImage(reference, { ...options, reuse: true });
  return {
    digest: image.manifestDigest,
    manifestDigest: image.platformManifestDigest,
    configDigest: image.config.digest,
    layers: image.layers.map((l) => ({ digest: l.digest, size: l.size, diffId: l.diffId })),
    servedBy: image.servedBy,
  };
}

/** The registry side of PlanFactAccess over one registry client. */
export function registryFactAccess(registry: RegistryClient): Pick<PlanFactAccess, 'resolveImage' | 'certificateChain' | 'rateLimit'> {
  return {
    resolveImage: (reference, options) => resolveForPlan(registry, reference, options),
    certificateChain: (endpoint) => registry.certificateChain(endpoint),
    rateLimit: (domain) => registry.rateLimit(domain),
  };
}

/**
 * The run's way to its nodes, alike for `play` (core/run.ts) and `plan`/`apply` (PlanHostAccess):
 * a host's variables are those its first task in the run sees, else `otherVars` (the inventory's).
 */
export function runNodeAccess(
  run: CompiledRun | undefined,
  options: Pick<PlanHostAccessOptions, 'inventory' | 'connection' | 'hostKeyChecking' | 'logger'> & { stallTimeoutMs?: number },
  otherVars: (host: string) => Vars,
): NodeAccess {
  return new NodeAccess({
    inventory: options.inventory,
    varsOf: (host) => (run ? firstTaskVars(run, host) : undefined) ?? otherVars(host),
    commandLine: options.connection,
    hostKeyChecking: options.hostKeyChecking,
    stallTimeoutMs: options.stallTimeoutMs,
    logger: options.logger,
  });
}

export class PlanHostAccess implements PlanFactAccess {
  private readonly nodes: NodeAccess;
  private readonly registry: RegistryClient;

  constructor(
    private readonly run: CompiledRun | undefined,
    private readonly options: PlanHostAccessOptions,
  ) {
    this.nodes = runNodeAccess(run, options, (host) => hostVars(options.inventory, host));
    this.registry = new RegistryClient({ ...options.registry, logger: options.logger });
  }

  /** The host's container runtime (hound_container_runtime), reached as its first image task reaches it (become included). */
  docker(host: string): Promise<NodeRuntime> {
    return this.nodes.docker(this.reachOf(host));
  }

  resolveImage(reference: string, options: ResolveRoute): Promise<ResolvedImage> {
    return resolveForPlan(this.registry, reference, options);
  }

  certificateChain(endpoint: string): Promise<X509Certificate[]> {
    return this.registry.certificateChain(endpoint);
  }

  rateLimit(registry: string): RegistryRateLimit | undefined {
    return this.registry.rateLimit(registry);
  }

  async close(): Promise<void> {
    this.registry.close();
    await this.nodes.close();
  }

  private reachOf(host: string): HostReach {
    const task = this.run ? imageTaskOf(this.run, host) : undefined;
    if (!task || task.pendingKeywords) return sshReach(host);
    const defaults = this.options.reach ?? { privilegeEscalation: DEFAULT_PRIVILEGE_ESCALATION };
    // The planner looks at the node itself, not at a delegate.
    const keywords = { ...task.keywords, delegateTo: undefined };
    try {
      return resolveReach(host, keywords, (name) => (Object.hasOwn(task.vars, name) ? renderValue(task.vars[name], task.vars) : undefined), defaults);
    } catch {
      return sshReach(host);
    }
  }
}

/** The host's first task of an image module (what the plan is about). */
function imageTaskOf(run: CompiledRun, host: string): TaskInstance | undefined {
  for (const play of run.plays) {
    for (const task of play.tasksByHost.get(host) ?? []) if (isPlannedImageTask(task)) return task;
  }
  return undefined;
}

/**
 * Registry credentials the run's registry_login tasks give, by registry host[:port], so the
 * planner asks the registry as the pulls will. Tasks whose arguments are only known at run
 * time are skipped; the registry client still falls back on Docker's config (and its
 * credential helpers).
 */
export async function registryCredentials(run: CompiledRun, onSecret?: (value: string) => void): Promise<Map<string, RegistryAuth>> {
  const out = new Map<string, RegistryAuth>();
  for (const play of run.plays) {
    const first = [...play.tasksByHost.values()][0] ?? [];
    for (const task of first) {
      if (task.deferred) continue;
      const login = loginOf(task.module, task.args);
      if (login) {
        out.set(login.serverAddress, login);
        continue;
      }
      if (task.module !== 'registry_login') continue;
      const args = task.args as { registry?: string; username?: string; password?: string; password_env?: string; from_docker_config?: boolean };
      if (typeof args.registry !== 'string') continue;
      const serverAddress = normaliseRegistryHost(args.registry);
      if (args.from_docker_config) {
        const found = await dockerConfigCredentials(serverAddress, { onSecret });
        if (found?.auth) out.set(serverAddress, { ...found.auth, serverAddress });
        continue;
      }
      const password = args.password_env !== undefined ? process.env[args.password_env] : args.password;
      if (args.username !== undefined && password !== undefined) out.set(serverAddress, { username: args.username, password, serverAddress });
    }
  }
  return out;
}

/** The credentials a docker_login or podman_login task gives, when its arguments are known before the run. */
function loginOf(module: string, args: Record<string, unknown>): RegistryAuth | undefined {
  if (module !== 'docker_login' && module !== 'podman_login') return undefined;
  if (args.state === 'absent' || typeof args.username !== 'string' || typeof args.password !== 'string') return undefined;
  const registry = module === 'docker_login' ? (args.registry_url ?? 'https://index.docker.io/v1/') : args.registry;
  if (typeof registry !== 'string') return undefined;
  return { username: args.username, password: args.password, serverAddress: normaliseRegistryHost(registry) };
}

/**
 * Facts, then the plan, for a compiled run: what `hound play --check --diff` prints (with
 * formatPlanDiff) and what the executor consults before pulling (precheckFailures).
 */
export async function planRun(
  run: CompiledRun,
  access: PlanFactAccess,
  options: PlanOptions & { concurrency?: number; hosts?: string[] } = {},
): Promise<{ plan: Plan; facts: PlanFacts }> {
  const credentials = await registryCredentials(run);
  const pendingFreeSpace = new Map<string, Promise<number>>();
  const facts = await gatherPlanFacts(run, access, {
    credentials,
    concurrency: options.concurrency,
    pendingFreeSpace,
    hosts: options.hosts,
    summariesOnly: true,
  });
  // Up-to-date hosts are done with the image list alone; the others are inspected (their
  // layers make the bytes), and free space matters only where the plan pulls.
  const first = computePlan(run, facts, options);
  const inspect = new Set(hostsToInspect(first, facts));
  const pulling = new Set(
    Object.values(first.hosts)
      .filter((h) => h.bytes > 0 && facts.nodes[h.host] && pendingFreeSpace.has(h.host))
      .map((h) => h.host),
  );
  if (inspect.size === 0 && pulling.size === 0) return { plan: first, facts };
  await Promise.all(
    [...new Set([...inspect, ...pulling])].map(async (host) => {
      const node = facts.nodes[host];
      try {
        if (inspect.has(host)) {
          node.images = await (await access.docker(host)).listImages();
          node.imagesInspected = true;
        }
        if (pulling.has(host)) node.freeBytes = await pendingFreeSpace.get(host)!;
      } catch (err) {
        facts.unreachable[host] = problemOf(err, 'FACTS_FAILED');
        delete facts.nodes[host];
      }
    }),
  );
  return { plan: computePlan(run, facts, options), facts };
}
