// Command lines the runtime clients run through a node's shell (df, ctr, the podman service).
// The same quoting and the same stdin watcher as the command module (modules/command.ts, a
// room above this one, which cannot be imported from here): it should take them from here.

/** POSIX single-quote escaping: inside '…' nothing is special except ', written as '\''. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The POSIX sh script a long-running command runs under, as "$@": hound holds the channel's
 * stdin open while it runs (ExecOptions.holdStdin); when hound lets go, or dies, sshd closes
 * that stdin, `cat` (on fd 3) reads end-of-file, and the command gets SIGTERM. OpenSSH often
 * refuses the channel "signal" request, so closing the channel is all hound can count on.
 */
export const WATCHED_COMMAND =
  'exec 3<&0 </dev/null; "$@" 3<&- & c=$!; { cat <&3 >/dev/null 2>&1; kill -TERM "$c" 2>/dev/null; } >/dev/null 2>&1 & w=$!; exec 3<&-; wait "$c"; r=$?; kill "$w" 2>/dev/null; exit "$r"';

/** `argv` under WATCHED_COMMAND, as one command line. */
export function watchedCommandLine(argv: string[]): string {
  return `exec sh -c ${shellQuote(WATCHED_COMMAND)} hound-command ${argv.map(shellQuote).join(' ')}`;
}
