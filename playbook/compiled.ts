// What the compiler hands to the executor and the planner: a pure data structure.
// Produced by core/compiler.ts from a validated playbook and an inventory.
import type { SourcePosition } from '../base/errors.js';
import type { Vars } from '../inventory/model.js';

export type Strategy = 'linear' | 'free';
export type Distribution = 'direct' | 'relay' | 'fanout' | 'auto';

/** Where a task sits in a block that has `rescue:` or `always:` (outermost block first). */
export interface BlockFrame {
  /** Unique in the loaded playbook. */
  id: string;
  section: 'block' | 'rescue' | 'always';
  hasRescue: boolean;
  hasAlways: boolean;
}

/** How a play's tasks see gathered facts; one object shared by the play's task instances. */
export interface FactLayer {
  /** inject_facts_as_vars: each fact also as a top-level `ansible_NAME` variable. */
  inject: boolean;
  /** Fact-named variables the play, its roles, tasks or -e set, which win over gathered facts. */
  pinned: ReadonlySet<string>;
}

/** One task as it will run on one host. */
export interface TaskInstance {
  /** Unique in the run: `${playIndex}:${taskIndex}:${host}` plus `:${loopIndex}` for loop items. */
  id: string;
  host: string;
  /** Index of the task in its play's flattened task list (same for every host). */
  taskIndex: number;
  /**
   * Where the instance runs in the play, compared element by element: `[taskIndex]`, and for
   * the tasks of a looped include_tasks `[includeIndex, item, taskIndex]` (and so on when
   * includes nest). Hosts of a linear play move from one order to the next together.
   */
  order: number[];
  name: string;
  /** Module name, e.g. `image`, `images`, `registry_login`, `load`, `command`; an include is `include_tasks` or `include_role` (a looped one). */
  module: string;
  /**
   * Module arguments. Rendered at compile time unless `deferred` is true; then they are
   * the raw templates, rendered by the executor with `vars` plus registered results.
   */
  args: Record<string, unknown>;
  /** True when args, `when` or keywords refer to variables only known at run time (register). */
  deferred: boolean;
  /** Raw `when` conditions still to evaluate at run time (empty when already evaluated true). */
  when: string[];
  /**
   * Set when a `when` condition was false at compile time: the task is reported as skipped
   * (as Ansible does) and does nothing; `args` are then left unrendered.
   */
  skipped?: string;
  /** The task fails with this message when it runs (LoadedTask.runFailure), after its arguments are rendered; it does nothing. */
  runFailure?: string;
  /** Warnings its rendering gave before the run (a lookup with errors='warn' that failed), for its result to carry. */
  renderWarnings?: string[];
  /** The variables visible to this task on this host (all precedence levels merged). */
  vars: Vars;
  loopItem?: unknown;
  loopVar?: string;
  /** The variables the loop item adds (its item, index_var, ansible_loop_var, ansible_loop). */
  loopVars?: Vars;
  /** `loop_control.label` (rendered per item by the executor) and `pause` (seconds between items). */
  loopLabel?: unknown;
  loopPause?: number;
  /**
   * A loop only known at run time (over a registered result or a set_fact): the executor
   * renders it and runs one item after the other. This instance then stands for all of them.
   */
  deferredLoop?: DeferredLoop;
  retries: number;
  delaySeconds: number;
  until?: string;
  ignoreErrors: boolean;
  /** `changed_when` / `failed_when`, evaluated after each run with the result registered. */
  changedWhen: (string | boolean)[];
  failedWhen: (string | boolean)[];
  register?: string;
  notify: string[];
  noLog: boolean;
  tags: string[];
  /** become, remote_user, connection, environment, delegate_to, run_once, ... as resolved. */
  keywords: TaskKeywords;
  /** Keywords still to render at run time (with `deferred`), as written; rendered, they replace `keywords`. */
  pendingKeywords?: Record<string, unknown>;
  /** Blocks with rescue/always around the task, outermost first. */
  blocks: BlockFrame[];
  /** The id of the include_tasks instance on this host that must have run for this one to run. */
  gate?: string;
  /**
   * An include_tasks whose templated file name is rendered only at run time: the files it may
   * name (looked up from `dirs`), and why each that cannot be included cannot. The tasks of
   * `files[k]` are gated on `<include id>@k`.
   */
  includeChoices?: RunTimeIncludeChoices;
  /** Brought in by an include whose file is picked at run time: the file, which must be the one picked for this task to run. */
  ifIncludedFile?: string;
  /** Where the task is written, for messages. */
  position: SourcePosition;
  /** Where its relative file arguments are looked up (LoadedTask.searchDirs). */
  searchDirs: readonly string[];
  /** The directory of the role the task belongs to, if any. */
  roleDir?: string;
  /** How gathered facts show in `vars` at run time (absent: injected, nothing pinned). */
  factLayer?: FactLayer;
  /**
   * Set on the "Gathering Facts" task a play starts with: `smart` skips it, silently as
   * Ansible does, on a host whose facts the run already holds.
   */
  factGathering?: 'implicit' | 'smart';
}

