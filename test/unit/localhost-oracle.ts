// Runs one playbook on the implicit localhost under ansible-playbook and under hound (the
// built CLI: run `npx tsc -p .` first), each in the same fresh folder, for tests that compare
// what the two print.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeTree } from './file-tree.js';

export const HOUND_CLI = path.resolve(__dirname, '../../dist/cli/hound.js');

export interface ToolOutput {
  code: number | null;
  /** stdout then stderr. */
  output: string;
}

export interface LocalhostOracle {
  /** Writes `play.yml` (and `files`) into a new folder and runs both tools there. */
  run(playbook: string, files?: Record<string, string>): { ansible: ToolOutput; hound: ToolOutput; base: string };
  /** A new folder holding `files`, for a test that runs hound there itself. */
  folder(files: Record<string, string>): string;
  /** hound alone in `base`: `hound play -i localhost,`, the oracle's own arguments, then `args` (the playbook among them). */
  hound(base: string, args: readonly string[]): ToolOutput;
  /** Removes every folder it made. */
  cleanUp(): void;
}

const ENV = { ...process.env, ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'false', NO_COLOR: '1' };

export function localhostOracle(name: string, houndArgs: readonly string[] = []): LocalhostOracle {
  const dir = mkdtempSync(path.join(tmpdir(), `hound-${name}-`));
  let counter = 0;
  const oracle: LocalhostOracle = {
    folder(files) {
      const base = path.join(dir, String(counter++));
      writeTree(base, files);
      return base;
    },
    hound(base, args) {
      const h = spawnSync(process.execPath, [HOUND_CLI, 'play', '-i', 'localhost,', ...houndArgs, ...args], {
        cwd: base,
        encoding: 'utf8',
        env: { ...ENV, HOUND_ROLES_PATH: '' },
        timeout: 60_000,
      });
      return { code: h.status, output: h.stdout + h.stderr };
    },
    run(playbook, files = {}) {
      const base = oracle.folder({ 'play.yml': playbook, ...files });
      const a = spawnSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', 'play.yml'], { cwd: base, encoding: 'utf8', env: ENV, timeout: 60_000 });
      return { ansible: { code: a.status, output: a.stdout + a.stderr }, hound: oracle.hound(base, ['play.yml']), base };
    },
    cleanUp: () => rmSync(dir, { recursive: true, force: true }),
  };
  return oracle;
}
