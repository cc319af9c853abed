// The planner: a pure function from the compiled run and the gathered facts to the exact
// set of pulls and removals per host, with their cost in layers and bytes. `hound plan`
// prints it, `hound apply` carries it out, `hound play --check` shows it.
//
// Each host's plan is a simulation: the node's images are copied into a virtual image
// store and every action is applied to it in task order, so a layer brought by an earlier
// pull counts as present for the later ones (shared layers cost bytes once per host).
import type { CompiledRun, Distribution, TaskInstance } from '../playbook/compiled.js';
import type { DockerImage } from '../runtime/types.js';
import { parseImageRef, canonicalImageRef, familiarImageRef, repositoryName, type ImageRef } from '../base/image-ref.js';
import { HoundError, TaskFailedError } from '../base/errors.js';
import { formatBytes } from '../base/bytes.js';
import type { RegistryRateLimit } from '../transport/rate-limit.js';
import type { NodeRegistryFacts } from './node-registries.js';
import { findModuleDefinition } from '../modules/schemas.js';
import { chooseDistribution } from '../relay/choose-distribution.js';
import type { PlannedImage } from '../modules/definition.js';

/** What one node's Docker holds, as the planner needs it. */
export interface NodeFacts {
  host: string;
  /** OCI platform of the node, e.g. `linux/amd64`, `linux/arm/v7`. */
  platform: string;
  /** Free bytes on the filesystem holding Docker's data root; undefined when not read (yet). */
  freeBytes?: number;
  dockerRootDir: string;
  /** The node's container runtime and its version (`containerd 1.6.20~ds1`), when it says. */
  runtime?: string;
  /** Compressed blobs the runtime holds outside its images' layers, which a pull does not fetch (containerd's content store). */
  heldBlobs?: string[];
  insecureRegistries: string[];
  images: DockerImage[];
  /**
   * False when `images` are Docker's list alone (NodeDocker.listImageSummaries: no layers,
   * creation to the second). That shows a host is up to date; a host whose plan then pulls,
   * removes or fails is planned again on inspected images (hostsToInspect).
   */
  imagesInspected?: boolean;
  /** Ids of images that containers (running or not) are made from: never removed by `exclusive`. */
  containerImageIds: string[];
  /** Per registry its images come from, how the node's runtime reaches it (mirror, trust). */
  registries?: Record<string, NodeRegistryFacts>;
}

export interface RegistryLayer {
  /** Compressed blob digest, what the registry serves. */
  digest: string;
  /** Compressed size in bytes, what crosses the network. */
  size: number;
  /** Uncompressed digest (rootfs diff id), what Docker matches against its layer store. */
  diffId: string;
}

/** What the registry says about one reference for one platform. */
export interface RegistryImageFacts {
  /** Canonical reference asked for, e.g. `127.0.0.1:5000/hound/app0:latest`. */
  reference: string;
  platform: string;
  /** The digest the tag points at (an index digest for multi-arch images): what Docker records as repo digest. */
  digest: string;
  /** The platform's own manifest digest (equal to `digest` for single-platform images). */
  manifestDigest: string;
  /** The config digest, which is the image id Docker gives the image. */
  configDigest: string;
  layers: RegistryLayer[];
}

export interface FactProblem {
  code: string;
  message: string;
  hint?: string;
}

export interface PlanFacts {
  nodes: Record<string, NodeFacts>;
  /** Keyed by `registryFactKey(reference, platform)`. */
  images: Record<string, RegistryImageFacts>;
  /** Hosts whose facts could not be gathered. */
  unreachable: Record<string, FactProblem>;
  /** References the registry could not resolve, keyed like `images`. */
  imageErrors: Record<string, FactProblem>;
  /** What each registry stated about itself while being asked (its rate limit). */
  registries?: Record<string, { rateLimit?: RegistryRateLimit }>;
}

export type ActionKind = 'pull' | 'remove' | 'none';

export interface LayerPlan extends RegistryLayer {
  /** False when this action transfers the layer. */
  present: boolean;
}

