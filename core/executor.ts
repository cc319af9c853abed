// Runs one task on one host: `when`, deferred templates and keywords, loop items (and loops
// only known at run time), retries/until, changed_when/failed_when, check mode, async jobs,
// delegation and run_once, `register`, `set_fact`; turns every way a module can end into a
// status and an event. The scheduler decides when; this decides what happened.
import path from 'node:path';
import type { Vars } from '../inventory/model.js';
import type { HostConnection, RegistryAuth } from '../transport/types.js';
import type { HostReach } from '../transport/reach.js';
import type { NodeDocker, PullProgress, PullResult } from '../runtime/types.js';
import { parseImageRef } from '../base/image-ref.js';
import { includeChoiceGate, isInclude, type TaskInstance, type TaskKeywords } from '../playbook/compiled.js';
import { chosenInclude } from '../playbook/include-candidates.js';
import { argumentsAsShown, type EventBus, type TaskStatus } from './events.js';
import { HoundError, InterruptedError, UnreachableError } from '../base/errors.js';
import { addNoLogSecrets, removeNoLogSecrets } from './no-log-secrets.js';
import { gatherNodeFacts, type NodeFacts } from '../runtime/node-facts.js';
import type { RunTaskOptions, TaskOutcome, TaskRunner } from './scheduler.js';
import { HostFactCache } from './host-facts.js';
import type { VaultKeyring } from '../vault/keyring.js';
import { findModule } from '../modules/registry.js';
import { sleep } from '../base/sleep.js';
import { resolveKeywords } from '../playbook/task-keywords.js';
import { resolveReach, type ReachDefaults } from '../playbook/task-reach.js';
import { extendedLoopVars, renderLoopValue } from '../playbook/lookup-plugins.js';
import { DEFAULT_PRIVILEGE_ESCALATION } from '../transport/become.js';
import { AsyncJobs, type AsyncJobResult } from './async-jobs.js';
import { isRescued } from './block-flow.js';
import { allHold, applyResultConditions, ConditionalError } from './result-conditions.js';
import { itemsAsStored, markRunTimeValue, readsData, renderValueKeepingData } from '../playbook/templating.js';
import {
  ModuleFailure,
  type Action,
  type ActionOutcome,
  type AnyModule,
  type CredentialStore,
  type ModuleContext,
  type MetaAction,
  type ModuleResult,
  type PullLimits,
  type TemplateEnvironment,
} from '../modules/implementation.js';
import { forEachAtMost } from '../base/at-most.js';

export interface Templating {
  renderValue(value: unknown, vars: Vars): unknown;
  /** A loop's items from its rendered value (playbook/templating.ts loopItemsFor). */
  loopItems(kind: string, value: unknown, vars: Vars, subdir: string): unknown[];
  evaluateCondition(expression: string, vars: Vars): boolean;
  renderTemplateFile(source: string, vars: Vars, includePath: readonly string[], environment?: TemplateEnvironment): string;
  /** Runs a render and returns the warnings it gave (playbook/templating.ts collectTemplateWarnings). */
  collectWarnings<T>(render: () => T): { value: T; warnings: string[] };
}

/** How the executor reaches a host; run.ts builds it over the transport's connection pool. */
export interface HostAccess {
  connection(reach: HostReach): Promise<HostConnection>;
  docker(reach: HostReach): Promise<NodeDocker>;
  remoteDigest(reference: string, options: { platform?: string; reach: HostReach; auth?: RegistryAuth }): Promise<string>;
  pull(
    reach: HostReach,
    reference: string,
    options: { platform?: string; tlsVerify?: boolean; auth?: RegistryAuth; onProgress: (p: PullProgress) => void; signal: AbortSignal },
  ): Promise<PullResult>;
  /** Another host's variables (a delegate's): its inventory variables, or the implicit localhost's. */
  hostVars?(host: string): Vars | undefined;
}

export interface ExecutorOptions {
  bus: EventBus;
  check: boolean;
  /** --diff: results say what changed (a task's `diff:` overrides it). */
  diff?: boolean;
  verbosity: number;
  signal: AbortSignal;
  credentials: CredentialStore;
  limits: PullLimits;
  templating: Templating;
  access: HostAccess;
  /** ansible.cfg's [privilege_escalation] with -b/--become-user/-K on top; default: no become, sudo to root. */
  reach?: ReachDefaults;
  /** Jobs of `async` + `poll: 0` tasks, for async_status (one table per run). */
  jobs?: AsyncJobs;
  /** Play name, for host events. */
  play?: string;
  /** The run's vault passwords, handed to modules (ModuleContext.vault). */
  vault?: VaultKeyring;
}

/** What one host carries from task to task for the whole run. */
interface HostSession {
  facts: Vars;
  registered: Vars;
  /** Layers already counted as downloaded onto this host during the run. */
  layers: Set<string>;
  nodeFacts?: Promise<NodeFacts>;
  /** include_tasks instances that ran here: their tasks run. */
  includesRun: Set<string>;
}

