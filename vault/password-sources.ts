// Where vault passwords come from, read as ansible-core's CLI reads them: vault_identity_list
// (ansible.cfg) before --vault-id, then each --vault-password-file and vault_password_file as
// `default@FILE`, then --ask-vault-pass as a prompt. A source is `prompt`, a file (its content,
// whitespace stripped; itself possibly vault-encrypted with an earlier password), an
// executable script (its stdout), or a client script (a name ending in `-client`, asked
// `--vault-id ID`, exit 2 meaning "no secret for that id").
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { EXIT, HoundError, OptionsError } from '../base/errors.js';
import { DEFAULT_VAULT_ID, isVaultText } from './envelope.js';
import { VaultKeyring, type KeyringOptions, type VaultPassword } from './keyring.js';

export interface VaultSourceOptions extends KeyringOptions {
  /** --vault-id values: `ID@SOURCE` or `SOURCE`, in order. */
  vaultIds?: readonly string[];
  /** --vault-password-file values. */
  passwordFiles?: readonly string[];
  askVaultPass?: boolean;
  /** ansible.cfg vault_identity_list / ANSIBLE_VAULT_IDENTITY_LIST: tried before --vault-id. */
  identityList?: readonly string[];
  /** ansible.cfg vault_password_file / ANSIBLE_VAULT_PASSWORD_FILE: after --vault-password-file. */
  defaultPasswordFile?: string;
  /** Asks for a password (no echo); resolves to what was typed, rejects at end of input. */
  prompt: (question: string) => Promise<string>;
  /** A source that could not be read is a warning while another source gives a password. */
  warn: (message: string) => void;
  /** Ask for a password when no source is given (ansible-vault does, ansible-playbook does not). */
  autoPrompt?: boolean;
  /** The password is a new one (encrypt, create, rekey): prompts ask twice, and both must match. */
  newPassword?: boolean;
}

const PROMPTS = new Set(['prompt', 'prompt_ask_vault_pass']);
/** A client script's exit code for "I have no secret for this vault id". */
const VAULT_ID_UNKNOWN_RC = 2;

/** `ID@SOURCE` → [ID, SOURCE]; no `@` → [undefined, SOURCE]. */
export function splitVaultId(slug: string): [string | undefined, string] {
  const at = slug.indexOf('@');
  return at < 0 ? [undefined, slug] : [slug.slice(0, at), slug.slice(at + 1)];
}

/** The vault id slugs in Ansible's order (build_vault_ids). */
export function vaultIdSlugs(
  o: Pick<VaultSourceOptions, 'vaultIds' | 'passwordFiles' | 'askVaultPass' | 'identityList' | 'defaultPasswordFile' | 'autoPrompt'>,
): string[] {
  const files = [...(o.passwordFiles ?? []), ...(o.defaultPasswordFile ? [o.defaultPasswordFile] : [])];
  const slugs = [...(o.identityList ?? []), ...(o.vaultIds ?? []), ...files.map((f) => `${DEFAULT_VAULT_ID}@${f}`)];
  if (o.askVaultPass || (slugs.length === 0 && o.autoPrompt)) slugs.push(`${DEFAULT_VAULT_ID}@prompt_ask_vault_pass`);
  return slugs;
}

/** Ansible's prompts: --ask-vault-pass keeps the old wording, which tools wrapping Ansible match on. */
function promptsFor(source: string, id: string, newPassword: boolean): string[] {
  if (source === 'prompt_ask_vault_pass') return newPassword ? ['New Vault password: ', 'Confirm New Vault password: '] : ['Vault password: '];
  return newPassword ? [`New vault password (${id}): `, `Confirm new vault password (${id}): `] : [`Vault password (${id}): `];
}

/** Reads every source into a keyring; fails only when sources were given and none could be read. */
export async function loadVaultKeyring(o: VaultSourceOptions): Promise<VaultKeyring> {
  const keyring = new VaultKeyring([], { idMatch: o.idMatch });
  let lastError: HoundError | undefined;
  for (const slug of vaultIdSlugs(o)) {
    const [name, source] = splitVaultId(slug);
    const id = name || DEFAULT_VAULT_ID;
    if (PROMPTS.has(source)) {
      const answers: Buffer[] = [];
      for (const question of promptsFor(source, id, o.newPassword === true)) answers.push(await promptedPassword(o.prompt, question, id));
      if (answers.some((a) => !a.equals(answers[0])))
        throw new OptionsError('VAULT_PASSWORDS_DIFFER', 'Passwords do not match', { hint: 'type the same password twice' });
      keyring.add({ id, password: answers[0], source: 'prompt' });
      continue;
    }
    try {
      keyring.add(await passwordFromSource(id, name, source, keyring));
    } catch (err) {
      if (!(err instanceof HoundError)) throw err;
      o.warn(`Error getting vault password file (${id}): ${err.message}`);
      lastError = err;
    }
  }
  if (lastError !== undefined && keyring.size === 0) throw lastError;
  return keyring;
}

