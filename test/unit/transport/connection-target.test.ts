import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveConnectionTarget, runtimeTargetOf } from '../../../transport/connection-target.js';
import { HoundError } from '../../../base/errors.js';
import { SshConfigFile } from '../../../transport/ssh-config.js';

const dir = mkdtempSync(join(tmpdir(), 'hound-target-'));
const key = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, 'not a real key, only its existence matters here');
  return path;
};
const varKey = key('var_key');
const argKey = key('arg_key');
const cfgKey = key('cfg_key');
const cliKey = key('cli_key');
const env = {};

const sshConfig = SshConfigFile.parse(`
Host 10.0.0.*
  User cfguser
  Port 2200
  IdentityFile ${cfgKey}
  ConnectTimeout 3
Host alias1
  HostName 10.0.0.5
Host bastion
  HostName 10.0.0.100
  User jumper
`);

describe('resolveConnectionTarget', () => {
  it('defaults: current user, port 22, 10 s, docker socket, known_hosts in ~/.ssh, strict checking', () => {
    const t = resolveConnectionTarget('n1', {}, { env });
    expect(t).toMatchObject({
      host: 'n1',
      address: 'n1',
      port: 22,
      user: userInfo().username,
      proxyJump: [],
      knownHostsFiles: [join(homedir(), '.ssh', 'known_hosts')],
      hostKeyPolicy: 'yes',
      connectTimeoutMs: 10_000,
      dockerSocket: '/var/run/docker.sock',
    });
    expect(t.agentSocket).toBeUndefined();
  });

  it('inventory vars beat ssh args, which beat the command line, which beats ssh config', () => {
    const vars = {
      ansible_host: '10.0.0.7',
      ansible_port: 2022,
      ansible_user: 'varuser',
      ansible_ssh_private_key_file: varKey,
      ansible_ssh_common_args: `-o User=arguser -p 3000 -i ${argKey} -o ConnectTimeout=6`,
      hound_docker_socket: '/run/alt.sock',
    };
    const t = resolveConnectionTarget('n1', vars, { sshConfig, env, commandLine: { user: 'cliuser', privateKeyFile: cliKey, timeoutSeconds: 9 } });
    expect(t.address).toBe('10.0.0.7');
    expect(t.port).toBe(2022);
    expect(t.user).toBe('varuser');
    expect(t.identityFiles).toEqual([varKey, argKey, cliKey, cfgKey]);
    expect(t.connectTimeoutMs).toBe(6000);
    expect(t.dockerSocket).toBe('/run/alt.sock');

    const argsOnly = resolveConnectionTarget(
      'n1',
      { ansible_host: '10.0.0.7', ansible_ssh_extra_args: '-o User=arguser -p 3000' },
      { sshConfig, env, commandLine: { user: 'cliuser' } },
    );
    expect([argsOnly.user, argsOnly.port, argsOnly.connectTimeoutMs]).toEqual(['arguser', 3000, 3000]);
    const cliOnly = resolveConnectionTarget('n1', { ansible_host: '10.0.0.7' }, { sshConfig, env, commandLine: { user: 'cliuser' } });
    expect([cliOnly.user, cliOnly.port]).toEqual(['cliuser', 2200]);
    const configOnly = resolveConnectionTarget('n1', { ansible_host: '10.0.0.7' }, { sshConfig, env });
    expect([configOnly.user, configOnly.identityFiles]).toEqual(['cfguser', [cfgKey]]);
  });

  it('ssh config is matched on ansible_host (what ssh is given), and HostName replaces it', () => {
    const t = resolveConnectionTarget('web', { ansible_host: 'alias1' }, { sshConfig, env });
    expect(t.address).toBe('10.0.0.5');
    expect(t.host).toBe('web');
  });

  it('hound_* connection vars win over their ansible_* twins', () => {
    const t = resolveConnectionTarget(
      'n1',
      {
        ansible_host: '10.9.9.9',
        hound_host: '10.0.0.7',
        ansible_port: 22,
        hound_port: 2222,
        ansible_user: 'a',
        hound_user: 'h',
        ansible_ssh_private_key_file: argKey,
        hound_ssh_private_key_file: varKey,
      },
      { env },
    );
    expect(t).toMatchObject({ address: '10.0.0.7', port: 2222, user: 'h' });
    expect(t.identityFiles[0]).toBe(varKey);
  });

  it('hound_docker_socket may be written as a unix:// URL', () => {
    expect(resolveConnectionTarget('n', { hound_docker_socket: 'unix:///run/user/1000/docker.sock' }, { env }).dockerSocket).toBe('/run/user/1000/docker.sock');
  });

  it('key files that do not exist are left out', () => {
    const t = resolveConnectionTarget('n1', { ansible_ssh_private_key_file: join(dir, 'absent') }, { env });
    expect(t.identityFiles).toEqual([]);
  });

  it('host key policy: args, config, and Ansible host_key_checking=false', () => {
    expect(
      resolveConnectionTarget('n', { ansible_ssh_common_args: '-o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=/tmp/kh' }, { env }),
    ).toMatchObject({ hostKeyPolicy: 'accept-new', knownHostsFiles: ['/tmp/kh'] });
    expect(resolveConnectionTarget('n', { ansible_host_key_checking: false }, { env }).hostKeyPolicy).toBe('no');
    expect(resolveConnectionTarget('n', {}, { env: { ANSIBLE_HOST_KEY_CHECKING: 'False' } }).hostKeyPolicy).toBe('no');
  });

  it('ProxyJump hops are resolved through ssh config and inventory vars, and share the key files and policy', () => {
    const inventory: Record<string, Record<string, unknown>> = { node1: { ansible_host: '10.0.0.1', ansible_user: 'root' } };
    const t = resolveConnectionTarget(
      'node2',
      {
        ansible_host: '10.0.0.2',
        ansible_ssh_private_key_file: varKey,
        ansible_ssh_common_args: '-J node1,admin@bastion:2201 -o StrictHostKeyChecking=accept-new',
      },
      { sshConfig, env, inventoryVars: (h) => inventory[h] },
    );
    expect(t.proxyJump).toHaveLength(2);
    expect(t.proxyJump[0]).toMatchObject({ host: 'node1', address: '10.0.0.1', user: 'root', port: 2200, hostKeyPolicy: 'accept-new' });
    expect(t.proxyJump[0].identityFiles).toEqual([cfgKey, varKey]);
    expect(t.proxyJump[1]).toMatchObject({ host: 'bastion', address: '10.0.0.100', user: 'admin', port: 2201 });
  });

  it('passwords are carried (for ssh2) but left out when a target is printed or serialised', () => {
    const inventory: Record<string, Record<string, unknown>> = { jump: { ansible_ssh_pass: 'hop-secret' } };
    const t = resolveConnectionTarget('n', { ansible_password: 's3cret', ansible_ssh_common_args: '-J jump' }, { env, inventoryVars: (h) => inventory[h] });
    expect(t.password).toBe('s3cret');
    expect(t.proxyJump[0].password).toBe('hop-secret');
    const shown = JSON.stringify(t) + inspect(t, { depth: 5 }) + JSON.stringify({ ...t });
    expect(shown).not.toContain('s3cret');
    expect(shown).not.toContain('hop-secret');
  });

  it('rejects a bad port with a clear code', () => {
    expect(() => resolveConnectionTarget('n', { ansible_port: 'abc' }, { env })).toThrow(/not a port/);
  });
});

