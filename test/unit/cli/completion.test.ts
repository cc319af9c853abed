// The completion scripts, run by the real shells: bash completes commands, options and an
// option's choices; zsh loads the script (through bashcompinit) without an error.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';

async function script(shell: 'bash' | 'zsh'): Promise<string> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string) => {
    out += chunk;
    return true;
  };
  try {
    expect(await run(['completion', shell])).toBe(0);
  } finally {
    process.stdout.write = write;
  }
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'hound-completion-')), `hound.${shell}`);
  writeFileSync(file, out);
  return file;
}

function complete(file: string, words: string[]): string[] {
  const shown = execFileSync(
    'bash',
    ['-c', `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _hound; printf '%s\\n' "\${COMPREPLY[@]}"`, 'complete', file, 'hound', ...words],
    { encoding: 'utf8' },
  );
  return shown.split('\n').filter((w) => w !== '');
}

// The first run() loads every command's module, and each case spawns a shell: under a loaded
// machine (load 18 on 2 cores) that took 26 s, so these cases get more than the unit default.
const SPAWNS_SHELLS = 90_000;

describe('hound completion', () => {
  it(
    'bash: commands, subcommands, options and their choices',
    async () => {
      const file = await script('bash');
      expect(complete(file, ['pl'])).toEqual(['play', 'plan']);
      expect(complete(file, ['lab', ''])).toEqual(expect.arrayContaining(['up', 'images', 'status', 'down']));
      expect(complete(file, ['play', '--distr'])).toEqual(['--distribution']);
      expect(complete(file, ['play', '--distribution', ''])).toEqual(['direct', 'relay', 'fanout', 'auto']);
      expect(complete(file, ['--no-co'])).toEqual(['--no-color']);
    },
    SPAWNS_SHELLS,
  );

  it(
    'zsh: the script loads and registers the completion',
    async () => {
      const file = await script('zsh');
      const out = execFileSync('zsh', ['-fc', `source "${file}" && whence -w _hound`], { encoding: 'utf8' });
      expect(out.trim()).toBe('_hound: function');
    },
    SPAWNS_SHELLS,
  );
});
