import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_VERSION, type HoundEvent } from '../../../core/events.js';
import { LiveHosts } from '../../../report/live-hosts.js';
import { layoutFrame, PLAIN_MARKS, type TerminalSize } from '../../../report/live-layout.js';
import type { RegionLine } from '../../../report/terminal-region.js';
import { textColumns } from '../../../report/terminal-text.js';

const MiB = 1024 * 1024;
const T0 = 1_700_000_000_000;

function taskStart(host: string, time: number, task = 'pull the images'): HoundEvent {
  return { event: 'task_start', time, host, task, task_id: `0:0:${host}`, module: 'images', args: {}, no_log: false, handler: false };
}

function progress(host: string, image: string, current: number, total: number, time: number): HoundEvent {
  return { event: 'pull_progress', time, host, image, layer: `${image}-layer`, status: 'Downloading', current, total };
}

/** A play on `names`, every host started on its task at T0. */
function playOf(names: string[]): LiveHosts {
  const hosts = new LiveHosts();
  hosts.handle({ event: 'run_start', time: T0, schema_version: EVENT_SCHEMA_VERSION, check: false, plays: 1, hosts: names });
  hosts.handle({ event: 'play_start', time: T0, play: 'warm up', hosts: names });
  return hosts;
}

const render = (l: RegionLine) => (l.mark === undefined ? l.text : `${l.mark} ${l.text}`);

function frame(hosts: LiveHosts, size: TerminalSize, now: number, shown = new Set<never>()) {
  const f = layoutFrame({ hosts, size, now, speed: 2 * MiB, shown, marks: PLAIN_MARKS });
  for (const line of f.lines) expect(textColumns(render(line)), render(line)).toBeLessThanOrEqual(size.columns - 1);
  expect(f.lines.length).toBeLessThanOrEqual(size.rows - 1);
  return { ...f, text: f.lines.map(render) };
}

