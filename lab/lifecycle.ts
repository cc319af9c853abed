// `hound lab up | down | status`: bring a whole lab up from nothing (after cleaning
// whatever an earlier lab of the same name left), take it down to nothing, or report on it.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentError, HoundError, OptionsError } from '../base/errors.js';
import { tryCommand } from './host-command.js';
import {
  ETC_DOCKER,
  nodePathsOf,
  prepareNode,
  prepareRegistry,
  registryAnswers,
  registryPathsOf,
  sshAnswers,
  startRegistry,
  startSshd,
  waitReady,
} from './daemons.js';
import type { LabInfo, LabNodeInfo } from './info.js';
import { readLabInfo, writeLabInfo } from './info.js';
import { renderInventory, renderKnownHosts } from './inventory-file.js';
import { memoryOf, type NodeMemory } from './memory.js';
import {
  deriveSubnet,
  labAddresses,
  labDirOf,
  linkNamesOf,
  MAX_NODES,
  netnsPrefixOf,
  parseSubnet,
  validateLabName,
  type LinkNames,
  type Subnet,
} from './naming.js';
import { checkSubnetFree, createNetwork, destroyNetwork, listLabLinks, listLabNamespaces, type NamespaceHost } from './network.js';
import { type LabNode, prepareRuntime, runtimeDaemonOf, runtimeInfo, startRuntime } from './node-runtime.js';
import { PAUSE_REPOSITORY, PAUSE_TAG, pushPauseImage } from './pause-image.js';
import { loadCriDefinitions } from '../runtime/cri/cri-client.js';
import { checkPodmanMountPoints } from './podman-node.js';
import { checkLabPrerequisites } from './preflight.js';
import { findLabProcesses, isAlive, processesByNetns, stopProcesses } from './processes.js';
import { parseRate } from './rate.js';
import { parseRuntimes } from './runtimes.js';
import { generateKeyPair } from './ssh-keys.js';
import { createLabTls, labTlsPathsOf } from './lab-tls.js';
import { prepareSecureRegistries, SECURE_REGISTRY_KINDS, secureRegistryAnswers, startSecureRegistry, type SecureRegistriesInfo } from './secure-registries.js';
import { ensureLabUsers } from './users.js';

/** Nodes whose dockerd lists the lab's mirror in registry-mirrors: the odd-numbered ones (node1, node3, …). */
export function hasRegistryMirror(index: number): boolean {
  return index % 2 === 1;
}

export interface LabUpOptions {
  name?: string;
  nodes?: number;
  /** `docker,containerd,podman` (cycled over the nodes) or `docker=2,containerd=1` (counts); all Docker when absent. */
  runtimes?: string;
  subnet?: string;
  registryRate?: string;
  nodeRate?: string;
  controllerRate?: string;
  /** Progress lines (e.g. to stderr); silent when absent. */
  log?: (line: string) => void;
}

export interface LabUpResult {
  info: LabInfo;
  /** Milliseconds from the start of `up` to every daemon answering. */
  elapsedMs: number;
}

/** Validates options before anything on the machine changes. */
function resolveUpOptions(opts: LabUpOptions) {
  const name = validateLabName(opts.name ?? 'hound');
  if (opts.nodes !== undefined && (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > MAX_NODES)) {
    throw new OptionsError('LAB_BAD_NODES', `--nodes must be a whole number from 1 to ${MAX_NODES}, got ${opts.nodes}`);
  }
  const runtimes = parseRuntimes(opts.runtimes, opts.nodes);
  if (runtimes.length > MAX_NODES) {
    throw new OptionsError('LAB_BAD_NODES', `--runtimes counts ${runtimes.length} nodes, more than the ${MAX_NODES} a lab may have`);
  }
  return {
    name,
    nodes: runtimes.length,
    runtimes,
    /** Given with --subnet: that one or an error. Otherwise derived from the name, the first free of its choices. */
    subnet: opts.subnet === undefined ? undefined : parseSubnet(opts.subnet),
    registryRate: opts.registryRate === undefined ? undefined : parseRate(opts.registryRate, '--registry-rate'),
    nodeRate: opts.nodeRate === undefined ? undefined : parseRate(opts.nodeRate, '--node-rate'),
    controllerRate: opts.controllerRate === undefined ? undefined : parseRate(opts.controllerRate, '--controller-rate'),
  };
}

