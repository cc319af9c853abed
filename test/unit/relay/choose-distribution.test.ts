// `distribution: auto` with the links' rates as a run's probe measures them
// (relay/link-probe.ts): the decision is pure, so the rates are given here.
import { describe, expect, it } from 'vitest';
import { chooseDistribution, chooseFromPlan, MIN_SAVING_SECONDS, type DistributionInput } from '../../../relay/choose-distribution.js';
import { diverseWorkload } from '../../../bench/model-workload.js';
import { PULL_CPU_SECONDS_PER_BYTE } from '../../../relay/distribution-model.js';

const MB = 1_000_000;
// The benchmark's lab, in bytes per second: registry 40 mbit, controller 100 mbit, nodes 10 mbit.
const shapedLab = { registryUplink: 5e6, controllerLink: 12.5e6, nodeLink: 1.25e6 };
// Its diverse workload on 10 nodes: 178 MB to the nodes, 35 MB distinct, 17.8 MB the busiest.
const diverse10 = { nodes: 10, totalBytes: 178 * MB, uniqueBytes: 35 * MB, maxNodeBytes: 17.8 * MB };

describe('chooseDistribution with probed rates', () => {
  it('relays on the shaped lab when nodes share layers, and names the probed rates and both estimates in one line', () => {
    const choice = chooseDistribution({ ...diverse10, requested: 'auto', rates: { ...shapedLab, relayCpu: 30e6 }, ratesFrom: 'probed' });
    expect(choice.strategy).toBe('relay');
    // direct: 178 MB over the 5 MB/s uplink; relay: 17.8 MB over each 1.25 MB/s node link (the controller's 14.2 s ties).
    expect(choice.reason).toBe(
      "nodes need 178.0 MB in total, 35.0 MB distinct (5.1×); probed origin 5.0 MB/s, controller 12.5 MB/s, node 1.3 MB/s, hound's CPU 30.0 MB/s: estimated 35.6 s direct vs 14.2 s relayed",
    );
    expect(choice.reason).not.toContain('\n');
  });

  it("goes direct on fast unshaped links where hound's CPU would hold the relay", () => {
    // 100 nodes pulling one 5.2 MB layer: 524 MB through hound at 30 MB/s is 17.5 s, while the
    // registry sends it all in 5.2 s.
    const choice = chooseDistribution({
      nodes: 100,
      totalBytes: 520 * MB,
      uniqueBytes: 5.2 * MB,
      maxNodeBytes: 5.2 * MB,
      requested: 'auto',
      rates: { registryUplink: 100e6, controllerLink: 1000e6, nodeLink: 100e6, relayCpu: 30e6 },
      ratesFrom: 'probed',
    });
    expect(choice.strategy).toBe('direct');
    expect(choice.reason).toContain("but the relay would be held by hound's CPU");
    expect(choice.reason).toContain('estimated 5.2 s direct vs 17.3 s relayed');
  });

  it("goes direct when the controller's link would carry more than the registry uplink saves", () => {
    // 50 nodes on the shaped lab's rates but a 20 mbit controller: 850 MB over 2.5 MB/s.
    const choice = chooseDistribution({
      nodes: 50,
      totalBytes: 850 * MB,
      uniqueBytes: 35 * MB,
      maxNodeBytes: 17 * MB,
      requested: 'auto',
      rates: { ...shapedLab, controllerLink: 2.5e6 },
      ratesFrom: 'probed',
    });
    expect(choice.strategy).toBe('direct');
    expect(choice.reason).toContain("the relay would be held by the controller's link");
  });

  it('goes direct for a disjoint workload whatever the rates, and the plan alone decides that', () => {
    const disjoint = { nodes: 4, totalBytes: 40 * MB, uniqueBytes: 40 * MB, maxNodeBytes: 10 * MB, requested: 'auto' as const };
    expect(chooseFromPlan(disjoint)).toEqual({
      strategy: 'direct',
      reason: 'no layer is needed by more than one node: nodes need 40.0 MB in total, 40.0 MB distinct (1.0×)',
    });
    expect(chooseDistribution({ ...disjoint, rates: shapedLab, ratesFrom: 'probed' }).strategy).toBe('direct');
  });

  it('leaves the choice to the rates only when the plan cannot make it', () => {
    expect(chooseFromPlan({ ...diverse10, requested: 'auto' })).toBeUndefined();
    expect(chooseFromPlan({ ...diverse10, requested: 'relay' })?.strategy).toBe('relay');
    expect(chooseFromPlan({ ...diverse10, nodes: 1, requested: 'auto' })?.strategy).toBe('direct');
    expect(chooseFromPlan({ nodes: 3, totalBytes: 0, uniqueBytes: 0, maxNodeBytes: 0, requested: 'auto' })?.reason).toBe('nothing to pull');
  });

  it(`goes direct when relaying would save less than ${MIN_SAVING_SECONDS} s, even at a large ratio`, () => {
    // 4 nodes, one shared 5 MB layer, 1 Gbit links and a 10 Gbit controller: 0.16 s direct against 0.04 s relayed.
    const fast = { registryUplink: 125e6, controllerLink: 1250e6, nodeLink: 125e6 };
    const choice = chooseDistribution({ nodes: 4, totalBytes: 20 * MB, uniqueBytes: 5 * MB, maxNodeBytes: 5 * MB, rates: fast, ratesFrom: 'probed' });
    expect(choice.strategy).toBe('direct');
    expect(choice.reason).toContain('relaying would save too little');
    expect(choice.reason).toContain('estimated 0.2 s direct vs 0.0 s relayed');
  });

  it("says the controller's rate is a lower bound when the probe's nodes did not fill its link", () => {
    const choice = chooseDistribution({ ...diverse10, rates: { ...shapedLab, controllerLink: 10e6 }, ratesFrom: 'probed', controllerAtLeast: true });
    expect(choice.reason).toContain('probed origin 5.0 MB/s, controller ≥ 10.0 MB/s, node 1.3 MB/s');
    expect(choice.strategy).toBe('relay');
  });

  it('names stated rates as stated', () => {
    expect(chooseDistribution({ ...diverse10, rates: shapedLab }).reason).toContain('stated origin 5.0 MB/s');
  });
});

