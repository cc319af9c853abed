import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveBenchOptions } from '../../../bench/options.js';
import { buildRoster } from '../../../bench/contenders/roster.js';
import { errorOf } from '../error-of.js';

describe('benchmark options', () => {
  it('defaults to the full run at the issue rates', () => {
    const o = resolveBenchOptions({});
    expect(o.nodeCounts).toEqual([2, 4, 6, 8, 10]);
    expect(o.workloads).toEqual(['diverse', 'identical', 'noop']);
    expect(o.repeats).toBe(3);
    expect(o.rates).toEqual({ registry: '40mbit', node: '10mbit', controller: '100mbit' });
    expect(o.strategies).toEqual(['direct', 'relay', 'auto']);
    expect(buildRoster(o.contenders, o.strategies).map((c) => c.id)).toEqual([
      'docker-pull-sequential',
      'docker-pull-parallel',
      'ansible-forks-5',
      'ansible-forks-n',
      'docker-compose-pull',
      'hound-direct',
      'hound-relay',
      'hound-auto',
    ]);
  });

  it('makes --quick 10 nodes, diverse, one run, every contender but the node-after-node loop', () => {
    const o = resolveBenchOptions({ quick: true });
    expect(o).toMatchObject({ nodeCounts: [10], workloads: ['diverse'], repeats: 1, quick: true });
    expect(buildRoster(o.contenders, ['direct', 'relay']).map((c) => c.id)).toEqual([
      'docker-pull-parallel',
      'ansible-forks-5',
      'ansible-forks-n',
      'docker-compose-pull',
      'hound-direct',
      'hound-relay',
    ]);
  });

  it('runs the loop in --quick when asked for by name', () => {
    expect(resolveBenchOptions({ quick: true, contenders: 'docker-pull-sequential,hound' }).contenders).toEqual(['docker-pull-sequential', 'hound']);
  });

  it('takes node counts up to 100 and per-contender limits (--up-to)', () => {
    const o = resolveBenchOptions({ nodes: '25,50,100', strategies: 'relay,auto', upTo: 'docker-pull-parallel=50, hound-relay=100' });
    expect(o.nodeCounts).toEqual([25, 50, 100]);
    expect([...o.upTo]).toEqual([
      ['docker-pull-parallel', 50],
      ['hound-relay', 100],
    ]);
    expect(resolveBenchOptions({}).upTo.size).toBe(0);
  });

  it('sorts and deduplicates node counts', () => {
    expect(resolveBenchOptions({ nodes: '10, 2,4,2' }).nodeCounts).toEqual([2, 4, 10]);
  });

  it('refuses bad options with one clear error, exit 5', () => {
    const cases: [Parameters<typeof resolveBenchOptions>[0], RegExp][] = [
      [{ nodes: '2,x' }, /--nodes: 'x'/],
      [{ nodes: '0' }, /--nodes: '0'/],
      [{ workloads: 'diverse,huge' }, /--workloads: unknown 'huge'/],
      [{ contenders: 'podman' }, /--contenders: unknown 'podman'/],
      [{ strategies: 'torrent' }, /--strategies: unknown 'torrent'/],
      [{ repeats: '0' }, /--repeats/],
      [{ registryRate: 'fast' }, /invalid --registry-rate 'fast'/],
      [{ nodes: '101' }, /--nodes: '101' is not a node count from 1 to 100/],
      [{ upTo: 'docker-pull-parallel' }, /--up-to: 'docker-pull-parallel' is not CONTENDER=NODES/],
      [{ upTo: 'hound-fanout=50' }, /--up-to: unknown contender 'hound-fanout'/],
    ];
    for (const [raw, message] of cases) {
      const err = errorOf(() => resolveBenchOptions(raw));
      expect(err.message).toMatch(message);
      expect(err.exitCode).toBe(5);
      expect(err.hint ?? '').not.toBe('');
    }
  });

  it('reuses ansible forks 5 as forks = nodes up to 5 nodes only', () => {
    const forksN = buildRoster(['ansible-forks-n'], []).at(0)!;
    expect(forksN.sameAs?.(5)).toBe('ansible-forks-5');
    expect(forksN.sameAs?.(6)).toBeUndefined();
  });

  it('runs an earlier build beside this one with --baseline: its own ids and labels, not a hound row, auto by default', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hound-baseline-'));
    try {
      const cli = path.join(dir, 'dist', 'cli', 'hound.js');
      mkdirSync(path.dirname(cli), { recursive: true });
      writeFileSync(cli, '');
      const o = resolveBenchOptions({ contenders: 'hound', strategies: 'relay,auto', baseline: dir, upTo: 'hound-baseline-auto=10' });
      expect(o.baseline).toEqual({ cli, strategies: ['auto'] });
      expect(resolveBenchOptions({ baseline: dir, baselineStrategies: 'direct,auto' }).baseline?.strategies).toEqual(['direct', 'auto']);
      expect(resolveBenchOptions({}).baseline).toBeUndefined();
      const build = { cli, revision: '956a45d', takesFanoutImage: false };
      const roster = buildRoster(o.contenders, o.strategies, ['docker'], { build, strategies: o.baseline!.strategies });
      expect(roster.map((c) => [c.id, c.label, c.isHound])).toEqual([
        ['hound-relay', 'hound (relay)', true],
        ['hound-auto', 'hound (auto)', true],
        ['hound-baseline-auto', 'hound 956a45d (auto)', false],
      ]);
      // An unbuilt checkout, a missing one, strategies without a baseline, a baseline without hound.
      const cases: [Parameters<typeof resolveBenchOptions>[0], RegExp][] = [
        [{ baseline: path.join(dir, 'dist') }, /--baseline: .* has no built CLI/],
        [{ baseline: path.join(dir, 'gone') }, /--baseline: .*gone does not exist/],
        [{ baselineStrategies: 'auto' }, /--baseline-strategies needs --baseline/],
        [{ baseline: dir, contenders: 'docker-pull-parallel' }, /--contenders leaves hound out/],
        [{ baseline: dir, baselineStrategies: 'torrent' }, /--baseline-strategies: unknown 'torrent'/],
      ];
      for (const [raw, message] of cases) {
        const err = errorOf(() => resolveBenchOptions(raw));
        expect(err.message).toMatch(message);
        expect(err.exitCode).toBe(5);
        expect(err.hint ?? '').not.toBe('');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
