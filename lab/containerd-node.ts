// A containerd node: its own containerd (root, state and socket in the node's dir), with
// the CRI plugin as a Kubernetes worker runs it. The node sees its own /etc/containerd
// (config.toml, and certs.d for registry hosts, where hound may later add a mirror for one
// run), its own /run (so /run/containerd/containerd.sock is its socket), and an empty CNI
// config dir: pulls need no CNI, and pods on the host network run without it.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CriClient } from '../runtime/cri/cri-client.js';
import type { Bind, NodeDaemonPaths, StartedDaemon } from './daemons.js';
import { ETC_DOCKER, startDetached } from './daemons.js';
import type { BinaryPaths } from './preflight.js';

/** Where containerd's socket is, as the node sees it (the default, as on a real node). */
export const CONTAINERD_NODE_SOCKET = '/run/containerd/containerd.sock';
export const CONTAINERD_CONFIG_DIR = '/etc/containerd';
/** Where a lab node's registry hosts.toml is, as the node sees it: the second dir of its config_path. */
export const CONTAINERD_NODE_REGISTRY_HOSTS_DIR = `${ETC_DOCKER}/certs.d`;
/** The CRI's registry config_path on a lab node: containerd's certs.d, then Docker's. */
export const CONTAINERD_NODE_CONFIG_PATH = `${CONTAINERD_CONFIG_DIR}/certs.d:${CONTAINERD_NODE_REGISTRY_HOSTS_DIR}`;

export type ContainerdPaths = ReturnType<typeof containerdPathsOf>;

/** Where a node's containerd keeps its config, state, socket and log, under the node's dir. */
export function containerdPathsOf(p: NodeDaemonPaths) {
  // Bound over /etc/containerd in the node's view.
  const etcDir = path.join(p.dir, 'etc-containerd');
  return {
    etcDir,
    config: path.join(etcDir, 'config.toml'),
    /** certs.d: the first dir of config_path, where hound trusts a run's seeds. */
    certsDir: path.join(etcDir, 'certs.d'),
    /** The second dir of config_path (the node's /etc/docker/certs.d), where the lab registry's hosts.toml is. */
    registryHostsDir: path.join(p.etcDockerDir, 'certs.d'),
    root: path.join(p.dir, 'containerd'),
    cniConfDir: path.join(p.dir, 'cni-net.d'),
    /** The socket as the controller reaches it, bypassing SSH. */
    socket: path.join(p.runDir, 'containerd', 'containerd.sock'),
    log: path.join(p.dir, 'containerd.log'),
  };
}

/**
 * Plugins a pulling, pod-running node does not need. Dropping them saves little memory (the
 * binary's pages are shared between nodes) but keeps the log and the plugin list short.
 * The legacy io.containerd.runtime.v1.linux must stay: 1.6's tasks service, and with it the
 * CRI plugin, fails to load without it.
 */
const DISABLED_PLUGINS = [
  'io.containerd.internal.v1.opt',
  'io.containerd.internal.v1.tracing',
  'io.containerd.tracing.processor.v1.otlp',
  'io.containerd.snapshotter.v1.aufs',
  'io.containerd.snapshotter.v1.btrfs',
  'io.containerd.snapshotter.v1.devmapper',
  'io.containerd.snapshotter.v1.zfs',
  'io.containerd.snapshotter.v1.native',
  'io.containerd.internal.v1.restart',
];

const tomlString = (text: string) => JSON.stringify(text);

/** containerd 1.6's config (version 2). `sandboxImage` is the pod sandbox ("pause") image, from the lab registry. */
export function renderContainerdConfig(o: { root: string; cniConfDir: string; sandboxImage: string }): string {
  return [
    'version = 2',
    `root = ${tomlString(o.root)}`,
    `state = "/run/containerd"`,
    `disabled_plugins = [${DISABLED_PLUGINS.map(tomlString).join(', ')}]`,
    '',
    '[grpc]',
    `  address = ${tomlString(CONTAINERD_NODE_SOCKET)}`,
    '',
    '[plugins."io.containerd.grpc.v1.cri"]',
    `  sandbox_image = ${tomlString(o.sandboxImage)}`,
    // The CRI gives pod sandboxes oom_score_adj -998, which needs CAP_SYS_RESOURCE; a machine
    // (or container) without it fails every RunPodSandbox in runc ("can't get final child's
    // PID from pipe"). This keeps the score at or above containerd's own.
    '  restrict_oom_score_adj = true',
    '  [plugins."io.containerd.grpc.v1.cri".cni]',
    '    bin_dir = "/usr/lib/cni"',
    `    conf_dir = ${tomlString(o.cniConfDir)}`,
    '  [plugins."io.containerd.grpc.v1.cri".registry]',
    // Two dirs, as real nodes list them ("/etc/containerd/certs.d:/etc/docker/certs.d"), with
    // the lab registry in the second: every containerd lab run then depends on hound reading
    // config_path as the list it may be (it would otherwise speak HTTPS to the registry).
    `    config_path = ${tomlString(CONTAINERD_NODE_CONFIG_PATH)}`,
    '',
  ].join('\n');
}

/** certs.d/HOST/hosts.toml: the lab registry over plain HTTP, for this host name only. */
export function renderHostsToml(registry: string): string {
  return [`server = ${tomlString(`http://${registry}`)}`, '', `[host.${tomlString(`http://${registry}`)}]`, '  capabilities = ["pull", "resolve"]', ''].join(
    '\n',
  );
}

export async function prepareContainerdNode(c: ContainerdPaths, o: { registry: string; sandboxImage: string }): Promise<Bind[]> {
  const hostDir = path.join(c.registryHostsDir, o.registry);
  await Promise.all([
    mkdir(c.certsDir, { recursive: true }),
    mkdir(hostDir, { recursive: true }),
    mkdir(c.root, { recursive: true }),
    mkdir(c.cniConfDir, { recursive: true }),
  ]);
  await writeFile(c.config, renderContainerdConfig({ root: c.root, cniConfDir: c.cniConfDir, sandboxImage: o.sandboxImage }));
  await writeFile(path.join(hostDir, 'hosts.toml'), renderHostsToml(o.registry));
  return [{ source: c.etcDir, target: CONTAINERD_CONFIG_DIR }];
}

export function startContainerd(bins: BinaryPaths, netns: string, p: NodeDaemonPaths, c: ContainerdPaths, hostname: string, binds: Bind[]): StartedDaemon {
  return startDetached(bins, netns, [bins.containerd, '--config', c.config], c.log, {
    runDir: p.runDir,
    homeDir: p.homeDir,
    hostname,
    etcDockerDir: p.etcDockerDir,
    binds,
  });
}

/** Ready when the CRI answers and says the runtime is ready (the network is not: no CNI, by design). */
export async function containerdAnswers(socket: string, timeoutMs = 2000): Promise<boolean> {
  const client = new CriClient(socket);
  try {
    const status = await client.status(false, { timeoutMs });
    return status.status?.conditions.some((c) => c.type === 'RuntimeReady' && c.status) ?? false;
  } catch {
    return false;
  } finally {
    client.close();
  }
}
