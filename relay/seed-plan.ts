// Which nodes seed a fan-out run and which nodes each seed serves (pure).

/**
 * `seeds` nodes spread evenly over the (sorted) hosts, each serving the contiguous block of
 * hosts that starts with it, itself included. Returns seed host → its nodes.
 */
export function assignSeeds(hosts: readonly string[], seeds: number): Map<string, string[]> {
  const sorted = [...new Set(hosts)].sort(compareHosts);
  const count = Math.max(1, Math.min(Math.floor(seeds), sorted.length));
  const assignment = new Map<string, string[]>();
  for (let i = 0; i < count; i++) {
    const block = sorted.slice(Math.floor((i * sorted.length) / count), Math.floor(((i + 1) * sorted.length) / count));
    assignment.set(block[0], block);
  }
  return assignment;
}

/** node2 before node10: names compared with their numbers as numbers. */
function compareHosts(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
