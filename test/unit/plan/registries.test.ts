// What the plan says about registries: the mirror a node pulls through, a registry a node
// will not trust (refused before any pull), the mirrors it passes over, and the registry's
// stated rate limit; in the text a person reads and in the JSON (against its schema).
import { describe, expect, it } from 'vitest';
import { computePlan, precheckFailures } from '../../../plan/planner.js';
import { formatPlanDiff } from '../../../plan/format.js';
import { planToJson } from '../../../plan/plan-json.js';
import { facts, node, remote, run } from './fixtures.js';
import { schemaErrors } from '../../fixtures/schemas.js';

const HUB = 'docker.io/hound/app0:latest';
const PRIVATE = 'registry.corp:5002/team/api:1.0';
const MIRROR = 'https://mirror.corp:5003';

function scenario() {
  const r = run(['n1', 'n2', 'n3'], [{ module: 'images', args: { names: [HUB, PRIVATE] } }]);
  const trusted = { mirrors: [], insecure: false, passedOver: [] };
  const f = facts(
    [
      node('n1', [], {
        registries: {
          'docker.io': { mirrors: [MIRROR], insecure: false, passedOver: [], servedBy: { endpoint: MIRROR, mirror: true } },
          'registry.corp:5002': trusted,
        },
      }),
      node('n2', [], {
        registries: {
          'docker.io': { mirrors: [], insecure: false, passedOver: [{ endpoint: 'https://old-mirror.corp', reason: 'the node does not trust it: expired' }] },
          'registry.corp:5002': trusted,
        },
      }),
      node('n3', [], {
        registries: {
          'docker.io': { mirrors: [], insecure: false, passedOver: [] },
          'registry.corp:5002': {
            mirrors: [],
            insecure: false,
            passedOver: [],
            untrusted: {
              endpoint: 'https://registry.corp:5002',
              reason: 'its certificate is signed by an unknown authority (CN=Corp CA)',
              trustSource: '/etc/docker/certs.d/registry.corp:5002/',
            },
          },
        },
      }),
    ],
    [remote(HUB, [['a', 1000]]), remote(PRIVATE, [['b', 2000]])],
  );
  f.registries = {
    'registry.corp:5002': { rateLimit: { endpoint: 'https://registry.corp:5002', limit: 100, remaining: 76, windowSeconds: 21600, observedAt: 0 } },
  };
  return { plan: computePlan(r, f), r, f };
}

describe('registries in the plan', () => {
  it('a node that will not trust a registry (and has no mirror for it) fails before any pull, naming where its runtime looks', () => {
    const { plan } = scenario();
    expect(plan.hosts.n3.failed).toMatchObject({ code: 'REGISTRY_UNTRUSTED', message: expect.stringContaining('will not trust https://registry.corp:5002') });
    expect(plan.hosts.n3.failed?.hint).toContain('/etc/docker/certs.d/registry.corp:5002/');
    expect(precheckFailures(plan).get('n3')?.code).toBe('REGISTRY_UNTRUSTED');
    expect(plan.failedHosts).toEqual(['n3']);
  });

  it('names the mirror each pull goes through, per action and per registry, and the mirrors a node passes over', () => {
    const { plan } = scenario();
    expect(plan.hosts.n1.actions[0].mirror).toBe(MIRROR);
    expect(plan.hosts.n2.actions[0].mirror).toBeUndefined();
    expect(plan.registries['docker.io'].mirrors).toEqual({ [MIRROR]: ['n1'] });
    expect(plan.hosts.n2.notes).toContain('docker.io: the node passes over mirror https://old-mirror.corp (the node does not trust it: expired)');
    const text = formatPlanDiff(plan);
    expect(text).toContain(`docker.io: through mirror ${MIRROR} on n1`);
    expect(text).toMatch(/\+ docker\.io\/hound\/app0:latest .*via mirror https:\/\/mirror\.corp:5003\)/);
  });

  it("shows the registry's stated rate limit, and the JSON says the same within its schema", () => {
    const { plan } = scenario();
    expect(formatPlanDiff(plan)).toContain('registry.corp:5002: rate limit 100 pulls per 6 h, 76 left (stated by https://registry.corp:5002)');
    const json = planToJson(plan);
    expect(schemaErrors('plan', json)).toEqual([]);
    expect((json.registries as Record<string, { rate_limit?: unknown }>)['registry.corp:5002'].rate_limit).toEqual({
      endpoint: 'https://registry.corp:5002',
      limit: 100,
      remaining: 76,
      window_seconds: 21600,
    });
  });

  it('a mirror the node trusts carries it past a registry it does not: no failure', () => {
    const { r, f } = scenario();
    f.nodes.n3.registries!['registry.corp:5002'].mirrors = ['https://private-mirror.corp'];
    expect(computePlan(r, f).hosts.n3.failed).toBeUndefined();
  });
});
