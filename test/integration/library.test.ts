// The library playbooks (playbooks/*.yml) run through the built CLI on the lab, each with a
// vars inventory written by the test next to the lab's own. Node state is read through each
// node's host-side Docker socket, never through hound; every playbook is run twice and the
// second run must change nothing.
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImageSet, type LabInfo, type LabNodeInfo } from '../../lab/index.js';
import type { HoundEvent, TaskResultEvent, TaskStartEvent } from '../../core/events.js';
import { emptyNode, hound, jsonEvents, nodeDocker, nodeTags, summaryOf, type CliResult } from '../fixtures/play/helpers.js';
import { playbook, registryPrefix, scratchDir, startBasicAuthGate, writeVarsInventory, type VarsGroups } from '../fixtures/library/helpers.js';
import { readTestLab } from '../fixtures/test-lab.js';

let lab: LabInfo;
let dir: string;
let reg: string;
const node = (name: string): LabNodeInfo => lab.nodes.find((n) => n.name === name)!;
const NODES = ['node1', 'node2', 'node3', 'node4'];

beforeAll(async () => {
  lab = await readTestLab();
  dir = scratchDir();
  reg = registryPrefix(lab);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function play(book: string, groups: VarsGroups, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const vars = writeVarsInventory(dir, groups);
  // Direct unless the test chooses: these runs test the modules, not the distribution.
  const distribution = extra.includes('--distribution') ? [] : ['--distribution', 'direct'];
  return hound(['play', ...distribution, playbook(book), '-i', lab.inventory, '-i', vars, '--json', ...extra], dir, env);
}

/** Runs the playbook twice: the first must succeed, the second must succeed and change nothing. */
async function playTwice(book: string, groups: VarsGroups, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<[HoundEvent[], HoundEvent[]]> {
  const first = await play(book, groups, extra, env);
  expect(first.code, first.stderr + first.stdout.slice(-2000)).toBe(0);
  const events = jsonEvents(first.stdout);
  const second = await play(book, groups, extra, env);
  expect(second.code, second.stderr).toBe(0);
  const secondEvents = jsonEvents(second.stdout);
  for (const [host, recap] of Object.entries(summaryOf(secondEvents).hosts))
    expect(recap, `${host} on the second run`).toMatchObject({ changed: 0, failed: 0, bytes: 0 });
  return [events, secondEvents];
}

async function tagsOf(names: string[]): Promise<Record<string, string[]>> {
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await nodeTags(node(n), lab)] as const)));
}

const hosts = (...names: string[]): Record<string, Record<string, unknown>> => Object.fromEntries(names.map((n) => [n, {}]));

