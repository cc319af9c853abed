import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { OptionsError } from '../base/errors.js';
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
      // Never lose work: refuse before writing anything if a file would be overwritten.
      const existing = paths.filter((p) => existsSync(join(root, p)));
      if (existing.length > 0 && !opts.force) {
        throw new OptionsError('INIT_WOULD_OVERWRITE', `these files exist already: ${existing.join(', ')}`, {
          hint: 'choose another folder, or add --force to overwrite them',
        });
      }
      for (const p of paths) {
        mkdirSync(dirname(join(root, p)), { recursive: true });
        writeFileSync(join(root, p), STARTER_FILES[p]);
        process.stdout.write(`wrote ${join(dir, p)}\n`);
      }
      process.stdout.write(`next: edit hosts.ini and group_vars/, then run 'hound plan ${join(dir, 'warmup.yml')} -i ${join(dir, 'hosts.ini')}'\n`);
    });
}
