// A module's required argument written under one of its aliases, checked against what
// ansible-doc says of every Ansible module hound runs: `file: name=/x` and `lineinfile:
// dest=/x` are how many real playbooks write `path`, and must load as Ansible loads them.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { findModule, moduleNames } from '../../../modules/registry.js';
import { validateAgainst } from '../../../playbook/schema.js';
import { YamlSource } from '../../../playbook/yaml-source.js';

interface AnsibleOption {
  aliases?: string[];
  required?: boolean;
}

const definitions = moduleNames()
  .map((name) => findModule(name)!.definition)
  .filter((d) => !d.houndOwn && !d.controllerOnly);
const fqcn = (d: (typeof definitions)[number]) => `${d.collection ?? 'ansible.builtin'}.${d.name}`;
const docs = JSON.parse(execFileSync('ansible-doc', ['--json', '-t', 'module', ...definitions.map(fqcn)], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<
  string,
  { doc: { options?: Record<string, AnsibleOption> } }
>;

/** Every (module, argument, alias) where Ansible requires the argument and gives it aliases. */
const cases = definitions.flatMap((d) =>
  Object.entries(docs[fqcn(d)]?.doc.options ?? {})
    .filter(([, option]) => option.required === true && (option.aliases ?? []).length > 0)
    .flatMap(([argument, option]) => option.aliases!.map((alias) => ({ definition: d, argument, alias }))),
);

function missingArgument(schema: object, args: Record<string, unknown>): string | undefined {
  const source = YamlSource.parse('play.yml', '{}\n');
  try {
    validateAgainst(schema, args, { source, path: [], what: 'module' }, 'MODULE_ARGS_INVALID');
  } catch (err) {
    if (!(err instanceof HoundError)) throw err;
    return /is missing '([^']+)'/.exec(err.message)?.[1];
  }
  return undefined;
}

describe('required arguments written under an alias', () => {
  it('ansible-doc names such arguments for modules hound runs (the oracle is not empty)', () => {
    expect(cases.map((c) => `${c.definition.name}.${c.alias}`)).toEqual(
      expect.arrayContaining(['file.name', 'file.dest', 'lineinfile.dest', 'lineinfile.destfile']),
    );
  });

  it.each(cases.map((c) => [`${c.definition.name}: ${c.alias} for ${c.argument}`, c] as const))('%s', (_, { definition, argument, alias }) => {
    // hound knows the alias, and the argument is still required: missing without it, present with the alias.
    expect(definition.argumentAliases?.[alias]).toBe(argument);
    expect(missingArgument(definition.argumentSchema, { [alias]: 'x' })).not.toBe(argument);
  });
});
