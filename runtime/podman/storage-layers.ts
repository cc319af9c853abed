// What podman's containers/storage records of each layer it holds: the digest and size of the
// compressed blob it was pulled from (layers.json, beside the layers of the storage driver).
// That is the size of what crossed the network for it, which podman's pull stream gives only
// for blobs slow enough to get a Downloading line.
import { shlexQuote } from '../../base/shlex.js';

/** Prints where the user's containers/storage keeps its layer records: GRAPHROOT/DRIVER-layers/layers.json. */
export const LAYER_RECORDS_PATH_COMMAND = `podman info --format '{{.Store.GraphRoot}}/{{.Store.GraphDriverName}}-layers/layers.json'`;

/** Prints the records; nothing when the file is not there yet (no layer pulled so far). */
export function readLayerRecordsCommand(path: string): string {
  return `if [ -e ${shlexQuote(path)} ]; then cat ${shlexQuote(path)}; fi`;
}

interface LayerRecordJson {
  'compressed-diff-digest'?: string;
  'compressed-size'?: number;
}

/** Compressed blob digest → its size, for every layer containers/storage records one for (none for empty text). */
export function parseLayerRecords(json: string): Map<string, number> {
  const out = new Map<string, number>();
  let records: unknown;
  try {
    records = JSON.parse(json);
  } catch {
    return out;
  }
  if (!Array.isArray(records)) return out;
  for (const r of records as LayerRecordJson[]) {
    const digest = r['compressed-diff-digest'];
    const size = r['compressed-size'];
    if (typeof digest === 'string' && typeof size === 'number') out.set(digest, size);
  }
  return out;
}
