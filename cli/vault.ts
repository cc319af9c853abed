// `hound vault encrypt|decrypt|view|encrypt_string|create|edit|rekey`: ansible-vault's
// commands, for machines without Ansible. The files each writes, ansible-vault reads, and
// the other way round; the passwords come from the same options and settings.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Command } from 'commander';
import { EXIT, HoundError, OptionsError } from '../base/errors.js';
import { shlexSplit } from '../base/shlex.js';
import type { VaultKeyring } from '../vault/keyring.js';
import { commandConfig, vaultIdMatch, vaultOptionsOf, warnLine } from './settings.js';
import { addVaultOptions, collect } from './run-options.js';

interface VaultCommandOptions {
  vaultId?: string[];
  vaultPasswordFile?: string[];
  vaultPassFile?: string[];
  askVaultPass?: boolean;
  askVaultPassword?: boolean;
  output?: string;
  encryptVaultId?: string;
  name?: string[];
  stdinName?: string;
  prompt?: boolean;
  showInput?: boolean;
  newVaultId?: string;
  newVaultPasswordFile?: string;
}

/** The passwords to decrypt with (any may open a file), or the one to encrypt with, as ansible-vault picks them. */
async function keyringFor(
  o: VaultCommandOptions,
  purpose: 'decrypt' | 'encrypt',
  sources?: { vaultIds: string[]; passwordFiles: string[] },
): Promise<VaultKeyring> {
  const config = commandConfig();
  const [{ loadVaultKeyring }, { promptPassword }] = await Promise.all([import('../vault/password-sources.js'), import('./prompt.js')]);
  const given = vaultOptionsOf(o);
  const keyring = await loadVaultKeyring({
    vaultIds: sources?.vaultIds ?? given.vaultId,
    passwordFiles: sources?.passwordFiles ?? given.vaultPasswordFile,
    askVaultPass: given.askVaultPass === true || config.get('DEFAULT_ASK_VAULT_PASS').value === true,
    identityList: sources ? [] : (config.get('DEFAULT_VAULT_IDENTITY_LIST').value as string[]),
    defaultPasswordFile: sources ? undefined : (config.get('DEFAULT_VAULT_PASSWORD_FILE').value as string | undefined),
    idMatch: vaultIdMatch(config),
    autoPrompt: true,
    newPassword: purpose === 'encrypt',
    prompt: (question) => promptPassword(question),
    warn: warnLine,
  });
  if (keyring.size === 0)
    throw new OptionsError('VAULT_NO_PASSWORD', "A vault password is required to use Ansible's Vault", {
      hint: 'give --vault-id, --vault-password-file or --ask-vault-pass',
    });
  return keyring;
}

/** --encrypt-vault-id, else vault_encrypt_identity; with several passwords one must be named. */
function encryptVaultId(o: VaultCommandOptions, keyring: VaultKeyring): string | undefined {
  const chosen = o.encryptVaultId ?? (commandConfig().get('DEFAULT_VAULT_ENCRYPT_IDENTITY').value as string | undefined);
  if (chosen === undefined && keyring.size > 1) {
    throw new OptionsError(
      'VAULT_ID_AMBIGUOUS',
      `The vault-ids ${keyring.vaultIds.join(',')} are available to encrypt. Specify the vault-id to encrypt with --encrypt-vault-id`,
    );
  }
  return chosen;
}

async function encryptCommand(files: string[], o: VaultCommandOptions): Promise<void> {
  const { encryptFile } = await import('../vault/vault-files.js');
  const keyring = await keyringFor(o, 'encrypt');
  const id = encryptVaultId(o, keyring);
  for (const file of files.length > 0 ? files : ['-']) encryptFile(keyring, file, { encryptVaultId: id, output: o.output });
  if (process.stdout.isTTY) process.stderr.write('Encryption successful\n');
}

async function decryptCommand(files: string[], o: VaultCommandOptions): Promise<void> {
  const { decryptFile } = await import('../vault/vault-files.js');
  const keyring = await keyringFor(o, 'decrypt');
  for (const file of files.length > 0 ? files : ['-']) decryptFile(keyring, file, { output: o.output });
  if (process.stdout.isTTY) process.stderr.write('Decryption successful\n');
}

