// What each node's Docker holds, read and changed through its host-side socket (lab.json),
// not through any contender: emptying nodes between runs and checking the outcome of each.
import Docker from 'dockerode';
import type { LabNodeInfo } from '../lab/info.js';

function dockerOf(node: LabNodeInfo): Docker {
  return new Docker({ socketPath: node.dockerSocket });
}

/** Removes every image (and any stopped container holding one) so the next run starts empty. */
export async function emptyNode(node: LabNodeInfo): Promise<void> {
  const docker = dockerOf(node);
  for (const c of await docker.listContainers({ all: true })) await docker.getContainer(c.Id).remove({ force: true });
  for (const img of await docker.listImages({ all: true })) {
    await docker
      .getImage(img.Id)
      .remove({ force: true })
      .catch((err: { statusCode?: number }) => {
        // A parent removed with its child is already gone.
        if (err.statusCode !== 404) throw err;
      });
  }
  const left = await docker.listImages({ all: true });
  if (left.length > 0) throw new Error(`${node.name} still holds ${left.length} image(s) after emptying it`);
}

/** The references among `refs` the node does not hold (by tag). */
export async function missingImages(node: LabNodeInfo, refs: readonly string[]): Promise<string[]> {
  const docker = dockerOf(node);
  const tags = new Set((await docker.listImages()).flatMap((img) => img.RepoTags ?? []));
  return refs.filter((ref) => !tags.has(ref));
}

/** Pulls straight through the node's dockerd, for the noop workload's setup (not timed). */
export async function pullOnNode(node: LabNodeInfo, ref: string): Promise<void> {
  const docker = dockerOf(node);
  const stream = await docker.pull(ref);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, output: { error?: string }[]) => {
      const failed = output?.find((o) => o.error);
      if (err) reject(err);
      else if (failed) reject(new Error(`${node.name}: pulling ${ref}: ${failed.error}`));
      else resolve();
    });
  });
}
