// PLAY RECAP, as ansible-playbook prints it, plus bytes pulled and time per host.
import type { HostRecap } from '../core/events.js';
import { formatBytes } from '../base/bytes.js';

export interface RecapStyle {
  /** Colours a host name by its worst outcome; identity for plain output. */
  host(name: string, recap: HostRecap): string;
}

const PLAIN: RecapStyle = { host: (name) => name };

export function formatRecapTable(hosts: Record<string, HostRecap>, durationSeconds: number, style: RecapStyle = PLAIN): string {
  const names = Object.keys(hosts);
  // ansible-playbook: the host padded to 26, each count as `name=%-4s`.
  const width = Math.max(26, ...names.map((n) => n.length));
  const lines = ['PLAY RECAP ' + '*'.repeat(60)];
  for (const name of names) {
    const r = hosts[name];
    const count = (label: string, n: number) => `${label}=${String(n).padEnd(4)}`;
    const fields = [
      count('ok', r.ok),
      count('changed', r.changed),
      count('unreachable', r.unreachable),
      count('failed', r.failed),
      count('skipped', r.skipped),
      count('rescued', r.rescued),
      count('ignored', r.ignored),
      `pulled=${formatBytes(r.bytes).padEnd(10)}`,
      `time=${r.duration_s.toFixed(1)}s`,
    ];
    lines.push(`${style.host(name, r)}${' '.repeat(width - name.length)} : ${fields.join(' ').trimEnd()}`);
  }
  const total = Object.values(hosts).reduce((s, r) => s + r.bytes, 0);
  lines.push('', `${names.length} host${names.length === 1 ? '' : 's'}, ${formatBytes(total)} pulled in ${durationSeconds.toFixed(1)}s`);
  return lines.join('\n') + '\n';
}
