// The ini and csvfile lookups against ansible-core's own Templar, with the same search path and
// playbook folder. The first cases are how public playbooks call them: Azure's AKS examples
// (`lookup('ini', 'client_id section=default file=~/.azure/credentials')`, the Azure
// collection's docs and many copies), community.general's linode inventory docs (keyword form,
// `lookup('ini', 'token', section='your_username', file='~/.config/linode-cli')`), and
// ansible's own csvfile docs (`lookup('csvfile', 'Li file=elements.csv delimiter=, col=2')`).
// The files are written here in the shapes those tools write (the Azure CLI's credentials,
// linode-cli's config, the docs' elements.csv), then edge cases of configparser and csv.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareWithAnsible, ORACLE_TIMEOUT_MS, renderFailure } from './templar-oracle.js';
import { csvRows } from '../../../playbook/lookups/data-files.js';
import { writeTree } from '../file-tree.js';

const root = mkdtempSync(path.join(tmpdir(), 'hound-data-lookups-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the ini and csvfile lookups, against ansible-core', () => {
  const project = path.join(root, 'project');
  writeTree(project, {
    'files/credentials': '[default]\nsubscription_id=0000-1111\nclient_id=app-id-1\nsecret=s3cr%%t\ntenant=tenant-1\n',
    'files/linode-cli': '[DEFAULT]\ndefault-user = your_username\n\n[your_username]\ntoken = abc123\nregion = us-east\n',
    'files/elements.csv': 'Symbol,Atomic Number,Atomic Mass\nH,1,1.008\nHe,2,4.0026\nLi,3,6.94\nBe,4,9.012\nB,5,10.81\n',
    'files/ansible.ini': [
      '# a comment',
      '[global]',
      'user = alice',
      'Mixed_Case: value ; not a comment here',
      'path = /srv/%(user)s/data',
      'deep = %(path)s/x',
      'percent = 100%%',
      'bad = 50%',
      'missing_ref = %(nope)s',
      'multi = first',
      '  second',
      '',
      '  third',
      'empty =',
      '[DEFAULT]',
      'home = /home',
      'from_default = %(home)s/d',
      '[db]',
      'host = db1',
      'port = 5432',
      'user = bob',
    ].join('\n'),
    'files/flags.ini': '[flags]\nplain = 1\nbare\n',
    'files/dup.ini': '[a]\nx = 1\nx = 2\n',
    'files/noheader.ini': 'x = 1\n',
    'files/app.properties': 'db.host=db1\ndb.port = 5432\nname: app\n',
    'files/latin1.ini': Buffer.from('[global]\nname = caf\xe9\n', 'latin1'),
    'files/ansible.csv': 'keyname\tvalue1\tvalue2\nother\tx\ty\n',
    'files/quoted.csv': 'a,"b, c",d\n"k""q",1,2\n"multi\nline",3,4\nplain"quote,5,6\n"x"y,7,8\n\nlast,9\r\nwin,10,11\r\nnoend,12',
    'files/semi.csv': 'k1;v1;w1\nk2;;w2\n',
  });
  const vars = { ansible_search_path: [project], playbook_dir: project, key: 'db' };
  const templates = [
    // As public playbooks call them.
    "{{ lookup('ini', 'client_id section=default file=credentials') }}",
    "{{ lookup('ini', 'secret section=default file=credentials') }}",
    "{{ lookup('ini', 'token', section='your_username', file='linode-cli') }}",
    "{{ lookup('ini', 'token section=your_username file=linode-cli') }}",
    "{{ lookup('ini', 'default-user', section='your_username', file='linode-cli') }}",
    "{{ lookup('csvfile', 'Li file=elements.csv delimiter=,') }}",
    "{{ lookup('csvfile', 'Li file=elements.csv delimiter=, col=2') }}",
    "{{ lookup('csvfile', 'keyname', file='ansible.csv', delimiter='TAB', col=1) }}",
    // ini: the default file and section, keys lower-cased, interpolation, [DEFAULT].
    "{{ lookup('ini', 'user') }}",
    "{{ lookup('ini', 'USER') }}",
    "{{ lookup('ini', 'mixed_case') }}",
    "{{ lookup('ini', 'Mixed_Case', case_sensitive=True) }}",
    "{{ lookup('ini', 'mixed_case', case_sensitive=True) }}",
    "{{ lookup('ini', 'path') }}",
    "{{ lookup('ini', 'deep') }}",
    "{{ lookup('ini', 'percent') }}",
    "{{ lookup('ini', 'bad') }}",
    "{{ lookup('ini', 'missing_ref') }}",
    "{{ lookup('ini', 'multi') }}",
    "{{ lookup('ini', 'empty') }}",
    "{{ lookup('ini', 'from_default') }}",
    "{{ lookup('ini', 'home', section='db') }}",
    "{{ lookup('ini', 'nope') }}",
    "{{ lookup('ini', 'nope', default='fallback') }}",
    "{{ lookup('ini', 'nope default=inline') }}",
    "{{ lookup('ini', 'host', section=key) }}",
    "{{ lookup('ini', 'host', 'port', section='db') }}",
    "{{ query('ini', 'host', 'port', section='db') }}",
    "{{ lookup('ini', 'host', section='nosuch') }}",
    "{{ lookup('ini', 'user', section='DEFAULT') }}",
    "{{ lookup('ini', 'home', section='DEFAULT') }}",
    // re: every key that matches from the start, [DEFAULT]'s first.
    "{{ query('ini', 'p.*', section='db', re=True) }}",
    "{{ query('ini', '.*', section='db', re=True) }}",
    "{{ query('ini', 'ort', section='db', re=True) }}",
    "{{ query('ini', '.* section=db re=True') }}",
    "{{ query('ini', 'user section=db re=False') }}",
    // Options written in the term stay set for the terms after it.
    "{{ query('ini', 'host section=db', 'port') }}",
    "{{ query('ini', 'user section=db', 'user section=global') }}",
    "{{ lookup('ini', 'section=db') }}",
    "{{ lookup('ini', 'host section=db=x') }}",
    "{{ lookup('ini', 'host nosuch=1') }}",
    "{{ lookup('ini', 'x', file='dup.ini', section='a') }}",
    "{{ lookup('ini', 'x', file='noheader.ini') }}",
    "{{ lookup('ini', 'x', file='nosuch.ini') }}",
    "{{ lookup('ini', 'plain', section='flags', file='flags.ini') }}",
    "{{ lookup('ini', 'bare', section='flags', file='flags.ini') }}",
    "{{ query('ini', 'bare', section='flags', file='flags.ini', allow_no_value=True) }}",
    "{{ query('ini', '.*', section='flags', file='flags.ini', allow_no_value=True, re=True) }}",
    "{{ lookup('ini', 'plain', section='flags', file='flags.ini', allow_none=True) }}",
    // Java properties, another encoding.
    "{{ lookup('ini', 'db.host', type='properties', file='app.properties') }}",
    "{{ lookup('ini', 'db.port type=properties file=app.properties') }}",
    "{{ lookup('ini', 'name', type='properties', file='app.properties') }}",
    "{{ lookup('ini', 'name', file='latin1.ini', encoding='latin-1') }}",
    // csvfile: the default file and TAB, columns, quoting, a default, errors.
    "{{ lookup('csvfile', 'keyname') }}",
    "{{ lookup('csvfile', 'keyname col=2') }}",
    "{{ lookup('csvfile', 'keyname col=-1') }}",
    "{{ lookup('csvfile', 'keyname col=0') }}",
    "{{ lookup('csvfile', 'keyname col=3') }}",
    "{{ lookup('csvfile', 'keyname col=x') }}",
    "{{ lookup('csvfile', 'nope') }}",
    "{{ lookup('csvfile', 'nope default=none-here') }}",
    "{{ lookup('csvfile', 'nope', default='kw') }}",
    "{{ query('csvfile', 'keyname', 'other') }}",
    "{{ query('csvfile', 'a file=quoted.csv delimiter=,') }}",
    "{{ query('csvfile', 'k\"q file=quoted.csv delimiter=,') }}",
    "{{ query('csvfile', 'last file=quoted.csv delimiter=,') }}",
    "{{ query('csvfile', 'win file=quoted.csv delimiter=, col=2') }}",
    "{{ query('csvfile', 'noend file=quoted.csv delimiter=,') }}",
    "{{ query('csvfile', 'plain\"quote file=quoted.csv delimiter=,') }}",
    "{{ query('csvfile', 'xy file=quoted.csv delimiter=,') }}",
    "{{ lookup('csvfile', 'k2', file='semi.csv', delimiter=';') }}",
    "{{ lookup('csvfile', 'k2', file='semi.csv', delimiter=';', col=2) }}",
    "{{ lookup('csvfile', 'k1', file='semi.csv', delimiter=';;') }}",
    "{{ lookup('csvfile', 'k1', file='nosuch.csv') }}",
    "{{ lookup('csvfile', 'k1 nosuch=1') }}",
    "{{ lookup('csvfile', 'file=semi.csv') }}",
    "{{ lookup('csvfile', 'Li file=elements.csv delimiter=, col=2', errors='ignore') }}",
    "{{ lookup('csvfile', 'Li file=nosuch.csv', errors='ignore') }}",
  ];

  it(
    `gives Ansible's value, or fails where Ansible fails, in ${templates.length} cases`,
    () => {
      const { expected, differences } = compareWithAnsible(templates, vars, false, project);
      expect(templates.filter((_, i) => 'error' in expected[i])).toEqual([
        "{{ lookup('ini', 'bad') }}",
        "{{ lookup('ini', 'missing_ref') }}",
        "{{ lookup('ini', 'host', section='nosuch') }}",
        "{{ lookup('ini', 'section=db') }}",
        "{{ lookup('ini', 'host section=db=x') }}",
        "{{ lookup('ini', 'host nosuch=1') }}",
        "{{ lookup('ini', 'x', file='dup.ini', section='a') }}",
        "{{ lookup('ini', 'x', file='noheader.ini') }}",
        "{{ lookup('ini', 'x', file='nosuch.ini') }}",
        "{{ lookup('ini', 'plain', section='flags', file='flags.ini') }}",
        "{{ lookup('ini', 'bare', section='flags', file='flags.ini') }}",
        "{{ lookup('csvfile', 'keyname col=3') }}",
        "{{ lookup('csvfile', 'keyname col=x') }}",
        // An unclosed quote in the term: parse_kv's error.
        "{{ query('csvfile', 'k\"q file=quoted.csv delimiter=,') }}",
        "{{ query('csvfile', 'plain\"quote file=quoted.csv delimiter=,') }}",
        "{{ lookup('csvfile', 'k1', file='semi.csv', delimiter=';;') }}",
        "{{ lookup('csvfile', 'k1', file='nosuch.csv') }}",
        "{{ lookup('csvfile', 'k1 nosuch=1') }}",
        "{{ lookup('csvfile', 'file=semi.csv') }}",
      ]);
      expect(differences).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );

  it('says what failed: the file it did not find, the section, the option', () => {
    expect(renderFailure("{{ lookup('ini', 'x', file='nosuch.ini') }}", vars).message).toMatch(/lookup\('ini'\): Unable to find 'nosuch.ini'/);
    expect(renderFailure("{{ lookup('ini', 'host', section='nosuch') }}", vars).message).toMatch(/No section 'nosuch' in ansible.ini/);
    expect(renderFailure("{{ lookup('csvfile', 'keyname col=3') }}", vars).message).toMatch(/list index out of range/);
    expect(renderFailure("{{ lookup('ini', 'host', nosuch=1) }}", vars).code).toBe('TEMPLATE_UNSUPPORTED');
  });
});

describe('csvRows, as Python csv.reader', () => {
  it('reads quoting, line breaks and blank lines as _csv.c does', () => {
    expect(csvRows('a,"b,c"\n\n"x""y"z,\r\n"q\nr"', ',')).toEqual([['a', 'b,c'], [], ['x"yz', ''], ['q\nr']]);
  });
});
