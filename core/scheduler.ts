// Decides what runs when: serial batches, the linear and free strategies, forks, failure
// thresholds and handlers. It knows nothing of SSH or Docker: it calls a TaskRunner for
// each task (all loop items of one task on one host at once) and reads back a status.
import { playTasksOf, type CompiledPlay, type TaskInstance } from '../playbook/compiled.js';
import type { TaskStatus } from './events.js';
import type { MetaAction, PullLimits } from '../modules/implementation.js';
import { compareOrder, HostCursor, orderOf, type Step } from './block-flow.js';

export interface TaskOutcome {
  status: TaskStatus;
  /** Failed, but `ignore_errors` lets the host go on. */
  ignored: boolean;
  /** What a `meta` task asks of the run. */
  meta?: MetaAction;
}

export interface RunTaskOptions {
  handler: boolean;
  /** run_once: the other hosts of the batch, which get this run's result (registered values, facts) without running it. */
  runOnceFor?: string[];
}

export interface TaskRunner {
  /** Runs one task on one host: its loop items, in order. Never throws for task failures. */
  runTask(items: TaskInstance[], options: RunTaskOptions): Promise<TaskOutcome>;
  hostStart?(host: string): void;
  hostDone?(host: string): void;
}

export interface SchedulerOptions {
  /** Hosts running a task at once; default: all hosts of the batch, at most MAX_DEFAULT_FORKS. */
  forks?: number;
  signal?: AbortSignal;
}

/** Hosts that are out of the run; later plays skip them, as ansible-playbook does. */
export interface RunHostState {
  failed: Set<string>;
  unreachable: Set<string>;
}

export interface PlayOutcome {
  /** The play stopped early: any_errors_fatal, max_fail_percentage, a fully failed batch, or interruption. */
  aborted: boolean;
  abortReason?: string;
  /** `meta: end_play` ended it: no host failed, later batches do not run. */
  ended?: boolean;
}

export const MAX_DEFAULT_FORKS = 50;

export function effectiveForks(requested: number | undefined, batchSize: number): number {
  if (requested !== undefined) return Math.max(1, requested);
  return Math.max(1, Math.min(batchSize, MAX_DEFAULT_FORKS));
}

/** The batch ends because every host in it failed: no play-level break (any_errors_fatal, max_fail_percentage). */
export const ALL_HOSTS_FAILED = 'all hosts of the batch failed';

/**
 * Whether a batch must stop after a task: Ansible stops when any host failed under
 * any_errors_fatal, when the failed share exceeds max_fail_percentage, or when every host failed.
 */
export function batchAbortReason(
  batchSize: number,
  failedInBatch: number,
  play: Pick<CompiledPlay, 'anyErrorsFatal' | 'maxFailPercentage'>,
): string | undefined {
  if (failedInBatch === 0) return undefined;
  if (play.anyErrorsFatal) return 'any_errors_fatal: a host failed';
  if (play.maxFailPercentage !== undefined && (failedInBatch / batchSize) * 100 > play.maxFailPercentage) {
    return `max_fail_percentage ${play.maxFailPercentage}% exceeded (${failedInBatch} of ${batchSize} hosts failed)`;
  }
  if (failedInBatch >= batchSize) return ALL_HOSTS_FAILED;
  return undefined;
}

/** Splits a host's task list into steps: consecutive instances of one task (its loop items). */
export function groupTaskSteps(tasks: readonly TaskInstance[]): TaskInstance[][] {
  const steps: TaskInstance[][] = [];
  for (const t of tasks) {
    const last = steps[steps.length - 1];
    if (last && last[0].taskIndex === t.taskIndex && compareOrder(orderOf(last[0]), orderOf(t)) === 0) last.push(t);
    else steps.push([t]);
  }
  return steps;
}

/** The order every host of a linear step runs next: the smallest pending one. */
export function nextLinearOrder(pending: Iterable<TaskInstance[] | undefined>): readonly number[] | undefined {
  let next: readonly number[] | undefined;
  for (const step of pending) {
    if (!step) continue;
    const order = orderOf(step[0]);
    if (next === undefined || compareOrder(order, next) < 0) next = order;
  }
  return next;
}

/** Handlers to run for a host, in their definition order, given the names/topics it notified. */
export function handlersToRun(play: CompiledPlay, notified: ReadonlySet<string>): CompiledPlay['handlers'] {
  return play.handlers.filter((h) => notified.has(h.name) || h.listen.some((topic) => notified.has(topic)));
}

