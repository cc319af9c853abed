// What the live view knows about each host, kept from the event stream as numbers only:
// nothing is formatted here, so the hundreds of progress events a second a pull sends
// cost a map lookup each, and text is made only for the rows on screen.
import type { HoundEvent } from '../core/events.js';
import { PullMeter } from './pull-meter.js';

export type HostState = 'waiting' | 'running' | 'done' | 'failed' | 'unreachable';

export class HostProgress {
  state: HostState = 'waiting';
  /** The task running now, `HANDLER ` before a handler's name. */
  task = '';
  taskStartedAt = 0;
  /** Why it failed or was unreachable (the last such result). */
  failure = '';
  /** Bytes pulled by tasks that ended. */
  finishedBytes = 0;
  startedAt?: number;
  endedAt?: number;
  /** The pulls of the running task, by image. */
  readonly pulls = new Map<string, PullMeter>();

  constructor(
    readonly name: string,
    /** Inventory order: rows keep it, so a host does not jump around the screen. */
    readonly order: number,
  ) {}

  get bytesDone(): number {
    let sum = this.finishedBytes;
    for (const meter of this.pulls.values()) sum += meter.bytesDone;
    return sum;
  }

  /** Bytes known to be coming: what ended, plus what running pulls have announced. */
  get bytesTotal(): number {
    let sum = this.finishedBytes;
    for (const meter of this.pulls.values()) sum += Math.max(meter.bytesTotal, meter.bytesDone);
    return sum;
  }

  /** Bytes per second of the running pulls together. */
  speed(now: number): number {
    let sum = 0;
    for (const meter of this.pulls.values()) if (!meter.finished) sum += meter.speed(now);
    return sum;
  }

  /** Seconds until the running pulls end at their speed; undefined while unknown, Infinity when stalled. */
  eta(now: number): number | undefined {
    let left = 0;
    for (const meter of this.pulls.values()) if (!meter.finished) left += Math.max(0, meter.bytesTotal - meter.bytesDone);
    if (left === 0) return undefined;
    const speed = this.speed(now);
    return speed > 0 ? left / speed : Infinity;
  }

  get pulling(): boolean {
    for (const meter of this.pulls.values()) if (!meter.finished) return true;
    return false;
  }

  get broken(): boolean {
    return this.state === 'failed' || this.state === 'unreachable';
  }
}

/** The hosts of the run, updated event by event. */
export class LiveHosts {
  readonly hosts = new Map<string, HostProgress>();
  /** The hosts of the play running now, in inventory order. */
  inPlay: HostProgress[] = [];
  startedAt?: number;
  /** Something on screen may have changed since the last frame was drawn. */
  changed = false;

  handle(e: HoundEvent): void {
    switch (e.event) {
      case 'run_start':
        this.startedAt = e.time;
        for (const name of e.hosts) this.host(name);
        break;
      case 'play_start':
        this.startedAt ??= e.time;
        this.inPlay = e.hosts.map((name) => {
          const host = this.host(name);
          host.state = 'waiting';
          host.task = '';
          host.pulls.clear();
          return host;
        });
        break;
      case 'host_start': {
        const host = this.host(e.host);
        host.state = 'running';
        host.startedAt ??= e.time;
        break;
      }
      case 'task_start': {
        const host = this.host(e.host);
        if (!host.broken) host.state = 'running';
        host.startedAt ??= e.time;
        host.task = e.handler ? `HANDLER ${e.task}` : e.task;
        host.taskStartedAt = e.time;
        host.pulls.clear();
        break;
      }
      case 'pull_progress': {
        const host = this.host(e.host);
        let meter = host.pulls.get(e.image);
        if (!meter) host.pulls.set(e.image, (meter = new PullMeter(e.image)));
        meter.add(e);
        break;
      }
      case 'task_result': {
        const host = this.host(e.host);
        host.finishedBytes += e.bytes;
        host.pulls.clear();
        if (e.status === 'unreachable') {
          host.state = 'unreachable';
          host.failure = e.msg;
        } else if (e.status === 'failed' && !e.ignored) {
          host.state = 'failed';
          host.failure = `${e.task}: ${e.msg}`;
        }
        break;
      }
      case 'host_done': {
        const host = this.host(e.host);
        if (!host.broken) host.state = 'done';
        host.task = '';
        host.endedAt = e.time;
        break;
      }
      default:
        return;
    }
    this.changed = true;
  }

  private host(name: string): HostProgress {
    let host = this.hosts.get(name);
    if (!host) this.hosts.set(name, (host = new HostProgress(name, this.hosts.size)));
    return host;
  }
}
