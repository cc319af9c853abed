import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computePlan } from '../../../plan/planner.js';
import { findDrift, pinnedPull, plannedChanges, readPlanFile, toSavedPlan, writePlanFile } from '../../../plan/plan-file.js';
import { REG, facts, localImage, node, remote, run, sha } from './fixtures.js';

const app0 = `${REG}/hound/app0:latest`;
const app1 = `${REG}/hound/app1:v2`;
const source = { playbook: '/p/warm.yml', inventory: ['/p/hosts.ini'] };

function setup() {
  const r = run(['n1', 'n2'], [{ module: 'images', args: { names: [app0, app1], exclusive: true } }]);
  const junk = localImage(sha('03'), ['junk:1'], ['j']);
  const f = facts(
    [node('n1', [junk]), node('n2', [localImage(sha('04'), [app0, app1], ['a'])])],
    [
      remote(app0, [['a', 10]]),
      remote(app1, [
        ['a', 10],
        ['b', 5],
      ]),
    ],
  );
  return { f, saved: toSavedPlan(computePlan(r, f), f, source, new Date('2026-01-01T00:00:00Z')) };
}

describe('saved plans', () => {
  it('round-trips through a file and lists the changes in plan order', async () => {
    const { saved } = setup();
    const dir = mkdtempSync(join(tmpdir(), 'hound-plan-'));
    await writePlanFile(join(dir, 'plan.json'), saved);
    const loaded = await readPlanFile(join(dir, 'plan.json'));
    expect(loaded).toEqual(saved);
    const changes = plannedChanges(loaded);
    expect([...changes.keys()]).toEqual(['n1']);
    expect(changes.get('n1')!.map((c) => [c.action, c.image, c.force])).toEqual([
      ['pull', app0, false],
      ['pull', app1, false],
      ['remove', 'junk:1', true],
    ]);
    expect(loaded.nodes).toEqual({ n1: [`${sha('03')} tags=junk:1 digests=`] });
    expect(Object.keys(loaded.registry).sort()).toEqual([`${app0}|linux/amd64`, `${app1}|linux/amd64`]);
  });

  it('rejects files that are not plans with a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hound-plan-'));
    writeFileSync(join(dir, 'bad.json'), '{"format":"hound-plan","version":1}');
    await expect(readPlanFile(join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'PLAN_FILE_INVALID', exitCode: 4 });
    writeFileSync(join(dir, 'notjson.json'), 'hello');
    await expect(readPlanFile(join(dir, 'notjson.json'))).rejects.toMatchObject({ code: 'PLAN_FILE_INVALID' });
    await expect(readPlanFile(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'PLAN_FILE_UNREADABLE', exitCode: 1 });
  });
});

describe('findDrift', () => {
  it('finds nothing when the facts are unchanged', () => {
    const { f, saved } = setup();
    expect(findDrift(saved, f)).toEqual([]);
  });

  it('reports a tag whose registry digest moved', () => {
    const { f, saved } = setup();
    const moved = structuredClone(f);
    moved.images[`${app1}|linux/amd64`].digest = sha('77');
    const drift = findDrift(saved, moved);
    expect(drift).toHaveLength(1);
    expect(drift[0]).toContain(`${app1}: the registry's digest for the tag changed`);
    expect(drift[0]).toContain(sha('77'));
  });

  it('reports a node whose images changed', () => {
    const { f, saved } = setup();
    const changed = structuredClone(f);
    changed.nodes.n1.images.push(localImage(sha('05'), ['surprise:1'], ['s']));
    expect(findDrift(saved, changed)).toEqual([expect.stringMatching(/^n1: the node's images changed .*now [0-9a-f]{12} tags=surprise:1/)]);
  });

  it('ignores hosts the plan does not change', () => {
    const { f, saved } = setup();
    const changed = structuredClone(f);
    changed.nodes.n2.images = [];
    expect(findDrift(saved, changed)).toEqual([]);
  });
});

describe('pinnedPull', () => {
  it('pulls the repository at the planned digest and tags it back', () => {
    const digest = sha('ab');
    expect(pinnedPull({ action: 'pull', image: app1, reference: app1, platform: 'linux/amd64', digest, force: false, bytes: 1 })).toEqual({
      pull: `${REG}/hound/app1@${digest}`,
      tag: { repository: `${REG}/hound/app1`, tag: 'v2' },
    });
  });

  it('does not tag a reference that was pinned to a digest already', () => {
    const digest = sha('ab');
    const ref = `${REG}/hound/app1@${digest}`;
    expect(pinnedPull({ action: 'pull', image: ref, reference: ref, platform: 'linux/amd64', digest, force: false, bytes: 1 })).toEqual({ pull: ref });
  });
});
