// A registry that answers 503 for a while: hound retries the pull with backoff and the
// node ends up with its image; one that keeps answering 503 fails after the set number of
// attempts with the registry's reason, and a rerun once it recovers converges.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LabInfo } from '../../lab/index.js';
import type { DetailEvent } from '../../core/events.js';
import { emptyNode, hound, jsonEvents, nodeTags, summaryOf, useLabWorkDir } from '../fixtures/play/helpers.js';
import { startRegistryFront } from '../fixtures/play/registry-front.js';

const work = useLabWorkDir({ emptyNodesAfter: true });

/**
 * A registry front on the controller's lab address that answers 503 to the next `failures`
 * manifest GETs. Only GETs: Docker first asks with HEAD and, when that fails, asks again with
 * GET, so a 503 to a HEAD is absorbed inside Docker. Counting HEADs made this test race: two
 * nodes' HEADs could take both 503s and no pull of hound's ever failed.
 */
async function flakyRegistry(lab: LabInfo) {
  const counts = { failures: 0, served503: 0 };
  // Only the nodes' requests (Docker's pulls) meet the 503s: hound's own registry client on the
  // controller (the plan's and the disk estimate's manifest reads) retries by itself and would
  // otherwise use up the failures before any pull starts.
  const nodeAddresses = new Set(lab.nodes.map((n) => n.ip));
  const front = await startRegistryFront(lab, (req, res) => {
    const from = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (counts.failures <= 0 || !nodeAddresses.has(from) || req.method !== 'GET' || !/\/manifests\//.test(req.url ?? '')) return false;
    counts.failures -= 1;
    counts.served503 += 1;
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAVAILABLE","message":"service unavailable"}]}');
    return true;
  });
  return Object.assign(counts, front);
}

describe('registry 5xx during hound play', () => {
  it('retries with backoff until the registry answers, then every node has its image; a registry that keeps failing gives up after --pull-attempts', async () => {
    await Promise.all(work.lab.nodes.map(emptyNode));
    const front = await flakyRegistry(work.lab);
    try {
      const image = `${front.host}/hound/app4:latest`;
      writeFileSync(path.join(work.dir, 'flaky.yml'), `- hosts: node1:node2\n  gather_facts: false\n  tasks:\n    - image:\n        name: "${image}"\n`);
      // Two 503s: each meets a pull's manifest GET, which Docker does not retry, so hound does.
      front.failures = 2;
      // --ignore-disk-check: the precheck asks the registry itself (and retries on its own); this is about Docker's pulls.
      const run = await hound(['play', '--distribution', 'direct', 'flaky.yml', '-i', 'hosts.ini', '--json', '-v', '--ignore-disk-check'], work.dir);
      expect(run.code, run.stdout.slice(-3000) + run.stderr).toBe(0);
      expect(front.served503).toBe(2);
      const events = jsonEvents(run.stdout);
      // Docker words a 503 by which request met it: 'received unexpected HTTP status: 503 …', or the body's
      // 'service unavailable'.
      const details = events.filter((e): e is DetailEvent => e.event === 'detail');
      const retried = details.filter((e) => /pull of \S+app4:latest failed .*; attempt 2 in \d/.test(e.msg));
      expect(retried.length, details.map((e) => e.msg).join('\n')).toBeGreaterThan(0);
      for (const e of retried) expect(e.msg).toMatch(/503|[Ss]ervice [Uu]navailable/);
      for (const name of ['node1', 'node2']) {
        expect(summaryOf(events).hosts[name]).toMatchObject({ changed: 1, failed: 0 });
        expect(
          await nodeTags(
            work.lab.nodes.find((n) => n.name === name)!,
            work.lab,
          ),
        ).toEqual([image]);
      }

      await Promise.all(work.lab.nodes.map(emptyNode));
      front.failures = 1000;
      const before = front.served503;
      const failing = await hound(
        ['play', 'flaky.yml', '-i', 'hosts.ini', '--json', '--limit', 'node1', '--pull-attempts', '2', '--ignore-disk-check'],
        work.dir,
      );
      expect(failing.code).toBe(2);
      const result = jsonEvents(failing.stdout).find((e) => e.event === 'task_result' && e.host === 'node1') as { status: string; msg: string };
      expect(result.status).toBe('failed');
      expect(result.msg).toMatch(/503|[Ss]ervice [Uu]navailable/);
      expect(result.msg).toMatch(/gave up after 2 attempts/);
      expect(front.served503 - before).toBeGreaterThanOrEqual(2);

      front.failures = 0;
      const again = await hound(['play', 'flaky.yml', '-i', 'hosts.ini', '--json', '--limit', 'node1'], work.dir);
      expect(again.code, again.stderr).toBe(0);
    } finally {
      await front.close();
    }
  });
});
