// How RunDistribution reads the inventory's distribution variables: rates as tc writes them,
// seeds and relay lanes as whole numbers. Anything else is said and ignored, never dropped
// silently. (Its decisions themselves are tested on the lab: test/integration/fanout.test.ts.)
import { describe, expect, it } from 'vitest';
import { PythonFloat } from '../../../base/python-float.js';
import { RunDistribution, type RunDistributionDeps } from '../../../core/run-distribution.js';
import type { Vars } from '../../../inventory/model.js';

type Say = (verbosity: number, msg: string) => void;
interface Readers {
  rates(host: string, say: Say): Record<string, number> | undefined;
  seeds(host: string, say: Say): number | undefined;
  relayLanes(host: string, say: Say): number | undefined;
}

/** The class's variable readers, over one host's variables (nothing else of its deps is touched). */
function readers(vars: Vars): { read: Readers; said: string[]; say: Say } {
  const said: string[] = [];
  const deps = { vars: () => vars } as unknown as RunDistributionDeps;
  return { read: new RunDistribution(deps) as unknown as Readers, said, say: (_v, msg) => said.push(msg) };
}

describe("RunDistribution: the inventory's distribution variables", () => {
  it('reads rates written as tc writes them, and says which ones it ignores (a bare number names no unit)', () => {
    const { read, said, say } = readers({ hound_registry_rate: '40mbit', hound_controller_rate: 100, hound_node_rate: 'fast' });
    expect(read.rates('h', say)).toEqual({ registryUplink: 5_000_000 });
    expect(said).toEqual([
      'distribution: hound_controller_rate=100 is not a rate (write it as tc does: 40mbit, 1gbit); ignored',
      'distribution: hound_node_rate=fast is not a rate (write it as tc does: 40mbit, 1gbit); ignored',
    ]);
  });

  it('takes a whole number of seeds or lanes as a number, digits or a whole float (10.0 in YAML)', () => {
    for (const seeds of [10, '10', new PythonFloat(10)]) {
      const { read, said, say } = readers({ hound_fanout_seeds: seeds, hound_fanout_relay_lanes: 0 });
      expect(read.seeds('h', say)).toBe(10);
      expect(read.relayLanes('h', say)).toBe(0);
      expect(said).toEqual([]);
    }
    const { read, said, say } = readers({ hound_fanout_seeds: 2.5 });
    expect(read.seeds('h', say)).toBeUndefined();
    expect(said).toEqual(['distribution: hound_fanout_seeds=2.5 is not a whole number of seeds (1 or more); the rates decide instead']);
  });
});