interface ItemResult {
  status: Exclude<TaskStatus, 'unreachable'> | 'unreachable';
  msg: string;
  bytes: number;
  value: Record<string, unknown>;
  facts?: Vars;
  meta?: MetaAction;
  gatheredFacts?: Vars;
}

/** How one task runs on its host, once its keywords are known. */
interface TaskRun {
  keywords: TaskKeywords;
  check: boolean;
  reach: HostReach;
}

const PROGRESS_INTERVAL_MS = 250;

export class TaskExecutor implements TaskRunner {
  private readonly sessions = new Map<string, HostSession>();
  /** Each item's warnings as it runs: what rendering gave, for its result (renders its module makes included). */
  private readonly itemWarnings = new WeakMap<TaskInstance, string[]>();
  private readonly lastProgress = new Map<string, { at: number; status: string }>();
  /** ModuleContext.oncePerTask: the work of a task (and loop item) shared by the hosts of a batch. */
  private readonly onceByTask = new Map<string, Promise<unknown>>();
  private readonly jobs: AsyncJobs;
  private readonly reachDefaults: ReachDefaults;
  /** The facts gathered in this run, per host (Ansible's memory fact cache). */
  readonly gatheredFacts = new HostFactCache();
  play = '';

  constructor(private readonly options: ExecutorOptions) {
    this.play = options.play ?? '';
    this.jobs = options.jobs ?? new AsyncJobs();
    this.reachDefaults = options.reach ?? { privilegeEscalation: DEFAULT_PRIVILEGE_ESCALATION };
  }

  hostStart(host: string): void {
    // The scheduler starts every host of a batch before any task runs: a new batch waits anew.
    this.onceByTask.clear();
    this.options.bus.emit({ event: 'host_start', host, play: this.play });
  }

  hostDone(host: string): void {
    this.options.bus.emit({ event: 'host_done', host, play: this.play });
  }

  /** Variables a host has gained during the run (set_fact and register), for tests and the planner. */
  hostVars(host: string): Vars {
    const s = this.session(host);
    return { ...s.facts, ...s.registered };
  }

