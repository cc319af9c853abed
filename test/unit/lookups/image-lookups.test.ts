import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { imagesFromCompose, imagesFromK8s } from '../../../playbook/lookups/image-lookups.js';
import { interpolateCompose, composeImagesFromText } from '../../../playbook/lookups/compose-images.js';
import { k8sImagesFromText } from '../../../playbook/lookups/k8s-images.js';
import { HoundError } from '../../../base/errors.js';

const fixtures = join(import.meta.dirname, '../../fixtures/lookups');

describe('images_from_compose', () => {
  it('reads services, anchors, merge keys, defaults, digests; dedupes and normalises', () => {
    const images = imagesFromCompose('compose-app/docker-compose.yml', { baseDir: fixtures, env: {} });
    expect(images).toEqual([
      'docker.io/dockersamples/examplevotingapp_result:latest',
      'docker.io/library/redis:7-alpine',
      'docker.io/library/postgres:15-alpine',
      'registry.example.com:5000/vote/worker:1.4',
      'nvcr.io/nvidia/pytorch@sha256:0f9a6e4d13a5c9b1b8b1e2cde3e8a76e5b7f0a0c6a3f1d2b3c4d5e6f7a8b9c0d',
    ]);
  });

  it('takes variables from the environment, and later files override a service', () => {
    const images = imagesFromCompose(['compose-app/docker-compose.yml', 'compose-app/docker-compose.override.yml'], {
      baseDir: fixtures,
      env: { REGISTRY: 'r.local', WORKER_TAG: '2.0' },
    });
    expect(images).toContain('r.local/vote/worker:2.0');
    expect(images).toContain('docker.io/library/redis:7.2-alpine');
    // `cache` still names redis:7-alpine, so that image stays.
    expect(images).toContain('docker.io/library/redis:7-alpine');
    expect(images).toContain('ghcr.io/acme/sidecar:v2');
  });

  it('finds the compose file in a folder', () => {
    expect(imagesFromCompose('compose-app', { baseDir: fixtures, env: {} })).toHaveLength(5);
  });

  it('interpolates as compose does', () => {
    expect(interpolateCompose('a${X:-d}b', {}, 'f')).toBe('adb');
    expect(interpolateCompose('a${X:-d}b', { X: '' }, 'f')).toBe('adb');
    expect(interpolateCompose('a${X-d}b', { X: '' }, 'f')).toBe('ab');
    expect(interpolateCompose('$$X $X', { X: 'v' }, 'f')).toBe('$X v');
    expect(() => interpolateCompose('${X:?need X}', {}, 'f')).toThrow(/required variable X/);
  });

  it('reports a YAML error with its position', () => {
    try {
      composeImagesFromText('services:\n  a:\n    image: [unclosed\n', 'c.yml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HoundError);
      expect((e as HoundError).position?.file).toBe('c.yml');
      expect((e as HoundError).exitCode).toBe(4);
    }
  });

  it('says which path is missing', () => {
    expect(() => imagesFromCompose('nope.yml', { baseDir: fixtures })).toThrow(/no such file or folder: .*nope\.yml/);
  });
});

describe('images_from_k8s', () => {
  it('reads every workload kind, init and ephemeral containers, multi-document files, anchors and Lists, recursively', () => {
    const images = imagesFromK8s('k8s', { baseDir: fixtures });
    expect(images).toEqual([
      // k8s/list.json
      'docker.io/library/nginx:1.27',
      // k8s/nested/batch.yml
      'nvcr.io/nvidia/pytorch:24.05-py3',
      'docker.io/library/busybox@sha256:ba76950ac9eaa407512c9d859cea48114eeff8a6f12ebaa5d32ce79d4a017dd8',
      'docker.io/library/busybox:1.36',
      // k8s/workloads.yaml
      'registry.example.com:5000/shop/migrate:1.2',
      'registry.example.com:5000/shop/api:1.4',
      'docker.io/envoyproxy/envoy:v1.29.1',
      'docker.io/library/postgres:latest',
      'quay.io/prometheus/node-exporter:v1.8.0',
    ]);
  });

  it('keeps the kind and container of each image', () => {
    const found = k8sImagesFromText(
      'kind: Pod\nmetadata: {name: p}\nspec:\n  initContainers: [{name: i, image: a}]\n  containers: [{name: c, image: b}]\n',
      'p.yml',
    );
    expect(found.map((f) => [f.kind, f.container, f.image])).toEqual([
      ['Pod', 'i', 'a'],
      ['Pod', 'c', 'b'],
    ]);
  });

  it('refuses an alias bomb without exhausting memory', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      );
    expect(() => k8sImagesFromText(bomb.join('\n'), 'bomb.yml')).toThrow();
  });
});
