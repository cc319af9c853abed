// What a module implementation looks like to the executor. Node modules follow the
// pyinfra shape: gather facts (I/O), plan actions (pure), apply them (I/O); check mode is
// the same path with apply skipped. Controller modules (debug, set_fact, …) compute a result.
import type { Vars } from '../inventory/model.js';
import type { HostConnection, RegistryAuth } from '../transport/types.js';
import type { NodeDocker, PullProgress, PullResult } from '../runtime/types.js';
import type { NodeFacts } from '../runtime/node-facts.js';
import type { ModuleDefinition } from './definition.js';
import type { VaultKeyring } from '../vault/keyring.js';

export type Action =
  | { kind: 'pull'; image: string; platform?: string; reason: string; /** compressed bytes, when known */ estimatedBytes?: number }
  | { kind: 'remove'; image: string; imageId: string; force: boolean; reason: string }
  | { kind: 'load'; src: string; images: string[]; sizeBytes: number; reason: string }
  | { kind: 'run'; command: string; reason: string }
  /** The module will not do what was asked (e.g. remove an image a container uses): the task fails. */
  | { kind: 'refuse'; image?: string; reason: string }
  | { kind: 'none'; image?: string; reason: string };

export interface ActionOutcome {
  changed: boolean;
  failed?: boolean;
  /** Compressed bytes moved onto the node. */
  bytes: number;
  msg: string;
  /** Extra fields for the registered result (rc, stdout, digest, …). */
  data?: Record<string, unknown>;
}

export interface ModuleResult {
  status: 'ok' | 'changed' | 'failed' | 'skipped';
  msg: string;
  bytes: number;
  /** Fields of the registered value besides changed/failed/skipped/msg. */
  data: Record<string, unknown>;
  /** Host variables to set for the rest of the run (set_fact, include_vars). */
  facts?: Vars;
  /** What a `meta` task asks of the scheduler. */
  meta?: MetaAction;
  /**
   * Facts of the host, as the setup module returns them (`ansible_architecture`, …,
   * `gather_subset`): kept for the run, seen as ansible_facts and, as Ansible injects them,
   * as top-level variables below play variables.
   */
  gatheredFacts?: Vars;
}

/** The `meta` actions hound carries out (modules/meta.ts); the scheduler acts on them. */
export type MetaAction = 'noop' | 'flush_handlers' | 'end_play' | 'end_host' | 'end_batch';

/** Credentials from registry_login, by registry host[:port]; shared by all hosts of the run. */
export class CredentialStore {
  private readonly byRegistry = new Map<string, RegistryAuth>();
  set(auth: RegistryAuth): void {
    this.byRegistry.set(auth.serverAddress, auth);
  }
  get(registry: string): RegistryAuth | undefined {
    return this.byRegistry.get(registry);
  }
  /** A logout (docker_login state: absent): later pulls go without credentials. */
  delete(registry: string): void {
    this.byRegistry.delete(registry);
  }
}

export interface PullLimits {
  /**
   * Runs a pull from `registry` on `host` inside the per-host limit, and inside the per-registry
   * one unless the run fans it out (the node then pulls from a seed, never from `registry`).
   * `direct`: this pull goes to the registry whatever the run's distribution (podman_image's validate_certs).
   */
  pull<T>(host: string, registry: string, work: () => Promise<T>, options?: { direct?: boolean }): Promise<T>;
}

/** A template task's trim_blocks and lstrip_blocks: Jinja2's environment for its file. */
export interface TemplateEnvironment {
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
}