  async runTask(steps: TaskInstance[], { handler, runOnceFor }: RunTaskOptions): Promise<TaskOutcome> {
    const first = steps[0];
    const { bus } = this.options;
    const session = this.session(first.host);
    // The include that brings this task in did not run here: the task does not exist for this host.
    if (first.gate !== undefined && !session.includesRun.has(first.gate)) return { status: 'skipped', ignored: false };
    // gathering = smart: facts already gathered in this run are not gathered again, and
    // Ansible shows no task for it.
    if (first.factGathering === 'smart' && this.gatheredFacts.has(first.host)) return { status: 'skipped', ignored: false };
    const started = Date.now();
    const results: ItemResult[] = [];
    /** Values of this no_log task masked while it runs. */
    const noLogValues: string[] = [];
    let announced = false;
    let items = steps;
    let expansionFailure: ItemResult | undefined;
    // What rendering warned of before the items run (at compile, or expanding the loop now): the first item's result carries it.
    const taskWarnings = [...(first.renderWarnings ?? [])];
    if (first.deferredLoop) {
      try {
        items = this.collecting(taskWarnings, () => this.expandLoop(first));
      } catch (err) {
        expansionFailure = failureOf(err);
        items = [first];
      }
    }
    let run: TaskRun | undefined;
    /** The index of a loop item that could not be rendered: as in Ansible, the loop ends there and the task fails with it. */
    let unrendered: number | undefined;
    const delegatedTo = () => (run?.keywords.delegateTo !== undefined && run.keywords.delegateTo !== first.host ? run.keywords.delegateTo : undefined);
    // A task none of whose items ran its module (all skipped, or failed in rendering) is announced all the same.
    const announceUnrun = () => {
      bus.emit({
        event: 'task_start',
        host: first.host,
        task: first.name,
        task_id: first.id,
        module: first.module,
        args: first.deferred ? {} : first.args,
        no_log: first.noLog,
        handler,
      });
      announced = true;
    };
    const listsItems = isListedLoop(items);
    for (const [index, item] of items.entries()) {
      if (index > 0 && (item.loopPause ?? 0) > 0) await sleep(item.loopPause! * 1000, this.options.signal).catch(() => undefined);
      const vars = this.varsFor(item);
      const warnings = index === 0 ? taskWarnings : [];
      this.itemWarnings.set(item, warnings);
      let result: ItemResult;
      let args: Record<string, unknown> = item.args;
      // Until the module starts: what fails before it (a condition, a keyword, the arguments) is the item's rendering.
      let rendering = true;
      try {
        if (expansionFailure) result = expansionFailure;
        else if (item.skipped) {
          result = { status: 'skipped', msg: item.skipped, bytes: 0, value: { skipped: true, changed: false, skip_reason: item.skipped } };
        } else if (!this.collecting(warnings, () => allHold(item.when, vars, (w, v) => this.options.templating.evaluateCondition(String(w), v)))) {
          result = { status: 'skipped', msg: `conditional result was false: ${item.when.join(' and ')}`, bytes: 0, value: { skipped: true, changed: false } };
        } else {
          run ??= this.collecting(warnings, () => this.taskRun(item, vars));
          // A task that fails where it runs (runFailure) fails with that, not with its arguments.
          // set_fact stores what it is given: what was data (a node's output) stays data, never rendered on a later read.
          const render =
            item.module === 'set_fact' ? renderValueKeepingData : (value: unknown, scope: Vars) => this.options.templating.renderValue(value, scope);
          if (item.deferred && item.runFailure === undefined) args = this.collecting(warnings, () => render(item.args, vars)) as Record<string, unknown>;
          if (item.noLog || run.keywords.noLog) addNoLogSecrets(bus, args, noLogValues);
          if (!announced) {
            bus.emit({ event: 'task_start', host: item.host, task: item.name, task_id: item.id, module: item.module, args, no_log: item.noLog, handler });
            announced = true;
          }
          rendering = item.runFailure !== undefined;
          result = isInclude(item.module) ? this.include(item, args) : await this.runWithRetries(item, args, vars, run);
        }
      } catch (err) {
        result = failureOf(err);
      }
      if (item.loopItem !== undefined && result.status === 'failed' && (rendering || expansionFailure !== undefined)) unrendered = index;
      // Rendering's warnings come before the module's own, as they happened.
      if (warnings.length > 0) result.value.warnings = [...warnings, ...(Array.isArray(result.value.warnings) ? (result.value.warnings as unknown[]) : [])];
      if (item.loopLabel !== undefined && item.loopItem !== undefined && unrendered !== index) result.value._ansible_item_label = this.label(item, vars);
      if (item.noLog) addNoLogSecrets(bus, result.value, noLogValues);
      // delegate_facts: the facts go to the delegate, not to the task's host.
      const owner = run?.keywords.delegateFacts && run.keywords.delegateTo ? run.keywords.delegateTo : item.host;
      if (result.facts) {
        Object.assign(this.session(owner).facts, result.facts);
        for (const other of runOnceFor ?? []) Object.assign(this.session(other).facts, result.facts);
      }
      if (result.gatheredFacts) {
        this.gatheredFacts.merge(owner, result.gatheredFacts);
        for (const other of runOnceFor ?? []) this.gatheredFacts.merge(other, result.gatheredFacts);
      }
      results.push(result);
      // Each item as it ends, as ansible-playbook prints it. An item that could not be rendered
      // is the task's own failure instead, and an unreachable host ends the loop with the
      // task's one UNREACHABLE (below).
      if (listsItems && unrendered !== index && result.status !== 'unreachable') {
        if (!announced) announceUnrun();
        const delegated = delegatedTo();
        bus.emit({
          event: 'task_item',
          host: item.host,
          task: item.name,
          task_id: first.id,
          module: item.module,
          status: result.status,
          ...(delegated !== undefined ? { delegated_to: delegated } : {}),
          diff: run?.keywords.diff ?? this.options.diff === true,
          msg: result.msg,
          result: loopItemValue(item, result),
          no_log: hidesOutput(item, run),
          handler,
        });
      }
      if (result.status === 'unreachable' || unrendered !== undefined) break;
    }
    if (!announced) announceUnrun();
    // ansible-core's TaskExecutor: an item that cannot be templated raises out of the loop, and
    // the task's result is that failure alone (no `results`; the items before it did run).
    const combined = unrendered !== undefined ? results[unrendered] : combine(items, results);
    if (first.register) {
      session.registered[first.register] = markRunTimeValue(combined.value);
      for (const other of runOnceFor ?? []) this.session(other).registered[first.register] = combined.value;
    }
    const ignored = combined.status === 'failed' && (first.ignoreErrors || run?.keywords.ignoreErrors === true);
    const rescued = combined.status === 'failed' && !ignored && isRescued(first);
    if (rescued) {
      session.registered.ansible_failed_task = { name: first.name, action: first.module, args: first.deferred ? {} : first.args };
      session.registered.ansible_failed_result = markRunTimeValue(combined.value);
    }
    const delegated = delegatedTo();
    bus.emit({
      event: 'task_result',
      host: first.host,
      task: first.name,
      task_id: first.id,
      module: first.module,
      status: combined.status,
      ignored,
      ...(rescued ? { rescued } : {}),
      ...(delegated !== undefined ? { delegated_to: delegated } : {}),
      check: run?.check ?? this.options.check,
      diff: run?.keywords.diff ?? this.options.diff === true,
      msg: combined.msg,
      bytes: combined.bytes,
      duration_ms: Date.now() - started,
      result: combined.value,
      no_log: hidesOutput(first, run),
      handler,
    });
    removeNoLogSecrets(bus, noLogValues);
    return { status: combined.status, ignored, meta: results.find((r) => r.meta !== undefined)?.meta };
  }

