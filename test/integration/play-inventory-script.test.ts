// `hound play -i SCRIPT` on the lab: an inventory script (Ansible's `script` inventory plugin)
// that prints what ansible-inventory --list printed for the lab's own inventory, as a cached
// dynamic inventory does. The nodes end with the same images as with the INI inventory; what
// the two tools read from the script is the same.
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyNode, hound, nodeTags, useLabWorkDir } from '../fixtures/play/helpers.js';

const work = useLabWorkDir({ emptyNodesAfter: true });

const SCRIPT = `#!/usr/bin/env python3
# A cached dynamic inventory: --list prints the saved listing; _meta holds every host's variables.
import json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
if sys.argv[1:] == ['--list']:
    with open(os.path.join(here, 'listing.json')) as f:
        print(json.dumps(json.load(f)))
else:
    print('{}')
`;

describe('hound play with an inventory script', () => {
  it('reads the script as ansible-inventory does and gives every node its images', async () => {
    const listing = spawnSync('ansible-inventory', ['-i', 'hosts.ini', '--list'], { cwd: work.dir, encoding: 'utf8' });
    expect(listing.status, listing.stderr).toBe(0);
    writeFileSync(path.join(work.dir, 'listing.json'), listing.stdout);
    const script = path.join(work.dir, 'inventory.py');
    writeFileSync(script, SCRIPT);
    chmodSync(script, 0o755);

    const graph = (tool: string[]) => spawnSync(tool[0], [...tool.slice(1), 'inventory.py', '--graph', '--vars'], { cwd: work.dir, encoding: 'utf8' });
    const ansible = graph(['ansible-inventory', '-i']);
    const ours = graph([process.execPath, path.resolve(__dirname, '../../dist/cli/hound.js'), 'inventory', '-i']);
    expect([ansible.status, ours.status], ours.stderr).toEqual([0, 0]);
    // hound masks secret-named values in what it prints; the lab's inventory has none.
    expect(ours.stdout).toBe(ansible.stdout);

    await Promise.all(work.lab.nodes.map(emptyNode));
    const run = await hound(['play', '--distribution', 'direct', 'warmup.yml', '-i', 'inventory.py'], work.dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const expected: Record<string, string[]> = {
      node1: ['hound/app0:latest', 'hound/app1:latest'],
      node2: ['hound/app0:latest', 'hound/app3:latest', 'hound/runtime-a:latest'],
      node3: ['hound/app2:latest'],
      node4: [],
    };
    for (const [name, tags] of Object.entries(expected)) expect(await nodeTags(work.node(name), work.lab), name).toEqual(tags);
  });
});
