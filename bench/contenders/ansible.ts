// ansible-playbook with community.docker.docker_image (Debian's ansible ships it), on the
// same inventory and host_vars hound gets, with a given number of forks.
import path from 'node:path';
import { describeFailure, runCommand } from '../command-run.js';
import type { Contender } from '../contender.js';
import { readControllerCost, withGnuTime } from '../controller-cost.js';
import { writeFiles } from '../generated-files.js';
import { inventoryFiles } from '../lab-nodes.js';

/** The playbook every Ansible contender runs (also the no-op benchmark's). */
export const ANSIBLE_PLAYBOOK = `- name: warm up images
  hosts: nodes
  gather_facts: false
  tasks:
    - name: pull the node's images
      community.docker.docker_image:
        name: "{{ item }}"
        source: pull
      loop: "{{ bench_images }}"
`;

/** Isolated from any ansible.cfg on the machine; SSH control sockets per run, never reused across runs. */
function ansibleConfig(workDir: string): string {
  return `[defaults]
retry_files_enabled = False
local_tmp = ${path.join(workDir, 'ansible-local')}
nocolor = True

[ssh_connection]
control_path_dir = ${path.join(workDir, 'cp')}
`;
}

/** `forks: 'nodes'` means as many forks as there are nodes. */
export function ansibleContender(forks: number | 'nodes'): Contender {
  return {
    id: forks === 'nodes' ? 'ansible-forks-n' : `ansible-forks-${forks}`,
    label: forks === 'nodes' ? 'ansible-playbook, forks = nodes' : `ansible-playbook, forks ${forks}`,
    isHound: false,
    sameAs: (nodeCount) => (forks === 'nodes' && nodeCount <= 5 ? 'ansible-forks-5' : undefined),
    async prepare(setting) {
      const files = inventoryFiles(setting.target);
      files.set('playbook.yml', ANSIBLE_PLAYBOOK);
      files.set('ansible.cfg', ansibleConfig(setting.workDir));
      await writeFiles(setting.workDir, files);
      const forkCount = forks === 'nodes' ? setting.target.nodes.length : forks;
      const costFile = path.join(setting.workDir, 'cost.txt');
      const argv = withGnuTime(['ansible-playbook', '-i', 'inventory.ini', '-f', String(forkCount), 'playbook.yml'], costFile);
      const env = { ...process.env, ANSIBLE_CONFIG: path.join(setting.workDir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' };
      return {
        async start() {
          const result = await runCommand(argv, { cwd: setting.workDir, env, signal: setting.signal });
          const controller = await readControllerCost(costFile);
          if (result.code !== 0) return { ok: false, error: describeFailure('ansible-playbook', result), controller };
          return { ok: true, controller };
        },
      };
    },
  };
}
