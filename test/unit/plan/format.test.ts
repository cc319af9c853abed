import { describe, expect, it } from 'vitest';
import { computePlan } from '../../../plan/planner.js';
import { formatApplyResult, formatPlanDiff, parseDiskMargin } from '../../../plan/format.js';
import { planToJson } from '../../../plan/plan-json.js';
import { formatBytes } from '../../../base/bytes.js';
import { applyResultToJson, type ApplyResult } from '../../../plan/apply.js';
import { REG, facts, localImage, node, remote, run, sha } from './fixtures.js';

const app0 = `${REG}/hound/app0:latest`;
const app1 = `${REG}/hound/app1:latest`;

function samplePlan() {
  const r = run(['n1', 'n2'], [{ module: 'images', args: { names: [app0, app1], exclusive: true } }], 'relay');
  const junk = localImage(sha('03'), ['junk:1'], ['j']);
  const has0 = localImage(sha('02'), [app0], ['base', 'a'], [`${REG}/hound/app0@${sha('90')}`]);
  return computePlan(
    r,
    facts(
      [node('n1', [junk]), node('n2', [has0])],
      [
        remote(app0, [
          ['base', 3 * 1024 * 1024],
          ['a', 1024],
        ]),
        remote(app1, [
          ['base', 3 * 1024 * 1024],
          ['b', 2048],
        ]),
      ],
    ),
  );
}

describe('formatBytes / parseDiskMargin', () => {
  it('uses binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.00 GiB');
    expect(formatBytes(123.4 * 1024 ** 2)).toBe('123.4 MiB');
  });

  it('reads percentages and sizes, and rejects nonsense with a clear error', () => {
    expect(parseDiskMargin('10%')).toEqual({ fraction: 0.1 });
    expect(parseDiskMargin('2GiB')).toEqual({ bytes: 2 * 1024 ** 3 });
    expect(parseDiskMargin('500MB')).toEqual({ bytes: 500e6 });
    expect(parseDiskMargin('1048576')).toEqual({ bytes: 1048576 });
    expect(() => parseDiskMargin('lots')).toThrow(expect.objectContaining({ code: 'INVALID_DISK_MARGIN', exitCode: 5 }));
    expect(() => parseDiskMargin('150%')).toThrow(expect.objectContaining({ code: 'INVALID_DISK_MARGIN' }));
  });
});

