// The PLAY RECAP, computed from the event stream alone (as Ansible counts: `ok` includes
// `changed` and ignored failures; skipped and unreachable stand apart).
import type { EventBus, HostRecap, HoundEvent } from './events.js';

export function emptyRecap(): HostRecap {
  return { ok: 0, changed: 0, failed: 0, unreachable: 0, skipped: 0, ignored: 0, rescued: 0, bytes: 0, duration_s: 0 };
}

export class RecapCollector {
  readonly hosts = new Map<string, HostRecap>();
  private startedAt?: number;
  private lastAt?: number;

  constructor(bus?: EventBus) {
    bus?.subscribe((e) => this.add(e));
  }

  add(e: HoundEvent): void {
    this.startedAt ??= e.time;
    this.lastAt = e.time;
    if (e.event === 'run_start') for (const h of e.hosts) this.recap(h);
    if (e.event === 'play_start') for (const h of e.hosts) this.recap(h);
    // As ansible-playbook counts: a meta task is no task of the host's (run, skipped or not), nor an include_role.
    if (e.event !== 'task_result' || e.module === 'meta' || e.module === 'include_role') return;
    const r = this.recap(e.host);
    r.bytes += e.bytes;
    r.duration_s += e.duration_ms / 1000;
    switch (e.status) {
      case 'ok':
        r.ok++;
        break;
      case 'changed':
        r.ok++;
        r.changed++;
        break;
      case 'skipped':
        r.skipped++;
        break;
      case 'unreachable':
        r.unreachable++;
        break;
      case 'failed':
        if (e.ignored) {
          r.ok++;
          r.ignored++;
          // As ansible-core's strategy: an ignored failure that changed something counts changed too.
          if (e.result.changed === true) r.changed++;
        } else if (e.rescued) r.rescued++;
        else r.failed++;
        break;
    }
  }

  /** Seconds from the first event to the last one seen. */
  get durationSeconds(): number {
    return this.startedAt === undefined || this.lastAt === undefined ? 0 : (this.lastAt - this.startedAt) / 1000;
  }

  snapshot(): Record<string, HostRecap> {
    const out: Record<string, HostRecap> = {};
    for (const [host, r] of this.hosts) out[host] = { ...r, duration_s: Math.round(r.duration_s * 1000) / 1000 };
    return out;
  }

  private recap(host: string): HostRecap {
    let r = this.hosts.get(host);
    if (!r) {
      r = emptyRecap();
      this.hosts.set(host, r);
    }
    return r;
  }
}