/** How many of a name's subnets are tried before giving up (see deriveSubnet). */
const SUBNET_CHOICES = 8;

/** The first of the name's derived subnets no interface on the machine holds (but the lab's own, left from a crash). */
async function freeDerivedSubnet(name: string, links: LinkNames): Promise<Subnet> {
  let first: unknown;
  for (let attempt = 0; attempt < SUBNET_CHOICES; attempt++) {
    const subnet = deriveSubnet(name, attempt);
    try {
      await checkSubnetFree(subnet, links);
      return subnet;
    } catch (err) {
      if (!(err instanceof HoundError) || err.code !== 'LAB_SUBNET_IN_USE') throw err;
      first ??= err;
    }
  }
  throw first;
}

export async function labUp(opts: LabUpOptions = {}): Promise<LabUpResult> {
  const started = Date.now();
  const o = resolveUpOptions(opts);
  const bins = checkLabPrerequisites(o.runtimes);
  if (o.runtimes.includes('podman')) await checkPodmanMountPoints();
  const log = opts.log ?? (() => {});
  const dir = labDirOf(o.name);
  const links = linkNamesOf(o.name);

  await cleanLab(o.name, { keepDir: false });
  const subnet = o.subnet ?? (await freeDerivedSubnet(o.name, links));
  if (o.subnet) await checkSubnetFree(o.subnet, links);
  await mkdir(dir, { recursive: true, mode: 0o755 });

  const privateKey = path.join(dir, 'id_ed25519');
  const knownHosts = path.join(dir, 'known_hosts');
  const inventory = path.join(dir, 'inventory.ini');
  const addresses = labAddresses(o.name, subnet, o.runtimes.length);
  const { ip: regIp, address: registryAddr, netns: registryNetns } = addresses.registry;
  const registryUrl = `http://${registryAddr}`;
  const nodes: LabNode[] = o.runtimes.map((runtime, i) => ({ ...addresses.nodes[i], runtime, paths: nodePathsOf(dir, addresses.nodes[i].name) }));

  try {
    const counts = [...new Set(o.runtimes)].map((r) => `${o.runtimes.filter((x) => x === r).length} ${r}`).join(', ');
    log(`lab ${o.name}: subnet ${addresses.cidr}, ${o.nodes} nodes (${counts})`);
    await Promise.all(nodes.map((n) => mkdir(n.paths.dir, { recursive: true })));
    const [clientPub, ...hostPubs] = await Promise.all([
      generateKeyPair(bins['ssh-keygen'], privateKey, `hound-lab-${o.name}`),
      ...nodes.map((n) => generateKeyPair(bins['ssh-keygen'], n.paths.hostKey, `${n.name}.${o.name}`)),
    ]);

    const hosts: NamespaceHost[] = [
      { netns: registryNetns, ip: regIp, port: links.registryPort, uplink: o.registryRate },
      ...nodes.map((n, i) => ({ netns: n.netns, ip: n.ip, port: links.nodePort(i + 1), downlink: o.nodeRate })),
    ];
    await createNetwork({ subnet, links, hosts, controllerRate: o.controllerRate });

    const regPaths = registryPathsOf(dir);
    await prepareRegistry(regPaths, registryAddr);
    const tls = labTlsPathsOf(dir);
    const password = await createLabTls(bins, tls, o.name, [regIp, addresses.controllerIp]);
    const { configs: secureConfigs, info: secure } = await prepareSecureRegistries(regPaths.dir, regPaths.storage, {
      registryIp: regIp,
      controllerIp: addresses.controllerIp,
      tls,
      password,
    });
    const [caCertificate, clientCert, clientKey] = await Promise.all([tls.caCert, tls.clientCert, tls.clientKey].map((f) => readFile(f, 'utf8')));
    // Only a Docker node has a dockerd to give the mirror to.
    const mirrorsOf = (i: number) => (hasRegistryMirror(i + 1) && nodes[i].runtime === 'docker' ? [secure.mirror.url] : []);
    // Each node's view mounts its own /etc/docker there: the machine must have one to mount over.
    await mkdir(ETC_DOCKER, { recursive: true });
    const sandboxImage = `${registryAddr}/${PAUSE_REPOSITORY}:${PAUSE_TAG}`;
    const prepared = await Promise.all(
      nodes.map(async (n, i) => {
        const runtime = await prepareRuntime(n, { registry: registryAddr, sandboxImage });
        await prepareNode(n.paths, n.ip, clientPub, {
          docker: n.runtime === 'docker',
          sshdMatch: runtime.sshdMatch,
          registries: {
            caCertificate,
            trustHosts: [secure.basic.host, secure.token.host, secure.mirror.host, secure.clientCertificate.host],
            clientCertificate: { cert: clientCert, key: clientKey, hosts: [secure.clientCertificate.host] },
            registryMirrors: mirrorsOf(i),
          },
        });
        return runtime;
      }),
    );
    const users = await ensureLabUsers(bins);

    log('starting daemons');
    const registry = startRegistry(bins, registryNetns, regPaths);
    const basicRegistry = startSecureRegistry(bins, registryNetns, secureConfigs.basic, tls.caCert);
    const tokenRegistry = startSecureRegistry(bins, registryNetns, secureConfigs.token, tls.caCert);
    const clientCertificateRegistry = startSecureRegistry(bins, registryNetns, secureConfigs.clientCertificate, tls.caCert);
    const daemons = nodes.map((n, i) => ({
      sshd: startSshd(bins, n.netns, n.paths, n.name, { binds: prepared[i].binds, sharedRoot: prepared[i].sharedRoot }),
      runtime: startRuntime(bins, n, prepared[i], { registry: registryAddr, controllerIp: addresses.controllerIp }),
    }));
    // The mirror asks its upstream how to authenticate when it starts: the token registry first.
    const mirrorStarted = waitReady('token registry', tokenRegistry, () => secureRegistryAnswers(secure.token.url, tls.caCert)).then(async () => {
      const mirror = startSecureRegistry(bins, registryNetns, secureConfigs.mirror, tls.caCert);
      await waitReady('mirror registry', mirror, () => secureRegistryAnswers(secure.mirror.url, tls.caCert));
      return mirror;
    });
    const secureDaemons = { basic: basicRegistry, token: tokenRegistry, mirror: await mirrorStarted, clientCertificate: clientCertificateRegistry };
    const registryReady = waitReady('registry', registry, () => registryAnswers(registryUrl));
    await Promise.all([
      // A containerd node pulls its pod sandbox image from the lab registry when a pod starts.
      o.runtimes.includes('containerd') ? registryReady.then(() => pushPauseImage(registryUrl, bins.catatonit)) : registryReady,
      waitReady('basic registry', basicRegistry, () => secureRegistryAnswers(secure.basic.url, tls.caCert)),
      waitReady('client-certificate registry', clientCertificateRegistry, () =>
        secureRegistryAnswers(secure.clientCertificate.url, tls.caCert, { cert: tls.clientCert, key: tls.clientKey }),
      ),
      ...daemons.flatMap((d, i) => [
        waitReady(`${nodes[i].name} sshd`, d.sshd, () => sshAnswers(nodes[i].ip, 22)),
        ...(d.runtime ? [waitReady(`${nodes[i].name} ${d.runtime.name}`, d.runtime.daemon, d.runtime.answers)] : []),
      ]),
    ]);

    const nodeInfos: LabNodeInfo[] = nodes.map((n, i) => ({
      name: n.name,
      ip: n.ip,
      netns: n.netns,
      sshPort: 22,
      ...runtimeInfo(n),
      hostInterface: links.nodePort(i + 1),
      pids: { sshd: daemons[i].sshd.pid, ...(daemons[i].runtime ? { [daemons[i].runtime.name]: daemons[i].runtime.daemon.pid } : {}) },
      registryMirrors: mirrorsOf(i),
    }));
    for (const kind of SECURE_REGISTRY_KINDS) secure[kind].pid = secureDaemons[kind].pid;
    await writeFile(knownHosts, renderKnownHosts(nodeInfos.map((n, i) => ({ ip: n.ip, publicKey: hostPubs[i] }))));
    await writeFile(
      inventory,
      renderInventory(
        nodeInfos.map((n) => ({
          name: n.name,
          ip: n.ip,
          runtime: n.runtime,
          socket: n.socket.node,
          ...(n.rootless ? { rootless: { user: n.rootless.user, socket: n.rootless.socket.node } } : {}),
          ...(n.registryMirrors ? { registryMirrors: n.registryMirrors } : {}),
        })),
        {
          privateKey,
          knownHosts,
          registry: registryAddr,
          secure: {
            basic: secure.basic.host,
            token: secure.token.host,
            mirror: secure.mirror.host,
            clientCertificate: secure.clientCertificate.host,
            caCert: secure.caCert,
          },
        },
      ),
    );
    const info: LabInfo = {
      name: o.name,
      dir,
      subnet: addresses.cidr,
      controllerIp: addresses.controllerIp,
      bridge: links.bridge,
      registry: { ip: regIp, port: addresses.registry.port, url: registryUrl, netns: registryNetns, pid: registry.pid },
      secure,
      rates: { registry: o.registryRate?.text, node: o.nodeRate?.text, controller: o.controllerRate?.text },
      nodes: nodeInfos,
      inventory,
      knownHosts,
      privateKey,
      users,
      createdAt: new Date().toISOString(),
    };
    await writeLabInfo(info);
    return { info, elapsedMs: Date.now() - started };
  } catch (err) {
    // Leave nothing running or wired, but keep the dir: its logs say what went wrong.
    await cleanLab(o.name, { keepDir: true }).catch(() => {});
    throw err;
  }
}

