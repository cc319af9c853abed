// Byte progress of a CRI pull on containerd, read from the content store while PullImage
// runs: every blob being fetched is an ingest with an offset and a total. Polled, so a blob
// fetched between two polls is never seen; the pull's result counts it anyway (from the
// store, after). The events are only what containerd showed: nothing is interpolated.
import type { PullProgress } from '../types.js';
import type { IngestStatus } from './content-client.js';

/** First 12 hex digits of a blob's digest, as Docker names layers in its progress. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

function digestOf(status: IngestStatus): string {
  return status.expected || status.ref.replace(/^[a-z]+-/, '');
}

export interface IngestProgressOptions {
  onProgress?: (p: PullProgress) => void;
  /** Bytes moved or the set of ingests changed; also each poll while the pull unpacks (ingests seen, none left). */
  onActivity: () => void;
  intervalMs: number;
  /** Why a poll failed, for the log (polling goes on: progress is a courtesy, the pull is what counts). */
  onPollError?: (error: unknown) => void;
}

/** Folds successive ListStatuses answers into progress events. */
export class IngestTracker {
  private readonly offsets = new Map<string, { offset: number; total: number }>();
  /**
   * Ingests there before the pull, by offset: a fetch cut short (a stalled or cancelled pull)
   * leaves its partial blob listed, with no expected digest, until something resumes it.
   */
  private readonly stale = new Map<string, number>();
  private seenAny = false;

  constructor(private readonly o: Pick<IngestProgressOptions, 'onProgress' | 'onActivity'>) {}

  /** The ingests before the pull: not this pull's, unless they move again (a fetch resumed). */
  prime(statuses: IngestStatus[]): void {
    for (const s of statuses) this.stale.set(s.ref, s.offset);
  }

  update(statuses: IngestStatus[]): void {
    let active = false;
    const now = new Map<string, IngestStatus>();
    for (const s of statuses) {
      if (this.stale.get(s.ref) === s.offset) continue;
      this.stale.delete(s.ref);
      now.set(s.ref, s);
    }
    for (const [ref, s] of now) {
      const before = this.offsets.get(ref);
      if (before === undefined || before.offset !== s.offset) active = true;
      this.offsets.set(ref, { offset: s.offset, total: s.total });
      // Layers only, as Docker shows: manifests and configs are a few hundred bytes.
      if (ref.startsWith('layer-') && (before === undefined || before.offset !== s.offset)) {
        this.o.onProgress?.({ id: shortDigest(digestOf(s)), status: 'Downloading', current: s.offset, total: s.total });
      }
    }
    for (const [ref, last] of this.offsets) {
      if (now.has(ref)) continue;
      active = true;
      this.offsets.delete(ref);
      if (ref.startsWith('layer-'))
        this.o.onProgress?.({ id: shortDigest(ref.replace(/^layer-/, '')), status: 'Download complete', current: last.total, total: last.total });
    }
    if (now.size > 0) this.seenAny = true;
    // Every blob fetched and none being written: containerd is unpacking, which is progress too.
    if (active || (this.seenAny && now.size === 0)) this.o.onActivity();
  }
}

/**
 * Polls `list` every intervalMs until stopped; `before` are the ingests that were there before the pull.
 * `stop({ finalPoll: true })` after a pull that succeeded polls once more: the pull can return
 * between two polls, after the last poll saw a layer at its full size but before one saw its ingest
 * committed, and without that poll the layer's end would never be shown.
 */
export function pollIngests(
  list: () => Promise<IngestStatus[]>,
  before: IngestStatus[],
  o: IngestProgressOptions,
): { stop(options?: { finalPoll?: boolean }): Promise<void> } {
  const tracker = new IngestTracker(o);
  tracker.prime(before);
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        tracker.update(await list());
      } catch (error) {
        if (!stopped) o.onPollError?.(error);
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    async stop(options = {}) {
      stopped = true;
      wake?.();
      await loop;
      if (!options.finalPoll) return;
      try {
        tracker.update(await list());
      } catch (error) {
        o.onPollError?.(error);
      }
    },
  };
}
