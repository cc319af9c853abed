// Bytes done, total, speed and ETA of one image pull, from Docker's per-layer progress.
// Docker reports compressed bytes while "Downloading"; afterwards a layer counts as whole.
import type { PullProgressEvent } from '../core/events.js';
import { formatBytes } from '../base/bytes.js';

interface LayerState {
  current: number;
  total?: number;
  done: boolean;
}

const DOWNLOADED = new Set(['Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']);

export class PullMeter {
  private readonly layers = new Map<string, LayerState>();
  private startedAt?: number;
  private lastAt?: number;
  finished = false;

  constructor(readonly image: string) {}

  add(e: Pick<PullProgressEvent, 'layer' | 'status' | 'current' | 'total' | 'time'>): void {
    this.startedAt ??= e.time;
    this.lastAt = e.time;
    if (e.status.startsWith('Digest:') || e.status.startsWith('Status:')) {
      this.finished = e.status.startsWith('Status:');
      return;
    }
    if (e.status === 'Already exists') return;
    const layer = this.layers.get(e.layer) ?? { current: 0, done: false };
    if (e.status === 'Downloading') {
      layer.current = e.current ?? layer.current;
      layer.total = e.total ?? layer.total;
    } else if (DOWNLOADED.has(e.status)) {
      layer.done = true;
      if (layer.total !== undefined) layer.current = layer.total;
    }
    if (e.status !== 'Pulling fs layer' && e.status !== 'Waiting' && e.status !== 'Downloading' && !DOWNLOADED.has(e.status)) return;
    this.layers.set(e.layer, layer);
  }

  get bytesDone(): number {
    let sum = 0;
    for (const l of this.layers.values()) sum += l.current;
    return sum;
  }

  /** Sum of the totals Docker has announced so far (layers announce theirs as they start). */
  get bytesTotal(): number {
    let sum = 0;
    for (const l of this.layers.values()) sum += l.total ?? 0;
    return sum;
  }

  /** Bytes per second since the first progress line. */
  speed(now: number = this.lastAt ?? 0): number {
    if (this.startedAt === undefined) return 0;
    const seconds = (now - this.startedAt) / 1000;
    return seconds > 0 ? this.bytesDone / seconds : 0;
  }

  /** Seconds left at the current speed; undefined until both are known. */
  eta(now?: number): number | undefined {
    const speed = this.speed(now);
    const left = this.bytesTotal - this.bytesDone;
    if (speed <= 0 || this.bytesTotal === 0) return undefined;
    return Math.max(0, left / speed);
  }

  /** `app0:latest  1.2 MB / 4.0 MB  2.1 MB/s  ETA 2s` */
  describe(now?: number): string {
    const total = this.bytesTotal;
    const eta = this.eta(now);
    const parts = [this.image, total > 0 ? `${formatBytes(this.bytesDone)} / ${formatBytes(total)}` : 'waiting'];
    if (total > 0) parts.push(`${formatBytes(Math.round(this.speed(now)))}/s`);
    if (eta !== undefined && !this.finished) parts.push(`ETA ${Math.ceil(eta)}s`);
    if (this.finished) parts.push('done');
    return parts.join('  ');
  }
}
