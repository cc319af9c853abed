// The program rsync starts as its remote shell (--rsh) when hound runs rsync: instead of an ssh
// client, it hands its arguments and stdin to the hound process that started rsync (over the
// unix socket named by its first argument), which runs the command on the host through its own
// connection (transport/remote-shell.ts) and sends back stdout, stderr and the exit status.
// Started as: node remote-shell-bridge.js SOCKET [-l USER] HOST COMMAND...
import net from 'node:net';
import { FRAME, FrameReader, TOKEN_VARIABLE } from './remote-shell.js';

const [socketPath, ...argv] = process.argv.slice(2);
const socket = net.connect(socketPath);
let exited = false;

socket.once('connect', () => {
  socket.write(`${JSON.stringify({ token: process.env[TOKEN_VARIABLE] ?? '', argv })}\n`);
  process.stdin.pipe(socket);
});

const reader = new FrameReader();
socket.on('data', (chunk: Buffer) => {
  for (const { kind, payload } of reader.push(chunk)) {
    if (kind === FRAME.stdout) {
      if (!process.stdout.write(payload)) {
        socket.pause();
        process.stdout.once('drain', () => socket.resume());
      }
    } else if (kind === FRAME.stderr) {
      process.stderr.write(payload);
    } else if (kind === FRAME.exit) {
      const status = JSON.parse(payload.toString('utf8')) as { code: number | null };
      exited = true;
      // As ssh: the command's own status, 255 when it died of a signal.
      process.exitCode = status.code ?? 255;
      process.stdin.unpipe(socket);
      process.stdin.destroy();
      socket.destroy();
    }
  }
});

socket.on('error', (err) => {
  if (exited) return;
  process.stderr.write(`hound remote shell: ${err.message}\n`);
  process.exitCode = 255;
  process.stdin.destroy();
});

socket.on('close', () => {
  if (exited) return;
  process.stderr.write('hound remote shell: the connection to hound closed before the command ended\n');
  process.exitCode = 255;
  process.stdin.destroy();
});
