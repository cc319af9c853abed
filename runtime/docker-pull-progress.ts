// Accounting over the JSON lines `POST /images/create` streams during a pull: bytes
// downloaded per layer (the last `total` of its Downloading lines: a retried layer starts
// again, so only the final total counts), layers already present, the repo digest, errors.
// A small layer on a fast link can finish before Docker prints any Downloading line; its
// Extracting lines then carry the size, since Docker extracts from the compressed blob.
import type { PullProgress, PullResult } from './types.js';

/** One line of Docker's pull stream. */
export interface DockerProgressLine {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  error?: string;
  errorDetail?: { code?: number; message?: string };
}

export class PullProgressTracker {
  private readonly downloadTotals = new Map<string, number>();
  private readonly extractTotals = new Map<string, number>();
  private readonly present = new Set<string>();
  private readonly completed = new Set<string>();
  private digestSeen?: string;
  private errorSeen?: string;

  /** Compressed bytes of the layers Docker announced downloading so far (what a pull needs at least). */
  announcedBytes(): number {
    let total = 0;
    for (const size of this.downloadTotals.values()) total += size;
    return total;
  }

  /** Folds one line in; returns the progress event to report, if the line is about progress. */
  add(line: DockerProgressLine): PullProgress | undefined {
    if (line.errorDetail || line.error) {
      this.errorSeen = line.errorDetail?.message ?? line.error ?? 'unknown error';
      return undefined;
    }
    const status = line.status;
    if (status === undefined) return undefined;
    const digest = /^Digest: (sha256:[a-f0-9]{64})$/.exec(status);
    if (digest) this.digestSeen = digest[1];
    const id = line.id;
    if (id !== undefined) {
      if (status === 'Downloading' && line.progressDetail?.total !== undefined) this.downloadTotals.set(id, line.progressDetail.total);
      else if (status === 'Extracting' && line.progressDetail?.total !== undefined) this.extractTotals.set(id, line.progressDetail.total);
      else if (status === 'Already exists') this.present.add(id);
      else if (status === 'Download complete' || status === 'Pull complete') this.completed.add(id);
    }
    const progress: PullProgress = { id: id ?? '', status };
    if (line.progressDetail?.current !== undefined) progress.current = line.progressDetail.current;
    if (line.progressDetail?.total !== undefined) progress.total = line.progressDetail.total;
    return progress;
  }

  /** Docker's error message, when the stream carried one. */
  get error(): string | undefined {
    return this.errorSeen;
  }

  result(): PullResult {
    const downloaded = new Set([...this.downloadTotals.keys(), ...[...this.completed, ...this.extractTotals.keys()].filter((id) => !this.present.has(id))]);
    let bytes = 0;
    for (const id of downloaded) bytes += this.downloadTotals.get(id) ?? this.extractTotals.get(id) ?? 0;
    const result: PullResult = { bytesDownloaded: bytes, layersPresent: this.present.size, layersDownloaded: downloaded.size };
    if (this.digestSeen !== undefined) result.digest = this.digestSeen;
    return result;
  }
}

/** Splits a byte stream of newline-separated JSON into parsed lines (tolerating split chunks). */
export class JsonLineSplitter {
  private buffered = '';

  push(chunk: Buffer | string): DockerProgressLine[] {
    this.buffered += chunk.toString();
    const lines = this.buffered.split('\n');
    this.buffered = lines.pop() ?? '';
    return lines.flatMap(parseLine);
  }

  end(): DockerProgressLine[] {
    const rest = this.buffered;
    this.buffered = '';
    return parseLine(rest);
  }
}

function parseLine(text: string): DockerProgressLine[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    return [JSON.parse(trimmed) as DockerProgressLine];
  } catch {
    return [];
  }
}
