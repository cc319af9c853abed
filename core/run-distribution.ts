// How a run's pulls reach the nodes: direct, through the relay, or fanned out over seeds
// (relay/fanout.ts). `auto` (the default) decides once, at the first pull, from the run's
// plan (which layers each node needs, as the registry lists them) and the links' rates:
// those the inventory gives (hound_registry_rate, hound_controller_rate, hound_node_rate,
// hound_node_uplink_rate), else a brief probe of the origin, the controller's link and the
// node links (relay/link-probe.ts) when the plan alone does not decide; weighed by
// relay/choose-distribution.ts. The reason is one line.
import type { CompiledRun } from '../playbook/compiled.js';
import type { Vars } from '../inventory/model.js';
import { parseImageRef } from '../base/image-ref.js';
import { PythonFloat } from '../base/python-float.js';
import { parseLinkRate } from '../base/link-rate.js';
import { nodePlatform } from '../runtime/platform.js';
import { isInsecureRegistry } from '../runtime/docker-registry-routes.js';
import { imageReferencesByHost } from '../plan/planner.js';
import type { CredentialStore } from '../modules/implementation.js';
import type { HostConnection } from '../transport/types.js';
import type { RegistryClient, RegistryRoute } from '../transport/registry.js';
import type { NodeRuntime, PullProgress, PullResult, SeedHost } from '../runtime/types.js';
import { startRelay, type Relay } from '../relay/relay.js';
import { planRelaySchedule, type LayerInfo, type RelaySchedule } from '../relay/schedule.js';
import {
  chooseDistribution,
  chooseFromPlan,
  mbps,
  distributionInputOf,
  type DistributionInput,
  type DistributionStrategy,
  type LinkRates,
} from '../relay/choose-distribution.js';
import { probeLinks } from '../relay/link-probe.js';
import { startFanout, type Fanout } from '../relay/fanout.js';
import { seedFeedBytes } from '../relay/seed-plan.js';
import { pullCpuSecondsPerByte } from '../relay/distribution-model.js';
import { keywordBoolean } from '../playbook/task-keywords.js';
import { availableParallelism } from 'node:os';

export type RequestedDistribution = DistributionStrategy | 'auto';

export interface RunDistributionDeps {
  run: CompiledRun;
  requested: RequestedDistribution;
  /** The registry image fan-out seeds run (`--fanout-image`, hound_fanout_image); fan-out is off without one. */
  fanoutImage?: string;
  connection(host: string): Promise<HostConnection>;
  docker(host: string): Promise<NodeRuntime>;
  /** Where the host is reached (its inventory address). */
  target(host: string): { address: string };
  /** How `host`'s runtime reaches `registry`: its trusted mirrors, plain HTTP or not. */
  route(host: string, registry: string): Promise<Pick<RegistryRoute, 'insecure' | 'mirrors'>>;
  vars(host: string): Vars;
  credentials: CredentialStore;
  registry: RegistryClient;
  detail(verbosity: number, msg: string): void;
}

interface Decision {
  strategy: DistributionStrategy;
  seeds?: number;
  /** hound_fanout_seeds as the inventory states it, before it is held to the nodes. */
  seedsAsked?: number;
  relayLanes?: number;
}

/** Says a line of the decision at a verbosity; held until a pull uses the decision. */
type Say = (verbosity: number, msg: string) => void;

/** A decision and the lines that say how it was made, shown when a pull first uses it. */
interface WeighedDecision {
  decision: Decision;
  lines: Array<{ verbosity: number; msg: string }>;
}

const RATE_VARS: Record<Exclude<keyof LinkRates, 'relayCpu' | 'sharedPullCpu'>, string> = {
  registryUplink: 'hound_registry_rate',
  controllerLink: 'hound_controller_rate',
  nodeLink: 'hound_node_rate',
  nodeUplink: 'hound_node_uplink_rate',
};

export class RunDistribution {
  private decision?: Promise<WeighedDecision>;
  private decisionShown = false;
  private relay?: Promise<Relay>;
  private schedule?: Promise<RelaySchedule>;
  private fanout?: Promise<Fanout | undefined>;
  private readonly seedHosts = new Map<string, Promise<SeedHost | { unsupported: string }>>();

  constructor(private readonly deps: RunDistributionDeps) {}