export interface ModuleContext {
  /** The host the task runs on: its own, or its `delegate_to`. */
  host: string;
  /** The task's `delegate_to` as rendered (even when it names the task's own host); undefined without one. */
  delegateTo?: string;
  check: boolean;
  /** --diff (or the task's `diff:`): modules that have a diff return it, as Ansible's do only then. */
  diff?: boolean;
  verbosity: number;
  signal: AbortSignal;
  /** The task's variables, with set_fact results and registered values. */
  vars: Vars;
  credentials: CredentialStore;
  limits: PullLimits;
  /**
   * The run's vault passwords: a module reading vars files while the run goes on (include_vars)
   * opens them with inventory/yaml-file.ts readYaml(file, text, { keyring: ctx.vault }).
   */
  vault?: VaultKeyring;
  connection(): Promise<HostConnection>;
  docker(): Promise<NodeDocker>;
  /**
   * Pulls an image onto the node the run's way: straight from the registry, or through the
   * run's relay (distribution: relay), with the run's credentials for that registry.
   */
  pull(reference: string, options: { platform?: string; tlsVerify?: boolean; onProgress: (p: PullProgress) => void }): Promise<PullResult>;
  /** Docker's state on the node (every image and container), cached for the run. */
  facts(): Promise<NodeFacts>;
  /**
   * Just the images these references name (no containers): one inspect each instead of
   * listing and inspecting every image, for modules that only ask "is it there?".
   */
  factsFor(references: readonly string[]): Promise<NodeFacts>;
  /** Call after changing the node, so later tasks gather fresh facts. */
  invalidateFacts(): void;
  /** async_status: what became of a job this host started with `async` and `poll: 0` (undefined: no such job here). */
  asyncJob(jid: string): AsyncJobState | undefined;
  /** async_status mode=cleanup: forget the job. */
  forgetAsyncJob(jid: string): boolean;
  /** The manifest digest the registry serves for a reference (for state: latest). */
  remoteDigest(reference: string, platform?: string): Promise<string>;
  evaluateCondition(expression: string, vars: Vars): boolean;
  renderValue(value: unknown, vars: Vars): unknown;
  /**
   * A template file's text, rendered as Ansible's template action renders one (templating.ts); `{% include %}` looks in
   * includePath; `environment`: the task's trim_blocks and lstrip_blocks (Ansible's defaults, on and off, when left out).
   */
  renderTemplateFile(source: string, vars: Vars, includePath: readonly string[], environment?: TemplateEnvironment): string;
  /** Marks a value as secret: masked in every event from now on. */
  addSecret(value: string | undefined): void;
  progress(image: string, p: PullProgress): void;
  /** Counts layers a pull downloaded against the host's run-wide tally; returns the bytes not counted before. */
  claimLayers(layers: ReadonlyMap<string, number>): number;
  detail(verbosity: number, msg: string): void;
  /** The task's name as shown (pause prints it, as Ansible's pause does). */
  taskName: string;
  /**
   * Directories where a relative file argument is looked up, in order (include_vars adds its
   * `vars/`): the role's, the task file's, the playbook's, as Ansible's search path.
   */
  searchDirs: readonly string[];
  /** The directory of the role the task belongs to, if any. */
  roleDir?: string;
  /**
   * Runs `work` once for this task across the hosts of the batch, every host getting its
   * result: Ansible's actions that bypass the host loop (pause) wait once, not once per host.
   */
  oncePerTask<T>(work: () => Promise<T>): Promise<T>;
}

/** A job started with `async` and `poll: 0`, as async_status sees it. */
export type AsyncJobState =
  { finished: false } | { finished: true; failed: boolean; status: ModuleResult['status'] | 'unreachable'; value: Record<string, unknown> };

export interface NodeModule<Args, Facts> {
  kind: 'node';
  definition: ModuleDefinition;
  gather(args: Args, ctx: ModuleContext): Promise<Facts>;
  /** Pure: desired state (args) against facts. */
  plan(facts: Facts, args: Args, ctx: Pick<ModuleContext, 'host' | 'check'>): Action[];
  apply(action: Action, args: Args, ctx: ModuleContext): Promise<ActionOutcome>;
  /** Actions applied at once (images: concurrency); default 1. */
  concurrency?(args: Args): number;
  /** In check mode, the module's own answer instead of hound's "would …" (command: skipped, as Ansible's). */
  checkResult?(actions: Action[], args: Args): ModuleResult | undefined;
  /** A failed result even when every action went fine (e.g. command's non-zero rc is an outcome). */
  describe?(actions: Action[], outcomes: ActionOutcome[], ctx: Pick<ModuleContext, 'check'>): Partial<ModuleResult>;
}

export interface ControllerModule<Args> {
  kind: 'controller';
  definition: ModuleDefinition;
  run(args: Args, ctx: ModuleContext): Promise<ModuleResult>;
}

/** Declares a module that runs on the controller: its definition (names, arguments) and what a task of it does. */
export function controllerModule<Args>(definition: ModuleDefinition, run: ControllerModule<Args>['run']): ControllerModule<Args> {
  return { kind: 'controller', definition, run };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = NodeModule<any, any> | ControllerModule<any>;

/** Raised by modules for a task failure with a clear message (not a bug). */
export class ModuleFailure extends Error {
  constructor(
    message: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ModuleFailure';
  }
}
