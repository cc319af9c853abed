import { describe, expect, it } from 'vitest';
import type { IngestStatus } from '../../../runtime/containerd/content-client.js';
import { IngestTracker, pollIngests, shortDigest } from '../../../runtime/containerd/ingest-progress.js';
import type { PullProgress } from '../../../runtime/types.js';

const LAYER = 'sha256:e75269eb8c6546e250d827e6006a0556c6a1cf8f61d0d4881a3b8c7ee29d5883';
const MANIFEST = 'sha256:0fa909702678d75425f93e5bd6751461d30d28b2864edd41536ed637c33a4139';
const layer = (offset: number): IngestStatus => ({ ref: `layer-${LAYER}`, offset, total: 67120658, expected: LAYER });
const manifest: IngestStatus = { ref: `manifest-${MANIFEST}`, offset: 0, total: 741, expected: MANIFEST };

function tracker() {
  const events: PullProgress[] = [];
  let activity = 0;
  const t = new IngestTracker({ onProgress: (p) => events.push(p), onActivity: () => activity++ });
  return { t, events, activity: () => activity };
}

describe("progress from containerd's ingests", () => {
  it("reports each layer's offset as containerd showed it, and its end when the ingest goes", () => {
    const { t, events } = tracker();
    t.update([manifest]);
    t.update([layer(3145728)]);
    t.update([layer(8388608)]);
    t.update([layer(8388608)]);
    t.update([]);
    expect(events).toEqual([
      { id: shortDigest(LAYER), status: 'Downloading', current: 3145728, total: 67120658 },
      { id: 'e75269eb8c65', status: 'Downloading', current: 8388608, total: 67120658 },
      { id: 'e75269eb8c65', status: 'Download complete', current: 67120658, total: 67120658 },
    ]);
  });

  it('is active when bytes move or ingests change; idle before any ingest and when an offset stands still; unpacking counts', () => {
    const { t, activity } = tracker();
    t.update([]);
    expect(activity()).toBe(0); // resolving: nothing to show yet
    t.update([layer(10)]);
    expect(activity()).toBe(1);
    t.update([layer(10)]);
    expect(activity()).toBe(1); // stuck
    t.update([layer(20)]);
    expect(activity()).toBe(2);
    t.update([]);
    t.update([]);
    expect(activity()).toBe(4); // fetched, unpacking
  });

  it("leaves out what was there before the pull (a cut-short fetch's partial blob), unless it moves again", () => {
    const { t, events, activity } = tracker();
    // As containerd lists a partial blob left by a cancelled pull: no expected digest.
    const stale = (offset: number): IngestStatus => ({ ref: `layer-${LAYER}`, offset, total: 67120658, expected: '' });
    t.prime([stale(1048576)]);
    t.update([stale(1048576)]);
    t.update([stale(1048576), manifest]);
    t.update([stale(1048576)]);
    expect(events).toEqual([]);
    expect(activity()).toBe(2); // the manifest came, then went; the stale layer never counts
    t.update([stale(2097152)]);
    expect(events).toEqual([{ id: 'e75269eb8c65', status: 'Downloading', current: 2097152, total: 67120658 }]);
  });

  it('polls until stopped, and a failing poll does not end it', async () => {
    const answers: (IngestStatus[] | Error)[] = [[layer(1)], new Error('transient'), [layer(2)], []];
    const errors: unknown[] = [];
    const events: PullProgress[] = [];
    let calls = 0;
    const poller = pollIngests(
      async () => {
        const a = answers[Math.min(calls++, answers.length - 1)];
        if (a instanceof Error) throw a;
        return a;
      },
      [],
      { intervalMs: 5, onActivity: () => {}, onProgress: (p) => events.push(p), onPollError: (e) => errors.push(e) },
    );
    while (calls < 5) await new Promise((r) => setTimeout(r, 5));
    await poller.stop();
    const after = calls;
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(after);
    expect(errors).toHaveLength(1);
    expect(events.map((e) => [e.status, e.current])).toEqual([
      ['Downloading', 1],
      ['Downloading', 2],
      ['Download complete', 67120658],
    ]);
  });

  it('polls once more when stopped after a pull that succeeded, so a layer committed between polls still ends', async () => {
    // The pull returns after the last poll saw the layer whole and before the next: containerd has committed it.
    let pulling = true;
    const list = async () => (pulling ? [layer(67120658)] : []);
    const run = async (finalPoll: boolean) => {
      pulling = true;
      const events: PullProgress[] = [];
      let polls = 0;
      const poller = pollIngests(
        async () => {
          polls++;
          return list();
        },
        [],
        { intervalMs: 60_000, onActivity: () => {}, onProgress: (p) => events.push(p) },
      );
      while (polls < 1) await new Promise((r) => setTimeout(r, 1));
      pulling = false;
      await poller.stop({ finalPoll });
      return events.map((e) => e.status);
    };
    expect(await run(true)).toEqual(['Downloading', 'Download complete']);
    // A pull that failed is not polled again: nothing claims its layers ended.
    expect(await run(false)).toEqual(['Downloading']);
  });
});
