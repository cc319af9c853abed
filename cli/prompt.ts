// Questions asked on the terminal before a run: vault passwords (--ask-vault-pass and
// ansible-vault's prompts), -K's become password and vars_prompt. The question goes to stderr,
// so stdout stays clean for what a command prints; a secret is read with echo off. Without a
// terminal, a password is one line of stdin, as Python's getpass falls back to
// (`echo pw | hound play --ask-vault-pass …`), and nothing else is asked.
import { createInterface } from 'node:readline';
import { EXIT, HoundError, InterruptedError } from '../base/errors.js';

/** Whether hound can ask the user anything: stdin and stderr on a terminal. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** Asks on the terminal; with `hidden`, what is typed is not echoed. */
export function ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  if (options.hidden) return readHidden(question, process.stdin, process.stderr);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    });
  });
}

/** A password: on a terminal with echo off, otherwise the first line of `input`; rejects at end of input. */
export async function promptPassword(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (input.isTTY) return readHidden(question, input, output);
  const line = await readLine(input);
  if (line === undefined) throw endOfInput();
  return line;
}

/** The first line of `input` (a password piped in: `echo … | hound play -K …`); undefined when it ends before one. */
export function readLine(input: NodeJS.ReadStream = process.stdin): Promise<string | undefined> {
  return new Promise((resolve) => {
    const lines = createInterface({ input, terminal: false });
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      resolve(line);
    });
    lines.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

/** Reads a line in raw mode, echoing nothing: Enter ends it, Backspace takes a character back, Ctrl-D ends input, Ctrl-C interrupts. */
function readHidden(question: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  output.write(question);
  return new Promise((resolve, reject) => {
    let typed = '';
    input.setRawMode(true);
    input.resume();
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0004') return done(typed === '' ? endOfInput() : undefined);
        if (ch === '\u0003') return done(new InterruptedError());
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on('data', onData);
  });
}

function endOfInput(): HoundError {
  return new HoundError('PROMPT_EOF', 'end of input at the prompt', EXIT.ERROR, { hint: 'type an answer, or give it another way (a file or an option)' });
}