export interface PlanAction {
  action: ActionKind;
  /** The reference as written in the playbook (or the image's name, for exclusive removals). */
  image: string;
  /** Canonical reference; for removals of untagged images, the image id. */
  reference: string;
  platform: string;
  /** pull/none: the registry digest pinned by apply (or the node's, when the registry was not asked). remove: absent. */
  digest?: string;
  /** remove: the id of the image on the node; pull: the id it will get (config digest). */
  imageId?: string;
  /** remove: also untag other names and remove despite containers (`docker rmi -f`). */
  force?: boolean;
  /** Why this action (e.g. `tag missing`, `registry digest differs`, `not listed (exclusive)`). */
  reason: string;
  /** pull: the mirror the node's runtime will pull through (its origin), when it has one. */
  mirror?: string;
  layers: LayerPlan[];
  layersNew: number;
  layersPresent: number;
  bytes: number;
  taskId: string;
  taskName: string;
}

export interface HostPlan {
  host: string;
  platform: string;
  /** The node's container runtime and its version, as its facts say. */
  runtime?: string;
  actions: PlanAction[];
  /** Compressed bytes this host pulls. */
  bytes: number;
  layersNew: number;
  disk?: DiskCheck;
  /** Set when this host cannot be applied: unreachable, unresolvable image, disk too small. */
  failed?: FactProblem;
  /** Tasks the planner cannot foresee (deferred arguments, runtime `when`, other modules). */
  notes: string[];
}

export interface RegistryTotals {
  /** Every host pulls from the registry itself. */
  direct: number;
  /** Each unique layer crosses from the registry once, then spreads between nodes. */
  relay: number;
}

/** What the plan says of one registry: its bytes, the mirrors its pulls go through, its stated rate limit. */
export interface RegistryPlan extends RegistryTotals {
  /** Mirror origins the hosts pull this registry's images through, each with those hosts. */
  mirrors?: Record<string, string[]>;
  rateLimit?: RegistryRateLimit;
}

export interface Plan {
  hosts: Record<string, HostPlan>;
  /** Per registry domain. */
  registries: Record<string, RegistryPlan>;
  registryTotals: RegistryTotals;
  distribution: Distribution;
  /**
   * How `registryBytes` counts: fanout as relay (each layer once); auto as the plan-only rule
   * decides (relay when the nodes share layers enough, relay/choose-distribution.ts). A play
   * measures the links first and may still go direct, which the other total says.
   */
  countedAs: 'direct' | 'relay';
  /** Bytes leaving the registries under `countedAs`. */
  registryBytes: number;
  /** Pulls and removals on hosts that have not failed. */
  changes: number;
  failedHosts: string[];
}

export interface PlanOptions {
  disk?: DiskCheckOptions;
  /** Reports the disk check but does not fail hosts on it (--ignore-disk-check). */
  ignoreDiskCheck?: boolean;
  /** Overrides the plays' `distribution`. */
  distribution?: Distribution;
}

export class PlanError extends HoundError {}

/** The key under which registry facts for one reference and platform are kept. */
export function registryFactKey(reference: string, platform: string): string {
  return `${reference}|${platform}`;
}

/** Image references the run's image tasks may pull, per host: what facts gathering must resolve. */
export function imageReferencesByHost(run: CompiledRun): Map<string, { reference: string; platform?: string }[]> {
  const out = new Map<string, { reference: string; platform?: string }[]>();
  for (const play of run.plays) {
    for (const [host, tasks] of play.tasksByHost) {
      const list = out.get(host) ?? [];
      out.set(host, list);
      for (const step of tasks.flatMap((t) => imageSteps(t))) {
        if (step.kind === 'ensure' && step.state !== 'absent') list.push({ reference: canonicalImageRef(step.ref), platform: step.platform });
      }
    }
  }
  return out;
}

/** Hosts with at least one image task to plan: the only ones whose facts are needed. */
export function hostsWithImageTasks(run: CompiledRun): string[] {
  const out = new Set<string>();
  for (const play of run.plays) {
    for (const [host, tasks] of play.tasksByHost) if (tasks.some(isPlannedImageTask)) out.add(host);
  }
  return [...out];
}

