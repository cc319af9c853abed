// The "Gathering Facts" step a play starts with: one step for the play, made into a host's
// task only when that host runs it (a listing or a plan of a play over 200 000 hosts builds
// nothing per host for it), first on every host, tagged `always`, left out by the settings
// and keywords that leave it out in Ansible.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { compilePlays, GATHERING_FACTS, type CompileOptions } from '../../../playbook/compiler.js';
import { playTasksOf, type CompiledPlay } from '../../../playbook/compiled.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import { buildInventory } from './inventory-builder.js';

// Counts the per-host variable sets the compiler builds (each starts from the host's inventory variables).
const hostVarsCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../../inventory/vars.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../inventory/vars.js')>();
  return {
    ...original,
    hostVars: (...args: Parameters<typeof original.hostVars>) => {
      hostVarsCalls.count++;
      return original.hostVars(...args);
    },
  };
});

const dir = mkdtempSync(path.join(tmpdir(), 'hound-fact-gathering-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  hostVarsCalls.count = 0;
});

const hosts = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`node${i}`, { ansible_user: `user${i}` }]));
const inventory = buildInventory({ big: { hosts } });

function compile(playbook: string, options: Partial<CompileOptions> = {}): CompiledPlay {
  const file = path.join(dir, 'p.yml');
  writeFileSync(file, playbook);
  return compilePlays(new PlaybookLoader().load(file).plays, { inventory, ...options }).plays[0];
}

const TASK = '  tasks:\n    - name: say\n      debug:\n        msg: hi\n      tags: [say]\n';

describe('Gathering Facts', () => {
  it('a play without tasks builds no host variables, and a host gets its gathering task when asked', () => {
    const play = compile('- hosts: big\n  vars:\n    mirror: m.example\n  tasks: []\n');
    expect(play.gatherFacts).toBe(true);
    expect(hostVarsCalls.count).toBe(0);
    expect([...play.tasksByHost.values()].every((tasks) => tasks.length === 0)).toBe(true);

    const [task, ...rest] = playTasksOf(play, 'node7');
    expect(rest).toEqual([]);
    expect(task).toMatchObject({ id: '0:facts:node7', host: 'node7', taskIndex: -1, name: GATHERING_FACTS, module: 'setup', tags: ['always'] });
    expect(task.factGathering).toBe('implicit');
    // The host's variables as the play's tasks see them: inventory, play and magic variables.
    expect(task.vars).toMatchObject({ ansible_user: 'user7', mirror: 'm.example', inventory_hostname: 'node7' });
    expect(hostVarsCalls.count).toBeGreaterThan(0);
  });

  it('comes first on every host, before the play tasks, with the play fact layer', () => {
    const play = compile(`- hosts: big\n  vars:\n    ansible_distribution: pinned\n${TASK}`);
    const tasks = playTasksOf(play, 'node3');
    expect(tasks.map((t) => [t.taskIndex, t.module])).toEqual([
      [-1, 'setup'],
      [0, 'debug'],
    ]);
    expect(tasks[0].factLayer).toEqual(tasks[1].factLayer);
    expect([...tasks[0].factLayer!.pinned]).toEqual(['ansible_distribution']);
  });

  it('takes gather_subset and gather_timeout from the play, else from the settings', () => {
    expect(playTasksOf(compile(`- hosts: big\n  gather_subset: ['!all', network]\n  gather_timeout: 5\n${TASK}`), 'node0')[0].args).toEqual({
      gather_subset: ['!all', 'network'],
      gather_timeout: 5,
    });
    const configured = compile(`- hosts: big\n${TASK}`, { facts: { gathering: 'smart', gatherSubset: ['min'], gatherTimeout: 3, injectFactsAsVars: true } });
    const task = playTasksOf(configured, 'node0')[0];
    expect(task.args).toEqual({ gather_subset: ['min'], gather_timeout: 3 });
    expect(task.factGathering).toBe('smart');
  });

  it('is left out by gather_facts: false, by gathering = explicit unless the play asks, and by --skip-tags always; --tags keeps it', () => {
    const modules = (play: CompiledPlay) => playTasksOf(play, 'node1').map((t) => t.module);
    expect(modules(compile(`- hosts: big\n  gather_facts: false\n${TASK}`))).toEqual(['debug']);
    const explicit = { facts: { gathering: 'explicit' as const, injectFactsAsVars: true } };
    expect(modules(compile(`- hosts: big\n${TASK}`, explicit))).toEqual(['debug']);
    expect(modules(compile(`- hosts: big\n  gather_facts: true\n${TASK}`, explicit))).toEqual(['setup', 'debug']);
    expect(modules(compile(`- hosts: big\n${TASK}`, { skipTags: ['always'] }))).toEqual(['debug']);
    expect(modules(compile(`- hosts: big\n${TASK}`, { tags: ['other'] }))).toEqual(['setup']);
  });

  it('a host outside the play has no tasks in it', () => {
    expect(playTasksOf(compile(`- hosts: node1\n${TASK}`), 'node2')).toEqual([]);
  });
});
