import { describe, expect, it } from 'vitest';
import { EventBus, SECRET_MASK, type HoundEvent } from '../../../core/events.js';
import { RecapCollector } from '../../../core/recap.js';
import { PlainReporter } from '../../../report/plain.js';
import { JsonReporter } from '../../../report/json.js';

function result(host: string, status: 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable', extra: Record<string, unknown> = {}) {
  return {
    event: 'task_result' as const,
    host,
    task: 'pull',
    task_id: `0:1:${host}`,
    module: 'image',
    status,
    ignored: false,
    check: false,
    msg: '',
    bytes: 0,
    duration_ms: 500,
    result: {},
    no_log: false,
    handler: false,
    ...extra,
  };
}

function script(bus: EventBus): void {
  bus.emit({ event: 'run_start', schema_version: 1, check: false, plays: 1, hosts: ['node1', 'node2', 'node3'] });
  bus.emit({ event: 'play_start', play: 'warm', hosts: ['node1', 'node2', 'node3'] });
  for (const host of ['node1', 'node2', 'node3'])
    bus.emit({ event: 'task_start', host, task: 'pull', task_id: `0:1:${host}`, module: 'image', args: { name: 'x' }, no_log: false, handler: false });
  bus.emit(result('node1', 'ok'));
  bus.emit(result('node2', 'changed', { msg: 'pulled x (2.0 MB)', bytes: 2 * 1024 * 1024 }));
  bus.emit(result('node3', 'failed', { msg: 'boom', ignored: true }));
}

describe('PlainReporter', () => {
  it('prints Ansible-like lines without colour codes', () => {
    let text = '';
    const bus = new EventBus();
    const reporter = new PlainReporter({ write: (s: string) => (text += s) }, 0);
    const recap = new RecapCollector(bus);
    bus.subscribe((e) => reporter.handle(e));
    script(bus);
    bus.emit({ event: 'summary', schema_version: 1, hosts: recap.snapshot(), duration_s: 1.5, check: false, interrupted: false, exit_code: 0 });
    expect(text).not.toMatch(/\x1b\[/);
    const lines = text.split('\n');
    expect(lines).toContain('PLAY [warm] ' + '*'.repeat(60));
    expect(lines.filter((l) => l.startsWith('TASK [pull]'))).toHaveLength(1);
    expect(lines).toContain('ok: [node1]');
    expect(lines).toContain('changed: [node2] => pulled x (2.0 MB)');
    expect(lines).toContain('fatal: [node3]: FAILED! => boom');
    expect(lines).toContain('...ignoring');
    expect(text).toMatch(/node2 +: ok=1 +changed=1 +unreachable=0 +failed=0 +skipped=0 +rescued=0 +ignored=0 +pulled=2\.00 MiB +time=0\.5s/);
    expect(text).toMatch(/node3 +: ok=1 +changed=0 +unreachable=0 +failed=0 +skipped=0 +rescued=0 +ignored=1/);
  });

  it("prints a module's warnings as Ansible does, before the task's line, and leaves them out of the -v result", () => {
    const lines = (verbosity: number, extra: Record<string, unknown>) => {
      let text = '';
      new PlainReporter({ write: (s: string) => (text += s) }, verbosity).handle({ time: 0, ...result('node1', 'changed', extra) });
      return text.split('\n').filter((l) => l !== '' && !l.startsWith('TASK ['));
    };
    const warned = { msg: 'pushed', result: { changed: true, warnings: ['Destination changed to quay.io/acme'] } };
    expect(lines(0, warned)).toEqual(['[WARNING]: Destination changed to quay.io/acme', 'changed: [node1] => pushed']);
    expect(lines(1, warned)).toEqual(['[WARNING]: Destination changed to quay.io/acme', 'changed: [node1] => {"changed":true}']);
    // A loop's items each carry their own.
    const items = { msg: '', result: { changed: true, results: [{ warnings: ['first'] }, {}, { warnings: ['third'] }] } };
    expect(lines(0, items)).toEqual(['[WARNING]: first', '[WARNING]: third', 'changed: [node1]']);
    expect(lines(0, { msg: '', result: { warnings: [] } })).toEqual(['changed: [node1]']);
  });

  it('shows what to do under an unreachable host', () => {
    let text = '';
    const reporter = new PlainReporter({ write: (s: string) => (text += s) }, 0);
    reporter.handle({
      time: 0,
      ...result('node4', 'unreachable', {
        msg: 'host key of 10.0.0.4 is not known',
        result: { unreachable: true, hint: 'add it to known_hosts, or pass --host-key-checking=accept-new' },
      }),
    });
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        'fatal: [node4]: UNREACHABLE! => host key of 10.0.0.4 is not known',
        '  hint: add it to known_hosts, or pass --host-key-checking=accept-new',
      ]),
    );
  });
});

