import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computePlan, checkDiskSpace, precheckFailures, hostsWithImageTasks, imageReferencesByHost } from '../../../plan/planner.js';
import { formatPlanDiff } from '../../../plan/format.js';
import { REG, facts, localImage, node, remote, run, sha, task } from './fixtures.js';

const app0 = `${REG}/hound/app0:latest`;
const app1 = `${REG}/hound/app1:latest`;
const base = `${REG}/hound/base:latest`;

describe('computePlan: layers and bytes', () => {
  it('counts a layer shared by two images once per host', () => {
    const r = run(['n1'], [{ module: 'images', args: { names: [app0, app1] } }]);
    const plan = computePlan(
      r,
      facts(
        [node('n1')],
        [
          remote(app0, [
            ['base', 100],
            ['a', 10],
          ]),
          remote(app1, [
            ['base', 100],
            ['b', 20],
          ]),
        ],
      ),
    );
    const [first, second] = plan.hosts.n1.actions;
    expect(first).toMatchObject({ action: 'pull', image: app0, layersNew: 2, layersPresent: 0, bytes: 110 });
    expect(second).toMatchObject({ action: 'pull', image: app1, layersNew: 1, layersPresent: 1, bytes: 20 });
    expect(plan.hosts.n1.bytes).toBe(130);
    expect(plan.hosts.n1.layersNew).toBe(3);
    expect(plan.changes).toBe(2);
  });

  it('counts a layer as present when another image on the node has its diff id', () => {
    const r = run(['n1'], [{ module: 'image', args: { name: app0 } }]);
    const other = localImage(sha('aa'), ['other/thing:1'], ['base']);
    const plan = computePlan(
      r,
      facts(
        [node('n1', [other])],
        [
          remote(app0, [
            ['base', 100],
            ['a', 10],
          ]),
        ],
      ),
    );
    expect(plan.hosts.n1.actions[0]).toMatchObject({ action: 'pull', layersNew: 1, layersPresent: 1, bytes: 10 });
    expect(plan.hosts.n1.actions[0].layers.map((l) => l.present)).toEqual([true, false]);
  });

  it('counts a layer repeated inside one image once', () => {
    const r = run(['n1'], [{ module: 'image', args: { name: app0 } }]);
    const plan = computePlan(
      r,
      facts(
        [node('n1')],
        [
          remote(app0, [
            ['e', 32],
            ['a', 10],
            ['e', 32],
          ]),
        ],
      ),
    );
    expect(plan.hosts.n1.actions[0]).toMatchObject({ layersNew: 2, layersPresent: 1, bytes: 42 });
  });

  it('bytes equal the sizes of the unique layers the node lacks (any images, any node)', () => {
    const layerNames = ['l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7'];
    const sizes = Object.fromEntries(layerNames.map((l, i) => [l, (i + 1) * 37]));
    fc.assert(
      fc.property(fc.array(fc.subarray(layerNames, { minLength: 1 }), { minLength: 1, maxLength: 5 }), fc.subarray(layerNames), (images, onNode) => {
        const refs = images.map((_, i) => `${REG}/hound/p${i}:latest`);
        const remotes = images.map((layers, i) =>
          remote(
            refs[i],
            layers.map((l) => [l, sizes[l]] as [string, number]),
          ),
        );
        const r = run(['n1'], [{ module: 'images', args: { names: refs } }]);
        const local = onNode.length > 0 ? [localImage(sha('bb'), ['x/y:1'], onNode)] : [];
        const plan = computePlan(r, facts([node('n1', local)], remotes));
        const lacking = new Set(images.flat().filter((l) => !onNode.includes(l)));
        const expected = [...lacking].reduce((n, l) => n + sizes[l], 0);
        expect(plan.hosts.n1.bytes).toBe(expected);
        expect(plan.hosts.n1.layersNew).toBe(lacking.size);
      }),
    );
  });
});

