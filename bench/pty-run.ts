// Runs a command on a real pseudo-terminal of a given size, as a person's terminal would:
// python3's pty module makes the pty (no native Node module to build), sets its size
// before the command starts, passes on size changes (the kernel sends SIGWINCH) and
// returns every byte the command wrote to the terminal, with the command's own CPU time
// and peak RSS from wait4(2) (its waited-for children included, as GNU time counts).
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

const PTY_DRIVER = String.raw`
import fcntl, json, os, pty, select, struct, sys, termios, time
rows, cols, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
started = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execvp(argv[0], argv)
control = sys.stdin.buffer.raw
pending = b''
readers = [fd, control]
while fd in readers:
    ready, _, _ = select.select(readers, [], [])
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if not data:
            readers.remove(fd)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
    if control in ready:
        chunk = os.read(control.fileno(), 4096)
        if not chunk:
            readers.remove(control)
        pending += chunk
        while b'\n' in pending:
            line, pending = pending.split(b'\n', 1)
            words = line.decode().split()
            if words[:1] == ['resize']:
                fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', int(words[1]), int(words[2]), 0, 0))
            elif words[:1] == ['type']:
                os.write(fd, bytes.fromhex(words[1]))
_, status, usage = os.wait4(pid, 0)
wall = time.monotonic() - started
code = os.waitstatus_to_exitcode(status)
os.write(3, json.dumps({'code': code if code >= 0 else None, 'signal': -code if code < 0 else None,
    'user': usage.ru_utime, 'sys': usage.ru_stime, 'maxrss_kb': usage.ru_maxrss, 'wall': wall}).encode())
`;

export interface PtyResult {
  code: number | null;
  signal: number | null;
  /** Everything the command wrote to the terminal. */
  output: Buffer;
  userSeconds: number;
  systemSeconds: number;
  maxRssBytes: number;
  /** From the command's start to its end, as the driver saw them (its own start-up left out). */
  wallSeconds: number;
}

export interface PtyOptions {
  rows: number;
  columns: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Each chunk as the terminal got it (a test feeds a terminal emulator with them). */
  onData?: (chunk: Buffer) => void;
}

export interface PtyRun {
  done: Promise<PtyResult>;
  /** Changes the terminal's size, as a person resizing the window does. */
  resize(rows: number, columns: number): void;
  /** Types `text` at the terminal (`\x03` is Ctrl-C). */
  type(text: string): void;
}

export function runInPty(argv: readonly string[], options: PtyOptions): PtyRun {
  const child = spawn('python3', ['-c', PTY_DRIVER, String(options.rows), String(options.columns), ...argv], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const control = child.stdin;
  const chunks: Buffer[] = [];
  let stderr = '';
  let report = '';
  child.stdout.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    options.onData?.(chunk);
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  (child.stdio[3] as Readable).setEncoding('utf8').on('data', (c: string) => (report += c));
  const done = new Promise<PtyResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || report === '') return reject(new Error(`the pty driver failed (exit ${code}): ${stderr.trim() || 'no report'}`));
      const r = JSON.parse(report) as { code: number | null; signal: number | null; user: number; sys: number; maxrss_kb: number; wall: number };
      resolve({
        code: r.code,
        signal: r.signal,
        output: Buffer.concat(chunks),
        userSeconds: r.user,
        systemSeconds: r.sys,
        maxRssBytes: r.maxrss_kb * 1024,
        wallSeconds: r.wall,
      });
    });
  });
  return {
    done,
    resize: (rows, columns) => control.write(`resize ${rows} ${columns}\n`),
    type: (text) => control.write(`type ${Buffer.from(text).toString('hex')}\n`),
  };
}
