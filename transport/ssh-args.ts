// The OpenSSH command-line options Ansible users put in ansible_ssh_common_args and
// ansible_ssh_extra_args. hound speaks SSH itself, so it honours the options that change
// where and how it connects, and returns the rest so the caller can warn about them.
import { shlexSplit, ShlexError } from '../base/shlex.js';
import { OptionsError } from '../base/errors.js';

export type StrictHostKeyChecking = 'yes' | 'no' | 'accept-new';

export interface SshArgOptions {
  user?: string;
  port?: number;
  identityFiles: string[];
  /** ProxyJump hops as written (`[user@]host[:port]`), first hop first. */
  proxyJump?: string[];
  userKnownHostsFiles?: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  connectTimeoutSeconds?: number;
  /** Options hound does not act on, as written (e.g. `-o ControlMaster=auto`, `-C`). */
  ignored: string[];
}

// Flags of ssh(1) that take an argument; anything else starting with `-` is a flag alone.
const FLAGS_WITH_ARGUMENT = new Set('BbcDEeFIiJLlmOoPpQRSWw'.split(''));

/** Splits a shell-quoted argument string and reads the OpenSSH options in it. */
export function parseSshArgs(text: string, source = 'ansible_ssh_common_args'): SshArgOptions {
  const words = splitShellWords(text, source);
  const result: SshArgOptions = { identityFiles: [], ignored: [] };
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith('-') || word === '-') {
      result.ignored.push(word);
      continue;
    }
    // Bundled flags (`-vC`, `-p2222`): walk them like getopt does.
    for (let j = 1; j < word.length; j++) {
      const flag = word[j];
      if (!FLAGS_WITH_ARGUMENT.has(flag)) {
        result.ignored.push(`-${flag}`);
        continue;
      }
      let value = word.slice(j + 1);
      if (value === '') {
        i++;
        if (i >= words.length) throw badArgs(source, text, `-${flag} needs a value`);
        value = words[i]!;
      }
      applyFlag(result, flag, value, words, i, source, text, (consumed) => (i += consumed));
      break;
    }
  }
  return result;
}

function applyFlag(
  result: SshArgOptions,
  flag: string,
  value: string,
  words: string[],
  index: number,
  source: string,
  text: string,
  consumeMore: (n: number) => void,
): void {
  switch (flag) {
    case 'i':
      result.identityFiles.push(value);
      return;
    case 'p':
      result.port = parsePort(value, source, text);
      return;
    case 'l':
      result.user = value;
      return;
    case 'J':
      result.proxyJump = parseProxyJump(value);
      return;
    case 'o': {
      let key: string;
      let optionValue: string;
      const eq = value.indexOf('=');
      const space = value.search(/\s/);
      if (eq >= 0 && (space < 0 || eq < space)) {
        key = value.slice(0, eq).trim();
        optionValue = value.slice(eq + 1).trim();
      } else if (space >= 0) {
        key = value.slice(0, space);
        optionValue = value.slice(space).trim();
      } else {
        // `-o Key Value` written as two shell words.
        key = value;
        const next = words[index + 1];
        if (next === undefined || next.startsWith('-')) throw badArgs(source, text, `-o ${key} needs a value`);
        optionValue = next;
        consumeMore(1);
      }
      applyOption(result, key, optionValue, source, text);
      return;
    }
    default:
      result.ignored.push(`-${flag} ${value}`);
  }
}

