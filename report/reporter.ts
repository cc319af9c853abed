// A reporter turns events into output. It is given already-masked events by the bus.
import type { RunReporter } from '../core/events.js';

export type Reporter = RunReporter;

/** Where reporters write; a writable stream or anything with `write(string)`. */
export interface TextSink {
  write(text: string): unknown;
}
