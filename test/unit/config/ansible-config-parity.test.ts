// hound's reading of ansible.cfg and ANSIBLE_* against the real `ansible-config dump`
// (ansible-core 2.14): for every real ansible.cfg of the corpus (test/fixtures/corpus/ansible-cfg,
// origins beside each), alone and under ANSIBLE_* variables that override each setting, and for
// the ways Ansible finds its file (ANSIBLE_CONFIG, ./ansible.cfg, a world-writable folder,
// ~/.ansible.cfg), every Ansible setting hound reads has Ansible's value and origin
// (command line > environment > file > default). The few defaults hound chooses otherwise are
// listed below with the reason.
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HoundConfig } from '../../../config/config.js';
import { SETTINGS, type SettingValue } from '../../../config/definitions.js';

const root = path.resolve(__dirname, '../../..');
const corpus = path.join(root, 'test/fixtures/corpus/ansible-cfg');
const work = mkdtempSync(path.join(tmpdir(), 'hound-cfg-parity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** hound's names that are settings of Ansible's ssh connection plugin, not base settings. */
const SSH_PLUGIN: Record<string, string> = {
  SSH_ARGS: 'ssh_args',
  SSH_COMMON_ARGS: 'ssh_common_args',
  SSH_EXTRA_ARGS: 'ssh_extra_args',
  // The plugin's own reading (also [ssh_connection] and ANSIBLE_SSH_HOST_KEY_CHECKING) is the one that acts.
  HOST_KEY_CHECKING: 'host_key_checking',
};

/** Defaults hound chooses otherwise, on purpose (docs/ansible-compatibility.md says so). */
const OWN_DEFAULTS: Record<string, string> = {
  DEFAULT_FORKS: 'hound works on every host of a batch at once (at most 50) unless told; Ansible 5',
  DEFAULT_GATHER_TIMEOUT: "Ansible's None means the setup module's own default, 10 s, which hound shows",
};

const ANSIBLE_NAMES = SETTINGS.filter((s) => !s.name.startsWith('HOUND_')).map((s) => s.name);

interface Reading {
  value: unknown;
  origin: string;
}

/** An environment with nothing of this machine's Ansible in it: HOME is a fresh folder. */
function cleanEnv(home: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ANSIBLE_') && !k.startsWith('HOUND_')) env[k] = v;
  return { ...env, HOME: home, ANSIBLE_NOCOLOR: '1', ...extra };
}

function runAnsibleConfig(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ansible-config', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`ansible-config ${args.join(' ')}: exit ${code}\n${err}`))));
  });
}

/** `ansible-config dump` (base settings and the ssh plugin's) in `cwd` under `env`: hound's names → value, origin. */
async function ansibleDump(cwd: string, env: NodeJS.ProcessEnv): Promise<{ file: unknown; settings: Map<string, Reading> }> {
  const [base, ssh] = await Promise.all([
    runAnsibleConfig(['dump', '--format', 'json'], cwd, env),
    runAnsibleConfig(['dump', '-t', 'connection', 'ssh', '--format', 'json'], cwd, env),
  ]);
  const byName = new Map((JSON.parse(base) as ({ name: string } & Reading)[]).map((s) => [s.name, { value: s.value, origin: s.origin }]));
  const plugin = new Map(
    (JSON.parse(ssh) as Record<string, ({ name: string } & Reading)[]>[])[0].ssh.map((s) => [s.name, { value: s.value, origin: s.origin }] as const),
  );
  const settings = new Map<string, Reading>();
  for (const name of ANSIBLE_NAMES) {
    const reading = SSH_PLUGIN[name] ? plugin.get(SSH_PLUGIN[name]) : byName.get(name);
    if (reading) settings.set(name, reading);
  }
  return { file: byName.get('CONFIG_FILE')?.value ?? null, settings };
}

const json = (v: SettingValue) => (v === undefined ? null : v);

