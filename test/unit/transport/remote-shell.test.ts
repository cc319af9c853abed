// The remote shell's pieces that need no host: the frames and the ssh-style argument list.
import { describe, expect, it } from 'vitest';
import { FRAME, FrameReader, frame, remoteCommandOf } from '../../../transport/remote-shell.js';

describe('remoteCommandOf', () => {
  it('takes what follows the host, joined by spaces as ssh joins it', () => {
    expect(remoteCommandOf(['node1', 'rsync', '--server', '-logDtprze.iLsfxCIvu', '.', '/srv/x/'])).toBe('rsync --server -logDtprze.iLsfxCIvu . /srv/x/');
  });
  it('skips -l USER and other options before the host', () => {
    expect(remoteCommandOf(['-l', 'deploy', 'node1', 'rsync', '--server'])).toBe('rsync --server');
    expect(remoteCommandOf(['-T', '-p', '2222', 'node1', 'true'])).toBe('true');
  });
  it('no command is an error', () => {
    expect(() => remoteCommandOf(['node1'])).toThrow(/without a command/);
  });
});

describe('frames', () => {
  it('survive any split of the byte stream', () => {
    const stream = Buffer.concat([
      frame(FRAME.stdout, Buffer.from('hello')),
      frame(FRAME.stderr, Buffer.alloc(0)),
      frame(FRAME.exit, Buffer.from('{"code":3}')),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new FrameReader();
      const frames = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(frames.map((f) => [f.kind, f.payload.toString()])).toEqual([
        [FRAME.stdout, 'hello'],
        [FRAME.stderr, ''],
        [FRAME.exit, '{"code":3}'],
      ]);
    }
  });
});
