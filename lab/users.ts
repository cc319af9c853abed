// Login users other than root, for become (sudo) on the lab's nodes. The nodes share the
// machine's /etc/passwd, so the users are the machine's: created once, kept across labs
// (another lab may be using them), neither in the docker group. `hound-sudo` may sudo
// without a password; `hound-sudopw` must give its password (kept in LAB_ROOT/users.json,
// readable by root only), asked every time.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runCommand, tryCommand } from './host-command.js';
import { LAB_ROOT } from './naming.js';
import type { BinaryPaths } from './preflight.js';

export interface LabUsers {
  /** Logs in with the lab key; `sudo` without a password. Not in the docker group. */
  sudo: string;
  /** Logs in with the lab key; `sudo` asks for `password`. Not in the docker group. */
  sudoWithPassword: { name: string; password: string };
}

export const LAB_SUDO_USER = 'hound-sudo';
export const LAB_SUDO_PASSWORD_USER = 'hound-sudopw';
const SUDOERS_FILE = '/etc/sudoers.d/hound-lab';
const USERS_FILE = path.join(LAB_ROOT, 'users.json');

const SUDOERS = [
  '# Written by `hound lab up`: login users for become tests on the lab nodes.',
  `${LAB_SUDO_USER} ALL=(ALL:ALL) NOPASSWD: ALL`,
  `${LAB_SUDO_PASSWORD_USER} ALL=(ALL:ALL) ALL`,
  // Asked each time: a test of the password must not pass on a remembered one.
  `Defaults:${LAB_SUDO_PASSWORD_USER} timestamp_timeout=0`,
  '',
].join('\n');

/** Creates the users and their sudoers rules if missing; the same password as before if there is one. */
export async function ensureLabUsers(bins: BinaryPaths): Promise<LabUsers> {
  await mkdir(LAB_ROOT, { recursive: true, mode: 0o755 });
  const password = await labPassword();
  for (const name of [LAB_SUDO_USER, LAB_SUDO_PASSWORD_USER]) {
    if ((await tryCommand('getent', ['passwd', name])).code !== 0) {
      await runCommand(bins.useradd, ['--create-home', '--shell', '/bin/sh', name], { hint: 'hound lab needs to create login users (useradd, as root)' });
    }
  }
  // '*' is "no password" without locking the account (sshd refuses locked accounts' keys).
  await runCommand(bins.usermod, ['-p', '*', LAB_SUDO_USER]);
  await runCommand(bins.chpasswd, [], { input: `${LAB_SUDO_PASSWORD_USER}:${password}\n` });
  await writeFile(SUDOERS_FILE, SUDOERS, { mode: 0o440 });
  await runCommand(bins.visudo, ['-c', '-f', SUDOERS_FILE], { hint: 'the lab sudoers rules do not parse' });
  return { sudo: LAB_SUDO_USER, sudoWithPassword: { name: LAB_SUDO_PASSWORD_USER, password } };
}

async function labPassword(): Promise<string> {
  try {
    const saved = JSON.parse(await readFile(USERS_FILE, 'utf8')) as { password?: unknown };
    if (typeof saved.password === 'string' && saved.password !== '') return saved.password;
  } catch {
    // first lab on this machine
  }
  const password = randomBytes(12).toString('base64url');
  await writeFile(USERS_FILE, JSON.stringify({ password }) + '\n', { mode: 0o600 });
  return password;
}
