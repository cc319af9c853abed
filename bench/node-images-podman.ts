// What a podman node holds (root's containers/storage), read and changed with the node's own
// podman over ssh, not through any contender: podman has no daemon socket to reach directly.
import type { LabInfo, LabNodeInfo } from '../lab/info.js';
import { describeFailure, runCommand } from './command-run.js';
import { sshArgv } from './lab-nodes.js';

async function podman(lab: LabInfo, node: LabNodeInfo, args: string[]): Promise<string> {
  const result = await runCommand(sshArgv(lab, node, ['podman', ...args]));
  if (result.code !== 0) throw new Error(`${node.name}: ${describeFailure(`podman ${args[0]}`, result)}`);
  return result.stdout;
}

/** Removes every image (and any container holding one) so the next run starts empty. */
export async function emptyPodmanNode(lab: LabInfo, node: LabNodeInfo): Promise<void> {
  await podman(lab, node, ['rmi', '--all', '--force']);
  const left = (await podman(lab, node, ['images', '--all', '--quiet'])).trim();
  if (left !== '') throw new Error(`${node.name} still holds ${left.split('\n').length} image(s) after emptying it`);
}

/** The references among `refs` that `podman images` does not list by name. */
export async function missingPodmanImages(lab: LabInfo, node: LabNodeInfo, refs: readonly string[]): Promise<string[]> {
  const names = new Set((await podman(lab, node, ['images', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n').map((l) => l.trim()));
  return refs.filter((ref) => !names.has(ref));
}

/** For the noop workload's setup (not timed). */
export async function pullOnPodmanNode(lab: LabInfo, node: LabNodeInfo, ref: string): Promise<void> {
  await podman(lab, node, ['pull', '--quiet', ref]);
}