  /** The jobs started with async/poll: 0, for the run to wait for at its end. */
  get asyncJobs(): AsyncJobs {
    return this.jobs;
  }

  private session(host: string): HostSession {
    let s = this.sessions.get(host);
    if (!s) this.sessions.set(host, (s = { facts: {}, registered: {}, layers: new Set(), includesRun: new Set() }));
    return s;
  }

  private varsFor(item: TaskInstance): Vars {
    const s = this.session(item.host);
    const check = item.keywords.checkMode ?? this.options.check;
    const gathered = this.gatheredFacts.size > 0;
    const vars: Vars = {
      ...item.vars,
      ...(gathered ? this.gatheredFacts.variables(item.host, item.factLayer) : {}),
      ...(gathered && isRecord(item.vars.hostvars) ? { hostvars: this.gatheredFacts.hostvars(item.vars.hostvars) } : {}),
      ...s.facts,
      ...s.registered,
      ansible_check_mode: check,
      hound_check_mode: check,
    };
    if (item.loopVars) Object.assign(vars, item.loopVars);
    else if (item.loopItem !== undefined) vars[item.loopVar ?? 'item'] = item.loopItem;
    return vars;
  }

  /** Keywords (rendered now if they waited for run-time values), check mode and how the host is reached. */
  private taskRun(item: TaskInstance, vars: Vars): TaskRun {
    const render = (value: unknown, scope: Vars) => this.options.templating.renderValue(value, scope);
    const keywords = item.pendingKeywords ? resolveKeywords(item.pendingKeywords, (v) => render(v, vars)) : item.keywords;
    const target = keywords.delegateTo;
    const delegateVars = target !== undefined && target !== item.host ? { ...this.options.access.hostVars?.(target), ...this.hostVars(target) } : undefined;
    const scope = delegateVars ?? vars;
    const read = (name: string) => (Object.hasOwn(scope, name) ? render(scope[name], scope) : undefined);
    const reach = resolveReach(item.host, keywords, read, this.reachDefaults);
    if (reach.become?.password !== undefined) this.options.bus.addSecret(reach.become.password);
    return { keywords, check: keywords.checkMode ?? this.options.check, reach };
  }

  /** Runs a render, adding the warnings it gave to `warnings`. */
  private collecting<T>(warnings: string[], render: () => T): T {
    const { value, warnings: given } = this.options.templating.collectWarnings(render);
    warnings.push(...given);
    return value;
  }

  /** The items of a loop known only now (over a registered result or a set_fact). */
  private expandLoop(first: TaskInstance): TaskInstance[] {
    const loop = first.deferredLoop!;
    const vars = this.varsFor(first);
    const { templating } = this.options;
    const { value: rendered, data } = readsData(() => renderLoopValue(loop.kind, loop.value, (v) => templating.renderValue(v, vars)));
    const items = templating.loopItems(loop.kind, rendered, vars, loop.subdir);
    if (items.length === 0) return [{ ...first, deferredLoop: undefined, skipped: 'No items in the list' }];
    // Items of a registered result are data: the loop's variable never renders what they hold.
    const stored = itemsAsStored(loop.kind, items, data);
    return items.map((value, index) => {
      const loopVars: Vars = { [loop.loopVar]: stored[index], ansible_loop_var: loop.loopVar };
      if (loop.indexVar) {
        loopVars[loop.indexVar] = index;
        loopVars.ansible_index_var = loop.indexVar;
      }
      if (loop.extended) loopVars.ansible_loop = extendedLoopVars(stored, index, loop.extendedAllitems);
      return { ...first, id: `${first.id}:${index}`, deferredLoop: undefined, loopItem: value, loopVar: loop.loopVar, loopVars };
    });
  }

  private label(item: TaskInstance, vars: Vars): unknown {
    try {
      return this.options.templating.renderValue(item.loopLabel, vars);
    } catch {
      return item.loopItem;
    }
  }

  /** include_tasks itself: it runs (its tasks then run too) and says which file it brought in. */
  private include(item: TaskInstance, args: Record<string, unknown>): ItemResult {
    const file = String(args.file ?? args.role ?? '');
    // include_role of a role not found (the loader leaves that to the run, as Ansible does).
    if (item.runFailure !== undefined) return failureOf(new ModuleFailure(item.runFailure));
    // Ansible's words when the included file is not there (the loader leaves that to the run).
    const notThere = (missing: string) => failureOf(new ModuleFailure(`Could not find or access '${missing}' on the Ansible Controller.`));
    if (args.missing === true) return notThere(file);
    const run = this.session(item.host).includesRun;
    const choices = item.includeChoices;
    let included = file;
    if (choices) {
      // A templated name rendered only now: the file it names is one of those read before the run.
      const chosen = chosenInclude(file, choices.dirs, choices.files);
      if (chosen === -1) return notThere(path.resolve(choices.dirs[0], file));
      const failure = choices.failures[chosen];
      if (failure !== undefined) return failureOf(new ModuleFailure(failure));
      run.add(includeChoiceGate(item.id, chosen));
      included = choices.files[chosen];
    }
    run.add(item.id);
    return { status: 'ok', msg: `included: ${included} for ${item.host}`, bytes: 0, value: { include: included, include_args: {}, changed: false } };
  }

