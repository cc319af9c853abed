import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonLineSplitter, PullProgressTracker } from '../../../runtime/docker-pull-progress.js';
import type { PullProgress } from '../../../runtime/types.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const sizes = JSON.parse(readFileSync(join(fixtures, 'layer-sizes.json'), 'utf8')) as Record<string, Record<string, number>>;
const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);

/** Replays a recorded stream in awkward chunk sizes, as it arrives over a socket. */
function replay(file: string, chunkSize: number): { tracker: PullProgressTracker; events: PullProgress[] } {
  const bytes = readFileSync(join(fixtures, file));
  const tracker = new PullProgressTracker();
  const splitter = new JsonLineSplitter();
  const events: PullProgress[] = [];
  const feed = (lines: ReturnType<JsonLineSplitter['push']>) => {
    for (const line of lines) {
      const event = tracker.add(line);
      if (event) events.push(event);
    }
  };
  for (let i = 0; i < bytes.length; i += chunkSize) feed(splitter.push(bytes.subarray(i, i + chunkSize)));
  feed(splitter.end());
  return { tracker, events };
}

describe('pull progress accounting on recorded Docker streams', () => {
  it.each([1, 7, 4096])('a fresh pull downloads every layer at its registry size (chunks of %i bytes)', (chunk) => {
    const { tracker, events } = replay('pull-fresh.jsonl', chunk);
    expect(tracker.result()).toEqual({
      bytesDownloaded: sum(sizes.app6),
      layersDownloaded: 3,
      layersPresent: 0,
      digest: 'sha256:' + /Digest: sha256:([a-f0-9]{64})/.exec(readFileSync(join(fixtures, 'pull-fresh.jsonl'), 'utf8'))![1],
    });
    expect(tracker.error).toBeUndefined();
    expect(events.length).toBe(readFileSync(join(fixtures, 'pull-fresh.jsonl'), 'utf8').trim().split('\n').length);
    const downloading = events.filter((e) => e.status === 'Downloading');
    expect(downloading.every((e) => e.total !== undefined && e.current !== undefined && sizes.app6[e.id] === e.total)).toBe(true);
  });

  it('a pull sharing layers counts only the new one, even when Docker printed no Downloading line for it', () => {
    const { tracker } = replay('pull-shared.jsonl', 64);
    expect(tracker.result()).toMatchObject({ bytesDownloaded: sizes.app8['49568da3d546'], layersDownloaded: 1, layersPresent: 2 });
  });

  it('takes the last total of a layer that was retried', () => {
    const tracker = new PullProgressTracker();
    tracker.add({ status: 'Downloading', id: 'aaa', progressDetail: { current: 10, total: 100 } });
    tracker.add({ status: 'Retrying in 5 seconds', id: 'aaa' });
    tracker.add({ status: 'Downloading', id: 'aaa', progressDetail: { current: 50, total: 120 } });
    tracker.add({ status: 'Pull complete', id: 'aaa' });
    expect(tracker.result()).toEqual({ bytesDownloaded: 120, layersDownloaded: 1, layersPresent: 0 });
  });

  it("an errorDetail line becomes the error, with Docker's message", () => {
    const tracker = new PullProgressTracker();
    tracker.add({ status: 'Pulling from x', id: 'latest' });
    tracker.add({ errorDetail: { message: 'toomanyrequests: rate limit' }, error: 'toomanyrequests: rate limit' });
    expect(tracker.error).toBe('toomanyrequests: rate limit');
  });

  it('the splitter skips blank and broken lines', () => {
    const splitter = new JsonLineSplitter();
    expect(splitter.push('{"status":"a"}\n\nnot json\n{"sta')).toEqual([{ status: 'a' }]);
    expect(splitter.end()).toEqual([]);
  });
});
