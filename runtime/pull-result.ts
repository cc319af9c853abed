// What a pull on a runtime other than Docker can say about itself. Docker's own stream gives
// every layer's size; the others give less, and hound says so rather than guess.
import type { PullResult } from './types.js';

export interface RuntimePullResult extends PullResult {
  /**
   * How the counts were obtained: `exact` (containerd: the content store before and after),
   * `reported` (podman: what its progress stream said; see unsizedLayers), `none` (CRI-O:
   * the CRI reports completion only, so bytes and layer counts are 0 and mean nothing).
   */
  accounting: 'exact' | 'reported' | 'none';
  /** Layers fetched whose size the runtime never reported; bytesDownloaded leaves them out. */
  unsizedLayers: number;
}
