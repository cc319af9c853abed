// The one reader of the files hound takes as input: playbooks, task and vars files, -e @file,
// --limit @file, inventories and group_vars/host_vars, plan files, lookups' compose and
// Kubernetes files, SSH keys, known_hosts, ssh_config and Docker's config.
//
// Only regular files are read, and only up to a size: /dev/zero would grow hound without
// end, and a FIFO would block it forever (reading a FIFO with no writer waits in a thread
// that not even SIGTERM can stop). The file is opened non-blocking, so opening a FIFO
// returns at once, and checked with fstat on the open descriptor, so what is checked is
// what is read. Every refusal names the file and why, at the position that named it.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { EXIT, HoundError, type ExitCode, type SourcePosition } from './errors.js';

/** Files larger than this are refused unless the caller says otherwise. */
export const MAX_INPUT_FILE_BYTES = 32 * 1024 * 1024;

export type InputFileProblem = 'missing' | 'unreadable' | 'not-regular' | 'too-large' | 'encoding';

const DEFAULT_CODES: Record<InputFileProblem, string> = {
  missing: 'FILE_NOT_FOUND',
  unreadable: 'FILE_UNREADABLE',
  'not-regular': 'FILE_NOT_REGULAR',
  'too-large': 'FILE_TOO_LARGE',
  encoding: 'FILE_ENCODING',
};

export interface InputFileOptions {
  /** What the file is, for the message: "playbook", "vars file", "-e @file", "SSH private key". */
  what: string;
  /** Larger files are refused (default MAX_INPUT_FILE_BYTES). */
  maxBytes?: number;
  /** Where the file was named (the line of an include, vars_files entry, ...). */
  position?: SourcePosition;
  /** What the user can do, added to the reason's own hint. */
  hint?: string;
  /** Codes for callers whose codes predate this reader (PLAN_FILE_UNREADABLE, INVENTORY_NOT_A_FILE, ...). */
  codes?: Partial<Record<InputFileProblem, string>>;
  /** The exit code for every refusal (default 1, as ansible-playbook for a file it cannot use; 4 for size and encoding). */
  exitCode?: ExitCode;
}

