// `-e` / `--extra-vars` values, read as ansible-playbook reads them: `@file` (YAML or
// JSON), an inline YAML/JSON mapping (`{...}`), or `key=value` pairs (values are strings).
// Several -e are merged in order, the later winning.
import path from 'node:path';
import { parseDocument } from 'yaml';
import { dropDuplicateKeys } from '../base/yaml-duplicate-keys.js';
import { findYamlLimitProblem, MAX_YAML_DEPTH, yamlTextTooDeep } from '../base/yaml-limits.js';
import { OptionsError } from '../base/errors.js';
import { readInputTextSync } from '../base/input-file.js';
import { registerSecretVariables } from '../base/secrets.js';
import type { Vars } from './model.js';
import { isPlainObject } from './template-values.js';
import { MAX_PLAYBOOK_FILE_BYTES, YamlSource } from './yaml-source.js';
import { pyyamlCustomTags } from '../inventory/pyyaml-scalars.js';
import { markUnsafeNodes, UNSAFE_TAG } from '../base/unsafe-text.js';
import { parseKeyValueArgs } from './kv-args.js';
import type { VaultReading } from '../vault/vaulted-yaml.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function badExtraVars(value: string, why: string): OptionsError {
  return new OptionsError('BAD_EXTRA_VARS', `-e ${JSON.stringify(value)}: ${why}`, {
    hint: 'use -e key=value (several separated by spaces), -e \'{"key": "value"}\' or -e @vars.yml',
  });
}

/**
 * One -e value as a mapping; `baseDir` resolves relative @file paths, which may be vault-encrypted.
 * A key written twice keeps its last value, with a warning to `warn`, as ansible-playbook does.
 */
export function parseExtraVars(value: string, baseDir = process.cwd(), vault?: VaultReading, warn: (message: string) => void = () => {}): Vars {
  const text = value.trim();
  if (text === '') throw badExtraVars(value, 'empty value');
  if (text.startsWith('@')) {
    // `-e @` alone would read the working folder: a missing name is a bad option, not a file problem.
    if (text.slice(1).trim() === '') throw badExtraVars(value, 'no file name after @');
    const file = path.resolve(baseDir, text.slice(1));
    const content = readInputTextSync(file, {
      what: `-e ${text.length > 80 ? '@…' : text}: the file`,
      maxBytes: MAX_PLAYBOOK_FILE_BYTES,
      codes: { missing: 'EXTRA_VARS_FILE_NOT_FOUND', 'too-large': 'YAML_TOO_LARGE' },
      hint: 'check the path after @',
    });
    const source = YamlSource.parse(file, content, vault);
    for (const warning of source.warnings) warn(warning);
    if (source.data === null || source.data === undefined) return {};
    if (!isPlainObject(source.data)) throw badExtraVars(value, 'the file must hold a mapping of variable names to values');
    return source.data;
  }
  if (text.startsWith('{') || text.startsWith('[')) {
    if (yamlTextTooDeep(text)) throw badExtraVars(value, `nests more than ${MAX_YAML_DEPTH} levels deep`);
    let data: unknown;
    try {
      // logLevel 'error': no yaml warnings printed to stderr behind hound's back.
      const doc = parseDocument(text, { version: '1.1', uniqueKeys: false, customTags: (tags) => [...pyyamlCustomTags(tags), UNSAFE_TAG], logLevel: 'error' });
      if (doc.errors[0]) throw doc.errors[0];
      const limit = findYamlLimitProblem(doc);
      if (limit)
        throw badExtraVars(
          value,
          limit.kind === 'too-deep' ? `nests more than ${MAX_YAML_DEPTH} levels deep` : `the alias *${limit.anchor} refers to a node that contains it`,
        );
      for (const d of dropDuplicateKeys(doc, text)) warn(`-e: duplicate key "${d.key}" in a mapping: the last value is used, as Ansible does`);
      markUnsafeNodes(doc);
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      if (err instanceof OptionsError) throw err;
      throw badExtraVars(value, `not valid JSON/YAML (${(err as Error).message.split('\n')[0]})`);
    }
    if (!isPlainObject(data)) throw badExtraVars(value, 'must be a mapping of variable names to values');
    return data;
  }
  // Ansible's parse_kv, as for a module's k=v arguments: a value loses one pair of outer quotes
  // only (`a="x y"` is `x y`, `a=["x"]` stays `["x"]`), and its escapes are decoded.
  const { options, raw, namedEscapes, unclosed } = parseKeyValueArgs(text);
  if (unclosed) throw badExtraVars(value, 'a quote or a {{ }} block is not closed');
  if (raw.length > 0) throw badExtraVars(value, `'${raw[0]}' is not key=value`);
  if (namedEscapes.length > 0) throw badExtraVars(value, `the escape ${namedEscapes[0]} is not supported by hound`);
  const out: Vars = {};
  for (const [key, v] of Object.entries(options)) {
    if (!NAME.test(key)) throw badExtraVars(value, `'${key}' is not a valid variable name`);
    out[key] = v;
  }
  return out;
}

/** Every -e value merged in order (later wins). */
export function mergeExtraVars(values: readonly string[], baseDir?: string, vault?: VaultReading, warn?: (message: string) => void): Vars {
  const merged = Object.assign({}, ...values.map((v) => parseExtraVars(v, baseDir, vault, warn))) as Vars;
  registerSecretVariables(merged);
  return merged;
}
