// Runs one task on one host: `when`, deferred templates, loop items, retries/until,
// check mode, `register`, `set_fact`; turns every way a module can end into a status and
// an event. The scheduler decides when; this decides what happened.
import type { Vars } from '../inventory/model.js';
import type { HostConnection, RegistryAuth } from '../transport/types.js';
import type { NodeDocker, PullProgress, PullResult } from '../runtime/types.js';
import { parseImageRef } from '../base/image-ref.js';
import type { TaskInstance } from '../playbook/compiled.js';
import type { EventBus, TaskStatus } from './events.js';
import { HoundError, InterruptedError, UnreachableError } from '../base/errors.js';
import { addNoLogSecrets, removeNoLogSecrets } from './no-log-secrets.js';
import { gatherNodeFacts, type NodeFacts } from '../runtime/node-facts.js';
import { HostFactCache } from './host-facts.js';
import type { VaultKeyring } from '../vault/keyring.js';
import type { TaskOutcome, TaskRunner } from './scheduler.js';
import { findModule } from '../modules/registry.js';
import { sleep } from '../base/sleep.js';
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
} from '../modules/implementation.js';

export interface Templating {
  renderValue(value: unknown, vars: Vars): unknown;
  evaluateCondition(expression: string, vars: Vars): boolean;
}

/** How the executor reaches a host; run.ts builds it over the transport's connection pool. */
export interface HostAccess {
  connection(host: string): Promise<HostConnection>;
  docker(host: string): Promise<NodeDocker>;
  remoteDigest(reference: string, options: { platform?: string; host: string; auth?: RegistryAuth }): Promise<string>;
  pull(
    host: string,
    reference: string,
    options: { platform?: string; auth?: RegistryAuth; onProgress: (p: PullProgress) => void; signal: AbortSignal },
  ): Promise<PullResult>;
}

export interface ExecutorOptions {
  bus: EventBus;
  check: boolean;
  verbosity: number;
  signal: AbortSignal;
  credentials: CredentialStore;
  limits: PullLimits;
  templating: Templating;
  access: HostAccess;
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

const PROGRESS_INTERVAL_MS = 250;

export class TaskExecutor implements TaskRunner {
  private readonly sessions = new Map<string, HostSession>();
  private readonly lastProgress = new Map<string, { at: number; status: string }>();
  /** ModuleContext.oncePerTask: the work of a task (and loop item) shared by the hosts of a batch. */
  private readonly onceByTask = new Map<string, Promise<unknown>>();
  /** The facts gathered in this run, per host (Ansible's memory fact cache). */
  readonly gatheredFacts = new HostFactCache();
  play = '';