/** Whether the planner plans this task (an image task whose arguments are known). */
export function isPlannedImageTask(task: TaskInstance): boolean {
  return imageSteps(task).some((s) => s.kind !== 'note');
}

type ImageStep =
  | { kind: 'ensure'; task: TaskInstance; written: string; ref: ImageRef; state: 'present' | 'latest' | 'absent'; force: boolean; platform?: string }
  | { kind: 'exclusive'; task: TaskInstance; keep: ImageRef[]; keepRecent: number }
  | { kind: 'note'; task: TaskInstance; note: string };

// Tasks whose outcome depends on run time (registered results, `when` still to evaluate) are
// planned as if they run, with a note, except deferred arguments which cannot be known.
function imageSteps(task: TaskInstance): ImageStep[] {
  if (task.skipped) return [];
  const planned = findModuleDefinition(task.module)?.plannedImages;
  if (task.module !== 'image' && task.module !== 'images' && planned === undefined) {
    if (task.module === 'load')
      return [{ kind: 'note', task, note: `${task.name}: load is not planned (the tarball's images are only known when it is read)` }];
    return [];
  }
  if (task.runFailure !== undefined) return [{ kind: 'note', task, note: `${task.name}: fails when it runs: ${task.runFailure}` }];
  // One of several files an include may name: counting each would count images no node pulls.
  if (task.ifIncludedFile !== undefined)
    return [{ kind: 'note', task, note: `${task.name}: runs only where the include's name, rendered as it runs, is ${task.ifIncludedFile}: not planned` }];
  if (task.deferred) return [{ kind: 'note', task, note: `${task.name}: arguments depend on run-time results, not planned` }];
  if (planned !== undefined) return plannedSteps(task, planned(task.args));
  const args = task.args;
  const platform = typeof args.platform === 'string' ? args.platform : undefined;
  const steps: ImageStep[] = [];
  if (task.when.length > 0) steps.push({ kind: 'note', task, note: `${task.name}: planned as if its condition (${task.when.join(' and ')}) holds` });
  if (task.module === 'image') {
    const written = String(args.name);
    const state = (args.state as 'present' | 'latest' | 'absent' | undefined) ?? 'present';
    steps.push({ kind: 'ensure', task, written, ref: parseImageRef(written), state, force: args.force === true, platform });
    return steps;
  }
  const names = Array.isArray(args.names) ? args.names.map(String) : [];
  const state = (args.state as 'present' | 'latest' | undefined) ?? 'present';
  const refs = names.map((n) => parseImageRef(n));
  names.forEach((written, i) => steps.push({ kind: 'ensure', task, written, ref: refs[i], state, force: false, platform }));
  if (args.exclusive === true) steps.push({ kind: 'exclusive', task, keep: refs, keepRecent: typeof args.keep_recent === 'number' ? args.keep_recent : 0 });
  return steps;
}

/** The steps of a module that declares its images (ModuleDefinition.plannedImages): community.docker's and containers.podman's. */
function plannedSteps(task: TaskInstance, planned: PlannedImage[] | { note: string }): ImageStep[] {
  if (!Array.isArray(planned)) return [{ kind: 'note', task, note: `${task.name}: ${planned.note}` }];
  const steps: ImageStep[] = [];
  if (task.when.length > 0 && planned.length > 0)
    steps.push({ kind: 'note', task, note: `${task.name}: planned as if its condition (${task.when.join(' and ')}) holds` });
  for (const image of planned) {
    steps.push({ kind: 'ensure', task, written: image.name, ref: parseImageRef(image.name), state: image.state, force: image.force, platform: image.platform });
  }
  return steps;
}

/** One image in the simulated store of a node. */
interface VirtualImage {
  id: string;
  /** Canonical `repo:tag`. */
  tags: Set<string>;
  /** Canonical `repo@digest`. */
  digests: Set<string>;
  layers: string[];
  label: string;
  /** Milliseconds since the epoch (0 when unknown): `keep_recent` keeps the most recent. */
  created: number;
}

