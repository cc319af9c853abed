// The library playbooks compile against an inventory whose groups name their own
// compose files / manifests / image lists: each host's task gets exactly its images.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePlays } from '../../../playbook/compiler.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import type { TaskInstance } from '../../../playbook/compiled.js';
import { buildInventory } from '../playbook/inventory-builder.js';

const library = path.resolve(import.meta.dirname, '../../../playbooks');
const fixtures = path.resolve(import.meta.dirname, '../../fixtures/lookups');

function tasksOf(playbook: string, inventory: ReturnType<typeof buildInventory>, extraVars: Record<string, unknown> = {}) {
  const loaded = new PlaybookLoader({ rolesPath: [] }).load(path.join(library, playbook));
  const run = compilePlays(loaded.plays, { inventory, extraVars });
  return (host: string): TaskInstance[] => run.plays.flatMap((p) => p.tasksByHost.get(host) ?? []);
}

describe('library playbooks compile with per-group sources', () => {
  it('warmup-from-compose.yml: each group gets the images of its compose files', () => {
    const inv = buildInventory({
      web: { hosts: { web1: {} }, vars: { compose_files: [path.join(fixtures, 'compose-app')] } },
      gpu: { hosts: { gpu1: {} }, vars: { compose_files: [path.join(fixtures, 'compose-app/docker-compose.override.yml')] } },
      idle: { hosts: { idle1: {} } },
    });
    const tasks = tasksOf('warmup-from-compose.yml', inv);
    expect(tasks('web1')[0].args.names).toContain('docker.io/library/postgres:15-alpine');
    expect(tasks('gpu1')[0].args.names).toEqual(['docker.io/library/redis:7.2-alpine', 'ghcr.io/acme/sidecar:v2']);
    // no compose_files: the role default [] makes `when` false: reported skipped, nothing runs
    expect(tasks('idle1').map((t) => t.skipped)).toEqual(['conditional result was false: compose_files | length > 0']);
  });

  it('warmup-from-k8s.yml: manifests per group, folders read recursively', () => {
    const inv = buildInventory({
      batch: { hosts: { b1: {} }, vars: { k8s_manifests: [path.join(fixtures, 'k8s/nested')] } },
    });
    const names = tasksOf('warmup-from-k8s.yml', inv)('b1')[0].args.names;
    expect(names).toEqual([
      'nvcr.io/nvidia/pytorch:24.05-py3',
      'docker.io/library/busybox@sha256:ba76950ac9eaa407512c9d859cea48114eeff8a6f12ebaa5d32ce79d4a017dd8',
      'docker.io/library/nginx:1.27',
      'docker.io/library/busybox:1.36',
    ]);
  });

  it('warmup.yml and rotate.yml take each host its own images', () => {
    const inv = buildInventory({ nodes: { hosts: { n1: { images: ['a:1'] }, n2: { images: ['b:2', 'c:3'] } } } });
    expect(tasksOf('warmup.yml', inv)('n2')[0].args).toMatchObject({ names: ['b:2', 'c:3'], concurrency: 3, exclusive: false });
    expect(tasksOf('rotate.yml', inv)('n1')[0].args).toMatchObject({ names: ['a:1'], exclusive: true, keep_recent: 1 });
  });

  it('registry-login.yml logs in without printing, then warms up', () => {
    const inv = buildInventory({ nodes: { hosts: { n1: { images: ['r.example:5000/a:1'] } } } });
    const tasks = tasksOf('registry-login.yml', inv, { registry_host: 'r.example:5000', registry_username: 'ci', registry_password_env: 'REG_PW' })('n1');
    expect(tasks.map((t) => t.module)).toEqual(['registry_login', 'images']);
    // The module masks the password itself; no_log would mask the registry host, hence every image name.
    expect(tasks[0].noLog).toBe(false);
    expect(tasks[0].args).toMatchObject({ registry: 'r.example:5000', username: 'ci', password_env: 'REG_PW' });
  });

  it('airgap-load.yml loads one tarball per item', () => {
    const inv = buildInventory({ nodes: { hosts: { n1: {} } } }, { airgap_tarballs: [{ src: '/srv/a.tar', images: ['a:1'] }, { src: '/srv/b.tar' }] });
    const tasks = tasksOf('airgap-load.yml', inv)('n1');
    expect(tasks.map((t) => t.args)).toEqual([
      { src: '/srv/a.tar', images: ['a:1'] },
      { src: '/srv/b.tar', images: [] },
    ]);
  });

  it('rolling-warmup.yml batches the hosts and checks each one', () => {
    const hosts = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`n${i + 1}`, { images: ['a:1'] }]));
    const loaded = new PlaybookLoader({ rolesPath: [] }).load(path.join(library, 'rolling-warmup.yml'));
    const run = compilePlays(loaded.plays, { inventory: buildInventory({ nodes: { hosts } }), extraVars: {} });
    expect(run.plays[0].batches.map((b) => b.length)).toEqual([1, 5, 4]);
    expect(run.plays[0].tasksByHost.get('n1')!.map((t) => t.module)).toEqual(['images', 'command']);
  });
});
