import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENT_SCHEMA_VERSION, EventBus } from '../../../core/events.js';
import { RecapCollector } from '../../../core/recap.js';
import { TtyReporter } from '../../../report/tty.js';
import { TerminalScreen } from '../../fixtures/terminal-screen.js';

const MiB = 1024 * 1024;

/** What the reporter writes to: a terminal of a size, whose bytes a test reads back through an emulator. */
class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  writes: string[] = [];
  constructor(
    public rows: number,
    public columns: number,
  ) {
    super();
  }
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
  get text(): string {
    return this.writes.join('');
  }
}

function result(host: string, status: 'changed' | 'failed', bytes: number, msg: string) {
  return {
    event: 'task_result' as const,
    host,
    task: 'pull the images',
    task_id: `0:0:${host}`,
    module: 'images',
    status,
    ignored: false,
    check: false,
    msg,
    bytes,
    duration_ms: 3000,
    result: {},
    no_log: false,
    handler: false,
  };
}

describe('TtyReporter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function start(rows: number, columns: number, hosts: string[]) {
    const out = new FakeTerminal(rows, columns);
    const reporter = new TtyReporter({ out: out as unknown as NodeJS.WriteStream, verbosity: 0 });
    const bus = new EventBus();
    const recap = new RecapCollector(bus);
    bus.subscribe((e) => reporter.handle(e));
    const emit = (e: Parameters<EventBus['emit']>[0]) => bus.emit(e);
    emit({ event: 'run_start', schema_version: EVENT_SCHEMA_VERSION, check: false, plays: 1, hosts });
    emit({ event: 'play_start', play: 'warm up', hosts });
    for (const host of hosts) {
      emit({ event: 'host_start', host, play: 'warm up' });
      emit({ event: 'task_start', host, task: 'pull the images', task_id: `0:0:${host}`, module: 'images', args: {}, no_log: false, handler: false });
    }
    const finish = (exit = 0) =>
      emit({
        event: 'summary',
        schema_version: EVENT_SCHEMA_VERSION,
        hosts: recap.snapshot(),
        duration_s: 3,
        check: false,
        interrupted: false,
        exit_code: exit,
      });
    return { out, reporter, emit, finish };
  }

  it('draws at most 10 frames a second however many events come, and none when nothing changes', async () => {
    const { out, emit, reporter } = start(24, 80, ['node1', 'node2']);
    const frames = () => out.writes.filter((w) => w.includes('\x1b[?2026h')).length;
    // 2 s of progress, an event every 2 ms from each host.
    for (let t = 0; t < 2000; t += 2) {
      for (const host of ['node1', 'node2'])
        emit({ event: 'pull_progress', host, image: 'reg:5000/app:1', layer: 'l1', status: 'Downloading', current: t * 1000, total: 4 * MiB });
      await vi.advanceTimersByTimeAsync(2);
    }
    expect(frames()).toBeGreaterThanOrEqual(15);
    expect(frames()).toBeLessThanOrEqual(21);
    for (const host of ['node1', 'node2']) {
      emit(result(host, 'changed', 4 * MiB, 'pulled'));
      emit({ event: 'host_done', host, play: 'warm up' });
    }
    await vi.advanceTimersByTimeAsync(200);
    const settled = out.writes.length;
    // Nothing runs any more: ten seconds of quiet write nothing.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(out.writes.length).toBe(settled);
    await reporter.close();
  });

  it('prints failures above the view, ends with the recap and leaves nothing of the view behind', async () => {
    const hosts = Array.from({ length: 50 }, (_, i) => `node${i + 1}`);
    const { out, emit, finish, reporter } = start(24, 80, hosts);
    for (const [i, host] of hosts.entries())
      emit({ event: 'pull_progress', host, image: 'reg:5000/app:1', layer: 'l1', status: 'Downloading', current: i * 1000, total: 4 * MiB });
    await vi.advanceTimersByTimeAsync(500);
    emit(result('node7', 'failed', 0, 'registry said no'));
    emit({ event: 'host_done', host: 'node7', play: 'warm up' });
    await vi.advanceTimersByTimeAsync(500);
    // The emulator parses on its own timers; from here on the reporter draws on calls alone.
    vi.useRealTimers();

    const screen = new TerminalScreen(24, 80);
    await screen.write(out.text);
    const lines = screen.logicalLines();
    expect(lines.slice(0, 3)).toEqual([
      '',
      'TASK [pull the images] *************************************************',
      'fatal: [node7]: FAILED! => registry said no',
    ]);
    // The view fills the screen but its last row, the cursor's: what scrolled off is the printed lines only.
    expect(screen.scrollback()).toEqual(lines.slice(0, 3));
    expect(screen.screen()[0]).toMatch(/^0\/50 hosts done {2}49 active {2}1 failed {2}/);
    expect(
      screen
        .screen()
        .slice(1, 23)
        .every((l) => /^[›✖·✔>x.+] node\d+ /.test(l)),
    ).toBe(true);
    expect(screen.screen()[23]).toBe('');

    for (const host of hosts.filter((h) => h !== 'node7')) {
      emit(result(host, 'changed', 4 * MiB, 'pulled'));
      emit({ event: 'host_done', host, play: 'warm up' });
    }
    finish(2);
    await reporter.close();
    const end = new TerminalScreen(24, 80);
    await end.write(out.text);
    const final = end.logicalLines();
    expect(final.slice(0, 5)).toEqual([
      '',
      'TASK [pull the images] *************************************************',
      'fatal: [node7]: FAILED! => registry said no',
      '',
      'PLAY RECAP ' + '*'.repeat(60),
    ]);
    expect(final.slice(5, 55).map((l) => l.split(' ')[0])).toEqual(hosts);
    expect(final.slice(55)).toEqual(['', '50 hosts, 196.0 MiB pulled in 3.0s']);
    // The cursor, hidden while the view drew, is back.
    expect(out.text.lastIndexOf('\x1b[?25h')).toBeGreaterThan(out.text.lastIndexOf('\x1b[?25l'));
  });

  it("prints a module's warnings above the view, with the task's line, though an ok or changed line alone is not printed", async () => {
    const { out, emit, finish, reporter } = start(24, 80, ['node1', 'node2']);
    emit({ ...result('node1', 'changed', 0, 'pushed'), result: { warnings: ['Destination changed to quay.io/acme'] } });
    emit(result('node2', 'changed', 0, 'pushed'));
    for (const host of ['node1', 'node2']) emit({ event: 'host_done', host, play: 'warm up' });
    finish(0);
    await reporter.close();
    vi.useRealTimers();
    const screen = new TerminalScreen(24, 80);
    await screen.write(out.text);
    expect(screen.logicalLines().slice(0, 4)).toEqual([
      '',
      'TASK [pull the images] *************************************************',
      '[WARNING]: Destination changed to quay.io/acme',
      'changed: [node1] => pushed',
    ]);
    expect(out.text).not.toContain('changed: [node2]');
  });

  it('follows a resize: the next frame is for the new size, and the old one is gone', async () => {
    const { out, emit, finish, reporter } = start(50, 200, ['node1', 'node2', 'node3', 'node4']);
    emit({
      event: 'pull_progress',
      host: 'node1',
      image: 'registry.example:5000/'.padEnd(120, 'x') + ':1',
      layer: 'l1',
      status: 'Downloading',
      current: 1,
      total: 4 * MiB,
    });
    await vi.advanceTimersByTimeAsync(200);
    vi.useRealTimers();
    const screen = new TerminalScreen(50, 200);
    await screen.write(out.text);
    const drawn = out.writes.length;
    out.rows = 24;
    out.columns = 60;
    screen.resize(24, 60);
    out.emit('resize');
    await screen.write(out.writes.slice(drawn).join(''));
    expect(screen.wrappedScreenRows()).toEqual([]);
    expect(screen.logicalLines().every((l) => l.length <= 59)).toBe(true);
    expect(screen.logicalLines()[0]).toMatch(/^0\/4 hosts done {2}4 active/);
    finish();
    await reporter.close();
    const end = new TerminalScreen(24, 60);
    await end.write(out.writes.slice(0, drawn).join(''));
    end.resize(24, 60);
    await end.write(out.writes.slice(drawn).join(''));
    expect(end.logicalLines()[0]).toBe('');
    expect(end.logicalLines()[1]).toBe('PLAY RECAP ' + '*'.repeat(60));
  });
});
