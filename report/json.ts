// --reporter json: one JSON object per line per event; the summary event comes last.
import type { HoundEvent } from '../core/events.js';
import type { Reporter, TextSink } from './reporter.js';

export class JsonReporter implements Reporter {
  constructor(private readonly out: TextSink) {}

  handle(event: HoundEvent): void {
    this.out.write(JSON.stringify(event) + '\n');
  }

  async close(): Promise<void> {}
}
