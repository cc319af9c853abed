// The physical lower bounds of a workload's makespan on the shaped lab, from the bytes each
// node needs and the link rates. Pure: the benchmark prints them next to the measured times.

export interface BoundsInput {
  /** Per node, the layer names (or digests) it must receive; duplicates within a node count once. */
  nodeLayers: readonly (readonly string[])[];
  /** Bytes on the wire of each layer (its compressed blob size). */
  layerBytes: ReadonlyMap<string, number>;
  registryBitsPerSecond: number;
  nodeBitsPerSecond: number;
  /**
   * The runtime's own CPU per byte pulled (decompressing, hashing, writing layers), measured
   * on a lab node (bench/pull-cpu.ts), and the cores every node shares: on the lab all nodes
   * run on this one machine, so their pulls together cannot finish sooner than that CPU allows.
   */
  cpu?: { secondsPerByte: number; cores: number };
}

export interface LowerBounds {
  /** Sum over nodes of the bytes each node needs. */
  totalBytes: number;
  /** Bytes of the distinct layers needed anywhere. */
  uniqueBytes: number;
  /** The needs of the node that needs the most bytes. */
  largestNodeBytes: number;
  /** Every node fetches from the origin registry: max(total / registry rate, largest node / node rate). */
  originOnlySeconds: number;
  /** Every layer crosses the registry uplink once: max(unique / registry rate, largest node / node rate). */
  eachLayerOnceSeconds: number;
  /** All bytes the nodes receive, times the runtime's CPU per byte, over the machine's cores (when measured). */
  cpuSeconds?: number;
}

export function lowerBounds(input: BoundsInput): LowerBounds {
  if (!(input.registryBitsPerSecond > 0) || !(input.nodeBitsPerSecond > 0)) throw new RangeError('link rates must be positive');
  const bytesOf = (layer: string): number => {
    const bytes = input.layerBytes.get(layer);
    if (bytes === undefined) throw new RangeError(`no size known for layer ${layer}`);
    return bytes;
  };
  let totalBytes = 0;
  let largestNodeBytes = 0;
  const unique = new Set<string>();
  for (const layers of input.nodeLayers) {
    let nodeBytes = 0;
    for (const layer of new Set(layers)) {
      nodeBytes += bytesOf(layer);
      unique.add(layer);
    }
    totalBytes += nodeBytes;
    largestNodeBytes = Math.max(largestNodeBytes, nodeBytes);
  }
  let uniqueBytes = 0;
  for (const layer of unique) uniqueBytes += bytesOf(layer);
  const registryBytesPerSecond = input.registryBitsPerSecond / 8;
  const nodeBytesPerSecond = input.nodeBitsPerSecond / 8;
  const nodeSeconds = largestNodeBytes / nodeBytesPerSecond;
  return {
    totalBytes,
    uniqueBytes,
    largestNodeBytes,
    originOnlySeconds: Math.max(totalBytes / registryBytesPerSecond, nodeSeconds),
    eachLayerOnceSeconds: Math.max(uniqueBytes / registryBytesPerSecond, nodeSeconds),
    ...(input.cpu && input.cpu.cores > 0 ? { cpuSeconds: (totalBytes * input.cpu.secondsPerByte) / input.cpu.cores } : {}),
  };
}