export interface LabDownResult {
  name: string;
  existed: boolean;
  stoppedProcesses: number;
  elapsedMs: number;
}

export async function labDown(name = 'hound'): Promise<LabDownResult> {
  const started = Date.now();
  validateLabName(name);
  checkLabPrerequisites();
  const r = await cleanLab(name, { keepDir: false });
  return { name, ...r, elapsedMs: Date.now() - started };
}

/**
 * Removes every trace of lab `name`: its processes (by pid, namespace and command line),
 * mounts under its dir, namespaces, links, and (unless keepDir) the dir itself.
 */
async function cleanLab(name: string, o: { keepDir: boolean }): Promise<{ existed: boolean; stoppedProcesses: number }> {
  const dir = labDirOf(name);
  const links = linkNamesOf(name);
  const prefix = netnsPrefixOf(name);
  const namespaces = await listLabNamespaces(prefix);
  const pids = await findLabProcesses(dir, namespaces);
  const existingLinks = await listLabLinks(links);
  let dirExists = true;
  await readFile(path.join(dir, 'lab.json')).catch(() => (dirExists = false));
  const existed = dirExists || namespaces.length > 0 || pids.length > 0 || existingLinks.length > 0;

  const survivors = await stopProcesses(pids);
  if (survivors.length > 0) {
    throw new EnvironmentError('LAB_CLEANUP_FAILED', `processes ${survivors.join(', ')} of lab ${name} would not die`, {
      hint: 'kill them by hand, then run the command again',
    });
  }
  await unmountUnder(dir);
  await destroyNetwork(prefix, links);
  if (!o.keepDir) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  return { existed, stoppedProcesses: pids.length };
}