describe('library playbooks on the lab', () => {
  it('warmup.yml: per-group images, a host override, and an empty list', async () => {
    await Promise.all(lab.nodes.map(emptyNode));
    const groups: VarsGroups = {
      web: { hosts: { node1: { images: [`${reg}hound/app4:latest`] }, node2: {} }, vars: { images: [`${reg}hound/app0:latest`, `${reg}hound/app1:latest`] } },
      batch: { hosts: { node3: {}, node4: { images: [] } }, vars: { images: [`${reg}hound/app2:latest`] } },
    };
    const [events] = await playTwice('warmup.yml', groups);
    expect(await tagsOf(NODES)).toEqual({
      node1: ['hound/app4:latest'],
      node2: ['hound/app0:latest', 'hound/app1:latest'],
      node3: ['hound/app2:latest'],
      node4: [],
    });
    expect(summaryOf(events).hosts).toMatchObject({ node1: { changed: 1 }, node2: { changed: 1 }, node3: { changed: 1 }, node4: { changed: 0 } });
  });

  it('warmup-from-compose.yml: each group gets the images of its compose files', async () => {
    await Promise.all(lab.nodes.map(emptyNode));
    const stacks = path.join(dir, 'stacks');
    mkdirSync(path.join(stacks, 'shop'), { recursive: true });
    writeFileSync(
      path.join(stacks, 'shop', 'docker-compose.yml'),
      [
        'services:',
        '  api:',
        `    image: ${reg}hound/app5:\${APP5_TAG:-latest}`,
        '  worker:',
        `    image: ${reg}hound/app6`,
        '  db:',
        `    image: ${reg}hound/app5:latest`,
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(stacks, 'jobs.yml'), ['services:', '  job:', `    image: ${reg}hound/app7:latest`, '  built:', '    build: ./job', ''].join('\n'));
    const groups: VarsGroups = {
      web: { hosts: hosts('node1', 'node2'), vars: { compose_files: [path.join(stacks, 'shop')] } },
      batch: { hosts: hosts('node3'), vars: { compose_files: [path.join(stacks, 'jobs.yml')] } },
    };
    const [events] = await playTwice('warmup-from-compose.yml', groups);
    expect(await tagsOf(NODES)).toEqual({
      node1: ['hound/app5:latest', 'hound/app6:latest'],
      node2: ['hound/app5:latest', 'hound/app6:latest'],
      node3: ['hound/app7:latest'],
      node4: [],
    });
    // node4 names no compose file: its `when` is false, so the task is skipped there (as Ansible reports it).
    expect(summaryOf(events).hosts.node4).toMatchObject({ ok: 0, changed: 0, failed: 0, skipped: 1 });
    expect(events.filter((e) => e.event === 'task_result' && e.host === 'node4').map((e) => (e as { status: string }).status)).toEqual(['skipped']);
    expect(events.some((e) => e.event === 'pull_progress' && e.host === 'node4')).toBe(false);
  });

  it('warmup-from-k8s.yml: containers, initContainers and CronJobs of multi-document manifests', async () => {
    await Promise.all(lab.nodes.map(emptyNode));
    const manifests = path.join(dir, 'k8s');
    mkdirSync(path.join(manifests, 'batch'), { recursive: true });
    writeFileSync(
      path.join(manifests, 'web.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: shop}',
        'spec:',
        '  template:',
        '    spec:',
        '      initContainers:',
        `        - {name: migrate, image: "${reg}hound/app8:latest"}`,
        '      containers:',
        `        - {name: api, image: "${reg}hound/app9:latest"}`,
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: shop}',
        'spec: {ports: [{port: 80}]}',
        '---',
        'apiVersion: batch/v1',
        'kind: CronJob',
        'metadata: {name: report}',
        'spec:',
        '  schedule: "0 * * * *"',
        '  jobTemplate:',
        '    spec:',
        '      template:',
        '        spec:',
        '          containers:',
        `            - {name: report, image: "${reg}hound/runtime-b:latest"}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(manifests, 'batch', 'cron.yaml'),
      [
        'apiVersion: batch/v1',
        'kind: CronJob',
        'metadata: {name: sweep}',
        'spec:',
        '  schedule: "@daily"',
        '  jobTemplate:',
        '    spec:',
        '      template:',
        '        spec:',
        '          containers:',
        `            - {name: sweep, image: "${reg}hound/app3:latest"}`,
        '',
      ].join('\n'),
    );
    const groups: VarsGroups = {
      web: { hosts: hosts('node1'), vars: { k8s_manifests: [path.join(manifests, 'web.yaml')] } },
      batch: { hosts: hosts('node2', 'node3'), vars: { k8s_manifests: [path.join(manifests, 'batch')] } },
    };
    await playTwice('warmup-from-k8s.yml', groups);
    expect(await tagsOf(NODES)).toEqual({
      node1: ['hound/app8:latest', 'hound/app9:latest', 'hound/runtime-b:latest'],
      node2: ['hound/app3:latest'],
      node3: ['hound/app3:latest'],
      node4: [],
    });
  });

  it('rotate.yml: exactly the declared set, the rotate_keep most recent other tags, and images in use remain; plan agrees', async () => {
    // Four tags of one repository, created a day apart (v3 pushed last but older than v4).
    const day = (d: number): string => new Date(Date.UTC(2026, 0, d)).toISOString();
    await pushImageSet(lab.registry.url, {
      layers: [
        { name: 'svc-base', sizeBytes: 64 << 10, seed: 'svc-base' },
        ...[1, 2, 3, 4].map((v) => ({ name: `svc-v${v}`, sizeBytes: 16 << 10, seed: `svc-v${v}` })),
      ],
      images: [1, 2, 4, 3].map((v) => ({ repository: 'lib/svc', tag: `v${v}`, layers: ['svc-base', `svc-v${v}`], created: day(v) })),
    });
    const n1 = node('node1');
    const docker = nodeDocker(n1);
    await emptyNode(n1);
    const pull = async (ref: string): Promise<void> => {
      const stream = await docker.pull(ref);
      await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))));
    };
    for (const ref of ['lib/svc:v1', 'lib/svc:v2', 'lib/svc:v3', 'lib/svc:v4', 'hound/app0:latest', 'hound/app1:latest']) await pull(reg + ref);
    // A container made (not started: the sample images hold no binaries) marks app1 as used.
    await docker.createContainer({ Image: `${reg}hound/app1:latest`, Cmd: ['/nothing'] });

    const groups: VarsGroups = { web: { hosts: { node1: { images: [`${reg}lib/svc:v4`, `${reg}hound/base:latest`] } } } };
    const vars = writeVarsInventory(dir, groups);
    const planned = await hound(['plan', playbook('rotate.yml'), '-i', lab.inventory, '-i', vars, '-l', 'node1', '--json'], dir);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as { hosts: Record<string, { actions: { action: string; image: string }[] }> };
    const changes = plan.hosts.node1.actions.filter((a) => a.action !== 'none').map((a) => `${a.action} ${a.image.replace(reg, '')}`);
    expect(changes.sort()).toEqual(['pull hound/base:latest', 'remove hound/app0:latest', 'remove lib/svc:v1', 'remove lib/svc:v2'].sort());

    await playTwice('rotate.yml', groups, ['-l', 'node1']);
    expect(await nodeTags(n1, lab)).toEqual(['hound/app1:latest', 'hound/base:latest', 'lib/svc:v3', 'lib/svc:v4']);

    // rotate_keep: 0 lets the older tag go too; the image in use still stays.
    await playTwice('rotate.yml', groups, ['-l', 'node1', '-e', '{"rotate_keep": 0}']);
    expect(await nodeTags(n1, lab)).toEqual(['hound/app1:latest', 'hound/base:latest', 'lib/svc:v4']);
  });

  it('registry-login.yml: pulls through a registry demanding Basic auth; the password never shows, a wrong one fails clearly', async () => {
    const password = 'lib-s3cret-Pa55word';
    const gate = await startBasicAuthGate(lab, 'warmer', password);
    try {
      await Promise.all(['node1', 'node2'].map((n) => emptyNode(node(n))));
      const groups: VarsGroups = { web: { hosts: hosts('node1', 'node2'), vars: { images: [`${gate.host}/hound/app2:latest`] } } };
      const login = ['-e', `registry_host=${gate.host}`, '-e', 'registry_username=warmer', '-e', 'registry_password_env=LIB_REG_PASSWORD'];
      const opts = [...login, '-l', 'web', '-vvv'];
      const env = { LIB_REG_PASSWORD: password };

      const first = await play('registry-login.yml', groups, opts, env);
      expect(first.code, first.stderr + first.stdout.slice(-2000)).toBe(0);
      const second = await play('registry-login.yml', groups, opts, env);
      expect(second.code, second.stderr).toBe(0);
      expect(summaryOf(jsonEvents(second.stdout)).hosts.node1).toMatchObject({ changed: 0, failed: 0 });
      for (const out of [first.stdout, first.stderr, second.stdout, second.stderr]) {
        expect(out).not.toContain(password);
        expect(out).not.toContain(Buffer.from(`warmer:${password}`).toString('base64'));
      }
      expect(gate.refused).toBeGreaterThan(0);
      expect(gate.passed).toBeGreaterThan(0);
      for (const n of ['node1', 'node2']) expect(await nodeTags(node(n), lab), n).toEqual([`${gate.host}/hound/app2:latest`]);

      // Through the relay: hound fetches the layers from the gate with the same credentials.
      await emptyNode(node('node2'));
      const relayed = await play(
        'registry-login.yml',
        { web: { hosts: hosts('node2'), vars: groups.web.vars } },
        [...login, '-l', 'node2', '--distribution', 'relay', '-vvv'],
        env,
      );
      expect(relayed.code, relayed.stderr + relayed.stdout.slice(-2000)).toBe(0);
      expect(relayed.stdout + relayed.stderr).not.toContain(password);
      expect(jsonEvents(relayed.stdout).some((e) => e.event === 'detail' && e.msg.startsWith('distribution relay: serving'))).toBe(true);
      expect(await nodeTags(node('node2'), lab)).toEqual([`${gate.host}/hound/app2:latest`]);

      await emptyNode(node('node1'));
      const wrong = await play('registry-login.yml', { web: { hosts: hosts('node1'), vars: groups.web.vars } }, [...login, '-l', 'node1', '-vvv'], {
        LIB_REG_PASSWORD: 'not-the-password',
      });
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr + wrong.stdout).not.toContain('not-the-password');
      const failed = jsonEvents(wrong.stdout).filter((e): e is TaskResultEvent => e.event === 'task_result' && e.status === 'failed');
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.map((e) => e.msg).join('\n')).toMatch(new RegExp(`could not pull ${gate.host.replace(/\./g, '\\.')}/hound/app2:latest: .*unauthorized`));
      expect(wrong.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
      expect(await nodeTags(node('node1'), lab)).toEqual([]);
    } finally {
      await gate.close();
    }
  });

  it('airgap-load.yml: loads a docker-save tarball onto each node, and skips it once the images are there', async () => {
    const ref = `${reg}hound/app3:latest`;
    const source = nodeDocker(node('node4'));
    await emptyNode(node('node4'));
    const stream = await source.pull(ref);
    await new Promise((resolve, reject) => source.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))));
    const tarball = path.join(dir, 'app3.tar');
    await pipeline(await source.getImage(ref).get(), createWriteStream(tarball));
    await Promise.all(['node3', 'node4'].map((n) => emptyNode(node(n))));

    const groups: VarsGroups = { batch: { hosts: hosts('node3', 'node4'), vars: { airgap_tarballs: [{ src: tarball, images: [ref] }] } } };
    const [events, again] = await playTwice('airgap-load.yml', groups, ['-l', 'batch']);
    expect(summaryOf(events).hosts).toMatchObject({ node3: { changed: 1, failed: 0 }, node4: { changed: 1, failed: 0 } });
    const loads = (evs: HoundEvent[]): TaskResultEvent[] => evs.filter((e): e is TaskResultEvent => e.event === 'task_result' && e.module === 'load');
    // The first run streamed the tarball to each node; the second saw the images and sent nothing.
    expect(loads(events).map((e) => [e.host, e.status, e.bytes > 0])).toEqual(
      expect.arrayContaining([
        ['node3', 'changed', true],
        ['node4', 'changed', true],
      ]),
    );
    expect(loads(again).map((e) => [e.status, e.bytes])).toEqual([
      ['ok', 0],
      ['ok', 0],
    ]);
    expect(await tagsOf(['node3', 'node4'])).toEqual({ node3: ['hound/app3:latest'], node4: ['hound/app3:latest'] });
  });

  it('rolling-warmup.yml: batches of 1 then 2 in order; a failing health check stops the rollout after the first batch', async () => {
    await Promise.all(lab.nodes.map(emptyNode));
    const groups: VarsGroups = { web: { hosts: hosts(...NODES), vars: { images: [`${reg}hound/app1:latest`] } } };
    const batches = ['-e', '{"rolling_batches": [1, 2]}'];
    const [events] = await playTwice('rolling-warmup.yml', groups, batches);
    for (const n of NODES) expect(await nodeTags(node(n), lab), n).toEqual(['hound/app1:latest']);
    // Batch k's hosts all start after every host of batch k-1 is done: node1, then two, then the rest.
    const firstStart = (h: string): number => events.findIndex((e) => e.event === 'task_start' && e.host === h);
    const lastResult = (h: string): number => events.map((e) => e.event === 'task_result' && e.host === h).lastIndexOf(true);
    const order = NODES.map((h) => [h, firstStart(h)] as const)
      .sort((a, b) => a[1] - b[1])
      .map(([h]) => h);
    const [b1, b2, b3] = [order.slice(0, 1), order.slice(1, 3), order.slice(3)];
    for (const h of b2) expect(firstStart(h)).toBeGreaterThan(lastResult(b1[0]));
    for (const h of b3) expect(firstStart(h)).toBeGreaterThan(Math.max(...b2.map(lastResult)));
    const health = events.filter((e): e is TaskResultEvent => e.event === 'task_result' && e.task === 'Health check');
    expect(health.map((e) => e.status)).toEqual(['ok', 'ok', 'ok', 'ok']);

    await Promise.all(lab.nodes.map(emptyNode));
    const failing = await play('rolling-warmup.yml', groups, [...batches, '-e', 'rolling_health_cmd=false']);
    expect(failing.code).not.toBe(0);
    const failEvents = jsonEvents(failing.stdout);
    const started = new Set(failEvents.filter((e): e is TaskStartEvent => e.event === 'task_start').map((e) => e.host));
    expect(started.size).toBe(1);
    const [first] = [...started];
    expect(failEvents.some((e) => e.event === 'task_result' && e.host === first && e.task === 'Health check' && e.status === 'failed')).toBe(true);
    for (const n of NODES.filter((h) => h !== first)) expect(await nodeTags(node(n), lab), `${n} untouched`).toEqual([]);
  });
});