describe('computePlan: module semantics', () => {
  const stale = localImage(sha('01'), [app0], ['old'], [`${REG}/hound/app0@${sha('99')}`]);

  it('present: a tag already on the node is left alone, whatever its digest', () => {
    const r = run(['n1'], [{ module: 'image', args: { name: app0, state: 'present' } }]);
    const plan = computePlan(r, facts([node('n1', [stale])], []));
    expect(plan.hosts.n1.actions[0]).toMatchObject({ action: 'none', reason: 'present', digest: sha('99') });
    expect(plan.changes).toBe(0);
  });

  it("latest: pulls when the registry digest differs from the node's repo digest", () => {
    const r = run(['n1'], [{ module: 'image', args: { name: app0, state: 'latest' } }]);
    const plan = computePlan(
      r,
      facts(
        [node('n1', [stale])],
        [
          remote(
            app0,
            [
              ['old', 5],
              ['new', 7],
            ],
            sha('77'),
          ),
        ],
      ),
    );
    expect(plan.hosts.n1.actions[0]).toMatchObject({ action: 'pull', digest: sha('77'), layersNew: 1, layersPresent: 1, bytes: 7 });
  });

  it('latest: up to date when the repo digest matches', () => {
    const r = run(['n1'], [{ module: 'image', args: { name: app0, state: 'latest' } }]);
    const plan = computePlan(r, facts([node('n1', [stale])], [remote(app0, [['old', 5]], sha('99'))]));
    expect(plan.hosts.n1.actions[0]).toMatchObject({ action: 'none', bytes: 0, reason: 'up to date with the registry' });
  });

  it("latest: up to date when the node holds the registry's platform manifest digest of a multi-arch index", () => {
    const r = run(['n1'], [{ module: 'image', args: { name: app0, state: 'latest' } }]);
    const multi = { ...remote(app0, [['old', 5]], sha('42')), manifestDigest: sha('99') };
    const plan = computePlan(r, facts([node('n1', [stale])], [multi]));
    expect(plan.hosts.n1.actions[0].action).toBe('none');
  });

  it('a pinned digest already on the node is present without asking the registry', () => {
    const ref = `${REG}/hound/app0@${sha('99')}`;
    const r = run(['n1'], [{ module: 'image', args: { name: ref, state: 'latest' } }]);
    const plan = computePlan(r, facts([node('n1', [stale])], []));
    expect(plan.hosts.n1.actions[0].action).toBe('none');
  });

  it('absent: removes a present image, leaves a missing one', () => {
    const r = run(
      ['n1'],
      [
        { module: 'image', args: { name: app0, state: 'absent' } },
        { module: 'image', args: { name: app1, state: 'absent' } },
      ],
    );
    const plan = computePlan(r, facts([node('n1', [stale])], []));
    expect(plan.hosts.n1.actions.map((a) => [a.action, a.imageId])).toEqual([
      ['remove', sha('01')],
      ['none', undefined],
    ]);
    expect(plan.changes).toBe(1);
  });

  it('absent then present: the removal is seen by the later task, which pulls again', () => {
    const r = run(
      ['n1'],
      [
        { module: 'image', args: { name: app0, state: 'absent' } },
        { module: 'image', args: { name: app0 } },
      ],
    );
    const plan = computePlan(r, facts([node('n1', [stale])], [remote(app0, [['old', 5]], sha('99'))]));
    expect(plan.hosts.n1.actions.map((a) => a.action)).toEqual(['remove', 'pull']);
  });

  it('images exclusive: removes unlisted images, keeps listed ones and those containers use', () => {
    const keep = localImage(sha('02'), [app0], ['a']);
    const unlisted = localImage(sha('03'), ['junk:1'], ['j']);
    const used = localImage(sha('04'), ['busy:1'], ['u']);
    const r = run(['n1'], [{ module: 'images', args: { names: [app0, app1], exclusive: true } }]);
    const n = node('n1', [keep, unlisted, used], { containerImageIds: [sha('04')] });
    const plan = computePlan(
      r,
      facts(
        [n],
        [
          remote(app1, [
            ['a', 3],
            ['b', 4],
          ]),
        ],
      ),
    );
    const actions = plan.hosts.n1.actions;
    expect(actions.map((a) => [a.action, a.image])).toEqual([
      ['none', app0],
      ['pull', app1],
      ['remove', 'junk:1'],
    ]);
    expect(actions[1]).toMatchObject({ layersNew: 1, layersPresent: 1, bytes: 4 });
  });

  it('images exclusive: the old image a pull untags is removed too', () => {
    const old = localImage(sha('05'), [app0], ['x'], [`${REG}/hound/app0@${sha('98')}`]);
    const r = run(['n1'], [{ module: 'images', args: { names: [app0], state: 'latest', exclusive: true } }]);
    const plan = computePlan(r, facts([node('n1', [old])], [remote(app0, [['y', 9]], sha('97'))]));
    expect(plan.hosts.n1.actions.map((a) => [a.action, a.imageId])).toEqual([
      ['pull', remote(app0, [['y', 9]], sha('97')).configDigest],
      ['remove', sha('05')],
    ]);
  });

  it("a host whose registry facts are missing fails with the registry's error", () => {
    const r = run(['n1'], [{ module: 'image', args: { name: app0 } }]);
    const f = facts([node('n1')], []);
    f.imageErrors[`${app0}|linux/amd64`] = { code: 'MANIFEST_UNKNOWN', message: 'no such tag' };
    const plan = computePlan(r, f);
    expect(plan.hosts.n1.failed).toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    expect(plan.failedHosts).toEqual(['n1']);
  });

  it('an unreachable host is failed, the others planned', () => {
    const r = run(['n1', 'n2'], [{ module: 'image', args: { name: app0 } }]);
    const f = facts([node('n1')], [remote(app0, [['a', 1]])]);
    f.unreachable.n2 = { code: 'SSH_CONNECT_FAILED', message: 'refused' };
    const plan = computePlan(r, f);
    expect(plan.hosts.n2.failed?.code).toBe('SSH_CONNECT_FAILED');
    expect(plan.hosts.n1.actions[0].action).toBe('pull');
    expect(plan.changes).toBe(1);
  });

  it('deferred tasks are noted, not planned', () => {
    const r = run(['n1'], [{ module: 'image', args: { name: '{{ x }}' }, extra: { deferred: true } }]);
    const plan = computePlan(r, facts([node('n1')], []));
    expect(plan.hosts.n1.actions).toEqual([]);
    expect(plan.hosts.n1.notes[0]).toMatch(/run-time/);
  });

  it('lists the references to resolve per host, without absent ones', () => {
    const r = run(
      ['n1'],
      [
        { module: 'images', args: { names: [app0, app1], platform: 'linux/arm64' } },
        { module: 'image', args: { name: base, state: 'absent' } },
        { module: 'command', args: { cmd: 'true' } },
      ],
    );
    expect(imageReferencesByHost(r).get('n1')).toEqual([
      { reference: app0, platform: 'linux/arm64' },
      { reference: app1, platform: 'linux/arm64' },
    ]);
  });
});

