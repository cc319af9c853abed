// A playbook's plain scalars typed as Ansible types them (PyYAML's YAML 1.1 resolver, through
// inventory/pyyaml-scalars.ts, one set of rules for playbooks, inventories and extra vars), and
// printed as ansible-playbook prints them: against Debian's ansible-core, which loads the same
// text with its AnsibleLoader and renders each variable with its Templar. Dates were JavaScript
// Dates here (`x {{ d }}` printed "x '2024-01-02T00:00:00.000Z'"); `1e3` was a float.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { YamlSource } from '../../../playbook/yaml-source.js';
import { renderValue } from '../../../playbook/templating.js';

const SCALARS = [
  '2024-01-02',
  '2001-12-14t21:59:43.10-05:00',
  '2001-12-14 21:59:43.123456789Z',
  '2001-12-14 21:59:43',
  '2002-12-14T01:02:03+5',
  '1e3',
  '1.25e+1', // (a float that is a whole number prints 1000.0 in Python, 1000 here: docs/variables.md)
  '010',
  '0x1F',
  '0b101',
  '1_000',
  '1:30',
  '1:30.5',
  '.5',
  '.inf',
  '-.Inf',
  'yes',
  'No',
  'on',
  'y',
  'n',
  '~',
  'null',
  'NULL',
  '',
  '2024-1-2',
  'v1.2.3',
  '1.2.3',
];

const ORACLE = `
import json, sys
from ansible.parsing.yaml.loader import AnsibleLoader
from ansible.template import Templar
from ansible.parsing.dataloader import DataLoader
text, names = json.load(sys.stdin)
data = AnsibleLoader(text).get_single_data()
templar = Templar(loader=DataLoader(), variables=data)
def shown(v):
    # JSON has no inf or nan: their text, as a number is compared by its text below.
    return str(v) if isinstance(v, float) and (v != v or v in (float('inf'), float('-inf'))) else v
out = []
for name in names:
    out.append([shown(templar.template('{{ %s }}' % name)), templar.template('x {{ %s }}' % name)])
print(json.dumps(out))
`;

describe("a playbook's plain scalars, against ansible-core", () => {
  it(`reads and prints ${SCALARS.length} scalars as ansible-playbook does`, () => {
    const text = SCALARS.map((s, i) => `v${i}: ${s}\n`).join('');
    const names = SCALARS.map((_, i) => `v${i}`);
    const expected = JSON.parse(execFileSync('/usr/bin/python3', ['-c', ORACLE], { input: JSON.stringify([text, names]), encoding: 'utf8' })) as unknown[][];
    const data = YamlSource.parse('vars.yml', text).data as Record<string, unknown>;
    const shown = (v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan') : v);
    const got = names.map((n) => [shown(renderValue(`{{ ${n} }}`, data)), renderValue(`x {{ ${n} }}`, data)]);
    const differing = SCALARS.flatMap((s, i) =>
      JSON.stringify(got[i]) === JSON.stringify(expected[i]) ? [] : [{ scalar: s, ansible: expected[i], hound: got[i] }],
    );
    expect(differing).toEqual([]);
  }, 180_000);
});
