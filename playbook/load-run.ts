// From the command line's words to compiled plays: reads the options every command shares
// (-i, -l, -t, --skip-tags, -e, --roles-path), loads the inventory and the playbooks, and
// compiles them. `play`, `plan`, `apply` and the benchmark all go through here, so that a
// plan describes exactly what play would do.
import path from 'node:path';
import type { Inventory } from '../inventory/model.js';
import { loadInventory, withPlaybookVarsDir } from '../inventory/load.js';
import { resolvePattern } from '../inventory/patterns.js';
import { EXIT, HoundError } from '../base/errors.js';
import type { CompiledRun } from './compiled.js';
import { compilePlays, type FactSettings, type RunSettings } from './compiler.js';
import { mergeExtraVars } from './extra-vars.js';
import { openVaultFilesWith } from './lookup-plugins.js';
import { inventoryPlugins } from './inventory-plugins.js';
import { PlaybookLoader } from './loader.js';
import type { LoadedPlaybook } from './model.js';
import { parseTagOption } from './tags.js';
import { answerPrompts, type Asker } from './vars-prompt.js';
import type { VaultReading } from '../vault/vaulted-yaml.js';

export interface RunSelection {
  inventory?: string[];
  limit?: string[];
  tags?: string[];
  skipTags?: string[];
  extraVars?: string[];
  /** Directories searched for roles after the playbook's roles/, in order (the CLI adds the configured roles path). */
  rolesPath?: string[];
  check?: boolean;
  /** How vault-encrypted files and `!vault` values are opened. */
  vault?: VaultReading;
  /** How plays gather facts when they do not say (ansible.cfg). */
  facts?: FactSettings;
  /** -c / ansible.cfg's transport: the connection of hosts that name none (settings.ts defaultConnectionType). */
  defaultConnection?: string;
  /** Where inventory and playbook warnings go (Ansible prints them as `[WARNING]: ...`). */
  warn?: (message: string) => void;
  /** Asks a vars_prompt question on the terminal; without it, prompts take their defaults. */
  ask?: Asker;
  /** False for --syntax-check and --list-*: nothing runs, so nothing is asked. */
  running?: boolean;
  /** -v, forks, --diff and the ansible.cfg in use, for templates (ansible_verbosity, ...). */
  run?: RunSettings;
  /** False: read the playbooks only, compile nothing (--syntax-check without an inventory). */
  compile?: boolean;
}

export interface LoadedRun {
  inventory: Inventory;
  playbooks: LoadedPlaybook[];
  /** One compiled run per playbook, in the order given. */
  compiled: CompiledRun[];
  tags: string[];
  skipTags: string[];
  /** Answers to private vars_prompt questions: secrets for the run. */
  secrets: string[];
}

/** Roles path entries (each may be colon-separated), as absolute paths. */
export function rolesPathOf(values: readonly string[] = []): string[] {
  return values
    .flatMap((p) => p.split(':'))
    .filter((p) => p !== '')
    .map((p) => path.resolve(p));
}

/**
 * The inventory with the group_vars/ and host_vars/ beside the playbooks. Ansible gives each
 * play those of its own playbook's folder; hound's run has one inventory, so playbooks from
 * several folders that each hold some share all of them, in the order given, and a warning says so.
 */
async function withPlaybooksVars(
  inventory: Inventory,
  playbooks: readonly LoadedPlaybook[],
  options: { warn: (m: string) => void; vault?: VaultReading },
): Promise<Inventory> {
  let out = inventory;
  const contributing: string[] = [];
  for (const dir of new Set(playbooks.map((p) => path.dirname(path.resolve(p.file))))) {
    const next = await withPlaybookVarsDir(out, dir, options);
    if (next !== out) contributing.push(dir);
    out = next;
  }
  if (contributing.length > 1)
    options.warn(
      `group_vars/ or host_vars/ beside playbooks in ${contributing.length} folders (${contributing.join(', ')}) apply to every play of this run; ansible-playbook gives each play its own playbook's`,
    );
  return out;
}

export async function loadAndCompile(playbookFiles: readonly string[], selection: RunSelection): Promise<LoadedRun> {
  const tags = parseTagOption(selection.tags ?? [], '--tags');
  const skipTags = parseTagOption(selection.skipTags ?? [], '--skip-tags');
  const warn = selection.warn ?? (() => {});
  const extraVars = mergeExtraVars(selection.extraVars ?? [], undefined, selection.vault, warn);
  // Lookups read the controller's files as the run goes, and open vault-encrypted ones as Ansible does.
  openVaultFilesWith(selection.vault?.keyring);
  const loader = new PlaybookLoader({ rolesPath: rolesPathOf(selection.rolesPath), vault: selection.vault, warn, checkOnly: selection.running === false });
  const playbooks = playbookFiles.map((file) => loader.load(file));
  const inventory = await withPlaybooksVars(
    await loadInventory(selection.inventory ?? [], { warn, vault: selection.vault, plugins: inventoryPlugins({ extraVars }) }),
    playbooks,
    { warn, vault: selection.vault },
  );
  // As ansible-playbook: hosts in the inventory but none left by --limit is an error (exit 1), not a
  // run that does nothing. An empty inventory only warns, there as here.
  if (selection.limit?.length && inventory.hosts.size > 0 && resolvePattern(inventory, selection.limit).length === 0) {
    throw new HoundError('NO_HOSTS_TO_TARGET', `--limit ${selection.limit.join(',')} leaves no hosts to target`, EXIT.ERROR, {
      hint: 'check the pattern against `hound inventory --graph`; patterns are names, groups, globs (web*) or ~regex, joined with : & !',
    });
  }
  const secrets = await answerPrompts(
    playbooks.flatMap((p) => p.plays),
    extraVars,
    selection.running === false ? undefined : selection.ask,
    { running: selection.running !== false },
  );
  const options = {
    inventory,
    limit: selection.limit,
    tags,
    skipTags,
    extraVars,
    check: selection.check === true,
    facts: selection.facts,
    defaultConnection: selection.defaultConnection,
    // --syntax-check and --list-* run no command on the controller and write no file there (pipe, password), as ansible-playbook's do not.
    controllerCommands: selection.running !== false,
    run: selection.run,
  };
  const compiled = selection.compile === false ? [] : playbooks.map((playbook) => compilePlays(playbook.plays, options));
  return { inventory, playbooks, compiled, tags, skipTags, secrets };
}
