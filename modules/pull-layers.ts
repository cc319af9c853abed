// Which layers one pull downloaded, and their compressed sizes, from Docker's progress.
// Two pulls on one node that share a layer both report downloading it (Docker fetches it
// once and shows it to both), so the executor counts each layer once per host.
import type { PullProgress } from '../runtime/types.js';

export class PullLayers {
  private readonly downloadTotals = new Map<string, number>();
  private readonly extractTotals = new Map<string, number>();
  private readonly present = new Set<string>();
  private readonly completed = new Set<string>();

  add(p: PullProgress): void {
    if (!p.id) return;
    if (p.status === 'Downloading' && p.total !== undefined) this.downloadTotals.set(p.id, p.total);
    // A small layer can finish before any Downloading line; its Extracting lines carry the compressed size.
    else if (p.status === 'Extracting' && p.total !== undefined) this.extractTotals.set(p.id, p.total);
    else if (p.status === 'Already exists') this.present.add(p.id);
    else if (p.status === 'Download complete' || p.status === 'Pull complete') this.completed.add(p.id);
  }

  /** Layer id → compressed bytes, for each layer this pull brought onto the node. */
  downloaded(): Map<string, number> {
    const ids = new Set([...this.downloadTotals.keys(), ...this.completed, ...this.extractTotals.keys()]);
    const out = new Map<string, number>();
    for (const id of ids) {
      if (this.present.has(id)) continue;
      out.set(id, this.downloadTotals.get(id) ?? this.extractTotals.get(id) ?? 0);
    }
    return out;
  }
}