  constructor(private readonly options: ExecutorOptions) {
    this.play = options.play ?? '';
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

  async runTask(items: TaskInstance[], { handler }: { handler: boolean }): Promise<TaskOutcome> {
    const first = items[0];
    const { bus } = this.options;
    // gathering = smart: facts already gathered in this run are not gathered again, and
    // Ansible shows no task for it.
    if (first.factGathering === 'smart' && this.gatheredFacts.has(first.host)) return { status: 'skipped', ignored: false };
    const started = Date.now();
    const results: ItemResult[] = [];
    /** Values of this no_log task masked while it runs. */
    const noLogValues: string[] = [];
    let announced = false;
    for (const item of items) {
      const vars = this.varsFor(item);
      let result: ItemResult;
      let args: Record<string, unknown> = item.args;
      try {
        if (item.skipped) {
          result = { status: 'skipped', msg: item.skipped, bytes: 0, value: { skipped: true, changed: false, skip_reason: item.skipped } };
        } else if (!item.when.every((w) => this.options.templating.evaluateCondition(w, vars))) {
          result = { status: 'skipped', msg: `conditional result was false: ${item.when.join(' and ')}`, bytes: 0, value: { skipped: true, changed: false } };
        } else {
          if (item.deferred) args = this.options.templating.renderValue(item.args, vars) as Record<string, unknown>;
          if (item.noLog) addNoLogSecrets(bus, args, noLogValues);
          if (!announced) {
            bus.emit({ event: 'task_start', host: item.host, task: item.name, task_id: item.id, module: item.module, args, no_log: item.noLog, handler });
            announced = true;
          }
          result = await this.runWithRetries(item, args, vars);
        }
      } catch (err) {
        result = failureOf(err);
      }
      if (item.noLog) addNoLogSecrets(bus, result.value, noLogValues);
      if (result.facts) Object.assign(this.session(item.host).facts, result.facts);
      if (result.gatheredFacts) this.gatheredFacts.merge(item.host, result.gatheredFacts);
      results.push(result);
      if (result.status === 'unreachable') break;
    }
    if (!announced) {
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
    }
    const combined = combine(items, results);
    if (first.register) this.session(first.host).registered[first.register] = combined.value;
    const ignored = combined.status === 'failed' && first.ignoreErrors;
    bus.emit({
      event: 'task_result',
      host: first.host,
      task: first.name,
      task_id: first.id,
      module: first.module,
      status: combined.status,
      ignored,
      check: this.options.check,
      msg: combined.msg,
      bytes: combined.bytes,
      duration_ms: Date.now() - started,
      result: combined.value,
      no_log: first.noLog,
      handler,
    });
    removeNoLogSecrets(bus, noLogValues);
    return { status: combined.status, ignored, meta: results.find((r) => r.meta !== undefined)?.meta };
  }

  private session(host: string): HostSession {
    let s = this.sessions.get(host);
    if (!s) this.sessions.set(host, (s = { facts: {}, registered: {}, layers: new Set() }));
    return s;
  }

  private varsFor(item: TaskInstance): Vars {
    const s = this.session(item.host);
    const gathered = this.gatheredFacts.size > 0;
    const vars: Vars = {
      ...item.vars,
      ...(gathered ? this.gatheredFacts.variables(item.host, item.factLayer) : {}),
      ...(gathered && isRecord(item.vars.hostvars) ? { hostvars: this.gatheredFacts.hostvars(item.vars.hostvars) } : {}),
      ...s.facts,
      ...s.registered,
      ansible_check_mode: this.options.check,
      hound_check_mode: this.options.check,
    };
    if (item.loopItem !== undefined) vars[item.loopVar ?? 'item'] = item.loopItem;
    return vars;
  }

  private async runWithRetries(item: TaskInstance, args: Record<string, unknown>, vars: Vars): Promise<ItemResult> {
    // As ansible-core: with `until`, retries+1 attempts (3 retries by default); with retries
    // alone, retry until the task succeeds.
    const attempts = item.until !== undefined || item.retries > 0 ? Math.max(item.retries, item.until !== undefined ? 1 : 0) + 1 : 1;
    let result: ItemResult = failureOf(new Error('not run'));
    for (let attempt = 1; attempt <= attempts; attempt++) {
      result = await this.runOnce(item, args, vars);
      if (result.status === 'unreachable') return result;
      const done = item.until !== undefined ? this.untilHolds(item, vars, result) : result.status !== 'failed';
      if (attempts > 1) result.value.attempts = attempt;
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

  private untilHolds(item: TaskInstance, vars: Vars, result: ItemResult): boolean {
    const withResult: Vars = { ...vars };
    if (item.register) withResult[item.register] = result.value;
    try {
      return this.options.templating.evaluateCondition(item.until!, withResult);
    } catch {
      return false;
    }
  }

  private async runOnce(item: TaskInstance, args: Record<string, unknown>, vars: Vars): Promise<ItemResult> {
    const mod = findModule(item.module);
    if (!mod) return { status: 'failed', msg: `no module named ${item.module}`, bytes: 0, value: { failed: true, changed: false } };
    const ctx = this.context(item, vars);
    ctx.detail(1, `${item.module}: ${JSON.stringify(args)}`);
    try {
      const r = await untilAborted(runModule(mod, args, ctx), this.options.signal);
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
      return failureOf(err, this.options.signal);
    }
  }

  private context(item: TaskInstance, vars: Vars): ModuleContext {
    const { access, bus } = this.options;
    const host = item.host;
    const session = this.session(host);
    return {
      host,
      check: this.options.check,
      verbosity: this.options.verbosity,
      signal: this.options.signal,
      vars,
      credentials: this.options.credentials,
      limits: this.options.limits,
      vault: this.options.vault,
      connection: () => access.connection(host),
      docker: () => access.docker(host),
      pull: (reference, { platform, onProgress }) =>
        access.pull(host, reference, {
          platform,
          onProgress,
          signal: this.options.signal,
          auth: this.options.credentials.get(parseImageRef(reference).domain),
        }),
      facts: () => {
        if (!session.nodeFacts) {
          session.nodeFacts = access.docker(host).then(gatherNodeFacts);
          // A failed gather must not poison the cache for the next task.
          session.nodeFacts.catch(() => (session.nodeFacts = undefined));
        }
        return session.nodeFacts;
      },
      factsFor: async (references) => {
        if (session.nodeFacts) return session.nodeFacts;
        const docker = await access.docker(host);
        const found = await Promise.all(references.map((r) => docker.inspectImage(r)));
        const images = [...new Map(found.filter((i) => i !== undefined).map((i) => [i.id, i])).values()];
        return { images, containers: [] };
      },
      invalidateFacts: () => (session.nodeFacts = undefined),
      remoteDigest: (reference, platform) =>
        access.remoteDigest(reference, { platform, host, auth: this.options.credentials.get(parseImageRef(reference).domain) }),
      evaluateCondition: (e, v) => this.options.templating.evaluateCondition(e, v),
      renderValue: (v, vs) => this.options.templating.renderValue(v, vs),
      addSecret: (v) => bus.addSecret(v),
      progress: (image, p) => this.progress(host, image, p),
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
        if (verbosity <= this.options.verbosity) bus.emit({ event: 'detail', host, verbosity, msg });
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
    let next = 0;
    const worker = async () => {
      while (next < group.length) {
        const { a, index } = group[next++];
        if (ctx.signal.aborted) throw new HoundError('INTERRUPTED', 'interrupted');
        try {
          outcomes[index] = a.kind === 'none' ? { changed: false, bytes: 0, msg: a.reason } : await mod.apply(a, args, ctx);
        } catch (err) {
          // One failed pull must not hide what the others did (their bytes count in the recap).
          if (err instanceof UnreachableError || ctx.signal.aborted) throw err;
          outcomes[index] = { changed: false, failed: true, bytes: 0, msg: `${describeAction(a)}: ${err instanceof Error ? err.message : String(err)}` };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, group.length) }, worker));
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

function combine(items: TaskInstance[], results: ItemResult[]): ItemResult {
  if (items.length === 1 && items[0].loopItem === undefined) return results[0];
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
      changed: results.some((r) => r.status === 'changed'),
      failed: results.some((r) => r.status === 'failed'),
      skipped: status === 'skipped',
      msg: status === 'failed' ? msg : 'All items completed',
      results: results.map((r, i) => ({ ...r.value, item: items[i]?.loopItem })),
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
