import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import type { NodeFacts } from '../../../runtime/node-facts.js';
import type { DockerImage } from '../../../runtime/types.js';
import { image } from '../../../modules/image.js';
import { images } from '../../../modules/images.js';
import { command, commandLine, watchedCommandLine } from '../../../modules/command.js';
import { load } from '../../../modules/load.js';
import { authFromDockerConfig, normaliseRegistryHost } from '../../../transport/docker-config.js';
import { shlexQuote } from '../../../base/shlex.js';
import { runHeld } from '../../fixtures/held-stdin.js';

const D1 = 'sha256:' + '1'.repeat(64);
const D2 = 'sha256:' + '2'.repeat(64);

function img(id: string, repoTags: string[], repoDigests: string[] = []): DockerImage {
  return { id: `sha256:${id.repeat(64).slice(0, 64)}`, repoTags, repoDigests, layers: [], architecture: 'amd64', os: 'linux', size: 1, created: '' };
}

const facts: NodeFacts = {
  images: [
    img('a', ['10.0.0.1:5000/hound/app0:latest'], [`10.0.0.1:5000/hound/app0@${D1}`]),
    img('b', ['nginx:latest']),
    img('c', ['10.0.0.1:5000/hound/used:1']),
    img('d', ['<none>:<none>']),
  ],
  containers: [{ id: 'f'.repeat(64), image: 'sha256:' + 'c'.repeat(64), imageId: 'sha256:' + 'c'.repeat(64), state: 'exited' }],
};
const ctx = { host: 'node1', check: false };

describe('image plan', () => {
  it('present pulls only what is missing, matching Docker Hub names in any spelling', () => {
    expect(image.plan({ node: facts }, { name: '10.0.0.1:5000/hound/app0' }, ctx)).toEqual([
      { kind: 'none', image: '10.0.0.1:5000/hound/app0', reason: 'present' },
    ]);
    expect(image.plan({ node: facts }, { name: 'docker.io/library/nginx' }, ctx)[0].kind).toBe('none');
    expect(image.plan({ node: facts }, { name: '10.0.0.1:5000/hound/app1:latest' }, ctx)[0]).toMatchObject({ kind: 'pull', reason: 'not present' });
  });

  it('present matches a pinned digest against repo digests', () => {
    expect(image.plan({ node: facts }, { name: `10.0.0.1:5000/hound/app0@${D1}` }, ctx)[0].kind).toBe('none');
    expect(image.plan({ node: facts }, { name: `10.0.0.1:5000/hound/app0@${D2}` }, ctx)[0].kind).toBe('pull');
  });

  it('latest pulls only when the registry digest differs from the node repo digest', () => {
    const name = '10.0.0.1:5000/hound/app0:latest';
    expect(image.plan({ node: facts, remoteDigest: D1 }, { name, state: 'latest' }, ctx)[0].kind).toBe('none');
    expect(image.plan({ node: facts, remoteDigest: D2 }, { name, state: 'latest' }, ctx)[0]).toMatchObject({
      kind: 'pull',
      reason: expect.stringContaining('222222222222'),
    });
  });

  it('absent removes, and refuses an image a container uses unless forced', () => {
    expect(image.plan({ node: facts }, { name: 'nginx', state: 'absent' }, ctx)[0]).toMatchObject({ kind: 'remove', imageId: 'sha256:' + 'b'.repeat(64) });
    expect(image.plan({ node: facts }, { name: 'busybox', state: 'absent' }, ctx)[0].kind).toBe('none');
    expect(image.plan({ node: facts }, { name: '10.0.0.1:5000/hound/used:1', state: 'absent' }, ctx)[0]).toMatchObject({
      kind: 'refuse',
      reason: expect.stringContaining('force: true'),
    });
    expect(image.plan({ node: facts }, { name: '10.0.0.1:5000/hound/used:1', state: 'absent', force: true }, ctx)[0].kind).toBe('remove');
  });
});

describe('images plan', () => {
  it('pulls the missing ones once each', () => {
    const actions = images.plan({ node: facts, remoteDigests: new Map() }, { names: ['nginx', 'x.io/a:1', 'x.io/a:1'] }, ctx);
    expect(actions.map((a) => a.kind)).toEqual(['none', 'pull']);
  });

  it('exclusive removes what is not listed, keeps images used by containers', () => {
    const actions = images.plan({ node: facts, remoteDigests: new Map() }, { names: ['nginx:latest'], exclusive: true }, ctx);
    const removed = actions.filter((a) => a.kind === 'remove').map((a) => a.kind === 'remove' && a.imageId);
    expect(removed).toEqual(['sha256:' + 'a'.repeat(64), 'sha256:' + 'd'.repeat(64)]);
    expect(actions.find((a) => a.kind === 'none' && a.reason.startsWith('kept'))).toMatchObject({ image: '10.0.0.1:5000/hound/used:1' });
  });

  it('defaults to 3 pulls at a time', () => {
    expect(images.concurrency!({ names: [] })).toBe(3);
    expect(images.concurrency!({ names: [], concurrency: 7 })).toBe(7);
  });
});

