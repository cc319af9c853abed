// The executor entry point: runs a compiled playbook on the hosts and reports it.
// Wires the pieces together: event bus and reporter, SSH pool and Docker over SSH, the
// registry client for `state: latest`, pull limits, the scheduler and the task executor.
import { setMaxListeners } from 'node:events';
import { firstTaskVars, type CompiledRun } from '../playbook/compiled.js';
import type { Inventory, Vars } from '../inventory/model.js';
import { hostVars } from '../inventory/vars.js';
import { EXIT } from '../base/errors.js';
import { DEFAULT_PRIVILEGE_ESCALATION } from '../transport/become.js';
import { EVENT_SCHEMA_VERSION, EventBus, type EventListener, type RunReporter } from './events.js';
import { RecapCollector } from './recap.js';
import { ALL_HOSTS_FAILED, createPullLimits, runPlay, type RunHostState } from './scheduler.js';
import { TaskExecutor, type HostAccess } from './executor.js';
import { collectTemplateWarnings, evaluateCondition, loopItemsFor, renderTemplateFile, renderValue } from '../playbook/templating.js';
import { parseImageRef } from '../base/image-ref.js';
import { nodePlatform } from '../runtime/platform.js';
import { findModuleDefinition } from '../modules/schemas.js';
import { CredentialStore } from '../modules/implementation.js';
import type { CommandLineConnectionOptions } from '../transport/connection-target.js';
import { sshReach, type NodeAccess } from '../runtime/node-access.js';
import type { HostConnection, RegistryAuth } from '../transport/types.js';
import type { HostReach } from '../transport/reach.js';
import type { PrivilegeEscalationDefaults } from '../transport/become.js';
import { implicitLocalhostVars, namesLocalhost } from '../playbook/play-hosts.js';
import { AsyncJobs } from './async-jobs.js';
import type { NodeRuntime, PullProgress, PullResult } from '../runtime/types.js';
import { removeRelayNames } from '../relay/relay-names.js';
import { precheckFailures, type DiskCheckOptions } from '../plan/planner.js';
import { planRun, registryFactAccess, runNodeAccess, type PlanFactAccess } from '../plan/facts.js';
import { nodeRegistryFacts, type NodeRegistryFacts } from '../plan/node-registries.js';
import { isRateLimitMessage } from '../base/transient.js';
import { sleep } from '../base/sleep.js';
import { DEFAULT_PULL_ATTEMPTS, withPullRetries } from './pull-retry.js';
import { RunDistribution, type RequestedDistribution } from './run-distribution.js';
import { RegistryClient, type RegistryRoute } from '../transport/registry.js';
import { runCaFiles } from '../transport/registry-trust.js';
import type { VaultKeyring } from '../vault/keyring.js';

