// Gathers what the planner needs, in parallel: per node what Docker holds (over the run's
// SSH connections), per image reference what the registry says. Each reference is resolved
// once per platform (and transport security), however many nodes want it.
import type { CompiledRun } from '../playbook/compiled.js';
import type { RegistryAuth } from '../transport/types.js';
import type { DockerInfo, NodeDocker } from '../runtime/types.js';
import type { Inventory, Vars } from '../inventory/model.js';
import { hostVars } from '../inventory/vars.js';
import { ConnectionPool } from '../transport/pool.js';
import { resolveConnectionTarget, type CommandLineConnectionOptions, type ConnectionTarget } from '../transport/connection-target.js';
import { SshConfigFile } from '../transport/ssh-config.js';
import { SshDocker } from '../runtime/docker.js';
import { RegistryClient } from '../transport/registry.js';
import { credentialsFromDockerConfig } from '../transport/registry-auth.js';
import { normaliseRegistryHost } from '../transport/docker-config.js';
import type { TransportLogger } from '../transport/ssh-connection.js';
import { HoundError } from '../base/errors.js';
import { parseImageRef } from '../base/image-ref.js';
import {
  computePlan,
  hostsToInspect,
  hostsWithImageTasks,
  imageReferencesByHost,
  registryFactKey,
  type FactProblem,
  type Plan,
  type PlanFacts,
  type PlanOptions,
  type RegistryImageFacts,
} from './planner.js';

/** What the registry client answers for one reference, already resolved to one platform. */
export type ResolvedImage = Omit<RegistryImageFacts, 'reference' | 'platform'>;

/** How facts are reached; the CLI builds it over the transport's pool and registry client. */
export interface PlanFactAccess {
  docker(host: string): Promise<NodeDocker>;
  resolveImage(reference: string, options: { platform: string; auth?: RegistryAuth; insecure: boolean }): Promise<ResolvedImage>;
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

const ARCHITECTURES: Record<string, string> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
  armv7l: 'arm/v7',
  armv6l: 'arm/v6',
  i386: '386',
  i686: '386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** The OCI platform a node pulls by default: Docker reports `x86_64`, registries say `amd64`. */
export function nodePlatform(info: Pick<DockerInfo, 'os' | 'architecture'>): string {
  return `${info.os || 'linux'}/${ARCHITECTURES[info.architecture] ?? info.architecture}`;
}

/**
 * Whether the node's Docker speaks plain HTTP to `registry` (host[:port]): listed as is, or an
 * IP literal inside a listed CIDR (Docker lists 127.0.0.0/8 by default). Host names are not
 * resolved: the controller's DNS answer need not be the node's.
 */
export function isInsecureRegistry(registry: string, insecureRegistries: readonly string[]): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  const address = host === 'localhost' ? '127.0.0.1' : host;
  return insecureRegistries.some((entry) => entry === registry || entry === host || (entry.includes('/') && ipv4InCidr(address, entry)));
}

function ipv4InCidr(address: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const ip = ipv4ToNumber(address);
  const net = ipv4ToNumber(base ?? '');
  const bits = Number(bitsText);
  if (ip === undefined || net === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ip & mask) >>> 0 === (net & mask) >>> 0;
}

function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
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
  const facts: PlanFacts = { nodes: {}, images: {}, unreachable: {}, imageErrors: {} };
  const resolutions = new Map<string, Promise<void>>();

  const resolveOnce = (reference: string, platform: string, insecure: boolean): Promise<void> => {
    const key = registryFactKey(reference, platform);
    const memo = `${key}|${insecure ? 'http' : 'https'}`;
    let pending = resolutions.get(memo);
    if (!pending) {
      const auth = options.credentials?.get(parseImageRef(reference).domain);
      pending = access.resolveImage(reference, { platform, auth, insecure }).then(
        (resolved) => {
          facts.images[key] = { ...resolved, reference, platform };
        },
        (err: unknown) => {
          facts.imageErrors[key] = problemOf(err, 'REGISTRY_RESOLVE_FAILED');
        },
      );
      resolutions.set(memo, pending);
    }
    return pending;
  };

  await mapLimited(hosts, options.concurrency ?? 50, async (host) => {
    let resolving: Promise<void[]> = Promise.resolve([]);
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
      ]);
      rest.catch(() => undefined);
      const info = await infoRead;
      const platform = nodePlatform(info);
      // The registry is asked as soon as the platform and its transport are known, while the
      // slower node facts (image inspection, df over SSH) are still on their way.
      const wanted = refsByHost.get(host) ?? [];
      resolving = Promise.all(
        wanted.map((w) => resolveOnce(w.reference, w.platform ?? platform, isInsecureRegistry(parseImageRef(w.reference).domain, info.insecureRegistries))),
      );
      const [images, containers, freeBytes] = await rest;
      facts.nodes[host] = {
        host,
        platform,
        freeBytes,
        dockerRootDir: info.dockerRootDir,
        insecureRegistries: info.insecureRegistries,
        images,
        imagesInspected: options.summariesOnly !== true,
        containerImageIds: containers.map((c) => c.imageId),
      };
    } catch (err) {
      facts.unreachable[host] = problemOf(err, 'FACTS_FAILED');
    }
    await resolving;
  });
  return facts;
}