function normaliseName(name: string): string | undefined {
  if (name.startsWith('<none>')) return undefined;
  try {
    const ref = parseImageRef(name);
    return ref.digest ? `${repositoryName(ref)}@${ref.digest}` : canonicalImageRef(ref);
  } catch {
    return undefined;
  }
}

class VirtualStore {
  readonly images: VirtualImage[];
  private readonly held: ReadonlySet<string>;
  constructor(images: DockerImage[], heldBlobs: readonly string[] = []) {
    this.held = new Set(heldBlobs);
    this.images = images.map((img) => ({
      id: img.id,
      tags: new Set(img.repoTags.map(normaliseName).filter((n): n is string => n !== undefined)),
      digests: new Set(img.repoDigests.map(normaliseName).filter((n): n is string => n !== undefined)),
      layers: [...img.layers],
      label: img.repoTags.find((t) => !t.startsWith('<none>')) ?? img.id.slice(0, 19),
      created: createdTime(img.created),
    }));
  }
  layerSet(): Set<string> {
    return new Set(this.images.flatMap((i) => i.layers));
  }
  /** Whether the runtime holds the compressed blob outside its images (it will not fetch it). */
  holdsBlob(digest: string): boolean {
    return this.held.has(digest);
  }
  find(ref: ImageRef): VirtualImage | undefined {
    if (ref.digest) return this.images.find((i) => i.digests.has(`${repositoryName(ref)}@${ref.digest}`));
    const tag = canonicalImageRef(ref);
    return this.images.find((i) => i.tags.has(tag));
  }
  /** Docker's behaviour after a pull: the tag moves to the new image; the old one may end up untagged. */
  addPulled(ref: ImageRef, remote: RegistryImageFacts): void {
    const tag = ref.digest ? undefined : canonicalImageRef(ref);
    if (tag) for (const img of this.images) img.tags.delete(tag);
    let image = this.images.find((i) => i.id === remote.configDigest);
    if (!image) {
      image = {
        id: remote.configDigest,
        tags: new Set(),
        digests: new Set(),
        layers: remote.layers.map((l) => l.diffId),
        label: familiarImageRef(ref),
        created: 0,
      };
      this.images.push(image);
    }
    if (tag) image.tags.add(tag);
    image.digests.add(`${repositoryName(ref)}@${remote.digest}`);
  }
  /** `docker rmi NAME`: untags when the image has other names, deletes it otherwise (or with force). */
  remove(image: VirtualImage, ref: ImageRef | undefined, force: boolean): void {
    if (ref && !force && !ref.digest) {
      image.tags.delete(canonicalImageRef(ref));
      if (image.tags.size > 0) return;
    }
    this.images.splice(this.images.indexOf(image), 1);
  }
}

/**
 * Hosts planned on uninspected images whose plan does anything: their pull bytes need the
 * node's layers, and `exclusive`/`keep_recent` need creation times finer than a second. A
 * plan that does nothing reads neither, so it is the same on inspected images.
 */
export function hostsToInspect(plan: Plan, facts: PlanFacts): string[] {
  return Object.values(plan.hosts)
    .filter((h) => facts.nodes[h.host]?.imagesInspected === false && (h.failed !== undefined || h.actions.some((a) => a.action !== 'none')))
    .map((h) => h.host);
}