function applyOption(result: SshArgOptions, key: string, value: string, source: string, text: string): void {
  switch (key.toLowerCase()) {
    case 'user':
      result.user = value;
      return;
    case 'port':
      result.port = parsePort(value, source, text);
      return;
    case 'identityfile':
      result.identityFiles.push(value);
      return;
    case 'proxyjump':
      result.proxyJump = value.toLowerCase() === 'none' ? [] : parseProxyJump(value);
      return;
    case 'userknownhostsfile':
      result.userKnownHostsFiles = value.split(/\s+/).filter((f) => f !== '');
      return;
    case 'stricthostkeychecking':
      result.strictHostKeyChecking = parseStrictHostKeyChecking(value, source, text);
      return;
    case 'proxycommand': {
      // The classic bastion line, `ssh -W %h:%p [opts] [user@]bastion`, is a ProxyJump in disguise.
      const hop = jumpFromProxyCommand(value);
      if (hop !== undefined) result.proxyJump = [hop];
      else result.ignored.push(`-o ProxyCommand=${value}`);
      return;
    }
    case 'connecttimeout': {
      const seconds = Number(value);
      if (!Number.isInteger(seconds) || seconds <= 0) throw badArgs(source, text, `ConnectTimeout must be a positive number of seconds, not "${value}"`);
      result.connectTimeoutSeconds = seconds;
      return;
    }
    default:
      result.ignored.push(`-o ${key}=${value}`);
  }
}

/** OpenSSH's values: yes, no/off, accept-new; `ask` cannot prompt here, so it means yes. */
export function parseStrictHostKeyChecking(value: string, source = 'StrictHostKeyChecking', text = value): StrictHostKeyChecking {
  switch (value.toLowerCase()) {
    case 'yes':
    case 'ask':
      return 'yes';
    case 'no':
    case 'off':
      return 'no';
    case 'accept-new':
      return 'accept-new';
    default:
      throw badArgs(source, text, `StrictHostKeyChecking must be yes, no, accept-new or ask, not "${value}"`);
  }
}

/** `ssh -W %h:%p -p 2222 -l admin bastion` → `admin@bastion:2222`; undefined for any other command. */
export function jumpFromProxyCommand(command: string): string | undefined {
  let words: string[];
  try {
    words = shlexSplit(command);
  } catch {
    return undefined;
  }
  if (words.length === 0 || !/(^|\/)ssh$/.test(words[0])) return undefined;
  let forwardsStdio = false;
  let user: string | undefined;
  let port: string | undefined;
  let destination: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const word = words[i];
    if (word === '-W') {
      forwardsStdio = words[++i] === '%h:%p';
    } else if (word === '-p') port = words[++i];
    else if (word === '-l') user = words[++i];
    else if (word.startsWith('-') && word.length === 2 && FLAGS_WITH_ARGUMENT.has(word[1])) i++;
    else if (word.startsWith('-')) continue;
    else if (destination === undefined) destination = word;
    else return undefined; // a remote command: not a plain jump
  }
  if (!forwardsStdio || destination === undefined) return undefined;
  const at = destination.indexOf('@');
  if (at >= 0) {
    user ??= destination.slice(0, at);
    destination = destination.slice(at + 1);
  }
  return `${user !== undefined ? `${user}@` : ''}${destination}${port !== undefined ? `:${port}` : ''}`;
}

export function parseProxyJump(value: string): string[] {
  return value
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
}

function parsePort(value: string, source: string, text: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badArgs(source, text, `"${value}" is not a port (1-65535)`);
  return port;
}

/** Words a shell would take as operators; as ssh arguments they can only be a mistake. */
const SHELL_OPERATOR = /^(?:\|\|?|&&?|;;?|[<>]|>>|[()])$/;

function splitShellWords(text: string, source: string): string[] {
  // Split as Ansible does (Python's shlex, POSIX mode); variables are not expanded, since
  // Ansible hands the words to a shell-less exec too.
  let words: string[];
  try {
    words = shlexSplit(text);
  } catch (error) {
    if (error instanceof ShlexError) throw badArgs(source, text, error.message.toLowerCase());
    throw error;
  }
  const operator = words.find((w) => SHELL_OPERATOR.test(w));
  if (operator !== undefined) throw badArgs(source, text, `shell operator "${operator}" is not an ssh option`);
  return words;
}

function badArgs(source: string, text: string, reason: string): OptionsError {
  return new OptionsError('SSH_ARGS_INVALID', `${source}: ${reason} (in "${text}")`, {
    hint: 'write OpenSSH options as ssh(1) takes them, e.g. -o ProxyJump=bastion -o StrictHostKeyChecking=accept-new',
  });
}
