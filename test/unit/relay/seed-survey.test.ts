// The leftover survey's weighing of seed containers, run by the controller's own shell
// (LocalConnection): the containers come from a stand-in for the Docker API, the watchers are
// real processes. The lab test (test/integration/fanout.test.ts) runs it on real seeds.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareSeedFiles, removeCreatedDirs, removeLeftovers, removeSeedTrust, surveyNode, writeSeedTrust } from '../../../relay/seed-node.js';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalConnection } from '../../../transport/local-connection.js';
import type { DockerContainer, SeedHost } from '../../../runtime/types.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const runId = () => `f${randomBytes(5).toString('hex')}`;
const containerId = () => randomBytes(32).toString('hex');
const seed = (id: string, run: string, state: string): DockerContainer => ({
  id,
  image: 'registry',
  imageId: 'sha256:1',
  state,
  labels: { 'io.hound.fanout': run },
});

/** A process shaped like startSeedContainer's watcher: `hound-command` and the container id among its arguments. */
async function watcherOf(id: string): Promise<void> {
  const child = spawn('/bin/sh', ['-c', 'sleep 30', 'hound-command', 'docker', 'start', '--attach', id], { stdio: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve, reject) => (child.once('spawn', resolve), child.once('error', reject)));
}

/** Docker as the survey's seed host: its containers come from the stand-in list, not from this socket. */
const DOCKER: SeedHost = { kind: 'docker', socketPath: '/nonexistent/docker.sock', certsDir: '/etc/docker/certs.d' };

describe('surveyNode', () => {
  it('a running seed with its watcher is live, one without is an orphan, stopped ones are leftovers, others are not weighed', async () => {
    const [watched, orphan, paused, created, exited] = [runId(), runId(), runId(), runId(), runId()];
    const ids = { watched: containerId(), orphan: containerId(), paused: containerId(), created: containerId(), exited: containerId() };
    await watcherOf(ids.watched);
    const containers: DockerContainer[] = [
      seed(ids.watched, watched, 'running'),
      seed(ids.orphan, orphan, 'running'),
      seed(ids.paused, paused, 'paused'),
      seed(ids.created, created, 'created'),
      seed(ids.exited, exited, 'exited'),
      // Not a run's: a label value no run id has, a short id, no label, a state between the two.
      seed(containerId(), 'not-a-run', 'running'),
      seed('abc', runId(), 'exited'),
      { id: containerId(), image: 'x', imageId: 'sha256:2', state: 'running', labels: {} },
      seed(containerId(), runId(), 'removing'),
    ];
    const survey = await surveyNode(new LocalConnection('local'), { listContainers: async () => containers }, DOCKER);
    expect([...survey.live]).toEqual([watched]);
    const seeds = survey.items.filter((item) => item.startsWith('container '));
    expect(seeds.sort()).toEqual(
      [
        `container ${orphan} ${ids.orphan}`,
        `container ${paused} ${ids.paused}`,
        `container ${created} ${ids.created}`,
        `container ${exited} ${ids.exited}`,
      ].sort(),
    );
  });

  it('with no seed containers it reads nothing on stdin and still surveys the files', async () => {
    const survey = await surveyNode(new LocalConnection('local'), { listContainers: async () => [] }, DOCKER);
    expect(survey.live.size).toBe(0);
    // Whatever else this machine holds, every line is one of the file kinds.
    for (const item of survey.items) expect(item).toMatch(/^(dir|olddir|trust|image) /);
  });

  it("on containerd, weighs the seeds its containers and tasks services list by the run's label, named as the run named them", async () => {
    const [watched, orphan, stopped] = [runId(), runId(), runId()];
    await watcherOf(`hound-seed-${watched}`);
    const asked: string[] = [];
    const containerd: SeedHost = { kind: 'containerd', socketPath: '/nonexistent/containerd.sock', namespace: 'k8s.io', certsDir: '/nonexistent/certs.d' };
    const survey = await surveyNode(
      new LocalConnection('local'),
      {
        listContainers: () => Promise.reject(new Error('the CRI lists none of the seeds')),
        listContainersLabelled: async (label) => {
          asked.push(label);
          return [
            seed(`hound-seed-${watched}`, watched, 'running'),
            seed(`hound-seed-${orphan}`, orphan, 'paused'),
            seed(`hound-seed-${stopped}`, stopped, 'created'),
            // A full container id is Docker's shape, not a containerd seed's name.
            seed(containerId(), runId(), 'exited'),
          ];
        },
      },
      containerd,
    );
    expect(asked).toEqual(['io.hound.fanout']);
    expect([...survey.live]).toEqual([watched]);
    expect(survey.items.filter((item) => item.startsWith('container ')).sort()).toEqual(
      [`container ${orphan} hound-seed-${orphan}`, `container ${stopped} hound-seed-${stopped}`].sort(),
    );
    // A runtime that cannot list what ctr made is refused, not taken for one without seeds.
    await expect(surveyNode(new LocalConnection('local'), { listContainers: async () => [] }, containerd)).rejects.toThrow(
      /cannot list the containers ctr made/,
    );
  });

  it('a failing Docker API fails the survey (the sweep logs it for that node), not an empty one', async () => {
    await expect(surveyNode(new LocalConnection('local'), { listContainers: () => Promise.reject(new Error('socket closed')) }, DOCKER)).rejects.toThrow(
      'socket closed',
    );
  });
});

