// Work over a list with at most N items in flight, started in the list's order: the one pool
// the inventory scripts' --host runs, a module's actions, the relay's prefetch and the seeds'
// feed share.

/**
 * Runs `work` on each item, at most `limit` at once (at least one), starting them in order;
 * once `stopped()` holds, starts no more. Rejects with the first failure `work` throws (the
 * items already started run on).
 */
export async function forEachAtMost<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
  stopped: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !stopped()) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