/** Every difference between hound's reading and Ansible's, one line each. */
async function compare(cwd: string, home: string, extra: NodeJS.ProcessEnv = {}): Promise<{ compared: number; differences: string[]; file: unknown }> {
  const env = cleanEnv(home, extra);
  const theirs = await ansibleDump(cwd, env);
  const ours = HoundConfig.load({ env, cwd, home });
  const differences: string[] = [];
  if ((ours.file ?? null) !== theirs.file) differences.push(`CONFIG_FILE: ${ours.file} vs ${String(theirs.file)}`);
  for (const name of ANSIBLE_NAMES) {
    const their = theirs.settings.get(name);
    if (!their) {
      differences.push(`${name}: not a setting of ansible-config`);
      continue;
    }
    const our = ours.get(name);
    if (our.origin !== their.origin) differences.push(`${name}: origin ${our.origin} vs ${their.origin}`);
    else if (!(our.origin === 'default' && name in OWN_DEFAULTS) && JSON.stringify(json(our.value)) !== JSON.stringify(their.value))
      differences.push(`${name} (${our.origin}): ${JSON.stringify(json(our.value))} vs ${JSON.stringify(their.value)}`);
  }
  return { compared: ANSIBLE_NAMES.length, differences, file: theirs.file };
}

/** ANSIBLE_* values that differ from every file of the corpus, one per setting hound reads. */
const OVERRIDES: NodeJS.ProcessEnv = {
  ANSIBLE_INVENTORY: 'inv/hosts.ini, ~/more/hosts.yml',
  ANSIBLE_REMOTE_USER: 'deploy',
  ANSIBLE_PRIVATE_KEY_FILE: '~/.ssh/warm_key',
  ANSIBLE_REMOTE_PORT: '2222',
  ANSIBLE_FORKS: '17',
  ANSIBLE_TIMEOUT: '42',
  ANSIBLE_HOST_KEY_CHECKING: 'yes',
  ANSIBLE_ROLES_PATH: 'roles:/opt/roles:$HOME/roles',
  ANSIBLE_VAULT_PASSWORD_FILE: 'secrets/vault-pass.txt',
  ANSIBLE_VAULT_IDENTITY_LIST: 'dev@dev.txt, prod@prompt',
  ANSIBLE_VAULT_ID_MATCH: 'True',
  ANSIBLE_VAULT_ENCRYPT_IDENTITY: 'prod',
  ANSIBLE_ASK_VAULT_PASS: 'no',
  ANSIBLE_GATHERING: 'explicit',
  ANSIBLE_GATHER_SUBSET: '!all,network',
  ANSIBLE_GATHER_TIMEOUT: '30',
  ANSIBLE_CACHE_PLUGIN: 'memory',
  ANSIBLE_INJECT_FACT_VARS: 'False',
  ANSIBLE_SSH_ARGS: '-o ControlMaster=no -o "ProxyJump=bastion"',
  ANSIBLE_SSH_COMMON_ARGS: '-o ConnectTimeout=5',
  ANSIBLE_SSH_EXTRA_ARGS: '-o ServerAliveInterval=7',
  ANSIBLE_BECOME: '1',
  ANSIBLE_BECOME_METHOD: 'su',
  ANSIBLE_BECOME_USER: 'admin',
  ANSIBLE_BECOME_ASK_PASS: 'off',
  ANSIBLE_BECOME_FLAGS: '-H -S -n',
  ANSIBLE_BECOME_EXE: 'doas',
};

/**
 * Not from a repository: one file with every key hound reads (the corpus has 8 of them), in the
 * forms configparser accepts (`:`, inline `;` comments, a continuation line, [DEFAULT]), so each
 * key is also compared as read from a file.
 */
const EVERY_KEY = `# every key hound reads
[DEFAULT]
timeout = 33

[defaults]
inventory = hosts.ini,../shared/hosts.yml
remote_user: ops
private_key_file = ~/.ssh/id_warm
remote_port = 2200
forks = 12 ; twelve at once
host_key_checking = False
roles_path = ./roles:$HOME/roles:
  /srv/roles
vault_password_file = ./vault-pass
vault_identity_list = dev@./dev-pass , prod@prompt
vault_id_match = yes
vault_encrypt_identity = dev
ask_vault_pass = false
gathering = smart
gather_subset = !all,hardware
gather_timeout = 20
fact_caching = jsonfile
inject_facts_as_vars = False

[ssh_connection]
ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o User=other
ssh_common_args = -o ProxyJump=jump
ssh_extra_args = -o ConnectTimeout=3

[privilege_escalation]
become = True
become_method = sudo
become_user = app
become_ask_pass = True
become_flags = -H -S
become_exe = /usr/local/bin/sudo

[hound]
pulls_per_host = 2
`;