/** Plans the whole run against the facts. Pure: same input, same plan. */
export function computePlan(run: CompiledRun, facts: PlanFacts, options: PlanOptions = {}): Plan {
  const hosts: Record<string, HostPlan> = {};
  const order: string[] = [];
  for (const play of run.plays) for (const host of play.hosts) if (!order.includes(host)) order.push(host);
  for (const host of order) {
    const tasks = run.plays.flatMap((p) => p.tasksByHost.get(host) ?? []);
    hosts[host] = planHost(host, tasks, facts, options);
  }
  const distribution = options.distribution ?? run.plays.find((p) => p.distribution)?.distribution ?? 'auto';
  const { registries, registryTotals } = registryBytes(Object.values(hosts));
  const countedAs = distribution === 'auto' ? autoCountedAs(Object.values(hosts), registryTotals) : distribution === 'direct' ? 'direct' : 'relay';
  for (const [domain, stated] of Object.entries(facts.registries ?? {})) {
    if (stated.rateLimit) (registries[domain] ??= { direct: 0, relay: 0 }).rateLimit = stated.rateLimit;
  }
  for (const host of Object.values(hosts)) {
    if (host.failed) continue;
    for (const action of host.actions) {
      if (action.action !== 'pull' || action.mirror === undefined) continue;
      const reg = (registries[parseImageRef(action.reference).domain] ??= { direct: 0, relay: 0 });
      const users = ((reg.mirrors ??= {})[action.mirror] ??= []);
      if (!users.includes(host.host)) users.push(host.host);
    }
  }
  const ok = Object.values(hosts).filter((h) => !h.failed);
  return {
    hosts,
    registries,
    registryTotals,
    distribution,
    countedAs,
    registryBytes: countedAs === 'direct' ? registryTotals.direct : registryTotals.relay,
    changes: ok.reduce((n, h) => n + h.actions.filter((a) => a.action !== 'none').length, 0),
    failedHosts: Object.values(hosts)
      .filter((h) => h.failed)
      .map((h) => h.host),
  };
}

function planHost(host: string, tasks: TaskInstance[], facts: PlanFacts, options: PlanOptions): HostPlan {
  const node = facts.nodes[host];
  const steps = tasks.flatMap(imageSteps);
  // A host with nothing to pull or remove (say localhost running controller tasks) needs no facts.
  if (!node && !facts.unreachable[host] && steps.every((s) => s.kind === 'note')) {
    return { host, platform: '', actions: [], bytes: 0, layersNew: 0, notes: steps.map((s) => (s as { note: string }).note) };
  }
  if (!node) {
    const problem = facts.unreachable[host] ?? { code: 'FACTS_MISSING', message: `no facts were gathered for ${host}` };
    return { host, platform: '', actions: [], bytes: 0, layersNew: 0, failed: problem, notes: [] };
  }
  const plan: HostPlan = {
    host,
    platform: node.platform,
    ...(node.runtime !== undefined ? { runtime: node.runtime } : {}),
    actions: [],
    bytes: 0,
    layersNew: 0,
    notes: [],
  };
  for (const [registry, route] of Object.entries(node.registries ?? {})) {
    for (const passed of route.passedOver) plan.notes.push(`${registry}: the node passes over mirror ${passed.endpoint} (${passed.reason})`);
  }
  const store = new VirtualStore(node.images, node.heldBlobs);
  const inUse = new Set(node.containerImageIds);
  try {
    for (const step of steps) {
      if (step.kind === 'note') plan.notes.push(step.note);
      else if (step.kind === 'ensure') plan.actions.push(planEnsure(step, node, store, facts, inUse));
      else plan.actions.push(...planExclusive(step, node, store, inUse));
    }
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    plan.failed = { code: err.code, message: err.message, hint: err.hint };
  }
  for (const a of plan.actions) {
    plan.bytes += a.bytes;
    plan.layersNew += a.layersNew;
  }
  if (!plan.failed && plan.bytes > 0 && node.freeBytes === undefined) {
    plan.notes.push('free disk space was not read: no disk check');
  } else if (!plan.failed && plan.bytes > 0 && node.freeBytes !== undefined) {
    plan.disk = checkDiskSpace(node.freeBytes, plan.bytes, options.disk);
    if (!plan.disk.ok && !options.ignoreDiskCheck) plan.failed = plan.disk.problem;
  }
  return plan;
}

function remoteFor(ref: ImageRef, platform: string, facts: PlanFacts): RegistryImageFacts {
  const key = registryFactKey(canonicalImageRef(ref), platform);
  const remote = facts.images[key];
  if (remote) return remote;
  const problem = facts.imageErrors[key];
  throw new PlanError(
    problem?.code ?? 'REGISTRY_FACTS_MISSING',
    problem?.message ?? `the registry was not asked about ${canonicalImageRef(ref)} for ${platform}`,
    undefined,
    { hint: problem?.hint },
  );
}

