// The live view on a terminal: a summary line and one row per host (its pulls' bytes, speed
// and ETA, or its task), redrawn in place. Frames are drawn only after something changed,
// at most 10 a second, and each sends only what differs from the last. Failures, debug
// messages and (from -v on) everything plain prints scroll above the view as plain lines;
// at the end the view is erased and the recap takes its place.
//
// Not listr2, which drew the view before: its renderer redraws every task on each title or
// output change (a pull sends hundreds a second), always lists every task (50 hosts do not
// fit a 24-row terminal, and what scrolls off cannot be erased), and formats every row
// whether it is on screen or not. Fixing that means a renderer of our own, which is this.
import { writeSync } from 'node:fs';
import { Chalk } from 'chalk';
import type { HoundEvent } from '../core/events.js';
import { LiveHosts, type HostProgress } from './live-hosts.js';
import { layoutFrame, PLAIN_MARKS, type HostMarks, type TerminalSize } from './live-layout.js';
import { PlainReporter, resultWarnings } from './plain.js';
import type { Reporter } from './reporter.js';
import { HIDE_CURSOR, SHOW_CURSOR, TerminalRegion } from './terminal-region.js';
import { textColumns } from './terminal-text.js';

export interface TtyReporterOptions {
  out: NodeJS.WriteStream;
  verbosity: number;
  /** The clock (tests drive their own). */
  now?: () => number;
  /** Shortest time between two frames (default 100 ms: 10 frames a second). */
  frameIntervalMs?: number;
}

/** Size of a stream that is not a terminal (`--reporter tty` into a pipe). */
const DEFAULT_SIZE: TerminalSize = { rows: 24, columns: 80 };
/** While anything runs, a frame at least this often, so elapsed times and speeds move on. */
const HEARTBEAT_MS = 1000;
/** The summary's speed is measured over this much of the recent past. */
const SPEED_WINDOW_MS = 5000;

export class TtyReporter implements Reporter {
  private readonly hosts = new LiveHosts();
  private readonly region: TerminalRegion;
  private readonly log: PlainReporter;
  private readonly now: () => number;
  private readonly interval: number;
  private readonly marks: HostMarks;
  private shown: ReadonlySet<HostProgress> = new Set();
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private lastFrameAt = -Infinity;
  /** (time, bytes done) at past frames, for the summary's speed. */
  private samples: { at: number; bytes: number }[] = [];
  private live = false;
  private ended = false;
  private readonly onResize = () => this.resized();
  private readonly restoreCursor = () => {
    // At exit, whatever the path there: a hidden cursor would outlive hound in the shell.
    const fd = (this.options.out as { fd?: unknown }).fd;
    if (this.live && typeof fd === 'number') writeSync(fd, SHOW_CURSOR);
  };

  constructor(private readonly options: TtyReporterOptions) {
    this.now = options.now ?? Date.now;
    this.interval = options.frameIntervalMs ?? 100;
    this.region = new TerminalRegion(options.out);
    // Lines above the view go through the region, which takes them out of the frame's way.
    this.log = new PlainReporter({ write: (text: string) => this.printAbove(text) }, options.verbosity);
    const chalk = new Chalk();
    this.marks = chalk.level > 0 ? { running: chalk.cyan('›'), waiting: chalk.dim('·'), done: chalk.green('✔'), failed: chalk.red('✖') } : PLAIN_MARKS;
  }

  handle(e: HoundEvent): void {
    if (this.ended) return;
    if (e.event === 'summary') {
      this.stop();
      this.log.handle(e);
      return;
    }
    this.hosts.handle(e);
    if (this.shouldLog(e)) this.log.handle(e);
    if (e.event === 'run_start' || e.event === 'play_start') this.start();
    if (this.hosts.changed) this.schedule();
  }

  async close(): Promise<void> {
    // Without a summary (the run threw): the view still goes, so the error prints on a clean screen.
    this.stop();
  }

  /** At -v and above, everything plain prints; below, only what a person must not miss. */
  private shouldLog(e: HoundEvent): boolean {
    if (this.options.verbosity > 0) return true;
    switch (e.event) {
      case 'task_result':
        return e.status === 'failed' || e.status === 'unreachable' || (e.module === 'debug' && e.status === 'ok') || resultWarnings(e.result).length > 0;
      case 'detail':
      case 'play_abort':
        return true;
      default:
        return false;
    }
  }

  private start(): void {
    if (this.live) return;
    this.live = true;
    this.options.out.on('resize', this.onResize);
    process.on('exit', this.restoreCursor);
    this.options.out.write(HIDE_CURSOR);
    this.heartbeat = setInterval(() => {
      if (this.hosts.inPlay.some((h) => h.state === 'running')) this.schedule(true);
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private stop(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    if (!this.live) return;
    this.region.clear();
    this.options.out.write(SHOW_CURSOR);
    this.options.out.off('resize', this.onResize);
    process.off('exit', this.restoreCursor);
    this.live = false;
  }

  /** A frame as soon as the interval allows; several changes before then share it. */
  private schedule(force = false): void {
    if (force) this.hosts.changed = true;
    if (this.timer !== undefined || this.ended) return;
    const wait = Math.max(0, this.lastFrameAt + this.interval - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, wait);
  }

  private draw(): void {
    if (this.ended || !this.hosts.changed) return;
    this.hosts.changed = false;
    const now = this.now();
    this.lastFrameAt = now;
    const frame = layoutFrame({ hosts: this.hosts, size: this.size(), now, speed: this.speed(now), shown: this.shown, marks: this.marks });
    this.shown = frame.shown;
    this.region.draw(frame.lines, textColumns);
  }

  private printAbove(text: string): void {
    if (!this.live) {
      this.options.out.write(text);
      return;
    }
    this.region.printAbove(text, textColumns);
  }

  private resized(): void {
    this.region.resized(this.size().columns);
    this.hosts.changed = true;
    this.draw();
  }

  private size(): TerminalSize {
    const { rows, columns } = this.options.out;
    return rows > 0 && columns > 0 ? { rows, columns } : DEFAULT_SIZE;
  }

  /** Bytes per second over the last few seconds of frames (since the start, early on). */
  private speed(now: number): number {
    let bytes = 0;
    for (const h of this.hosts.hosts.values()) bytes += h.bytesDone;
    this.samples.push({ at: now, bytes });
    while (this.samples.length > 2 && this.samples[1].at <= now - SPEED_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const seconds = (now - first.at) / 1000;
    return seconds > 0 ? Math.max(0, bytes - first.bytes) / seconds : 0;
  }
}
