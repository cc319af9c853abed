// One blob, downloaded once from the origin and read by any number of nodes at once.
// Readers that arrive late first read what is already here, then follow the download
// live. The first bytes of each blob stay in memory, drawn from a budget shared by the
// whole relay; the rest goes to a temp file that readers tail.
//
// A reader never gets the blob's last byte before the whole blob has hashed to its
// digest: a mismatch then cuts every reader short, so no node receives a complete body
// of wrong content.
import { createHash, type Hash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { HoundError } from '../base/errors.js';
import { BlobDigestMismatchError, BlobSizeMismatchError } from './errors.js';

/** Bytes of blob content the relay may keep in memory, shared by all its blobs. */
export class MemoryBudget {
  private used = 0;
  constructor(readonly limit: number) {}
  /** Takes up to `wanted` bytes; returns how many were granted. */
  take(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.limit - this.used));
    this.used += granted;
    return granted;
  }
  give(bytes: number): void {
    this.used -= bytes;
  }
  get inUse(): number {
    return this.used;
  }
}

export interface BlobFanoutOptions {
  digest: string;
  /** Size the origin announced; the blob must have exactly this many bytes. */
  size: number;
  budget: MemoryBudget;
  /** Directory for the spill file; created lazily, only when the budget runs out. */
  spillDir: string;
  /** For error messages: where the blob comes from. */
  origin: string;
  repo: string;
}

export type BlobState = 'downloading' | 'complete' | 'failed';

/**
 * The most a reader hands on at once: a view of the cache's memory, or a read of its spill
 * file. Whoever consumes a reader paces per piece (the relay's server waits on the node's
 * send queue before each), so a piece is as much as passes that check at once; an
 * origin's chunk can be megabytes.
 */
export const READER_PIECE_BYTES = 64 * 1024;
/**
 * What a reader holds ahead of its consumer: two pieces. Views of memory cost nothing, but
 * spilled pieces are copies, one set per reader, and a hundred nodes read at once.
 */
const READER_AHEAD_BYTES = 2 * READER_PIECE_BYTES;

export class BlobFanout {
  readonly digest: string;
  readonly size: number;
  private readonly options: BlobFanoutOptions;
  private readonly hash: Hash;
  private readonly memoryChunks: Buffer[] = [];
  /** Start offset of each memory chunk, for readers that seek. */
  private readonly memoryOffsets: number[] = [];
  private memoryBytes = 0;
  private memoryGranted = 0;
  private spill?: FileHandle;
  private spillPath?: string;
  /** Bytes written to the spill file and readable from it. */
  private spilledBytes = 0;
  private received = 0;
  private status: BlobState = 'downloading';
  private failure?: Error;
  private readonly waiters = new Set<() => void>();
  private readonly settled: Promise<void>;
  private settle!: (error?: Error) => void;