async function viewCommand(files: string[], o: VaultCommandOptions): Promise<void> {
  const { readInput } = await import('../vault/vault-files.js');
  const keyring = await keyringFor(o, 'decrypt');
  for (const file of files) process.stdout.write(keyring.decrypt(readInput(file).toString('utf8'), file));
}

async function encryptStringCommand(strings: string[], o: VaultCommandOptions): Promise<void> {
  const [{ vaultYamlBlock, writeOutput }, { promptPassword }] = await Promise.all([import('../vault/vault-files.js'), import('./prompt.js')]);
  const args = strings.filter((s) => s !== '-');
  const fromStdin = strings.includes('-') || strings.length === 0 || o.stdinName !== undefined;
  if (o.prompt && fromStdin && strings.length > 0)
    throw new OptionsError('VAULT_PROMPT_AND_STDIN', 'The --prompt option is not supported if also reading input from stdin');
  const keyring = await keyringFor(o, 'encrypt');
  const id = encryptVaultId(o, keyring);
  const inputs: { text: string; from: string; name?: string }[] = [];
  if (o.prompt) {
    const name = await promptPassword('Variable name (enter for no name): ');
    const text = await promptPassword(o.showInput ? 'String to encrypt:' : 'String to encrypt (hidden): ');
    if (text === '') throw new OptionsError('VAULT_EMPTY_PLAINTEXT', 'The plaintext provided from the prompt was empty, not encrypting');
    inputs.push({ text, from: 'the interactive prompt', name: name || undefined });
  } else if (fromStdin) {
    const text = readFileSync(0, 'utf8');
    if (text === '') throw new OptionsError('VAULT_EMPTY_PLAINTEXT', 'stdin was empty, not encrypting');
    inputs.push({ text, from: 'stdin', name: o.stdinName });
  }
  const names = o.name ?? [];
  args.forEach((text, i) => {
    if (text === '') throw new OptionsError('VAULT_EMPTY_PLAINTEXT', 'The plaintext provided from the command line args was empty, not encrypting');
    inputs.push({ text, from: 'the command line args', name: names[i] });
  });
  if (names.length > 0 && args.length > names.length) {
    process.stderr.write(
      `The number of --name options do not match the number of args.\nThe last named variable will be "${names[names.length - 1]}". The rest will not have names.\n`,
    );
  }
  const blocks = inputs.map((input, i) => {
    if (inputs.length > 1) {
      process.stderr.write(
        input.name
          ? `# The encrypted version of variable ("${input.name}", the string #${i + 1} from ${input.from}).\n`
          : `# The encrypted version of the string #${i + 1} from ${input.from}.)\n`,
      );
    }
    return vaultYamlBlock(keyring.encrypt(Buffer.from(input.text, 'utf8'), id), input.name);
  });
  writeOutput(o.output ?? '-', blocks.join('\n'));
  if (process.stdout.isTTY) process.stderr.write('\nEncryption successful\n');
}

