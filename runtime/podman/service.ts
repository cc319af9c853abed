// The podman API service a run talks to. podman has no daemon: its REST API answers only
// while `podman system service` runs (socket-activated by systemd on hosts that enable
// podman.socket). When nothing answers on the node's socket, hound starts the service for
// the run, on a socket in a fresh private dir, under the same stdin watcher as the command
// module: when hound stops or dies, sshd closes the channel and the service gets SIGTERM.
// At the end hound stops it, removes the dir and, for a rootless user, the pause process
// podman leaves behind (it keeps the user namespace for later podman commands) if that
// process was not there before: the node is left as hound found it.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskFailedError } from '../../base/errors.js';
import { watchedCommandLine } from '../remote-command.js';
import type { TransportLogger } from '../../transport/ssh-connection.js';
import type { ExecResult, HostConnection } from '../../transport/types.js';
import { shlexQuote } from '../../base/shlex.js';

export const PODMAN_ROOTFUL_SOCKET = '/run/podman/podman.sock';

export interface PodmanService {
  /** The socket the node's podman answers on. */
  readonly socketPath: string;
  /** Whether hound started the service for this run (and stop() ends it). */
  readonly startedByHound: boolean;
  readonly rootless: boolean;
  /** The SSH user's home on the node (a rootless user's podman reads registry certificates under it). */
  readonly home: string;
  /** Stops what hound started and removes what it left; nothing when the service was already running. */
  stop(): Promise<void>;
}

/** GET `urlPath` on a unix socket of the node, through the SSH connection; the status code, or undefined if nothing answers. */
export function getStatusOverSsh(connection: HostConnection, socketPath: string, urlPath: string, timeoutMs = 3000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.request({
      method: 'GET',
      path: urlPath,
      host: 'podman',
      timeout: timeoutMs,
      createConnection: (_options: unknown, callback: (error: Error | null, socket?: Duplex) => void) => {
        connection.openUnixSocket(socketPath).then(
          (stream) => callback(null, stream),
          (error: Error) => callback(error),
        );
        return undefined;
      },
    } as http.RequestOptions);
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
    request.end();
  });
}

export interface PodmanServiceOptions {
  /** The socket to try first (hound_podman_socket); default root's /run/podman/podman.sock or the user's $XDG_RUNTIME_DIR/podman/podman.sock. */
  socketPath?: string;
  logger?: TransportLogger;
  /** How long a started service may take to answer (default 15 s). */
  startTimeoutMs?: number;
}

/** Who the SSH user is on the node, its home, and where its podman keeps the pause process's pid. */
const IDENTITY_SCRIPT =
  'command -v podman >/dev/null || { echo "podman not found on PATH" >&2; exit 127; }; ' +
  'uid=$(id -u); echo "$uid"; echo "${XDG_RUNTIME_DIR:-}"; echo "${HOME:-}"; ' +
  'if [ "$uid" != 0 ]; then p="${XDG_RUNTIME_DIR:-/tmp/podman-run-$uid}/libpod/tmp/pause.pid"; ' +
  'if [ -f "$p" ] && kill -0 "$(cat "$p")" 2>/dev/null; then echo "pause $(cat "$p")"; else echo "no pause"; fi; fi';

export async function ensurePodmanService(connection: HostConnection, options: PodmanServiceOptions = {}): Promise<PodmanService> {
  const host = connection.host;
  const log = (level: number, message: string) => options.logger?.(level, `podman ${host}: ${message}`);
  const identity = await connection.exec(IDENTITY_SCRIPT);
  if (identity.code !== 0) {
    throw new TaskFailedError(host, 'PODMAN_UNAVAILABLE', `podman on ${host}: ${identity.stderr.trim() || `exit ${identity.code}`}`, {
      hint: 'install podman on the node, or set hound_container_runtime to the runtime it has',
    });
  }
  const [uid, runtimeDir, home, pause] = identity.stdout.split('\n');
  const rootless = uid !== '0';
  const defaultSocket = rootless ? `${runtimeDir || `/run/user/${uid}`}/podman/podman.sock` : PODMAN_ROOTFUL_SOCKET;
  const wanted = options.socketPath ?? defaultSocket;
  if ((await getStatusOverSsh(connection, wanted, '/_ping')) === 200) {
    log(2, `using the running service on ${wanted}`);
    return { socketPath: wanted, startedByHound: false, rootless, home, stop: async () => {} };
  }

  const made = await connection.exec('mktemp -d "${XDG_RUNTIME_DIR:-/tmp}/hound-podman.XXXXXX"');
  const dir = made.stdout.trim();
  if (made.code !== 0 || dir === '') {
    throw new TaskFailedError(
      host,
      'PODMAN_SERVICE_FAILED',
      `could not make a private dir for podman's socket on ${host}: ${made.stderr.trim() || `exit ${made.code}`}`,
    );
  }
  const socketPath = `${dir}/podman.sock`;
  const argv = ['podman', 'system', 'service', '--time=0', `unix://${socketPath}`];
  log(2, `no service answers on ${wanted}; starting ${argv.join(' ')}`);
  const stopping = new AbortController();
  let exited: ExecResult | undefined;
  const running = connection
    .exec(watchedCommandLine(argv), { holdStdin: true, signal: stopping.signal, shownAs: `${argv.join(' ')} (under hound's watcher)` })
    .then(
      (result) => void (exited = result),
      () => undefined,
    );

  const cleanUp = async () => {
    stopping.abort();
    await running;
    // The watcher sent SIGTERM when the channel closed; wait for podman to be gone, then
    // remove its dir and (rootless) the pause process this run brought about.
    // "[u]nix://…" matches the service's command line but not this script's own.
    const service = shlexQuote(`[u]nix://${socketPath}`);
    const script = [
      `for i in $(seq 50); do pgrep -f ${service} >/dev/null || break; sleep 0.1; done`,
      `pkill -KILL -f ${service} 2>/dev/null`,
      `rm -rf ${shlexQuote(dir)}`,
      ...(rootless && pause === 'no pause'
        ? ['p="${XDG_RUNTIME_DIR:-/tmp/podman-run-$(id -u)}/libpod/tmp/pause.pid"', 'if [ -f "$p" ]; then kill "$(cat "$p")" 2>/dev/null; rm -f "$p"; fi']
        : []),
      'true',
    ].join('; ');
    const r = await connection.exec(script).catch(() => undefined);
    if (r?.code !== 0) log(1, `could not clean up after podman's service in ${dir}: ${r?.stderr.trim() ?? 'connection lost'}`);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  for (;;) {
    if ((await getStatusOverSsh(connection, socketPath, '/_ping')) === 200) break;
    if (exited !== undefined || Date.now() > deadline) {
      await cleanUp();
      const why = exited ? exited.stderr.trim() || `exit ${exited.code}` : `no answer after ${Math.round((options.startTimeoutMs ?? 15_000) / 1000)} s`;
      throw new TaskFailedError(host, 'PODMAN_SERVICE_FAILED', `podman system service did not start on ${host}: ${why}`, {
        hint: 'run `podman system service --time=0 unix:///tmp/test.sock` on the node as the same user to see why',
      });
    }
    await sleep(100);
  }
  log(2, `service answers on ${socketPath}`);
  let stopped: Promise<void> | undefined;
  return {
    socketPath,
    startedByHound: true,
    rootless,
    home,
    stop: () => (stopped ??= cleanUp()),
  };
}