describe('formatPlanDiff', () => {
  it('shows pulls, removals and up-to-date images per host, then the totals', () => {
    const text = formatPlanDiff(samplePlan());
    const lines = text.split('\n');
    const n1 = lines.indexOf('n1 (linux/amd64)');
    const n2 = lines.indexOf('n2 (linux/amd64)');
    expect(n1).toBeGreaterThanOrEqual(0);
    expect(n2).toBeGreaterThan(n1);
    const n1Block = lines.slice(n1, n2).join('\n');
    expect(n1Block).toMatch(new RegExp(`\\+ ${app0.replace(/[.]/g, '\\.')} sha256:[0-9a-f]{12}  2 new, 0 present layer\\(s\\)  3\\.00 MiB`));
    expect(n1Block).toMatch(/\+ .*app1:latest .* 1 new, 1 present layer\(s\) {2}2\.00 KiB/);
    expect(n1Block).toMatch(/- junk:1 sha256:[0-9a-f]{12} {2}\(not listed \(exclusive\)\)/);
    expect(n1Block).toMatch(/total: 2 to pull \(3\.00 MiB, 3 new layer\(s\)\), 1 to remove/);
    const n2Block = lines.slice(n2).join('\n');
    expect(n2Block).toMatch(/= .*app0:latest .*\(present\)/);
    expect(text).toMatch(/Shared layers/);
    expect(text).toContain('Registry: 3.00 MiB to transfer (relay; direct would move 3.00 MiB).');
    expect(text).toContain('Plan: 3 to pull, 1 to remove on 2 host(s).');
    expect(text).not.toMatch(/\u001b\[/);
  });

  it('says so when nothing changes, and shows failed hosts', () => {
    const r = run(['n1', 'n2'], [{ module: 'image', args: { name: app0 } }]);
    const f = facts([node('n1', [localImage(sha('02'), [app0], ['a'])])], []);
    f.unreachable.n2 = { code: 'SSH_CONNECT_FAILED', message: 'connection refused', hint: 'is sshd running?' };
    const text = formatPlanDiff(computePlan(r, f));
    expect(text).toContain('n2 FAILED SSH_CONNECT_FAILED: connection refused');
    expect(text).toContain('  not planned');
    expect(text).toContain('hint: is sshd running?');
    expect(text).toContain('Plan: no changes. 1 host(s) failed: n2.');
  });

  it('colours only when asked', () => {
    expect(formatPlanDiff(samplePlan(), { color: true })).toMatch(/\u001b\[32m\+ /);
  });
});

describe('planToJson', () => {
  it('has the documented shape', () => {
    const json = planToJson(samplePlan()) as any;
    expect(json.changes).toBe(4);
    expect(json.registry_bytes).toBe(3 * 1024 * 1024 + 1024 + 2048);
    expect(json.registry_bytes_by_distribution).toEqual({ direct: 3 * 1024 * 1024 + 1024 + 2048 * 2, relay: 3 * 1024 * 1024 + 1024 + 2048 });
    expect(json.hosts.n1.bytes).toBe(3 * 1024 * 1024 + 1024 + 2048);
    expect(json.hosts.n1.actions[0]).toMatchObject({ action: 'pull', image: app0, layers_new: 2, layers_present: 0, bytes: 3 * 1024 * 1024 + 1024 });
    expect(json.hosts.n1.actions[0].digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(json.hosts.n2.actions[0]).toMatchObject({ action: 'none', layers_new: 0, bytes: 0 });
    // The base layer is listed once although two images on two hosts use it; only n1 pulls it.
    const baseLayer = Object.values(json.layers).find((l: any) => l.size === 3 * 1024 * 1024) as any;
    expect(baseLayer).toMatchObject({ hosts: 1, images: 2 });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('formatApplyResult / applyResultToJson', () => {
  const result: ApplyResult = {
    hosts: {
      n1: {
        host: 'n1',
        bytesPlanned: 3 * 1024 * 1024,
        bytesPulled: 3 * 1024 * 1024 + 10,
        changes: [
          {
            action: 'pull',
            image: app0,
            reference: app0,
            platform: 'linux/amd64',
            digest: sha('1'),
            force: false,
            bytes: 3 * 1024 * 1024,
            done: true,
            bytesPulled: 3 * 1024 * 1024 + 10,
            layersDownloaded: 2,
            layersPresent: 1,
          },
          {
            action: 'remove',
            image: 'junk:1',
            reference: sha('3'),
            platform: 'linux/amd64',
            imageId: sha('3'),
            force: true,
            bytes: 0,
            done: true,
            bytesPulled: 0,
          },
        ],
      },
      n2: {
        host: 'n2',
        bytesPlanned: 2048,
        bytesPulled: 0,
        failed: { code: 'DOCKER_PULL_FAILED', message: 'no space left' },
        changes: [
          {
            action: 'pull',
            image: app1,
            reference: app1,
            platform: 'linux/amd64',
            digest: sha('2'),
            force: false,
            bytes: 2048,
            done: false,
            bytesPulled: 0,
            error: { code: 'DOCKER_PULL_FAILED', message: 'no space left' },
          },
        ],
      },
    },
    bytesPlanned: 3 * 1024 * 1024 + 2048,
    bytesPulled: 3 * 1024 * 1024 + 10,
  };

  it('shows each change with the bytes pulled against the plan, and failures', () => {
    const text = formatApplyResult(result);
    expect(text).toMatch(/\+ .*app0:latest sha256:0{12} {2}pulled 3\.00 MiB \(planned 3\.00 MiB\)/);
    expect(text).toContain('- junk:1  removed');
    expect(text).toContain('n2 FAILED DOCKER_PULL_FAILED: no space left');
    expect(text).toContain('failed: no space left');
    expect(text).toContain('Applied: pulled 3.00 MiB of 3.00 MiB planned on 2 host(s); 1 host(s) failed.');
  });

  it('has bytes planned and pulled per change and host', () => {
    const json = applyResultToJson(result) as any;
    expect(json.hosts.n1.changes[0]).toMatchObject({
      action: 'pull',
      bytes_planned: 3 * 1024 * 1024,
      bytes_pulled: 3 * 1024 * 1024 + 10,
      layers_downloaded: 2,
      layers_present: 1,
      done: true,
    });
    expect(json.hosts.n2.failed.code).toBe('DOCKER_PULL_FAILED');
    expect(json.bytes_pulled).toBe(3 * 1024 * 1024 + 10);
  });
});
