import type { Command } from 'commander';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { OptionsError } from '../base/errors.js';
import { checkOutputFile, writeOutputFile } from '../base/output-file.js';
import { STARTER_FILES } from './starter-project.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('write a starter inventory (hosts.ini, group_vars/) and playbook (warmup.yml)')
    .argument('[dir]', 'where to write them', '.')
    .option('--force', 'overwrite files that already exist')
    .action((dir: string, opts: { force?: boolean }) => {
      const root = resolve(dir);
      const paths = Object.keys(STARTER_FILES);
      if (existsSync(root) && !statSync(root).isDirectory()) {
        throw new OptionsError('INIT_NOT_A_FOLDER', `${dir} exists and is not a folder`, { hint: 'give init a folder (it is created if missing)' });
      }
      // Never lose work: refuse before writing anything if a file would be overwritten.
      const existing = paths.filter((p) => existsSync(join(root, p)));
      if (existing.length > 0 && !opts.force) {
        throw new OptionsError('INIT_WOULD_OVERWRITE', `these files exist already: ${existing.join(', ')}`, {
          hint: 'choose another folder, or add --force to overwrite them',
        });
      }
      // Every folder made and checked before the first file is written: all or nothing.
      for (const folder of new Set(paths.map((p) => dirname(join(root, p))))) {
        const clash = existingNonFolder(root, folder);
        if (clash) throw new OptionsError('INIT_NOT_A_FOLDER', `${clash} exists and is not a folder`, { hint: 'move it away, or choose another folder' });
        try {
          mkdirSync(folder, { recursive: true });
        } catch {
          // Said plainly by the check below, with the reason.
        }
      }
      for (const p of paths) checkOutputFile(join(root, p), 'the starter file');
      for (const p of paths) {
        writeOutputFile(join(root, p), STARTER_FILES[p], 'the starter file');
        process.stdout.write(`wrote ${join(dir, p)}\n`);
      }
      process.stdout.write(`next: edit hosts.ini and group_vars/, then run 'hound plan ${join(dir, 'warmup.yml')} -i ${join(dir, 'hosts.ini')}'\n`);
    });
}

/** The first path below `root` on the way down to `folder` that exists and is not a folder (root itself is checked first). */
function existingNonFolder(root: string, folder: string): string | undefined {
  let at = root;
  for (const part of relative(root, folder).split(sep)) {
    if (part === '') continue;
    at = join(at, part);
    if (existsSync(at) && !statSync(at).isDirectory()) return at;
  }
  return undefined;
}
