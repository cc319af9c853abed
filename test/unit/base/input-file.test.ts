import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFileError, readInputFile, readInputFileSync, readInputText } from '../../../base/input-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hound-input-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fifo = path.join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const regular = path.join(dir, 'vars.yml');
writeFileSync(regular, 'a: 1\n');

async function problemOf(file: string, maxBytes?: number): Promise<{ sync: string; async: string; message: string }> {
  let sync = 'none';
  let message = '';
  try {
    readInputFileSync(file, { what: 'vars file', maxBytes });
  } catch (err) {
    expect(err).toBeInstanceOf(InputFileError);
    sync = (err as InputFileError).problem;
    message = (err as InputFileError).message;
  }
  const failure = await readInputFile(file, { what: 'vars file', maxBytes }).then(
    () => 'none',
    (err: unknown) => (err as InputFileError).problem,
  );
  return { sync, async: failure, message };
}

describe('the one input file reader', () => {
  it('reads a regular file', async () => {
    expect(readInputFileSync(regular, { what: 'vars file' }).toString()).toBe('a: 1\n');
    expect(await readInputText(regular, { what: 'vars file' })).toBe('a: 1\n');
  });

  it.each([
    ['a FIFO, without waiting for a writer', fifo, 'not-regular', /is a FIFO \(named pipe\), not a regular file/],
    ['/dev/zero', '/dev/zero', 'not-regular', /is a character device/],
    ['/dev/urandom', '/dev/urandom', 'not-regular', /is a character device/],
    ['a directory', dir, 'not-regular', /is a directory/],
    ['a missing file', path.join(dir, 'nope.yml'), 'missing', /does not exist/],
    ['a path through a file', path.join(regular, 'x'), 'missing', /does not exist/],
  ])('refuses %s, naming it', async (_what, file, problem, message) => {
    const got = await problemOf(file);
    expect(got.sync).toBe(problem);
    expect(got.async).toBe(problem);
    expect(got.message).toMatch(message);
    expect(got.message).toContain(file);
  });

  it('refuses a file over the size limit, before reading it', async () => {
    const big = path.join(dir, 'big.yml');
    writeFileSync(big, 'x'.repeat(2048));
    const got = await problemOf(big, 1024);
    expect(got).toMatchObject({ sync: 'too-large', async: 'too-large' });
    expect(got.message).toContain('larger than 1 KiB');
  });

  it('uses the caller’s codes and exit code where they predate it', () => {
    try {
      readInputFileSync(fifo, { what: 'inventory file', codes: { 'not-regular': 'INVENTORY_NOT_A_FILE' }, exitCode: 4 });
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVENTORY_NOT_A_FILE', exitCode: 4 });
    }
  });

  it('refuses text that is not UTF-8 when strict', async () => {
    const latin = path.join(dir, 'latin1.ini');
    writeFileSync(latin, Buffer.from([0x68, 0xe9, 0x0a]));
    await expect(readInputText(latin, { what: 'inventory file', strict: true })).rejects.toMatchObject({ problem: 'encoding', exitCode: 4 });
    expect(await readInputText(latin, { what: 'vars file' })).toBe('h\ufffd\n');
  });
});
