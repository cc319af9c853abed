// meta tasks in the scheduler, as ansible-playbook 2.14 runs them (checked on it): flush_handlers
// runs what is notified so far, end_host takes a host out of the play, end_batch and end_play
// stop without running notified handlers; none of them counts in the recap.
import { describe, expect, it } from 'vitest';
import type { TaskInstance } from '../../../playbook/compiled.js';
import { runPlay, type RunHostState, type TaskOutcome, type TaskRunner } from '../../../core/scheduler.js';
import { RecapCollector } from '../../../core/recap.js';
import type { MetaAction } from '../../../modules/implementation.js';
import { play, task } from './play-fixture.js';

class MetaRunner implements TaskRunner {
  readonly log: string[] = [];
  constructor(private readonly meta: (t: TaskInstance) => MetaAction | undefined) {}
  async runTask(items: TaskInstance[], { handler }: { handler: boolean }): Promise<TaskOutcome> {
    const t = items[0];
    this.log.push(`${handler ? 'H:' : ''}${t.host}:${t.taskIndex}`);
    await new Promise((r) => setTimeout(r, 1));
    const meta = this.meta(t);
    return { status: meta ? 'ok' : t.notify.length > 0 ? 'changed' : 'ok', ignored: false, meta };
  }
}

const fresh = (): RunHostState => ({ failed: new Set(), unreachable: new Set() });

/** Hosts a and b; task 0 notifies `h`, task 1 is the meta under test, task 2 follows. */
function notifyingPlay(hosts = ['a', 'b'], extra: Parameters<typeof play>[2] = {}) {
  const p = play(hosts, 3, extra);
  for (const h of hosts) p.tasksByHost.get(h)![0].notify = ['h'];
  p.handlers = [{ name: 'h', listen: [], tasksByHost: new Map(hosts.map((h) => [h, [task(h, 100, { name: 'h' })]])) }];
  return p;
}

describe('meta in the scheduler', () => {
  it('flush_handlers runs the notified handlers there, and not again at the end', async () => {
    const runner = new MetaRunner((t) => (t.taskIndex === 1 ? 'flush_handlers' : undefined));
    await runPlay(notifyingPlay(), runner, fresh());
    expect(runner.log).toEqual(['a:0', 'b:0', 'a:1', 'b:1', 'H:a:100', 'H:b:100', 'a:2', 'b:2']);
  });

  it('end_host ends the play for that host only, without its handlers', async () => {
    const runner = new MetaRunner((t) => (t.taskIndex === 1 && t.host === 'a' ? 'end_host' : undefined));
    const outcome = await runPlay(notifyingPlay(), runner, fresh());
    expect(runner.log).toEqual(['a:0', 'b:0', 'a:1', 'b:1', 'b:2', 'H:b:100']);
    expect(outcome).toMatchObject({ aborted: false });
  });

  it('end_play stops every host and the later batches, and no handler runs', async () => {
    const runner = new MetaRunner((t) => (t.taskIndex === 1 ? 'end_play' : undefined));
    const outcome = await runPlay(notifyingPlay(['a', 'b', 'c'], { batches: [['a', 'b'], ['c']] }), runner, fresh());
    expect(runner.log).toEqual(['a:0', 'b:0', 'a:1', 'b:1']);
    expect(outcome).toEqual({ aborted: false, ended: true });
  });

  it('end_batch stops this batch without handlers; the next batch runs', async () => {
    const runner = new MetaRunner((t) => (t.taskIndex === 1 && t.host !== 'c' ? 'end_batch' : undefined));
    await runPlay(notifyingPlay(['a', 'b', 'c'], { batches: [['a', 'b'], ['c']] }), runner, fresh());
    expect(runner.log).toEqual(['a:0', 'b:0', 'a:1', 'b:1', 'c:0', 'c:1', 'c:2', 'H:c:100']);
  });

  it('under the free strategy, flush_handlers runs that host’s handlers', async () => {
    const runner = new MetaRunner((t) => (t.taskIndex === 1 ? 'flush_handlers' : undefined));
    await runPlay(notifyingPlay(['a'], { strategy: 'free' }), runner, fresh());
    expect(runner.log).toEqual(['a:0', 'a:1', 'H:a:100', 'a:2']);
  });

  it('the recap counts no meta task, run or skipped', () => {
    const recap = new RecapCollector();
    const result = {
      event: 'task_result',
      time: 0,
      host: 'a',
      task: 'meta',
      task_id: '0:1:a',
      ignored: false,
      check: false,
      msg: '',
      bytes: 0,
      duration_ms: 1,
      result: {},
      no_log: false,
      handler: false,
    } as const;
    recap.add({ ...result, module: 'meta', status: 'ok' });
    recap.add({ ...result, module: 'meta', status: 'skipped' });
    recap.add({ ...result, module: 'debug', status: 'ok' });
    expect(recap.snapshot().a).toMatchObject({ ok: 1, skipped: 0 });
  });
});
