// Merged host variables, magic variables and connection settings.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { loadInventory } from '../../../inventory/load.js';
import { hostVars, magicVars } from '../../../inventory/vars.js';
import { connectionOf, connectionVars } from '../../../inventory/connection.js';
import { FIXTURES } from './fixture-cases.js';

const fixture = (...p: string[]) => path.join(FIXTURES, ...p);

describe('hostVars precedence', () => {
  it('all < group_vars/all < parent < child < group_vars/* < host < host_vars', async () => {
    const inv = await loadInventory([fixture('vars-precedence', 'hosts.ini')]);
    // h1 sets lvl inline: the host wins over every group level.
    expect(hostVars(inv, 'h1')['lvl']).toBe('host');
    // h2: group_vars/parent.yml (a group_vars file) beats the inventory's [child:vars].
    expect(hostVars(inv, 'h2')['lvl']).toBe('gv_parent');
    // group_vars/all.yml beats [all:vars]; group_vars/parent.yml beats [parent:vars].
    expect(hostVars(inv, 'h2')['a_only']).toBe('gv_all');
    expect(hostVars(inv, 'h2')['p_only']).toBe('gv_parent');
  });

  it('same depth: later name wins, ansible_group_priority overrides the name order', async () => {
    const inv = await loadInventory([fixture('ini-alpha-order', 'hosts.ini')]);
    expect(hostVars(inv, 'h1')['x']).toBe('zeta');
    const prio = await loadInventory([fixture('ini-priority', 'hosts.ini')]);
    expect(hostVars(prio, 'h1')['who']).toBe('a');
    expect(hostVars(prio, 'h1')).not.toHaveProperty('ansible_group_priority');
  });

  it('an unknown host has no variables', async () => {
    const inv = await loadInventory([fixture('ini-basic', 'hosts.ini')]);
    expect(hostVars(inv, 'nope')).toStrictEqual({});
  });
});

describe('magicVars', () => {
  it('gives inventory_hostname(_short), sorted group_names without all, and groups', async () => {
    const inv = await loadInventory([fixture('ini-children', 'hosts.ini')]);
    const m = magicVars(inv, 'host2');
    expect(m['inventory_hostname']).toBe('host2');
    expect(m['group_names']).toStrictEqual(['atlanta', 'raleigh', 'southeast', 'usa']);
    expect((m['groups'] as Record<string, string[]>)['southeast']).toStrictEqual(['host1', 'host2', 'host3']);
    expect((m['groups'] as Record<string, string[]>)['all']).toContain('host9');
    // One shared, frozen `groups` for every host.
    expect(magicVars(inv, 'host9')['groups']).toBe(m['groups']);
    expect(Object.isFrozen(m['groups'])).toBe(true);
    expect(hostVars(inv, 'host2')).not.toHaveProperty('inventory_hostname');
    expect(m['inventory_file']).toBe(fixture('ini-children', 'hosts.ini'));
    expect(m['inventory_dir']).toBe(fixture('ini-children'));
  });

  it('keeps IP addresses whole in inventory_hostname_short', async () => {
    const inv = await loadInventory(['mail.example.com,10.1.2.3,']);
    expect(magicVars(inv, 'mail.example.com')['inventory_hostname_short']).toBe('mail');
    expect(magicVars(inv, '10.1.2.3')['inventory_hostname_short']).toBe('10.1.2.3');
    expect(magicVars(inv, '10.1.2.3')['group_names']).toStrictEqual(['ungrouped']);
    expect(magicVars(inv, '10.1.2.3')['inventory_file']).toBeNull();
  });
});

describe('connectionVars', () => {
  it('reads the ansible_* connection variables with their types', async () => {
    const inv = await loadInventory([fixture('ini-connection-vars', 'hosts.ini')]);
    expect(connectionOf(inv, 'n1')).toStrictEqual({
      address: '10.0.0.1',
      user: 'core',
      privateKeyFile: '~/.ssh/id_ed25519',
      dockerSocket: '/var/run/docker.sock',
    });
    expect(connectionOf(inv, 'n2')).toStrictEqual({
      address: '10.0.0.2',
      port: 2022,
      sshCommonArgs: '-o ProxyJump=bastion',
      sshExtraArgs: '-o StrictHostKeyChecking=no',
      dockerSocket: '/var/run/docker.sock',
    });
    expect(connectionOf(inv, 'n3')).toStrictEqual({ address: '10.9.9.9', port: 22, dockerSocket: '/run/user/1000/docker.sock' });
  });

  it('prefers hound_* over ansible_* and falls back to the inventory name', () => {
    const c = connectionVars(
      {
        ansible_host: 'a',
        hound_host: 'h',
        ansible_port: 22,
        hound_port: '2200',
        ansible_user: 'x',
        hound_user: 'y',
        ansible_ssh_private_key_file: '/a',
        hound_ssh_private_key_file: '/h',
      },
      'node1',
    );
    expect(c).toStrictEqual({ address: 'h', port: 2200, user: 'y', privateKeyFile: '/h', dockerSocket: '/var/run/docker.sock' });
    expect(connectionVars({}, 'node1').address).toBe('node1');
    expect(connectionVars({ inventory_hostname: 'n2' }).address).toBe('n2');
  });

  it('refuses a port that is not a TCP port', () => {
    expect(() => connectionVars({ ansible_port: 'ssh' }, 'n')).toThrow(HoundError);
    expect(() => connectionVars({ ansible_port: 70000 }, 'n')).toThrow(/not a TCP port/);
  });
});

describe('hostile variable names', () => {
  it('a variable named __proto__ is stored as a variable, not as a prototype', async () => {
    const inv = await loadInventory([path.join(FIXTURES, 'yaml-typed', 'hosts.yml')]);
    // Built through the same path as YAML host vars.
    const { InventoryBuilder } = await import('../../../inventory/builder.js');
    const b = new InventoryBuilder();
    b.addHost('h1', 'ungrouped');
    b.setVariable('h1', '__proto__', { polluted: true });
    b.reconcile();
    const built = b.build();
    const vars = hostVars(built, 'h1');
    expect(Object.getPrototypeOf(vars)).toBe(Object.prototype);
    expect(Object.keys(vars)).toStrictEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(hostVars(inv, 'h1')).toHaveProperty('int', 42);
  });
});
