// `raw`: a command line run as SSH runs it, by the SSH user's login shell on the node
// (or by `executable -c`), without a tty. Ansible uses it where Python is missing; hound
// needs no Python anywhere, so it is `shell` run by another shell.
import { commandLineModule, type CommandLineArgs } from './command.js';
import { rawModule } from './schemas.js';
import { shlexQuote } from '../base/shlex.js';

export interface RawArgs extends CommandLineArgs {
  cmd: string;
  executable?: string;
}

/** Runs $2 with the login shell sshd put in $SHELL, as SSH itself would run the line. */
const LOGIN_SHELL = 'exec "${SHELL:-/bin/sh}" -c "$1"';

const module = commandLineModule<RawArgs>(rawModule, (args) => {
  const argv = args.executable !== undefined ? [args.executable, '-c', args.cmd] : ['/bin/sh', '-c', LOGIN_SHELL, 'raw', args.cmd];
  return { argv, shownCmd: args.cmd, shownLine: args.executable !== undefined ? argv.map(shlexQuote).join(' ') : args.cmd };
});

export const raw: typeof module = {
  ...module,
  // As Ansible's raw action: it does not run in check mode.
  checkResult: () => ({
    status: 'skipped',
    msg: 'check mode not supported for this module',
    bytes: 0,
    data: { msg: 'check mode not supported for this module' },
  }),
};