describe('computePlan: registry totals', () => {
  it('direct sums every host; relay counts each unique layer once', () => {
    const r = run(['n1', 'n2', 'n3'], [{ module: 'image', args: { name: app0 } }], 'relay');
    const withBase = localImage(sha('06'), [base], ['base']);
    const plan = computePlan(
      r,
      facts(
        [node('n1'), node('n2'), node('n3', [withBase])],
        [
          remote(app0, [
            ['base', 100],
            ['a', 10],
          ]),
        ],
      ),
    );
    expect(plan.registryTotals).toEqual({ direct: 110 + 110 + 10, relay: 110 });
    expect(plan.registryBytes).toBe(110);
    expect(plan.registries['127.0.0.1:5000']).toEqual({ direct: 230, relay: 110 });
  });

  it('counts auto, the default, as a play decides it from the plan alone: relay when the nodes share layers, direct when they do not', () => {
    const shared = computePlan(
      run(['n1', 'n2', 'n3'], [{ module: 'image', args: { name: app0 } }]),
      facts([node('n1'), node('n2'), node('n3')], [remote(app0, [['a', 10]])]),
    );
    expect(shared).toMatchObject({ distribution: 'auto', countedAs: 'relay', registryBytes: 10, registryTotals: { direct: 30, relay: 10 } });
    expect(formatPlanDiff(shared)).toContain('Registry: 10 B to transfer (auto, counted as relay; direct would move 30 B).');
    // One node pulls: nothing to share, so a play goes direct.
    const alone = computePlan(run(['n1'], [{ module: 'image', args: { name: app0 } }]), facts([node('n1')], [remote(app0, [['a', 10]])]));
    expect(alone).toMatchObject({ distribution: 'auto', countedAs: 'direct', registryBytes: 10 });
    expect(formatPlanDiff(alone)).toContain('Registry: 10 B to transfer (auto, counted as direct; relay would move 10 B).');
  });

  it('uses direct totals when the play says direct, and leaves failed hosts out', () => {
    const r = run(['n1', 'n2'], [{ module: 'image', args: { name: app0 } }], 'direct');
    const plan = computePlan(r, facts([node('n1'), node('n2', [], { freeBytes: 20 })], [remote(app0, [['a', 10]])]));
    expect(plan.registryBytes).toBe(10);
    expect(plan.failedHosts).toEqual(['n2']);
  });
});

