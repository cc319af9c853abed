// Privilege escalation (Ansible's `become`) on a host: a command runs as
//   sudo -H -S -n -p "[sudo via hound, key=ID] password:" -u USER /bin/sh -c 'echo BECOME-SUCCESS-ID; COMMAND'
// as Ansible's sudo plugin builds it. When a become password is known, `-n` is dropped and
// sudo's prompt (a unique one, so nothing else is taken for it) is answered on the command's
// own stdin (sudo -S reads one line there); everything before the marker line is sudo's,
// not the command's. The password is never part of a command line, a log line or an error.
import { randomBytes } from 'node:crypto';
import { Duplex, PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { TaskFailedError } from '../base/errors.js';
import { shlexQuote, shlexSplit } from '../base/shlex.js';
import type { TransportLogger } from './ssh-connection.js';
import type { HostConnection, RunningCommand } from './types.js';

/**
 * Where tasks start from before their own keywords and variables: ansible.cfg's
 * [privilege_escalation] section, then the command line (-b, --become-user, -K, ...).
 */
export interface PrivilegeEscalationDefaults {
  /** `become` (ansible.cfg) / `-b`: escalate every task unless it says otherwise. */
  become: boolean;
  /** `become_method` / `--become-method`. */
  becomeMethod: string;
  /** `become_user` / `--become-user`. */
  becomeUser: string;
  /** `become_flags`; undefined: the method's own default (sudo: `-H -S -n`). */
  becomeFlags?: string;
  /** `become_exe`; undefined: the method's name. */
  becomeExe?: string;
  /** `become_ask_pass` / `-K`: the CLI asks for the password once, before the run. */
  becomeAskPass: boolean;
  /** `become_allow_same_user`: escalate even when the login user is the become user. */
  becomeAllowSameUser: boolean;
}

export const DEFAULT_PRIVILEGE_ESCALATION: PrivilegeEscalationDefaults = Object.freeze({
  become: false,
  becomeMethod: 'sudo',
  becomeUser: 'root',
  becomeAskPass: false,
  becomeAllowSameUser: false,
});

/** The become methods hound implements (Ansible's `become_method`). */
export const BECOME_METHODS: readonly string[] = ['sudo'];
export const DEFAULT_SUDO_FLAGS = '-H -S -n';

/** How one task escalates on one host, resolved from defaults, keywords and variables. */
export interface BecomeSettings {
  method: 'sudo';
  user: string;
  flags: string;
  exe: string;
  /** ansible_become_password, -K or --become-password-file. Not enumerable: never serialised or logged. */
  readonly password?: string;
}

export function becomeSettings(fields: { user: string; flags?: string; exe?: string; password?: string }): BecomeSettings {
  const settings: BecomeSettings = { method: 'sudo', user: fields.user, flags: fields.flags ?? DEFAULT_SUDO_FLAGS, exe: fields.exe ?? 'sudo' };
  if (fields.password !== undefined) Object.defineProperty(settings, 'password', { value: fields.password, enumerable: false });
  return settings;
}

/** What tells connections and Docker clients apart: everything but the password. */
export function becomeKey(settings: BecomeSettings | undefined): string {
  return settings ? `${settings.method}:${settings.user}:${settings.flags}:${settings.exe}` : '';
}

export interface BecomeCommandLine {
  line: string;
  prompt: string;
  marker: string;
}

/** The command line that runs `command` under sudo, as Ansible's sudo become plugin builds it. */
export function becomeCommandLine(command: string, settings: BecomeSettings, id: string = randomId()): BecomeCommandLine {
  const marker = `BECOME-SUCCESS-${id}`;
  const prompt = `[sudo via hound, key=${id}] password:`;
  let flags = settings.flags;
  // As Ansible: with a password to give, sudo must be allowed to ask for it.
  if (settings.password !== undefined && flags.trim() !== '') {
    flags = shlexSplit(flags)
      .filter((flag) => flag !== '-n' && flag !== '--non-interactive')
      .map((flag) => (flag.startsWith('--') ? flag : flag.replace(/^(-\w*)n(\w*.*)$/, '$1$2')))
      .map(shlexQuote)
      .join(' ');
  }
  // The prompt is always set: without a password, seeing it means one is needed (never a hang).
  const words = [settings.exe, flags, `-p "${prompt}"`, `-u ${shlexQuote(settings.user)}`, `/bin/sh -c ${shlexQuote(`echo ${marker}; ${command}`)}`];
  return { line: words.filter((w) => w.trim() !== '').join(' '), prompt, marker };
}

function randomId(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return [...randomBytes(32)].map((b) => letters[b % letters.length]).join('');
}

/** The longest output sudo gives before the marker (its warnings and prompts); more means something else answered. */
const MAX_PREAMBLE_BYTES = 64 * 1024;

/**
 * Starts `command` on the connection under become and resolves once sudo has let it run:
 * its stdout then starts after the marker, and its stderr after sudo's own lines. Rejects
 * with a TaskFailedError saying why when sudo refuses (no password, a wrong one, not allowed).
 */
export async function spawnWithBecome(
  base: HostConnection,
  command: string,
  settings: BecomeSettings,
  options: { shownAs?: string; logger?: TransportLogger } = {},
): Promise<RunningCommand> {
  const { line, prompt, marker } = becomeCommandLine(command, settings);
  const shown = `${settings.exe} -u ${settings.user} … ${options.shownAs ?? command}`;
  const running = await base.spawn(line, { shownAs: shown });
  const host = base.host;
  return new Promise<RunningCommand>((resolve, reject) => {
    let stdoutSeen = Buffer.alloc(0);
    let stderrSeen = '';
    let promptsAnswered = 0;
    let settled = false;
    const fail = (error: TaskFailedError) => {
      if (settled) return;
      settled = true;
      running.kill();
      reject(error);
    };
    const onStderr = (chunk: Buffer) => {
      stderrSeen += chunk.toString('utf8');
      const prompts = stderrSeen.split(prompt).length - 1;
      if (prompts <= promptsAnswered) return;
      if (settings.password === undefined) return fail(missingPassword(host, settings));
      if (prompts > 1) return fail(incorrectPassword(host, settings));
      promptsAnswered = prompts;
      running.stdin.write(`${settings.password}\n`);
    };
    const onStdout = (chunk: Buffer) => {
      stdoutSeen = Buffer.concat([stdoutSeen, chunk]);
      const at = stdoutSeen.indexOf(`${marker}\n`);
      if (at < 0) {
        if (stdoutSeen.length > MAX_PREAMBLE_BYTES) fail(becomeFailed(host, settings, null, 'no sign that the command started'));
        return;
      }
      settled = true;
      // The command's own streams start here: its first bytes (after the marker), then the rest as it comes.
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const rest = stdoutSeen.subarray(at + marker.length + 1);
      if (rest.length > 0) stdout.write(rest);
      running.stdout.removeListener('data', onStdout);
      running.stderr.removeListener('data', onStderr);
      running.stdout.pipe(stdout);
      running.stderr.pipe(stderr);
      const preamble = stderrSeen.split(prompt).join('').trim();
      if (preamble !== '') options.logger?.(3, `become ${host}: sudo said: ${preamble}`);
      // Ended once its output has been handed on too, not just when the channel closed.
      const done = Promise.all([running.done, finished(stdout).catch(() => undefined), finished(stderr).catch(() => undefined)]).then(([end]) => end);
      resolve({ stdin: running.stdin, stdout, stderr, done, kill: () => running.kill() });
    };
    running.stdout.on('data', onStdout);
    running.stderr.on('data', onStderr);
    running.stdin.on('error', () => undefined);
    running.done.then(
      ({ code }) => {
        if (!settled) fail(refusal(host, settings, code, stderrSeen.split(prompt).join('').trim()));
      },
      (error: unknown) => fail(becomeFailed(host, settings, null, error instanceof Error ? error.message : String(error))),
    );
  });
}

/**
 * A byte stream to a unix socket on the host, opened as the become user: `docker system
 * dial-stdio` (the Docker CLI's own way to carry the API over stdio), else `socat`. What the
 * node needs: sudo, and the Docker CLI or socat.
 */
export async function openSocketWithBecome(base: HostConnection, socketPath: string, settings: BecomeSettings, logger?: TransportLogger): Promise<Duplex> {
  const path = shlexQuote(socketPath);
  const script =
    `if command -v docker >/dev/null 2>&1; then exec docker -H unix://${path} system dial-stdio; fi; ` +
    `if command -v socat >/dev/null 2>&1; then exec socat - UNIX-CONNECT:${path}; fi; ` +
    `echo 'hound: neither the docker CLI nor socat is installed here, and one is needed to reach ${socketPath.replace(/'/g, '')} through ${settings.exe}' >&2; exit 127`;
  const running = await spawnWithBecome(base, script, settings, { shownAs: `docker system dial-stdio (${socketPath})`, logger });
  const stream = Duplex.from({ readable: running.stdout, writable: running.stdin });
  let stderr = '';
  running.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (stderr.length > MAX_PREAMBLE_BYTES) stderr = stderr.slice(-MAX_PREAMBLE_BYTES);
  });
  running.done.then(
    ({ code }) => {
      if (code === 0 || stream.destroyed) return;
      const why = stderr.trim() || `exit ${code}`;
      logger?.(1, `become ${base.host}: the stream to ${socketPath} ended: ${why}`);
      stream.destroy(new TaskFailedError(base.host, 'BECOME_SOCKET_FAILED', `could not reach ${socketPath} as ${settings.user}: ${why}`));
    },
    () => undefined,
  );
  stream.once('close', () => running.kill());
  return stream;
}