/** A file hound was given could not be used as input. */
export class InputFileError extends HoundError {
  constructor(
    readonly file: string,
    readonly problem: InputFileProblem,
    message: string,
    options: InputFileOptions,
    hint: string | undefined,
    cause?: unknown,
  ) {
    const exitCode = options.exitCode ?? (problem === 'too-large' || problem === 'encoding' ? EXIT.PARSE : EXIT.ERROR);
    super(options.codes?.[problem] ?? DEFAULT_CODES[problem], message, exitCode, {
      position: options.position,
      hint: [hint, options.hint].filter(Boolean).join('; ') || undefined,
      cause,
    });
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function openError(file: string, err: unknown, options: InputFileOptions): InputFileError {
  const code = (err as NodeJS.ErrnoException).code;
  const name = `${options.what} ${file}`;
  switch (code) {
    case 'ENOENT':
      return new InputFileError(file, 'missing', `${name} does not exist`, options, undefined, err);
    case 'ENOTDIR':
      return new InputFileError(file, 'missing', `${name} does not exist (a part of its path is not a directory)`, options, undefined, err);
    case 'EACCES':
    case 'EPERM':
      return new InputFileError(
        file,
        'unreadable',
        `${name} cannot be read: permission denied`,
        options,
        'check its permissions and those of its folders',
        err,
      );
    case 'ELOOP':
      return new InputFileError(file, 'unreadable', `${name} cannot be read: too many levels of symbolic links`, options, undefined, err);
    case 'ENAMETOOLONG':
      return new InputFileError(file, 'unreadable', `${options.what} path is too long (${file.length} characters)`, options, undefined, err);
    case 'EISDIR':
      return new InputFileError(file, 'not-regular', `${name} is a directory, not a file`, options, 'give the path of a file', err);
    default:
      return new InputFileError(file, 'unreadable', `${name} cannot be read (${code ?? (err as Error).message})`, options, undefined, err);
  }
}

function checkStat(file: string, st: Stats, options: InputFileOptions, maxBytes: number): void {
  if (!st.isFile()) {
    throw new InputFileError(file, 'not-regular', `${options.what} ${file} is ${kindOf(st)}, not a regular file`, options, 'hound reads only regular files');
  }
  if (st.size > maxBytes) throw tooLarge(file, options, maxBytes);
}

function tooLarge(file: string, options: InputFileOptions, maxBytes: number): InputFileError {
  return new InputFileError(file, 'too-large', `${options.what} ${file} is larger than ${formatLimit(maxBytes)}`, options, 'split it into smaller files');
}

function formatLimit(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/**
 * A file's bytes as read, chunk by chunk, up to one byte past the limit: a file may grow
 * while it is read, so the size fstat gave is not trusted alone. Shared by the sync and
 * async readers, which differ only in how a chunk is read.
 */
class BoundedBytes {
  private readonly chunks: Buffer[] = [];
  private total = 0;

  constructor(
    private readonly file: string,
    private readonly options: InputFileOptions,
    private readonly maxBytes: number,
  ) {}

  nextChunk(): Buffer {
    return Buffer.allocUnsafe(Math.min(1024 * 1024, this.maxBytes + 1 - this.total));
  }

  /** Keeps the `n` bytes read into `chunk`; false at the end of the file. */
  add(chunk: Buffer, n: number): boolean {
    if (n === 0) return false;
    this.chunks.push(chunk.subarray(0, n));
    this.total += n;
    if (this.total > this.maxBytes) throw tooLarge(this.file, this.options, this.maxBytes);
    return true;
  }

  all(): Buffer {
    return Buffer.concat(this.chunks, this.total);
  }
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** Reads a regular file of at most `maxBytes` (a file may grow while read: reading stops past the limit). */
export function readInputFileSync(file: string, options: InputFileOptions): Buffer {
  const maxBytes = options.maxBytes ?? MAX_INPUT_FILE_BYTES;
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (err) {
    throw openError(file, err, options);
  }
  try {
    checkStat(file, fstatSync(fd), options, maxBytes);
    const bytes = new BoundedBytes(file, options, maxBytes);
    for (;;) {
      const chunk = bytes.nextChunk();
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (err) {
        throw openError(file, err, options);
      }
      if (!bytes.add(chunk, n)) return bytes.all();
    }
  } finally {
    closeSync(fd);
  }
}

/** readInputFileSync without blocking the event loop. */
export async function readInputFile(file: string, options: InputFileOptions): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? MAX_INPUT_FILE_BYTES;
  let handle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (err) {
    throw openError(file, err, options);
  }
  try {
    checkStat(file, await handle.stat(), options, maxBytes);
    const bytes = new BoundedBytes(file, options, maxBytes);
    for (;;) {
      const chunk = bytes.nextChunk();
      let n: number;
      try {
        ({ bytesRead: n } = await handle.read(chunk, 0, chunk.length, null));
      } catch (err) {
        throw openError(file, err, options);
      }
      if (!bytes.add(chunk, n)) return bytes.all();
    }
  } finally {
    await handle.close();
  }
}

/** The file's bytes as UTF-8 text; `strict` refuses bytes that are not UTF-8 (else they become U+FFFD, as Node reads them). A BOM is dropped. */
export function inputText(file: string, bytes: Buffer, options: InputFileOptions & { strict?: boolean }): string {
  let text: string;
  if (options.strict) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (err) {
      throw new InputFileError(file, 'encoding', `${options.what} ${file} is not valid UTF-8`, options, 'save it as UTF-8', err);
    }
  } else text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Reads a regular file as UTF-8 text (see readInputFileSync). */
export function readInputTextSync(file: string, options: InputFileOptions & { strict?: boolean }): string {
  return inputText(file, readInputFileSync(file, options), options);
}

/** Reads a regular file as UTF-8 text (see readInputFile). */
export async function readInputText(file: string, options: InputFileOptions & { strict?: boolean }): Promise<string> {
  return inputText(file, await readInputFile(file, options), options);
}
