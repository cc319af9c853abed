// `no_log: true` hides a task's arguments and result in its own events, but while it runs
// the same values also reach detail lines (-vvv: the module's arguments, the command it
// runs, the transport's exec log). Each string of its arguments and result is masked
// until the task is over; after that, as in Ansible, what later tasks print is theirs
// (masking a no_log registry_login's registry host for the rest of the run would hide
// every image name).
import type { EventBus } from './events.js';

/** Masks every string leaf of `value` on the bus; returns those it added, for removeNoLogSecrets. */
export function addNoLogSecrets(bus: EventBus, value: unknown, added: string[] = [], depth = 0): string[] {
  if (depth > 32) return added;
  if (typeof value === 'string') {
    const candidates = value.includes('\n') ? [value, ...value.split('\n').map((l) => l.trim())] : [value];
    for (const c of candidates) {
      if (c.length >= 3 && !bus.hasSecret(c)) {
        bus.addSecret(c);
        added.push(c);
      }
    }
  } else if (Array.isArray(value)) {
    for (const v of value) addNoLogSecrets(bus, v, added, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) addNoLogSecrets(bus, v, added, depth + 1);
  }
  return added;
}

export function removeNoLogSecrets(bus: EventBus, added: readonly string[]): void {
  for (const value of added) bus.removeSecret(value);
}
