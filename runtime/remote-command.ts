// Command lines run through a node's shell (df, ctr, the podman service, fan-out seeds, and
// the command module's commands): the stdin watcher that stops them when hound lets go.
import { shlexQuote } from '../base/shlex.js';

/**
 * The POSIX sh script a long-running command runs under, as "$@". OpenSSH often refuses the
 * channel "signal" request ("session signalling requires privilege separation", e.g. for
 * root logins), so closing the channel is all hound can count on to stop a command. hound
 * holds the channel's stdin open while it waits (ExecOptions.holdStdin); when it aborts, or
 * dies, sshd closes that stdin, `cat` (on fd 3, since a background list's own stdin is
 * /dev/null) reads end-of-file, and the command gets SIGTERM (and, with `afterwards`, SIGKILL
 * 5 s later if it is still there). The command reads /dev/null,
 * and its exit code is the script's. When the command ends first, the watcher is killed; its
 * `cat` ends at the channel's close. `afterwards` (watchedCommandLine) runs once the command
 * has ended, however it ended, before the script exits.
 */
function watchedScript(afterwards?: string): string {
  // With `afterwards`, a client still there 5 s after its SIGTERM gets SIGKILL, so that
  // `afterwards` runs: `docker start --attach` passes a SIGTERM on as a kill request, and one
  // that comes before the container runs is lost, leaving the client attached to it for good
  // (CI at 67aff8e: a seed ran on after hound's SIGKILL, the script waiting on its client).
  const stop = afterwards === undefined ? 'kill -TERM "$c" 2>/dev/null' : 'kill -TERM "$c" 2>/dev/null; sleep 5; kill -KILL "$c" 2>/dev/null';
  return [
    'exec 3<&0 </dev/null',
    '"$@" 3<&- & c=$!',
    `{ cat <&3 >/dev/null 2>&1; ${stop}; } >/dev/null 2>&1 & w=$!`,
    'exec 3<&-',
    'wait "$c"; r=$?',
    'kill "$w" 2>/dev/null',
    ...(afterwards === undefined ? [] : [`{ ${afterwards}; } >/dev/null 2>&1`]),
    'exit "$r"',
  ].join('; ');
}

export const WATCHED_COMMAND = watchedScript();

/**
 * `argv` under WATCHED_COMMAND, as one command line. `afterwards` is a shell line run when the
 * command has ended, for a command that is only a client of what must stop with it: the
 * SIGTERM ends the client, and `afterwards` ends the rest (a fan-out seed's container: the
 * `docker start --attach` client cannot be counted on to pass the signal on, see
 * relay/seed-node.ts).
 */
export function watchedCommandLine(argv: string[], afterwards?: string): string {
  return `exec sh -c ${shlexQuote(watchedScript(afterwards))} hound-command ${argv.map(shlexQuote).join(' ')}`;
}
