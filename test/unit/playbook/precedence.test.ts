// Variable precedence, one boundary per variable (docs/variables.md):
// role defaults < inventory group vars (by depth) < host vars < play vars < vars_files
// < role vars < task vars < loop var < extra vars.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePlays } from '../../../playbook/compiler.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import type { Vars } from '../../../playbook/model.js';
import { buildInventory } from './inventory-builder.js';

const dir = path.resolve(__dirname, '../../fixtures/playbooks/valid');
const inventory = buildInventory({
  tier: { children: ['web'], vars: { group_vs_child: 'parent group', default_vs_group: 'group' } },
  web: { hosts: { web1: { child_vs_host: 'host', play_vs_host: 'host' } }, vars: { group_vs_child: 'child group', child_vs_host: 'child group' } },
});

function winners(extraVars: Vars = {}): unknown {
  const loaded = new PlaybookLoader().load(path.join(dir, 'precedence.yml'));
  const run = compilePlays(loaded.plays, { inventory, extraVars });
  const tasks = run.plays[0].tasksByHost.get('web1')!;
  expect(tasks).toHaveLength(1);
  return tasks[0].args.msg;
}

describe('variable precedence', () => {
  it('each level beats the one below it', () => {
    expect(winners({ extra_vs_task: 'extra' })).toEqual({
      default_only: 'role default',
      default_vs_group: 'group',
      default_vs_play: 'play',
      group_vs_child: 'child group',
      child_vs_host: 'host',
      play_vs_host: 'play',
      play_vs_files: 'vars_files',
      role_vs_play: 'role vars',
      task_vs_role: 'task',
      extra_vs_task: 'extra',
      item_vs_task: 'loop item',
    });
  });

  it('without -e the task var stands; -e wins even over the loop variable and role defaults', () => {
    const plain = winners() as Record<string, unknown>;
    expect(plain.extra_vs_task).toBe('task');
    const forced = winners({ item_vs_task: 'extra', default_only: 'extra', play_vs_files: 'extra' }) as Record<string, unknown>;
    expect([forced.item_vs_task, forced.default_only, forced.play_vs_files]).toEqual(['extra', 'extra', 'extra']);
  });

  it('the task instance carries the merged variables, magic ones included', () => {
    const loaded = new PlaybookLoader().load(path.join(dir, 'precedence.yml'));
    const task = compilePlays(loaded.plays, { inventory }).plays[0].tasksByHost.get('web1')![0];
    expect(task.vars).toMatchObject({ inventory_hostname: 'web1', role_name: 'prec', task_vs_role: 'task', item_vs_task: 'loop item', play_hosts: ['web1'] });
    expect(task.vars.group_names).toEqual(['tier', 'web']);
  });
});
