// The transport on the shared lab: real sshd and dockerd in each node's network namespace,
// the lab registry as the image source. Expectations are checked against what the nodes
// and the registry say on their own (the node's `ip addr` and `$SSH_CLIENT`, the registry
// client's layer sizes, the lab's known_hosts), not against hound's own bookkeeping.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo, LabNodeInfo } from '../../lab/index.js';
import { HoundError } from '../../base/errors.js';
import type { Vars } from '../../inventory/model.js';
import { resolveConnectionTarget } from '../../transport/connection-target.js';
import { connectHost, type SshHostConnection } from '../../transport/ssh-connection.js';
import { ConnectionPool } from '../../transport/pool.js';
import { SshDocker } from '../../runtime/docker.js';
import { RegistryClient } from '../../transport/registry.js';
import type { PullProgress } from '../../runtime/types.js';
import { readTestLab } from '../fixtures/test-lab.js';
import { tbfArgs } from '../../lab/rate.js';

const env = {}; // no ssh-agent from the developer's shell
let info: LabInfo;
let scratch: string;

function varsOf(node: LabNodeInfo, extra: Vars = {}): Vars {
  return {
    ansible_host: node.ip,
    ansible_user: 'root',
    ansible_ssh_private_key_file: info.privateKey,
    ansible_ssh_common_args: `-o UserKnownHostsFile=${info.knownHosts}`,
    ...extra,
  };
}

function connect(node: LabNodeInfo, extra: Vars = {}): Promise<SshHostConnection> {
  return connectHost(resolveConnectionTarget(node.name, varsOf(node, extra), { env }));
}

async function failure(promise: Promise<unknown>): Promise<HoundError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HoundError) return error;
    throw error;
  }
  throw new Error('expected a failure, got success');
}

beforeAll(async () => {
  info = await readTestLab();
  scratch = mkdtempSync(join(tmpdir(), 'hound-transport-'));
});