describe('RecapCollector', () => {
  it('counts as Ansible does and sums bytes per host', () => {
    const bus = new EventBus();
    const recap = new RecapCollector(bus);
    script(bus);
    bus.emit(result('node1', 'skipped'));
    bus.emit(result('node1', 'unreachable'));
    bus.emit(result('node2', 'changed', { bytes: 100 }));
    const s = recap.snapshot();
    expect(s.node1).toMatchObject({ ok: 1, changed: 0, skipped: 1, unreachable: 1, failed: 0, bytes: 0 });
    expect(s.node2).toMatchObject({ ok: 2, changed: 2, bytes: 2 * 1024 * 1024 + 100, duration_s: 1 });
    expect(s.node3).toMatchObject({ ok: 1, ignored: 1, failed: 0 });
  });
});

describe('JsonReporter and the bus', () => {
  it('writes one parseable object per event, secrets masked before any reporter sees them', () => {
    let text = '';
    const bus = new EventBus();
    const reporter = new JsonReporter({ write: (s: string) => (text += s) });
    bus.subscribe((e) => reporter.handle(e));
    bus.addSecret('p4ssw0rd!');
    bus.emit({
      event: 'task_start',
      host: 'n',
      task: 'login',
      task_id: '0:0:n',
      module: 'registry_login',
      args: { registry: 'r', password: 'anything-at-all' },
      no_log: false,
      handler: false,
    });
    bus.emit({ event: 'detail', verbosity: 3, msg: 'sending Authorization with p4ssw0rd! inside' });
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HoundEvent);
    expect(events.map((e) => e.event)).toEqual(['task_start', 'detail']);
    expect(events[0]).toMatchObject({ args: { registry: 'r', password: SECRET_MASK } });
    expect(events[1]).toMatchObject({ msg: `sending Authorization with ${SECRET_MASK} inside` });
    expect(text).not.toContain('anything-at-all');
    expect(text).not.toContain('p4ssw0rd!');
  });
});

describe('PlainReporter under the free strategy', () => {
  it('puts every result under the header of its own task, repeating headers as hosts interleave', () => {
    let text = '';
    const reporter = new PlainReporter({ write: (s: string) => (text += s) }, 0);
    const r = (host: string, index: number, task: string) => ({ ...result(host, 'ok'), task, task_id: `0:${index}:${host}` });
    reporter.handle({ ...r('a', 0, 'one'), time: 1 });
    reporter.handle({ ...r('a', 1, 'two'), time: 2 });
    reporter.handle({ ...r('b', 0, 'one'), time: 3 });
    const lines = text.split('\n').filter((l) => l !== '');
    expect(lines).toEqual([
      expect.stringMatching(/^TASK \[one\] \*+$/),
      'ok: [a]',
      expect.stringMatching(/^TASK \[two\] \*+$/),
      'ok: [a]',
      expect.stringMatching(/^TASK \[one\] \*+$/),
      'ok: [b]',
    ]);
  });
});
