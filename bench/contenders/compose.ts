// `docker-compose pull` (Debian's v1) on every node at once, each node with a compose file
// listing its images. Nodes share the controller's filesystem, so the file is written here
// and read there by the same path.
import path from 'node:path';
import { describeFailure, runCommand } from '../command-run.js';
import type { Contender } from '../contender.js';
import { writeFiles } from '../generated-files.js';
import { sshArgv } from '../lab-nodes.js';

export function composeFile(refs: readonly string[]): string {
  const services = refs.map((ref, i) => `  image${i}:\n    image: ${JSON.stringify(ref)}\n`).join('');
  return `version: "2.4"\nservices:\n${services}`;
}

export const composePull: Contender = {
  id: 'docker-compose-pull',
  label: 'docker-compose pull, nodes at once',
  isHound: false,
  async prepare(setting) {
    const { lab, nodes, needs } = setting.target;
    const files = new Map(nodes.map((node, i) => [`compose/${node.name}.yml`, composeFile(needs[i])]));
    await writeFiles(setting.workDir, files);
    return {
      async start() {
        const errors = await Promise.all(
          nodes.map(async (node) => {
            const file = path.join(setting.workDir, 'compose', `${node.name}.yml`);
            const remote = ['docker-compose', '-f', file, '-p', `bench-${node.name}`, 'pull', '--quiet'];
            const result = await runCommand(sshArgv(lab, node, remote), { signal: setting.signal });
            return result.code === 0 ? undefined : `${node.name}: ${describeFailure('docker-compose pull', result)}`;
          }),
        );
        const failed = errors.filter((e): e is string => e !== undefined);
        return failed.length === 0 ? { ok: true } : { ok: false, error: failed.join('; ') };
      },
    };
  },
};