describe('SSH connections', () => {
  it('connects to every node at once and runs commands there, with exit codes and stderr', async () => {
    const pool = new ConnectionPool({ target: (host) => resolveConnectionTarget(host, varsOf(info.nodes.find((n) => n.name === host)!), { env }) });
    try {
      const connections = await pool.connectAll(info.nodes.map((n) => n.name));
      await Promise.all(
        info.nodes.map(async (node) => {
          const connection = connections.get(node.name);
          expect(connection).not.toBeInstanceOf(HoundError);
          const c = connection as SshHostConnection;
          // The node answers from its own network namespace: its address is the lab's for it.
          const addresses = await c.exec('ip -o -4 addr show');
          expect(addresses.code).toBe(0);
          expect(addresses.stdout).toContain(`inet ${node.ip}/`);
          expect(await c.exec(`echo "out ${node.name}"; echo "err ${node.name}" >&2; exit 7`)).toEqual({
            code: 7,
            stdout: `out ${node.name}\n`,
            stderr: `err ${node.name}\n`,
          });
          expect((await c.exec('cat', { stdin: 'piped in' })).stdout).toBe('piped in');
        }),
      );
      // The pool hands out the same connection again rather than reconnecting.
      expect(await pool.get(info.nodes[0].name)).toBe(connections.get(info.nodes[0].name));
    } finally {
      await pool.closeAll();
    }
  });

  it('a command killed by a signal reports the signal; an aborted command rejects promptly', async () => {
    const c = await connect(info.nodes[0]);
    try {
      const killed = await c.exec('kill -TERM $$');
      expect(killed.code).toBeNull();
      expect(killed.signal).toBe('SIGTERM');
      const controller = new AbortController();
      const running = c.exec('sleep 60', { signal: controller.signal });
      setTimeout(() => controller.abort(), 200);
      await expect(running).rejects.toThrow(/abort/i);
      // The connection is still usable afterwards.
      expect((await c.exec('echo still here')).stdout).toBe('still here\n');
    } finally {
      await c.close();
    }
  });

  it('refuses an unknown host key with SSH_HOST_KEY_UNKNOWN when checking is strict', async () => {
    const empty = join(scratch, 'empty_known_hosts');
    writeFileSync(empty, '');
    const error = await failure(connect(info.nodes[0], { ansible_ssh_common_args: `-o UserKnownHostsFile=${empty}` }));
    expect(error.code).toBe('SSH_HOST_KEY_UNKNOWN');
    expect(error.message).toContain(info.nodes[0].ip);
    expect(error.hint).toContain('accept-new');
    expect(readFileSync(empty, 'utf8')).toBe('');
  });

  it('refuses a changed host key, always, with an OpenSSH-style warning naming the file and line', async () => {
    const node = info.nodes[1];
    const otherKey = join(scratch, 'impostor');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    const [type, blob] = readFileSync(`${otherKey}.pub`, 'utf8').split(' ');
    const file = join(scratch, 'changed_known_hosts');
    writeFileSync(file, `# written by the test\n${node.ip} ${type} ${blob}\n`);
    for (const policy of ['yes', 'accept-new', 'no']) {
      const error = await failure(connect(node, { ansible_ssh_common_args: `-o UserKnownHostsFile=${file} -o StrictHostKeyChecking=${policy}` }));
      expect(error.code).toBe('SSH_HOST_KEY_CHANGED');
      expect(error.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
      expect(error.message).toContain(`Offending ED25519 key in ${file}:2`);
      expect(error.hint).toContain(`ssh-keygen -R '${node.ip}' -f ${file}`);
    }
  });

  it('accept-new connects to a new host and records its key, which then verifies strictly', async () => {
    const node = info.nodes[2];
    const file = join(scratch, 'sub', 'accept_new_known_hosts');
    const first = await connect(node, { ansible_ssh_common_args: `-o UserKnownHostsFile=${file} -o StrictHostKeyChecking=accept-new` });
    await first.close();
    const recorded = readFileSync(file, 'utf8').trim();
    const labLine = readFileSync(info.knownHosts, 'utf8')
      .split('\n')
      .find((line) => line.startsWith(`${node.ip} `))!;
    expect(recorded.split(' ').slice(0, 3)).toEqual(labLine.trim().split(' ').slice(0, 3));
    const second = await connect(node, { ansible_ssh_common_args: `-o UserKnownHostsFile=${file}` });
    expect((await second.exec('true')).code).toBe(0);
    await second.close();
    expect(readFileSync(file, 'utf8').trim()).toBe(recorded);
  });

  it('a wrong key or a wrong user is SSH_AUTH_FAILED, naming the user and the keys tried', async () => {
    const stranger = join(scratch, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const wrongKey = await failure(connect(info.nodes[0], { ansible_ssh_private_key_file: stranger }));
    expect(wrongKey.code).toBe('SSH_AUTH_FAILED');
    expect(wrongKey.message).toContain(`root@${info.nodes[0].ip}:22`);
    expect(wrongKey.message).toContain(`key ${stranger}`);
    expect(wrongKey.message).not.toContain(readFileSync(stranger, 'utf8').split('\n')[1]);
    const locked = join(scratch, 'locked');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-f', locked]);
    const encrypted = await failure(connect(info.nodes[0], { ansible_ssh_private_key_file: locked }));
    expect(encrypted.code).toBe('SSH_AUTH_FAILED');
    expect(encrypted.message).toContain(`skipped key ${locked} (encrypted`);
    expect(encrypted.message).toContain('tried nothing');
    const wrongUser = await failure(connect(info.nodes[0], { ansible_user: 'hound-nobody' }));
    expect(wrongUser.code).toBe('SSH_AUTH_FAILED');
    expect(wrongUser.message).toContain('hound-nobody@');
  });

  it('authenticates with keys held by ssh-agent, and a stale SSH_AUTH_SOCK does not get in the way', async () => {
    const started = execFileSync('ssh-agent', ['-s', '-a', join(scratch, 'agent.sock')], { encoding: 'utf8' });
    const agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(started)![1]);
    try {
      const agentEnv = { SSH_AUTH_SOCK: join(scratch, 'agent.sock') };
      execFileSync('ssh-add', [info.privateKey], { env: agentEnv, stdio: 'ignore' });
      const noKeyFile = { ansible_ssh_private_key_file: join(scratch, 'no-such-key') };
      const viaAgent = await connectHost(resolveConnectionTarget('a', varsOf(info.nodes[0], noKeyFile), { env: agentEnv }));
      expect((await viaAgent.exec('echo agent')).stdout).toBe('agent\n');
      await viaAgent.close();
      const stale = await connectHost(resolveConnectionTarget('a', varsOf(info.nodes[0]), { env: { SSH_AUTH_SOCK: join(scratch, 'gone.sock') } }));
      expect((await stale.exec('echo key')).stdout).toBe('key\n');
      await stale.close();
    } finally {
      process.kill(agentPid);
    }
  });

  it('a password never reaches errors or logs, even at the most verbose level', async () => {
    const secret = 'Pw-' + randomBytes(6).toString('hex');
    const logged: string[] = [];
    const error = await failure(
      connectHost(resolveConnectionTarget('n', varsOf(info.nodes[0], { ansible_user: 'hound-nobody', ansible_password: secret }), { env }), {
        logger: (_level, message) => logged.push(message),
      }),
    );
    expect(error.code).toBe('SSH_AUTH_FAILED');
    expect(error.message).toContain('password');
    const everything = [error.format(), JSON.stringify(error), ...logged].join('\n');
    expect(logged.length).toBeGreaterThan(10);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(Buffer.from(secret).toString('base64'));
  });

  it('an address in the lab subnet with no host is SSH_UNREACHABLE within the connect timeout', async () => {
    const empty = info.subnet.replace(/\.0\/24$/, '.250');
    const started = Date.now();
    const error = await failure(
      connectHost(
        resolveConnectionTarget(
          'ghost',
          {
            ansible_host: empty,
            ansible_ssh_private_key_file: info.privateKey,
            ansible_timeout: 3,
            ansible_ssh_common_args: `-o UserKnownHostsFile=${info.knownHosts}`,
          },
          { env },
        ),
      ),
    );
    expect(error.code).toBe('SSH_UNREACHABLE');
    expect(error.message).toContain(empty);
    // A bound, not a speed target: it must give up near its timeout instead of hanging.
    expect(Date.now() - started).toBeLessThan(3000 + 5000);
  });

  it('a closed port is SSH_UNREACHABLE (connection refused)', async () => {
    const error = await failure(connect(info.nodes[0], { ansible_port: 2 }));
    expect(error.code).toBe('SSH_UNREACHABLE');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('the pool remembers a host that could not be reached and keeps the others', async () => {
    const vars: Record<string, Vars> = { good: varsOf(info.nodes[0]), bad: varsOf(info.nodes[0], { ansible_port: 2 }) };
    const pool = new ConnectionPool({ target: (host) => resolveConnectionTarget(host, vars[host], { env }) });
    try {
      const results = await pool.connectAll(['good', 'bad']);
      expect(results.get('good')).not.toBeInstanceOf(HoundError);
      const bad = results.get('bad') as HoundError;
      expect(bad.code).toBe('SSH_UNREACHABLE');
      expect(pool.unreachableHosts).toEqual(['bad']);
      await expect(pool.get('bad')).rejects.toBe(pool.unreachable('bad'));
    } finally {
      await pool.closeAll();
    }
  });

  it('a dropped connection fails cleanly (SSH_CONNECTION_CLOSED) and the pool reconnects on the next use', async () => {
    const node = info.nodes[1];
    const pool = new ConnectionPool({ target: (host) => resolveConnectionTarget(host, varsOf(node), { env }) });
    try {
      const first = await pool.get(node.name);
      // Kill the sshd process serving this session (not the listener), as a network cut would.
      await first.exec('kill -9 "$PPID"').catch(() => undefined);
      for (let i = 0; i < 50 && !first.isClosed; i++) await new Promise((r) => setTimeout(r, 100));
      expect(first.isClosed).toBe(true);
      expect((await failure(first.exec('true'))).code).toBe('SSH_CONNECTION_CLOSED');
      const second = await pool.get(node.name);
      expect(second).not.toBe(first);
      expect((await second.exec('echo back')).stdout).toBe('back\n');
    } finally {
      await pool.closeAll();
    }
  });

  it('stays up while its keepalives wait behind its own queued data, as long as the node sends something', async () => {
    // A busy link: what hound has queued on the connection (each channel may run 2 MiB
    // ahead of the node, on sshd's window) delays a keepalive's reply for seconds. The
    // node's window adjustments still arrive, so it is alive; ssh2's plain count dropped it.
    const node = info.nodes[2];
    execFileSync('tc', ['qdisc', 'add', 'dev', node.hostInterface, 'root', ...tbfArgs({ text: '4mbit', bitsPerSecond: 4e6 })]);
    let c: SshHostConnection | undefined;
    try {
      // 4 keepalives of 1 s unanswered drop a connection; three channels queue about 6 MiB, 12 s at 4 Mbit/s.
      c = await connectHost(resolveConnectionTarget(node.name, varsOf(node), { env }), { keepaliveIntervalMs: 1000 });
      const payload = randomBytes(3 * 1024 * 1024);
      const counted = await Promise.all(
        [0, 1, 2].map(async () => {
          const command = await c!.spawn('wc -c');
          let out = '';
          command.stdout.on('data', (d: Buffer) => (out += d.toString()));
          command.stdin.end(payload);
          return { code: (await command.done).code, bytes: out.trim() };
        }),
      );
      expect(counted).toEqual([0, 1, 2].map(() => ({ code: 0, bytes: String(payload.length) })));
      expect(c.isClosed).toBe(false);
    } finally {
      await c?.close();
      execFileSync('tc', ['qdisc', 'del', 'dev', node.hostInterface, 'root']);
    }
  });

  it('goes through a ProxyJump host: node2 sees the connection come from node1', async () => {
    const [jump, node] = [info.nodes[0], info.nodes[1]];
    const c = await connect(node, { ansible_ssh_common_args: `-o UserKnownHostsFile=${info.knownHosts} -J root@${jump.ip}` });
    try {
      expect(c.target.proxyJump.map((hop) => hop.address)).toEqual([jump.ip]);
      const result = await c.exec('echo "$SSH_CLIENT"; ip -o -4 addr show');
      expect(result.stdout.split(' ')[0]).toBe(jump.ip);
      expect(result.stdout).toContain(`inet ${node.ip}/`);
    } finally {
      await c.close();
    }
  });

  it('reads an Ansible-style `ProxyCommand=ssh -W %h:%p bastion` as the same jump', async () => {
    const [jump, node] = [info.nodes[0], info.nodes[2]];
    const c = await connect(node, { ansible_ssh_common_args: `-o UserKnownHostsFile=${info.knownHosts} -o ProxyCommand="ssh -W %h:%p -q root@${jump.ip}"` });
    try {
      expect((await c.exec('echo "$SSH_CLIENT"')).stdout.split(' ')[0]).toBe(jump.ip);
    } finally {
      await c.close();
    }
  });

  it('forwardRemote: a node reaches a handler on the controller at 127.0.0.1:PORT', async () => {
    const c = await connect(info.nodes[3]);
    const token = randomBytes(8).toString('hex');
    const server = http.createServer((req, res) => res.end(`${token} ${req.url}`));
    try {
      const forward = await c.forwardRemote(0, (stream: Duplex) => server.emit('connection', stream));
      expect(forward.port).toBeGreaterThan(0);
      const result = await c.exec(`curl -sS --max-time 10 http://127.0.0.1:${forward.port}/from-node`);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(`${token} /from-node`);
      await forward.close();
      const after = await c.exec(`curl -sS --max-time 5 http://127.0.0.1:${forward.port}/`);
      expect(after.code).not.toBe(0);
    } finally {
      server.close();
      await c.close();
    }
  });
});

describe('Docker over SSH', () => {
  const node = () => info.nodes[3];
  let connection: SshHostConnection;
  let docker: SshDocker;
  const registry = new RegistryClient({ dockerConfigPath: false });
  const ref = (name: string) => `${info.registry.ip}:${info.registry.port}/${name}:latest`;

  beforeAll(async () => {
    connection = await connect(node());
    docker = new SshDocker(connection, { socketPath: node().dockerSocket });
    // Start from an empty node so layer accounting is exact (other files may have pulled here).
    for (const image of await docker.listImages()) await docker.removeImage(image.id, { force: true });
    expect(await docker.listImages()).toEqual([]);
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('info: the node daemon, its data root and its insecure registries', async () => {
    const dockerInfo = await docker.info();
    expect(dockerInfo.os).toBe('linux');
    expect(dockerInfo.architecture).toBe(execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
    expect(dockerInfo.serverVersion).toMatch(/^\d+\./);
    expect(dockerInfo.dockerRootDir.length).toBeGreaterThan(1);
    expect(dockerInfo.insecureRegistries.some((entry) => entry === `${info.registry.ip}:${info.registry.port}` || entry.includes('/'))).toBe(true);
  });

  it('pulls with progress: bytes downloaded equal the registry layer sizes; inspect shows the registry digest', async () => {
    const image = ref('hound/app3');
    const resolved = await registry.resolveImage(image, { insecure: true });
    const progress: PullProgress[] = [];
    const result = await docker.pull(image, { onProgress: (p) => progress.push(p) });
    expect(result.bytesDownloaded).toBe(resolved.layers.reduce((sum, layer) => sum + layer.size, 0));
    expect(result.layersDownloaded).toBe(resolved.layers.length);
    expect(result.layersPresent).toBe(0);
    expect(result.digest).toBe(resolved.manifestDigest);
    expect(progress.some((p) => p.status === 'Downloading' && p.total !== undefined)).toBe(true);
    expect(new Set(progress.filter((p) => p.status === 'Pull complete').map((p) => p.id))).toEqual(new Set(resolved.layers.map((l) => l.digest.slice(7, 19))));

    const inspected = await docker.inspectImage(image);
    expect(inspected?.repoDigests).toContain(`${info.registry.ip}:${info.registry.port}/hound/app3@${resolved.manifestDigest}`);
    expect(inspected?.id).toBe(resolved.config.digest);
    expect(inspected?.layers).toEqual(resolved.diffIds);
    expect((await docker.listImages()).map((i) => i.id)).toContain(resolved.config.digest);
  });

  it('a second image sharing layers downloads only the new ones', async () => {
    const first = await registry.resolveImage(ref('hound/app3'), { insecure: true });
    const second = await registry.resolveImage(ref('hound/app5'), { insecure: true });
    const have = new Set(first.layers.map((l) => l.digest));
    const fresh = second.layers.filter((l) => !have.has(l.digest));
    const result = await docker.pull(ref('hound/app5'));
    expect(result.layersPresent).toBe(second.layers.length - fresh.length);
    expect(result.layersDownloaded).toBe(fresh.length);
    expect(result.bytesDownloaded).toBe(fresh.reduce((sum, l) => sum + l.size, 0));
  });

  it('pulls by digest with a platform, as apply does when it pins what was planned', async () => {
    const resolved = await registry.resolveImage(ref('hound/runtime-a'), { insecure: true });
    const pinned = `${info.registry.ip}:${info.registry.port}/hound/runtime-a@${resolved.manifestDigest}`;
    await docker.removeImage(ref('hound/runtime-a'), { force: true });
    const result = await docker.pull(pinned, { platform: 'linux/amd64' });
    expect(result.digest).toBe(resolved.manifestDigest);
    expect((await docker.inspectImage(pinned))?.id).toBe(resolved.config.digest);
  });

  it('the image list alone agrees with inspection on ids, tags, digests and time, an untagged image included', async () => {
    const inspected = await docker.listImages();
    const listed = await docker.listImageSummaries();
    // runtime-a was pulled by digest only: no tag, one repo digest (the list says <none>:<none>).
    const untagged = inspected.find((i) => i.repoTags.length === 0);
    expect(untagged?.repoDigests.length).toBeGreaterThan(0);
    const key = (i: { id: string; repoTags: string[]; repoDigests: string[] }) =>
      `${i.id} ${[...i.repoTags].sort().join(',')} ${[...i.repoDigests].sort().join(',')}`;
    expect(listed.map(key).sort()).toEqual(inspected.map(key).sort());
    for (const image of listed) {
      const full = inspected.find((i) => i.id === image.id)!;
      expect(image.layers).toEqual([]);
      expect(Math.floor(Date.parse(full.created) / 1000) * 1000).toBe(Date.parse(image.created));
    }
  });

  it('registry credentials given to a pull are never logged', async () => {
    const secret = 'Reg-' + randomBytes(6).toString('hex');
    const logged: string[] = [];
    const verbose = new SshDocker(connection, { socketPath: node().dockerSocket, logger: (_level, message) => logged.push(message) });
    await verbose.pull(ref('hound/base'), { auth: { serverAddress: `${info.registry.ip}:${info.registry.port}`, username: 'someone', password: secret } });
    expect(logged.some((m) => m.includes('with credentials'))).toBe(true);
    const everything = logged.join('\n');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(Buffer.from(secret).toString('base64').slice(0, 12));
  });

  it("a pull Docker refuses is DOCKER_PULL_FAILED with Docker's message", async () => {
    const error = await failure(docker.pull(ref('hound/does-not-exist')));
    expect(error.code).toBe('DOCKER_PULL_FAILED');
    expect(error.message).toMatch(/not found|manifest unknown|does not exist/i);
  });

  it('tags, removes, and reports absent images as undefined', async () => {
    await docker.tagImage(ref('hound/app3'), 'hound-test/copy', 'v1');
    expect((await docker.inspectImage('hound-test/copy:v1'))?.repoTags).toContain('hound-test/copy:v1');
    await docker.removeImage('hound-test/copy:v1');
    expect(await docker.inspectImage('hound-test/copy:v1')).toBeUndefined();
    await docker.removeImage(ref('hound/app5'));
    expect(await docker.inspectImage(ref('hound/app5'))).toBeUndefined();
    await docker.removeImage(ref('hound/app5'));
  });

  it('lists containers and reads free bytes of the data root as df does', async () => {
    expect(Array.isArray(await docker.listContainers())).toBe(true);
    const free = await docker.freeBytes();
    const { dockerRootDir } = await docker.info();
    // The node shares the controller's filesystem: the same df here must agree closely.
    const local = Number(execFileSync('df', ['-B1', '--output=avail', dockerRootDir], { encoding: 'utf8' }).trim().split('\n').pop());
    expect(free).toBeGreaterThan(0);
    expect(Math.abs(free - local)).toBeLessThan(local * 0.02 + 64 * 1024 * 1024);
  });

  it('an aborted pull rejects and leaves the connection usable', async () => {
    await docker.removeImage(ref('hound/runtime-b'), { force: true });
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(docker.pull(ref('hound/runtime-b'), { signal: controller.signal })).rejects.toThrow(/stop now|abort/i);
    expect((await docker.info()).os).toBe('linux');
  });

  it('loads a docker save tarball', async () => {
    const saved = join(scratch, 'app3.tar');
    execFileSync('docker', ['-H', `unix://${node().dockerSocket}`, 'save', '-o', saved, ref('hound/app3')]);
    await docker.removeImage(ref('hound/app3'), { force: true });
    const { createReadStream } = await import('node:fs');
    const loaded = await docker.loadImage(createReadStream(saved));
    expect(loaded).toContain(ref('hound/app3'));
    expect(await docker.inspectImage(ref('hound/app3'))).toBeDefined();
  });
});