describe('disk precheck', () => {
  it('fails a host whose free space is below the estimate plus margin', () => {
    const r = run(['n1'], [{ module: 'image', args: { name: app0 } }]);
    const plan = computePlan(r, facts([node('n1', [], { freeBytes: 1000 })], [remote(app0, [['a', 300]])]), {
      disk: { marginFraction: 0.2, expansionFactor: 3 },
    });
    expect(plan.hosts.n1.failed?.code).toBe('DISK_SPACE_LOW');
    expect(plan.hosts.n1.disk).toMatchObject({ ok: false, estimatedBytes: 900, marginBytes: 200 });
    expect(plan.changes).toBe(0);
  });

  it('passes when it fits, and never fails a host that pulls nothing', () => {
    expect(checkDiskSpace(1000, 300, { marginFraction: 0.1, expansionFactor: 3 }).ok).toBe(true);
    expect(checkDiskSpace(1000, 301, { marginFraction: 0.1, expansionFactor: 3 }).ok).toBe(false);
    expect(checkDiskSpace(0, 0).ok).toBe(true);
  });

  it('takes the larger of a byte margin and a fraction', () => {
    expect(checkDiskSpace(1000, 100, { marginBytes: 500, marginFraction: 0.1, expansionFactor: 1 }).marginBytes).toBe(500);
    expect(checkDiskSpace(10000, 100, { marginBytes: 500, marginFraction: 0.1, expansionFactor: 1 }).marginBytes).toBe(1000);
    expect(checkDiskSpace(1000, 100, { marginBytes: 0 }).marginBytes).toBe(0);
  });
});

describe('precheckFailures', () => {
  it('gives the executor one TaskFailedError per host the precheck refuses', () => {
    const r = run(['n1', 'n2'], [{ module: 'image', args: { name: app0 } }]);
    const f = facts([node('n1', [], { freeBytes: 100 }), node('n2')], [remote(app0, [['a', 300]])]);
    const failures = precheckFailures(computePlan(r, f));
    expect([...failures.keys()]).toEqual(['n1']);
    expect(failures.get('n1')).toMatchObject({ code: 'DISK_SPACE_LOW', host: 'n1', exitCode: 2 });
    expect(failures.get('n1')!.format()).toMatch(/n1: not enough disk space: the pulls need about 900 B \(300 B compressed × 3\), 100 B is free/);
    expect(precheckFailures(computePlan(r, f, { ignoreDiskCheck: true })).size).toBe(0);
  });
});

describe('computePlan: images containers use', () => {
  const used = localImage(sha('07'), [`${REG}/hound/app0:latest`], ['u']);

  it('fails the host when absent would remove an image a container uses', () => {
    const r = run(['n1'], [{ module: 'image', args: { name: app0, state: 'absent' } }]);
    const plan = computePlan(r, facts([node('n1', [used], { containerImageIds: [sha('07')] })], []));
    expect(plan.hosts.n1.failed).toMatchObject({ code: 'IMAGE_IN_USE' });
    expect(plan.changes).toBe(0);
  });

  it('removes it anyway with force', () => {
    const r = run(['n1'], [{ module: 'image', args: { name: app0, state: 'absent', force: true } }]);
    const plan = computePlan(r, facts([node('n1', [used], { containerImageIds: [sha('07')] })], []));
    expect(plan.hosts.n1.actions[0]).toMatchObject({ action: 'remove', force: true, imageId: sha('07') });
  });
});

describe('hosts without image tasks', () => {
  it('need no facts and plan nothing', () => {
    const r = run(['localhost', 'n1'], []);
    r.plays[0].tasksByHost.set('n1', [task('n1', 0, 'image', { name: app0 })]);
    r.plays[0].tasksByHost.set('localhost', [task('localhost', 0, 'debug', { msg: 'hi' })]);
    expect(hostsWithImageTasks(r)).toEqual(['n1']);
    const plan = computePlan(r, facts([node('n1')], [remote(app0, [['a', 1]])]));
    expect(plan.hosts.localhost).toMatchObject({ actions: [], bytes: 0 });
    expect(plan.hosts.localhost.failed).toBeUndefined();
    expect(plan.failedHosts).toEqual([]);
  });
});

describe('free space not read', () => {
  it('plans without a disk check and says so', () => {
    const r = run(['n1'], [{ module: 'image', args: { name: app0 } }]);
    const plan = computePlan(r, facts([node('n1', [], { freeBytes: undefined })], [remote(app0, [['a', 10]])]));
    expect(plan.hosts.n1.failed).toBeUndefined();
    expect(plan.hosts.n1.disk).toBeUndefined();
    expect(plan.hosts.n1.notes).toContain('free disk space was not read: no disk check');
  });
});