  /**
   * Starts deciding the run's strategy (the plan, perhaps a probe of the links), so a pull can
   * weigh it while its host is checked; nothing is said until a pull uses it (`strategy`): a
   * run whose checks refuse every host pulls nothing, and has no distribution to report.
   */
  weigh(host: string): void {
    void this.weighed(host);
  }

  /**
   * Whether the host's pulls go to a fan-out seed rather than the registry. Only a run that can
   * fan out (a seed image is named) waits for the decision here; any other answers at once.
   * Should the seeds then fail to start, these pulls go through the relay, still one node's
   * pulls at a time per its host slots, but no longer held to the registry's.
   */
  async fansOut(host: string): Promise<boolean> {
    if (this.deps.fanoutImage === undefined) return false;
    return (await this.strategy(host)) === 'fanout';
  }

  /** The strategy for the run, decided at the first pull. */
  async strategy(host: string): Promise<DistributionStrategy> {
    return (await this.decide(host)).strategy;
  }

  /** A relayed or fanned-out pull (direct pulls do not come here). */
  async pull(host: string, reference: string, options: { platform?: string; onProgress: (p: PullProgress) => void; signal: AbortSignal }): Promise<PullResult> {
    const decision = await this.decide(host);
    const relay = await this.relayFor(host);
    const docker = await this.deps.docker(host);
    const relayOptions = { platform: options.platform, onProgress: options.onProgress, signal: options.signal };
    if (decision.strategy === 'fanout') {
      const fanout = await this.fanoutFor(host, decision.seeds ?? 1, decision.seedsAsked, decision.relayLanes ?? 0);
      if (fanout) return fanout.pull(host, reference, relayOptions);
    }
    return relay.pullThroughRelay(host, docker, reference, relayOptions);
  }

  async close(): Promise<void> {
    // A decision still being weighed (every host refused before its pull) ends first: its
    // probe uses the run's connections, which close after this.
    await this.decision;
    const fanout = await this.fanout?.catch(() => undefined);
    if (fanout) {
      const s = fanout.stats();
      this.deps.detail(
        1,
        `fan-out ${s.runId}: seeds ${s.seeds.join(', ')}; ${s.pushedBytes} bytes pushed to seeds, ${s.mountedBlobs} mounts, ${s.relayedWhileFilling} pull(s) relayed while seeds filled, ${s.fallbacks} through the relay as seeds failed; ${s.retiredEarly} seed(s) removed as soon as their nodes held their images`,
      );
      await fanout.close();
    }
    if (this.relay) await (await this.relay.catch(() => undefined))?.close();
  }

  private weighed(host: string): Promise<WeighedDecision> {
    if (!this.decision) {
      const lines: WeighedDecision['lines'] = [];
      const say: Say = (verbosity, msg) => lines.push({ verbosity, msg });
      this.decision = this.makeDecision(host, say).then((decision) => ({ decision, lines }));
    }
    return this.decision;
  }

  private async decide(host: string): Promise<Decision> {
    const { decision, lines } = await this.weighed(host);
    if (!this.decisionShown) {
      this.decisionShown = true;
      for (const line of lines) this.deps.detail(line.verbosity, line.msg);
    }
    return decision;
  }

