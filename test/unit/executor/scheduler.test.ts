import { describe, expect, it } from 'vitest';
import type { TaskInstance } from '../../../playbook/compiled.js';
import { batchAbortReason, effectiveForks, groupTaskSteps, runPlay, type RunHostState, type TaskOutcome, type TaskRunner } from '../../../core/scheduler.js';
import { play, task } from './play-fixture.js';

/** A plain in-memory runner: records what ran when, answers with scripted statuses. */
class RecordingRunner implements TaskRunner {
  readonly log: string[] = [];
  active = 0;
  maxActive = 0;
  constructor(
    private readonly outcome: (t: TaskInstance) => TaskOutcome = () => ({ status: 'ok', ignored: false }),
    /** How long a task takes: milliseconds, or a promise it waits for. */
    private readonly delayMs: (t: TaskInstance) => number | Promise<unknown> = () => 1,
  ) {}
  async runTask(items: TaskInstance[], { handler }: { handler: boolean }): Promise<TaskOutcome> {
    const t = items[0];
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    this.log.push(`${handler ? 'H:' : ''}${t.host}:${t.taskIndex}${items.length > 1 ? `x${items.length}` : ''}`);
    const delay = this.delayMs(t);
    await (typeof delay === 'number' ? new Promise((r) => setTimeout(r, delay)) : delay);
    this.active--;
    return this.outcome(t);
  }
}

const fresh = (): RunHostState => ({ failed: new Set(), unreachable: new Set() });

describe('pure decisions', () => {
  it('defaults forks to the batch size, capped at 50', () => {
    expect(effectiveForks(undefined, 4)).toBe(4);
    expect(effectiveForks(undefined, 200)).toBe(50);
    expect(effectiveForks(7, 200)).toBe(7);
    expect(effectiveForks(0, 3)).toBe(1);
  });

  it('stops a batch as Ansible does', () => {
    const base = { anyErrorsFatal: false, maxFailPercentage: undefined };
    expect(batchAbortReason(4, 0, { ...base, anyErrorsFatal: true })).toBeUndefined();
    expect(batchAbortReason(4, 1, { ...base, anyErrorsFatal: true })).toMatch(/any_errors_fatal/);
    expect(batchAbortReason(4, 1, { ...base, maxFailPercentage: 25 })).toBeUndefined(); // 25% is not above 25%
    expect(batchAbortReason(4, 2, { ...base, maxFailPercentage: 25 })).toMatch(/max_fail_percentage 25%/);
    expect(batchAbortReason(4, 3, base)).toBeUndefined();
    expect(batchAbortReason(4, 4, base)).toMatch(/all hosts/);
  });

  it('groups loop items of one task into one step', () => {
    const steps = groupTaskSteps([task('a', 0), task('a', 1, { loopItem: 1 }), task('a', 1, { loopItem: 2 }), task('a', 2)]);
    expect(steps.map((s) => s.length)).toEqual([1, 2, 1]);
  });
});

