import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { composeLookupOptions, imagesFromCompose, imagesFromK8s } from '../../../playbook/lookups/image-lookups.js';
import { k8sImagesFromText } from '../../../playbook/lookups/k8s-images.js';
import { HoundError } from '../../../base/errors.js';
import { renderValue } from '../../../playbook/templating.js';

const fixtures = join(import.meta.dirname, '../../fixtures/lookups');
const scratch = mkdtempSync(join(tmpdir(), 'hound-lookups-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder of files under the scratch folder; returns its path. */
function project(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

function errorOf(fn: () => unknown): HoundError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HoundError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

const quiet = { warn: () => {} };

describe('images_from_compose', () => {
  it('reads services, anchors, merge keys, defaults, digests; dedupes and normalises', () => {
    const images = imagesFromCompose('compose-app/docker-compose.yml', { baseDir: fixtures, env: {}, ...quiet });
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
      ...quiet,
    });
    expect(images).toContain('r.local/vote/worker:2.0');
    expect(images).toContain('docker.io/library/redis:7.2-alpine');
    // `cache` still names redis:7-alpine, so that image stays.
    expect(images).toContain('docker.io/library/redis:7-alpine');
    expect(images).toContain('ghcr.io/acme/sidecar:v2');
  });

  it('reads a folder as docker compose run in it does: its compose file and the override beside it', () => {
    const images = imagesFromCompose('compose-app', { baseDir: fixtures, env: {}, ...quiet });
    // The override gives redis 7.2 and adds extra; cache still names redis:7-alpine.
    expect(images).toHaveLength(7);
    expect(images).toContain('ghcr.io/acme/sidecar:v2');
    expect(images).toContain('docker.io/library/redis:7.2-alpine');
  });

  it("reads the project's .env; hound's environment wins over it", () => {
    const dir = project('dotenv', {
      'compose.yaml': 'services:\n  app:\n    image: ${REGISTRY}/app:${TAG:?set TAG}\n',
      '.env': 'REGISTRY=registry.local:5000\nTAG=1.0\n',
    });
    expect(imagesFromCompose(dir, { baseDir: '/', env: {}, ...quiet })).toEqual(['registry.local:5000/app:1.0']);
    expect(imagesFromCompose(join(dir, 'compose.yaml'), { baseDir: '/', env: { TAG: '2.0' }, ...quiet })).toEqual(['registry.local:5000/app:2.0']);
  });

  it('takes env files instead of .env (--env-file), relative to the playbook folder', () => {
    const dir = project('env-file', {
      'compose.yaml': 'services:\n  app:\n    image: app:${TAG}\n',
      '.env': 'TAG=from-dotenv\n',
      'prod.env': 'TAG=from-prod\n',
    });
    expect(imagesFromCompose('compose.yaml', { baseDir: dir, env: {}, ...quiet }, { envFiles: ['prod.env'] })).toEqual(['docker.io/library/app:from-prod']);
    expect(errorOf(() => imagesFromCompose('compose.yaml', { baseDir: dir, env: {}, ...quiet }, { envFiles: ['nope.env'] })).code).toBe(
      'COMPOSE_ENV_FILE_NOT_FOUND',
    );
  });

  it('uses COMPOSE_FILE of the folder .env to choose the files', () => {
    const dir = project('compose-file', {
      'base.yml': 'services:\n  a:\n    image: a:1\n',
      'extra.yml': 'services:\n  a:\n    image: a:2\n  b:\n    image: b:1\n',
      '.env': 'COMPOSE_FILE=base.yml:extra.yml\n',
    });
    expect(imagesFromCompose(dir, { baseDir: '/', env: {}, ...quiet })).toEqual(['docker.io/library/a:2', 'docker.io/library/b:1']);
  });

  it('enables every service by default, or the services of the profiles asked for', () => {
    const dir = project('profiles', {
      'compose.yaml': ['services:', '  web: {image: web:1}', '  debug: {image: debug:1, profiles: [debug]}', '  gpu: {image: gpu:1, profiles: [gpu, ml]}'].join(
        '\n',
      ),
    });
    const ctx = { baseDir: dir, env: {}, ...quiet };
    expect(imagesFromCompose('.', ctx)).toHaveLength(3);
    expect(imagesFromCompose('.', ctx, { profiles: ['ml'] })).toEqual(['docker.io/library/web:1', 'docker.io/library/gpu:1']);
    expect(imagesFromCompose('.', ctx, { profiles: ['none'] })).toEqual(['docker.io/library/web:1']);
    expect(imagesFromCompose('.', ctx, { profiles: ['*'] })).toHaveLength(3);
  });

  it('follows extends in the same file (both forms) and in other files, to any depth', () => {
    const dir = project('extends', {
      'compose.yaml': [
        'services:',
        '  base: {image: "${REGISTRY:-r.local}/base:1"}',
        '  short: {extends: base}',
        '  long: {extends: {service: base}, image: own:2}',
        '  remote: {extends: {file: common/common.yml, service: worker}}',
      ].join('\n'),
      'common/common.yml': 'services:\n  worker:\n    extends: {file: deeper.yml, service: deepest}\n',
      'common/deeper.yml': 'deepest:\n  image: deep:3\n',
    });
    expect(imagesFromCompose('.', { baseDir: dir, env: {}, ...quiet })).toEqual(['r.local/base:1', 'docker.io/library/own:2', 'docker.io/library/deep:3']);
  });

  it('refuses an extends cycle and a missing base, naming the file and line', () => {
    const cycle = project('extends-cycle', { 'compose.yaml': 'services:\n  a: {extends: b}\n  b: {extends: a}\n' });
    expect(errorOf(() => imagesFromCompose(cycle, { baseDir: '/', env: {}, ...quiet })).code).toBe('COMPOSE_EXTENDS_CYCLE');
    const missing = project('extends-missing', { 'compose.yaml': 'services:\n  a:\n    extends: {service: nope}\n' });
    const err = errorOf(() => imagesFromCompose(missing, { baseDir: '/', env: {}, ...quiet }));
    expect(err.code).toBe('COMPOSE_EXTENDS');
    expect(err.message).toMatch(/service "a" extends "nope"/);
    expect(err.position).toMatchObject({ file: join(missing, 'compose.yaml'), line: 3 });
  });

  it('includes other projects, each with its own folder and .env, and refuses a cycle', () => {
    const dir = project('include', {
      'compose.yaml': 'include:\n  - db/compose.yaml\n  - path: cache/compose.yaml\n    env_file: cache.env\nservices:\n  app: {image: "app:${TAG:-1}"}\n',
      'db/compose.yaml': 'services:\n  db: {image: "postgres:${PG}"}\n',
      'db/.env': 'PG=16\n',
      'cache/compose.yaml': 'services:\n  cache: {image: "valkey/valkey:${VALKEY}"}\n',
      'cache.env': 'VALKEY=8\n',
    });
    expect(imagesFromCompose('.', { baseDir: dir, env: {}, ...quiet })).toEqual([
      'docker.io/library/postgres:16',
      'docker.io/valkey/valkey:8',
      'docker.io/library/app:1',
    ]);
    const cycle = project('include-cycle', { 'compose.yaml': 'include: [other.yaml]\nservices: {}\n', 'other.yaml': 'include: [compose.yaml]\n' });
    expect(errorOf(() => imagesFromCompose(cycle, { baseDir: '/', env: {}, ...quiet })).code).toBe('COMPOSE_INCLUDE_CYCLE');
  });

  it('reads the old format without services:', () => {
    const dir = project('v1', { 'docker-compose.yml': 'web:\n  image: nginx:1.27\n  links: [db]\ndb:\n  image: postgres\n' });
    expect(imagesFromCompose(dir, { baseDir: '/', env: {}, ...quiet })).toEqual(['docker.io/library/nginx:1.27', 'docker.io/library/postgres:latest']);
  });

  it('reads a file merging one anchor into hundreds of services (no alias limit), and refuses an alias bomb', () => {
    const services = Array.from({ length: 400 }, (_, i) => `  s${i}:\n    <<: *defaults\n    image: app${i % 7}:1`).join('\n');
    const big = project('merge-keys', {
      'compose.yaml': `x-log: &log {driver: json-file}\nx-defaults: &defaults\n  <<: *log\n  restart: always\n  logging: *log\nservices:\n${services}\n`,
    });
    expect(imagesFromCompose(big, { baseDir: '/', env: {}, ...quiet })).toHaveLength(7);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(4)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(',')}]`,
      );
    const bombDir = project('bomb', { 'compose.yaml': `${bomb.join('\n')}\nservices: {}\n` });
    expect(errorOf(() => imagesFromCompose(bombDir, { baseDir: '/', env: {}, ...quiet })).code).toBe('COMPOSE_YAML_ALIAS_EXPANSION');
  });

  it('fails on a required variable, naming file:line, service and variable', () => {
    const dir = project('required', { 'compose.yaml': 'services:\n  app:\n    build: .\n    image: app:${TAG:?the release to deploy}\n' });
    const err = errorOf(() => imagesFromCompose(dir, { baseDir: '/', env: {}, ...quiet }));
    expect(err.code).toBe('COMPOSE_REQUIRED_VARIABLE');
    expect(err.exitCode).toBe(4);
    expect(err.message).toBe('service "app": required variable TAG is missing a value: the release to deploy');
    expect(err.position).toMatchObject({ file: join(dir, 'compose.yaml'), line: 4, column: 12 });
  });

  it('fails when an unset variable leaves no image reference, naming it; warns when the reference is still one', () => {
    const dir = project('unset', { 'compose.yaml': 'services:\n  app:\n    image: ${REGISTRY}/app:${TAG}\n  tool:\n    image: tool${SUFFIX}\n' });
    const err = errorOf(() => imagesFromCompose(dir, { baseDir: '/', env: { TAG: '1' }, ...quiet }));
    expect(err.code).toBe('COMPOSE_IMAGE');
    expect(err.message).toMatch(/^service "app": invalid image reference "\/app:1".*; REGISTRY is not set and read as ""$/);
    expect(err.position).toMatchObject({ line: 3 });
    const warnings: string[] = [];
    expect(imagesFromCompose(dir, { baseDir: '/', env: { TAG: '1', REGISTRY: 'r.local' }, warn: (m) => warnings.push(m) })).toContain(
      'docker.io/library/tool:latest',
    );
    expect(warnings).toEqual([expect.stringMatching(/compose\.yaml:5:12: service "tool": SUFFIX not set, read as ""/)]);
  });

  it('leaves out services built from source, and says so', () => {
    const dir = project('build-only', { 'compose.yaml': 'services:\n  api: {build: ./api}\n  web: {build: ./web}\n  db: {image: postgres:16, build: ./db}\n' });
    const warnings: string[] = [];
    expect(imagesFromCompose(dir, { baseDir: '/', env: {}, warn: (m) => warnings.push(m) })).toEqual(['docker.io/library/postgres:16']);
    expect(warnings).toEqual([expect.stringMatching(/"api", "web" are built from source \(build: without image\); there is nothing to pull/)]);
  });

  it('refuses a service with neither image nor build', () => {
    const dir = project('no-image', { 'compose.yaml': 'services:\n  app:\n    ports: ["80:80"]\n' });
    const err = errorOf(() => imagesFromCompose(dir, { baseDir: '/', env: {}, ...quiet }));
    expect(err.code).toBe('COMPOSE_SERVICE_NO_IMAGE');
    expect(err.position).toMatchObject({ line: 3 });
  });

  it('warns about a duplicated key and keeps the last value, as docker-compose 1.x does', () => {
    const dir = project('duplicate', { 'compose.yaml': 'services:\n  app:\n    image: old:1\n    image: new:2\n' });
    const warnings: string[] = [];
    expect(imagesFromCompose(dir, { baseDir: '/', env: {}, warn: (m) => warnings.push(m) })).toEqual(['docker.io/library/new:2']);
    expect(warnings).toEqual([expect.stringMatching(/compose\.yaml:4:5: duplicate key "image"/)]);
  });

  it('reports a YAML error with its position', () => {
    const dir = project('broken', { 'compose.yaml': 'services:\n  a:\n    image: [unclosed\n' });
    const err = errorOf(() => imagesFromCompose(dir, { baseDir: '/', env: {}, ...quiet }));
    expect(err.code).toBe('COMPOSE_YAML');
    expect(err.position?.file).toBe(join(dir, 'compose.yaml'));
    expect(err.exitCode).toBe(4);
  });

  it('refuses a self-containing alias, nesting past 200 levels, a FIFO and a device, at once and by name', () => {
    const cycle = project('alias-cycle', { 'compose.yaml': 'services:\n  a: &a\n    image: x\n    labels: [*a]\n' });
    const cycleError = errorOf(() => imagesFromCompose(cycle, { baseDir: '/', env: {}, ...quiet }));
    expect(cycleError.code).toBe('YAML_ALIAS_CYCLE');
    expect(cycleError.position?.line).toBe(4);
    // 300 levels reach hound's bound; 5000 reach the parser's own stack first: both are YAML_TOO_DEEP.
    for (const levels of [300, 5000]) {
      const deep = project(`deep-${levels}`, { 'deployment.yaml': 'spec: ' + '['.repeat(levels) + ']'.repeat(levels) + '\n' });
      const deepError = errorOf(() => imagesFromK8s(join(deep, 'deployment.yaml'), { baseDir: '/', ...quiet }));
      expect(deepError.code).toBe('YAML_TOO_DEEP');
      expect(deepError.message).not.toMatch(/call stack/);
    }
    const fifo = join(scratch, 'compose-fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    const fifoError = errorOf(() => imagesFromCompose(fifo, { baseDir: '/', env: {}, ...quiet }));
    expect(fifoError.message).toMatch(/compose file .*compose-fifo\.yaml is a FIFO/);
    expect(errorOf(() => imagesFromK8s('/dev/zero', { baseDir: '/', ...quiet })).message).toMatch(/\/dev\/zero is a character device/);
  });

  it('says which path is missing', () => {
    expect(() => imagesFromCompose('nope.yml', { baseDir: fixtures, ...quiet })).toThrow(/no such file or folder: .*nope\.yml/);
  });

  it('takes profiles and env_file as a second argument, also as keyword arguments in a template', () => {
    expect(composeLookupOptions('debug')).toEqual({ profiles: ['debug'] });
    expect(composeLookupOptions({ profiles: ['a'], env_file: 'prod.env' })).toEqual({ profiles: ['a'], envFiles: ['prod.env'] });
    expect(errorOf(() => composeLookupOptions({ profile: 'a' })).code).toBe('LOOKUP_ARGUMENT');
    const dir = project('template', { 'compose.yaml': 'services:\n  web: {image: web:1}\n  dbg: {image: dbg:1, profiles: [debug]}\n' });
    expect(renderValue("{{ images_from_compose('.', profiles=['none']) }}", { playbook_dir: dir })).toEqual(['docker.io/library/web:1']);
    expect(renderValue("{{ images_from_compose('.', ['debug']) }}", { playbook_dir: dir })).toHaveLength(2);
  });
});

describe('images_from_k8s', () => {
  it('reads every workload kind, init and ephemeral containers, multi-document files, anchors and Lists, recursively', () => {
    const images = imagesFromK8s('k8s', { baseDir: fixtures, ...quiet });
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

  it('keeps the kind, container and position of each image', () => {
    const found = k8sImagesFromText(
      'kind: Pod\nmetadata: {name: p}\nspec:\n  initContainers: [{name: i, image: a}]\n  containers:\n  - name: c\n    image: b\n',
      'p.yml',
    );
    expect(found.map((f) => [f.kind, f.container, f.image, f.position.line])).toEqual([
      ['Pod', 'i', 'a', 4],
      ['Pod', 'c', 'b', 7],
    ]);
  });

  it('reads the pod templates of common operators and the images they keep outside a pod spec', () => {
    const docs = [
      'kind: Rollout\nspec: {template: {spec: {containers: [{name: a, image: rollout:1}]}}}',
      'kind: CloneSet\nspec: {template: {spec: {containers: [{name: a, image: cloneset:1}]}}}',
      'kind: RayCluster\nspec: {headGroupSpec: {template: {spec: {containers: [{image: "ray:head"}]}}}, workerGroupSpecs: [{template: {spec: {containers: [{image: "ray:worker"}]}}}]}',
      'kind: PyTorchJob\nspec: {pytorchReplicaSpecs: {Master: {template: {spec: {containers: [{image: "torch:1"}]}}}}}',
      'kind: JobSet\nspec: {replicatedJobs: [{template: {spec: {template: {spec: {containers: [{image: "jobset:1"}]}}}}}]}',
      'kind: CronWorkflow\nspec: {workflowSpec: {templates: [{container: {image: "argo:1"}}, {script: {image: "python:3"}}]}}',
      'kind: Task\nspec: {steps: [{image: "tekton:1"}], sidecars: [{image: "tekton-sidecar:1"}]}',
      'kind: SparkApplication\nspec: {image: "spark:3", executor: {image: "spark-exec:3"}}',
      'kind: SidecarSet\nspec: {containers: [{image: "sidecar:1"}]}',
      'kind: AnalysisTemplate\nspec: {metrics: [{provider: {job: {spec: {template: {spec: {containers: [{image: "analysis:1"}]}}}}}}]}',
      'kind: ConfigMap\ndata: {containers: "image: not-this"}',
    ].join('\n---\n');
    expect(k8sImagesFromText(docs, 'ops.yml').map((f) => f.image)).toEqual([
      'rollout:1',
      'cloneset:1',
      'ray:head',
      'ray:worker',
      'torch:1',
      'jobset:1',
      'argo:1',
      'python:3',
      'tekton:1',
      'tekton-sidecar:1',
      'spark:3',
      'spark-exec:3',
      'sidecar:1',
      'analysis:1',
    ]);
  });

  it('warns about a duplicated key with file and line, and keeps the last value as PyYAML does', () => {
    const dir = project('k8s-duplicate', {
      'rc.yaml': 'kind: ReplicationController\nspec:\n  selector: {a: b}\n  selector: {c: d}\n  template:\n    spec:\n      containers: [{image: etcd:1}]\n',
    });
    const warnings: string[] = [];
    expect(imagesFromK8s(dir, { baseDir: '/', warn: (m) => warnings.push(m) })).toEqual(['docker.io/library/etcd:1']);
    expect(warnings).toEqual([`${join(dir, 'rc.yaml')}:4:3: duplicate key "selector"; the last value is used, as PyYAML reads it`]);
  });

  it('reports a file of a folder that cannot be read and reads the rest; a named file must be read', () => {
    const dir = project('k8s-unreadable', {
      'good.yaml': 'kind: Pod\nspec: {containers: [{image: good:1}]}\n',
      'templates/deploy.yaml': 'kind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n',
      'broken.yaml': 'kind: Pod\nspec: [unclosed\n',
    });
    const warnings: string[] = [];
    expect(imagesFromK8s(dir, { baseDir: '/', warn: (m) => warnings.push(m) })).toEqual(['docker.io/library/good:1']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/skipped .*broken\.yaml:\d+:\d+: invalid YAML in manifest/);
    expect(warnings[1]).toMatch(/skipped .*templates\/deploy\.yaml:3:14: invalid YAML in manifest: a mapping key is itself a mapping/);
    expect(errorOf(() => imagesFromK8s('broken.yaml', { baseDir: dir, ...quiet })).code).toBe('K8S_YAML');
  });

  it('fails rather than return nothing when every file with images was unreadable or every image a placeholder', () => {
    const chart = project('k8s-chart', { 'templates/a.yaml': 'spec:\n  replicas: {{ .Values.replicas }}\n', 'Chart.yaml': 'name: x\n' });
    expect(errorOf(() => imagesFromK8s(chart, { baseDir: '/', ...quiet })).code).toBe('K8S_NOTHING_READ');
    const ko = project('k8s-ko', { 'svc.yaml': 'kind: Pod\nspec: {containers: [{image: "ko://example.com/cmd/app"}]}\n' });
    const warnings: string[] = [];
    expect(errorOf(() => imagesFromK8s(ko, { baseDir: '/', warn: (m) => warnings.push(m) })).code).toBe('K8S_NO_VALID_IMAGE');
    expect(warnings[0]).toMatch(/svc\.yaml:2:29: Pod container "": invalid image reference "ko:\/\/example.com\/cmd\/app"/);
  });

  it('refuses an alias bomb without exhausting memory', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      );
    expect(() => k8sImagesFromText(bomb.join('\n'), 'bomb.yml')).toThrow(/expands its aliases/);
  });
});