/** Limits how many promises run at once. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Pull slots: at most `perHost` pulls on one node and `perRegistry` pulls from one registry
 * host at once, across every task and host of the run. The host slot is taken first so a
 * node waiting for a busy registry does not hold registry slots others could use.
 * `fannedOut(host)` says whether the run fans the host's pulls out: the node then pulls from a
 * seed, which hound fed once per blob, and the registry never sees that pull, so it takes no
 * registry slot (with 50 nodes, 32 slots made a second wave of pulls wait on seeds that were idle).
 */
export function createPullLimits(perHost: number, perRegistry: number, fannedOut: (host: string) => Promise<boolean> = async () => false): PullLimits {
  const hosts = new Map<string, Semaphore>();
  const registries = new Map<string, Semaphore>();
  const slot = (map: Map<string, Semaphore>, key: string, limit: number) => {
    let s = map.get(key);
    if (!s) map.set(key, (s = new Semaphore(Math.max(1, limit))));
    return s;
  };
  return {
    pull: (host, registry, work, options) =>
      slot(hosts, host, perHost).run(async () =>
        options?.direct !== true && (await fannedOut(host)) ? work() : slot(registries, registry, perRegistry).run(work),
      ),
  };
}

function isHostDown(outcome: TaskOutcome): 'failed' | 'unreachable' | undefined {
  if (outcome.status === 'unreachable') return 'unreachable';
  if (outcome.status === 'failed' && !outcome.ignored) return 'failed';
  return undefined;
}

/** Runs one play; updates `state` with hosts that failed or became unreachable. */
export async function runPlay(play: CompiledPlay, runner: TaskRunner, state: RunHostState, options: SchedulerOptions = {}): Promise<PlayOutcome> {
  for (const batchHosts of play.batches) {
    const batch = batchHosts.filter((h) => !state.failed.has(h) && !state.unreachable.has(h));
    if (batch.length === 0) continue;
    const forks = new Semaphore(effectiveForks(options.forks, batch.length));
    const run = play.strategy === 'free' ? runBatchFree : runBatchLinear;
    const outcome = await run(newBatchContext(play, batch, runner, state, forks, options.signal));
    if (outcome.aborted || outcome.ended) return outcome;
    if (options.signal?.aborted) return { aborted: true, abortReason: 'interrupted' };
  }
  return { aborted: false };
}

/** One batch of a play as it runs: what it runs with, and what its hosts did so far. */
interface BatchContext {
  play: CompiledPlay;
  /** The batch's hosts, in inventory order. */
  batch: string[];
  runner: TaskRunner;
  state: RunHostState;
  forks: Semaphore;
  signal?: AbortSignal;
  down: Set<string>;
  /** Hosts a `meta: end_host` took out of the play (not failed: later plays run on them). */
  ended: Set<string>;
  notified: Map<string, Set<string>>;
  /** Set when a task with any_errors_fatal failed on a host (not rescued). */
  fatal?: string;
  /** throttle: per task, how many hosts run it at once. */
  throttles: Map<string, Semaphore>;
}

function newBatchContext(play: CompiledPlay, batch: string[], runner: TaskRunner, state: RunHostState, forks: Semaphore, signal?: AbortSignal): BatchContext {
  return { play, batch, runner, state, forks, signal, down: new Set(), ended: new Set(), notified: new Map(), throttles: new Map() };
}

/**
 * What a step's `meta` tasks ask, once every host ran the step: end_host takes the host out,
 * end_batch and end_play stop the batch (and end_play the play) with no handler run, as
 * ansible-playbook does; flush_handlers runs the handlers notified so far.
 */
function metaOf(outcomes: { host: string; outcome: TaskOutcome }[], ctx: BatchContext): 'end_play' | 'end_batch' | 'flush_handlers' | undefined {
  let stop: 'end_play' | 'end_batch' | 'flush_handlers' | undefined;
  for (const { host, outcome } of outcomes) {
    if (outcome.meta === 'end_host') ctx.ended.add(host);
    else if (outcome.meta === 'end_play') stop = 'end_play';
    else if (outcome.meta === 'end_batch' && stop !== 'end_play') stop = 'end_batch';
    else if (outcome.meta === 'flush_handlers' && stop === undefined) stop = 'flush_handlers';
  }
  return stop;
}