export interface RunTimeIncludeChoices {
  dirs: readonly string[];
  files: readonly string[];
  failures: readonly (string | undefined)[];
}

/** The gate of the tasks of an include's `choice`-th file, when the executor picks the file. */
export function includeChoiceGate(includeId: string, choice: number): string {
  return `${includeId}@${choice}`;
}

/** What a task instance holds when its task sets no condition, retry, handler or keyword: Gathering Facts, a skipped task. */
export function plainTaskFields(): Pick<
  TaskInstance,
  'deferred' | 'when' | 'retries' | 'delaySeconds' | 'ignoreErrors' | 'changedWhen' | 'failedWhen' | 'notify' | 'noLog' | 'keywords'
> {
  return {
    deferred: false,
    when: [],
    retries: 0,
    delaySeconds: 0,
    ignoreErrors: false,
    changedWhen: [],
    failedWhen: [],
    notify: [],
    noLog: false,
    keywords: {},
  };
}

/** Task keywords once rendered (undefined: not set at any level). */
export interface TaskKeywords {
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: string;
  becomeFlags?: string;
  becomeExe?: string;
  remoteUser?: string;
  connection?: string;
  port?: number;
  environment?: Record<string, string>;
  checkMode?: boolean;
  diff?: boolean;
  anyErrorsFatal?: boolean;
  ignoreUnreachable?: boolean;
  runOnce?: boolean;
  delegateTo?: string;
  delegateFacts?: boolean;
  throttle?: number;
  /** Seconds the task may take (0 or undefined: no limit). */
  timeout?: number;
  ignoreErrors?: boolean;
  noLog?: boolean;
  /** `async`: seconds the task may take; with `poll: 0`, it is started and the play goes on. */
  async?: number;
  poll?: number;
}

export interface DeferredLoop {
  kind: string;
  value: unknown;
  /** Where a with_first_found loop looks (the task's action: templates/, vars/ or files/). */
  subdir: string;
  loopVar: string;
  indexVar?: string;
  extended: boolean;
  extendedAllitems: boolean;
}

export interface CompiledHandler {
  name: string;
  /** Also triggered by `listen` topics. */
  listen: string[];
  /** Per host, the handler's task instances. */
  tasksByHost: Map<string, TaskInstance[]>;
}

export interface CompiledPlay {
  name: string;
  /** Hosts matched by `hosts:` (after --limit), in inventory order. */
  hosts: string[];
  /** Batch sizes resolved from `serial` against the host count, e.g. [1, 5, 5]. */
  batches: string[][];
  strategy: Strategy;
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  /** `force_handlers`: notified handlers run on hosts that failed too. */
  forceHandlers?: boolean;
  /** The play gathers facts (gather_facts, or the `gathering` setting when the play does not say). */
  gatherFacts: boolean;
  /** Its "Gathering Facts" step, first on every host; absent when it gathers none or tags leave the step out. */
  gathering?: FactGatheringStep;
  distribution?: Distribution;
  /** Per host, the ordered task instances (loops expanded, tags and static `when` applied). */
  tasksByHost: Map<string, TaskInstance[]>;
  handlers: CompiledHandler[];
  position: SourcePosition;
}

/**
 * "Gathering Facts" (the setup module, task index -1): one step for the whole play, not a task
 * per host, so that a play over 200 000 hosts that is only listed or planned builds nothing per
 * host for it (the compiler builds a host's variables on first use).
 */
export interface FactGatheringStep {
  /** The step as a task of this host, built when asked (the host's variables with it). */
  taskFor(host: string): TaskInstance;
}

/** A host's tasks in a play, in order: the Gathering Facts step first when the play has one. */
export function playTasksOf(play: CompiledPlay, host: string): TaskInstance[] {
  const tasks = play.tasksByHost.get(host);
  if (!tasks) return [];
  return play.gathering ? [play.gathering.taskFor(host), ...tasks] : tasks;
}

export interface CompiledRun {
  plays: CompiledPlay[];
}

/** The variables the host's first task in the run sees (play vars included); undefined when the run gives it no task. */
export function firstTaskVars(run: CompiledRun, host: string): Vars | undefined {
  for (const play of run.plays) {
    const first = playTasksOf(play, host)[0];
    if (first) return first.vars;
  }
  return undefined;
}

/**
 * Whether a task is an include: it runs (once per loop item) and its file's or role's tasks,
 * which follow it, run only where it did. A looped include_role is one too; as in Ansible it
 * is neither shown nor counted in the recap, its tasks are.
 */
export function isInclude(module: string): boolean {
  return module === 'include_tasks' || module === 'include_role';
}
