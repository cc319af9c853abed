// `command`: run a command on the node. `argv` is quoted for a POSIX shell so every
// element arrives as one argument; `cmd` is split as Ansible's command module splits it
// (shlex) and each word quoted the same way: no shell features, so a templated variable
// holding `$(…)`, `;` or `|` stays one literal argument instead of running on the node.
import { EXIT, HoundError } from '../base/errors.js';
import { shlexSplit, ShlexError } from '../base/shlex.js';
import { commandModule } from './schemas.js';
import type { NodeModule } from './implementation.js';

export interface CommandArgs {
  cmd?: string;
  argv?: string[];
  creates?: string;
  removes?: string;
  chdir?: string;
  changed?: boolean;
}

export interface CommandFacts {
  createsExists?: boolean;
  removesExists?: boolean;
}

/** POSIX single-quote escaping: inside '…' nothing is special except ', written as '\''. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The POSIX sh script the command's words run under, as "$@". OpenSSH often refuses the
 * channel "signal" request ("session signalling requires privilege separation", e.g. for
 * root logins), so closing the channel was all hound could do when it stopped, and the
 * command went on running on the node. Here hound holds the channel's stdin open while it
 * waits (ExecOptions.holdStdin); when it aborts, or dies, sshd closes that stdin, `cat` (on
 * fd 3, since a background list's own stdin is /dev/null) reads end-of-file, and the command
 * gets SIGTERM. The command reads /dev/null, as it did before, and its exit code is the
 * script's. When the command ends first, the watcher is killed; its `cat` ends at the
 * channel's close.
 */
export const WATCHED_COMMAND =
  'exec 3<&0 </dev/null; "$@" 3<&- & c=$!; { cat <&3 >/dev/null 2>&1; kill -TERM "$c" 2>/dev/null; } >/dev/null 2>&1 & w=$!; exec 3<&-; wait "$c"; r=$?; kill "$w" 2>/dev/null; exit "$r"';

/** The command as the user reads it (plans, -vvv): its words, quoted, after any `cd`. */
export function commandLine(args: CommandArgs): string {
  return inDirectory(args, quotedWords(args));
}

/** What runs on the node: the same words under WATCHED_COMMAND. */
export function watchedCommandLine(args: CommandArgs): string {
  return inDirectory(args, `exec sh -c ${shellQuote(WATCHED_COMMAND)} hound-command ${quotedWords(args)}`);
}

function quotedWords(args: CommandArgs): string {
  return (args.argv ?? splitCommand(args.cmd!)).map(shellQuote).join(' ');
}

function inDirectory(args: CommandArgs, body: string): string {
  return args.chdir ? `cd ${shellQuote(args.chdir)} && ${body}` : body;
}

function splitCommand(cmd: string): string[] {
  try {
    return shlexSplit(cmd);
  } catch (err) {
    if (!(err instanceof ShlexError)) throw err;
    throw new HoundError('COMMAND_UNPARSABLE', `cannot split the command ${JSON.stringify(cmd)} into words: ${err.message}`, EXIT.HOST_FAILED, {
      hint: 'close the quote, or give the words as argv: [...]',
    });
  }
}

async function pathExists(ctx: Parameters<NodeModule<CommandArgs, CommandFacts>['gather']>[1], path: string): Promise<boolean> {
  const conn = await ctx.connection();
  const r = await conn.exec(`test -e ${shellQuote(path)}`, { signal: ctx.signal });
  return r.code === 0;
}

export const command: NodeModule<CommandArgs, CommandFacts> = {
  kind: 'node',
  definition: commandModule,

  async gather(args, ctx) {
    return {
      createsExists: args.creates === undefined ? undefined : await pathExists(ctx, args.creates),
      removesExists: args.removes === undefined ? undefined : await pathExists(ctx, args.removes),
    };
  },

  plan(facts, args) {
    if (facts.createsExists === true) return [{ kind: 'none', reason: `skipped, since ${args.creates} exists` }];
    if (facts.removesExists === false) return [{ kind: 'none', reason: `skipped, since ${args.removes} does not exist` }];
    return [{ kind: 'run', command: commandLine(args), reason: 'run' }];
  },

  async apply(action, args, ctx) {
    if (action.kind !== 'run') return { changed: false, bytes: 0, msg: action.reason };
    const conn = await ctx.connection();
    ctx.detail(3, `exec: ${action.command}`);
    const started = Date.now();
    const r = await conn.exec(watchedCommandLine(args), { signal: ctx.signal, holdStdin: true, shownAs: `${action.command} (under hound's watcher)` });
    const rc = r.code ?? -1;
    const data = {
      cmd: args.argv ?? args.cmd,
      rc,
      stdout: r.stdout.replace(/\n$/, ''),
      stderr: r.stderr.replace(/\n$/, ''),
      stdout_lines: r.stdout.split('\n').filter((l, i, all) => i < all.length - 1 || l !== ''),
      stderr_lines: r.stderr.split('\n').filter((l, i, all) => i < all.length - 1 || l !== ''),
      delta_s: (Date.now() - started) / 1000,
    };
    if (rc !== 0) {
      const why = r.signal ? `killed by signal ${r.signal}` : `non-zero return code ${rc}`;
      const tail = data.stderr ? `: ${data.stderr.split('\n').slice(-3).join(' | ')}` : '';
      return { changed: args.changed ?? true, failed: true, bytes: 0, msg: `${why}${tail}`, data };
    }
    return { changed: args.changed ?? true, bytes: 0, msg: data.stdout.split('\n').slice(-1)[0] ?? '', data };
  },
};
