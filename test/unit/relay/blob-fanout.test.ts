import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobFanout, MemoryBudget, READER_PIECE_BYTES } from '../../../relay/blob-fanout.js';

let spillDir: string;
beforeEach(async () => {
  spillDir = await mkdtemp(join(tmpdir(), 'hound-blob-spill-test-'));
});
afterEach(async () => {
  await rm(spillDir, { recursive: true, force: true });
});

function digestOf(data: Buffer): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

function fanoutFor(data: Buffer, budget = new MemoryBudget(1 << 30), digest = digestOf(data)): BlobFanout {
  return new BlobFanout({ digest, size: data.length, budget, spillDir, origin: 'origin.test', repo: 'team/app' });
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

/** Feeds `data` in pieces of `step` bytes, yielding to the event loop between pieces. */
async function feedSlowly(target: PassThrough, data: Buffer, step: number, onPiece?: (index: number) => void): Promise<void> {
  for (let at = 0, index = 0; at < data.length; at += step, index++) {
    target.write(data.subarray(at, at + step));
    onPiece?.(index);
    await new Promise((resolve) => setImmediate(resolve));
  }
  target.end();
}

describe('BlobFanout', () => {
  it('gives a reader that starts before the download the whole blob', async () => {
    const data = randomBytes(300_000);
    const blob = fanoutFor(data);
    const reader = collect(blob.openReader());
    const source = new PassThrough();
    const consumed = blob.consume(source);
    await feedSlowly(source, data, 10_000);
    await consumed;
    expect((await reader).equals(data)).toBe(true);
    expect(blob.state).toBe('complete');
  });

  it('lets late readers read the buffered part, then follow the live download', async () => {
    const data = randomBytes(500_000);
    const blob = fanoutFor(data);
    const source = new PassThrough();
    const consumed = blob.consume(source);
    const readers: Promise<Buffer>[] = [];
    const receivedWhenJoined: number[] = [];
    await feedSlowly(source, data, 20_000, (index) => {
      if (index % 5 === 2) {
        receivedWhenJoined.push(blob.bytesReceived);
        readers.push(collect(blob.openReader()));
      }
    });
    await consumed;
    // A reader after completion reads it all from the buffer.
    readers.push(collect(blob.openReader()));
    expect(receivedWhenJoined[0]).toBeGreaterThan(0);
    expect(receivedWhenJoined.at(-1)).toBeLessThan(data.length);
    for (const result of await Promise.all(readers)) expect(result.equals(data)).toBe(true);
  });

  it('withholds the last byte until the digest is verified', async () => {
    const data = randomBytes(1000);
    const blob = fanoutFor(data);
    const source = new PassThrough();
    const consumed = blob.consume(source);
    const reader = blob.openReader();
    let seen = 0;
    reader.on('data', (part: Buffer) => (seen += part.length));
    source.write(data);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // All bytes arrived, the hash is not checked until the source ends: one byte held back.
    expect(seen).toBe(data.length - 1);
    source.end();
    await consumed;
    await new Promise((resolve) => reader.on('end', resolve));
    expect(seen).toBe(data.length);
  });

  it('aborts every reader, present and future, when the content does not match the digest', async () => {
    const data = randomBytes(200_000);
    const wrongDigest = digestOf(Buffer.from('something else'));
    const blob = fanoutFor(data, new MemoryBudget(1 << 30), wrongDigest);
    const readers = [collect(blob.openReader()), collect(blob.openReader())];
    const source = new PassThrough();
    const consumed = blob.consume(source);
    await feedSlowly(source, data, 50_000);
    await expect(consumed).rejects.toMatchObject({ code: 'RELAY_DIGEST_MISMATCH' });
    for (const reader of readers) await expect(reader).rejects.toMatchObject({ code: 'RELAY_DIGEST_MISMATCH' });
    await expect(collect(blob.openReader())).rejects.toMatchObject({ code: 'RELAY_DIGEST_MISMATCH' });
    expect(blob.state).toBe('failed');
  });

  it('aborts readers when the origin stream errors mid-download', async () => {
    const data = randomBytes(100_000);
    const blob = fanoutFor(data);
    const reader = blob.openReader();
    const partial: Buffer[] = [];
    reader.on('data', (part: Buffer) => partial.push(part));
    const readerDone = new Promise<Error>((resolve) => reader.on('error', resolve));
    const source = new PassThrough();
    const consumed = blob.consume(source);
    source.write(data.subarray(0, 40_000));
    await new Promise((resolve) => setImmediate(resolve));
    source.destroy(new Error('connection reset by origin'));
    await expect(consumed).rejects.toThrow('connection reset by origin');
    expect((await readerDone).message).toBe('connection reset by origin');
    expect(Buffer.concat(partial).equals(data.subarray(0, 40_000))).toBe(true);
  });

  it('fails when the origin sends fewer bytes than it announced', async () => {
    const data = randomBytes(10_000);
    const blob = fanoutFor(data);
    await expect(blob.consume(Readable.from([data.subarray(0, 9_000)]))).rejects.toMatchObject({ code: 'RELAY_SIZE_MISMATCH' });
  });

  it('fails when the origin sends more bytes than it announced', async () => {
    const data = randomBytes(10_000);
    const blob = new BlobFanout({ digest: digestOf(data), size: 5_000, budget: new MemoryBudget(1 << 20), spillDir, origin: 'o', repo: 'r' });
    await expect(blob.consume(Readable.from([data]))).rejects.toMatchObject({ code: 'RELAY_SIZE_MISMATCH' });
  });

  it('spills beyond the memory budget to a file and still serves 50 readers the exact bytes', async () => {
    const data = randomBytes(3_000_000);
    const budget = new MemoryBudget(1_000_000);
    const blob = fanoutFor(data, budget);
    const source = new PassThrough();
    const consumed = blob.consume(source);
    const readers: Promise<Buffer>[] = [];
    await feedSlowly(source, data, 64 * 1024, (index) => {
      if (index % 2 === 0 && readers.length < 50) readers.push(collect(blob.openReader()));
    });
    await consumed;
    while (readers.length < 50) readers.push(collect(blob.openReader()));
    expect(budget.inUse).toBe(1_000_000);
    expect(await readdir(spillDir)).toHaveLength(1);
    for (const result of await Promise.all(readers)) expect(result.equals(data)).toBe(true);
    await blob.dispose();
    expect(budget.inUse).toBe(0);
    expect(await readdir(spillDir)).toHaveLength(0);
  });

  it('hands on pieces of at most READER_PIECE_BYTES: views of what it holds in memory, copies only from its spill file', async () => {
    const data = randomBytes(2_000_000);
    // The first megabyte fits the budget; the rest spills.
    const blob = fanoutFor(data, new MemoryBudget(1_000_000));
    // An origin that answers in one chunk of the whole blob, as a loopback origin can.
    await blob.consume(Readable.from([data]));
    const pieces: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      blob
        .openReader()
        .on('data', (piece: Buffer) => pieces.push(piece))
        .on('end', resolve)
        .on('error', reject);
    });
    expect(Buffer.concat(pieces).equals(data)).toBe(true);
    expect(Math.max(...pieces.map((piece) => piece.length))).toBe(READER_PIECE_BYTES);
    let at = 0;
    for (const piece of pieces) {
      // In memory: the origin's own bytes, not a copy of them.
      expect(piece.buffer === data.buffer).toBe(at + piece.length <= 1_000_000);
      at += piece.length;
    }
    await blob.dispose();
  });

  it('serves a slow reader without holding back a fast one', async () => {
    const data = randomBytes(400_000);
    const blob = fanoutFor(data);
    await blob.consume(Readable.from([data.subarray(0, 150_000), data.subarray(150_000)]));
    const slow = blob.openReader();
    const fast = await collect(blob.openReader());
    expect(fast.equals(data)).toBe(true);
    // The slow reader has read nothing yet and still gets everything.
    expect((await collect(slow)).equals(data)).toBe(true);
  });

  it('serves byte ranges, from memory and from the spill file, live and after completion', async () => {
    const data = randomBytes(600_000);
    const blob = fanoutFor(data, new MemoryBudget(200_000));
    const source = new PassThrough();
    const consumed = blob.consume(source);
    const live = [collect(blob.openReader(100_000, 400_000)), collect(blob.openReader(550_000))];
    await feedSlowly(source, data, 30_000);
    await consumed;
    const [middle, tail] = await Promise.all(live);
    expect(middle.equals(data.subarray(100_000, 400_000))).toBe(true);
    expect(tail.equals(data.subarray(550_000))).toBe(true);
    expect((await collect(blob.openReader(199_990, 200_010))).equals(data.subarray(199_990, 200_010))).toBe(true);
    expect(await collect(blob.openReader(600_000))).toHaveLength(0);
    await blob.dispose();
  });

  it('resumes from the first missing byte when the origin body breaks off, and readers never notice', async () => {
    const data = randomBytes(300_000);
    const blob = fanoutFor(data);
    const reader = collect(blob.openReader());
    const offsets: number[] = [];
    const consumed = blob.consume(async (offset) => {
      offsets.push(offset);
      const body = new PassThrough();
      if (offsets.length === 1) {
        body.write(data.subarray(0, 120_000));
        setImmediate(() => body.destroy(new Error('socket hang up')));
      } else if (offsets.length === 2) {
        // Ends cleanly but short.
        body.end(data.subarray(offset, 200_000));
      } else {
        body.end(data.subarray(offset));
      }
      return body;
    });
    await consumed;
    expect(offsets).toEqual([0, 120_000, 200_000]);
    expect((await reader).equals(data)).toBe(true);
    expect(blob.state).toBe('complete');
  });

  it('gives up after maxResumes and fails every reader with the last error', async () => {
    const data = randomBytes(100_000);
    const blob = fanoutFor(data);
    const reader = collect(blob.openReader());
    let calls = 0;
    const consumed = blob.consume(
      async (offset) => {
        calls++;
        const body = new PassThrough();
        body.write(data.subarray(offset, offset + 10_000));
        setImmediate(() => body.destroy(new Error(`reset ${calls}`)));
        return body;
      },
      { maxResumes: 2 },
    );
    await expect(consumed).rejects.toThrow('reset 3');
    await expect(reader).rejects.toThrow('reset 3');
    expect(calls).toBe(3);
    expect(blob.bytesReceived).toBe(30_000);
  });

  it('does not resume past a digest mismatch', async () => {
    const data = randomBytes(50_000);
    const blob = fanoutFor(data, new MemoryBudget(1 << 20), digestOf(Buffer.from('other')));
    let calls = 0;
    await expect(
      blob.consume(async (offset) => {
        calls++;
        return Readable.from([data.subarray(offset)]);
      }),
    ).rejects.toMatchObject({ code: 'RELAY_DIGEST_MISMATCH' });
    expect(calls).toBe(1);
  });
});
