// Loading: refusing hostile or broken files with one positioned ParseError, warnings, and
// sources that are not plain files (host lists, directories, nothing at all).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HoundError, OptionsError, ParseError } from '../../../base/errors.js';
import { loadInventory } from '../../../inventory/load.js';
import { MAX_YAML_BYTES } from '../../../inventory/yaml-file.js';
import { FIXTURES } from './fixture-cases.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'hound-inv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
}

async function failure(sources: string[]): Promise<HoundError> {
  const err = await loadInventory(sources).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HoundError);
  return err as HoundError;
}

describe('hostile YAML is refused without exhausting memory', () => {
  it('an alias bomb (billion laughs)', async () => {
    const e = await failure([path.join(FIXTURES, 'err-yaml-bomb', 'hosts.yml')]);
    expect(e).toBeInstanceOf(ParseError);
    expect(e.code).toBe('YAML_ALIASES');
    expect(e.exitCode).toBe(4);
  });

  it('absurdly deep nesting', async () => {
    const deep = write('deep.yml', `all:\n  vars:\n    x: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    const e = await failure([deep]);
    expect(e.code).toBe('YAML_TOO_DEEP');
    expect(e.exitCode).toBe(4);
  });

  it('a file over the size limit', async () => {
    const big = write('big.yml', `all:\n  vars:\n    x: "${'a'.repeat(MAX_YAML_BYTES)}"\n`);
    const e = await failure([big]);
    expect(e.code).toBe('INVENTORY_TOO_LARGE');
  });

  it('a host range of a hundred million hosts', async () => {
    const e = await failure([write('range.ini', '[g]\nn[0:99999999]\n')]);
    expect(e.exitCode).toBe(4);
    expect(e.position).toMatchObject({ line: 2, column: 1, sourceLine: 'n[0:99999999]' });
  });
});

describe('errors name the file, line and column and show the line', () => {
  it('INI: an undefined child group', async () => {
    const file = path.join(FIXTURES, 'err-undefined-child', 'hosts.ini');
    const e = await failure([file]);
    expect(e.code).toBe('INVENTORY_UNDEFINED_GROUP');
    expect(e.format()).toBe(
      [
        `${file}:6:1: error INVENTORY_UNDEFINED_GROUP: Section [prod:children] includes undefined group: nope`,
        '  6 | nope',
        '      ^',
        '  hint: declare the group with a [nope] section (it may be empty), or remove it from the children',
      ].join('\n'),
    );
  });

  it('INI: the offending token of a host line', async () => {
    const e = await failure([path.join(FIXTURES, 'err-host-var-no-equals', 'hosts.ini')]);
    expect(e.position).toMatchObject({ line: 2, column: 8, sourceLine: 'w1 a=1 oops' });
  });

  it('YAML: a syntax error', async () => {
    const e = await failure([path.join(FIXTURES, 'err-yaml-syntax', 'hosts.yml')]);
    expect(e.code).toBe('YAML_SYNTAX');
    // PyYAML (ansible) says line 4, column 4: the mis-indented key.
    expect(e.position).toMatchObject({ line: 4, column: 4, sourceLine: '   bad-indent: 1' });
  });

  it('YAML: a host name that is a number points at the key', async () => {
    const e = await failure([path.join(FIXTURES, 'err-yaml-int-host', 'hosts.yml')]);
    expect(e.position).toMatchObject({ line: 3, column: 5, sourceLine: '    10:' });
    expect(e.message).toMatch(/must be a string/);
  });

  it('group_vars: a syntax error in a vars file names that file', async () => {
    const e = await failure([path.join(FIXTURES, 'err-group-vars-syntax', 'hosts.ini')]);
    expect(e.position?.file).toBe(path.join(FIXTURES, 'err-group-vars-syntax', 'group_vars', 'g.yml'));
  });

  it('a .toml file is read as INI when it is INI, else as TOML, and bad TOML is one positioned error', async () => {
    // As Ansible's plugin order (ini before toml): `[all.hosts]` alone is an INI group of that name.
    const ini = await loadInventory([write('ini.toml', '[all.hosts]\n')]);
    expect([...ini.groups.keys()]).toContain('all.hosts');
    const toml = await loadInventory([write('hosts.toml', '[all.hosts]\nh1 = { ansible_port = 2222 }\n')]);
    expect(toml.hosts.get('h1')?.vars).toEqual({ ansible_port: 2222 });
    // What the INI reader added before it failed stays, as ansible-inventory lists it.
    expect([...toml.groups.keys()]).toEqual(['all', 'ungrouped', 'all.hosts']);
    const e = await failure([write('bad.toml', '[web.hosts]\nh1 = { x = }\n')]);
    expect(e.code).toBe('INVENTORY_TOML');
    expect([e.position?.line, e.position?.column]).toEqual([2, 12]);
  });

  it('invalid UTF-8 is refused', async () => {
    const p = path.join(tmp, 'latin1.ini');
    writeFileSync(p, Buffer.from([0x5b, 0x67, 0x5d, 0x0a, 0x68, 0xe9, 0x0a]));
    expect((await failure([p])).code).toBe('INVENTORY_ENCODING');
  });

  it('a missing source is an options error (exit 5)', async () => {
    const e = await failure([path.join(tmp, 'nope.ini')]);
    expect(e).toBeInstanceOf(OptionsError);
    expect(e.exitCode).toBe(5);
  });
});

describe('warnings, as ansible gives them', () => {
  it('YAML keys ansible skips are warned about, not fatal', async () => {
    const inv = await loadInventory([path.join(FIXTURES, 'yaml-warnings', 'hosts.yml')]);
    expect(inv.warnings).toContain("Skipping 'bad' as this is not a valid group definition");
    expect(inv.warnings).toContain('Skipping unexpected key (extra_key) in group (good), only "vars", "children" and "hosts" are valid');
  });

  it('a host and a group of the same name', async () => {
    const inv = await loadInventory([path.join(FIXTURES, 'ini-host-group-same-name', 'hosts.ini')]);
    expect(inv.warnings).toContain('Found both group and host with same name: web');
  });

  it('no sources and no /etc/ansible/hosts: an empty inventory and a warning', async () => {
    const seen: string[] = [];
    const inv = await loadInventory([], { warn: (m) => seen.push(m) });
    expect([...inv.hosts.keys()]).toStrictEqual([]);
    expect([...inv.groups.keys()]).toStrictEqual(['all', 'ungrouped']);
    expect(seen).toStrictEqual(['No inventory was parsed, only implicit localhost is available']);
  });
});

describe('sources', () => {
  it('a comma-separated host list, with ports', async () => {
    const inv = await loadInventory(['web1, web2:2222 ,']);
    expect([...inv.hosts.keys()]).toStrictEqual(['web1', 'web2']);
    expect(inv.hosts.get('web2')?.vars).toStrictEqual({ ansible_port: 2222 });
    expect(inv.groups.get('ungrouped')?.hosts).toStrictEqual(['web1', 'web2']);
  });

  it('a directory reads every inventory file, skipping what ansible skips', async () => {
    const inv = await loadInventory([path.join(FIXTURES, 'dir-source', 'inv')]);
    expect([...inv.hosts.keys()].sort()).toStrictEqual(['d1', 'm1', 'w1']);
    expect(inv.sources.map((s) => path.basename(s))).toStrictEqual(['01-web.yml', '02-db', '03-more.yaml']);
  });
});

describe('sources that are not plain files never hang', () => {
  it('a FIFO given to -i is refused', async () => {
    const { execFileSync } = await import('node:child_process');
    const fifo = path.join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const e = await failure([fifo]);
    expect(e.code).toBe('INVENTORY_NOT_A_FILE');
  });

  it('a directory with a symlink loop is read once', async () => {
    const { mkdirSync, symlinkSync } = await import('node:fs');
    const d = path.join(tmp, 'loop');
    mkdirSync(d);
    writeFileSync(path.join(d, 'hosts'), '[g]\nh1\n');
    symlinkSync(d, path.join(d, 'again'));
    const inv = await loadInventory([d]);
    expect([...inv.hosts.keys()]).toStrictEqual(['h1']);
  });
});
