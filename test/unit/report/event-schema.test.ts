// The event stream of a real run (a playbook of controller modules: nothing to reach, so
// no lab) checked line by line against docs/schemas/events.schema.json.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAndCompile } from '../../../playbook/load-run.js';
import { executeRun } from '../../../core/run.js';
import { JsonReporter } from '../../../report/json.js';
import { schemaErrors } from '../../fixtures/schemas.js';

const PLAYBOOK = `
- hosts: all
  gather_facts: false
  tasks:
    - name: say
      debug: { msg: "hello {{ inventory_hostname }}" }
    - set_fact: { answer: 42 }
    - name: secret
      debug: { msg: hidden }
      no_log: true
    - name: fails on one host
      fail: { msg: "no" }
      when: inventory_hostname == 'b'
      ignore_errors: true
    - name: check
      assert: { that: [ "answer == 42" ] }
    - name: each
      debug: { msg: "item {{ item }}" }
      loop: [1, 2]
    - name: each, hidden
      debug: { msg: "item {{ item }}" }
      loop: [1, 2]
      no_log: true
`;

describe('the --json event stream', () => {
  it('conforms to docs/schemas/events.schema.json, with snake_case keys and the schema version first and last', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hound-events-'));
    writeFileSync(path.join(dir, 'play.yml'), PLAYBOOK);
    writeFileSync(path.join(dir, 'hosts.ini'), 'a\nb\n');
    const { compiled, inventory } = await loadAndCompile([path.join(dir, 'play.yml')], { inventory: [path.join(dir, 'hosts.ini')] });
    let text = '';
    const code = await executeRun(compiled[0], {
      inventory,
      check: false,
      diff: false,
      verbosity: 2,
      reporter: new JsonReporter({ write: (s: string) => (text += s) }),
    });
    expect(code).toBe(0);
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(new Set(events.map((e) => e.event))).toEqual(
      new Set(['run_start', 'play_start', 'host_start', 'task_start', 'task_result', 'task_item', 'detail', 'host_done', 'summary']),
    );
    for (const e of events) expect(schemaErrors('events', e), JSON.stringify(e)).toEqual([]);
    expect(events[0]).toMatchObject({ event: 'run_start', schema_version: 2 });
    expect(events.at(-1)).toMatchObject({ event: 'summary', schema_version: 2 });
    // Each loop item as it ends, before its task's result; a no_log item's values censored.
    const each = events.filter((e) => e.host === 'a' && typeof e.task === 'string' && e.task.startsWith('each'));
    expect(each.map((e) => `${String(e.event)} ${String(e.task)}`)).toEqual([
      'task_start each',
      'task_item each',
      'task_item each',
      'task_result each',
      'task_start each, hidden',
      'task_item each, hidden',
      'task_item each, hidden',
      'task_result each, hidden',
    ]);
    expect(each[1].result).toMatchObject({ msg: 'item 1', item: 1, ansible_loop_var: 'item' });
    expect(each[5].result).toEqual({ censored: expect.stringContaining('no_log'), changed: false });
    for (const e of events) for (const key of Object.keys(e)) expect(key, `${String(e.event)}.${key}`).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it('the schema has teeth: a camelCase key or a missing field is refused', () => {
    const good = { event: 'host_done', time: 1, host: 'a', play: 'p' };
    expect(schemaErrors('events', good)).toEqual([]);
    expect(schemaErrors('events', { ...good, taskId: 'x' })).not.toEqual([]);
    expect(schemaErrors('events', { event: 'host_done', time: 1, host: 'a' })).not.toEqual([]);
  });
});