export interface RunOptions {
  inventory: Inventory;
  forks?: number;
  check: boolean;
  diff: boolean;
  verbosity: number;
  /** What turns the run's events into output (report/: the live view, plain lines, JSON); the CLI picks it. */
  reporter: RunReporter;
  /** OpenSSH StrictHostKeyChecking equivalent. */
  hostKeyChecking?: 'yes' | 'accept-new' | 'no';
  /** How images reach the nodes; default auto (core/run-distribution.ts). */
  distribution?: RequestedDistribution;
  /** The registry image fan-out seeds run (`--fanout-image`); without it (nor hound_fanout_image) there is no fan-out. */
  fanoutImage?: string;
  signal?: AbortSignal;
  /** Concurrent pulls from one registry host across the whole run (default 32: every node of a typical batch pulls at once, as the seed paper's node-level parallelism does). */
  pullsPerRegistry?: number;
  /** Concurrent pulls on one node, across its tasks (default 4). */
  pullsPerHost?: number;
  /** ansible-playbook's -u, --private-key, --timeout, --ssh-common-args. */
  connection?: CommandLineConnectionOptions;
  /** Extra subscribers to the (masked) event stream, e.g. a benchmark. */
  listeners?: EventListener[];
  /** Attempts for a pull that fails for a passing reason, 5xx, reset, stall (`--pull-attempts`, default 3). */
  pullAttempts?: number;
  /** ansible.cfg's [privilege_escalation] and -b/--become-user/--become-method (default: no become, sudo to root). */
  privilegeEscalation?: PrivilegeEscalationDefaults;
  /** -c / ansible.cfg's transport: the connection of hosts and tasks that name none (default: localhost local, others ssh). */
  connectionType?: string;
  /** -K / --become-password-file: the become password for every host that has no ansible_become_password. Never printed. */
  becomePassword?: string;
  /** Values to mask in every event from the start (private vars_prompt answers). */
  secrets?: string[];
  /** First backoff between those attempts, doubled each time, with jitter (default 1000 ms). */
  pullRetryBaseMs?: number;
  /** A pull with no progress for this long fails as PULL_STALLED (`--stall-timeout`; default HOUND_STALL_TIMEOUT or 120 s). */
  stallTimeoutMs?: number;
  /** Pull even where the disk precheck says the host lacks space (`--ignore-disk-check`). */
  ignoreDiskCheck?: boolean;
  /** How the disk precheck estimates and what it keeps free (`--disk-margin`, `--disk-factor`). */
  diskCheck?: DiskCheckOptions;
  /** CA files the controller trusts for every registry (`--ca-file`), besides the hosts' `hound_registry_ca`. */
  caFiles?: string[];
  /** The run's vault passwords, for files modules read while the run goes on (include_vars). */
  vault?: VaultKeyring;
}

export const DEFAULT_PULLS_PER_REGISTRY = 32;
export const DEFAULT_PULLS_PER_HOST = 4;