export interface PlanHostAccessOptions {
  inventory: Inventory;
  /** ansible-playbook's -u, --private-key, --timeout, --ssh-common-args. */
  connection?: CommandLineConnectionOptions;
  /** --host-key-checking: overrides the inventory's and ssh config's policy, jump hops included. */
  hostKeyChecking?: ConnectionTarget['hostKeyPolicy'];
  logger?: TransportLogger;
}

/**
 * The run's hosts over the transport, for `plan` and `apply`: one SSH connection and one
 * Docker client per host, one registry client for all. Mirrors the executor's host access
 * (core/run.ts), which does not export its own.
 */
/** What the planner needs of a registry's answer for one image. */
export async function resolveForPlan(
  registry: RegistryClient,
  reference: string,
  options: { platform: string; auth?: RegistryAuth; insecure: boolean },
): Promise<ResolvedImage> {
  const image = await registry.resolveImage(reference, options);
  return {
    digest: image.manifestDigest,
    manifestDigest: image.platformManifestDigest,
    configDigest: image.config.digest,
    layers: image.layers.map((l) => ({ digest: l.digest, size: l.size, diffId: l.diffId })),
  };
}

export class PlanHostAccess implements PlanFactAccess {
  private readonly pool: ConnectionPool;
  private readonly dockers = new Map<string, Promise<NodeDocker>>();
  private readonly targets = new Map<string, ConnectionTarget>();
  private readonly registry: RegistryClient;
  private sshConfig?: Promise<SshConfigFile>;
  private resolvedSshConfig?: SshConfigFile;

  constructor(
    private readonly run: CompiledRun | undefined,
    private readonly options: PlanHostAccessOptions,
  ) {
    this.pool = new ConnectionPool({ target: (host) => this.target(host), logger: options.logger });
    this.registry = new RegistryClient({ logger: options.logger });
  }

  docker(host: string): Promise<NodeDocker> {
    let docker = this.dockers.get(host);
    if (!docker) {
      docker = (async () => {
        const config = await (this.sshConfig ??= SshConfigFile.load());
        this.resolvedSshConfig = config;
        const connection = await this.pool.get(host);
        return new SshDocker(connection, { socketPath: this.target(host).dockerSocket, logger: this.options.logger });
      })();
      this.dockers.set(host, docker);
    }
    return docker;
  }

  async resolveImage(reference: string, options: { platform: string; auth?: RegistryAuth; insecure: boolean }): Promise<ResolvedImage> {
    return resolveForPlan(this.registry, reference, options);
  }

  close(): Promise<void> {
    return this.pool.closeAll();
  }

  private target(host: string): ConnectionTarget {
    let target = this.targets.get(host);
    if (!target) {
      const inventory = this.options.inventory;
      target = resolveConnectionTarget(host, this.varsOf(host), {
        sshConfig: this.resolvedSshConfig,
        commandLine: this.options.connection,
        inventoryVars: (h) => (inventory.hosts.has(h) ? hostVars(inventory, h) : undefined),
      });
      if (this.options.hostKeyChecking) target = withHostKeyPolicy(target, this.options.hostKeyChecking);
      this.targets.set(host, target);
    }
    return target;
  }

  private varsOf(host: string): Vars {
    for (const play of this.run?.plays ?? []) {
      const first = play.tasksByHost.get(host)?.[0];
      if (first) return first.vars;
    }
    return hostVars(this.options.inventory, host);
  }
}

function withHostKeyPolicy(target: ConnectionTarget, policy: ConnectionTarget['hostKeyPolicy']): ConnectionTarget {
  return { ...target, hostKeyPolicy: policy, proxyJump: target.proxyJump.map((hop) => withHostKeyPolicy(hop, policy)) };
}

/**
 * Registry credentials the run's registry_login tasks give, by registry host[:port], so the
 * planner asks the registry as the pulls will. Tasks whose arguments are only known at run
 * time are skipped; the registry client still falls back on ~/.docker/config.json.
 */
export async function registryCredentials(run: CompiledRun): Promise<Map<string, RegistryAuth>> {
  const out = new Map<string, RegistryAuth>();
  for (const play of run.plays) {
    const first = [...play.tasksByHost.values()][0] ?? [];
    for (const task of first) {
      if (task.module !== 'registry_login' || task.deferred) continue;
      const args = task.args as { registry?: string; username?: string; password?: string; password_env?: string; from_docker_config?: boolean };
      if (typeof args.registry !== 'string') continue;
      const serverAddress = normaliseRegistryHost(args.registry);
      if (args.from_docker_config) {
        const found = await credentialsFromDockerConfig(serverAddress);
        if (found) out.set(serverAddress, { ...found, serverAddress });
        continue;
      }
      const password = args.password_env !== undefined ? process.env[args.password_env] : args.password;
      if (args.username !== undefined && password !== undefined) out.set(serverAddress, { username: args.username, password, serverAddress });
    }
  }
  return out;
}

/**
 * Facts, then the plan, for a compiled run: what `hound play --check --diff` prints (with
 * formatPlanDiff) and what the executor consults before pulling (diskCheckFailures).
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