/** Opens `file` in $EDITOR (default vi) as ansible-vault does; resolves to what was saved. */
function editInEditor(initial: Buffer): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-vault-edit-'));
  const file = path.join(dir, 'plaintext');
  try {
    writeFileSync(file, initial, { mode: 0o600 });
    const editor = shlexSplit(process.env.EDITOR || 'vi');
    const run = spawnSync(editor[0], [...editor.slice(1), file], { stdio: 'inherit' });
    if (run.error || run.status !== 0) {
      throw new HoundError(
        'VAULT_EDITOR_FAILED',
        `the editor ${editor.join(' ')} ${run.error ? `could not start (${run.error.message})` : `exited with ${run.status}`}; nothing was changed`,
        EXIT.ERROR,
      );
    }
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function createCommand(files: string[], o: VaultCommandOptions): Promise<void> {
  const { writeOutput } = await import('../vault/vault-files.js');
  if (files.length !== 1) throw new OptionsError('VAULT_ONE_FILE', 'ansible-vault create can take only one filename argument');
  if (existsSync(files[0])) throw new HoundError('VAULT_FILE_EXISTS', `${files[0]} exists, please use 'edit' instead`, EXIT.ERROR);
  const keyring = await keyringFor(o, 'encrypt');
  const id = encryptVaultId(o, keyring);
  const plaintext = editInEditor(Buffer.alloc(0));
  writeOutput(files[0], keyring.encrypt(plaintext, id));
}

async function editCommand(files: string[], o: VaultCommandOptions): Promise<void> {
  const [{ readInput, writeOutput }, { parseEnvelope }] = await Promise.all([import('../vault/vault-files.js'), import('../vault/envelope.js')]);
  const keyring = await keyringFor(o, 'decrypt');
  for (const file of files) {
    const text = readInput(file).toString('utf8');
    const plaintext = keyring.decrypt(text, file);
    const edited = editInEditor(plaintext);
    // Re-encrypted under the vault id it had, as ansible-vault keeps it.
    if (!edited.equals(plaintext)) writeOutput(file, keyring.encrypt(edited, parseEnvelope(text, file).vaultId));
  }
}

async function rekeyCommand(files: string[], o: VaultCommandOptions): Promise<void> {
  const { rekeyFile } = await import('../vault/vault-files.js');
  if (o.newVaultId && o.newVaultPasswordFile) throw new OptionsError('VAULT_REKEY_OPTIONS', 'use --new-vault-id or --new-vault-password-file, not both');
  const keyring = await keyringFor(o, 'decrypt');
  const fresh = await keyringFor(o, 'encrypt', {
    vaultIds: o.newVaultId ? [o.newVaultId] : [],
    passwordFiles: o.newVaultPasswordFile ? [o.newVaultPasswordFile] : [],
  });
  for (const file of files) rekeyFile(keyring, file, fresh, o.encryptVaultId);
  process.stderr.write('Rekey successful\n');
}

export function register(program: Command): void {
  const vault = program.command('vault').description('encrypt and decrypt Ansible Vault files and strings (like ansible-vault)');
  const sub = (name: string, description: string, args: string, run: (values: string[], o: VaultCommandOptions) => Promise<void>) => {
    const command = vault.command(name).description(description).argument(args, '');
    addVaultOptions(command).action((values: string[], o: VaultCommandOptions) => run(values, o));
    return command;
  };
  sub('encrypt', 'encrypt files in place (or stdin to stdout)', '[file...]', encryptCommand)
    .option('--output <file>', 'write here instead (- for stdout)')
    .option('--encrypt-vault-id <id>', 'the vault id to encrypt with');
  sub('decrypt', 'decrypt files in place (or stdin to stdout)', '[file...]', decryptCommand).option('--output <file>', 'write here instead (- for stdout)');
  sub('view', 'print the plaintext of encrypted files', '<file...>', viewCommand);
  sub('encrypt_string', 'encrypt strings as `!vault |` YAML values', '[string...]', encryptStringCommand)
    .option('-n, --name <name>', 'the variable name of the next string (repeatable)', collect)
    .option('--stdin-name <name>', 'the variable name of the string read from stdin')
    .option('-p, --prompt', 'ask for the string')
    .option('--show-input', 'with --prompt: show what is typed')
    .option('--output <file>', 'write here instead of stdout')
    .option('--encrypt-vault-id <id>', 'the vault id to encrypt with');
  sub('create', 'create an encrypted file with $EDITOR', '<file...>', createCommand).option('--encrypt-vault-id <id>', 'the vault id to encrypt with');
  sub('edit', 'edit an encrypted file with $EDITOR', '<file...>', editCommand);
  sub('rekey', 'encrypt files again with a new password', '<file...>', rekeyCommand)
    .option('--new-vault-id <id>', 'the new password: ID@FILE, ID@prompt, FILE')
    .option('--new-vault-password-file <file>', 'a file holding the new password')
    .option('--encrypt-vault-id <id>', 'the vault id to encrypt with');
}