/** Resolves to the process exit code (see EXIT). */
export async function executeRun(run: CompiledRun, options: RunOptions): Promise<number> {
  const started = Date.now();
  const bus = new EventBus();
  registerSecrets(bus, run);
  const recap = new RecapCollector(bus);
  const reporter = options.reporter;
  bus.subscribe((e) => reporter.handle(e));
  for (const listener of options.listeners ?? []) bus.subscribe(listener);

  const interrupt = new AbortController();
  // Every pull and command in flight listens on this one signal: hundreds at once is normal.
  setMaxListeners(0, interrupt.signal);
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (options.signal?.aborted) interrupt.abort();
  options.signal?.addEventListener('abort', onSignal, { once: true });

  const credentials = new CredentialStore();
  const access = new RunHostAccess(run, options, bus, credentials);
  if (options.becomePassword !== undefined) bus.addSecret(options.becomePassword);
  for (const secret of options.secrets ?? []) bus.addSecret(secret);
  const jobs = new AsyncJobs();
  const executor = new TaskExecutor({
    bus,
    check: options.check,
    diff: options.diff,
    reach: {
      privilegeEscalation: options.privilegeEscalation ?? DEFAULT_PRIVILEGE_ESCALATION,
      becomePassword: options.becomePassword,
      connection: options.connectionType,
    },
    jobs,
    verbosity: options.verbosity,
    signal: interrupt.signal,
    credentials,
    limits: createPullLimits(options.pullsPerHost ?? DEFAULT_PULLS_PER_HOST, options.pullsPerRegistry ?? DEFAULT_PULLS_PER_REGISTRY, (host) =>
      access.fansOut(host),
    ),
    templating: { renderValue, evaluateCondition, renderTemplateFile, loopItems: loopItemsFor, collectWarnings: collectTemplateWarnings },
    access,
    vault: options.vault,
  });

  const state: RunHostState = { failed: new Set(), unreachable: new Set() };
  const allHosts = [...new Set(run.plays.flatMap((p) => p.hosts))];
  try {
    bus.emit({ event: 'run_start', schema_version: EVENT_SCHEMA_VERSION, check: options.check, plays: run.plays.length, hosts: allHosts });
    for (const play of run.plays) {
      if (interrupt.signal.aborted) break;
      bus.emit({ event: 'play_start', play: play.name, hosts: play.hosts.filter((h) => !state.failed.has(h) && !state.unreachable.has(h)) });
      executor.play = play.name;
      const outcome = await runPlay(play, executor, state, { forks: options.forks, signal: interrupt.signal });
      // As ansible-core's linear strategy: "NO MORE HOSTS LEFT" comes with a play-level break
      // (any_errors_fatal, max_fail_percentage), not when every host simply failed a task.
      if (outcome.aborted && outcome.abortReason !== 'interrupted' && outcome.abortReason !== ALL_HOSTS_FAILED)
        bus.emit({ event: 'play_abort', play: play.name, reason: outcome.abortReason ?? 'aborted' });
    }
    // Jobs started with async and poll: 0 end before the connections they use close (each by its async limit at the latest).
    if (jobs.running > 0) {
      bus.emit({ event: 'detail', verbosity: 1, msg: `waiting for ${jobs.running} async job(s) still running` });
      await jobs.settle();
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await access.close();
  }
  const interrupted = interrupt.signal.aborted;
  const exitCode = interrupted ? EXIT.INTERRUPTED : state.failed.size > 0 ? EXIT.HOST_FAILED : state.unreachable.size > 0 ? EXIT.HOST_UNREACHABLE : EXIT.OK;
  bus.emit({
    event: 'summary',
    schema_version: EVENT_SCHEMA_VERSION,
    hosts: recap.snapshot(),
    duration_s: (Date.now() - started) / 1000,
    check: options.check,
    interrupted,
    exit_code: exitCode,
  });
  await reporter.close();
  return exitCode;
}

/**
 * The run's literal secret arguments (a registry_login password written in the playbook).
 * The inventory's secret-named variables (ansible_password, ansible_become_pass, ...) were
 * registered for the whole process when it was loaded (inventory/load.ts).
 */
function registerSecrets(bus: EventBus, run: CompiledRun): void {
  for (const play of run.plays) {
    const lists = [...play.tasksByHost.values(), ...play.handlers.flatMap((h) => [...h.tasksByHost.values()])];
    for (const tasks of lists) {
      for (const t of tasks) {
        for (const key of findModuleDefinition(t.module)?.secretArguments ?? []) {
          const value = t.args[key];
          if (typeof value === 'string' && !value.includes('{{')) bus.addSecret(value);
        }
      }
    }
  }
}

/** Hosts reached over the transport (runtime/node-access.ts), with the registry, the relay and the disk precheck on top. */
class RunHostAccess implements HostAccess {
  private readonly nodes: NodeAccess;
  private readonly registry: RegistryClient;
  private readonly routes = new Map<string, Promise<Record<string, NodeRegistryFacts>>>();
  /** How each host was last reached for Docker, so registry facts about it are read the same way. */
  private readonly reaches = new Map<string, HostReach>();
  private readonly distributionRunner: RunDistribution;
  readonly distribution: RequestedDistribution;
  private readonly diskChecks = new Map<string, Promise<void>>();
  /** Hosts already told that their runtime pulls directly, not from the relay. */
  private readonly relayRefused = new Set<string>();

  constructor(
    private readonly run: CompiledRun,
    private readonly options: RunOptions,
    private readonly bus: EventBus,
    private readonly credentials: CredentialStore,
  ) {
    // The command line wins over the plays.
    this.distribution = options.distribution ?? run.plays.find((p) => p.distribution !== undefined)?.distribution ?? 'auto';
    this.nodes = runNodeAccess(run, { ...options, logger: (level, msg) => this.detail(level, msg) }, (host) => this.hostVars(host) ?? {});
    // Credentials come from registry_login only: what a run uses is what its playbook says.
    // Tokens the client receives are masked like any password.
    this.registry = new RegistryClient({
      dockerConfigPath: false,
      trust: { caFiles: runCaFiles(options.caFiles ?? [], options.inventory) },
      onSecret: (value) => bus.addSecret(value),
      logger: (level, msg) => this.detail(level, msg),
    });
    this.distributionRunner = new RunDistribution({
      run,
      requested: this.distribution,
      fanoutImage: options.fanoutImage ?? this.fanoutImageVar(),
      // Each host as its pulls reach it (become included); a host not reached yet, over SSH as its login user.
      connection: (host) => this.connection(this.reachOf(host)),
      docker: (host) => this.docker(this.reachOf(host)),
      target: (host) => this.nodes.target(host),
      route: (host, registry) => this.routeOf(host, registry),
      vars: (host) => this.varsOf(host),
      credentials,
      registry: this.registry,
      detail: (verbosity, msg) => this.detail(verbosity, msg),
    });
  }

  private fanoutImageVar(): string | undefined {
    const first = [...this.options.inventory.hosts.keys()][0];
    const value = first === undefined ? undefined : hostVars(this.options.inventory, first).hound_fanout_image;
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  private reachOf(host: string): HostReach {
    return this.reaches.get(host) ?? sshReach(host);
  }

  connection(reach: HostReach): Promise<HostConnection> {
    return this.nodes.connection(reach);
  }

  /** The host's container runtime: the one its vars name (hound_container_runtime), or the one `auto` finds. */
  docker(reach: HostReach): Promise<NodeRuntime> {
    this.reaches.set(reach.host, reach);
    return this.nodes.docker(reach);
  }

  hostVars(host: string): Vars | undefined {
    if (this.options.inventory.hosts.has(host)) return hostVars(this.options.inventory, host);
    return namesLocalhost(host) ? implicitLocalhostVars(this.options.inventory) : undefined;
  }

  async remoteDigest(reference: string, { platform, reach, auth }: { platform?: string; reach: HostReach; auth?: RegistryAuth }): Promise<string> {
    const ref = parseImageRef(reference);
    // Mirror, plain HTTP and platform as the node's own runtime would pull: what it gets is what we compare.
    const info = await (await this.docker(reach)).info();
    const resolved = await this.registry.resolveImage(reference, {
      platform: platform ?? nodePlatform(info),
      auth,
      ...(await this.routeOf(reach.host, ref.domain)),
    });
    this.detail(
      2,
      `registry ${ref.domain}: ${reference} is ${resolved.manifestDigest}${resolved.servedBy.mirror ? ` (mirror ${resolved.servedBy.endpoint})` : ''}`,
    );
    return resolved.manifestDigest;
  }

  /** How `host`'s runtime reaches `registry` (its trusted mirrors, plain HTTP or not), read once per host. */
  private async routeOf(host: string, registry: string): Promise<Pick<RegistryRoute, 'insecure' | 'mirrors'>> {
    const key = `${host} ${registry}`;
    let pending = this.routes.get(key);
    if (!pending) {
      pending = (async () => {
        const docker = await this.docker(this.reachOf(host));
        return nodeRegistryFacts(docker, await docker.info(), [registry], this.registry);
      })();
      this.routes.set(key, pending);
    }
    const route = (await pending)[registry];
    return { insecure: route.insecure, mirrors: route.mirrors };
  }

  /**
   * A pull that a registry rate-limited waits as long as the registry says (asked with a
   * HEAD, which Docker Hub does not count), before the pull retry tries again.
   */
  private async withRateLimitWait(host: string, reference: string, error: unknown): Promise<never> {
    const message = error instanceof Error ? error.message : String(error);
    if (isRateLimitMessage(message) && error instanceof Error) {
      const ref = parseImageRef(reference);
      const wait = await this.registry
        .rateLimitWait(reference, { auth: this.credentials.get(ref.domain), ...(await this.routeOf(host, ref.domain)) })
        .catch(() => 0);
      if (wait > 0) {
        this.detail(0, `${host}: ${ref.domain} is rate limiting pulls; it asks to wait ${(wait / 1000).toFixed(1)} s`);
        Object.assign(error, { retryAfterMs: wait });
      }
    }
    throw error;
  }

  async pull(
    reach: HostReach,
    reference: string,
    options: { platform?: string; tlsVerify?: boolean; auth?: RegistryAuth; onProgress: (p: PullProgress) => void; signal: AbortSignal },
  ): Promise<PullResult> {
    const host = reach.host;
    // A task that says how the node must verify the registry's TLS (podman_image validate_certs) pulls from the registry itself.
    const weighed = options.tlsVerify === undefined;
    // The run's distribution, decided at its first pull (a plan, perhaps a probe of the links:
    // a second or more), is weighed while the host is checked, not after.
    if (weighed) this.distributionRunner.weigh(host);
    await this.precheck(reach);
    const docker = await this.docker(reach);
    const direct = !weighed || (await this.distributionRunner.strategy(host)) === 'direct' || !this.relayServes(host, docker);
    const domain = parseImageRef(reference).domain;
    return withPullRetries(
      async () => {
        // A registry that said when to come back is not asked sooner.
        const until = this.registry.rateLimit(domain)?.retryAfterUntil;
        if (until !== undefined && until > Date.now()) await sleep(until - Date.now(), options.signal);
        try {
          if (direct) {
            const pulled = await docker.pull(reference, options);
            // Names a killed relayed run left on the image (its tag came before its clean-up) go, as a relayed pull takes them off.
            await removeRelayNames(docker, reference);
            return pulled;
          }
          return await this.distributionRunner.pull(host, reference, options);
        } catch (error) {
          return this.withRateLimitWait(host, reference, error);
        }
      },
      {
        attempts: this.options.pullAttempts ?? DEFAULT_PULL_ATTEMPTS,
        baseMs: this.options.pullRetryBaseMs ?? 1000,
        signal: options.signal,
        onRetry: (attempt, delayMs, err) =>
          this.detail(
            0,
            `${host}: pull of ${reference} failed (${err instanceof Error ? err.message : String(err)}); attempt ${attempt + 1} in ${(delayMs / 1000).toFixed(1)} s`,
          ),
      },
    );
  }

  async close(): Promise<void> {
    await this.distributionRunner.close();
    this.registry.close();
    await this.nodes.close();
  }

  /** Whether the run fans the host's pulls out over seeds (they then take no registry slot). */
  fansOut(host: string): Promise<boolean> {
    return this.distributionRunner.fansOut(host);
  }

  /** Whether the relay can deliver into the host's runtime; when not, says so once and the host pulls directly. */
  private relayServes(host: string, docker: NodeRuntime): boolean {
    if (docker.relayUnsupported === undefined) return true;
    if (!this.relayRefused.has(host)) {
      this.relayRefused.add(host);
      this.detail(0, `distribution relay: ${host} pulls directly from the registry: its runtime is ${docker.kind}, and ${docker.relayUnsupported}`);
    }
    return false;
  }

  /**
   * The planner's precheck, once per host before its first pull: the host's whole plan
   * (every image task of the run) must fit in the free space where Docker keeps its data
   * (unless --ignore-disk-check), and the node's runtime must trust the registries it pulls
   * from, or no pull starts there. A run that pulls nothing never pays for it.
   */
  private precheck(reach: HostReach): Promise<void> {
    const host = reach.host;
    let check = this.diskChecks.get(host);
    if (!check) {
      const facts: PlanFactAccess = { docker: () => this.docker(reach), ...registryFactAccess(this.registry) };
      check = planRun(this.run, facts, { hosts: [host], disk: this.options.diskCheck, ignoreDiskCheck: this.options.ignoreDiskCheck }).then(({ plan }) => {
        const refusal = precheckFailures(plan).get(host);
        if (refusal) throw refusal;
        const planned = plan.hosts[host];
        if (planned?.disk) this.detail(1, `disk ${host}: ${planned.bytes} bytes to pull, ${planned.disk.freeBytes} free`);
      });
      this.diskChecks.set(host, check);
    }
    return check;
  }

  private detail(verbosity: number, msg: string): void {
    if (verbosity <= this.options.verbosity) this.bus.emit({ event: 'detail', verbosity, msg });
  }

  /** The host's variables as its tasks see them (play vars included), else the inventory's. */
  private varsOf(host: string): Vars {
    return firstTaskVars(this.run, host) ?? this.hostVars(host) ?? {};
  }
}
