// Fault injection on a lab of the test's own: run the built `hound play --json` and act on
// its event stream as it comes (cut a node's link, kill its dockerd, press Ctrl-C once a
// pull is under way), and put the lab back (link up, dockerd restarted) for the rerun.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { getOverSocket, nodePathsOf, sshAnswers, startDockerd, startSshd } from '../../lab/daemons.js';
import { locateBinaries } from '../../lab/preflight.js';
import type { LabInfo, LabNodeInfo } from '../../lab/index.js';
import type { HoundEvent } from '../../core/events.js';
import { hound } from '../fixtures/play/helpers.js';

export interface WatchedRun {
  code: number | null;
  events: HoundEvent[];
  stdout: string;
  stderr: string;
}

type Child = ChildProcess;

/**
 * Runs `hound ARGS` and calls `onEvent` for each JSON event line as it arrives (with --json)
 * and `onLine` for each other stdout line, with the child so a handler can signal it.
 * A run still going after HOUND_RUN_LIMIT_MS (below the test timeout) fails the test with
 * where hound was waiting, instead of a bare test timeout.
 */
export async function watchHound(
  args: string[],
  cwd: string,
  handlers: { onEvent?: (e: HoundEvent, child: Child) => void; onLine?: (line: string, child: Child) => void } = {},
  env: NodeJS.ProcessEnv = {},
): Promise<WatchedRun> {
  const events: HoundEvent[] = [];
  let pending = '';
  const result = await hound(args, cwd, env, (chunk, child) => {
    pending += chunk;
    for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      if (line.startsWith('{')) {
        const event = JSON.parse(line) as HoundEvent;
        events.push(event);
        handlers.onEvent?.(event, child);
      } else handlers.onLine?.(line, child);
    }
  });
  return { ...result, events };
}

/** True once `e` shows bytes of a pull arriving on `host` (not merely the pull starting). */
export function isPullUnderWay(e: HoundEvent, host: string): boolean {
  return e.event === 'pull_progress' && e.host === host && (e.current ?? 0) > 0;
}

export function setLink(node: LabNodeInfo, state: 'up' | 'down'): void {
  execFileSync('ip', ['link', 'set', node.hostInterface, state]);
}

/**
 * Stops a lab daemon hard, as a crash would, with what it started (dockerd's containerd):
 * the lab starts each daemon detached, so it leads its own process group.
 */
export function killDaemon(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}

/**
 * Starts the node's dockerd again (same data root and socket) and waits for it to answer;
 * returns its pid. Tried up to three times: right after a kill, the containerd it starts
 * may not come up in dockerd's few seconds on a loaded machine.
 */
export async function restartDockerd(lab: LabInfo, node: LabNodeInfo): Promise<number> {
  const bins = locateBinaries();
  const paths = nodePathsOf(lab.dir, node.name);
  let lastLog = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    // A killed daemon leaves its pidfile and socket behind; dockerd refuses a live-looking pidfile.
    execFileSync('rm', ['-f', path.join(paths.runDir, 'docker.pid'), node.socket.controller]);
    const daemon = startDockerd(bins, node.netns, paths, node.name, `${lab.registry.ip}:${lab.registry.port}`);
    for (let i = 0; i < 300 && daemon.exited() === undefined; i++) {
      const answer = await getOverSocket(node.socket.controller, '/_ping').catch(() => undefined);
      if (answer?.status === 200) return daemon.pid;
      await sleep(200);
    }
    lastLog = readFileSync(daemon.log, 'utf8').trim().split('\n').slice(-5).join('\n');
    killDaemon(daemon.pid);
    await waitGone(daemon.pid);
    await sleep(3000);
  }
  throw new Error(`dockerd of ${node.name} did not come back after three tries:\n${lastLog}`);
}

/**
 * Starts the node's sshd again, e.g. after a mount was added: each node daemon gets a copy
 * of the machine's mounts when it starts, so a new sshd is what makes the node's shell
 * (and hound's `df`) see it. Returns its pid once port 22 answers.
 */
export async function restartSshd(lab: LabInfo, node: LabNodeInfo, oldPid: number): Promise<number> {
  killDaemon(oldPid);
  await waitGone(oldPid);
  const daemon = startSshd(locateBinaries(), node.netns, nodePathsOf(lab.dir, node.name), node.name);
  for (let i = 0; i < 300; i++) {
    if (await sshAnswers(node.ip, node.sshPort ?? 22, 1000)) return daemon.pid;
    if (daemon.exited() !== undefined) throw new Error(`sshd of ${node.name} exited (${daemon.exited()}); see ${daemon.log}`);
    await sleep(200);
  }
  throw new Error(`sshd of ${node.name} did not answer within 60 s`);
}

/** Waits until the daemon and its process group are gone. */
export async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const alive = [-pid, pid].some((target) => {
      try {
        process.kill(target, 0);
        return true;
      } catch {
        return false;
      }
    });
    if (!alive) return;
    await sleep(200);
  }
  throw new Error(`process ${pid} (or its group) did not exit`);
}
