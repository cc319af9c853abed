// Per-node image files picked by a templated include_tasks name on the lab: the name reads a
// set_fact and a gathered fact, so each node's file is known only as the include runs there,
// over SSH, after that node's facts. Each node ends holding the images of its own file; a file
// no node names (with a module hound does not run) changes nothing.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyNode, hound, nodeTags, useLabWorkDir } from '../fixtures/play/helpers.js';

const work = useLabWorkDir({ emptyNodesAfter: true });

describe('include_tasks with a templated name on the lab', () => {
  it('each node pulls the images of the file its own values name, chosen as the include runs there', async () => {
    const nodes = ['node1', 'node2', 'node3'].map((n) => work.node(n));
    await Promise.all(nodes.map(emptyNode));
    const dir = work.dir;
    writeFileSync(
      path.join(dir, 'by-flavour.yml'),
      [
        '- hosts: node1:node2:node3',
        '  gather_facts: true',
        '  tasks:',
        '    - set_fact:',
        "        flavour: \"{{ 'gpu' if inventory_hostname == 'node1' else 'cpu' }}\"",
        '    - name: the images of this flavour on this OS family',
        '      include_tasks: "pull-{{ flavour }}-{{ ansible_facts.os_family }}.yml"',
        '',
      ].join('\n'),
    );
    const image = (repo: string) => ['- image:', `    name: "{{ lab_registry }}/${repo}"`, ''].join('\n');
    writeFileSync(path.join(dir, 'pull-gpu-Debian.yml'), image('hound/app1:latest'));
    writeFileSync(path.join(dir, 'pull-cpu-Debian.yml'), image('hound/app2:latest'));
    writeFileSync(path.join(dir, 'pull-gpu-RedHat.yml'), '- rpm_key:\n    key: https://repo.example.invalid/key\n');

    const run = await hound(['play', 'by-flavour.yml', '-i', 'hosts.ini', '--reporter', 'plain', '--distribution', 'direct'], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`included: ${path.join(dir, 'pull-gpu-Debian.yml')} for node1`);
    expect(run.stdout).toContain(`included: ${path.join(dir, 'pull-cpu-Debian.yml')} for node2`);
    expect(run.stdout).not.toMatch(/rpm_key|pull-gpu-RedHat/);
    expect(await nodeTags(work.node('node1'), work.lab)).toEqual(['hound/app1:latest']);
    for (const name of ['node2', 'node3']) expect(await nodeTags(work.node(name), work.lab), name).toEqual(['hound/app2:latest']);
  });
});
