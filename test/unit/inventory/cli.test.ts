// `hound inventory` through the real CLI entry point: output, exit codes, error frames.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../../cli/main.js';
import { FIXTURES } from './fixture-cases.js';
import { readFileSync } from 'node:fs';

let stdout = '';
let stderr = '';

beforeEach(() => {
  stdout = '';
  stderr = '';
  process.exitCode = undefined;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const fixture = (...p: string[]) => path.join(FIXTURES, ...p);
const expected = (c: string, f: string) => readFileSync(fixture(c, f), 'utf8');

describe('hound inventory', () => {
  it('--list prints exactly what ansible-inventory --list printed', async () => {
    const code = await run(['inventory', '-i', fixture('vars-dirs', 'hosts.ini'), '--list']);
    expect(code).toBe(0);
    expect(stdout).toBe(expected('vars-dirs', 'expected.json'));
  });

  it('-i is repeatable and --graph draws the tree', async () => {
    const code = await run(['inventory', '-i', fixture('multi-source', 'a.ini'), '-i', fixture('multi-source', 'b.yml'), '--graph']);
    expect(code).toBe(0);
    expect(stdout).toBe(expected('multi-source', 'expected.graph'));
  });

  it('--graph GROUP starts at that group', async () => {
    const code = await run(['inventory', '-i', fixture('ini-children', 'hosts.ini'), '--graph', 'southeast']);
    expect(code).toBe(0);
    expect(stdout).toBe(['@southeast:', '  |--@atlanta:', '  |  |--host1', '  |  |--host2', '  |--@raleigh:', '  |  |--host2', '  |  |--host3', ''].join('\n'));
  });

  it('--graph of an unknown group exits 5', async () => {
    expect(await run(['inventory', '-i', fixture('ini-children', 'hosts.ini'), '--graph', 'nope'])).toBe(5);
    expect(stderr).toMatch(/error NOT_A_GROUP: Pattern must be valid group name when using --graph/);
  });

  it("--host prints one host's merged variables", async () => {
    const code = await run(['inventory', '-i', fixture('vars-dirs', 'hosts.ini'), '--host', 'w2']);
    expect(code).toBe(0);
    const all = JSON.parse(expected('vars-dirs', 'expected.json')) as { _meta: { hostvars: Record<string, unknown> } };
    expect(JSON.parse(stdout)).toStrictEqual(all._meta.hostvars['w2']);
  });

  it('--list --limit keeps only the matching hosts and the groups that hold them', async () => {
    const code = await run(['inventory', '-i', fixture('patterns', 'hosts.ini'), '--list', '--limit', 'staging']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as Record<string, { hosts?: string[]; children?: string[] }>;
    expect(out['staging']?.hosts).toStrictEqual(['web1.example.com', 'db1.example.com']);
    expect(out['atlanta']).toBeUndefined();
    expect(out['ungrouped']).toBeUndefined();
    expect(out['webservers']?.hosts).toStrictEqual(['web1.example.com']);
    expect(out['all']?.children).toStrictEqual(['staging', 'production']);
  });

  it('--list --yaml prints YAML', async () => {
    const code = await run(['inventory', '-i', fixture('ini-basic', 'hosts.ini'), '--list', '--yaml']);
    expect(code).toBe(0);
    expect(stdout).toContain('all:\n  children:\n');
    expect(stdout).toContain('    webservers:\n      hosts:\n        bar.example.com: {}\n');
  });

  it('a broken inventory exits 4 with file:line:col, the line and a hint, and no stack trace', async () => {
    const file = fixture('err-vars-undefined-group', 'hosts.ini');
    const code = await run(['inventory', '-i', file, '--list']);
    expect(code).toBe(4);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      [
        `${file}:3:1: error INVENTORY_UNDEFINED_GROUP: Section [ghost:vars] not valid for undefined group: ghost`,
        '  3 | [ghost:vars]',
        '      ^',
        '  hint: declare the group with a [ghost] or [ghost:children] section',
        '',
      ].join('\n'),
    );
  });

  it('warnings go to stderr as [WARNING]', async () => {
    const code = await run(['inventory', '-i', fixture('yaml-warnings', 'hosts.yml'), '--list']);
    expect(code).toBe(0);
    expect(stderr).toContain("[WARNING]: Skipping 'bad' as this is not a valid group definition\n");
    expect(JSON.parse(stdout)).toStrictEqual(JSON.parse(expected('yaml-warnings', 'expected.json')));
  });

  it('needs exactly one of --list, --graph, --host', async () => {
    expect(await run(['inventory', '-i', fixture('ini-basic', 'hosts.ini')])).toBe(5);
    expect(stderr).toMatch(/NO_INVENTORY_ACTION/);
    expect(await run(['inventory', '-i', fixture('ini-basic', 'hosts.ini'), '--list', '--graph'])).toBe(5);
  });

  it('--host of an unknown host exits 5', async () => {
    expect(await run(['inventory', '-i', fixture('ini-basic', 'hosts.ini'), '--host', 'nope'])).toBe(5);
    expect(stderr).toMatch(/You must pass a single valid host to --host parameter/);
  });
});
