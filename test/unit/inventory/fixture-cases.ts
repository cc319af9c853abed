// The recorded ansible-inventory corpus under test/fixtures/inventory (see record.sh there).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/inventory');

export interface FixtureCase {
  name: string;
  dir: string;
  /** The -i values, as hound is given them. */
  sources: string[];
  /** Exit code of ansible-inventory --list; undefined for hound-only cases. */
  ansibleRc?: number;
  ansibleStderr: string;
  expectedJson?: unknown;
  /** ansible-inventory --list's output as it printed it. */
  expectedJsonText?: string;
  /** ansible-inventory --list --yaml's output. */
  expectedYaml?: string;
  expectedGraph?: string;
  expectedGraphVars?: string;
  houndOnly: boolean;
}

function read(dir: string, name: string): string | undefined {
  const p = path.join(dir, name);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

export function fixtureCases(): FixtureCase[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(FIXTURES, d.name, 'sources')))
    .map((d) => {
      const dir = path.join(FIXTURES, d.name);
      const sources = read(dir, 'sources')!
        .split('\n')
        .filter((l) => l !== '')
        .map((s) => (s.includes(',') && !existsSync(path.join(dir, s)) ? s : path.join(dir, s)));
      const json = read(dir, 'expected.json');
      const rc = read(dir, 'expected.rc');
      return {
        name: d.name,
        dir,
        sources,
        ansibleRc: rc === undefined ? undefined : Number(rc.trim()),
        ansibleStderr: read(dir, 'expected.stderr') ?? '',
        expectedJson: json ? JSON.parse(json) : undefined,
        expectedJsonText: json,
        expectedYaml: read(dir, 'expected.yaml'),
        expectedGraph: read(dir, 'expected.graph'),
        expectedGraphVars: read(dir, 'expected.graph-vars'),
        houndOnly: existsSync(path.join(dir, 'hound-only')),
      };
    });
}
