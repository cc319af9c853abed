// The CLI is thin: each command lives in its own file, parses its options, calls the
// core and returns an exit code. Errors are mapped to exit codes here, in one place.
import { Command, CommanderError } from 'commander';
import { EXIT, HoundError } from '../base/errors.js';
import { maskSecrets, processSecrets } from '../base/secrets.js';
import { register as registerLab } from './lab.js';
import { register as registerInventory } from './inventory.js';
import { register as registerPlay } from './play.js';
import { register as registerPlan } from './plan.js';
import { register as registerApply } from './apply.js';
import { register as registerInit } from './init.js';
import { register as registerCompletion } from './completion.js';
import { houndVersion } from './version.js';
import { chooseColour } from '../base/colour.js';
import { register as registerConfig } from './config.js';
import { register as registerVault } from './vault.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('hound')
    .description('Warm up container images across a cluster over SSH and Docker Engine.')
    .version(houndVersion(), '-V, --version', 'print the version')
    // --color before --no-color: commander gives a lone --no-X option a default of true,
    // which would mean "always colour" when neither is given.
    .option('--color', 'colour even when the output is not a terminal (also: FORCE_COLOR=1)')
    .option('--no-color', 'no colour in any output (also: NO_COLOR=1)')
    .hook('preAction', (root) => {
      const color = root.opts<{ color?: boolean }>().color;
      chooseColour(color === undefined ? 'auto' : color ? 'always' : 'never');
    })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerLab(program);
  registerInventory(program);
  registerPlay(program);
  registerPlan(program);
  registerApply(program);
  registerInit(program);
  registerCompletion(program);
  registerConfig(program);
  registerVault(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code; never throws. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  // Secrets are learnt while this command reads its inputs; an earlier in-process run's are not this one's.
  processSecrets.clear();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    return reportError(err);
  }
}

export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Help and version are not errors; commander already printed them.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.OK;
    return EXIT.OPTIONS;
  }
  if (err instanceof HoundError) {
    process.stderr.write(err.format() + '\n');
    return err.exitCode;
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  // A bug's message may quote input as well (the only path here that is not a HoundError).
  process.stderr.write(maskSecrets(`hound: unexpected internal error (a bug in hound, please report it):\n${detail}\n`));
  return EXIT.UNEXPECTED;
}
