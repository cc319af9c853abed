// One error hierarchy for the whole of hound. Every error a user can cause carries a
// stable code (for scripts and tests), an exit code (Ansible's, see EXIT), and where
// there is a file, the position in it. The CLI catches HoundError in one place and
// prints `format()`; anything else is a bug and exits 250. What format() returns has been
// through the one masking step (base/secrets.ts): an error may quote a line that holds one.
import { maskSecrets } from './secrets.js';

/** Exit codes, as ansible-playbook uses them. */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  HOST_FAILED: 2,
  HOST_UNREACHABLE: 3,
  PARSE: 4,
  OPTIONS: 5,
  INTERRUPTED: 99,
  UNEXPECTED: 250,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A position in a source file; line and column are 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
  /** The text of the offending line, shown under the message. */
  sourceLine?: string;
}

export interface HoundErrorOptions {
  position?: SourcePosition;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

export class HoundError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly position?: SourcePosition;
  readonly hint?: string;

  constructor(code: string, message: string, exitCode: ExitCode = EXIT.ERROR, options: HoundErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.position = options.position;
    this.hint = options.hint;
  }

  /** One line: `file:line:col: message`, secrets masked (what a task that fails with this error reports). */
  oneLine(): string {
    const p = this.position;
    return shortenLines(`${p ? `${p.file}:${p.line}:${p.column}: ` : ''}${maskSecrets(this.message)}`);
  }

  /** One screen at most: `file:line:col: error CODE: message`, the line with a caret, the hint; secrets masked. */
  format(): string {
    const out: string[] = [];
    const p = this.position;
    const where = p ? `${p.file}:${p.line}:${p.column}: ` : '';
    out.push(shortenLines(`${where}error ${this.code}: ${maskSecrets(this.message)}`));
    if (p?.sourceLine !== undefined) {
      const { text, caret } = quotedLine(p.sourceLine, p.column);
      const gutter = `${p.line} | `;
      out.push(`  ${gutter}${text}`);
      out.push(`  ${' '.repeat(gutter.length)}${' '.repeat(caret - 1)}^`);
    }
    if (this.hint) out.push(shortenLines(maskSecrets(`  hint: ${this.hint}`)));
    return out.join('\n');
  }
}

/** The longest line of an error shown whole; longer ones (a 20 MB host line) are cut around the point of interest. */
export const MAX_SHOWN_LINE = 240;

/** The quoted source line, masked, then cut to a window around the column; `caret` is the column in what is shown. */
function quotedLine(line: string, column: number): { text: string; caret: number } {
  const masked = maskSecrets(line);
  // Masking may change the length before the column: place the caret after the masked prefix.
  const prefix = maskSecrets(line.slice(0, Math.max(0, column - 1)));
  let caret = masked.startsWith(prefix) ? prefix.length + 1 : Math.min(column, masked.length + 1);
  if (masked.length <= MAX_SHOWN_LINE) return { text: masked, caret };
  const start = Math.max(0, Math.min(caret - 1 - MAX_SHOWN_LINE / 2, masked.length - MAX_SHOWN_LINE));
  const head = start > 0 ? '…' : '';
  const tail = start + MAX_SHOWN_LINE < masked.length ? `… (${masked.length} characters)` : '';
  caret = caret - start + head.length;
  return { text: head + masked.slice(start, start + MAX_SHOWN_LINE) + tail, caret };
}

/** Cuts the middle of over-long lines: the start says what was given, the end usually says what is wrong with it. */
function shortenLines(text: string): string {
  if (text.length <= MAX_SHOWN_LINE * 4) return text;
  return text
    .split('\n')
    .map((l) => (l.length > MAX_SHOWN_LINE * 4 ? `${l.slice(0, MAX_SHOWN_LINE * 3)}… (${l.length} characters) …${l.slice(-MAX_SHOWN_LINE)}` : l))
    .join('\n');
}

/** A file could not be parsed or did not validate (exit 4). */
export class ParseError extends HoundError {
  constructor(code: string, message: string, options: HoundErrorOptions = {}) {
    super(code, message, EXIT.PARSE, options);
  }
}

/** Bad command-line options or arguments (exit 5). */
export class OptionsError extends HoundError {
  constructor(code: string, message: string, options: HoundErrorOptions = {}) {
    super(code, message, EXIT.OPTIONS, options);
  }
}

/** The machine lacks something hound needs (root, Linux, a package), exit 1. */
export class EnvironmentError extends HoundError {
  constructor(code: string, message: string, options: HoundErrorOptions = {}) {
    super(code, message, EXIT.ERROR, options);
  }
}

/** A host could not be reached or authenticated (exit 3 when it ends a run). */
export class UnreachableError extends HoundError {
  readonly host: string;
  constructor(host: string, code: string, message: string, options: HoundErrorOptions = {}) {
    super(code, message, EXIT.HOST_UNREACHABLE, options);
    this.host = host;
  }
}

/** A task failed on a host (exit 2 when it ends a run). */
export class TaskFailedError extends HoundError {
  readonly host: string;
  constructor(host: string, code: string, message: string, options: HoundErrorOptions = {}) {
    super(code, message, EXIT.HOST_FAILED, options);
    this.host = host;
  }
}

/** The run was interrupted (SIGINT/SIGTERM), exit 99. */
export class InterruptedError extends HoundError {
  constructor(message = 'interrupted') {
    super('INTERRUPTED', message, EXIT.INTERRUPTED);
  }
}

/** The position of character `offset` of `text`, counted in one pass (for errors found before a parser ran). */
export function positionAtOffset(file: string, text: string, offset: number): SourcePosition {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < start; i = text.indexOf('\n', i + 1)) line++;
  return { file, line, column: offset - start + 1, sourceLine: lineOf(text, line) };
}

/** Reads the text of line `line` (1-based) of `text`, for error frames, without splitting the whole text. */
export function lineOf(text: string, line: number): string | undefined {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}
