// Security through the built `hound play` on the shared lab: host keys checked against
// known_hosts (unknown refused unless accept-new, changed always refused with OpenSSH's
// warning), nothing a playbook or -e says can run code on the controller or inject shell
// on a node, and secrets never reach any byte hound prints, with any reporter, at -vvv:
// passwords, no_log values, a credential helper's output and the tokens a registry's token
// server issues (to hound and to the nodes' Docker).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import type { LabInfo } from '../../lab/index.js';
import type { SshHostConnection } from '../../transport/ssh-connection.js';
import { connect } from './runtime-helpers.js';
import { startRelay } from '../../relay/relay.js';
import { hound, jsonEvents } from '../fixtures/play/helpers.js';
import { startTokenServer } from '../fixtures/registry/token-server.js';
import { createPassStore } from '../fixtures/registry/pass-store.js';
import type { TaskResultEvent } from '../../core/events.js';
import { readTestLab } from '../fixtures/test-lab.js';

let lab: LabInfo;
let dir: string;
/** Files a successful injection would create; none may exist after any test. */
const canaries: string[] = [];

beforeAll(async () => {
  lab = await readTestLab();
  dir = mkdtempSync(path.join(tmpdir(), 'hound-security-'));
});

afterAll(() => {
  for (const c of canaries) rmSync(c, { force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A path under /tmp that nothing creates unless an injection worked (nodes share the controller's /tmp). */
function canary(): string {
  const file = `/tmp/hound-pwned-${randomBytes(6).toString('hex')}`;
  canaries.push(file);
  return file;
}

/** An inventory of node1 alone whose known_hosts is `knownHosts` (a file in the work dir). */
function inventoryWithKnownHosts(knownHosts: string): string {
  const n = lab.nodes[0];
  const file = path.join(dir, `hosts-${path.basename(knownHosts)}.ini`);
  writeFileSync(
    file,
    [
      '[nodes]',
      `node1 ansible_host=${n.ip} ansible_user=root ansible_ssh_private_key_file=${lab.privateKey}`,
      '[nodes:vars]',
      `ansible_ssh_common_args='-o UserKnownHostsFile=${knownHosts}'`,
      `lab_registry=${lab.registry.ip}:${lab.registry.port}`,
      '',
    ].join('\n'),
  );
  return file;
}

function play(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const TRIVIAL = `- hosts: nodes\n  tasks:\n    - name: reach the node\n      command:\n        argv: [echo, reached-the-node]\n`;

describe('host keys', () => {
  const labKeyOfNode1 = () =>
    readFileSync(lab.knownHosts, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${lab.nodes[0].ip} `))!;

  it('an unknown host key is refused by default and nothing is written to known_hosts', async () => {
    const kh = path.join(dir, 'kh-empty');
    writeFileSync(kh, '');
    const r = await hound(['play', play('trivial.yml', TRIVIAL), '-i', inventoryWithKnownHosts(kh), '--reporter', 'plain'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/UNREACHABLE!.*authenticity of host \S+ can't be established: ED25519 key fingerprint is SHA256:/);
    expect(readFileSync(kh, 'utf8')).toBe('');
  });

  it('--host-key-checking=accept-new connects to an unknown host and records its key, as OpenSSH does', async () => {
    const kh = path.join(dir, 'kh-accept');
    writeFileSync(kh, '');
    const r = await hound(
      ['play', play('trivial.yml', TRIVIAL), '-i', inventoryWithKnownHosts(kh), '--reporter', 'plain', '--host-key-checking=accept-new'],
      dir,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [, type, key] = labKeyOfNode1().split(' ');
    expect(readFileSync(kh, 'utf8')).toBe(`${lab.nodes[0].ip} ${type} ${key}\n`);
    // and the next run, with the default policy, now matches it.
    const again = await hound(['play', 'trivial.yml', '-i', inventoryWithKnownHosts(kh), '--reporter', 'plain'], dir);
    expect(again.code).toBe(0);
  });

  it("a changed host key is refused with OpenSSH's warning, even with accept-new", async () => {
    const kh = path.join(dir, 'kh-changed');
    // node2's real key written down for node1's address: what a man in the middle would present.
    const otherKey = readFileSync(lab.knownHosts, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${lab.nodes[1].ip} `))!
      .split(' ')
      .slice(1)
      .join(' ');
    writeFileSync(kh, `${lab.nodes[0].ip} ${otherKey}\n`);
    for (const policy of [[], ['--host-key-checking=accept-new']]) {
      const r = await hound(['play', play('trivial.yml', TRIVIAL), '-i', inventoryWithKnownHosts(kh), '--reporter', 'plain', ...policy], dir);
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect(r.stdout).toContain('WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!');
      expect(r.stdout).toContain(`Offending ED25519 key in ${kh}:1`);
      expect(r.stdout).toContain('Host key verification failed.');
      expect(r.stdout).not.toContain('reached-the-node');
      expect(readFileSync(kh, 'utf8')).toBe(`${lab.nodes[0].ip} ${otherKey}\n`);
    }
  });
});

describe('no code runs where it should not', () => {
  it('an image name with a shell command in it creates nothing on the node', async () => {
    const pwned = canary();
    const text = `- hosts: nodes\n  tasks:\n    - name: evil image name\n      image:\n        name: "{{ lab_registry }}/hound/base:latest; touch ${pwned}"\n    - name: evil image name from a variable\n      image:\n        name: "{{ evil }}"\n`;
    const r = await hound(
      [
        'play',
        '--distribution',
        'direct',
        play('evil-image.yml', text),
        '-i',
        lab.inventory,
        '--reporter',
        'plain',
        '-e',
        JSON.stringify({ evil: `$(touch ${pwned})` }),
      ],
      dir,
    );
    expect([2, 4]).toContain(r.code);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(existsSync(pwned)).toBe(false);
  });

  it('command arguments and templated variables stay data: $(…), ; and | do not run', async () => {
    const pwned = [canary(), canary(), canary()];
    const text = [
      '- hosts: node1',
      '  tasks:',
      '    - name: argv element with a substitution',
      '      command:',
      `        argv: [echo, "$(touch ${pwned[0]})"]`,
      '      register: argv_out',
      '    - name: cmd with a variable holding shell',
      '      command:',
      '        cmd: "echo {{ evil }}"',
      '      register: cmd_out',
      '    - debug:',
      '        msg: "{{ argv_out.stdout }} / {{ cmd_out.stdout }}"',
      '',
    ].join('\n');
    const evil = `$(touch ${pwned[1]}); touch ${pwned[2]} | cat`;
    const r = await hound(
      ['play', '--distribution', 'direct', play('evil-command.yml', text), '-i', lab.inventory, '--json', '-e', JSON.stringify({ evil })],
      dir,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const results = jsonEvents(r.stdout).filter((e): e is TaskResultEvent => e.event === 'task_result');
    // The words came back verbatim, as data.
    expect(results.at(-1)!.msg).toBe(`$(touch ${pwned[0]}) / ${evil}`);
    for (const p of pwned) expect(existsSync(p), p).toBe(false);
  });

  it("template expressions cannot reach the controller's process, modules or globals", async () => {
    const pwned = canary();
    const attempts = [
      `{{ range.constructor("return process.mainModule.require('child_process').execSync('touch ${pwned}')")() }}`,
      `{{ ''.constructor.constructor("return process")().mainModule.require('child_process').execSync('touch ${pwned}') }}`,
      `{{ cycler.constructor.constructor("return process")().exit(7) }}`,
      `{{ lipsum.__globals__ }}`,
      `{{ joiner.constructor.constructor("return this")().process.exit(7) }}`,
    ];
    for (const expression of attempts) {
      const text = `- hosts: node1\n  tasks:\n    - debug:\n        msg: ${JSON.stringify(expression)}\n`;
      const r = await hound(['play', '--distribution', 'direct', play('evil-template.yml', text), '-i', lab.inventory, '--reporter', 'plain'], dir);
      // Refused as a template error (or rendered as harmless text), never run, never a crash.
      expect([0, 2, 4], `${expression}\n${r.stdout}${r.stderr}`).toContain(r.code);
      expect(r.stdout + r.stderr, expression).not.toMatch(/\n\s+at .+:\d+:\d+|unexpected internal error/);
      expect(existsSync(pwned), expression).toBe(false);
    }
  });
});

describe('secrets', () => {
  it('registry passwords, no_log results and -e secrets never appear in any output, with any reporter, at -vvv', async () => {
    const secret = (label: string) => `${label}-${randomBytes(9).toString('base64url')}`;
    const registryPassword = secret('regpw');
    const commandSecret = secret('cmd');
    const debugSecret = secret('dbg');
    const text = [
      '- hosts: node1',
      '  tasks:',
      '    - name: log in',
      '      registry_login:',
      '        registry: "{{ lab_registry }}"',
      '        username: warmer',
      '        password: "{{ registry_password }}"',
      '    - name: pull with the credentials',
      '      image:',
      '        name: "{{ lab_registry }}/hound/base:latest"',
      '    - name: a command given a secret',
      '      command:',
      '        argv: [echo, "token={{ command_secret }}"]',
      '      no_log: true',
      '      register: said',
      '    - name: print what a no_log task registered',
      '      debug:',
      '        msg: "{{ debug_secret }} {{ said.stdout }}"',
      '      no_log: true',
      '    - name: a failing no_log command',
      '      command:',
      '        argv: [sh, -c, "echo {{ command_secret }} >&2; exit 3"]',
      '      no_log: true',
      '      ignore_errors: true',
      '',
    ].join('\n');
    play('secrets.yml', text);
    const extraVars = ['-e', `registry_password=${registryPassword}`, '-e', JSON.stringify({ command_secret: commandSecret, debug_secret: debugSecret })];
    for (const reporter of ['plain', 'json', 'tty']) {
      const r = await hound(
        ['play', '--distribution', 'direct', 'secrets.yml', '-i', lab.inventory, '-vvv', '--reporter', reporter, '--diff', ...extraVars],
        dir,
        { FORCE_COLOR: '0' },
      );
      expect(r.code, `${reporter}\n${r.stdout}${r.stderr}`).toBe(0);
      const everything = r.stdout + r.stderr;
      // The run did print about these tasks, just not the secrets.
      expect(everything, reporter).toMatch(/a command given a secret/);
      for (const s of [registryPassword, commandSecret, debugSecret]) {
        expect(everything.includes(s), `${reporter} printed ${s.split('-')[0]}`).toBe(false);
        // nor in a form one step away: base64 (as in Docker's X-Registry-Auth) or JSON-escaped.
        expect(everything.includes(Buffer.from(s).toString('base64').slice(0, 16)), `${reporter} base64`).toBe(false);
      }
    }
  });

  it('vaulted values (a vars file ansible-vault encrypted, an inline !vault) and the vault password never appear, even unmarked no_log, at -vvv', async () => {
    const secret = (label: string) => `${label}-${randomBytes(9).toString('base64url')}`;
    const vaultPassword = secret('vaultpw');
    const fileSecret = secret('vfile');
    const inlineSecret = secret('vinline');
    const passwordFile = path.join(dir, 'vault-pass.txt');
    writeFileSync(passwordFile, `${vaultPassword}\n`);
    // The real ansible-vault writes both, as a user of Ansible would have them.
    const ansibleEnv = { ...process.env, ANSIBLE_CONFIG: path.join(dir, 'none.cfg') };
    const vaultedFile = path.join(dir, 'vaulted-vars.yml');
    writeFileSync(vaultedFile, `file_secret: ${fileSecret}\n`);
    execFileSync('ansible-vault', ['encrypt', '--vault-password-file', passwordFile, vaultedFile], { env: ansibleEnv });
    expect(readFileSync(vaultedFile, 'utf8')).toMatch(/^\$ANSIBLE_VAULT;1\.1;AES256\n/);
    const inline = execFileSync('ansible-vault', ['encrypt_string', '--vault-password-file', passwordFile, '--name', 'inline_secret', inlineSecret], {
      env: ansibleEnv,
      encoding: 'utf8',
    });
    const text = [
      '- hosts: node1',
      '  gather_facts: false',
      '  vars_files: [vaulted-vars.yml]',
      '  vars:',
      ...inline
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`),
      '  tasks:',
      '    - name: print the vaulted values',
      '      debug:',
      '        msg: "file {{ file_secret }} inline {{ inline_secret }}"',
      '    - name: a command given a vaulted value',
      '      command:',
      '        argv: [echo, "token={{ inline_secret }}"]',
      '      register: said',
      '    - name: print what it registered',
      '      debug:',
      '        var: said',
      '    - name: set a fact from a vaulted value',
      '      set_fact:',
      '        derived: "{{ file_secret }}"',
      '    - name: fail with a vaulted value in the message',
      '      fail:',
      '        msg: "bad {{ derived }}"',
      '      ignore_errors: true',
      '',
    ].join('\n');
    play('vaulted.yml', text);
    for (const reporter of ['plain', 'json', 'tty']) {
      const r = await hound(
        ['play', '--distribution', 'direct', 'vaulted.yml', '-i', lab.inventory, '-vvv', '--reporter', reporter, '--vault-password-file', passwordFile],
        dir,
        {
          FORCE_COLOR: '0',
        },
      );
      expect(r.code, `${reporter}\n${r.stdout}${r.stderr}`).toBe(0);
      const everything = r.stdout + r.stderr;
      // The run did print about these tasks (the live view only their counts), just not the secrets.
      expect(everything, reporter).toMatch(reporter === 'tty' ? /ok=5 +changed=1 .*ignored=1/ : /print what it registered/);
      for (const s of [vaultPassword, fileSecret, inlineSecret]) {
        expect(everything.includes(s), `${reporter} printed ${s.split('-')[0]}`).toBe(false);
        expect(everything.includes(Buffer.from(s).toString('base64').slice(0, 16)), `${reporter} base64`).toBe(false);
      }
    }
    // The values did reach the node: the command ran with the decrypted text (its output masked).
    const json = await hound(['play', '--distribution', 'direct', 'vaulted.yml', '-i', lab.inventory, '--json', '--vault-password-file', passwordFile], dir);
    const said = jsonEvents(json.stdout).find((e): e is TaskResultEvent => e.event === 'task_result' && e.task === 'a command given a vaulted value')!;
    expect(JSON.stringify(said.result)).toContain('token=********');
    // A wrong password: one error naming the file and the place of the first value it cannot open (here the
    // playbook's inline !vault), exit 1 as in ansible-playbook, no stack trace, nothing of either password.
    writeFileSync(path.join(dir, 'wrong-pass.txt'), 'not-the-password\n');
    const wrong = await hound(
      ['play', '--distribution', 'direct', 'vaulted.yml', '-i', lab.inventory, '-vvv', '--vault-password-file', path.join(dir, 'wrong-pass.txt')],
      dir,
    );
    expect(wrong.code, wrong.stdout + wrong.stderr).toBe(1);
    expect(wrong.stderr).toMatch(/VAULT_DECRYPT_FAILED: \S*vaulted\.yml:\d+:\d+: decryption failed/);
    expect(wrong.stdout + wrong.stderr).not.toMatch(/\n\s+at /);
    for (const s of [vaultPassword, fileSecret, inlineSecret, 'not-the-password']) expect((wrong.stdout + wrong.stderr).includes(s)).toBe(false);
  });
});

describe('secrets from credential helpers and token servers', () => {
  it("a credential helper's output and every token and refresh token the registry's token server issues never appear, with any reporter, at -vvv", async () => {
    const [tokens, pass] = await Promise.all([startTokenServer(lab), createPassStore()]);
    try {
      // An identity token in the helper, as `docker login` leaves one: the refresh-token grant, then access tokens.
      const login = await new Promise<{ refresh_token: string }>((resolve, reject) => {
        const request = https.request(
          tokens.url,
          { method: 'POST', ca: readFileSync(lab.secure.caCert), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
          (response) => {
            let body = '';
            response.setEncoding('utf8').on('data', (c: string) => (body += c));
            response.on('end', () => resolve(JSON.parse(body) as { refresh_token: string }));
          },
        );
        request.on('error', reject);
        request.end(
          new URLSearchParams({
            grant_type: 'password',
            username: lab.secure.username,
            password: lab.secure.password,
            service: lab.secure.token.service,
            client_id: 'test',
            access_type: 'offline',
          }).toString(),
        );
      });
      await pass.store(lab.secure.token.host, '<token>', login.refresh_token);
      const env = { ...pass.env, DOCKER_CONFIG: pass.dockerConfig({ credsStore: 'pass' }), FORCE_COLOR: '0' };
      const text = [
        '- hosts: node1',
        '  tasks:',
        '    - name: log in with the credential helper',
        '      registry_login:',
        '        registry: "{{ lab_token_registry }}"',
        '        from_docker_config: true',
        '    - name: pull from the token registry',
        '      image:',
        '        name: "{{ lab_token_registry }}/hound/app9:latest"',
        '        state: latest',
        '',
      ].join('\n');
      play('helper-secrets.yml', text);
      for (const reporter of ['plain', 'json', 'tty']) {
        const r = await hound(['play', '--distribution', 'direct', 'helper-secrets.yml', '-i', lab.inventory, '-vvv', '--reporter', reporter], dir, env);
        expect(r.code, `${reporter}\n${r.stdout}${r.stderr}`).toBe(0);
        const everything = r.stdout + r.stderr;
        expect(everything, reporter).toMatch(/log in with the credential helper|node1: ok=2/);
        expect(tokens.issued.length).toBeGreaterThan(1);
        for (const secret of [login.refresh_token, ...tokens.issued]) {
          expect(everything.includes(secret), `${reporter} printed a token`).toBe(false);
          expect(everything.includes(Buffer.from(secret).toString('base64').slice(0, 16)), `${reporter} printed a token, base64`).toBe(false);
          // a JWT's signature alone is enough to replay nothing, but its payload is what a log leak shows
          const payload = secret.split('.')[1];
          if (payload) expect(everything.includes(payload), `${reporter} printed a token's claims`).toBe(false);
        }
      }
    } finally {
      await Promise.all([tokens.close(), pass.close()]);
    }
  });
});

describe('the relay', () => {
  const connectNode = (i: number): Promise<SshHostConnection> => connect(lab, lab.nodes[i]);
  /** TCP sockets this process listens on, from the kernel's own table. */
  const ownListeners = () =>
    execFileSync('ss', ['-Hltnp'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(`pid=${process.pid},`));

  it('is reachable only from the nodes of the run, on their loopback, and only until it closes; the controller opens no port', async () => {
    const [member, outsider] = await Promise.all([connectNode(0), connectNode(1)]);
    const curl = (c: SshHostConnection, url: string) => c.exec(`curl -s --max-time 5 -o /dev/null -w '%{http_code}' ${url}`);
    try {
      const listenersBefore = ownListeners();
      const relay = startRelay({ origins: [{ host: `${lab.registry.ip}:${lab.registry.port}`, plainHttp: true }] });
      const { port } = await relay.attach(member);
      expect(ownListeners()).toEqual(listenersBefore);
      expect((await curl(member, `http://127.0.0.1:${port}/v2/`)).stdout).toBe('200');
      // A node that is not part of the run has no way in: not on its loopback, not over the LAN.
      expect((await curl(outsider, `http://127.0.0.1:${port}/v2/`)).stdout).toBe('000');
      expect((await curl(outsider, `http://${lab.nodes[0].ip}:${port}/v2/`)).stdout).toBe('000');
      await relay.close();
      // Once the run is over the member's forward is gone too.
      expect((await curl(member, `http://127.0.0.1:${port}/v2/`)).stdout).toBe('000');
      expect(ownListeners()).toEqual(listenersBefore);
    } finally {
      await Promise.all([member.close(), outsider.close()]);
    }
  });
});
