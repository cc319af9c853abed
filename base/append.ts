// Appending one array to another. `target.push(...items)` passes every item as an argument,
// and past about 100 000 items (a range like node[0:199999], a long task list) that
// overflows the call stack; a loop does not.

/** Appends `items` to `target` in order; returns `target`. */
export function appendAll<T>(target: T[], items: readonly T[]): T[] {
  for (const item of items) target.push(item);
  return target;
}