describe('the live view layout', () => {
  it('shows every host and each pull when they fit: bytes, speed and ETA, the summary on top', () => {
    const hosts = playOf(['node1', 'node2', 'node3', 'node4']);
    for (const h of ['node1', 'node2', 'node3']) hosts.handle(taskStart(h, T0));
    hosts.handle(progress('node1', 'reg:5000/app0:latest', 0, 8 * MiB, T0));
    hosts.handle(progress('node1', 'reg:5000/app0:latest', 2 * MiB, 8 * MiB, T0 + 2000));
    hosts.handle(progress('node2', 'reg:5000/app1:latest', 0, 4 * MiB, T0));
    hosts.handle(progress('node2', 'reg:5000/app1:latest', 4 * MiB, 4 * MiB, T0 + 1000));
    hosts.handle({ ...resultOf('node2', 'changed', 4 * MiB), time: T0 + 1000 });
    hosts.handle({ event: 'host_done', time: T0 + 1000, host: 'node2', play: 'warm up' });
    const { text } = frame(hosts, { rows: 24, columns: 80 }, T0 + 2000);
    expect(text[0]).toBe('1/4 hosts done  2 active  0 failed  6.00 MiB/12.0 MiB  2.00 MiB/s  ETA 3s  2s');
    expect(text[1]).toMatch(/^> node1 {2}2\.00 MiB \/ 8\.00 MiB +1\.00 MiB\/s +ETA 6s +pull the images$/);
    expect(text[2]).toBe('    reg:5000/app0:latest  2.00 MiB / 8.00 MiB  1.00 MiB/s  ETA 6s');
    expect(text[3]).toBe('+ node2  done  4.00 MiB  1s');
    expect(text[4]).toMatch(/^> node3 {2}2s +pull the images$/);
    expect(text[5]).toBe('. node4  waiting');
    expect(text).toHaveLength(6);
  });

  it('with more hosts than rows: the summary, then the hosts still pulling longest (stalled first), in inventory order', () => {
    const names = Array.from({ length: 50 }, (_, i) => `host${String(i).padStart(2, '0')}`);
    const hosts = playOf(names);
    // host00..host29 pull at speeds rising with the index: the low indexes will take longest.
    names.slice(0, 30).forEach((h, i) => {
      hosts.handle(taskStart(h, T0));
      hosts.handle(progress(h, 'reg:5000/app:latest', 0, 100 * MiB, T0));
      hosts.handle(progress(h, 'reg:5000/app:latest', (i + 1) * MiB, 100 * MiB, T0 + 1000));
    });
    // host40 stalled: it announced its bytes and got none.
    hosts.handle(taskStart('host40', T0));
    hosts.handle(progress('host40', 'reg:5000/app:latest', 0, 100 * MiB, T0));
    for (const h of names.slice(30, 35)) {
      hosts.handle({ ...resultOf(h, 'changed', MiB), time: T0 });
      hosts.handle({ event: 'host_done', time: T0, host: h, play: 'warm up' });
    }
    hosts.handle({ ...resultOf('host35', 'failed', 0), time: T0 });
    const { text, shown } = frame(hosts, { rows: 24, columns: 80 }, T0 + 1000);
    expect(text).toHaveLength(23);
    expect(text[0]).toMatch(/^5\/50 hosts done {2}31 active {2}1 failed {2}/);
    const rows = text.slice(1).map((l) => l.split(/\s+/)[1]);
    // The stalled host, then the 21 slowest of the pulling ones, listed in inventory order.
    expect(rows).toEqual([...names.slice(0, 21), 'host40']);
    expect(text[22]).toMatch(/^> host40 +0 B \/ 100\.0 MiB +0 B\/s +stalled/);
    expect(shown.size).toBe(22);
  });

  it('keeps a host on screen while it runs unless another is clearly slower', () => {
    const names = ['a', 'b', 'c', 'd'];
    const hosts = playOf(names);
    names.forEach((h) => hosts.handle(taskStart(h, T0)));
    const pull = (h: string, mib: number) => {
      hosts.handle(progress(h, 'reg:5000/x:1', 0, 100 * MiB, T0));
      hosts.handle(progress(h, 'reg:5000/x:1', mib * MiB, 100 * MiB, T0 + 10_000));
    };
    pull('a', 10);
    pull('b', 11);
    pull('c', 50);
    pull('d', 50);
    const size = { rows: 4, columns: 80 };
    const first = frame(hosts, size, T0 + 10_000);
    expect(first.text.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['a', 'b']);
    // b becomes a little faster than c: not enough to swap rows. Then far faster: it goes.
    pull('c', 12);
    const second = frame(hosts, size, T0 + 10_000, first.shown as Set<never>);
    expect(second.text.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['a', 'b']);
    pull('b', 80);
    const third = frame(hosts, size, T0 + 10_000, second.shown as Set<never>);
    expect(third.text.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['a', 'c']);
  });

  it('fits any size, down to a terminal of one row, and any names', () => {
    const names = ['node-with-a-rather-long-name-that-goes-on-and-on.example.internal', '节点一', 'n3'];
    const hosts = playOf(names);
    hosts.handle(taskStart('节点一', T0, '拉取镜像 — a task name in two scripts, long enough to be cut somewhere'));
    hosts.handle(progress('节点一', 'registry.example.internal:5000/some/deep/path/image:tag', 1, 10 * MiB, T0 + 10));
    for (const rows of [1, 2, 3, 5, 24]) for (const columns of [1, 2, 10, 20, 80]) frame(hosts, { rows, columns }, T0 + 1000);
    expect(frame(hosts, { rows: 1, columns: 80 }, T0).lines).toEqual([]);
    expect(frame(hosts, { rows: 2, columns: 80 }, T0).text).toHaveLength(1);
  });
});

function resultOf(host: string, status: 'changed' | 'failed', bytes: number) {
  return {
    event: 'task_result' as const,
    host,
    task: 'pull the images',
    task_id: `0:0:${host}`,
    module: 'images',
    status,
    ignored: false,
    check: false,
    msg: status === 'failed' ? 'registry said no' : 'pulled',
    bytes,
    duration_ms: 1000,
    result: {},
    no_log: false,
    handler: false,
  };
}