  private async makeDecision(host: string, say: Say): Promise<Decision> {
    const requested = this.deps.requested;
    if (requested === 'direct' || requested === 'relay') return { strategy: requested };
    try {
      // Whether seeds can run is checked while the plan is made and the links are probed:
      // the probe does not weigh fan-out, and each of the three waits on the network.
      const fanoutChecked = this.fanoutInput(host);
      fanoutChecked.catch(() => undefined);
      const { schedule, largest, seedFeed } = await this.planFromRegistry(host);
      const [measured, fanout] = await Promise.all([
        this.withMeasuredRates({ ...distributionInputOf(schedule, requested, this.rates(host, say)), seedFeed }, schedule, largest, say),
        fanoutChecked,
      ]);
      const { note } = measured;
      const input: DistributionInput = {
        ...measured.input,
        relayLanes: this.relayLanes(host, say),
        seeds: this.seeds(host, say),
        fanout: fanout.available ? { seedImageBytes: fanout.bytes } : undefined,
        ...(fanout.available ? { seedNodes: fanout.runners.size, seedFeed: (seeds: number) => seedFeed(seeds, fanout.runners) } : {}),
      };
      const choice = chooseDistribution(input);
      if (choice.strategy === 'fanout' && !fanout.available) {
        say(0, `distribution ${requested}: relay (fan-out is not possible: ${fanout.why})`);
        return { strategy: 'relay' };
      }
      const why = requested === 'auto' && !fanout.available && choice.strategy !== 'direct' ? ` (no fan-out: ${fanout.why})` : '';
      // One line, always at -v; without -v only when the choice took weighing (nodes share
      // layers): `auto` is the default, and one node, or nodes sharing nothing, simply pull.
      const verbosity = chooseFromPlan(input) ? 1 : 0;
      if (requested === 'auto') say(verbosity, `distribution auto: ${choice.strategy} (${choice.reason}${note})${why}`);
      return { strategy: choice.strategy, seeds: choice.seeds, seedsAsked: input.seeds, relayLanes: choice.relayLanes };
    } catch (err) {
      say(0, `distribution ${requested}: direct (could not weigh the images: ${err instanceof Error ? err.message : String(err)})`);
      return { strategy: 'direct' };
    }
  }

  /**
   * The input with the links' rates probed, when the choice depends on them and the
   * inventory does not state the origin's: a probe that fails leaves the plan-only rule, and
   * the note says so.
   */
  private async withMeasuredRates(
    planned: DistributionInput,
    schedule: RelaySchedule,
    largest: { reference: string; digest: string; host: string } | undefined,
    say: Say,
  ): Promise<{ input: DistributionInput; note: string }> {
    if (planned.requested !== 'auto' || chooseFromPlan(planned) || planned.rates?.registryUplink !== undefined || largest === undefined) {
      return { input: planned, note: '' };
    }
    const pulling = [...schedule.nodeBytes].filter(([, bytes]) => bytes > 0).map(([h]) => h);
    // The first probed alone: a node the origin probe's route is taken from.
    const nodes = [largest.host, ...pulling.filter((h) => h !== largest.host)];
    try {
      const ref = parseImageRef(largest.reference);
      const route = await this.deps.route(largest.host, ref.domain);
      const probe = await probeLinks({
        openOriginBlob: async (signal) =>
          (await this.deps.registry.getBlob(ref.domain, ref.path, largest.digest, 0, { ...route, auth: this.deps.credentials.get(ref.domain), signal })).body,
        nodes: nodes.map((h) => () => this.deps.connection(h)),
      });
      say(
        1,
        `distribution auto: probed the links in ${probe.seconds.toFixed(1)} s, ${(probe.bytes / 1e6).toFixed(1)} MB moved, hound's CPU ${(probe.cpuSecondsPerByte * 1e9).toFixed(1)} ns per byte sent, the origin read at ${probe.originReads.map(originRead).join(' and ')}`,
      );
      return {
        input: {
          ...planned,
          rates: { ...probe.rates, ...planned.rates },
          ratesFrom: 'probed',
          controllerAtLeast: probe.controllerAtLeast && planned.rates?.controllerLink === undefined,
          nodesOnController: probe.nodesOnController,
          controllerCores: availableParallelism(),
          ...(probe.nodesOnController ? { pullCpuSecondsPerByte: await this.pullCpuOf(schedule) } : {}),
        },
        note: '',
      };
    } catch (err) {
      return { input: planned, note: `; the link probe failed (${err instanceof Error ? err.message : String(err)}), so the plan alone decided` };
    }
  }

  /** The pull processing per byte of the run's nodes on shared cores: each node's bytes at its runtime's cost. */
  private async pullCpuOf(schedule: RelaySchedule): Promise<number> {
    const nodes = await Promise.all(
      [...schedule.nodeBytes].filter(([, bytes]) => bytes > 0).map(async ([host, bytes]) => ({ bytes, runtime: (await this.deps.docker(host)).kind })),
    );
    return pullCpuSecondsPerByte(nodes);
  }