const corpusFiles = readdirSync(corpus, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** Each case in its own folder: a HOME without .ansible.cfg, and a working folder. */
function caseDir(name: string): { cwd: string; home: string } {
  const cwd = path.join(work, name, 'project');
  const home = path.join(work, name, 'home');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(home, { recursive: true });
  return { cwd, home };
}

const figures = { cases: 0, compared: 0 };
afterAll(() => {
  process.stderr.write(`[ansible-config] ${figures.cases} cases, ${figures.compared} settings compared with ansible-config dump\n`);
});

describe('ansible.cfg and ANSIBLE_* as ansible-config dump reads them', { timeout: 300_000 }, () => {
  it('the corpus has the 7 files and every one names its origin', () => {
    expect(corpusFiles.length).toBeGreaterThanOrEqual(7);
    for (const entry of corpusFiles) {
      const origin = JSON.parse(readFileSync(path.join(corpus, entry, 'origin.json'), 'utf8')) as Record<string, unknown>;
      expect(origin, entry).toMatchObject({
        repository: expect.any(String),
        paths: [expect.stringMatching(/ansible\.cfg$/)],
        commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      });
    }
  });

  for (const entry of corpusFiles) {
    for (const [label, extra] of [
      ['the file alone', {}],
      ['every setting overridden by ANSIBLE_*', OVERRIDES],
    ] as const) {
      it(`${entry}: ${label}`, async () => {
        const { cwd, home } = caseDir(`${entry}-${extra === OVERRIDES ? 'env' : 'file'}`);
        const file = path.join(corpus, entry, 'ansible.cfg');
        const r = await compare(cwd, home, { ...extra, ANSIBLE_CONFIG: file });
        expect(r.file).toBe(file);
        expect(r.differences).toEqual([]);
        figures.cases++;
        figures.compared += r.compared;
      });
    }
  }

  it('a file with every key hound reads, and the same under ANSIBLE_*', async () => {
    const { cwd, home } = caseDir('every-key');
    const file = path.join(cwd, 'conf', 'every.cfg');
    mkdirSync(path.dirname(file));
    writeFileSync(file, EVERY_KEY);
    for (const extra of [{}, OVERRIDES]) {
      const r = await compare(cwd, home, { ...extra, ANSIBLE_CONFIG: file });
      expect(r.differences).toEqual([]);
      figures.cases++;
      figures.compared += r.compared;
    }
  });

  it('found as Ansible finds it: ./ansible.cfg, then ~/.ansible.cfg; ANSIBLE_CONFIG naming a folder', async () => {
    const { cwd, home } = caseDir('search');
    cpSync(path.join(corpus, 'kubespray', 'ansible.cfg'), path.join(cwd, 'ansible.cfg'));
    cpSync(path.join(corpus, 'ceph-ansible', 'ansible.cfg'), path.join(home, '.ansible.cfg'));
    const inCwd = await compare(cwd, home);
    expect(inCwd.file).toBe(path.join(cwd, 'ansible.cfg'));
    expect(inCwd.differences).toEqual([]);
    const elsewhere = await compare(home, home);
    expect(elsewhere.file).toBe(path.join(home, '.ansible.cfg'));
    expect(elsewhere.differences).toEqual([]);
    const folder = await compare(home, home, { ANSIBLE_CONFIG: cwd });
    expect(folder.file).toBe(path.join(cwd, 'ansible.cfg'));
    expect(folder.differences).toEqual([]);
    figures.cases += 3;
    figures.compared += inCwd.compared + elsewhere.compared + folder.compared;
  });

  it('a world-writable working folder is not a config source, as in Ansible (and says so)', async () => {
    const { cwd, home } = caseDir('world-writable');
    cpSync(path.join(corpus, 'kubespray', 'ansible.cfg'), path.join(cwd, 'ansible.cfg'));
    chmodSync(cwd, 0o777);
    const r = await compare(cwd, home);
    expect(r.file).toBeNull();
    expect(r.differences).toEqual([]);
    expect(HoundConfig.load({ env: cleanEnv(home, {}), cwd, home }).warnings.join('\n')).toMatch(/world writable directory/);
    figures.cases++;
    figures.compared += r.compared;
  });
});
