// docker_container's pure parts: what a task's options become in Docker's create body, and
// when an existing container differs (community.docker 3.4.7's rules, option by option).
import { describe, expect, it } from 'vitest';
import { containerDifferences, createParameters, desiredContainer, sameValue, updateParameters } from '../../../modules/docker-container-config.js';
import { ModuleFailure } from '../../../modules/implementation.js';
import type { InspectDocument } from '../../../modules/docker-engine.js';

const image = { Id: 'sha256:img', Config: { Env: ['PATH=/bin', 'A=1'], Labels: { vendor: 'lab' } } } as unknown as InspectDocument;
const container = {
  Id: 'c1',
  Image: 'sha256:img',
  Config: { Cmd: ['/bin/sh', '-c', 'sleep 10m'], Entrypoint: null, Env: ['PATH=/bin', 'A=1', 'B=2'], Labels: { vendor: 'lab', key1: 'value1' } },
  HostConfig: { AutoRemove: false, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 } },
  State: { Running: true, Status: 'running' },
};

describe('desiredContainer', () => {
  it('splits a command string as shlex.split, keeps a list as texts', () => {
    expect(desiredContainer({ name: 'n', command: '/bin/sh -c "sleep 10m"' }).command).toEqual(['/bin/sh', '-c', 'sleep 10m']);
    expect(desiredContainer({ name: 'n', command: ['sleep', 5] }).command).toEqual(['sleep', '5']);
  });
  it('refuses a non-string env value as the module does', () => {
    expect(() => desiredContainer({ name: 'n', env: { N: 1 } })).toThrow(ModuleFailure);
    expect(() => desiredContainer({ name: 'n', env: { N: 1 } })).toThrow(/Non-string value found for env option.*Key: N/);
    expect(desiredContainer({ name: 'n', env: { N: '1' } }).env).toEqual(['N=1']);
  });
  it('leaves out what the task does not give', () => {
    expect(desiredContainer({ name: 'n', image: 'x' })).toEqual({});
  });
});

describe('createParameters', () => {
  it('sets the given options where the API engine sets them', () => {
    const desired = desiredContainer({
      name: 'n',
      command: 'a b',
      entrypoint: ['/e'],
      env: { K: 'v' },
      labels: { l: 'x' },
      auto_remove: true,
      restart_policy: 'on-failure',
      restart_retries: 3,
      detach: true,
    });
    expect(createParameters('img:1', desired)).toEqual({
      Image: 'img:1',
      Cmd: ['a', 'b'],
      Entrypoint: ['/e'],
      Env: ['K=v'],
      Labels: { l: 'x' },
      AttachStdout: false,
      AttachStderr: false,
      AttachStdin: false,
      StdinOnce: false,
      OpenStdin: null,
      ExposedPorts: {},
      HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } },
    });
    // Not given, detach is attached (the module sets the attach flags of every task).
    expect(createParameters('img:1', {})).toEqual({
      Image: 'img:1',
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: false,
      StdinOnce: false,
      OpenStdin: null,
      ExposedPorts: {},
    });
    expect(updateParameters(desiredContainer({ name: 'n', restart_policy: 'always' }))).toEqual({ RestartPolicy: { Name: 'always', MaximumRetryCount: null } });
  });
});

describe('containerDifferences', () => {
  const differs = (args: Parameters<typeof desiredContainer>[0]) => containerDifferences(desiredContainer(args), container, image);
  it('finds nothing when the given options match (image env and labels count as expected; more on the container is fine)', () => {
    expect(differs({ name: 'n', command: '/bin/sh -c "sleep 10m"', env: { B: '2' }, labels: { key1: 'value1' }, auto_remove: false })).toEqual({
      recreate: [],
      update: [],
    });
  });
  it('a command is a list compared in order', () => {
    expect(differs({ name: 'n', command: ['/bin/sh', 'sleep 10m', '-c'] }).recreate.map((d) => d.item)).toEqual(['command']);
  });
  it('a label or env value the container lacks or holds otherwise differs', () => {
    expect(differs({ name: 'n', labels: { key1: 'other' } }).recreate.map((d) => d.item)).toEqual(['labels']);
    expect(differs({ name: 'n', labels: { key9: 'x' } }).recreate.map((d) => d.item)).toEqual(['labels']);
    expect(differs({ name: 'n', env: { A: '2' } }).recreate.map((d) => d.item)).toEqual(['env']);
  });
  it('an entrypoint given as empty matches none; a restart policy is an in-place update', () => {
    expect(differs({ name: 'n', entrypoint: [] }).recreate).toEqual([]);
    expect(differs({ name: 'n', restart_policy: 'always' })).toEqual({
      recreate: [],
      update: [{ item: 'restart_policy', parameter: 'always', container: 'no' }],
    });
  });
  it("detach is read from the container's attach flags", () => {
    expect(differs({ name: 'n', detach: true }).recreate).toEqual([]);
    const attached = { ...container, Config: { ...container.Config, AttachStdout: true, AttachStderr: true } };
    expect(containerDifferences(desiredContainer({ name: 'n', detach: true }), attached, image).recreate.map((d) => d.item)).toEqual(['detach']);
  });
});

describe('sameValue (compare_generic)', () => {
  it('follows the module for None and each type', () => {
    expect(sameValue(null, null, 'value')).toBe(true);
    expect(sameValue('a', null, 'value')).toBe(false);
    expect(sameValue([], null, 'list')).toBe(true);
    expect(sameValue(['a'], null, 'list')).toBe(false);
    expect(sameValue(['b', 'a'], ['a', 'b', 'c'], 'set')).toBe(true);
    expect(sameValue(['a', 'b'], ['b', 'a'], 'list')).toBe(false);
    expect(sameValue({ a: '1' }, { a: '1', b: '2' }, 'dict')).toBe(true);
    expect(sameValue({ a: '1' }, { b: '2' }, 'dict')).toBe(false);
  });
});