function planEnsure(step: Extract<ImageStep, { kind: 'ensure' }>, node: NodeFacts, store: VirtualStore, facts: PlanFacts, inUse: Set<string>): PlanAction {
  const platform = step.platform ?? node.platform;
  const base = { image: step.written, reference: canonicalImageRef(step.ref), platform, taskId: step.task.id, taskName: step.task.name };
  const local = store.find(step.ref);
  if (step.state === 'absent') {
    if (!local) return { ...base, action: 'none', reason: 'already absent', layers: [], layersNew: 0, layersPresent: 0, bytes: 0 };
    // As the image module does: a host whose task would remove an image a container uses fails.
    if (inUse.has(local.id) && !step.force) {
      throw new PlanError('IMAGE_IN_USE', `${step.written} is used by a container; state: absent would fail`, undefined, {
        hint: 'stop and remove the container first, or set force: true to remove the image anyway',
      });
    }
    const reason = inUse.has(local.id) ? 'present; forced although a container uses it' : 'present';
    store.remove(local, step.ref, step.force);
    return { ...base, action: 'remove', imageId: local.id, force: step.force, reason, layers: [], layersNew: 0, layersPresent: 0, bytes: 0 };
  }
  // A pinned digest never changes, and `present` is satisfied by any image under the tag.
  const mustAskRegistry = !local || ((step.state === 'latest' || step.force) && !step.ref.digest);
  if (!mustAskRegistry && local) {
    return {
      ...base,
      action: 'none',
      digest: localDigest(local, step.ref),
      imageId: local.id,
      reason: 'present',
      layers: [],
      layersNew: 0,
      layersPresent: 0,
      bytes: 0,
    };
  }
  const remote = remoteFor(step.ref, platform, facts);
  const repo = repositoryName(step.ref);
  if (local && (local.id === remote.configDigest || local.digests.has(`${repo}@${remote.digest}`) || local.digests.has(`${repo}@${remote.manifestDigest}`))) {
    const layers = remote.layers.map((l) => ({ ...l, present: true }));
    return {
      ...base,
      action: 'none',
      digest: remote.digest,
      imageId: local.id,
      reason: 'up to date with the registry',
      layers,
      layersNew: 0,
      layersPresent: layers.length,
      bytes: 0,
    };
  }
  const present = store.layerSet();
  const counted = new Set<string>();
  const layers: LayerPlan[] = remote.layers.map((l) => {
    const isPresent = present.has(l.diffId) || store.holdsBlob(l.digest) || counted.has(l.diffId);
    counted.add(l.diffId);
    return { ...l, present: isPresent };
  });
  const route = node.registries?.[step.ref.domain];
  if (route?.untrusted && route.mirrors.length === 0) {
    throw new PlanError(
      'REGISTRY_UNTRUSTED',
      `the node's runtime will not trust ${route.untrusted.endpoint}: ${route.untrusted.reason}; pulling ${step.written} would fail`,
      undefined,
      {
        hint: `the node's runtime trusts its system CAs and what ${route.untrusted.trustSource} holds: put the registry's CA there, or list the registry among its insecure registries`,
      },
    );
  }
  // The mirror that answered the controller for this node; the node's runtime asks it first too.
  const mirror = route?.servedBy ? (route.servedBy.mirror ? route.servedBy.endpoint : undefined) : route?.mirrors[0];
  store.addPulled(step.ref, remote);
  const fresh = layers.filter((l) => !l.present);
  return {
    ...base,
    ...(mirror !== undefined ? { mirror } : {}),
    action: 'pull',
    digest: remote.digest,
    imageId: remote.configDigest,
    reason: local ? "registry digest differs from the node's" : 'not on the node',
    layers,
    layersNew: fresh.length,
    layersPresent: layers.length - fresh.length,
    bytes: fresh.reduce((n, l) => n + l.size, 0),
  };
}

function localDigest(image: VirtualImage, ref: ImageRef): string | undefined {
  const prefix = `${repositoryName(ref)}@`;
  for (const d of image.digests) if (d.startsWith(prefix)) return d.slice(prefix.length);
  return undefined;
}