  /** The layers of every image the run's tasks name, as the registry lists them, and the largest layer with an image and a node that needs it. */
  private async planFromRegistry(host: string): Promise<{
    schedule: RelaySchedule;
    largest?: { reference: string; digest: string; host: string };
    seedFeed: (seeds: number, runners?: ReadonlySet<string>) => number[];
  }> {
    const info = await (await this.deps.docker(host)).info();
    const byHost = imageReferencesByHost(this.deps.run);
    const layers = new Map<string, LayerInfo[]>();
    const references = new Set([...byHost.values()].flatMap((refs) => refs.map((r) => r.reference)));
    await Promise.all(
      [...references].map(async (reference) => {
        const ref = parseImageRef(reference);
        const resolved = await this.deps.registry.resolveImage(reference, {
          platform: nodePlatform(info),
          auth: this.deps.credentials.get(ref.domain),
          ...(await this.deps.route(host, ref.domain)),
          reuse: true,
        });
        layers.set(
          reference,
          resolved.layers.map((l) => ({ digest: l.digest, size: l.size })),
        );
      }),
    );
    const nodes = [...byHost].map(([h, refs]) => ({ host: h, images: refs.map((r) => r.reference) }));
    const schedule = planRelaySchedule({ nodes, layers });
    // What each seed would be fed, from the seed assignment fan-out itself makes (seeds only on `runners`, when given).
    const seedFeed = (seeds: number, runners?: ReadonlySet<string>) =>
      seedFeedBytes(
        nodes.map((n) => ({ ...n, runsSeeds: runners === undefined || runners.has(n.host) })),
        layers,
        seeds,
      );
    let largest: { reference: string; digest: string; host: string; size: number } | undefined;
    for (const [h, refs] of byHost) {
      for (const { reference } of refs) {
        for (const layer of layers.get(reference) ?? [])
          if (!largest || layer.size > largest.size) largest = { reference, digest: layer.digest, host: h, size: layer.size };
      }
    }
    return { schedule, largest, seedFeed };
  }

  /** Rates the inventory states (tc's units: 40mbit, 1gbit), from the first pulling host's variables. */
  private rates(host: string, say: Say): LinkRates | undefined {
    const vars = this.deps.vars(host);
    const rates: LinkRates = {};
    for (const [key, name] of Object.entries(RATE_VARS) as [keyof typeof RATE_VARS, string][]) {
      const value = vars[name];
      if (value === undefined) continue;
      // A bare number (`hound_node_rate: 100`) names no unit: said and ignored, as any other text that is not a rate.
      const parsed = typeof value === 'string' ? parseLinkRate(value) : undefined;
      if (!parsed) {
        say(0, `distribution: ${name}=${String(value)} is not a rate (write it as tc does: 40mbit, 1gbit); ignored`);
        continue;
      }
      rates[key] = parsed.bitsPerSecond / 8;
    }
    return Object.keys(rates).length > 0 ? rates : undefined;
  }

  /** hound_fanout_relay_lanes, when the inventory sets it: how many nodes the relay serves at once while fan-out's seeds fill. */
  private relayLanes(host: string, say: Say): number | undefined {
    return this.wholeNumberVar(host, 'hound_fanout_relay_lanes', 0, 'nodes', say);
  }

  /** hound_fanout_seeds, when the inventory sets it: how many nodes run a seed (at most every node). */
  private seeds(host: string, say: Say): number | undefined {
    return this.wholeNumberVar(host, 'hound_fanout_seeds', 1, 'seeds', say);
  }

  private wholeNumberVar(host: string, name: string, min: number, unit: string, say: Say): number | undefined {
    const value = this.deps.vars(host)[name];
    if (value === undefined) return undefined;
    // Text of digits, a number, or a float with a whole value (10.0 in YAML).
    const parsed = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value instanceof PythonFloat ? value.value : value;
    if (typeof parsed === 'number' && Number.isInteger(parsed) && parsed >= min) return parsed;
    say(0, `distribution: ${name}=${JSON.stringify(value)} is not a whole number of ${unit} (${min} or more); the rates decide instead`);
    return undefined;
  }

