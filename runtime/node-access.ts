// The run's way to the nodes, shared by `play` (core/run.ts) and `plan`/`apply`
// (plan/facts.ts): one SSH connection per host (and per remote_user), the controller itself
// for `connection: local`, and one runtime client per way of reaching a host: the runtime
// its vars name (hound_container_runtime and the socket variables, open-runtime.ts), reached
// directly through its socket, or through sudo (`docker system dial-stdio`, else socat) when
// the task becomes another user.
import os from 'node:os';
import type { Inventory, Vars } from '../inventory/model.js';
import { hostVars } from '../inventory/vars.js';
import { ConnectionPool, describeConnectionStats } from '../transport/pool.js';
import {
  resolveConnectionTarget,
  runtimeTargetOf,
  type CommandLineConnectionOptions,
  type ConnectionTarget,
  type RuntimeTarget,
} from '../transport/connection-target.js';
import { SshConfigFile } from '../transport/ssh-config.js';
import { LocalConnection } from '../transport/local-connection.js';
import { TaskConnection } from '../transport/task-connection.js';
import { becomeKey, type BecomeSettings } from '../transport/become.js';
import type { HostReach } from '../transport/reach.js';
import type { TransportLogger } from '../transport/ssh-connection.js';
import type { HostConnection } from '../transport/types.js';
import { TaskFailedError } from '../base/errors.js';
import { openNodeRuntime, runtimeKindOf } from './open-runtime.js';
import type { NodeRuntime } from './types.js';

export interface NodeAccessOptions {
  inventory: Inventory;
  /** A host's variables as its tasks see them (play vars included); default: the inventory's. */
  varsOf?: (host: string) => Vars;
  /** ansible-playbook's -u, --private-key, --timeout, --ssh-common-args. */
  commandLine?: CommandLineConnectionOptions;
  /** --host-key-checking: overrides the inventory's and ssh config's policy, jump hops included. */
  hostKeyChecking?: ConnectionTarget['hostKeyPolicy'];
  logger?: TransportLogger;
  /** A pull with no progress for this long fails as PULL_STALLED. */
  stallTimeoutMs?: number;
}

/** A host reached directly over SSH, as the lab and most runs do. */
export function sshReach(host: string): HostReach {
  return { host, connection: 'ssh' };
}

export class NodeAccess {
  private readonly pool: ConnectionPool;
  private readonly locals = new Map<string, LocalConnection>();
  private readonly dockers = new Map<string, Promise<NodeRuntime>>();
  private readonly targets = new Map<string, ConnectionTarget>();
  private sshConfigLoad?: Promise<void>;
  private sshConfig?: SshConfigFile;

  constructor(private readonly options: NodeAccessOptions) {
    this.pool = new ConnectionPool({ target: (host, remoteUser) => this.target(host, remoteUser), logger: options.logger });
  }

  /** The run's own connection to the host (no become, no environment): for the relay's forwards. */
  async base(reach: HostReach): Promise<HostConnection> {
    if (reach.connection === 'local') {
      let local = this.locals.get(reach.host);
      if (!local) this.locals.set(reach.host, (local = new LocalConnection(reach.host, this.options.logger)));
      return local;
    }
    await this.loadSshConfig();
    return this.pool.get(reach.host, reach.remoteUser);
  }

  /** The host as the task sees it: its environment exported, and through sudo under become. */
  async connection(reach: HostReach): Promise<HostConnection> {
    const base = await this.base(reach);
    const become = this.effectiveBecome(reach);
    if (!become && reach.environment === undefined) return base;
    return new TaskConnection(base, { become, environment: reach.environment }, this.options.logger);
  }

  /**
   * The host's container runtime (hound_container_runtime, or the one `auto` finds), reached
   * as the task reaches the host: through sudo under become, for Docker, containerd and CRI-O.
   */
  async docker(reach: HostReach): Promise<NodeRuntime> {
    if (reach.connection === 'ssh') await this.loadSshConfig();
    const become = this.effectiveBecome(reach);
    const key = `${reach.connection}\0${reach.host}\0${reach.remoteUser ?? ''}\0${becomeKey(become)}`;
    let docker = this.dockers.get(key);
    if (!docker) {
      docker = (async () => {
        const base = await this.base(reach);
        // The environment is the task's, not the runtime client's (shared by the tasks reaching the host alike).
        const connection = become ? new TaskConnection(base, { become }, this.options.logger) : base;
        const target = this.runtimeTarget(reach);
        const kind = await runtimeKindOf(connection, target, this.options.logger);
        if (become && kind === 'podman') throw podmanBecomeRefused(reach.host, become.user);
        return openNodeRuntime(connection, kind, target, { stallTimeoutMs: this.options.stallTimeoutMs, logger: this.options.logger });
      })();
      // A failed open (unreachable, no runtime found) is tried again by the next task.
      docker.catch(() => this.dockers.delete(key));
      this.dockers.set(key, docker);
    }
    return docker;
  }

