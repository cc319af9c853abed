// `command`: run a program on the node. `argv` is quoted for a POSIX shell so every
// element arrives as one argument; `cmd` is split as Ansible's command module splits it
// (shlex) and each word quoted the same way: no shell features, so a templated variable
// holding `$(…)`, `;` or `|` stays one literal argument instead of running on the node.
// shell (modules/shell.ts) and raw (modules/raw.ts) run their line through a shell, with the
// same runner, stdin handling and results, shaped as Ansible's command module returns them.
import { EXIT, HoundError } from '../base/errors.js';
import { shlexSplit, ShlexError, shlexQuote } from '../base/shlex.js';
import { WATCHED_COMMAND } from '../runtime/remote-command.js';
import { commandModule } from './schemas.js';
import type { Action, ActionOutcome, ModuleContext, ModuleResult, NodeModule } from './implementation.js';

export interface CommandLineArgs {
  creates?: string;
  removes?: string;
  chdir?: string;
  stdin?: string;
  stdin_add_newline?: boolean;
  strip_empty_ends?: boolean;
  changed?: boolean;
}

export interface CommandArgs extends CommandLineArgs {
  cmd?: string;
  argv?: string[];
}

export interface CommandFacts {
  createsExists?: boolean;
  removesExists?: boolean;
}

/**
 * WATCHED_COMMAND's watcher (runtime/remote-command.ts) for a command given `stdin`: the channel's first $1 bytes are the
 * command's input, read whole (`head -c`, which reads no further) before the watcher starts
 * on what follows; the rest of the channel stays open as the watch. The input passes through
 * a shell variable and the `printf` builtin: it never appears in a command line on the node.
 */
export const WATCHED_COMMAND_WITH_STDIN =
  'n=$1; shift; exec 3<&0 </dev/null; d=$(head -c "$n" <&3; echo x); d=${d%x}; printf %s "$d" | "$@" 3<&- & c=$!; { cat <&3 >/dev/null 2>&1; kill -TERM "$c" 2>/dev/null; } >/dev/null 2>&1 & w=$!; exec 3<&-; wait "$c"; r=$?; kill "$w" 2>/dev/null; exit "$r"';

/** The command as the user reads it (plans, -vvv): its words, quoted, after any `cd`. */
export function commandLine(args: CommandArgs): string {
  return inDirectory(args.chdir, quotedWords(commandWords(args)));
}

/** What runs on the node: the words under WATCHED_COMMAND (or its stdin variant, given the input's length in bytes). */
export function watchedCommandLine(args: Pick<CommandArgs, 'cmd' | 'argv' | 'chdir'>, stdinBytes?: number): string {
  const words = quotedWords(commandWords(args));
  const body =
    stdinBytes === undefined
      ? `exec sh -c ${shlexQuote(WATCHED_COMMAND)} hound-command ${words}`
      : `exec sh -c ${shlexQuote(WATCHED_COMMAND_WITH_STDIN)} hound-command ${stdinBytes} ${words}`;
  return inDirectory(args.chdir, body);
}

/** The program and its arguments: `argv`, or `cmd` split as ansible's command module splits it. */
export function commandWords(args: Pick<CommandArgs, 'cmd' | 'argv'>): string[] {
  return args.argv ?? splitCommand(args.cmd!);
}

function quotedWords(words: string[]): string {
  return words.map(shlexQuote).join(' ');
}

function inDirectory(chdir: string | undefined, body: string): string {
  return chdir ? `cd ${shlexQuote(chdir)} && ${body}` : body;
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

/**
 * A path pattern as one word of a POSIX shell in which only `*`, `?` and `[…]` are special,
 * so `creates: /opt/app-*` matches as Ansible's glob.glob does and nothing else expands.
 */
export function globWord(pattern: string): string {
  return [...pattern].map((c) => ('*?[]'.includes(c) ? c : c === '\n' ? "'\n'" : `\\${c}`)).join('');
}

async function pathMatches(ctx: ModuleContext, pattern: string): Promise<boolean> {
  const conn = await ctx.connection();
  const r = await conn.exec(`for f in ${globWord(pattern)}; do if [ -e "$f" ] || [ -L "$f" ]; then exit 0; fi; done; exit 1`, { signal: ctx.signal });
  return r.code === 0;
}

/** creates/removes, read on the node (patterns, as Ansible's glob.glob reads them). */
export async function gatherCommandFacts(args: CommandLineArgs, ctx: ModuleContext): Promise<CommandFacts> {
  return {
    createsExists: args.creates === undefined ? undefined : await pathMatches(ctx, args.creates),
    removesExists: args.removes === undefined ? undefined : await pathMatches(ctx, args.removes),
  };
}

/** Run the line, or say why not (as ansible's command module words it). */
export function planCommandLine(facts: CommandFacts, args: CommandLineArgs, shown: string, check: boolean): Action[] {
  const shoulda = check ? 'Would' : 'Did';
  if (facts.createsExists === true) return [{ kind: 'none', reason: `${shoulda} not run command since '${args.creates}' exists` }];
  if (facts.removesExists === false) return [{ kind: 'none', reason: `${shoulda} not run command since '${args.removes}' does not exist` }];
  return [{ kind: 'run', command: shown, reason: 'run' }];
}

/** The registered value when creates/removes skipped the command, as Ansible's command module returns it. */
function notRunOutcome(action: Action): ActionOutcome {
  const since = action.reason.replace(/^(Did|Would) not run command since /, '').replace(/'/g, '');
  return { changed: false, bytes: 0, msg: action.reason, data: { rc: 0, stdout: `skipped, since ${since}`, stderr: '', msg: action.reason } };
}

/** Ansible's datetime text: `2026-12-01 10:00:00.123456`, local time. */
function ansibleTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000, 6)}`;
}

/** Ansible's timedelta text: `0:00:01.503000`. */
function ansibleDelta(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}.${pad((ms % 1000) * 1000, 6)}`;
}