/** Records a step's outcome on `host` and moves its cursor on. */
function record(ctx: BatchContext, cursor: HostCursor, items: TaskInstance[], outcome: TaskOutcome): void {
  const host = items[0].host;
  const down = isHostDown(outcome);
  let hostDown: boolean;
  if (down === 'unreachable') {
    // Never rescued; with ignore_unreachable the host goes on to its next task.
    cursor.advance(false);
    hostDown = items[0].keywords?.ignoreUnreachable !== true;
  } else {
    // A failure a block's rescue or always catches keeps the host in the play.
    hostDown = cursor.advance(down === 'failed');
  }
  if (hostDown && down) {
    ctx.down.add(host);
    ctx.state[down].add(host);
    if (items[0].keywords?.anyErrorsFatal) ctx.fatal ??= `any_errors_fatal: ${host} failed '${items[0].name}'`;
  }
  if (outcome.status === 'changed') {
    const notify = items.flatMap((i) => i.notify);
    if (notify.length > 0) {
      let set = ctx.notified.get(host);
      if (!set) ctx.notified.set(host, (set = new Set()));
      for (const n of notify) set.add(n);
    }
  }
}

function markFailed(ctx: BatchContext, host: string): void {
  ctx.down.add(host);
  ctx.state.failed.add(host);
}

/** Runs a step under the forks and its task's throttle. */
function runStep(ctx: BatchContext, step: Step, options: { handler: boolean; runOnceFor?: string[] }): Promise<TaskOutcome> {
  const { forks, runner } = ctx;
  const throttle = step[0].keywords?.throttle ?? 0;
  if (throttle <= 0) return forks.run(() => runner.runTask(step, options));
  const key = `${options.handler ? 'h' : 't'}${step[0].taskIndex}:${orderOf(step[0]).join('.')}`;
  let limit = ctx.throttles.get(key);
  if (!limit) ctx.throttles.set(key, (limit = new Semaphore(throttle)));
  return limit.run(() => forks.run(() => runner.runTask(step, options)));
}

function abortReasonOf(ctx: BatchContext): string | undefined {
  return ctx.fatal ?? batchAbortReason(ctx.batch.length, ctx.down.size, ctx.play);
}

async function runBatchLinear(ctx: BatchContext): Promise<PlayOutcome> {
  const { play, batch, runner, signal } = ctx;
  const cursors = new Map(batch.map((h) => [h, new HostCursor(groupTaskSteps(playTasksOf(play, h)))]));
  for (const h of batch) runner.hostStart?.(h);
  const pending = (h: string) => {
    if (ctx.down.has(h) || ctx.ended.has(h)) return undefined;
    const cursor = cursors.get(h)!;
    const step = cursor.current();
    // A failure held while an always section ran ends the host once that section is over.
    if (!step && cursor.hasFailed) markFailed(ctx, h);
    return step;
  };
  let abortReason: string | undefined;
  let stopped: 'end_play' | 'end_batch' | undefined;
  for (;;) {
    if (signal?.aborted) {
      abortReason = 'interrupted';
      break;
    }
    const order = nextLinearOrder(batch.map(pending));
    if (order === undefined) break;
    const due = batch.filter((h) => {
      const step = pending(h);
      return step !== undefined && compareOrder(orderOf(step[0]), order) === 0;
    });
    const runOnce = due.length > 0 && pending(due[0])![0].keywords?.runOnce === true;
    const outcomes: { host: string; outcome: TaskOutcome }[] = [];
    if (runOnce) {
      // run_once: the first host runs it, the others take its result; a failure stops them all, as in Ansible.
      const [first, ...others] = due;
      const step = pending(first)!;
      const outcome = await runStep(ctx, step, { handler: false, runOnceFor: others });
      record(ctx, cursors.get(first)!, step, outcome);
      outcomes.push({ host: first, outcome });
      for (const h of others) if (cursors.get(h)!.advance(isHostDown(outcome) !== undefined)) markFailed(ctx, h);
    } else {
      await Promise.all(
        due.map(async (h) => {
          const step = pending(h)!;
          const outcome = await runStep(ctx, step, { handler: false });
          record(ctx, cursors.get(h)!, step, outcome);
          outcomes.push({ host: h, outcome });
        }),
      );
    }
    abortReason = signal?.aborted ? 'interrupted' : abortReasonOf(ctx);
    if (abortReason) break;
    const meta = metaOf(outcomes, ctx);
    if (meta === 'end_play' || meta === 'end_batch') {
      stopped = meta;
      break;
    }
    if (meta === 'flush_handlers') {
      abortReason = await runHandlers(ctx);
      if (abortReason) break;
    }
  }
  return endBatch(ctx, abortReason, stopped);
}