function planExclusive(step: Extract<ImageStep, { kind: 'exclusive' }>, node: NodeFacts, store: VirtualStore, inUse: Set<string>): PlanAction[] {
  const keep = new Set(step.keep.map((r) => store.find(r)).filter((i): i is VirtualImage => i !== undefined));
  for (const image of mostRecentOthers(step, store, keep, inUse)) keep.add(image);
  const actions: PlanAction[] = [];
  for (const image of [...store.images]) {
    if (keep.has(image) || inUse.has(image.id)) continue;
    store.remove(image, undefined, true);
    actions.push({
      action: 'remove',
      image: image.label,
      reference: image.id,
      platform: node.platform,
      imageId: image.id,
      force: true,
      reason: 'not listed (exclusive)',
      layers: [],
      layersNew: 0,
      layersPresent: 0,
      bytes: 0,
      taskId: step.task.id,
      taskName: step.task.name,
    });
  }
  return actions;
}

// As the images module does: per listed repository, the `keepRecent` most recent unlisted
// images tagged in it; images containers use are kept anyway and take no place.
function mostRecentOthers(step: Extract<ImageStep, { kind: 'exclusive' }>, store: VirtualStore, listed: Set<VirtualImage>, inUse: Set<string>): VirtualImage[] {
  if (step.keepRecent <= 0) return [];
  const out: VirtualImage[] = [];
  for (const repo of new Set(step.keep.map(repositoryName))) {
    const candidates = store.images.filter((i) => !listed.has(i) && !inUse.has(i.id) && [...i.tags].some((t) => t.startsWith(`${repo}:`)));
    candidates.sort((a, b) => b.created - a.created || a.id.localeCompare(b.id));
    out.push(...candidates.slice(0, step.keepRecent));
  }
  return out;
}

function createdTime(created: string): number {
  const t = Date.parse(created);
  return Number.isNaN(t) ? 0 : t;
}

/** What `auto` chooses from the plan alone (no link rates): the rule a play falls back on when it cannot measure them. */
function autoCountedAs(hosts: HostPlan[], totals: RegistryTotals): 'direct' | 'relay' {
  const perHost = hosts
    .filter((h) => !h.failed)
    .map((h) => h.actions.flatMap((a) => (a.action === 'pull' ? a.layers : [])).reduce((sum, l) => sum + (l.present ? 0 : l.size), 0));
  const choice = chooseDistribution({
    requested: 'auto',
    nodes: perHost.filter((bytes) => bytes > 0).length,
    totalBytes: totals.direct,
    uniqueBytes: totals.relay,
    maxNodeBytes: Math.max(0, ...perHost),
  });
  return choice.strategy === 'direct' ? 'direct' : 'relay';
}

function registryBytes(hosts: HostPlan[]): { registries: Record<string, RegistryPlan>; registryTotals: RegistryTotals } {
  const registries: Record<string, RegistryPlan> = {};
  const seen = new Set<string>();
  const totals: RegistryTotals = { direct: 0, relay: 0 };
  for (const host of hosts) {
    if (host.failed) continue;
    for (const action of host.actions) {
      if (action.action !== 'pull') continue;
      const domain = parseImageRef(action.reference).domain;
      const reg = (registries[domain] ??= { direct: 0, relay: 0 });
      for (const layer of action.layers) {
        if (layer.present) continue;
        reg.direct += layer.size;
        totals.direct += layer.size;
        const key = `${domain}|${layer.digest}`;
        if (seen.has(key)) continue;
        seen.add(key);
        reg.relay += layer.size;
        totals.relay += layer.size;
      }
    }
  }
  return { registries, registryTotals: totals };
}

export interface DiskCheckOptions {
  /** Space to keep free: a fraction of the free space (0.1 = 10 %)… */
  marginFraction?: number;
  /** …or a number of bytes. When both are given, the larger applies. */
  marginBytes?: number;
  /**
   * Disk used per compressed byte pulled. Docker keeps layers unpacked, and the registry only
   * states compressed sizes, so the need is estimated: gzip shrinks filesystem layers about
   * 2–3×, hence 3 by default (it errs towards refusing).
   */
  expansionFactor?: number;
}