describe('command', () => {
  it('quotes argv so a POSIX shell sees each element as one argument', () => {
    const argv = ['printf', '%s|', "it's", 'a b', '$HOME', '`id`', '', 'x;y'];
    const out = execFileSync('/bin/sh', ['-c', commandLine({ argv })]).toString();
    expect(out).toBe("it's|a b|$HOME|`id`||x;y|");
    expect(shlexQuote('plain-word')).toBe('plain-word');
  });

  it('splits cmd into words as Ansible does, with no shell features; chdir quoted', () => {
    expect(commandLine({ cmd: 'ls | wc -l', chdir: "/tmp/it's" })).toBe(`cd '/tmp/it'"'"'s' && ls '|' wc -l`);
    expect(commandLine({ cmd: 'echo "a b" $(touch /tmp/x); id' })).toBe("echo 'a b' '$(touch' '/tmp/x);' id");
  });

  it("runs the same words under a watcher: output, argument boundaries, cwd and exit code are the command's while stdin stays open", async () => {
    const argv = ['sh', '-c', 'printf "%s|" "$@"; pwd; cat; exit 7', 'x', "it's", 'a b', '$HOME', '`id`'];
    const run = await runHeld(watchedCommandLine({ argv, chdir: '/tmp' }), 0);
    // cat reads /dev/null: the command never sees hound's stdin.
    expect(run).toEqual({ code: 7, stdout: "it's|a b|$HOME|`id`|/tmp\n" });
  });

  it('ends the command when its stdin closes, as it does when hound goes away', async () => {
    const started = Date.now();
    const run = await runHeld(watchedCommandLine({ argv: ['sleep', '30'] }), 300);
    expect(run.code).toBe(143);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('creates/removes decide whether to run', () => {
    expect(command.plan({ createsExists: true }, { cmd: 'x', creates: '/a' }, ctx)[0].kind).toBe('none');
    expect(command.plan({ removesExists: false }, { cmd: 'x', removes: '/a' }, ctx)[0].kind).toBe('none');
    expect(command.plan({ createsExists: false }, { cmd: 'x', creates: '/a' }, ctx)[0]).toMatchObject({ kind: 'run', command: 'x' });
  });
});

describe('load plan', () => {
  it('skips when every listed image is present, unless forced', () => {
    expect(load.plan({ node: facts, sizeBytes: 10 }, { src: 'a.tar', images: ['nginx'] }, ctx)[0].kind).toBe('none');
    expect(load.plan({ node: facts, sizeBytes: 10 }, { src: 'a.tar', images: ['nginx'], force: true }, ctx)[0].kind).toBe('load');
    expect(load.plan({ node: facts, sizeBytes: 10 }, { src: 'a.tar', images: ['nginx', 'busybox'] }, ctx)[0]).toMatchObject({ kind: 'load', sizeBytes: 10 });
  });
});

describe('registry credentials', () => {
  it('normalises registry spellings', () => {
    expect(normaliseRegistryHost('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normaliseRegistryHost('Reg.Local:5000')).toBe('reg.local:5000');
  });

  it('reads auths from a Docker config', () => {
    const config = { auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('me:pa:ss').toString('base64') }, 'r.local': { identitytoken: 'tok' } } };
    expect(authFromDockerConfig(config, 'docker.io')).toEqual({ serverAddress: 'docker.io', username: 'me', password: 'pa:ss' });
    expect(authFromDockerConfig(config, 'r.local')).toEqual({ serverAddress: 'r.local', identityToken: 'tok' });
    expect(authFromDockerConfig(config, 'other')).toBeUndefined();
  });
});

describe('PullLayers', () => {
  it('counts each downloaded layer by its final compressed total, skips present ones, falls back to the extract size', async () => {
    const { PullLayers } = await import('../../../modules/pull-layers.js');
    const layers = new PullLayers();
    for (const p of [
      { id: 'aaa', status: 'Already exists' },
      { id: 'bbb', status: 'Pulling fs layer' },
      { id: 'bbb', status: 'Downloading', current: 10, total: 500 },
      // A retried download starts over with the same total.
      { id: 'bbb', status: 'Downloading', current: 20, total: 500 },
      { id: 'bbb', status: 'Download complete' },
      { id: 'ccc', status: 'Extracting', current: 5, total: 40 },
      { id: 'ccc', status: 'Pull complete' },
      { id: '', status: 'Digest: sha256:' + 'e'.repeat(64) },
    ])
      layers.add(p);
    expect([...layers.downloaded()]).toEqual([
      ['bbb', 500],
      ['ccc', 40],
    ]);
  });
});
