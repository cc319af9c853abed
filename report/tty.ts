// The terminal view: listr2, one row per host with the task it is running, and under it
// each image being pulled with bytes done / total, speed and ETA. A finished host
// collapses to one line with its counts. Tests drive it with listr2's `test` renderer.
import { Listr, ListrLogger, ProcessOutput, type ListrTaskWrapper } from 'listr2';
import type { HostRecap, HoundEvent } from '../core/events.js';
import { emptyRecap, RecapCollector } from '../core/recap.js';
import { formatBytes } from '../base/bytes.js';
import { PullMeter } from './pull-meter.js';
import { formatRecapTable } from './recap-table.js';
import type { Reporter } from './reporter.js';

export interface TtyReporterOptions {
  out: NodeJS.WriteStream;
  verbosity: number;
  /** `default` draws the live view; `test` logs each change as a line (for tests). */
  renderer?: 'default' | 'test';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type HostTask = ListrTaskWrapper<any, any, any>;

class HostRow {
  task?: HostTask;
  current = 'waiting';
  readonly meters = new Map<string, PullMeter>();
  readonly recap: HostRecap = emptyRecap();
  lastFailure = '';
  finished?: () => void;
  readonly done: Promise<void>;

  constructor(readonly host: string) {
    this.done = new Promise((resolve) => (this.finished = resolve));
  }

  /** `node1: TASK pull app images` while running; counts once finished. */
  title(finished: boolean): string {
    if (!finished) return `${this.host}: ${this.current}`;
    const r = this.recap;
    const parts = [`ok=${r.ok}`, `changed=${r.changed}`];
    if (r.failed) parts.push(`failed=${r.failed}`);
    if (r.unreachable) parts.push(`unreachable=${r.unreachable}`);
    if (r.skipped) parts.push(`skipped=${r.skipped}`);
    parts.push(`pulled ${formatBytes(r.bytes)}`, `${r.duration_s.toFixed(1)}s`);
    return `${this.host}: ${parts.join(' ')}`;
  }

  output(now: number): string {
    return [...this.meters.values()]
      .filter((m) => !m.finished)
      .map((m) => m.describe(now))
      .join('\n');
  }

  get broken(): boolean {
    return this.recap.failed > 0 || this.recap.unreachable > 0;
  }
}

export class TtyReporter implements Reporter {
  private rows = new Map<string, HostRow>();
  private readonly runs: Promise<unknown>[] = [];
  private readonly logger?: ListrLogger;
  private readonly recap = new RecapCollector();

  constructor(private readonly options: TtyReporterOptions) {
    // The live renderer hijacks process.stdout while it draws; handing it process.stdout as its
    // own output would make it write into its own hijack buffer. Only other streams (tests) get a logger.
    if (options.out !== process.stdout) this.logger = new ListrLogger({ processOutput: new ProcessOutput(options.out, options.out) });
  }

  handle(e: HoundEvent): void {
    this.recap.add(e);
    switch (e.event) {
      case 'play_start':
        this.startPlay(e.play, e.hosts);
        break;
      case 'task_start': {
        const row = this.rows.get(e.host);
        if (!row) break;
        row.current = `${e.handler ? 'HANDLER' : 'TASK'} ${e.task}`;
        row.meters.clear();
        this.refresh(row, e.time);
        break;
      }
      case 'pull_progress': {
        const row = this.rows.get(e.host);
        if (!row) break;
        let meter = row.meters.get(e.image);
        if (!meter) row.meters.set(e.image, (meter = new PullMeter(e.image)));
        meter.add(e);
        this.refresh(row, e.time);
        break;
      }
      case 'task_result': {
        const row = this.rows.get(e.host);
        if (!row) break;
        const r = this.recap.hosts.get(e.host);
        if (r) Object.assign(row.recap, r);
        if (e.status === 'failed' && !e.ignored) row.lastFailure = `${e.task}: ${e.msg}`;
        if (e.status === 'unreachable') row.lastFailure = `unreachable: ${e.msg}`;
        break;
      }
      case 'host_done': {
        const row = this.rows.get(e.host);
        if (!row) break;
        row.meters.clear();
        row.finished?.();
        break;
      }
      case 'summary':
        // Hosts a play never reached (a batch aborted) still get their row closed.
        for (const row of this.rows.values()) row.finished?.();
        break;
      default:
        break;
    }
  }

  async close(): Promise<void> {
    for (const row of this.rows.values()) row.finished?.();
    await Promise.allSettled(this.runs);
    this.options.out.write('\n' + formatRecapTable(this.recap.snapshot(), this.recap.durationSeconds));
  }

  private refresh(row: HostRow, now: number): void {
    if (!row.task) return;
    const title = row.title(false);
    if (row.task.title !== title) row.task.title = title;
    const output = row.output(now);
    if (output) row.task.output = output;
  }

  private startPlay(play: string, hosts: string[]): void {
    for (const row of this.rows.values()) row.finished?.();
    this.rows = new Map(hosts.map((h) => [h, new HostRow(h)]));
    const list = new Listr(
      [...this.rows.values()].map((row) => ({
        title: row.title(false),
        task: async (_ctx: unknown, task: HostTask) => {
          row.task = task;
          this.refresh(row, Date.now());
          await row.done;
          task.title = row.title(true);
          if (row.broken) throw new Error(row.lastFailure || `${row.host} failed`);
        },
        rendererOptions: { outputBar: Infinity, persistentOutput: false },
      })),
      {
        concurrent: true,
        exitOnError: false,
        registerSignalListeners: false,
        renderer: this.options.renderer ?? 'default',
        rendererOptions: {
          ...(this.logger ? { logger: this.logger } : {}),
          // The default renderer: hosts stay one line each once done.
          collapseSubtasks: true,
          collapseErrors: false,
          showErrorMessage: true,
          formatOutput: 'truncate',
          // The test renderer: log events without the task's internal flags.
          task: false,
        },
      },
    );
    if (this.options.verbosity > 0) this.options.out.write(`PLAY [${play}]\n`);
    this.runs.push(list.run().catch(() => undefined));
  }
}
