// `serial:` → batches of hosts, as Ansible's _get_serialized_batches: each entry is a
// count or a percentage of all the play's hosts (at least 1), the last entry repeats,
// and 0 or no serial means one batch of every host.

/** A count or "N%" resolved against `total` hosts. */
export function batchSize(value: number | string, total: number): number {
  if (typeof value === 'string' && value.trim().endsWith('%')) {
    const percent = parseFloat(value);
    return Math.max(1, Math.floor((percent / 100) * total));
  }
  return Math.trunc(Number(value));
}

export function serialBatches(hosts: readonly string[], serial: readonly (number | string)[]): string[][] {
  if (hosts.length === 0) return [];
  const sizes = serial.length > 0 ? serial : [0];
  const batches: string[][] = [];
  let rest = [...hosts];
  let index = 0;
  while (rest.length > 0) {
    const size = batchSize(sizes[index], hosts.length);
    if (size <= 0) {
      batches.push(rest);
      break;
    }
    batches.push(rest.slice(0, size));
    rest = rest.slice(size);
    index = Math.min(index + 1, sizes.length - 1);
  }
  return batches;
}
