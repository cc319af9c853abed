// run_once on a task whose `when` is false: ansible-playbook skips it on the first host only,
// and the other hosts' recaps count nothing for it (found by the corpus: ceph-ansible's
// "Export local ceph dev image", run_once with a false `when`). The scheduler runs a run_once
// step on the first host and advances the others, so a skipped instance must keep run_once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePlays } from '../../../playbook/compiler.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import { buildInventory } from './inventory-builder.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hound-run-once-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const inventory = buildInventory({ nodes: { hosts: { node1: {}, node2: {} } } });

function compile(tasks: string) {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, `- hosts: all\n  gather_facts: false\n  vars:\n    once: true\n  tasks:\n${tasks}`);
  const plays = new PlaybookLoader({ warn: () => undefined }).load(file).plays;
  return compilePlays(plays, { inventory }).plays[0].tasksByHost;
}

describe('run_once on a skipped task', () => {
  it('keeps run_once on every host when the condition is false, written or templated', () => {
    const byHost = compile(
      '    - command: "true"\n      run_once: true\n      when: false\n' +
        '    - command: "true"\n      run_once: "{{ once }}"\n      when: once == false\n' +
        '    - command: "true"\n      when: false\n',
    );
    for (const host of ['node1', 'node2']) {
      const [literal, templated, plain] = byHost.get(host)!;
      expect(literal.skipped, host).toBeDefined();
      expect(literal.keywords.runOnce, host).toBe(true);
      expect(templated.skipped, host).toBeDefined();
      expect(templated.keywords.runOnce, host).toBe(true);
      expect(plain.skipped, host).toBeDefined();
      expect(plain.keywords.runOnce, host).toBeUndefined();
    }
  });

  it('keeps it for an empty loop too', () => {
    const [empty] = compile('    - command: "echo {{ item }}"\n      run_once: true\n      loop: []\n').get('node2')!;
    expect(empty.skipped).toBe('No items in the list');
    expect(empty.keywords.runOnce).toBe(true);
  });
});