async function promptedPassword(prompt: VaultSourceOptions['prompt'], question: string, id: string): Promise<Buffer> {
  let typed: string;
  try {
    typed = await prompt(question);
  } catch {
    throw new OptionsError('VAULT_PROMPT_EOF', `end of input at the vault password prompt (${id})`, {
      hint: 'type the password, or give it with --vault-password-file',
    });
  }
  const password = typed.trim();
  if (password === '') throw new HoundError('VAULT_PASSWORD_EMPTY', 'Invalid vault password was provided (empty)', EXIT.ERROR);
  return Buffer.from(password, 'utf8');
}

function expandPath(file: string): string {
  return path.resolve(file.startsWith('~/') || file === '~' ? path.join(homedir(), file.slice(1)) : file);
}

function isExecutable(file: string): boolean {
  return (statSync(file).mode & 0o111) !== 0;
}

/** A password file, script or client script (what ansible-core's get_file_vault_secret decides). */
async function passwordFromSource(id: string, name: string | undefined, source: string, keyring: VaultKeyring): Promise<VaultPassword> {
  const file = expandPath(source);
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new HoundError('VAULT_PASSWORD_FILE_MISSING', `The vault password file ${file} was not found`, EXIT.ERROR, {
      hint: 'check the path given to --vault-id, --vault-password-file or vault_password_file',
    });
  }
  if (isExecutable(file)) {
    const client = path.parse(source).name.endsWith('-client');
    const stdout = await runPasswordScript(file, client ? name : undefined, client);
    return { id, password: nonEmpty(stripLineEnds(stdout), `script (${file})`), source: file };
  }
  let content = readFileSync(file).toString('utf8').trim();
  // A password file may itself be vault-encrypted with a password given before it.
  if (isVaultText(content)) content = keyring.decrypt(content, file).toString('utf8');
  return { id, password: nonEmpty(stripLineEnds(Buffer.from(content, 'utf8')), `file (${file})`), source: file };
}

function stripLineEnds(data: Buffer): Buffer {
  let start = 0;
  let end = data.length;
  while (start < end && (data[start] === 0x0a || data[start] === 0x0d)) start++;
  while (end > start && (data[end - 1] === 0x0a || data[end - 1] === 0x0d)) end--;
  return data.subarray(start, end);
}

function nonEmpty(password: Buffer, from: string): Buffer {
  if (password.length === 0) throw new HoundError('VAULT_PASSWORD_EMPTY', `Invalid vault password was provided from ${from}`, EXIT.ERROR);
  return password;
}

/**
 * Runs a password script as Ansible does: directly (its #! line chooses the interpreter), no
 * arguments, or `--vault-id ID` for a client script; stdout is the password. A plain script's
 * stderr stays on the terminal so it can prompt; a client script's is captured for the error.
 */
function runPasswordScript(file: string, vaultId: string | undefined, client: boolean): Promise<Buffer> {
  const args = client && vaultId ? ['--vault-id', vaultId] : [];
  const what = client ? 'vault password client script' : 'vault password script';
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['inherit', 'pipe', client ? 'pipe' : 'inherit'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) =>
      reject(
        new HoundError(
          'VAULT_PASSWORD_SCRIPT',
          `Problem running ${what} ${file} (${e.message}). If this is not a script, remove the executable bit from the file.`,
          EXIT.ERROR,
        ),
      ),
    );
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (client && code === VAULT_ID_UNKNOWN_RC) {
        reject(new HoundError('VAULT_PASSWORD_SCRIPT', `${what} ${file} did not find a secret for vault-id=${vaultId}: ${stderr}`, EXIT.ERROR));
      } else if (code !== 0) {
        const forId = client ? ` when getting secret for vault-id=${vaultId}` : '';
        reject(new HoundError('VAULT_PASSWORD_SCRIPT', `${what} ${file} returned non-zero (${code})${forId}${stderr ? `: ${stderr}` : ''}`, EXIT.ERROR));
      } else resolve(Buffer.concat(out));
    });
  });
}
