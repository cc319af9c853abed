// A reporter turns events into output. It is given already-masked events by the bus.
import type { HoundEvent } from '../core/events.js';

export interface Reporter {
  handle(event: HoundEvent): void;
  /** Resolves once everything is written (the TTY view has drawn its last frame). */
  close(): Promise<void>;
}

/** Where reporters write; a writable stream or anything with `write(string)`. */
export interface TextSink {
  write(text: string): unknown;
}