async function runBatchFree(ctx: BatchContext): Promise<PlayOutcome> {
  const { play, batch, runner, signal } = ctx;
  let abortReason: string | undefined;
  let stopped: 'end_play' | 'end_batch' | undefined;
  /** run_once under free: the first host to reach the task runs it; the others wait for its outcome. */
  const runOnce = new Map<string, Promise<TaskOutcome>>();
  await Promise.all(
    batch.map(async (h) => {
      runner.hostStart?.(h);
      const cursor = new HostCursor(groupTaskSteps(playTasksOf(play, h)));
      for (let step = cursor.current(); step; step = cursor.current()) {
        if (abortReason || stopped || signal?.aborted || ctx.down.has(h) || ctx.ended.has(h)) break;
        let outcome: TaskOutcome;
        if (step[0].keywords?.runOnce) {
          const key = `${step[0].taskIndex}:${orderOf(step[0]).join('.')}`;
          const first = runOnce.get(key);
          if (first) {
            const outcome = await first;
            if (cursor.advance(isHostDown(outcome) !== undefined)) markFailed(ctx, h);
            continue;
          }
          const others = batch.filter((o) => o !== h && !ctx.down.has(o));
          const running = runStep(ctx, step, { handler: false, runOnceFor: others });
          runOnce.set(key, running);
          outcome = await running;
        } else {
          outcome = await runStep(ctx, step, { handler: false });
        }
        record(ctx, cursor, step, outcome);
        abortReason ??= abortReasonOf(ctx);
        // Under the free strategy each host meets its meta tasks alone: flush_handlers runs that host's handlers.
        const meta = metaOf([{ host: h, outcome }], ctx);
        if (meta === 'end_play' || meta === 'end_batch') stopped ??= meta;
        else if (meta === 'flush_handlers' && !abortReason) abortReason = await runHandlers(ctx, [h]);
      }
      if (cursor.hasFailed) markFailed(ctx, h);
    }),
  );
  if (!abortReason && signal?.aborted) abortReason = 'interrupted';
  return endBatch(ctx, abortReason, stopped);
}

/** The end of a batch under either strategy: pending handlers (unless the batch aborted or a meta task stopped it), then each host is done. */
async function endBatch(ctx: BatchContext, abortReason: string | undefined, stopped: 'end_play' | 'end_batch' | undefined): Promise<PlayOutcome> {
  if (!abortReason && !stopped) abortReason = await runHandlers(ctx);
  for (const h of ctx.batch) ctx.runner.hostDone?.(h);
  return abortReason ? { aborted: true, abortReason } : { aborted: false, ended: stopped === 'end_play' };
}

/**
 * Handlers run once each, in definition order, on the hosts of the batch (or `only` these) that
 * notified them and are still up (with force_handlers, on failed hosts too).
 */
async function runHandlers(ctx: BatchContext, only: string[] = ctx.batch): Promise<string | undefined> {
  const { play, state, signal } = ctx;
  const failedBefore = new Set(play.forceHandlers ? [] : ctx.down);
  for (const handler of play.handlers) {
    if (signal?.aborted) return 'interrupted';
    await Promise.all(
      only.map(async (h) => {
        const notified = ctx.notified.get(h);
        if (failedBefore.has(h) || state.unreachable.has(h) || ctx.ended.has(h) || !notified || handlersToRun(play, notified).indexOf(handler) < 0) return;
        const cursor = new HostCursor(groupTaskSteps(handler.tasksByHost.get(h) ?? []));
        for (let step = cursor.current(); step; step = cursor.current()) {
          if (ctx.down.has(h) && !play.forceHandlers) break;
          record(ctx, cursor, step, await runStep(ctx, step, { handler: true }));
        }
        if (cursor.hasFailed) markFailed(ctx, h);
      }),
    );
    const reason = abortReasonOf(ctx);
    if (reason && !play.forceHandlers) return reason;
  }
  // Run once: a later flush, or the end of the play, runs only what is notified after this.
  for (const h of only) ctx.notified.delete(h);
  return undefined;
}
