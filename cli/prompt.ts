// Questions asked on the terminal before a run (-K's become password, vars_prompt), with
// the answer hidden when it is a secret. Without a terminal, -K reads one line of stdin (as
// Python's getpass falls back to), and nothing else is asked.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Whether hound can ask the user anything: stdin and stderr on a terminal. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** Asks on the terminal; with `hidden`, what is typed is not echoed. */
export function ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      if (options.hidden) process.stderr.write('\n');
      resolve(answer);
    });
    muted = options.hidden === true;
  });
}

/** The first line of stdin (a password piped in: `echo … | hound play -K …`). */
export function readStdinLine(): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve('');
    });
  });
}