describe('runPlay', () => {
  it('linear: every host finishes a task before any host starts the next', async () => {
    const runner = new RecordingRunner(undefined, (t) => (t.host === 'a' ? 15 : 1));
    await runPlay(play(['a', 'b', 'c'], 3), runner, fresh());
    const indexes = runner.log.map((l) => Number(l.split(':')[1]));
    expect(indexes).toEqual([...indexes].sort());
    expect(runner.log).toHaveLength(9);
  });

  it('free: a fast host runs ahead of a slow one', async () => {
    // The slow host's first task lasts until the fast host has started its last one (or,
    // should the strategy wait for it, 2 s): no race between timers, however loaded the machine.
    let fastDone: () => void = () => undefined;
    const fastReachedTheEnd = new Promise<void>((resolve) => (fastDone = resolve));
    const runner = new RecordingRunner(undefined, (t) => {
      if (t.host === 'fast' && t.taskIndex === 2) fastDone();
      return t.host === 'slow' && t.taskIndex === 0 ? Promise.race([fastReachedTheEnd, new Promise((r) => setTimeout(r, 2000))]) : Promise.resolve();
    });
    await runPlay(play(['slow', 'fast'], 3, { strategy: 'free' }), runner, fresh());
    expect(runner.log.indexOf('fast:2')).toBeLessThan(runner.log.indexOf('slow:1'));
    expect(runner.log).toHaveLength(6);
  });

  it('forks bounds how many hosts run a task at once', async () => {
    const runner = new RecordingRunner(undefined, () => 5);
    await runPlay(play(['a', 'b', 'c', 'd', 'e'], 2), runner, fresh(), { forks: 2 });
    expect(runner.maxActive).toBe(2);
    const all = new RecordingRunner(undefined, () => 5);
    await runPlay(play(['a', 'b', 'c', 'd', 'e'], 2), all, fresh());
    expect(all.maxActive).toBe(5);
  });

  it('serial batches: the second batch starts after the first is done', async () => {
    const runner = new RecordingRunner();
    await runPlay(play(['a', 'b', 'c'], 2, { batches: [['a'], ['b', 'c']] }), runner, fresh());
    expect(runner.log.slice(0, 2)).toEqual(['a:0', 'a:1']);
    expect(runner.log.slice(2).sort()).toEqual(['b:0', 'b:1', 'c:0', 'c:1']);
  });

  it('a failed host stops running tasks; the others go on; later plays skip it', async () => {
    const state = fresh();
    const runner = new RecordingRunner((t) => ({ status: t.host === 'b' && t.taskIndex === 0 ? 'failed' : 'ok', ignored: false }));
    const outcome = await runPlay(play(['a', 'b', 'c'], 3), runner, state);
    expect(outcome.aborted).toBe(false);
    expect(runner.log.filter((l) => l.startsWith('b:'))).toEqual(['b:0']);
    expect(runner.log.filter((l) => l.startsWith('a:'))).toHaveLength(3);
    expect([...state.failed]).toEqual(['b']);
    const next = new RecordingRunner();
    await runPlay(play(['a', 'b', 'c'], 1), next, state);
    expect(next.log.sort()).toEqual(['a:0', 'c:0']);
  });

  it('ignored failures do not stop the host', async () => {
    const state = fresh();
    const runner = new RecordingRunner((t) => ({ status: t.taskIndex === 0 ? 'failed' : 'ok', ignored: true }));
    await runPlay(play(['a'], 3), runner, state);
    expect(runner.log).toEqual(['a:0', 'a:1', 'a:2']);
    expect(state.failed.size).toBe(0);
  });

  it('an unreachable host stops and is recorded as unreachable', async () => {
    const state = fresh();
    const runner = new RecordingRunner((t) => ({ status: t.host === 'a' ? 'unreachable' : 'ok', ignored: false }));
    await runPlay(play(['a', 'b'], 2), runner, state);
    expect(runner.log.filter((l) => l.startsWith('a:'))).toEqual(['a:0']);
    expect([...state.unreachable]).toEqual(['a']);
  });

  it('any_errors_fatal ends the play for every host after the failing task', async () => {
    const runner = new RecordingRunner((t) => ({ status: t.host === 'b' ? 'failed' : 'ok', ignored: false }));
    const outcome = await runPlay(play(['a', 'b', 'c'], 3, { anyErrorsFatal: true }), runner, fresh());
    expect(outcome).toEqual({ aborted: true, abortReason: 'any_errors_fatal: a host failed' });
    expect(runner.log.sort()).toEqual(['a:0', 'b:0', 'c:0']);
  });

  it('max_fail_percentage aborts the play and its remaining batches', async () => {
    const runner = new RecordingRunner((t) => ({ status: t.host === 'a' || t.host === 'b' ? 'failed' : 'ok', ignored: false }));
    const outcome = await runPlay(play(['a', 'b', 'c', 'd', 'e'], 2, { maxFailPercentage: 40, batches: [['a', 'b', 'c', 'd'], ['e']] }), runner, fresh());
    expect(outcome.aborted).toBe(true);
    expect(outcome.abortReason).toMatch(/2 of 4/);
    expect(runner.log.some((l) => l.startsWith('e:'))).toBe(false);
  });

  it('runs a handler once at the end, only on hosts whose notifying task changed', async () => {
    const p = play(['a', 'b'], 2);
    p.tasksByHost.get('a')![0].notify = ['restart'];
    p.tasksByHost.get('b')![0].notify = ['restart'];
    p.handlers = [
      { name: 'restart', listen: [], tasksByHost: new Map(['a', 'b'].map((h) => [h, [task(h, 100, { name: 'restart' })]])) },
      { name: 'other', listen: ['topic'], tasksByHost: new Map(['a', 'b'].map((h) => [h, [task(h, 101, { name: 'other' })]])) },
    ];
    const runner = new RecordingRunner((t) => ({ status: t.host === 'a' && t.taskIndex === 0 ? 'changed' : 'ok', ignored: false }));
    await runPlay(p, runner, fresh());
    expect(runner.log.filter((l) => l.startsWith('H:'))).toEqual(['H:a:100']);
    expect(runner.log.at(-1)).toBe('H:a:100');
  });

  it('an aborted signal stops scheduling new tasks', async () => {
    const controller = new AbortController();
    const runner = new RecordingRunner((t) => {
      if (t.taskIndex === 0) controller.abort();
      return { status: 'ok', ignored: false };
    });
    const outcome = await runPlay(play(['a', 'b'], 3), runner, fresh(), { signal: controller.signal });
    expect(outcome).toEqual({ aborted: true, abortReason: 'interrupted' });
    expect(runner.log.every((l) => l.endsWith(':0'))).toBe(true);
  });
});

