// `no_log: true` hides a task's arguments and result in its own events, but the same
// values also reach detail lines (-vvv: the module's arguments, the command it runs, the
// transport's exec log) and later tasks (a registered stdout). Registering each string of
// the task's arguments and result as a secret masks them wherever they turn up.
import type { EventBus } from './events.js';

/** Adds every string leaf of `value` (arguments or a result of a no_log task) to the bus's secrets. */
export function addNoLogSecrets(bus: EventBus, value: unknown, depth = 0): void {
  if (depth > 32) return;
  if (typeof value === 'string') {
    bus.addSecret(value);
    // A multi-line output is often quoted line by line (stdout_lines, a log line).
    if (value.includes('\n')) for (const line of value.split('\n')) bus.addSecret(line.trim());
  } else if (Array.isArray(value)) {
    for (const v of value) addNoLogSecrets(bus, v, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) addNoLogSecrets(bus, v, depth + 1);
  }
}
