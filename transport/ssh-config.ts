// ~/.ssh/config, resolved for one host alias with the ssh-config package (Host wildcards,
// first value wins per option, IdentityFile accumulating), reduced to the options hound uses.
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import { parseProxyJump, parseStrictHostKeyChecking, type SshArgOptions } from './ssh-args.js';
import { ParseError } from '../base/errors.js';
import { InputFileError, readInputText } from '../base/input-file.js';

/** What ~/.ssh/config says of a host: the options ssh arguments can also give, plus HostName. */
export interface SshConfigOptions extends Omit<SshArgOptions, 'ignored'> {
  hostName?: string;
}

/** Where the user's ssh config is: HOUND_SSH_CONFIG, else ~/.ssh/config. */
export function defaultSshConfigPath(): string {
  return process.env.HOUND_SSH_CONFIG ?? join(homedir(), '.ssh', 'config');
}

/** A parsed ssh config; an absent file is an empty config. */
export class SshConfigFile {
  private constructor(
    readonly path: string | undefined,
    private readonly config: SSHConfig,
  ) {}

  static parse(text: string, path?: string): SshConfigFile {
    return new SshConfigFile(path, SSHConfig.parse(text));
  }

  static async load(path = defaultSshConfigPath()): Promise<SshConfigFile> {
    return SshConfigFile.parse(await readWithIncludes(path, 0), path);
  }

  /** The options that apply to `alias` (the name hound was asked to connect to). */
  resolve(alias: string): SshConfigOptions {
    const raw = this.config.compute(alias);
    const values = new Map<string, string | string[]>();
    for (const [key, value] of Object.entries(raw)) {
      const lower = key.toLowerCase();
      if (!values.has(lower)) values.set(lower, value);
    }
    const one = (key: string): string | undefined => {
      const value = values.get(key);
      return Array.isArray(value) ? value[0] : value;
    };
    const many = (key: string): string[] | undefined => {
      const value = values.get(key);
      if (value === undefined) return undefined;
      return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/\s+/)).filter((v) => v !== '');
    };
    const where = this.path ?? 'ssh config';
    const result: SshConfigOptions = { identityFiles: [] };
    const hostName = one('hostname');
    if (hostName !== undefined) result.hostName = expandTokens(hostName, alias);
    const user = one('user');
    if (user !== undefined) result.user = user;
    const port = one('port');
    if (port !== undefined) {
      const n = Number(port);
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw configError(where, alias, `Port "${port}" is not a port (1-65535)`);
      result.port = n;
    }
    result.identityFiles = (many('identityfile') ?? []).filter((f) => f.toLowerCase() !== 'none').map(expandHome);
    const jump = one('proxyjump');
    if (jump !== undefined) result.proxyJump = jump.toLowerCase() === 'none' ? [] : parseProxyJump(jump);
    const knownHosts = many('userknownhostsfile');
    if (knownHosts !== undefined) result.userKnownHostsFiles = knownHosts.map(expandHome);
    const strict = one('stricthostkeychecking');
    if (strict !== undefined) result.strictHostKeyChecking = parseStrictHostKeyChecking(strict, `${where} (Host ${alias})`);
    const timeout = one('connecttimeout');
    if (timeout !== undefined) {
      const seconds = Number(timeout);
      if (!Number.isInteger(seconds) || seconds <= 0) throw configError(where, alias, `ConnectTimeout "${timeout}" is not a positive number of seconds`);
      result.connectTimeoutSeconds = seconds;
    }
    return result;
  }
}

const MAX_INCLUDE_DEPTH = 16;

// The ssh-config package parses but does not follow Include; inline the files in place
// (relative paths are under ~/.ssh; `*`, `?`, `[...]` in the file name glob, sorted as ssh does).
// Inlining matches OpenSSH for the usual top-of-file `Include ~/.ssh/config.d/*`.
async function readWithIncludes(path: string, depth: number): Promise<string> {
  let text: string;
  try {
    text = await readInputText(path, { what: 'ssh config file' });
  } catch (error) {
    if (error instanceof InputFileError && error.problem === 'missing') return '';
    throw error;
  }
  if (depth >= MAX_INCLUDE_DEPTH)
    throw new ParseError('SSH_CONFIG_INVALID', `${path}: Include nests more than ${MAX_INCLUDE_DEPTH} deep`, { hint: 'look for a file that includes itself' });
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const include = /^\s*include(?:\s+|\s*=\s*)(.+)$/i.exec(line);
    if (!include) {
      lines.push(line);
      continue;
    }
    for (const pattern of include[1].trim().split(/\s+/)) {
      const expanded = expandHome(pattern.replace(/^"|"$/g, ''));
      const absolute = isAbsolute(expanded) ? expanded : join(homedir(), '.ssh', expanded);
      for (const file of await matchingFiles(absolute)) lines.push(await readWithIncludes(file, depth + 1));
    }
  }
  return lines.join('\n');
}

async function matchingFiles(pattern: string): Promise<string[]> {
  const name = basename(pattern);
  if (!/[*?[]/.test(name)) return [pattern];
  const dir = dirname(pattern);
  // glob(3): `*`, `?` and `[...]` classes.
  const regex = new RegExp(
    '^' +
      name
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
  try {
    return (await readdir(dir))
      .filter((entry) => regex.test(entry))
      .sort()
      .map((entry) => join(dir, entry));
  } catch {
    return [];
  }
}

/** `~/x` → home-relative, as ssh does for file options. */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}

// HostName may carry %h (the alias) and %% (a percent sign).
function expandTokens(value: string, alias: string): string {
  return value.replace(/%([h%])/g, (_, token: string) => (token === 'h' ? alias : '%'));
}

function configError(file: string, alias: string, reason: string): ParseError {
  return new ParseError('SSH_CONFIG_INVALID', `${file}: ${reason} (for Host ${alias})`, {
    hint: `fix the option in ${file}, or point HOUND_SSH_CONFIG at another file`,
  });
}