describe('chooseDistribution when the nodes run on the controller’s own kernel', () => {
  // The scale benchmark's 50-node diverse run, with the rates auto probed there: fan-out was
  // estimated fastest (many seeds) and took 247 s, the relay 161 s (docs/scale.md).
  const diverse50 = { nodes: 50, totalBytes: 890 * MB, uniqueBytes: 35 * MB, maxNodeBytes: 17.8 * MB };
  const probed = { registryUplink: 5e6, controllerLink: 12.5e6, nodeLink: 1.25e6, relayCpu: 30e6 };
  const fanout = { seedImageBytes: 10 * MB };

  it('fans out on separate machines', () => {
    const choice = chooseDistribution({ ...diverse50, requested: 'auto', rates: probed, ratesFrom: 'probed', fanout });
    expect(choice.strategy).toBe('fanout');
  });

  const labProbe = { registryUplink: 4.3e6, controllerLink: 10.3e6, nodeLink: 1.4e6, relayCpu: 28.2e6 };
  const onLabInput = (nodes: number, cores = 2): DistributionInput => ({
    // The benchmark's diverse workload, each seed fed its own nodes' images as the run plans them.
    ...diverseWorkload(nodes),
    requested: 'auto',
    rates: labProbe,
    ratesFrom: 'probed',
    controllerAtLeast: true,
    nodesOnController: true,
    controllerCores: cores,
    fanout: { seedImageBytes: 7_644_399 },
  });
  const onLab = (nodes: number, cores = 2) => chooseDistribution(onLabInput(nodes, cores));

  it("on the lab's 2 cores relays at 10 and 25 nodes, fans out over 11 seeds at 50, and says why in one line", () => {
    // Measured there: at 25 nodes the relay 41.8 s, fan-out 48.3–57.8 s; at 50 the relay
    // 82.8–85.2 s, fan-out over 10 seeds 59.5–64.3 s (docs/scale.md).
    expect(onLab(10).strategy).toBe('relay');
    const at25 = onLab(25);
    expect(at25.strategy).toBe('relay');
    expect(at25.reason).toContain('vs 41.3 s relayed vs 38.1 s fanned out over 10 seeds (on shared cores fan-out must be 15% faster than the relay)');
    // At 25 and 30, fan-out is estimated faster but not by the margin the less certain estimate needs.
    expect(onLab(30)).toMatchObject({ strategy: 'relay' });
    expect(onLab(30).reason).toContain('vs 49.5 s relayed vs 43.3 s fanned out over 11 seeds (on shared cores fan-out must be 15% faster than the relay)');
    const at50 = onLab(50);
    expect(at50).toMatchObject({ strategy: 'fanout', seeds: 11, relayLanes: 0 });
    expect(at50.reason).toContain(
      "estimated 197.7 s direct vs 82.5 s relayed vs 56.9 s fanned out over 11 seeds; the nodes share the controller's 2 cores, where their pulls' processing alone takes 34.0 s at 80 ms per MB",
    );
    expect(at50.reason).not.toContain('\n');
  });

  it("on the lab's 2 cores with 3 of 50 nodes able to run a seed, weighs fan-out over those 3 only", () => {
    const choice = chooseDistribution({ ...onLabInput(50), seedNodes: 3 });
    expect(choice.reason).toContain('fanned out over 3 seeds');
  });

  it("relays on one core, where the pulls' processing after the seeds' start and feed would take longer than the relay", () => {
    const choice = onLab(50, 1);
    expect(choice.strategy).toBe('relay');
    expect(choice.reason).toContain("the nodes share the controller's 1 core, where their pulls' processing alone takes 68.0 s at 80 ms per MB");
  });

  it("weighs the pulls at the nodes' own runtimes' cost when it is given, and names the figure", () => {
    const { docker, containerd, podman } = PULL_CPU_SECONDS_PER_BYTE;
    const at = (secondsPerByte: number) => chooseDistribution({ ...onLabInput(50), pullCpuSecondsPerByte: secondsPerByte });
    // Docker's figure stated outright is the default's.
    expect(at(docker)).toEqual(onLab(50));
    for (const cost of [containerd, podman]) {
      const choice = at(cost);
      expect(choice.reason).toContain(
        `where their pulls' processing alone takes ${((diverseWorkload(50).totalBytes * cost) / 2).toFixed(1)} s at ${(cost * 1e9).toFixed(0)} ms per MB`,
      );
    }
    // Dearer pulls lengthen every way's estimate on the shared cores.
    const estimates = (reason: string) => [...reason.matchAll(/([\d.]+) s (?:direct|relayed|fanned out)/g)].map((m) => Number(m[1]));
    const cheap = estimates(at(Math.min(containerd, podman)).reason);
    const dear = estimates(at(Math.max(containerd, podman)).reason);
    expect(dear).toHaveLength(3);
    dear.forEach((seconds, i) => expect(seconds).toBeGreaterThanOrEqual(cheap[i]));
    expect(dear[2]).toBeGreaterThan(cheap[2]);
  });

  it('without rates, the plan-only rule does not fan out there either', () => {
    const input = { ...diverse50, requested: 'auto' as const, fanout };
    expect(chooseDistribution(input).strategy).toBe('fanout');
    expect(chooseDistribution({ ...input, nodesOnController: true }).strategy).toBe('relay');
  });

  it('an explicit fanout is still honoured', () => {
    expect(chooseDistribution({ ...diverse50, requested: 'fanout', rates: probed, fanout, nodesOnController: true }).strategy).toBe('fanout');
  });

  it('fans out with the relay lanes the rates leave room for, or as many as the inventory states, and says so', () => {
    // Nodes that serve at 100 mbit (a probe measuring uplinks, or stated): 5 seeds, fed at 10 mbit
    // each, leave 100 − 5 × 10 mbit of the controller's link: 5 lanes.
    const rates = { ...probed, nodeUplink: 12.5e6 };
    const chosen = chooseDistribution({ ...diverse50, requested: 'auto', rates, ratesFrom: 'probed', fanout });
    expect(chosen).toMatchObject({ strategy: 'fanout', seeds: 5, relayLanes: 5 });
    // Named outright without rates: 2 seeds, no lanes; with lanes stated, those.
    const named = chooseDistribution({ ...diverse50, requested: 'fanout', fanout });
    expect(named).toMatchObject({ strategy: 'fanout', seeds: 2, relayLanes: 0, reason: 'distribution: fanout is set (2 seeds, 0 relay lanes)' });
    expect(chooseDistribution({ ...diverse50, requested: 'fanout', fanout, relayLanes: 3 })).toMatchObject({
      relayLanes: 3,
      reason: 'distribution: fanout is set (2 seeds, 3 relay lanes)',
    });
  });

  it('fans out over as many seeds as the inventory states, at most one per node, and says so', () => {
    expect(chooseDistribution({ ...diverse50, requested: 'fanout', fanout, seeds: 7 })).toMatchObject({
      strategy: 'fanout',
      seeds: 7,
      reason: 'distribution: fanout is set (7 seeds, 0 relay lanes)',
    });
    expect(chooseDistribution({ ...diverse50, requested: 'fanout', fanout, seeds: 80 })).toMatchObject({ seeds: 50 });
    // Only nodes that may run a seed count (hound_fanout_seed_node=false keeps seeds off the others).
    expect(chooseDistribution({ ...diverse50, requested: 'fanout', fanout, seeds: 7, seedNodes: 3 })).toMatchObject({ seeds: 3 });
    // auto weighs the stated count: 1 seed feeds every node through its one uplink.
    const one = chooseDistribution({ ...diverse50, requested: 'auto', rates: probed, ratesFrom: 'probed', fanout, seeds: 1 });
    expect(one.strategy).toBe('relay');
    expect(one.reason).toContain('fanned out over 1 seed');
  });
});