const HINT_PASSWORD = 'give it with --ask-become-pass (-K), --become-password-file or ansible_become_password, or let the user run sudo without one (NOPASSWD)';

function missingPassword(host: string, settings: BecomeSettings): TaskFailedError {
  return new TaskFailedError(host, 'BECOME_PASSWORD_MISSING', `Missing ${settings.method} password (to become ${settings.user} on ${host})`, {
    hint: HINT_PASSWORD,
  });
}

function incorrectPassword(host: string, settings: BecomeSettings): TaskFailedError {
  return new TaskFailedError(host, 'BECOME_PASSWORD_INCORRECT', `Incorrect ${settings.method} password (to become ${settings.user} on ${host})`, {
    hint: 'check the become password (-K, --become-password-file or ansible_become_password)',
  });
}

function becomeFailed(host: string, settings: BecomeSettings, code: number | null, why: string): TaskFailedError {
  return new TaskFailedError(
    host,
    'BECOME_FAILED',
    `${settings.exe} could not run the command as ${settings.user} on ${host}${code === null ? '' : ` (exit ${code})`}: ${why}`,
    {
      hint: 'check sudo on the host (sudo -l as the login user)',
    },
  );
}

/** Why sudo ended before the command started, from what it printed. */
function refusal(host: string, settings: BecomeSettings, code: number | null, said: string): TaskFailedError {
  if (/a password is required|a terminal is required/.test(said)) return missingPassword(host, settings);
  if (/incorrect password attempt|Sorry, try again/.test(said)) return incorrectPassword(host, settings);
  if (/not in the sudoers file|is not allowed to (run|execute)|may not run sudo/.test(said)) {
    return new TaskFailedError(host, 'BECOME_NOT_ALLOWED', `the login user may not ${settings.exe} to ${settings.user} on ${host}: ${lastLine(said)}`, {
      hint: 'allow it in the host sudoers, or set become_user / remote_user to users that may',
    });
  }
  if (code === 127 && (said === '' || /not found/.test(said))) {
    return new TaskFailedError(host, 'BECOME_EXE_MISSING', `${settings.exe} is not installed on ${host}`, {
      hint: `install ${settings.method} there, or log in as a user that needs no become (remote_user / ansible_user)`,
    });
  }
  return becomeFailed(host, settings, code, said === '' ? 'it printed nothing' : lastLine(said));
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .at(-1) ?? text
  );
}
