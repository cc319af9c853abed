// "Did you mean …?" for unknown keys, modules, roles and handlers: the closest valid name
// by edit distance, only when it is close enough to be a plausible typo.

/** Levenshtein distance (insert, delete, substitute; each costs 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}

/** The candidate closest to `name`, or undefined when none is within a third of its length (at least 2 edits). */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** A hint sentence: "did you mean 'image'?" plus, when given, what else is valid. */
export function didYouMean(name: string, candidates: readonly string[], what: string): string {
  const closest = closestName(name, candidates);
  if (closest) return `did you mean '${closest}'?`;
  return `valid ${what}: ${candidates.join(', ')}`;
}