  constructor(options: BlobFanoutOptions) {
    this.options = options;
    this.digest = options.digest;
    this.size = options.size;
    const [algorithm] = options.digest.split(':');
    this.hash = createHash(algorithm ?? 'sha256');
    this.settled = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error ? reject(error) : resolve());
    });
    // Nobody may be waiting on a failed blob; the rejection is still observed by readers.
    this.settled.catch(() => undefined);
  }

  get state(): BlobState {
    return this.status;
  }
  get bytesReceived(): number {
    return this.received;
  }
  /** Resolves when the blob is complete and verified, rejects when it failed. */
  get done(): Promise<void> {
    return this.settled;
  }

  /**
   * Reads the origin's body into the blob; resolves when verified, rejects (and fails every
   * reader) otherwise. Given a function, it asks it for the rest of the body, from the
   * first byte not yet received, when the body breaks off (up to `maxResumes` times), so
   * readers carry on instead of starting over.
   */
  async consume(source: Readable | ((offset: number) => Promise<Readable>), options: { maxResumes?: number } = {}): Promise<void> {
    const maxResumes = typeof source === 'function' ? (options.maxResumes ?? 3) : 0;
    for (let resumes = 0; this.status === 'downloading'; resumes++) {
      let body: Readable | undefined;
      let failure: Error | undefined;
      try {
        body = typeof source === 'function' ? await source(this.received) : source;
        for await (const chunk of body as AsyncIterable<Buffer>) {
          if (this.status !== 'downloading') break;
          await this.append(chunk);
        }
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
      }
      body?.destroy();
      if (this.status !== 'downloading') break;
      const resumable = !(failure instanceof HoundError) && resumes < maxResumes;
      if (failure && !resumable) {
        this.fail(failure);
        break;
      }
      // A body that ended short, or broke off: ask for the rest when allowed.
      if (this.received < this.size && resumable) continue;
      if (failure) this.fail(failure);
      else this.finish();
    }
    return this.settled;
  }

  private async append(chunk: Buffer): Promise<void> {
    if (this.received + chunk.length > this.size) {
      throw new BlobSizeMismatchError(this.options.origin, this.options.repo, this.digest, this.size, this.received + chunk.length);
    }
    this.hash.update(chunk);
    const inMemory = this.spill === undefined ? this.options.budget.take(chunk.length) : 0;
    this.memoryGranted += inMemory;
    if (inMemory > 0) {
      const head = inMemory === chunk.length ? chunk : chunk.subarray(0, inMemory);
      this.memoryOffsets.push(this.memoryBytes);
      this.memoryChunks.push(head);
      this.memoryBytes += head.length;
      this.received += head.length;
      this.wake();
    }
    if (inMemory < chunk.length) {
      const tail = chunk.subarray(inMemory);
      if (this.spill === undefined) {
        this.spillPath = join(this.options.spillDir, this.digest.replace(':', '-'));
        this.spill = await open(this.spillPath, 'w+', 0o600);
      }
      await this.spill.write(tail, 0, tail.length, this.spilledBytes);
      this.spilledBytes += tail.length;
      this.received += tail.length;
      this.wake();
    }
  }

  private finish(): void {
    if (this.received !== this.size) {
      this.fail(new BlobSizeMismatchError(this.options.origin, this.options.repo, this.digest, this.size, this.received));
      return;
    }
    const actual = `${this.digest.split(':')[0]}:${this.hash.digest('hex')}`;
    if (actual !== this.digest) {
      this.fail(new BlobDigestMismatchError(this.options.origin, this.options.repo, this.digest, actual));
      return;
    }
    this.status = 'complete';
    this.settle();
    this.wake();
  }

  /** Aborts the download: every reader, present or future, errors with `error`. */
  fail(error: Error): void {
    if (this.status !== 'downloading') return;
    this.status = 'failed';
    this.failure = error;
    this.settle(error);
    this.wake();
  }

  /** Frees memory and the spill file. Readers still open error out. */
  async dispose(): Promise<void> {
    this.fail(new Error('relay closed'));
    this.memoryChunks.length = 0;
    this.memoryOffsets.length = 0;
    this.options.budget.give(this.memoryGranted);
    this.memoryGranted = 0;
    const spill = this.spill;
    this.spill = undefined;
    if (spill) {
      await spill.close().catch(() => undefined);
      if (this.spillPath) await rm(this.spillPath, { force: true });
    }
  }

  /**
   * A stream of the blob's bytes [start, end) (the whole blob by default), following the
   * download live.
   */
  openReader(start = 0, end = this.size): Readable {
    let offset = start;
    let chunkIndex = 0;
    let busy = false;
    let waiting = false;
    const pump = async (stream: Readable): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        for (;;) {
          if (stream.destroyed) return;
          if (this.status === 'failed') {
            stream.destroy(this.failure);
            return;
          }
          if (offset >= end) {
            stream.push(null);
            return;
          }
          // The last byte waits for verification (see the file comment).
          const deliverable = Math.min(end, this.status === 'complete' ? this.size : Math.min(this.received, this.size - 1));
          if (offset >= deliverable) {
            if (!waiting) {
              waiting = true;
              this.waiters.add(() => {
                waiting = false;
                void pump(stream);
              });
            }
            return;
          }
          let piece: Buffer;
          if (offset < this.memoryBytes) {
            while (chunkIndex + 1 < this.memoryChunks.length && this.memoryOffsets[chunkIndex + 1] <= offset) chunkIndex++;
            const chunk = this.memoryChunks[chunkIndex];
            const from = offset - this.memoryOffsets[chunkIndex];
            const to = Math.min(chunk.length, deliverable - this.memoryOffsets[chunkIndex], from + READER_PIECE_BYTES);
            piece = chunk.subarray(from, to);
          } else {
            const length = Math.min(READER_PIECE_BYTES, deliverable - offset);
            piece = Buffer.allocUnsafe(length);
            const { bytesRead } = await this.spill!.read(piece, 0, length, offset - this.memoryBytes);
            piece = piece.subarray(0, bytesRead);
            if (stream.destroyed) return;
          }
          offset += piece.length;
          if (!stream.push(piece)) return;
        }
      } catch (error) {
        stream.destroy(error instanceof Error ? error : new Error(String(error)));
      } finally {
        busy = false;
      }
    };
    return new Readable({
      highWaterMark: READER_AHEAD_BYTES,
      read() {
        void pump(this);
      },
    });
  }

  private wake(): void {
    if (this.waiters.size === 0) return;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter();
  }
}