describe('createPullLimits', () => {
  it('caps pulls per registry across hosts and per host across registries', async () => {
    const { createPullLimits } = await import('../../../core/scheduler.js');
    const limits = createPullLimits(2, 5);
    const active = { registry: new Map<string, number>(), host: new Map<string, number>() };
    const peak = { registry: new Map<string, number>(), host: new Map<string, number>() };
    const bump = (kind: 'registry' | 'host', key: string, by: number) => {
      const now = (active[kind].get(key) ?? 0) + by;
      active[kind].set(key, now);
      peak[kind].set(key, Math.max(peak[kind].get(key) ?? 0, now));
    };
    const pull = (host: string, registry: string) =>
      limits.pull(host, registry, async () => {
        bump('registry', registry, 1);
        bump('host', host, 1);
        await new Promise((r) => setTimeout(r, 5));
        bump('registry', registry, -1);
        bump('host', host, -1);
      });
    const jobs: Promise<void>[] = [];
    for (const host of ['n1', 'n2', 'n3', 'n4']) for (let i = 0; i < 4; i++) jobs.push(pull(host, i < 3 ? 'reg-a' : 'reg-b'));
    await Promise.all(jobs);
    expect(peak.registry.get('reg-a')).toBe(5);
    expect(Math.max(...peak.host.values())).toBe(2);
  });

  it('takes no registry slot for a fanned-out host, unless the pull goes to the registry itself', async () => {
    const { createPullLimits } = await import('../../../core/scheduler.js');
    const asked: string[] = [];
    // Hosts n1..n6 fan out; n7 and n8 do not.
    const limits = createPullLimits(2, 3, async (host) => {
      asked.push(host);
      await new Promise((r) => setTimeout(r, 1));
      return host !== 'n7' && host !== 'n8';
    });
    let active = 0;
    let peak = 0;
    const work = async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 10));
      active -= 1;
    };
    // Six fanned-out hosts, two pulls each: all 12 at once (2 per host), past the 3 registry slots.
    await Promise.all(['n1', 'n2', 'n3', 'n4', 'n5', 'n6'].flatMap((h) => [limits.pull(h, 'reg', work), limits.pull(h, 'reg', work)]));
    expect(peak).toBe(12);
    // The same pulls marked direct, and hosts that do not fan out, stay within the registry's 3.
    peak = 0;
    await Promise.all(['n1', 'n2', 'n3', 'n4'].flatMap((h) => [limits.pull(h, 'reg', work, { direct: true }), limits.pull(h, 'reg', work, { direct: true })]));
    expect(peak).toBe(3);
    peak = 0;
    await Promise.all(['n7', 'n8'].flatMap((h) => [limits.pull(h, 'reg', work), limits.pull(h, 'reg', work)]));
    expect(peak).toBe(3);
    // A direct pull does not ask (the run's decision is not awaited for it).
    expect(asked.filter((h) => h === 'n1')).toHaveLength(2);
  });
});
