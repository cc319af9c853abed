// One error hierarchy for the whole of hound. Every error a user can cause carries a
// stable code (for scripts and tests), an exit code (Ansible's, see EXIT), and where
// there is a file, the position in it. The CLI catches HoundError in one place and
// prints `format()`; anything else is a bug and exits 250.

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

  /** One screen at most: `file:line:col: error CODE: message`, the line with a caret, the hint. */
  format(): string {
    const out: string[] = [];
    const p = this.position;
    const where = p ? `${p.file}:${p.line}:${p.column}: ` : '';
    out.push(`${where}error ${this.code}: ${this.message}`);
    if (p?.sourceLine !== undefined) {
      const gutter = `${p.line} | `;
      out.push(`  ${gutter}${p.sourceLine}`);
      out.push(`  ${' '.repeat(gutter.length)}${' '.repeat(Math.max(0, p.column - 1))}^`);
    }
    if (this.hint) out.push(`  hint: ${this.hint}`);
    return out.join('\n');
  }
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

/** Reads the text of line `line` (1-based) of `text`, for error frames. */
export function lineOf(text: string, line: number): string | undefined {
  const lines = text.split(/\r?\n/);
  return lines[line - 1];
}