/** Mount namespaces die with their processes; this catches mounts that leaked to the root one. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = await readFile('/proc/mounts', 'utf8');
  const targets = mounts
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .map((t) => t.replace(/\\040/g, ' '))
    .filter((t) => t === dir || t.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const t of targets) await tryCommand('umount', ['-l', t]);
}

export interface HostStatus {
  name: string;
  role: 'registry' | 'node';
  ip: string;
  netns: string;
  netnsPresent: boolean;
  /** Nodes: the container runtime. */
  runtime?: string;
  daemons: { name: string; pid: number; alive: boolean; answering: boolean }[];
  /** Nodes: what the processes in the node's namespace hold. */
  memory?: NodeMemory;
  up: boolean;
}

export interface LabStatus {
  info: LabInfo;
  hosts: HostStatus[];
  up: boolean;
}

export async function labStatus(name = 'hound'): Promise<LabStatus> {
  validateLabName(name);
  checkLabPrerequisites();
  const info = await readLabInfo(labDirOf(name));
  // Before any check starts its clock: loading the CRI's definitions blocks for seconds under
  // load, and the ssh and dockerd checks running beside containerd's then timed out.
  if (info.nodes.some((n) => n.runtime === 'containerd')) loadCriDefinitions();
  const namespaces = new Set(await listLabNamespaces(netnsPrefixOf(name)));
  const registryAnswering = await registryAnswers(info.registry.url);
  const secureAnswering = await Promise.all(
    SECURE_REGISTRY_KINDS.map(async (kind) => ({
      name: `${kind === 'clientCertificate' ? 'client-certificate' : kind}-registry`,
      pid: info.secure[kind].pid,
      alive: isAlive(info.secure[kind].pid),
      answering: await secureRegistryAnswers(info.secure[kind].url, info.secure.caCert, clientIdentityOf(info.secure, kind)),
    })),
  );
  const nodeProcesses = await processesByNetns(info.nodes.map((n) => n.netns).filter((n) => namespaces.has(n)));
  const hosts: HostStatus[] = [
    {
      name: 'registry',
      role: 'registry',
      ip: info.registry.ip,
      netns: info.registry.netns,
      netnsPresent: namespaces.has(info.registry.netns),
      daemons: [{ name: 'docker-registry', pid: info.registry.pid, alive: isAlive(info.registry.pid), answering: registryAnswering }, ...secureAnswering],
      up: false,
    },
    ...(await Promise.all(
      info.nodes.map(async (n): Promise<HostStatus> => {
        const runtimeDaemon = runtimeDaemonOf(n);
        const [sshOk, runtimeOk, memory] = await Promise.all([
          sshAnswers(n.ip, n.sshPort),
          runtimeDaemon?.answers(),
          namespaces.has(n.netns) ? memoryOf(nodeProcesses.get(n.netns) ?? []) : undefined,
        ]);
        return {
          name: n.name,
          role: 'node',
          ip: n.ip,
          netns: n.netns,
          netnsPresent: namespaces.has(n.netns),
          runtime: n.runtime,
          daemons: [
            { name: 'sshd', pid: n.pids.sshd, alive: isAlive(n.pids.sshd), answering: sshOk },
            ...(runtimeDaemon ? [{ name: runtimeDaemon.name, pid: runtimeDaemon.pid, alive: isAlive(runtimeDaemon.pid), answering: runtimeOk === true }] : []),
          ],
          ...(memory ? { memory } : {}),
          up: false,
        };
      }),
    )),
  ];
  for (const h of hosts) h.up = h.netnsPresent && h.daemons.every((d) => d.alive && d.answering);
  return { info, hosts, up: hosts.every((h) => h.up) };
}

/** The lab's client certificate, for the registry that asks for one. */
function clientIdentityOf(secure: SecureRegistriesInfo, kind: (typeof SECURE_REGISTRY_KINDS)[number]): { cert: string; key: string } | undefined {
  return kind === 'clientCertificate' ? { cert: secure.clientCertificate.clientCert, key: secure.clientCertificate.clientKey } : undefined;
}
