// How people pull on containerd and podman nodes today, every node at once like `docker pull,
// all nodes at once`, each node's images one after the other: containerd's own client (`ctr`,
// in the CRI's namespace, with the registry hosts the node's CRI uses), the kubelet's path (CRI
// PullImage on the node's socket), and `podman pull`.
import { loadCriDefinitions, CriClient } from '../../runtime/cri/cri-client.js';
import { CRI_NAMESPACE } from '../../runtime/containerd/content-client.js';
import { CONTAINERD_NODE_REGISTRY_HOSTS_DIR } from '../../lab/containerd-node.js';
import type { Contender, RunSetting } from '../contender.js';
import { outcomeOf, pullNode, type PullCommand } from './docker-pull.js';

/**
 * `ctr images pull` in k8s.io, where the kubelet looks, reading the registry's hosts.toml the
 * node's CRI reads (the lab's registry is plain HTTP there; ctr takes one hosts dir, not
 * config_path's list); ctr unpacks into the same overlayfs snapshotter.
 */
export const CTR_PULL: PullCommand = {
  name: 'ctr images pull',
  argv: (ref) => ['ctr', '-n', CRI_NAMESPACE, 'images', 'pull', '--hosts-dir', CONTAINERD_NODE_REGISTRY_HOSTS_DIR, ref],
};

/** As root, with the node's registries.conf (the lab registry is marked insecure there). */
export const PODMAN_PULL: PullCommand = { name: 'podman pull', argv: (ref) => ['podman', 'pull', '--quiet', ref] };

function sshPullContender(id: string, label: string, command: PullCommand): Contender {
  return {
    id,
    label,
    isHound: false,
    async prepare(setting) {
      return {
        async start() {
          return outcomeOf(await Promise.all(setting.target.nodes.map((_, i) => pullNode(setting, i, command))));
        },
      };
    },
  };
}

export const ctrPull = sshPullContender('ctr-pull', 'ctr images pull, all nodes at once', CTR_PULL);
export const podmanPull = sshPullContender('podman-pull', 'podman pull, all nodes at once', PODMAN_PULL);

/** The kubelet pulls a node's images one at a time by default (serializeImagePulls). */
async function criPullNode(setting: RunSetting, client: CriClient, index: number): Promise<string | undefined> {
  for (const ref of setting.target.needs[index]) {
    try {
      await client.pullImage(ref, undefined, { signal: setting.signal });
    } catch (err) {
      return `${setting.target.nodes[index].name}: CRI PullImage ${ref}: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return undefined;
}

/**
 * The kubelet's path: CRI PullImage on each node's containerd socket, which the kubelet on
 * the node dials locally. crictl, the CLI that makes the same call, is not packaged in
 * Debian 12, so the benchmark makes the call itself, on the node's socket as the controller
 * reaches it (lab.json): no SSH between caller and socket, as for a kubelet.
 */
export const criPull: Contender = {
  id: 'cri-pull',
  label: 'CRI PullImage (the kubelet), all nodes at once',
  isHound: false,
  async prepare(setting) {
    // Loading the CRI definitions (runtime/cri/api.json) is not part of the timed pull.
    loadCriDefinitions();
    const clients = setting.target.nodes.map((node) => new CriClient(node.socket.controller));
    return {
      async start() {
        try {
          return outcomeOf(await Promise.all(clients.map((client, i) => criPullNode(setting, client, i))));
        } finally {
          for (const client of clients) client.close();
        }
      },
    };
  },
};
