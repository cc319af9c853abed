// Login users other than root, for become (sudo) on the lab's nodes. The nodes share the
// machine's /etc/passwd, so the users are the machine's: created once, kept across labs
// (another lab may be using them), neither in the docker group. `hound-sudo` may sudo
// without a password; `hound-sudopw` must give its password (kept in LAB_ROOT/users.json,
// readable by root only), asked every time.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runCommand, tryCommand } from './host-command.js';
import { withHostLock } from './host-lock.js';
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
const USERS_LOCK = path.join(LAB_ROOT, '.users.lock');

const SUDOERS = [
  '# Written by `hound lab up`: login users for become tests on the lab nodes.',
  `${LAB_SUDO_USER} ALL=(ALL:ALL) NOPASSWD: ALL`,
  `${LAB_SUDO_PASSWORD_USER} ALL=(ALL:ALL) ALL`,
  // Asked each time: a test of the password must not pass on a remembered one.
  `Defaults:${LAB_SUDO_PASSWORD_USER} timestamp_timeout=0`,
  '',
].join('\n');

/**
 * Creates the users and their sudoers rules if missing; the same password as before if there
 * is one. The account files are rewritten only when something is missing: useradd, usermod
 * and chpasswd replace /etc/passwd and /etc/shadow by a rename, and the kernel then detaches
 * every bind mount over /etc/passwd in other mount namespaces, so a podman node of a live lab
 * (which binds its own passwd, with its rootless user, there) lost that user whenever
 * another lab came up: seen as play-runtimes' rootless login refused mid-run.
 * One lab at a time: two labs coming up together on a fresh machine both saw the users missing
 * and the second useradd failed; both would also have made a password of their own.
 */
export async function ensureLabUsers(bins: BinaryPaths): Promise<LabUsers> {
  await mkdir(LAB_ROOT, { recursive: true, mode: 0o755 });
  return withHostLock(USERS_LOCK, () => ensureLabUsersHoldingLock(bins));
}

async function ensureLabUsersHoldingLock(bins: BinaryPaths): Promise<LabUsers> {
  const saved = await labUsersFile();
  for (const name of [LAB_SUDO_USER, LAB_SUDO_PASSWORD_USER]) {
    if ((await tryCommand('getent', ['passwd', name])).code !== 0) {
      await runCommand(bins.useradd, ['--create-home', '--shell', '/bin/sh', name], { hint: 'hound lab needs to create login users (useradd, as root)' });
    }
  }
  // '*' is "no password" without locking the account (sshd refuses locked accounts' keys).
  if (shadowPasswordField(await readFile('/etc/shadow', 'utf8'), LAB_SUDO_USER) !== '*') await runCommand(bins.usermod, ['-p', '*', LAB_SUDO_USER]);
  // The hash chpasswd wrote last time (salted: it cannot be recomputed) tells that the password is still set.
  const hash = shadowPasswordField(await readFile('/etc/shadow', 'utf8'), LAB_SUDO_PASSWORD_USER);
  if (hash === undefined || hash !== saved.hash) {
    await runCommand(bins.chpasswd, [], { input: `${LAB_SUDO_PASSWORD_USER}:${saved.password}\n` });
    await saveLabUsersFile({ password: saved.password, hash: shadowPasswordField(await readFile('/etc/shadow', 'utf8'), LAB_SUDO_PASSWORD_USER) });
  }
  await writeFile(SUDOERS_FILE, SUDOERS, { mode: 0o440 });
  await runCommand(bins.visudo, ['-c', '-f', SUDOERS_FILE], { hint: 'the lab sudoers rules do not parse' });
  return { sudo: LAB_SUDO_USER, sudoWithPassword: { name: LAB_SUDO_PASSWORD_USER, password: saved.password } };
}

/** A user's password field in shadow(5) text; undefined when the user has no entry. */
export function shadowPasswordField(shadow: string, user: string): string | undefined {
  for (const line of shadow.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === user && fields.length > 1) return fields[1];
  }
  return undefined;
}

interface LabUsersFile {
  password: string;
  /** hound-sudopw's shadow field as chpasswd last wrote it. */
  hash?: string;
}

async function labUsersFile(): Promise<LabUsersFile> {
  try {
    const saved = JSON.parse(await readFile(USERS_FILE, 'utf8')) as { password?: unknown; hash?: unknown };
    if (typeof saved.password === 'string' && saved.password !== '')
      return { password: saved.password, ...(typeof saved.hash === 'string' ? { hash: saved.hash } : {}) };
  } catch {
    // first lab on this machine
  }
  const created = { password: randomBytes(12).toString('base64url') };
  await saveLabUsersFile(created);
  return created;
}

async function saveLabUsersFile(file: LabUsersFile): Promise<void> {
  await writeFile(USERS_FILE, JSON.stringify(file) + '\n', { mode: 0o600 });
}