  private async runWithRetries(item: TaskInstance, args: Record<string, unknown>, vars: Vars, run: TaskRun): Promise<ItemResult> {
    // As ansible-core: with `until`, retries+1 attempts (3 retries by default); with retries
    // alone, retry until the task succeeds.
    const attempts = item.until !== undefined || item.retries > 0 ? Math.max(item.retries, item.until !== undefined ? 1 : 0) + 1 : 1;
    let result: ItemResult = failureOf(new Error('not run'));
    const evaluate = (condition: string | boolean, v: Vars) =>
      typeof condition === 'boolean' ? condition : this.options.templating.evaluateCondition(condition, v);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      result = await this.runOnce(item, args, vars, run);
      if (result.status === 'unreachable') return result;
      if (attempts > 1) result.value.attempts = attempt;
      const withResult: Vars = item.register ? { ...vars, [item.register]: markRunTimeValue(result.value) } : vars;
      let done: boolean;
      try {
        const conditioned = applyResultConditions(
          { status: result.status, msg: result.msg, value: result.value },
          item.changedWhen,
          item.failedWhen,
          withResult,
          evaluate,
        );
        result = { ...result, ...conditioned };
        if (item.register) withResult[item.register] = markRunTimeValue(result.value);
        done = item.until !== undefined ? allHold([item.until], withResult, evaluate) : result.status !== 'failed';
      } catch (err) {
        // A condition that cannot be read ends the task at once, as in Ansible: never retried.
        if (err instanceof ConditionalError) return { ...result, ...failureOf(err), value: { ...result.value, ...failureOf(err).value } };
        throw err;
      }
      if (done) return result;
      if (attempt < attempts) {
        this.options.bus.emit({
          event: 'detail',
          host: item.host,
          verbosity: 0,
          msg: `FAILED - RETRYING: [${item.host}]: ${item.name} (${attempts - attempt} retries left)`,
        });
        await sleep(item.delaySeconds * 1000, this.options.signal);
      }
    }
    if (item.until !== undefined && result.status !== 'failed') {
      return { ...result, status: 'failed', msg: `retries exhausted: "${item.until}" never held (${attempts} attempts)` };
    }
    return result;
  }

  /** One attempt: straight, under a time limit (timeout:, async: with poll), or started as a job (async: with poll: 0). */
  private async runOnce(item: TaskInstance, args: Record<string, unknown>, vars: Vars, run: TaskRun): Promise<ItemResult> {
    const { async: asyncSeconds = 0, poll = 15, timeout = 0 } = run.keywords;
    if (asyncSeconds > 0 && poll === 0 && !run.check) {
      const work = this.execute(item, args, vars, run, asyncSeconds).then((r): AsyncJobResult => ({
        failed: r.status === 'failed' || r.status === 'unreachable',
        status: r.status,
        value: r.value,
      }));
      const jid = this.jobs.start(run.reach.host, work);
      this.options.bus.emit({ event: 'detail', host: item.host, verbosity: 1, msg: `ASYNC started on ${item.host}: jid=${jid}` });
      return { status: 'changed', msg: `started job ${jid}`, bytes: 0, value: { ansible_job_id: jid, started: 1, finished: 0, changed: true, failed: false } };
    }
    const result = await this.execute(item, args, vars, run, asyncSeconds > 0 ? asyncSeconds : timeout);
    if (asyncSeconds > 0) result.value = { ...result.value, ansible_job_id: `j${item.id}`, started: 1, finished: 1 };
    return result;
  }

  private async execute(item: TaskInstance, args: Record<string, unknown>, vars: Vars, run: TaskRun, limitSeconds: number): Promise<ItemResult> {
    // Known when loaded (an argument the module does not take): the module's own failure, so
    // that failed_when, retries, ignore_errors and rescue treat it as Ansible does.
    if (item.runFailure !== undefined) return failureOf(new ModuleFailure(item.runFailure));
    const mod = findModule(item.module);
    if (!mod) return { status: 'failed', msg: `no module named ${item.module}`, bytes: 0, value: { failed: true, changed: false } };
    const limit = limitSeconds > 0 ? AbortSignal.timeout(limitSeconds * 1000) : undefined;
    const signal = limit ? AbortSignal.any([this.options.signal, limit]) : this.options.signal;
    const ctx = this.context(item, vars, run, signal);
    ctx.detail(1, `${item.module}: ${JSON.stringify(argumentsAsShown(item.module, args))}`);
    try {
      const r = await untilAborted(runModule(mod, args, ctx), signal);
      return {
        status: r.status,
        msg: r.msg,
        bytes: r.bytes,
        value: registeredValue(mod, r),
        facts: r.facts,
        meta: r.meta,
        gatheredFacts: r.gatheredFacts,
      };
    } catch (err) {
      if (limit?.aborted && !this.options.signal.aborted) return timedOut(run.keywords.async ? 'async' : 'timeout', limitSeconds);
      return failureOf(err, this.options.signal);
    }
  }

  private context(item: TaskInstance, vars: Vars, run: TaskRun, signal: AbortSignal): ModuleContext {
    const { access, bus } = this.options;
    const { reach } = run;
    // With delegate_to, the work (and what it learns of the node) is the delegate's.
    const host = reach.host;
    const session = this.session(host);
    const warnings = this.itemWarnings.get(item) ?? [];
    return {
      host,
      ...(run.keywords.delegateTo !== undefined ? { delegateTo: run.keywords.delegateTo } : {}),
      check: run.check,
      diff: run.keywords.diff ?? this.options.diff === true,
      verbosity: this.options.verbosity,
      signal,
      vars,
      credentials: this.options.credentials,
      limits: this.options.limits,
      vault: this.options.vault,
      connection: () => access.connection(reach),
      docker: () => access.docker(reach),
      pull: (reference, { platform, tlsVerify, onProgress }) =>
        access.pull(reach, reference, {
          platform,
          tlsVerify,
          onProgress,
          signal,
          auth: this.options.credentials.get(parseImageRef(reference).domain),
        }),
      facts: () => {
        if (!session.nodeFacts) {
          session.nodeFacts = access.docker(reach).then(gatherNodeFacts);
          // A failed gather must not poison the cache for the next task.
          session.nodeFacts.catch(() => (session.nodeFacts = undefined));
        }
        return session.nodeFacts;
      },
      factsFor: async (references) => {
        if (session.nodeFacts) return session.nodeFacts;
        const docker = await access.docker(reach);
        const found = await Promise.all(references.map((r) => docker.inspectImage(r)));
        const images = [...new Map(found.filter((i) => i !== undefined).map((i) => [i.id, i])).values()];
        return { images, containers: [] };
      },
      invalidateFacts: () => (session.nodeFacts = undefined),
      asyncJob: (jid) => this.jobs.status(host, jid),
      forgetAsyncJob: (jid) => this.jobs.forget(host, jid),
      remoteDigest: (reference, platform) =>
        access.remoteDigest(reference, { platform, reach, auth: this.options.credentials.get(parseImageRef(reference).domain) }),
      evaluateCondition: (e, v) => this.collecting(warnings, () => this.options.templating.evaluateCondition(e, v)),
      renderValue: (v, vs) => this.collecting(warnings, () => this.options.templating.renderValue(v, vs)),
      renderTemplateFile: (source, vs, includePath, environment) =>
        this.collecting(warnings, () => this.options.templating.renderTemplateFile(source, vs, includePath, environment)),
      addSecret: (v) => bus.addSecret(v),
      progress: (image, p) => this.progress(item.host, image, p),
      claimLayers: (layers) => {
        let bytes = 0;
        for (const [id, size] of layers) {
          if (session.layers.has(id)) continue;
          session.layers.add(id);
          bytes += size;
        }
        return bytes;
      },
      detail: (verbosity, msg) => {
        if (verbosity <= this.options.verbosity) bus.emit({ event: 'detail', host: item.host, verbosity, msg });
      },
      taskName: item.name,
      searchDirs: item.searchDirs,
      roleDir: item.roleDir,
      oncePerTask: <T>(work: () => Promise<T>) => {
        const key = `${this.play}\0${item.id.replace(`:${host}`, '')}`;
        let shared = this.onceByTask.get(key) as Promise<T> | undefined;
        if (!shared) this.onceByTask.set(key, (shared = work()));
        return shared;
      },
    };
  }

  private progress(host: string, image: string, p: PullProgress): void {
    // Docker sends a line per chunk; keep status changes and at most a few updates a second per layer.
    const key = `${host}\0${image}\0${p.id}`;
    const now = Date.now();
    const last = this.lastProgress.get(key);
    if (last && last.status === p.status && now - last.at < PROGRESS_INTERVAL_MS) return;
    this.lastProgress.set(key, { at: now, status: p.status });
    this.options.bus.emit({ event: 'pull_progress', host, image, layer: p.id, status: p.status, current: p.current, total: p.total });
  }
}

