// `hound config dump [--only-changed]` and `hound config view`: the settings hound runs with
// and where each came from, as `ansible-config dump` and `ansible-config view` show them.
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { EXIT, HoundError } from '../base/errors.js';
import { commandConfig } from './settings.js';

export function register(program: Command): void {
  const config = program.command('config').description('show the settings from ansible.cfg, ANSIBLE_* and HOUND_* variables (like ansible-config)');
  config
    .command('dump')
    .description('every setting with its value and origin: default, env: NAME, or the ansible.cfg it was read from')
    .option('--only-changed', 'only the settings that are not at their default')
    .addOption(new Option('--changed-only').hideHelp())
    .action(async (o: { onlyChanged?: boolean; changedOnly?: boolean }) => {
      const { formatConfigDump } = await import('../config/dump.js');
      process.stdout.write(formatConfigDump(commandConfig(), { onlyChanged: o.onlyChanged === true || o.changedOnly === true }));
    });
  config
    .command('view')
    .description('print the ansible.cfg in use')
    .action(() => {
      const file = commandConfig().file;
      if (!file)
        throw new HoundError('NO_CONFIG_FILE', 'No config file found; using defaults', EXIT.ERROR, {
          hint: 'hound reads ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg',
        });
      process.stdout.write(readFileSync(file, 'utf8'));
    });
}
