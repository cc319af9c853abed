// hound's own facts, `hound_runtime`: what the node's container runtime says of itself through
// the runtime interface (runtime/types.ts), so every runtime behind it (Docker, containerd,
// podman) gives the same shape.
import { nodePlatform } from '../../runtime/platform.js';
import type { NodeDocker } from '../../runtime/types.js';
import type { Facts } from './distribution.js';

export async function runtimeFacts(runtime: NodeDocker): Promise<Facts> {
  // Fresh: a play may gather facts again after changing the daemon.
  const info = await runtime.info({ fresh: true });
  // Free space is a command over SSH; a node where it cannot be read still has its other facts.
  const free = await runtime.freeBytes().catch(() => null);
  return {
    hound_runtime: {
      name: info.runtime,
      version: info.serverVersion,
      storage_driver: info.storageDriver,
      data_root: info.dockerRootDir,
      data_root_free_bytes: free,
      platform: nodePlatform(info),
      insecure_registries: info.insecureRegistries,
      registry_mirrors: info.registryMirrors,
    },
  };
}
