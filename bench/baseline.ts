// An earlier build of hound, run beside this one: `--baseline DIR` names a checkout of another
// revision, built there (`npm ci && npm run build`). A regression is only seen side by side on
// this shared, noisy machine, never against a figure measured on another day (README: Speed).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { OptionsError } from '../base/errors.js';
import { runCommand } from './command-run.js';

export interface HoundBuild {
  /** The built CLI (DIR/dist/cli/hound.js). */
  cli: string;
  /** The revision it was built from, for labels: the checkout's short commit. */
  revision: string;
  /** Whether its `play` takes --fanout-image (hound before fan-out did not, and refuses it). */
  takesFanoutImage: boolean;
}

/** The CLI of a built checkout, or one clear error saying how to build it. */
export function baselineCli(dir: string): string {
  const root = path.resolve(dir);
  const cli = path.join(root, 'dist', 'cli', 'hound.js');
  if (!existsSync(root)) {
    throw new OptionsError('BENCH_BAD_OPTION', `--baseline: ${root} does not exist`, {
      hint: 'give a checkout of the hound revision to compare with, e.g. git worktree add /tmp/old REV',
    });
  }
  if (!existsSync(cli)) {
    throw new OptionsError('BENCH_BAD_OPTION', `--baseline: ${root} has no built CLI (${path.relative(root, cli)})`, {
      hint: `build it first: cd ${root} && npm ci && npm run build`,
    });
  }
  return cli;
}

/** What the benchmark needs to know of the build at `cli`: asked once, before the lab comes up. */
export async function describeBuild(cli: string): Promise<HoundBuild> {
  const root = path.dirname(path.dirname(path.dirname(cli)));
  const git = await runCommand(['git', '-C', root, 'rev-parse', '--short', 'HEAD']);
  const help = await runCommand([process.execPath, cli, 'play', '--help']);
  if (help.code !== 0) {
    throw new OptionsError(
      'BENCH_BAD_OPTION',
      `--baseline: ${cli} play --help exited ${String(help.code)}: ${(help.stderr || help.stdout).trim().split('\n')[0] ?? ''}`,
      {
        hint: `rebuild it: cd ${root} && npm ci && npm run build`,
      },
    );
  }
  return {
    cli,
    revision: git.code === 0 ? git.stdout.trim() : path.basename(root),
    takesFanoutImage: help.stdout.includes('--fanout-image'),
  };
}
