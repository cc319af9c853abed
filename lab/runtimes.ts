// Which container runtime each lab node runs: `--runtimes docker,containerd,podman` (a list
// cycled over the nodes) or `--runtimes docker=2,containerd=1,podman=1` (counts, in order).
// Without the option every node runs Docker, as labs always did.
import { OptionsError } from '../base/errors.js';

export const LAB_RUNTIMES = ['docker', 'containerd', 'podman'] as const;
export type LabRuntime = (typeof LAB_RUNTIMES)[number];

function runtimeNamed(word: string, text: string): LabRuntime {
  if ((LAB_RUNTIMES as readonly string[]).includes(word)) return word as LabRuntime;
  throw new OptionsError('LAB_BAD_RUNTIMES', `--runtimes: unknown runtime '${word}' in '${text}'`, {
    hint: `use ${LAB_RUNTIMES.join(', ')}, as a list (docker,containerd) or with counts (docker=2,podman=1)`,
  });
}

/**
 * The runtime of node 1..N, in order. `nodes` is --nodes when it was given: a list is cycled
 * over that many nodes; counts must add up to it. Without it, a list gives one node per
 * entry and counts give their sum.
 */
export function parseRuntimes(text: string | undefined, nodes: number | undefined): LabRuntime[] {
  if (text === undefined) return Array.from({ length: nodes ?? 3 }, () => 'docker');
  const entries = text.split(',').map((e) => e.trim());
  if (entries.some((e) => e === '')) {
    throw new OptionsError('LAB_BAD_RUNTIMES', `--runtimes: empty entry in '${text}'`, { hint: 'e.g. --runtimes docker,containerd,podman' });
  }
  const counted = entries.filter((e) => e.includes('='));
  if (counted.length > 0 && counted.length < entries.length) {
    throw new OptionsError('LAB_BAD_RUNTIMES', `--runtimes: '${text}' mixes a list with counts`, {
      hint: 'give either a list (docker,containerd) or counts for every entry (docker=2,containerd=1)',
    });
  }
  if (counted.length === 0) {
    const cycle = entries.map((e) => runtimeNamed(e, text));
    return Array.from({ length: nodes ?? cycle.length }, (_, i) => cycle[i % cycle.length]);
  }
  const order: LabRuntime[] = [];
  const seen = new Set<LabRuntime>();
  for (const entry of entries) {
    const [word, count] = entry.split('=') as [string, string];
    const runtime = runtimeNamed(word.trim(), text);
    if (seen.has(runtime)) throw new OptionsError('LAB_BAD_RUNTIMES', `--runtimes: '${runtime}' is counted twice in '${text}'`);
    seen.add(runtime);
    if (!/^\d+$/.test(count.trim())) {
      throw new OptionsError('LAB_BAD_RUNTIMES', `--runtimes: the count of ${runtime} must be a whole number, got '${count.trim()}'`);
    }
    for (let i = 0; i < Number(count); i++) order.push(runtime);
  }
  if (order.length === 0) throw new OptionsError('LAB_BAD_RUNTIMES', `--runtimes: '${text}' counts no node`);
  if (nodes !== undefined && nodes !== order.length) {
    throw new OptionsError('LAB_BAD_RUNTIMES', `--runtimes counts ${order.length} nodes but --nodes is ${nodes}`, {
      hint: 'leave --nodes out (the counts decide) or make them agree',
    });
  }
  return order;
}
