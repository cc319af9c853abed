// `hound play -i hosts.toml -i constructed.yml` on the lab: the lab's nodes written as a TOML
// inventory (Ansible's toml plugin), each with a role, and a constructed config that makes a
// group per role and composes each node's images from its role. What the two tools read from
// them is the same, and a play over the constructed groups gives every node its images.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyNode, hound, nodeTags, useLabWorkDir } from '../fixtures/play/helpers.js';

const work = useLabWorkDir({ emptyNodesAfter: true });

const ROLES: Record<string, string> = { node1: 'web', node2: 'web', node3: 'batch', node4: 'batch' };

/** A TOML value for what ansible-inventory listed: JSON's strings, numbers, booleans and arrays are TOML's too. */
const tomlValue = (value: unknown): string => JSON.stringify(value);

const CONSTRUCTED = `plugin: ansible.builtin.constructed
strict: true
compose:
  node_images: images_by_role[role] + (extra_images | default([]))
keyed_groups:
  - key: role
    prefix: role
    parent_group: roles
`;

const PLAY = `- hosts: role_web:role_batch
  gather_facts: false
  tasks:
    - name: pull the images of the node's role
      images:
        names: "{{ node_images | map('regex_replace', '^', lab_registry ~ '/') | list }}"
`;

describe('hound play with a TOML inventory and a constructed config', () => {
  it('reads both as ansible-inventory does and gives every node the images of its role', async () => {
    // The lab's own inventory (its connection variables), listed by ansible-inventory, written as TOML.
    const listing = spawnSync('ansible-inventory', ['-i', work.lab.inventory, '--list'], { encoding: 'utf8' });
    expect(listing.status, listing.stderr).toBe(0);
    const hostvars = (JSON.parse(listing.stdout) as { _meta: { hostvars: Record<string, Record<string, unknown>> } })._meta.hostvars;
    const lines = ['[nodes.vars]', 'images_by_role = { web = ["hound/app0:latest", "hound/app1:latest"], batch = ["hound/app2:latest"] }', ''];
    for (const [host, vars] of Object.entries(hostvars)) {
      lines.push(`[nodes.hosts.${host}]`, `role = ${tomlValue(ROLES[host])}`);
      if (host === 'node2') lines.push('extra_images = ["hound/runtime-a:latest"]');
      for (const [name, value] of Object.entries(vars)) lines.push(`${name} = ${tomlValue(value)}`);
      lines.push('');
    }
    // A folder of their own: the work dir's group_vars/ and host_vars/ would apply beside the play.
    const dir = path.join(work.dir, 'toml');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'hosts.toml'), lines.join('\n'));
    writeFileSync(path.join(dir, 'constructed.yml'), CONSTRUCTED);
    writeFileSync(path.join(dir, 'roles.yml'), PLAY);

    const sources = ['-i', 'hosts.toml', '-i', 'constructed.yml'];
    const graph = (tool: string[]) => spawnSync(tool[0], [...tool.slice(1), ...sources, '--graph', '--vars'], { cwd: dir, encoding: 'utf8' });
    const ansible = graph(['ansible-inventory']);
    const ours = graph([process.execPath, path.resolve(__dirname, '../../dist/cli/hound.js'), 'inventory']);
    expect([ansible.status, ours.status], ours.stderr).toEqual([0, 0]);
    // hound masks secret-named values in what it prints; the lab's inventory has none.
    expect(ours.stdout).toBe(ansible.stdout);
    expect(ours.stdout).toContain('@role_web:');

    await Promise.all(work.lab.nodes.map(emptyNode));
    const run = await hound(['play', '--distribution', 'direct', 'roles.yml', ...sources], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const expected: Record<string, string[]> = {
      node1: ['hound/app0:latest', 'hound/app1:latest'],
      node2: ['hound/app0:latest', 'hound/app1:latest', 'hound/runtime-a:latest'],
      node3: ['hound/app2:latest'],
      node4: ['hound/app2:latest'],
    };
    for (const [name, tags] of Object.entries(expected)) expect(await nodeTags(work.node(name), work.lab), name).toEqual(tags);
  });
});