  /** How a seed runs on `host` and how it trusts one (runtime/types.ts SeedHost), read once per host; why not, when its runtime cannot. */
  private seedHostOf(host: string): Promise<SeedHost | { unsupported: string }> {
    let known = this.seedHosts.get(host);
    if (!known) {
      known = this.deps
        .docker(host)
        .then(async (runtime) =>
          runtime.seedHost ? runtime.seedHost() : { unsupported: `seeds run on Docker, containerd or podman, and ${host}'s runtime is ${runtime.kind}` },
        )
        // A runtime that cannot say (its status call failing) keeps the run off fan-out, with why, rather than failing the weighing.
        .catch((error: unknown) => ({
          unsupported: `cannot tell how a seed would run on ${host}: ${error instanceof Error ? error.message : String(error)}`,
        }));
      this.seedHosts.set(host, known);
    }
    return known;
  }

  /**
   * Whether a seed may run on `host`: the inventory's hound_fanout_seed_node (true unless it
   * says false; a user keeps seeds off nodes whose cores or links the workload needs). What
   * else it says is refused, not read as either.
   */
  private runsSeedsOn(host: string): boolean | { invalid: string } {
    const value = this.deps.vars(host).hound_fanout_seed_node;
    if (value === undefined) return true;
    try {
      return keywordBoolean(value, 'hound_fanout_seed_node');
    } catch (error) {
      return { invalid: `${host}'s ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /**
   * Whether seeds can run: an image is named, it resolves, every node's runtime can take part,
   * some node may run a seed, and every node's runtime would use TLS (not plain HTTP) with the
   * nodes that may run one. `runners`: those nodes.
   */
  private async fanoutInput(host: string): Promise<{ available: true; bytes: number; runners: ReadonlySet<string> } | { available: false; why: string }> {
    const image = this.deps.fanoutImage;
    if (image === undefined) return { available: false, why: 'no seed image named (--fanout-image or hound_fanout_image)' };
    const info = await (await this.deps.docker(host)).info();
    const nodes = [...imageReferencesByHost(this.deps.run).keys()];
    for (const h of await Promise.all(nodes.map((n) => this.seedHostOf(n)))) if ('unsupported' in h) return { available: false, why: h.unsupported };
    const runners = new Set<string>();
    for (const n of nodes) {
      const runs = this.runsSeedsOn(n);
      if (typeof runs !== 'boolean') return { available: false, why: runs.invalid };
      if (runs) runners.add(n);
    }
    if (runners.size === 0)
      return { available: false, why: `no node of the run may run a seed: hound_fanout_seed_node is false on each of its ${nodes.length} node(s)` };
    // Each node's own runtime (a cluster may mix them, each configured its own way) must speak
    // TLS to every address a seed may run at, its own included.
    const insecureByNode = await Promise.all(
      nodes.map(async (n) => {
        const runtime = await this.deps.docker(n);
        return { node: n, insecure: runtime.insecureRegistries ? await runtime.insecureRegistries() : (await runtime.info()).insecureRegistries };
      }),
    );
    for (const { node, insecure } of insecureByNode) {
      const plain = nodes.find((n) => runners.has(n) && isInsecureRegistry(this.deps.target(n).address, insecure));
      if (plain !== undefined)
        return {
          available: false,
          why: `${node}'s runtime reaches ${this.deps.target(plain).address} over plain HTTP (its insecure registries), so it would not present the run's client certificate to a seed there`,
        };
    }
    try {
      const ref = parseImageRef(image);
      const resolved = await this.deps.registry.resolveImage(image, {
        platform: nodePlatform(info),
        auth: this.deps.credentials.get(ref.domain),
        ...(await this.deps.route(host, ref.domain)),
        reuse: true,
      });
      return { available: true, bytes: resolved.layers.reduce((sum, l) => sum + l.size, 0), runners };
    } catch (err) {
      return { available: false, why: `seed image ${image} cannot be resolved: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /**
   * The run's relay, started on the first relayed pull with one origin per registry the
   * run's image tasks name (and the seed image's, for fan-out), each reached as the first
   * node that pulls from it reaches it (its mirror, plain HTTP where it uses it), attached to
   * `host`. Every node then gets the bytes that mirror served: content-addressed, the same a
   * node with another would pull.
   */
  private async relayFor(host: string): Promise<Relay> {
    this.relay ??= (async () => {
      const byHost = imageReferencesByHost(this.deps.run);
      const registries = new Set<string>();
      for (const refs of byHost.values()) for (const r of refs) registries.add(parseImageRef(r.reference).domain);
      if (this.deps.fanoutImage !== undefined) registries.add(parseImageRef(this.deps.fanoutImage).domain);
      const origins = await Promise.all(
        [...registries].map(async (registry) => {
          // Reached as a node that pulls from it reaches it (its mirror): not necessarily `host`.
          const puller = [...byHost].find(([, refs]) => refs.some((r) => parseImageRef(r.reference).domain === registry))?.[0] ?? host;
          const route = await this.deps.route(puller, registry);
          return { host: registry, plainHttp: route.insecure, mirrors: route.mirrors, auth: this.deps.credentials.get(registry) };
        }),
      );
      const via = (o: (typeof origins)[number]) => (o.mirrors && o.mirrors.length > 0 ? `${o.host} (mirror ${o.mirrors.join(', ')})` : o.host);
      this.deps.detail(1, `distribution relay: serving ${origins.map(via).join(', ')} through the nodes' SSH connections`);
      return startRelay({ origins, registry: this.deps.registry, logger: (line) => this.deps.detail(1, `relay: ${line}`) });
    })();
    const relay = await this.relay;
    await relay.attach(await this.deps.connection(host));
    return relay;
  }

  /** The run's fan-out, started at the first fanned-out pull over every node of the run; undefined when it cannot start. */
  private fanoutFor(host: string, seeds: number, seedsAsked: number | undefined, relayLanes: number): Promise<Fanout | undefined> {
    this.fanout ??= (async () => {
      const relay = await this.relayFor(host);
      const byHost = imageReferencesByHost(this.deps.run);
      const hosts = [...byHost.keys()];
      const info = await (await this.deps.docker(host)).info();
      const platform = nodePlatform(info);
      // The relay starts fetching from the origins, most-shared layers first, as it plans.
      this.schedule ??= relay.prepare(
        hosts.map((h) => ({ host: h, images: byHost.get(h)!.map((r) => r.reference) })),
        { platform },
      );
      await this.schedule;
      const nodes = await Promise.all(
        hosts.map(async (h) => {
          const connection = await this.deps.connection(h);
          await relay.attach(connection);
          const seedHost = await this.seedHostOf(h);
          if ('unsupported' in seedHost) throw new Error(seedHost.unsupported);
          return {
            host: h,
            connection,
            docker: await this.deps.docker(h),
            seedHost,
            runsSeeds: this.runsSeedsOn(h) === true,
            address: this.deps.target(h).address,
            images: byHost.get(h)!.map((r) => r.reference),
          };
        }),
      );
      // Described as the relay planned (its manifest cache): images that share lower layers share a seed.
      const images = [...new Set(nodes.flatMap((n) => n.images))];
      const layers = new Map(await Promise.all(images.map(async (image) => [image, (await relay.describeImage(image, platform)).layers] as const)));
      const fanout = startFanout({
        relay,
        nodes,
        seedImage: this.deps.fanoutImage!,
        seeds,
        layers,
        relayLanes,
        platform,
        log: (line) => this.deps.detail(1, line),
      });
      // The seeds planned: fewer than asked when the run has fewer nodes, nodes with nothing to pull, or nodes that may run none.
      const runners = nodes.filter((n) => n.runsSeeds).length;
      const where = runners < nodes.length ? `, on the ${runners} node(s) that may run one` : '';
      const asked = fanout.seedCount === (seedsAsked ?? seeds) ? '' : ` (${seedsAsked ?? seeds} asked; one per node with images to pull at most${where})`;
      this.deps.detail(
        1,
        `fan-out: ${fanout.seedCount} seed(s)${asked} for ${nodes.length} node(s), ${relayLanes} relay lane(s) while they fill, seed image ${this.deps.fanoutImage}`,
      );
      return fanout;
    })().catch((err: unknown) => {
      this.deps.detail(0, `fan-out could not start (${err instanceof Error ? err.message : String(err)}); pulling through the relay`);
      return undefined;
    });
    return this.fanout;
  }
}

/** One probe read of the origin as -v says it: its rate, and how long hound waited for a CPU during it. */
function originRead(read: { rate: number; cpuWait?: number }): string {
  return `${mbps(read.rate)}${read.cpuWait === undefined ? '' : ` (waiting for a CPU ${(100 * read.cpuWait).toFixed(0)}% of it)`}`;
}