describe('prepareSeedFiles', () => {
  it("writes the seed's config and TLS files with their modes (644, the key 600; its dir 700 in the run's, 1777) and their exact contents", async () => {
    const run = runId();
    try {
      const dir = await prepareSeedFiles(new LocalConnection('local'), run, '10.0.0.1:5000', 'secret', {
        serverCertPem: 'CERT\n',
        serverKeyPem: "KEY 'quoted' $HOME\n",
        caPem: 'CA\n',
      });
      expect(dir).toBe(`/tmp/hound-fanout-${run}/local`);
      const modeOf = async (file: string) => ((await stat(`${dir}/${file}`)).mode & 0o777).toString(8);
      expect(await modeOf('config.yml')).toBe('644');
      expect(await modeOf('tls/server.crt')).toBe('644');
      expect(await modeOf('tls/ca.crt')).toBe('644');
      expect(await modeOf('tls/server.key')).toBe('600');
      expect(await modeOf('tls')).toBe('700');
      expect(await modeOf('.')).toBe('700');
      // The run's dir takes other users' dirs (hosts of the run sharing /tmp), as /tmp does.
      expect(((await stat(`/tmp/hound-fanout-${run}`)).mode & 0o7777).toString(8)).toBe('1777');
      expect(await readFile(`${dir}/tls/server.key`, 'utf8')).toBe("KEY 'quoted' $HOME\n");
      expect(await readFile(`${dir}/config.yml`, 'utf8')).toContain('addr: 10.0.0.1:5000');
    } finally {
      await rm(`/tmp/hound-fanout-${run}`, { recursive: true, force: true });
    }
  });
});