function lines(text: string): string[] {
  return text === '' ? [] : text.split(/\r?\n/);
}

/**
 * Runs `argv` on the node under the watcher, with `stdin` if given, and returns what Ansible's
 * command module returns: cmd, rc, stdout, stderr (trailing newlines stripped unless
 * strip_empty_ends is false), their _lines, start, end, delta, msg.
 */
export async function runCommandLine(
  argv: string[],
  shownCmd: string | string[],
  args: CommandLineArgs,
  ctx: ModuleContext,
  shownLine: string,
): Promise<ActionOutcome> {
  const conn = await ctx.connection();
  const input = args.stdin === undefined ? undefined : args.stdin + (args.stdin_add_newline === false ? '' : '\n');
  const line = watchedCommandLine({ argv, chdir: args.chdir }, input === undefined ? undefined : Buffer.byteLength(input));
  ctx.detail(3, `exec: ${shownLine}`);
  const started = Date.now();
  const r = await conn.exec(line, { signal: ctx.signal, holdStdin: true, stdin: input, shownAs: `${shownLine} (under hound's watcher)` });
  const ended = Date.now();
  const strip = (text: string) => (args.strip_empty_ends === false ? text : text.replace(/[\r\n]+$/, ''));
  const stdout = strip(r.stdout);
  const stderr = strip(r.stderr);
  const rc = r.code ?? -1;
  const data: Record<string, unknown> = {
    cmd: shownCmd,
    rc,
    stdout,
    stderr,
    stdout_lines: lines(stdout),
    stderr_lines: lines(stderr),
    start: ansibleTime(started),
    end: ansibleTime(ended),
    delta: ansibleDelta(ended - started),
    msg: rc === 0 ? '' : 'non-zero return code',
  };
  if (rc !== 0) {
    const why = r.signal ? `killed by signal ${r.signal}` : `non-zero return code ${rc}`;
    const tail = stderr ? `: ${stderr.split('\n').slice(-3).join(' | ')}` : '';
    return { changed: args.changed ?? true, failed: true, bytes: 0, msg: `${why}${tail}`, data };
  }
  return { changed: args.changed ?? true, bytes: 0, msg: stdout.split('\n').slice(-1)[0] ?? '', data };
}

/** Check mode, as ansible's command module: a command with neither creates nor removes is skipped. */
export function checkCommandLine(actions: Action[], args: CommandLineArgs): ModuleResult | undefined {
  if (actions[0]?.kind !== 'run') return undefined;
  const msg = 'Command would have run if not in check mode';
  if (args.creates === undefined && args.removes === undefined) return { status: 'skipped', msg, bytes: 0, data: { rc: 0, msg } };
  return { status: 'changed', msg, bytes: 0, data: { rc: 0, msg } };
}

/** A module that runs one command line: command, shell and raw differ only in the words they run. */
export function commandLineModule<Args extends CommandLineArgs>(
  definition: NodeModule<Args, CommandFacts>['definition'],
  words: (args: Args) => { argv: string[]; shownCmd: string | string[]; shownLine: string },
): NodeModule<Args, CommandFacts> {
  return {
    kind: 'node',
    definition,
    gather: (args, ctx) => gatherCommandFacts(args, ctx),
    plan: (facts, args, ctx) => planCommandLine(facts, args, words(args).shownLine, ctx.check),
    checkResult: (actions, args) => checkCommandLine(actions, args),
    async apply(action, args, ctx) {
      if (action.kind !== 'run') return notRunOutcome(action);
      const { argv, shownCmd, shownLine } = words(args);
      return runCommandLine(argv, shownCmd, args, ctx, shownLine);
    },
  };
}

export const command = commandLineModule<CommandArgs>(commandModule, (args) => {
  const argv = commandWords(args);
  return { argv, shownCmd: argv, shownLine: commandLine(args) };
});
