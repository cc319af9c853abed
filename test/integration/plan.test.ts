// `hound plan` / `hound apply` end to end on the lab, through the built CLI. Node state is
// set up and checked directly on each node's own Docker socket; what a plan should cost is
// computed here from the registry's own manifests and configs, not from hound's code.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImageSet, type LabInfo } from '../../lab/index.js';
import { schemaErrors } from '../fixtures/schemas.js';
import { readTestLab } from '../fixtures/test-lab.js';

const HOUND = path.resolve('dist/cli/hound.js');
const MANIFEST_ACCEPT = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function hound(...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [HOUND, ...args], { encoding: 'utf8', timeout: 170_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let info: LabInfo;
let registry: string;
let work: string;
const dockers = new Map<string, Docker>();

function docker(node: string): Docker {
  return dockers.get(node)!;
}

async function pullOnNode(node: string, ref: string): Promise<void> {
  const stream = await docker(node).pull(ref);
  await new Promise<void>((resolve, reject) => docker(node).modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
}

async function wipeNode(node: string): Promise<void> {
  for (const c of await docker(node).listContainers({ all: true })) await docker(node).getContainer(c.Id).remove({ force: true });
  for (const img of await docker(node).listImages())
    await docker(node)
      .getImage(img.Id)
      .remove({ force: true })
      .catch(() => undefined);
}

/** Diff ids of every layer on the node, from Docker's own inspect. */
async function nodeLayers(node: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const img of await docker(node).listImages()) {
    const inspect = await docker(node).getImage(img.Id).inspect();
    for (const l of inspect.RootFS?.Layers ?? []) out.add(l);
  }
  return out;
}

interface RegistryLayer {
  digest: string;
  size: number;
  diffId: string;
}

/** The image's layers as the registry serves them: blob digest and size from the manifest, diff id from the config. */
async function registryLayers(repo: string, tag: string): Promise<{ digest: string; layers: RegistryLayer[] }> {
  const res = await fetch(`${info.registry.url}/v2/${repo}/manifests/${tag}`, { headers: { accept: MANIFEST_ACCEPT } });
  expect(res.status).toBe(200);
  const manifest = (await res.json()) as { config: { digest: string }; layers: { digest: string; size: number }[] };
  const config = (await (await fetch(`${info.registry.url}/v2/${repo}/blobs/${manifest.config.digest}`)).json()) as { rootfs: { diff_ids: string[] } };
  return {
    digest: res.headers.get('docker-content-digest')!,
    layers: manifest.layers.map((l, i) => ({ digest: l.digest, size: l.size, diffId: config.rootfs.diff_ids[i] })),
  };
}

function registryLogSize(): number {
  return readFileSync(path.join(info.dir, 'registry', 'registry.log'), 'utf8').length;
}

/** Paths the controller (hound, not the nodes' Docker) asked the registry for since `offset`. */
function controllerGets(offset: number): string[] {
  const log = readFileSync(path.join(info.dir, 'registry', 'registry.log'), 'utf8').slice(offset);
  return log
    .split('\n')
    .map((line) => /^(\S+) .*"GET (\S+) HTTP/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && m[1] === info.controllerIp)
    .map((m) => m[2]);
}

function writePlaybook(name: string, tasks: string): string {
  const file = path.join(work, name);
  writeFileSync(file, `- name: warm\n  hosts: nodes\n  gather_facts: false\n  tasks:\n${tasks}`);
  return file;
}

const nodeNames = () => info.nodes.map((n) => n.name);

beforeAll(async () => {
  info = await readTestLab();
  registry = `${info.registry.ip}:${info.registry.port}`;
  work = mkdtempSync(path.join(tmpdir(), 'hound-plan-it-'));
  for (const n of info.nodes) dockers.set(n.name, new Docker({ socketPath: n.dockerSocket }));
});

// Leave the shared lab's nodes as empty as the next test file expects to find them.
afterAll(async () => {
  if (info) await Promise.all(nodeNames().map(wipeNode));
});

describe('hound plan and apply on the lab', () => {
  const apps = ['hound/app0', 'hound/app1', 'hound/app2', 'hound/app3'];

  it('plans exactly the bytes each node lacks, applies them, then plans no changes', async () => {
    const [n1, n2, n3, n4] = nodeNames() as [string, string, string, string];
    await Promise.all(nodeNames().map(wipeNode));
    // Some images and some shared base layers already on some nodes.
    await pullOnNode(n2, `${registry}/hound/base:latest`);
    await pullOnNode(n3, `${registry}/hound/app0:latest`);
    await Promise.all([pullOnNode(n4, `${registry}/hound/runtime-b:latest`), pullOnNode(n4, `${registry}/hound/app3:latest`)]);

    const playbook = writePlaybook(
      'warm.yml',
      `    - name: apps\n      images:\n        names:\n${apps.map((a) => `          - "{{ lab_registry }}/${a}:latest"\n`).join('')}`,
    );
    const planFile = path.join(work, 'plan.json');
    const logOffset = registryLogSize();
    const planned = await hound('plan', playbook, '-i', info.inventory, '--json', '--out', planFile, '--detailed-exitcode');
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    const plan = JSON.parse(planned.stdout);
    // What docs/schemas/ promise: the --json output and the saved file.
    expect(schemaErrors('plan', plan)).toEqual([]);
    expect(schemaErrors('plan-file', JSON.parse(readFileSync(planFile, 'utf8')))).toEqual([]);
    // Four nodes share one platform: each tag is asked of the registry once, not once per node.
    const asked = controllerGets(logOffset);
    for (const app of apps)
      expect(
        asked.filter((p) => p === `/v2/${app}/manifests/latest`),
        app,
      ).toHaveLength(1);

    const remote = await Promise.all(apps.map((a) => registryLayers(a, 'latest')));
    const uniqueBlobs = new Map<string, number>();
    let direct = 0;
    for (const node of nodeNames()) {
      const have = await nodeLayers(node);
      const lacking = new Map<string, RegistryLayer>();
      for (const img of remote) for (const l of img.layers) if (!have.has(l.diffId)) lacking.set(l.diffId, l);
      const expected = [...lacking.values()].reduce((n, l) => n + l.size, 0);
      expect(plan.hosts[node].bytes, node).toBe(expected);
      expect(plan.hosts[node].layers_new, node).toBe(lacking.size);
      direct += expected;
      for (const l of lacking.values()) uniqueBlobs.set(l.digest, l.size);
      // Each action pins the registry's digest for its tag.
      plan.hosts[node].actions.forEach((a: { image: string; digest: string }, i: number) => {
        expect(a.image).toBe(`${registry}/${apps[i]}:latest`);
        expect(a.digest).toBe(remote[i].digest);
      });
    }
    expect(plan.registry_bytes_by_distribution.direct).toBe(direct);
    expect(plan.registry_bytes_by_distribution.relay).toBe([...uniqueBlobs.values()].reduce((a, b) => a + b, 0));
    // n1 starts empty: all four apps are pulls, the first brings base and runtime-a.
    expect(plan.hosts[n1].actions.map((a: { action: string }) => a.action)).toEqual(['pull', 'pull', 'pull', 'pull']);
    expect(plan.hosts[n1].actions[0].layers_new).toBe(3);
    expect(plan.hosts[n1].actions[2].layers_present).toBe(2);
    // n3 has app0 (and so base and runtime-a); n4 has app3.
    expect(plan.hosts[n3].actions[0]).toMatchObject({ action: 'none', bytes: 0 });
    expect(plan.hosts[n4].actions[3]).toMatchObject({ action: 'none', bytes: 0 });
    expect(plan.hosts[n2].actions[0]).toMatchObject({ action: 'pull', layers_present: 1, layers_new: 2 });

    const applied = await hound('apply', planFile, '--json');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const result = JSON.parse(applied.stdout);
    for (const node of [n1, n2, n3, n4]) {
      const host = result.hosts[node];
      expect(host.bytes_planned).toBe(plan.hosts[node].bytes);
      // Docker's own byte counts: within 1 % of the plan.
      expect(Math.abs(host.bytes_pulled - host.bytes_planned)).toBeLessThanOrEqual(host.bytes_planned * 0.01);
    }
    // The node ends as a pull by tag leaves it: the tag, and the registry's digest as repo digest.
    for (const node of nodeNames()) {
      for (const [i, app] of apps.entries()) {
        const inspect = await docker(node).getImage(`${registry}/${app}:latest`).inspect();
        expect(inspect.RepoTags).toContain(`${registry}/${app}:latest`);
        expect(inspect.RepoDigests).toContain(`${registry}/${app}@${remote[i].digest}`);
      }
    }

    const again = await hound('plan', playbook, '-i', info.inventory, '--json', '--detailed-exitcode');
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout);
    expect(second.changes).toBe(0);
    expect(second.registry_bytes).toBe(0);
    for (const node of nodeNames()) expect(second.hosts[node].bytes).toBe(0);

    const text = await hound('plan', playbook, '-i', info.inventory);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Plan: no changes.');
    expect(text.stdout).toMatch(new RegExp(`= ${registry.replace(/\./g, '\\.')}/hound/app0:latest`));
  });

  it('refuses to apply when a node changed since the plan, and pulls nothing', async () => {
    await Promise.all(nodeNames().map(wipeNode));
    const playbook = writePlaybook('drift-node.yml', `    - name: one\n      image: "{{ lab_registry }}/hound/app5:latest"\n`);
    const planFile = path.join(work, 'drift-node.json');
    const planned = await hound('plan', playbook, '-i', info.inventory, '--out', planFile);
    expect(planned.code).toBe(0);
    const [n1] = nodeNames() as [string];
    await pullOnNode(n1, `${registry}/hound/base:latest`);
    const applied = await hound('apply', planFile);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain('error PLAN_DRIFTED');
    expect(applied.stderr).toContain(`${n1}: the node's images changed since the plan`);
    expect(applied.stderr).toContain('hint: run `hound plan` again');
    expect(applied.stderr).not.toMatch(/\n\s+at /);
    for (const node of nodeNames()) {
      const tags = (await docker(node).listImages()).flatMap((i) => i.RepoTags ?? []);
      expect(tags).not.toContain(`${registry}/hound/app5:latest`);
    }
  });

  it('refuses to apply when the registry moved the tag since the plan', async () => {
    await Promise.all(nodeNames().map(wipeNode));
    const spec = (seed: string) => ({
      layers: [{ name: 'only', sizeBytes: 64 * 1024, seed }],
      images: [{ repository: 'hound/drifting', tag: 'latest', layers: ['only'] }],
    });
    const [v1] = await pushImageSet(info.registry.url, spec('drift-v1'));
    const playbook = writePlaybook('drift-tag.yml', `    - name: one\n      image: "{{ lab_registry }}/hound/drifting:latest"\n`);
    const planFile = path.join(work, 'drift-tag.json');
    expect((await hound('plan', playbook, '-i', info.inventory, '--out', planFile)).code).toBe(0);
    const [v2] = await pushImageSet(info.registry.url, spec('drift-v2'));
    expect(v2.digest).not.toBe(v1.digest);
    const applied = await hound('apply', planFile);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain('error PLAN_DRIFTED');
    expect(applied.stderr).toContain(`${registry}/hound/drifting:latest: the registry's digest for the tag changed from ${v1.digest} to ${v2.digest}`);
  });

  it("present leaves an older image under the tag alone; latest pulls the registry's new one", async () => {
    const [n1] = nodeNames() as [string];
    await Promise.all(nodeNames().map(wipeNode));
    const spec = (seed: string) => ({
      layers: [
        { name: 'shared', sizeBytes: 256 * 1024, seed: 'moving-shared' },
        { name: 'top', sizeBytes: 128 * 1024, seed },
      ],
      images: [{ repository: 'hound/moving', tag: 'latest', layers: ['shared', 'top'] }],
    });
    const [v1] = await pushImageSet(info.registry.url, spec('moving-v1'));
    await pullOnNode(n1, `${registry}/hound/moving:latest`);
    const [v2] = await pushImageSet(info.registry.url, spec('moving-v2'));
    const top = (await registryLayers('hound/moving', 'latest')).layers[1];

    const present = writePlaybook('present.yml', `    - name: one\n      image: "{{ lab_registry }}/hound/moving:latest"\n`);
    const p = JSON.parse((await hound('plan', present, '-i', info.inventory, '--limit', n1, '--json')).stdout);
    expect(p.hosts[n1].actions[0]).toMatchObject({ action: 'none', digest: v1.digest });

    const latest = writePlaybook(
      'latest.yml',
      `    - name: one\n      image:\n        name: "{{ lab_registry }}/hound/moving:latest"\n        state: latest\n`,
    );
    const l = JSON.parse((await hound('plan', latest, '-i', info.inventory, '--limit', n1, '--json')).stdout);
    expect(l.hosts[n1].actions[0]).toMatchObject({ action: 'pull', digest: v2.digest, layers_new: 1, layers_present: 1, bytes: top.size });
  });

  it('plans the hosts it can reach and says why the others failed', async () => {
    const [n1] = info.nodes as [LabInfo['nodes'][number]];
    const inventory = path.join(work, 'with-ghost.ini');
    writeFileSync(
      inventory,
      [
        '[nodes]',
        `${n1.name} ansible_host=${n1.ip} ansible_user=root ansible_ssh_private_key_file=${info.privateKey}`,
        // sshd listens on 22 only: this port refuses at once.
        `ghost ansible_host=${n1.ip} ansible_port=2999 ansible_user=root ansible_ssh_private_key_file=${info.privateKey}`,
        '[nodes:vars]',
        `ansible_ssh_common_args='-o UserKnownHostsFile=${info.knownHosts}'`,
        `lab_registry=${registry}`,
        '',
      ].join('\n'),
    );
    const playbook = writePlaybook(
      'ghost.yml',
      `    - name: one\n      image: "{{ lab_registry }}/hound/app9:latest"\n    - name: two\n      image: "{{ lab_registry }}/hound/no-such-image:latest"\n`,
    );
    const planned = await hound('plan', playbook, '-i', inventory, '--json');
    expect(planned.code).toBe(2);
    const plan = JSON.parse(planned.stdout);
    expect(plan.hosts.ghost.failed.code).toBe('SSH_UNREACHABLE');
    expect(plan.hosts[n1.name].failed.code).toMatch(/^REGISTRY_/);
    expect(plan.hosts[n1.name].failed.message).toContain('no-such-image');
    const onlyGood = writePlaybook('ghost-ok.yml', `    - name: one\n      image: "{{ lab_registry }}/hound/app9:latest"\n`);
    const second = await hound('plan', onlyGood, '-i', inventory, '--json');
    expect(second.code).toBe(3);
    expect(JSON.parse(second.stdout).hosts[n1.name].actions[0].action).toBe('pull');
  });

  it('never writes registry passwords into the plan, its file or the apply report', async () => {
    const [n1] = nodeNames() as [string];
    const secret = 'Sup3r-s3cret-planpass';
    const playbook = writePlaybook(
      'secret.yml',
      `    - name: login\n      registry_login:\n        registry: "{{ lab_registry }}"\n        username: ci\n        password: ${secret}\n` +
        `    - name: one\n      image: "{{ lab_registry }}/hound/base:latest"\n`,
    );
    const planFile = path.join(work, 'secret.json');
    const planned = await hound('plan', playbook, '-i', info.inventory, '--limit', n1, '--out', planFile);
    const json = await hound('plan', playbook, '-i', info.inventory, '--limit', n1, '--json');
    const applied = await hound('apply', planFile, '--json');
    expect(planned.code).toBe(0);
    expect(applied.code).toBe(0);
    for (const text of [planned.stdout, planned.stderr, json.stdout, json.stderr, applied.stdout, applied.stderr, readFileSync(planFile, 'utf8')])
      expect(text).not.toContain(secret);
  });

  it('removes what `images: exclusive` does not list, then has nothing left to do', async () => {
    const [n1] = nodeNames() as [string];
    await Promise.all(nodeNames().map(wipeNode));
    await pullOnNode(n1, `${registry}/hound/app6:latest`);
    await pullOnNode(n1, `${registry}/hound/app7:latest`);
    const playbook = writePlaybook(
      'exclusive.yml',
      `    - name: only app7\n      images:\n        names: ["{{ lab_registry }}/hound/app7:latest"]\n        exclusive: true\n`,
    );
    const planFile = path.join(work, 'exclusive.json');
    const planned = await hound('plan', playbook, '-i', info.inventory, '--limit', n1, '--json', '--out', planFile);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout);
    expect(plan.hosts[n1].actions.map((a: { action: string; image: string }) => [a.action, a.image])).toEqual([
      ['none', `${registry}/hound/app7:latest`],
      ['remove', `${registry}/hound/app6:latest`],
    ]);
    const applied = await hound('apply', planFile);
    expect(applied.code).toBe(0);
    const tags = (await docker(n1).listImages()).flatMap((i) => i.RepoTags ?? []);
    expect(tags).toEqual([`${registry}/hound/app7:latest`]);
    const again = await hound('plan', playbook, '-i', info.inventory, '--limit', n1, '--detailed-exitcode');
    expect(again.code).toBe(0);
  });

  it('fails hosts whose disk cannot hold the pulls, before anything moves', async () => {
    await Promise.all(nodeNames().map(wipeNode));
    const playbook = writePlaybook('disk.yml', `    - name: one\n      image: "{{ lab_registry }}/hound/app8:latest"\n`);
    const planned = await hound('plan', playbook, '-i', info.inventory, '--json', '--disk-margin', '1000TiB');
    expect(planned.code).toBe(2);
    const plan = JSON.parse(planned.stdout);
    for (const node of nodeNames()) {
      expect(plan.hosts[node].failed.code).toBe('DISK_SPACE_LOW');
      expect(plan.hosts[node].disk.ok).toBe(false);
    }
    expect(plan.changes).toBe(0);
    const ignored = await hound('plan', playbook, '-i', info.inventory, '--json', '--disk-margin', '1000TiB', '--ignore-disk-check');
    expect(ignored.code).toBe(0);
    expect(JSON.parse(ignored.stdout).changes).toBe(nodeNames().length);
    const bad = await hound('plan', playbook, '-i', info.inventory, '--disk-margin', 'plenty');
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('error INVALID_DISK_MARGIN');
  });
});