describe('a podman node', () => {
  it("trusts a seed in its own certs.d (no hosts.toml), and a later run's survey weighs its seeds as Docker's (its service's compatible API) and finds that trust", async () => {
    const certsDir = await mkdtemp(path.join(tmpdir(), 'hound-podman-certs-'));
    const podman: SeedHost = { kind: 'podman', certsDir };
    const [killed, live] = [runId(), runId()];
    const ids = { killed: containerId(), live: containerId() };
    await watcherOf(ids.live);
    const files = { caPem: 'CA\n', clientCertPem: 'CERT\n', clientKeyPem: 'KEY\n' };
    try {
      const connection = new LocalConnection('local');
      await writeSeedTrust(connection, killed, '10.0.0.2:21000', files, podman);
      await writeSeedTrust(connection, live, '10.0.0.3:22000', files, podman);
      expect((await readdir(path.join(certsDir, '10.0.0.2:21000'))).sort()).toEqual(['ca.crt', 'client.cert', 'client.key', 'hound-fanout-run']);
      expect(((await stat(path.join(certsDir, '10.0.0.2:21000', 'client.key'))).mode & 0o777).toString(8)).toBe('600');
      const containers = [seed(ids.killed, killed, 'running'), seed(ids.live, live, 'running')];
      const survey = await surveyNode(connection, { listContainers: async () => containers }, podman);
      expect([...survey.live]).toEqual([live]);
      expect(survey.items.filter((item) => item.startsWith('container '))).toEqual([`container ${killed} ${ids.killed}`]);
      const trust = survey.items.filter((item) => item.startsWith('trust '));
      expect(trust.sort()).toEqual([`trust ${killed} 10.0.0.2:21000`, `trust ${live} 10.0.0.3:22000`].sort());
      const removed = await removeLeftovers(connection, podman, { removeImage: () => Promise.reject(new Error('not asked')) }, trust, new Set([live]));
      expect(removed).toEqual([`trust ${killed} 10.0.0.2:21000`]);
      expect(await readdir(certsDir)).toEqual(['10.0.0.3:22000']);
    } finally {
      await rm(certsDir, { recursive: true, force: true });
    }
  });
});

describe("the certs.d dirs a run's trust creates", () => {
  const files = { caPem: 'CA\n', clientCertPem: 'CERT\n', clientKeyPem: 'KEY\n' };

  it('are recorded when the trust makes them, and go at the end once empty, leaving the home as it was', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'hound-home-'));
    const podman: SeedHost = { kind: 'podman', certsDir: `${home}/.config/containers/certs.d` };
    const run = runId();
    const connection = new LocalConnection('local');
    try {
      expect(await writeSeedTrust(connection, run, '10.0.0.2:21000', files, podman)).toBe(true);
      // The dir is there now: a second seed's trust made nothing.
      expect(await writeSeedTrust(connection, run, '10.0.0.3:22000', files, podman)).toBe(false);
      await removeSeedTrust(connection, '10.0.0.2:21000', podman);
      await removeSeedTrust(connection, '10.0.0.3:22000', podman);
      await removeCreatedDirs(connection, run, podman);
      expect(await readdir(home)).toEqual([]);
      expect(existsSync(`/tmp/hound-fanout-${run}`)).toBe(false);

      // A file the user put beside them since keeps its own dir; the ones emptied still go.
      expect(await writeSeedTrust(connection, run, '10.0.0.2:21000', files, podman)).toBe(true);
      await writeFile(`${home}/.config/user-file`, 'x');
      await removeSeedTrust(connection, '10.0.0.2:21000', podman);
      await removeCreatedDirs(connection, run, podman);
      expect(await readdir(`${home}/.config`)).toEqual(['user-file']);
    } finally {
      await rm(home, { recursive: true, force: true });
      await rm(`/tmp/hound-fanout-${run}`, { recursive: true, force: true });
    }
  });

  it("after a crash, the next run's survey finds them with the trust, and its sweep removes both", async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'hound-home-'));
    const docker: SeedHost = { kind: 'docker', socketPath: '/nonexistent/docker.sock', certsDir: `${home}/etc/docker/certs.d` };
    const run = runId();
    const connection = new LocalConnection('local');
    try {
      await writeSeedTrust(connection, run, '10.0.0.2:21000', files, docker);
      const survey = await surveyNode(connection, { listContainers: async () => [] }, docker);
      const mine = survey.items.filter((item) => item.split(' ')[1] === run);
      expect(mine.sort()).toEqual([`created ${run}`, `trust ${run} 10.0.0.2:21000`]);
      expect(await removeLeftovers(connection, docker, { removeImage: async () => undefined }, mine, new Set())).toEqual(mine);
      expect(await readdir(home)).toEqual([]);
      expect(existsSync(`/tmp/hound-fanout-${run}`)).toBe(false);
    } finally {
      await rm(home, { recursive: true, force: true });
      await rm(`/tmp/hound-fanout-${run}`, { recursive: true, force: true });
    }
  });
});
