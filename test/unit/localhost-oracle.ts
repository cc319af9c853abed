// Runs one playbook on the implicit localhost under ansible-playbook and under hound (the
// built CLI: run `npx tsc -p .` first), each in the same fresh folder, for tests that compare
// what the two print.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

let emptyConfig: string | undefined;
/** An empty ansible.cfg, so that both tools read the same configuration whatever the machine's (removed as the process exits). */
function emptyConfigFile(): string {
  if (emptyConfig) return emptyConfig;
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-oracle-cfg-'));
  emptyConfig = path.join(dir, 'ansible.cfg');
  writeFileSync(emptyConfig, '');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return emptyConfig;
}

/** The environment both tools run in: an empty ansible.cfg, no colour, no roles path of the machine's. */
export function oracleEnv(extraEnv: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...ENV, ANSIBLE_CONFIG: emptyConfigFile(), HOUND_ROLES_PATH: '', ...extraEnv };
}

/** `ansible-playbook ARGS` or `hound play ARGS` in `cwd`, in oracleEnv(). */
export function playIn(tool: 'ansible-playbook' | 'hound', args: readonly string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const [command, argv] = tool === 'hound' ? [process.execPath, [HOUND_CLI, 'play', ...args]] : ['ansible-playbook', [...args]];
  const env = oracleEnv(extraEnv);
  const r = spawnSync(command, argv, { cwd, encoding: 'utf8', env, timeout: 60_000, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