/**
 * What `register:` stores. An Ansible module's value is the one Ansible registers: its own
 * keys, `changed`, `failed`, `skipped` only when skipped, and `msg` only when the module
 * returns one (command's '' on success, debug's list). hound's own modules also register
 * the line reporters show as `msg`.
 */
function registeredValue(mod: AnyModule, r: ModuleResult): Record<string, unknown> {
  const value: Record<string, unknown> = { ...r.data, changed: r.data.changed === true || r.status === 'changed', failed: r.status === 'failed' };
  if (r.status === 'skipped') value.skipped = true;
  if (mod.definition.houndOwn) value.msg = r.msg;
  else if (r.status === 'skipped' && !('msg' in r.data)) value.msg = r.msg;
  return value;
}

/** Gather, plan, (apply unless checking) for node modules; run for controller modules. */
export async function runModule(mod: AnyModule, args: Record<string, unknown>, ctx: ModuleContext): Promise<ModuleResult> {
  if (mod.kind === 'controller') return mod.run(args, ctx);
  const facts: unknown = await mod.gather(args, ctx);
  const actions: Action[] = mod.plan(facts, args, ctx);
  const refused = actions.filter((a) => a.kind === 'refuse');
  if (refused.length > 0) {
    return { status: 'failed', msg: refused.map((a) => a.reason).join('; '), bytes: 0, data: { actions: describeActions(actions) } };
  }
  const changing = actions.filter((a) => a.kind !== 'none');
  const ownCheck = ctx.check ? mod.checkResult?.(actions, args) : undefined;
  if (ownCheck) return ownCheck;
  if (ctx.check) {
    return {
      status: changing.length > 0 ? 'changed' : 'ok',
      msg: changing.length > 0 ? `would ${changing.map(describeAction).join('; would ')}` : noneMessage(actions),
      bytes: 0,
      data: { actions: describeActions(actions), diff: diffOf(changing) },
    };
  }
  const outcomes = await applyAll(mod, args, actions, ctx);
  const applied = outcomes.filter((o, i) => actions[i].kind !== 'none');
  const failed = outcomes.filter((o) => o.failed);
  const changed = outcomes.some((o) => o.changed);
  const bytes = outcomes.reduce((sum, o) => sum + o.bytes, 0);
  const msg = failed.length > 0 ? failed.map((o) => o.msg).join('; ') : applied.length > 0 ? applied.map((o) => o.msg).join('; ') : noneMessage(actions);
  const data: Record<string, unknown> =
    actions.length === 1
      ? { ...outcomes[0].data }
      : { results: outcomes.map((o, i) => ({ action: describeAction(actions[i]), changed: o.changed, msg: o.msg, bytes: o.bytes, ...o.data })) };
  // Registered as Ansible registers it: a command that failed still changed the node.
  if (failed.length > 0 && changed && actions.length === 1) data.changed = true;
  if (mod.definition.houndOwn) data.bytes = bytes;
  const diff = diffOf(actions.filter((a, i) => a.kind !== 'none' && !outcomes[i].failed && outcomes[i].changed));
  if (diff.added.length + diff.removed.length > 0) data.diff = diff;
  return { status: failed.length > 0 ? 'failed' : changed ? 'changed' : 'ok', msg, bytes, data };
}