describe('runtimeTargetOf (hound_container_runtime and the socket variables)', () => {
  it('auto when nothing is named, and the sockets the vars name, unix:// stripped', () => {
    expect(runtimeTargetOf('n', {})).toEqual({ setting: 'auto', sockets: {} });
    expect(runtimeTargetOf('n', { hound_container_runtime: 'auto', hound_podman_socket: 'unix:///run/user/1000/podman/podman.sock' })).toEqual({
      setting: 'auto',
      sockets: { podman: '/run/user/1000/podman/podman.sock' },
    });
  });

  it('one socket variable alone names its runtime; two leave it to auto; the setting wins, in any case', () => {
    expect(runtimeTargetOf('n', { hound_docker_socket: '/run/d.sock' }).setting).toBe('docker');
    expect(runtimeTargetOf('n', { hound_crio_socket: '/run/crio/crio.sock' }).setting).toBe('cri-o');
    expect(runtimeTargetOf('n', { hound_docker_socket: '/a', hound_containerd_socket: '/b' })).toEqual({
      setting: 'auto',
      sockets: { docker: '/a', containerd: '/b' },
    });
    expect(runtimeTargetOf('n', { hound_container_runtime: 'Containerd', hound_docker_socket: '/a' }).setting).toBe('containerd');
  });

  it('an unknown runtime is an options error naming the host and the choices', () => {
    let error: unknown;
    try {
      runtimeTargetOf('node7', { hound_container_runtime: 'rkt' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HoundError);
    expect(error).toMatchObject({ code: 'RUNTIME_SETTING_INVALID', message: expect.stringContaining('node7') as unknown });
    expect((error as HoundError).hint).toContain('docker, containerd, cri-o, podman, auto');
  });

  it('resolveConnectionTarget carries it', () => {
    expect(resolveConnectionTarget('n', { hound_container_runtime: 'podman' }, { env }).runtime).toEqual({ setting: 'podman', sockets: {} });
  });
});
