// `shell`: a command line run by /bin/sh (or `executable`) on the node, with pipes,
// redirections and variables. A templated value becomes shell code there: quote it with
// `{{ value | quote }}`. command (modules/command.ts) runs the same without a shell.
import { commandLineModule, type CommandLineArgs } from './command.js';
import { shellModule } from './schemas.js';
import { shlexQuote } from '../base/shlex.js';

export interface ShellArgs extends CommandLineArgs {
  cmd: string;
  executable?: string;
}

export const shell = commandLineModule<ShellArgs>(shellModule, (args) => {
  const argv = [args.executable ?? '/bin/sh', '-c', args.cmd];
  return { argv, shownCmd: args.cmd, shownLine: `${args.chdir ? `cd ${shlexQuote(args.chdir)} && ` : ''}${argv.map(shlexQuote).join(' ')}` };
});