/** Applies actions in order; consecutive actions of one kind run `concurrency` at a time. */
async function applyAll(
  mod: Extract<AnyModule, { kind: 'node' }>,
  args: Record<string, unknown>,
  actions: Action[],
  ctx: ModuleContext,
): Promise<ActionOutcome[]> {
  const limit = Math.max(1, mod.concurrency?.(args) ?? 1);
  const outcomes = new Array<ActionOutcome>(actions.length);
  let i = 0;
  while (i < actions.length) {
    let end = i;
    while (end < actions.length && actions[end].kind === actions[i].kind) end++;
    const group = actions.slice(i, end).map((a, k) => ({ a, index: i + k }));
    await forEachAtMost(group, limit, async ({ a, index }) => {
      if (ctx.signal.aborted) throw new HoundError('INTERRUPTED', 'interrupted');
      try {
        outcomes[index] = a.kind === 'none' ? { changed: false, bytes: 0, msg: a.reason } : await mod.apply(a, args, ctx);
      } catch (err) {
        // One failed pull must not hide what the others did (their bytes count in the recap).
        if (err instanceof UnreachableError || ctx.signal.aborted) throw err;
        outcomes[index] = { changed: false, failed: true, bytes: 0, msg: `${describeAction(a)}: ${err instanceof Error ? err.message : String(err)}` };
      }
    });
    i = end;
  }
  return outcomes;
}

export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'pull':
      return `pull ${a.image} (${a.reason})`;
    case 'remove':
      return `remove ${a.image} (${a.reason})`;
    case 'load':
      return `load ${a.src} (${a.reason})`;
    case 'run':
      return `run ${a.command}`;
    case 'refuse':
      return `refuse: ${a.reason}`;
    case 'none':
      return a.image ? `${a.image}: ${a.reason}` : a.reason;
  }
}

/** What --diff shows: images a task brought onto the node or took off it. */
export function diffOf(actions: Action[]): { added: string[]; removed: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  for (const a of actions) {
    if (a.kind === 'pull') added.push(a.image);
    else if (a.kind === 'load') added.push(...(a.images.length > 0 ? a.images : [a.src]));
    else if (a.kind === 'remove') removed.push(a.image);
  }
  return { added, removed };
}

