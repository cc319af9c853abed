// PLAY RECAP, as ansible-playbook prints it, plus bytes pulled and time per host.
import type { HostRecap } from '../core/events.js';
import { formatBytes } from '../modules/image-actions.js';

export interface RecapStyle {
  /** Colours a host name by its worst outcome; identity for plain output. */
  host(name: string, recap: HostRecap): string;
}

const PLAIN: RecapStyle = { host: (name) => name };

export function formatRecapTable(hosts: Record<string, HostRecap>, durationSeconds: number, style: RecapStyle = PLAIN): string {
  const names = Object.keys(hosts);
  const width = Math.max(0, ...names.map((n) => n.length));
  const lines = ['PLAY RECAP ' + '*'.repeat(60)];
  for (const name of names) {
    const r = hosts[name]!;
    const fields = [
      `ok=${r.ok}`,
      `changed=${r.changed}`,
      `unreachable=${r.unreachable}`,
      `failed=${r.failed}`,
      `skipped=${r.skipped}`,
      `rescued=${r.rescued}`,
      `ignored=${r.ignored}`,
      `pulled=${formatBytes(r.bytes)}`,
      `time=${r.duration_s.toFixed(1)}s`,
    ].map((f) => f.padEnd(16));
    lines.push(`${style.host(name, r)}${' '.repeat(width - name.length)} : ${fields.join(' ').trimEnd()}`);
  }
  const total = Object.values(hosts).reduce((s, r) => s + r.bytes, 0);
  lines.push('', `${names.length} host${names.length === 1 ? '' : 's'}, ${formatBytes(total)} pulled in ${durationSeconds.toFixed(1)}s`);
  return lines.join('\n') + '\n';
}
