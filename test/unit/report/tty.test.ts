import { describe, expect, it } from 'vitest';
import { createWritable } from 'listr2';
import { EventBus } from '../../../core/events.js';
import { TtyReporter } from '../../../report/tty.js';

function capture(): { out: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const out = createWritable((chunk) => (text += chunk)) as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

const MB = 1024 * 1024;

describe('TtyReporter (listr2 test renderer)', () => {
  it('shows each host with its task, pull progress with bytes, speed and ETA, then collapses to counts', async () => {
    const { out, text } = capture();
    const reporter = new TtyReporter({ out, verbosity: 0, renderer: 'test' });
    const bus = new EventBus();
    bus.subscribe((e) => reporter.handle(e));
    const t0 = 1_000_000;
    bus.emit({ event: 'run_start', schema_version: 1, time: t0, check: false, plays: 1, hosts: ['node1', 'node2'] });
    bus.emit({ event: 'play_start', time: t0, play: 'warm up', hosts: ['node1', 'node2'] });
    await new Promise((r) => setTimeout(r, 20));
    for (const host of ['node1', 'node2']) {
      bus.emit({ event: 'host_start', time: t0, host, play: 'warm up' });
      bus.emit({
        event: 'task_start',
        time: t0,
        host,
        task: 'pull app images',
        task_id: `0:0:${host}`,
        module: 'images',
        args: {},
        no_log: false,
        handler: false,
      });
    }
    bus.emit({ event: 'pull_progress', time: t0, host: 'node1', image: 'reg:5000/hound/app0:latest', layer: 'aaa', status: 'Pulling fs layer' });
    bus.emit({
      event: 'pull_progress',
      time: t0 + 2000,
      host: 'node1',
      image: 'reg:5000/hound/app0:latest',
      layer: 'aaa',
      status: 'Downloading',
      current: 2 * MB,
      total: 8 * MB,
    });
    await new Promise((r) => setTimeout(r, 20));
    const during = text();
    expect(during).toContain('node1: TASK pull app images');
    expect(during).toContain('node2: TASK pull app images');
    // 2 MB of 8 MB in 2 s: 1 MB/s, 6 s left.
    expect(during).toContain('reg:5000/hound/app0:latest  2.00 MiB / 8.00 MiB  1.00 MiB/s  ETA 6s');

    bus.emit({
      event: 'task_result',
      time: t0 + 3000,
      host: 'node1',
      task: 'pull app images',
      task_id: '0:0:node1',
      module: 'images',
      status: 'changed',
      ignored: false,
      check: false,
      msg: 'pulled',
      bytes: 8 * MB,
      duration_ms: 3000,
      result: {},
      no_log: false,
      handler: false,
    });
    bus.emit({
      event: 'task_result',
      time: t0 + 3000,
      host: 'node2',
      task: 'pull app images',
      task_id: '0:0:node2',
      module: 'images',
      status: 'failed',
      ignored: false,
      check: false,
      msg: 'registry said no',
      bytes: 0,
      duration_ms: 3000,
      result: {},
      no_log: false,
      handler: false,
    });
    bus.emit({ event: 'host_done', time: t0 + 3000, host: 'node1', play: 'warm up' });
    bus.emit({ event: 'host_done', time: t0 + 3000, host: 'node2', play: 'warm up' });
    await reporter.close();
    const all = text();
    const events = all
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string; data: unknown });
    const titles = events.filter((e) => e.event === 'TITLE').map((e) => e.data);
    expect(titles).toContain('node1: ok=1 changed=1 pulled 8.00 MiB 3.0s');
    expect(titles).toContain('node2: ok=0 changed=0 failed=1 pulled 0 B 3.0s');
    expect(events.filter((e) => e.event === 'STATE').map((e) => e.data)).toEqual(['STARTED', 'STARTED', 'COMPLETED', 'FAILED']);
    expect(events).toContainEqual({ event: 'MESSAGE', data: { error: 'pull app images: registry said no' } });
    expect(all).toMatch(/node1 +: ok=1 +changed=1 +unreachable=0 +failed=0/);
    expect(all).toMatch(/node2 +: ok=0 +changed=0 +unreachable=0 +failed=1/);
  });
});