  /** Where and how to connect to the host over SSH (its vars, the remote_user keyword, ssh config, the command line). */
  target(host: string, remoteUser?: string): ConnectionTarget {
    const key = remoteUser === undefined ? host : `${host}\0${remoteUser}`;
    let target = this.targets.get(key);
    if (!target) {
      const inventory = this.options.inventory;
      target = resolveConnectionTarget(host, this.varsOf(host), {
        sshConfig: this.sshConfig,
        remoteUser,
        commandLine: this.options.commandLine,
        inventoryVars: (h) => (inventory.hosts.has(h) ? hostVars(inventory, h) : undefined),
      });
      if (this.options.hostKeyChecking) target = withHostKeyPolicy(target, this.options.hostKeyChecking);
      this.targets.set(key, target);
    }
    return target;
  }

  async close(): Promise<void> {
    // Before the connections go: a podman service started for the run is stopped through them.
    await Promise.all([...this.dockers.values()].map(async (docker) => (await docker.catch(() => undefined))?.close()));
    const connections = describeConnectionStats(this.pool.stats());
    if (connections !== undefined) this.options.logger?.(1, connections);
    await this.pool.closeAll();
  }

  /**
   * Become, unless it would not change the user: as Ansible (become_allow_same_user off),
   * a task that logs in as root and becomes root runs without sudo.
   */
  private effectiveBecome(reach: HostReach): BecomeSettings | undefined {
    if (!reach.become || reach.becomeAllowSameUser) return reach.become;
    const login = reach.connection === 'local' ? os.userInfo().username : this.target(reach.host, reach.remoteUser).user;
    return reach.become.user === login ? undefined : reach.become;
  }

  /** Which runtime hound speaks to on the host, and its sockets. */
  private runtimeTarget(reach: HostReach): RuntimeTarget {
    if (reach.connection === 'ssh') return this.target(reach.host, reach.remoteUser).runtime;
    // The controller's own runtime: the host's vars, and for Docker DOCKER_HOST's unix socket, else the default.
    const own = runtimeTargetOf(reach.host, this.varsOf(reach.host));
    const dockerHost = process.env.DOCKER_HOST;
    if (own.sockets.docker !== undefined || dockerHost === undefined || !(dockerHost.startsWith('unix://') || dockerHost.startsWith('/'))) return own;
    return { ...own, sockets: { ...own.sockets, docker: dockerHost.replace(/^unix:\/\//, '') } };
  }

  private varsOf(host: string): Vars {
    return this.options.varsOf?.(host) ?? hostVars(this.options.inventory, host);
  }

  private async loadSshConfig(): Promise<void> {
    this.sshConfigLoad ??= SshConfigFile.load().then((c) => {
      this.sshConfig = c;
    });
    await this.sshConfigLoad;
  }
}

/**
 * podman keeps images per user, and the service hound starts for the run is the login user's:
 * through sudo it would be another user's storage and another service, which hound does not
 * start. Said plainly rather than warming the wrong user's images.
 */
function podmanBecomeRefused(host: string, user: string): TaskFailedError {
  return new TaskFailedError(host, 'RUNTIME_BECOME_UNSUPPORTED', `${host} runs podman, and hound does not reach podman through become (to ${user})`, {
    hint: `log in as the user whose podman images the task warms (ansible_user, or remote_user), and set become: false for the image tasks on this host; Docker, containerd and CRI-O are reached through sudo`,
  });
}

function withHostKeyPolicy(target: ConnectionTarget, policy: ConnectionTarget['hostKeyPolicy']): ConnectionTarget {
  return { ...target, hostKeyPolicy: policy, proxyJump: target.proxyJump.map((hop) => withHostKeyPolicy(hop, policy)) };
}