export const DEFAULT_DISK_CHECK: Required<DiskCheckOptions> = { marginFraction: 0.1, marginBytes: 0, expansionFactor: 3 };

export interface DiskCheck {
  ok: boolean;
  freeBytes: number;
  /** Compressed bytes to pull. */
  pullBytes: number;
  /** Estimated disk use of those pulls (pullBytes × expansionFactor). */
  estimatedBytes: number;
  marginBytes: number;
  expansionFactor: number;
  problem?: FactProblem;
}

/**
 * Whether pulling `pullBytes` (compressed) fits in `freeBytes` with the margin kept free.
 * Removals are not credited: they may run after the pulls. The executor calls this too, so
 * `hound play` refuses to start pulls on a host that fails it (unless --ignore-disk-check).
 */
export function checkDiskSpace(freeBytes: number, pullBytes: number, options: DiskCheckOptions = {}): DiskCheck {
  const expansionFactor = options.expansionFactor ?? DEFAULT_DISK_CHECK.expansionFactor;
  const marginBytes = Math.ceil(
    Math.max(options.marginBytes ?? 0, freeBytes * (options.marginFraction ?? (options.marginBytes === undefined ? DEFAULT_DISK_CHECK.marginFraction : 0))),
  );
  const estimatedBytes = Math.ceil(pullBytes * expansionFactor);
  const ok = pullBytes === 0 || estimatedBytes + marginBytes <= freeBytes;
  const check: DiskCheck = { ok, freeBytes, pullBytes, estimatedBytes, marginBytes, expansionFactor };
  if (!ok) {
    check.problem = {
      code: 'DISK_SPACE_LOW',
      message: `not enough disk space: the pulls need about ${formatBytes(estimatedBytes)} (${formatBytes(pullBytes)} compressed × ${expansionFactor}), ${formatBytes(freeBytes)} is free and ${formatBytes(marginBytes)} is kept as margin`,
      hint: 'free space where Docker keeps its data, lower --disk-margin, or pass --ignore-disk-check if the estimate is too cautious',
    };
  }
  return check;
}

/** What the precheck before a host's first pull refuses: pulls that cannot fit, or that the node's runtime will refuse. */
const PRECHECK_REFUSALS = new Set(['DISK_SPACE_LOW', 'REGISTRY_UNTRUSTED']);

/**
 * The hosts a plan's precheck refuses, as the errors to fail them with: the disk check (not
 * with --ignore-disk-check, which is `computePlan(..., { ignoreDiskCheck: true })`) and a
 * registry the node will not trust. The executor calls this before starting pulls.
 */
export function precheckFailures(plan: Plan): Map<string, TaskFailedError> {
  const out = new Map<string, TaskFailedError>();
  for (const host of Object.values(plan.hosts)) {
    if (!host.failed || !PRECHECK_REFUSALS.has(host.failed.code)) continue;
    out.set(host.host, new TaskFailedError(host.host, host.failed.code, `${host.host}: ${host.failed.message}`, { hint: host.failed.hint }));
  }
  return out;
}

export interface LayerUse {
  digest: string;
  size: number;
  diffId: string;
  hosts: number;
  images: number;
}

/** Every layer the plan pulls somewhere, once, with how many hosts and images want it. */
export function layerUses(plan: Plan): LayerUse[] {
  const uses = new Map<string, LayerUse & { hostSet: Set<string>; imageSet: Set<string> }>();
  for (const host of Object.values(plan.hosts)) {
    for (const a of host.actions) {
      if (a.action !== 'pull') continue;
      for (const l of a.layers) {
        const use = uses.get(l.digest) ?? { digest: l.digest, size: l.size, diffId: l.diffId, hosts: 0, images: 0, hostSet: new Set(), imageSet: new Set() };
        uses.set(l.digest, use);
        if (!l.present) use.hostSet.add(host.host);
        use.imageSet.add(a.reference);
      }
    }
  }
  return [...uses.values()].map(({ hostSet, imageSet, ...rest }) => ({ ...rest, hosts: hostSet.size, images: imageSet.size }));
}