function describeActions(actions: Action[]): { kind: string; image?: string; reason: string }[] {
  return actions.map((a) => ({ kind: a.kind, ...('image' in a && a.image ? { image: a.image } : {}), reason: describeAction(a) }));
}

function noneMessage(actions: Action[]): string {
  if (actions.length === 1) return describeAction(actions[0]);
  return `${actions.length} checked, nothing to do`;
}

/** A task that ran past its time limit: `async` (Ansible's "Timeout exceeded") or `timeout`. */
function timedOut(keyword: 'async' | 'timeout', seconds: number): ItemResult {
  const msg = keyword === 'async' ? 'Timeout exceeded' : `The task failed to execute in the expected time frame (${seconds}) and was terminated`;
  const hint = `it ran longer than its ${keyword}: ${seconds} seconds; raise ${keyword}, or look at what held it up with -vvv`;
  return { status: 'failed', msg, bytes: 0, value: { failed: true, changed: false, finished: 1, msg, hint } };
}

function isRecord(value: unknown): value is Vars {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function failureOf(err: unknown, signal?: AbortSignal): ItemResult {
  // What the user can do about it travels with the result, for every reporter to show.
  const hint = err instanceof HoundError && err.hint ? { hint: err.hint } : {};
  if (err instanceof UnreachableError) {
    return { status: 'unreachable', msg: err.message, bytes: 0, value: { unreachable: true, changed: false, msg: err.message, ...hint } };
  }
  let msg: string;
  if (signal?.aborted) msg = 'interrupted';
  else if (err instanceof ModuleFailure || err instanceof HoundError) msg = err.message;
  else if (err instanceof Error) msg = err.message;
  else msg = String(err);
  const data = err instanceof ModuleFailure ? err.data : {};
  return { status: 'failed', msg, bytes: 0, value: { ...data, failed: true, changed: false, msg, ...(signal?.aborted ? {} : hint) } };
}

/**
 * Whether an item's output is hidden: its no_log as rendered for the task, or as compiled; for
 * an item skipped before the task's keywords were rendered, a no_log still to be rendered hides it.
 */
function hidesOutput(item: TaskInstance, run: TaskRun | undefined): boolean {
  if (item.noLog || run?.keywords.noLog === true) return true;
  return run === undefined && item.pendingKeywords !== undefined && Object.hasOwn(item.pendingKeywords, 'no_log') && item.pendingKeywords.no_log !== false;
}

/** Whether the task's result lists its items (`results`): a loop, other than one include_tasks item. */
function isListedLoop(items: readonly TaskInstance[]): boolean {
  return !(items.length === 1 && (items[0].loopItem === undefined || isInclude(items[0].module)));
}

/** A loop item's value in its task's `results`: under its loop_var's name, as ansible-core registers it. */
function loopItemValue(item: TaskInstance | undefined, result: ItemResult): Record<string, unknown> {
  return { ...result.value, [item?.loopVar ?? 'item']: item?.loopItem, ansible_loop_var: item?.loopVar ?? 'item' };
}

function combine(items: TaskInstance[], results: ItemResult[]): ItemResult {
  if (!isListedLoop(items)) {
    const one = results[0];
    if (items[0].loopItem === undefined) return one;
    return { ...one, value: loopItemValue(items[0], one) };
  }
  const statusOrder: TaskStatus[] = ['unreachable', 'failed', 'changed', 'ok'];
  const status = results.every((r) => r.status === 'skipped') ? 'skipped' : (statusOrder.find((s) => results.some((r) => r.status === s)) ?? 'ok');
  const failedMsgs = results.filter((r) => r.status === 'failed' || r.status === 'unreachable').map((r) => r.msg);
  const msg =
    failedMsgs.length > 0
      ? failedMsgs.join('; ')
      : results
          .filter((r) => r.status !== 'skipped')
          .map((r) => r.msg)
          .join('; ');
  return {
    status,
    msg,
    bytes: results.reduce((s, r) => s + r.bytes, 0),
    value: {
      // As ansible-core's loop result: changed when an item's result says so, a failed one's too.
      changed: results.some((r) => r.status === 'changed' || r.value.changed === true),
      // As ansible-core's loop result: `failed` only when an item failed (no `failed: false` registered).
      ...(results.some((r) => r.status === 'failed') ? { failed: true } : {}),
      skipped: status === 'skipped',
      // As ansible-core registers it; the event's own msg (above) keeps the items' failures.
      msg: status === 'failed' ? 'One or more items failed' : 'All items completed',
      results: results.map((r, i) => loopItemValue(items[i], r)),
    },
  };
}

/**
 * Settles with `work`, or rejects as soon as the run is interrupted: Ctrl-C must not wait for
 * a transport call that missed the abort (e.g. one still opening its SSH channel).
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new InterruptedError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new InterruptedError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
