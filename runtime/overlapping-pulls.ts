// Which layers a pull brought onto a node whose runtime keeps a record of its layer blobs
// (containerd's content store, podman's containers/storage): the image's layers that were not
// recorded before the pull. Several pulls run at once on a node (the images module's
// concurrency); two that both start before a shared layer arrives would each find it absent
// before and count it, though the runtime fetched it once (containerd: the second waits on
// the first's ingest; containers/storage reuses the first's layer). Such a layer goes to the
// first pull that counts it; the pulls that overlapped with that one count it present. The
// images module adds the per-image counts up: each byte must be in one of them only.

export interface LayerBlob {
  digest: string;
  size: number;
}

export interface LayerTally {
  /** The layers fetched, each once. */
  fetched: LayerBlob[];
  bytesDownloaded: number;
  layersDownloaded: number;
  layersPresent: number;
}

/** Which of `layers` the pull fetched (absent from the store before it) and which it found. */
export function tallyLayers(layers: LayerBlob[], before: ReadonlySet<string>): LayerTally {
  const unique = [...new Map(layers.map((l) => [l.digest, l])).values()];
  const fetched = unique.filter((l) => !before.has(l.digest));
  return {
    fetched,
    bytesDownloaded: fetched.reduce((sum, l) => sum + l.size, 0),
    layersDownloaded: fetched.length,
    layersPresent: unique.length - fetched.length,
  };
}

export class OverlappingPulls {
  private clock = 0;
  /** Pulls under way, by the tick at which each listed the store. */
  private readonly running = new Set<number>();
  /** Layers counted as fetched, by the tick at which they were counted. */
  private readonly countedAt = new Map<string, number>();

  /** Call just before listing the content store for `before`; pass the token to tally and end. */
  begin(): number {
    const token = ++this.clock;
    this.running.add(token);
    return token;
  }

  /**
   * The pull's tally: `layers` absent from `before` are its own unless a pull counted them
   * after this one listed the store (that pull fetched them while this one waited).
   */
  tally(token: number, layers: LayerBlob[], before: ReadonlySet<string>): LayerTally & { fetched: LayerBlob[] } {
    const countedByOthers = new Set([...this.countedAt].filter(([, at]) => at > token).map(([digest]) => digest));
    const tally = tallyLayers(layers, new Set([...before, ...countedByOthers]));
    const at = ++this.clock;
    for (const layer of tally.fetched) this.countedAt.set(layer.digest, at);
    return tally;
  }

  end(token: number): void {
    this.running.delete(token);
    // A count matters only to pulls that listed the store before it; once none runs, forget it.
    const oldest = Math.min(...this.running);
    for (const [digest, at] of this.countedAt) if (at < oldest) this.countedAt.delete(digest);
  }
}
